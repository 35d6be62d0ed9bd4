"""kg.extract.fastre: a pattern led by a lookahead for its first characters finds the same
matches as the pattern itself."""
from __future__ import annotations

import re

import pytest
from helpers import SAMPLES
from hypothesis import example, given, settings
from hypothesis import strategies as st

from kg.extract.fastre import compile_skipping, first_characters
from kg.extract.words import DATA

TRICKY = [
    (r"\bTIP\b|\bslaves?\b|\bkidneys?\b", re.I),      # ſ and K (Kelvin) fold to s and k
    (r"(?<![\w-])(?:Mr|Ms)\.?\s+[A-Z]\w+", 0),
    (r"(?i)\bforced\s+(?:labou?r|prostitution)\b", 0),   # global flags stay first
    (r"(a)(?P<x>b)\1|c+d", 0),                          # groups keep their numbers
    (r"[x-z]{2,}|\b\d+\b", 0),                         # \d: not known, left alone
    (r"(?:in-country|internal)\s+traffick", re.I),
    (r"(?=((?:the\s+)?⟨(\d+)⟩\s+of\s+⟨(\d+)⟩))", 0),         # overlapping matches
    (r"(?:x|-)?(?<!a)z+|(?!s)[st]", 0),
]
ALPHABET = "abcdkKstTpPiIlLvVx-z ſİıﬁ\n.,'’2TIPslavekidney\u212a⟨⟩1 of the"


def _matches(pattern: re.Pattern[str], text: str) -> list:
    return [(m.span(), m.groups(), m.groupdict()) for m in pattern.finditer(text)]


@pytest.mark.parametrize(("pattern", "flags"), TRICKY)
@settings(max_examples=300, deadline=None)
@given(text=st.text(alphabet=ALPHABET, max_size=40))
@example(text="the ⟨1⟩ of ⟨2⟩ of the ⟨3⟩; xzz s TIP ſlaves \u212aidney")
def test_the_same_matches_on_any_text(pattern, flags, text):
    assert _matches(compile_skipping(pattern, flags), text) == _matches(re.compile(pattern, flags), text)


def test_the_data_files_patterns_find_the_same_in_the_seeds():
    import csv
    patterns = []
    for name in ("flow_cues.csv", "exploitation.csv"):
        with (DATA / name).open(encoding="utf-8", newline="") as f:
            patterns += [row["pattern"] for row in csv.DictReader(line for line in f if not line.startswith("#"))]
    texts = [p.read_text(encoding="utf-8") for p in sorted(SAMPLES.glob("*.txt"))]
    led = 0
    for pattern in patterns:
        fast, plain = compile_skipping(pattern, re.I), re.compile(pattern, re.I)
        led += fast.pattern != plain.pattern
        for text in texts:
            assert _matches(fast, text) == _matches(plain, text), pattern
    assert led > len(patterns) // 2        # most of them gain a lookahead


def test_first_characters_are_known_only_where_they_can_be():
    assert first_characters(r"\bhuman\s+trafficking\b|\btrafficked\b") == {"h", "t"}
    assert first_characters(r"(?:a|b)?c") == {"a", "b", "c"}    # the group may be skipped
    assert first_characters(r"(?:a|b)?\w") is None
    assert first_characters(r"(?=(⟨\d+⟩ of ⟨\d+⟩))") == {"⟨"}     # a lookahead sees the start
    assert first_characters(r"\w+") is None
    assert first_characters(r"x*") is None                # may match nothing
    assert first_characters(r"[^a]b") is None
    assert first_characters("tip", re.I) == {"t", "T"}
