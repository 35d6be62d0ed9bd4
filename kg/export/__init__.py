"""Export: a finished build's tables, texts and graph, written into a folder.

EXPORTERS maps a name to a function (folder, build result) -> None; build.py runs them all.
"""
from __future__ import annotations

from kg.export.tables import write_tables, write_texts

EXPORTERS = {"csv": write_tables, "texts": write_texts}

__all__ = ["EXPORTERS", "write_tables", "write_texts"]
