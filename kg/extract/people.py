"""People: officials (a named person acting for a body, with title and organisation) and others.

Two sources: titles before names ("Captain Igor Morozov", "President Nazarbayev"; the titles
are kg/data/titles.txt), found by rule, and the PERSON entities of the spaCy model (loaded
once, see :func:`model`). A name the places or organisations already hold is not a person
(the model calls Aktobe and Uzbekistani people). A surname alone joins the full name the
document gave before ("Azimova" is "Elvira Abilkhasimovna Azimova"); a full name with or
without a patronymic is one person ("Elvira Azimova").

The step is here; the names and the patterns that find them are kg/extract/people_patterns.py,
the model's part kg/extract/people_model.py, and the entities they become
kg/extract/people_resolve.py.
"""
from __future__ import annotations

from dataclasses import replace

from kg.extract.org_lexicon import ORG_TYPES
from kg.extract.people_model import EXCLUDED, MODEL, model, names_read, reads_model
from kg.extract.people_patterns import (
    FULL_NAME_RE,
    LEADER,
    LowerWords,
    after_office,
    appositive_pattern,
    clean_name,
    found_at,
    is_country,
    name_before,
    name_headings,
    people_adjective,
    role_patterns,
    subject_before,
    title_after_pattern,
    title_pattern,
    title_words,
    written_in_lower_case,
)
from kg.extract.people_resolve import resolve_people
from kg.extract.spans import Taken
from kg.extract.words import titles, word_list
from kg.model import Document, Extraction

# what other modules import from here (the model's names, as before the split); tests replace
# ``model`` here to run without it
__all__ = ["EXCLUDED", "MODEL", "find_people", "model", "reads_model"]


def find_people(doc: Document, extraction: Extraction, thorough: bool = False) -> Extraction:
    """Extraction step: officials and other named people; runs after places and organisations.

    The model (the slow part of a build) reads only the cables that speak of trafficking of any
    kind or of exploitation (:func:`reads_model`), and in them only the words around those
    where it can find a name kg would keep
    (:func:`kg.extract.people_model.candidate_windows`); ``thorough``: every
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
        for m in title_pattern().finditer(p.text):
            title, name_start, written = m.group("title"), m.start("name"), m.group("name")
            plural = m.group("plural") or ""
            if plural[-2:] in ("'s", "’s") and not m.group("more"):
                continue    # "the Prime Minister's Special Envoy": no name after the title
            if m.group("office"):
                # "Speaker of Parliament Jordanovski": the name is the words after the body's
                split = after_office(m.group("office") + " " + written, lower_words)
                if split is None:
                    continue
                office, written = split
                title = " ".join(f"{title}{office}".split())
                name_start = m.end("name") - len(written)
            name = clean_name(written, places_ok=True)
            if name and written_in_lower_case(name.split()[0], doc.text, lower_words):
                # "Minister Fired", "President Meets Ministers": a headline's words, which the
                # document also writes in lower case, before the name or instead of one
                rest = name.split()[1:]
                while rest and written_in_lower_case(rest[0], doc.text, lower_words):
                    rest = rest[1:]
                name = " ".join(rest)
                if name:
                    name_start += written.find(name.split()[0])
                    written = written[written.find(name.split()[0]):]
            subject = subject_before(p.text, m.start("title"))
            if subject and (title in ("Minister", "Secretary") or subject.endswith(("'s ", "’s "))
                            or is_country(subject)):
                title = subject + title     # "Finance Minister", "Russian FM", "Venezuela's President"
            if name:
                found.append(found_at(p.start + name_start, written, name, title))
            for more in FULL_NAME_RE.finditer(m.group("more") or ""):
                if more.group(0).split()[0] in title_words():
                    break   # "X and Operative Officer Y": the next title's name, found by its own match
                other = clean_name(more.group(0), places_ok=True)
                if len(other.split()) > 1:
                    # "Presidents A and B" both hold the title; in "President A and B C", B C
                    # is named beside A and may hold none
                    found.append(found_at(p.start + m.start("more") + more.start(), more.group(0), other,
                                          title if plural else ""))
        before_role, after_role = role_patterns()
        for m in before_role.finditer(p.text):
            name = clean_name(m.group("name"))
            if len(name.split()) > 1:
                found.append(found_at(p.start + m.start("name"), m.group("name"), name, m.group("title")))
        for m in after_role.finditer(p.text) if ", " in p.text else ():
            n = name_before(p.text, m.start(), full=True)
            name = clean_name(n.group("name")) if n else ""
            if len(name.split()) > 1:
                found.append(found_at(p.start + n.start("name"), n.group("name"), name, m.group("title")))
        found += name_headings(p, doc.text, lower_words)
        for m in LEADER.finditer(p.text) if "the " in p.text else ():
            name = clean_name(m.group("name"))
            if (name and "-" not in name and name not in word_list("party_words.txt")
                    and not people_adjective(name)
                    and not written_in_lower_case(name, doc.text, lower_words)):
                found.append(found_at(p.start + m.start("name"), m.group("name"), name, "head of government"))
        if ", " in p.text:
            for m in title_after_pattern().finditer(p.text):
                n = name_before(p.text, m.start())
                name = clean_name(n.group("name")) if n else ""
                if not name or (len(name.split()) == 1 and (not n.group("before")
                                                            or written_in_lower_case(name, doc.text, lower_words))):
                    continue    # a lone word at a sentence's start ("Separately, the Minister")
                title = " ".join(((m.group("subject") or "") + m.group("title")).split())
                if title in titles() or m.group("subject") is None or "Minister" in title:
                    found.append(found_at(p.start + n.start("name"), n.group("name"), name, title))
        for m in appositive_pattern().finditer(p.text):
            name = clean_name(m.group("name"))
            if name:
                found.append(found_at(p.start + m.start("name"), m.group("name"), name,
                                      " ".join(m.group("title").split())))
    known_places = {e.id for e in extraction.entities if e.type == "City"}
    city_spans = {(m.start, m.end) for m in extraction.mentions if m.entity_id in known_places}
    nlp = model() if thorough or reads_model(doc) else None
    if nlp is not None:
        found += names_read(nlp, doc, taken, lower_words, thorough)
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
    return resolve_people(doc, extraction, found, orgs, known)
