"""kg: a knowledge graph of human-trafficking actors and flows, from cables and reports.

>>> import kg
>>> callable(kg.build)
True
"""
from __future__ import annotations

__version__ = "0.1.0"


def build(*args, **kwargs):
    """Build the knowledge graph of documents into an output folder (see kg.pipeline.build)."""
    from kg.pipeline import build as _build
    return _build(*args, **kwargs)


__all__ = ["__version__", "build"]
