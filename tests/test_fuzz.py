"""Property-based fuzzing of ingest and extraction (hypothesis): random and mutated cable text
never raises anything but kg's own errors, and every offset kg writes slices the text exactly.

CI runs a few thousand cases (rules only; a few hundred with the statistical model, which is
slower and not kg's code); ``python bench/fuzz.py --cases 50000`` runs more.
"""
from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import kg.extract.people as people

from helpers import SAMPLES
from kg.errors import KGError
from kg.extract import extract
from kg.ingest import read_document

CASES = int(os.environ.get("KG_FUZZ_CASES", "3000"))
SEED_TEXTS = [p.read_text(encoding="utf-8") for p in sorted(SAMPLES.glob("*.txt"))]
# the pieces hostile text is made of: cable furniture, places, cues, markup, odd characters
PIECES = ["\n", "\n\n", " ", "¶", "1. ", "12. ", "(SBU) ", "SUBJECT: ", "TAGS: ", "REF: A. ", "END SUMMARY",
          "Kazakhstan", "Uzbekistan", "Shymkent", "from ", " to ", " via ", "trafficked", "victims",
          "Ministry of Justice", "MVD", "IOM", "Deputy Minister ", "<script>", "</pre>", "&amp;", "\x00",
          "\ufeff", "\u200b", "–", "é", "\r\n", "\t", "'", '"', "(", ")", "--", ".", ",", ";", "ﬁ", "İ",
          "ß", "\u0301", "𝔘", "\u2028"]


def check(text: str, tmp_path: Path, suffix: str = ".txt") -> None:
    path = tmp_path / f"fuzz{suffix}"
    path.write_bytes(text.encode("utf-8", "surrogatepass"))
    try:
        doc = read_document(path)
    except KGError:
        return
    x = extract(doc)
    # a mention is the exact slice of the text; evidence is the sentence as kg read it, page
    # markers inside it blanked (the paragraphs' text), located by the same offsets
    content = list(doc.text)
    for p in doc.paragraphs:
        assert len(p.text) == p.end - p.start
        content[p.start:p.end] = p.text
    read = "".join(content)
    for m in x.mentions:
        assert 0 <= m.start < m.end <= len(doc.text)
        assert doc.text[m.start:m.end] == m.text, m
    for fact in (*x.flows, *x.relations):
        assert 0 <= fact.start <= fact.end <= len(doc.text)
        assert " ".join(read[fact.start:fact.end].split()) == " ".join(fact.evidence.split()), fact


@contextmanager
def rules_only():
    """Extraction without the statistical model (as on a machine that lacks it)."""
    saved = people.model
    people.model = lambda: None
    try:
        yield
    finally:
        people.model = saved


mutation = st.tuples(st.integers(0, 10**9), st.integers(0, 40), st.sampled_from(PIECES + [""]))


def mutated(seed: int, start: int, length: int, mutations) -> str:
    """A stretch of a seed cable (its header kept half the time) with pieces cut and pasted."""
    text = SEED_TEXTS[seed]
    a = start % max(1, len(text))
    text = (text[:1200] if start % 2 else "") + text[a:a + length]
    for where, cut, piece in mutations:
        at = where % (len(text) + 1)
        text = text[:at] + piece + text[at + cut:]
    return text


MUTANTS = dict(seed=st.sampled_from(range(len(SEED_TEXTS))), start=st.integers(0, 10**9),
               length=st.integers(0, 2500), mutations=st.lists(mutation, max_size=12))
QUIET = [HealthCheck.function_scoped_fixture, HealthCheck.too_slow]


@settings(max_examples=CASES, deadline=None, suppress_health_check=QUIET)
@given(**MUTANTS)
def test_mutated_cables(tmp_path, seed, start, length, mutations):
    with rules_only():
        check(mutated(seed, start, length, mutations), tmp_path)


@settings(max_examples=max(50, CASES // 10), deadline=None, suppress_health_check=QUIET)
@given(**MUTANTS)
def test_mutated_cables_with_the_model(tmp_path, seed, start, length, mutations):
    check(mutated(seed, start, length, mutations), tmp_path)


@settings(max_examples=max(100, CASES // 5), deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(parts=st.lists(st.one_of(st.sampled_from(PIECES), st.text(max_size=30)), max_size=60),
       html=st.booleans())
def test_random_text(tmp_path, parts, html):
    text = "".join(parts)
    with rules_only():
        check(f"<html><body><pre>{text}</pre></body></html>" if html else text, tmp_path,
              ".html" if html else ".txt")
