"""A long fuzzing run: the property tests of tests/test_fuzz.py with many more cases.

Usage: python bench/fuzz.py [--cases 50000]

CI runs 3,000 mutated cables (rules only), 300 with the statistical model and 600 random
texts; this runs ``--cases`` of the first kind and proportionally more of the others, and
prints what hypothesis found (nothing, when kg holds).
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", type=int, default=50_000)
    args = ap.parse_args()
    root = Path(__file__).resolve().parent.parent
    env = {**os.environ, "KG_FUZZ_CASES": str(args.cases)}
    sys.exit(subprocess.call([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                              str(root / "tests" / "test_fuzz.py")], cwd=root, env=env))


if __name__ == "__main__":
    main()
