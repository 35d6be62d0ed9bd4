"""Paths and small helpers the tests share."""
from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SAMPLES = ROOT / "kg" / "samples"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
CORPUS_TAR = SHARED / "corpora" / "cablegate-2010-1295.tar.gz"
GOLD = SHARED / "gold"
SCORER = SHARED / "eval" / "score.py"
