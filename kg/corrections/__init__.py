"""An analyst's corrections, applied to every build after extraction (``kg.corrections.toml``).

:mod:`~kg.corrections.file` reads, checks and appends to the file (its format is described
there); :mod:`~kg.corrections.applying` applies the corrections to a build's extractions and
entities.
"""
from __future__ import annotations

from kg.corrections.applying import apply, finish
from kg.corrections.file import (
                                 COMMON,
                                 FILE_NAME,
                                 KINDS,
                                 Correction,
                                 CorrectionError,
                                 Report,
                                 append,
                                 find,
                                 read,
)

__all__ = ["COMMON", "FILE_NAME", "KINDS", "Correction", "CorrectionError", "Report", "append",
           "apply", "find", "finish", "read"]
