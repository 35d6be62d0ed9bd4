"""The pipeline: ingest -> extract -> graph -> export, into a temporary folder swapped in at the end.

One job a module: :mod:`~kg.pipeline.run` (``build``: the order of the stages),
:mod:`~kg.pipeline.reading` (read and extract every input), :mod:`~kg.pipeline.spool` (what each
document leaves for the later stages, on disk), :mod:`~kg.pipeline.stages` (everything after
extraction), :mod:`~kg.pipeline.executor` (where the work runs), :mod:`~kg.pipeline.folder`
(the output folder: lock, check, swap) and :mod:`~kg.pipeline.manifest` (manifest.json).
"""
from __future__ import annotations

from kg.pipeline.manifest import MANIFEST
from kg.pipeline.run import SAMPLES, build
from kg.pipeline.stages import merge_entities

__all__ = ["MANIFEST", "SAMPLES", "build", "merge_entities"]
