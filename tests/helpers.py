"""Paths and small helpers the tests share."""
from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
SAMPLES = ROOT / "kg" / "samples"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
CORPUS_TAR = SHARED / "corpora" / "cablegate-2010-1295.tar.gz"
GOLD = SHARED / "gold"
DEV_CABLES = SHARED / "dev" / "cables"     # six political cables of other posts, with gold
SCORER = SHARED / "eval" / "score.py"


def doc_of(text: str, doc_id: str = "t", origin: str = ""):
    """A document from a few lines of text, read as the cable reader reads a body."""
    from kg.ingest.cable import parse
    from kg.model import Document
    return Document(doc_id, f"{doc_id}.txt", f"{doc_id}.txt", "0" * 64, text,
                    tuple(parse(text).paragraphs), origin=origin,
                    kind="cable" if origin else "text")


def found(text: str, origin: str = "") -> list[tuple[str, str, str]]:
    """(surface text, entity name, entity type) of every mention extracted from a text."""
    from kg.extract import extract
    x = extract(doc_of(text, origin=origin))
    by_id = {e.id: e for e in x.entities}
    return [(m.text, by_id[m.entity_id].name, by_id[m.entity_id].type) for m in x.mentions]


MEASURED = ("seconds", "peak_rss_mb", "cpu_seconds")


def without_measurements(manifest: dict) -> dict:
    """A build's manifest without what differs from one run to the next (times, memory)."""
    return {key: value for key, value in manifest.items() if key not in MEASURED}
