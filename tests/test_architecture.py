"""Data flows one way: each stage imports only from stages to its left (STYLE.md)."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "kg"
ORDER = ["ingest", "extract", "cache", "corrections", "graph", "worker", "preload", "sparql", "push", "analyse", "export", "pipeline", "serve",
         "cli"]
SHARED = {"model", "errors", "ids", "data"}


def stage(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def kg_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("kg"):
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("kg"))
    return found


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_stage_imports_only_from_the_left(path):
    own = stage("kg." + ".".join(path.relative_to(PACKAGE).with_suffix("").parts))
    if own == "__init__":
        return  # the package's façade: kg.build() calls the pipeline lazily
    for module in kg_imports(path):
        other = stage(module)
        if own in SHARED:
            assert other in SHARED and module != "kg", f"{path} imports {module}"
        elif module != "kg" and other not in SHARED and other != own:  # kg: __version__
            assert ORDER.index(other) < ORDER.index(own), f"{path} imports {module}"


def test_model_imports_nothing_heavy():
    source = (PACKAGE / "model.py").read_text()
    for heavy in ("rdflib", "networkx", "spacy", "pyvis"):
        assert f"import {heavy}" not in source and f"from {heavy}" not in source
