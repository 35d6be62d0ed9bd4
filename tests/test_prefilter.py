"""The fast path must not change results: on the corpus's cables about human trafficking,
people found when the model reads only candidate sentences are those found when it reads
every sentence (CONTRACT.md: shown on the trafficking cables, not only on the seeds)."""
from __future__ import annotations

import re

import pytest

from kg.extract import extract
from kg.extract import people
from kg.ingest import find_files, read_documents
from kg.model import Document


def about_trafficking(doc: Document) -> bool:
    """A cable that mentions trafficking of any kind (about 140 of the 1,295)."""
    return any(re.search(r"traffick", p.text, re.I) for p in doc.paragraphs)


def people_of(doc: Document) -> set[tuple[str, int, int]]:
    x = extract(doc)
    kinds = {e.id: e.type for e in x.entities}
    return {(m.entity_id, m.start, m.end) for m in x.mentions if kinds[m.entity_id] in ("Official", "Person")}


@pytest.mark.corpus
def test_prefilter_changes_nothing_on_the_trafficking_cables(corpus_dir, monkeypatch):
    docs = [d for d in read_documents(find_files([corpus_dir])[0])
            if isinstance(d, Document) and about_trafficking(d)]
    assert len(docs) >= 100, f"only {len(docs)} trafficking cables found"
    fast = {d.id: people_of(d) for d in docs}
    monkeypatch.setattr(people, "PREFILTER", False)
    slow = {d.id: people_of(d) for d in docs}
    differ = [d for d in fast if fast[d] != slow[d]]
    assert not differ, f"{len(differ)} of {len(docs)} cables differ, e.g. {differ[:3]}"
