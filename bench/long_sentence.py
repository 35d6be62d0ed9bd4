"""One paragraph with no full stop (a table or an OCR page pasted as text), read by extraction
at growing lengths: the time must grow with the length, not with its square (issue 29).

Usage: python bench/long_sentence.py [--bound SECONDS]

Prints each length's seconds and the ratio to the shortest, measured in the same run, and
exits with status 1 when the 16 KB paragraph takes longer than --bound seconds (10).
"""
from __future__ import annotations

import argparse
import sys
import time

from kg.extract import extract
from kg.ingest.cable import parse
from kg.model import Document

CLAUSE = ("Uzbek women and girls are trafficked to Russia, Turkey, and Kazakhstan for sexual exploitation, "
          "and victims from Tajikistan, China, and Russia are exploited in Kyrgyzstan, ")


def seconds(text: str) -> float:
    doc = Document("long", "long.txt", "long.txt", "0" * 64, text, tuple(parse(text).paragraphs),
                   origin="Embassy Bishkek", kind="cable")
    start = time.perf_counter()
    extract(doc)
    return time.perf_counter() - start


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--bound", type=float, default=10.0, help="seconds the 16 KB paragraph may take")
    args = ap.parse_args()
    seconds("1. " + CLAUSE)      # the model and the gazetteer load here, not in the figures
    base = None
    over = False
    for kb in (2, 4, 8, 16, 32):
        text = "1. " + CLAUSE * (kb * 1024 // len(CLAUSE))
        took = seconds(text)
        base = base or took
        print(f"{len(text):7,} characters: {took:6.2f} s  ({took / base:5.1f}x the 2 KB paragraph, "
              f"{len(text) / 2048:4.1f}x its length)")
        over = over or (kb == 16 and took > args.bound)
    if over:
        print(f"the 16 KB paragraph took more than {args.bound} s", file=sys.stderr)
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
