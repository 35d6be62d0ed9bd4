"""kg: a knowledge graph of human-trafficking actors and flows, from cables and reports.

>>> import kg
>>> callable(kg.build)
True
"""
from __future__ import annotations

from kg.version import __version__


def build(*args, **kwargs):
    """Build the knowledge graph of documents into an output folder (see kg.pipeline.build)."""
    from kg.pipeline import build as _build
    return _build(*args, **kwargs)


__all__ = ["__version__", "build", "load_graph"]


def load_graph(out: str = "exports"):
    """The graph of a finished build as an rdflib Graph (from its graph.ttl).

    For large builds, query the store with ``kg query`` instead: rdflib holds everything in
    memory (about 30 s and 1.3 GB per million triples, FINDINGS.md).
    """
    from pathlib import Path

    from rdflib import Graph

    from kg.errors import InputError
    path = Path(out) / "graph.ttl"
    if not path.is_file():
        raise InputError(str(path), "no graph here; run kg build first")
    graph = Graph()
    graph.parse(path, format="nt")
    return graph
