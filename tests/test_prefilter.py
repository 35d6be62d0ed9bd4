"""The fast path must not change results: on the corpus's cables about trafficking, what kg
extracts when the model reads only candidate sentences is what it extracts when the model reads
every sentence (CONTRACT.md: shown on the trafficking cables, not only on the seeds)."""
from __future__ import annotations

import re
from dataclasses import astuple

import pytest

from kg.extract import STEPS, extract, people
from kg.extract.people_model import CONTEXT, SENTENCE, candidate_windows, reads_model
from kg.ingest import find_files, read_documents
from kg.model import Document, Extraction
from helpers import doc_of


def about_trafficking(doc: Document) -> bool:
    """A cable that mentions trafficking of any kind (about 140 of the 1,295)."""
    return any(re.search(r"traffick", p.text, re.I) for p in doc.paragraphs)


def facts(x: Extraction) -> tuple:
    """Everything an extraction holds but its document."""
    return tuple(sorted(map(astuple, part)) for part in (x.entities, x.mentions, x.flows,
                                                         x.relations, x.roles))


@pytest.fixture(scope="module")
def trafficking_cables(corpus_dir) -> list[Document]:
    docs = [d for d in read_documents(find_files([corpus_dir])[0])
            if isinstance(d, Document) and about_trafficking(d)]
    assert len(docs) >= 100, f"only {len(docs)} trafficking cables found"
    return docs


@pytest.mark.corpus
def test_prefilter_changes_nothing_on_the_trafficking_cables(trafficking_cables):
    differ = [d.id for d in trafficking_cables
              if facts(extract(d)) != facts(extract(d, thorough=True))]
    assert not differ, f"{len(differ)} of {len(trafficking_cables)} cables differ, e.g. {differ[:3]}"


@pytest.mark.corpus
def test_the_model_reads_every_trafficking_cable_but_a_fraction_of_its_sentences(trafficking_cables):
    """The check above is not empty: the filter leaves most of the text out of the model."""
    assert all(reads_model(d) for d in trafficking_cables)
    read = every = 0
    for d in trafficking_cables:
        if d.all_caps:
            continue
        body = [p for p in d.paragraphs if p.kind == "body"]
        every += sum(len(s.group(0)) for p in body for s in SENTENCE.finditer(p.text))
        x = extract(d, steps=STEPS[:2])        # places and organisations
        lower = set(re.findall(r"(?<![\w-])[a-z]+(?![\w-])", d.text))
        taken = [(m.start, m.end) for m in x.mentions]
        read += sum(len(s) for _, s in candidate_windows(d, taken, lower))
    assert 0 < read < 0.2 * every, f"the model reads {read} of {every} characters"


def test_the_model_reads_no_cable_without_trafficking(monkeypatch):
    """A cable about trade is read by the rules only; --thorough has the model read it too."""
    text = ("1. Trade Minister Ivan Petrov met Anna Karenina Sokolova and Boris Yeltsin Junior "
            "in Astana to discuss grain exports.\n\n2. The talks went well.\n")
    doc = doc_of(text)
    assert not reads_model(doc)
    calls = []
    real = people.model()

    def spy():
        calls.append(1)
        return real
    monkeypatch.setattr(people, "model", spy)
    fast = {e.name for e in extract(doc).entities if e.type in ("Person", "Official")}
    assert not calls and "Ivan Petrov" in fast          # titles still find officials
    extract(doc, thorough=True)
    assert calls


def test_the_model_reads_each_candidate_pair_with_its_words_either_side():
    """Windows of CONTEXT words around each pair, within the sentence, joined where they meet,
    placed where they are in the document; a name the model finds in one keeps its offsets."""
    before = " ".join(f"w{k}" for k in range(20))
    after = " ".join(f"v{k}" for k in range(20))
    text = (f"1. In the talks on human trafficking {before} the visitor Olzhas Suleimenov said {after} and "
            f"Kairat Abdrakhmanov agreed.\n\n2. Aigerim Tazhi read {before} that.\n")
    doc = doc_of(text)
    windows = candidate_windows(doc, [], set(re.findall(r"[a-z]+", "in the talks said and read")))
    assert [text[o:o + len(w)] for o, w in windows] == [w for _, w in windows]
    first, second = (w.split() for _, w in windows[:2])
    assert first[:CONTEXT] == before.split()[-CONTEXT + 2:] + ["the", "visitor"] and \
        first[CONTEXT:CONTEXT + 2] == ["Olzhas", "Suleimenov"] and first[-1] == f"v{CONTEXT - 2}"
    # the pair near the sentence's end: to its end; the one at the paragraph's start: from it
    assert second[:2] == [f"v{21 - CONTEXT}", f"v{22 - CONTEXT}"] and second[-3:] == ["Kairat", "Abdrakhmanov", "agreed."]
    assert windows[2][1].split()[:3] == ["Aigerim", "Tazhi", "read"] and len(windows) == 3
    # two pairs CONTEXT words apart: one window
    close = doc_of("1. Then Olzhas Suleimenov met " + " ".join(["them"] * (CONTEXT - 1)) + " Kairat Abdrakhmanov.\n")
    assert len(candidate_windows(close, [], {"then", "met", "them"})) == 1
    people = {m.text: m.start for m in extract(doc).mentions}
    assert text[people["Olzhas Suleimenov"]:].startswith("Olzhas Suleimenov said")
