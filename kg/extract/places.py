"""Extraction step: the places a document names, found with the gazetteer
(:mod:`kg.extract.gazetteer`).

Countries, areas, capitals and large cities are found wherever they are named. A smaller
city or a subdivision is found only where the document names its country (or was sent from
it): "Split" or "Victoria" is a town of a country the text speaks of, or not a place. Names
that are also English words or common names (kg/data/place_words.txt) must moreover be
written as names: capitalised, never in lower case elsewhere in the text, not beside another
capitalised word ("Carlos Mendoza"), not opening a sentence. Towns no gazetteer lists are
found by how the text speaks of them ("the village of X").
"""
from __future__ import annotations

import re
from collections import Counter

from kg.extract.gazetteer import Entry, automaton, country_name, host_country, lookup
from kg.extract.scanning import longest, scan_all
from kg.extract.spans import Taken, with_aliases
from kg.extract.words import leading_words, place_stopwords, titles
from kg.ids import entity_id
from kg.model import Document, Entity, Extraction, Mention, Paragraph

METHOD = "gazetteer"


def find_places(doc: Document, extraction: Extraction) -> Extraction:
    """Extraction step: every gazetteer place named in the subject and the paragraphs.

    Two passes: the first finds every name; the countries the document names (and the one
    it was sent from) are its context, in which the second decides the names that need one
    (a town of a country named, a subdivision) and drops the longest-first overlaps."""
    auto = automaton()
    entities = {e.id: e for e in extraction.entities}
    mentions = list(extraction.mentions)
    found = [(p, scan_all(auto, p, doc.all_caps, hyphens=True)) for p in doc.paragraphs]
    context = _context(doc, found)
    lower = _LowerWords(doc.text)
    kept, surnames = [], set()
    for p, hits in found:
        chosen = []
        for start, end, entry in hits:
            entity = _resolve(entry, context, doc.kind == "cable")
            if entity is None:
                continue
            if _named(doc, p, start, end, entry, entity, lower):
                chosen.append((start, end, entity, entry))
            elif (not doc.all_caps and (entry.checked or entity is not entry.entity)
                  and _in_name(p.text, start)):
                surnames.add(id(entry))  # "Carlos Restrepo": a surname all through the text
        kept.append((p, chosen))
    for p, chosen in kept:
        chosen = longest([(a, b, entity) for a, b, entity, entry in chosen
                             if id(entry) not in surnames])
        chosen += _elided_areas(p, chosen)
        for start, end, entity in chosen:
            entities.setdefault(entity.id, entity)
            mentions.append(Mention.at(entity.id, doc, p, p.start + start, p.start + end, METHOD))
    if not doc.all_caps:
        _unlisted_places(doc, entities, mentions)
    return with_aliases(doc, extraction, entities, mentions)


def _context(doc: Document, found) -> Counter:
    """The countries a document speaks of, each with how often: those whose names,
    demonyms, areas or anywhere-found cities it uses, and above all the one it was sent
    from."""
    codes: Counter = Counter()
    for _, hits in found:
        for _, _, entry in hits:
            if (entry.entity is not None and entry.entity.country_code and not entry.checked
                    and not entry.choices):     # (an ambiguous name is no evidence)
                codes[entry.entity.country_code] += 1
    host = host_country(doc)
    if host:
        codes[host] += 1000
    return codes


CABLE_AUTHOR = "US"


def _resolve(entry: Entry, context: Counter, cable: bool = False) -> Entity | None:
    """The place a name stands for in a document of this context: a country or an area as
    listed; else of the places of that name, the one of the country the document names
    most ("Cordoba" in a document on Spain), the larger where two tie; else the one found
    anywhere, or nothing. Every cable names the United States, its author's country: there
    it is context for its states only ("Texas"), not for its towns ("Geneva", "Mission")."""
    listed = entry.entity
    if listed is not None and (listed.type == "Country" or not listed.country_code):
        return listed
    if not entry.choices:
        return listed
    best, weight = listed, context[listed.country_code] if listed is not None else 0
    for e in entry.choices:
        if cable and e.country_code == CABLE_AUTHOR and e.type == "City":
            continue
        if context[e.country_code] > weight:
            best, weight = e, context[e.country_code]
    return best


class _LowerWords:
    """The words a text writes in lower case (read once, when first asked)."""

    __slots__ = ("text", "words")

    def __init__(self, text: str) -> None:
        self.text, self.words = text, None

    def __contains__(self, word: str) -> bool:
        if self.words is None:
            self.words = set(re.findall(r"\b[a-z][a-z]+\b", self.text))
        return word in self.words


BEFORE = re.compile(r"([A-Z][\w'’.-]*)\s+$")


AFTER = re.compile(r"^\s+([A-Z][\w'’-]*)")


WORD_BEFORE = re.compile(r"(\w+)\s+$")


SPEAKS = re.compile(r"\s+(?:said|says|told|noted|added|explained|stated|pointed|argued|asked|"
                    r"claimed|replied|commented|stressed|suggested|agreed|believes|thinks|"
                    r"recalled|complained|insisted|confirmed|denied)\b")


# what stands before a town's name that is also a word: a preposition of place, or a list
PLACE_BEFORE = re.compile(r"\b(?:in|to|from|near|via|through|into|outside|across)\s+$")


# after "US" in capitals, the words that show it is the pronoun ("TOLD US THAT", "LET US KNOW")
PRONOUN_NEXT = re.compile(r"\s*(?:(?:THAT|TO|AND|BUT|OF|FOR|IN|AS|ON|AT|WITH|WHEN|WHENEVER|IF|DID|"
                          r"KNOW|ABOUT|BY|FROM|UP|OUT|IS|WAS|ALL|BOTH|ANY|HOW|WHAT|WHY|A|AN|THE|"
                          r"THIS|SOME)\b|$|[.,;:!?)])")


def _named(doc: Document, p: Paragraph, start: int, end: int, entry: Entry, entity: Entity,
           lower: _LowerWords) -> bool:
    """Whether a hit is written as the name of this place. A town or region found only in
    context must not be part of a longer capitalised name ("Carlos Mendoza", "Lake Victoria");
    a name that is also a word ("Split", "Male", "us") must moreover be capitalised, never in
    lower case elsewhere in the text, and not open a sentence; in capitals "US" is the
    country after "THE" or before a word it qualifies, not in "TOLD US THAT"."""
    text = p.text
    surface = text[start:end]
    if entry.word and entry.case_sensitive:
        before, after = text[max(0, start - 40):start], text[end:end + 40]
        if not (doc.all_caps or (before.strip()[-12:].isupper() and after.strip()[:12].isupper())):
            return True
        return bool(re.search(r"\bTHE\s+$", before)) or after.startswith("-") or \
            not PRONOUN_NEXT.match(after)
    if not (entry.checked or entity is not entry.entity):
        return True
    heading = surface.isupper()      # a line in capitals: its words say nothing of each other
    before = BEFORE.search(text, max(0, start - 40), start)
    if before and not heading and before.group(1) not in leading_words():
        return False
    word_before = WORD_BEFORE.search(text, max(0, start - 40), start)
    if (entity is not entry.entity or entry.word) and (
            (word_before and word_before.group(1).capitalize() in titles()) or SPEAKS.match(text, end)):
        return False      # "chief Ivanov", "Oliveira pointed out": a person
    after = AFTER.match(text[end:end + 40])
    if after and not heading and after.group(1) not in KINDS:
        return False      # "Mission Canada", "Central Siberia", "Mendoza Garcia"
    if entry.word:
        if doc.all_caps or surface.islower() or surface.casefold() in lower:
            return False
        if not PLACE_BEFORE.search(text, max(0, start - 20), start):
            return False
    return True


# words that may follow a town's name and keep it a place ("Solwezi District", "Abha Airport")
KINDS = frozenset({"City", "Province", "Region", "District", "State", "County", "Island", "Islands",
                   "Airport", "Port", "Governorate", "Department", "Oblast", "Municipality"})


def _in_name(text: str, start: int) -> bool:
    """Whether the name at ``start`` follows a capitalised word: part of a longer name."""
    before = BEFORE.search(text, max(0, start - 40), start)
    return bool(before) and not before.group(1).isupper() and before.group(1) not in leading_words()


# a run of compass words before an area ("East, Central, and Southern Africa", "South and
# Southeast Asia"): each of them with the area's last word is an area too
ELIDED = re.compile(r"((?:(?:North|South|East|West|Central|Northern|Southern|Eastern|Western|"
                    r"(?:North|South)-?(?:east|west|East|West)(?:ern)?)(?:,?\s+(?:and|or)\s+|,\s*))+)$")


def _elided_areas(p: Paragraph, chosen) -> list[tuple[int, int, Entity]]:
    out = []
    for start, end, entity in chosen:
        if entity.type != "Region" or " " not in entity.name:
            continue
        m = ELIDED.search(p.text, max(0, start - 80), start)
        if not m:
            continue
        base = p.text[start:end].split(None, 1)[1]
        for w in re.finditer(r"[A-Z][\w-]*", m.group(1)):
            area = lookup(f"{w.group()} {base}")
            if area is not None and area.type == "Region":
                out.append((m.start(1) + w.start(), m.start(1) + w.end(), area))
    return out


NAME = r"[A-Z][a-z]+(?:-[A-Z][a-z]+)?"


# each cue with the words it needs: a paragraph with none of them is not searched with it
PLACE_CUES = [(re.compile(pattern), words) for pattern, words in (
    (rf"\b(?:village|town|settlement|city|aul|district) of ({NAME})\b",
     ("village of", "town of", "settlement of", "city of", "aul of", "district of")),
    (rf"\b(?:resident|residents|native|natives) of ({NAME})\b",
     ("resident of", "residents of", "native of", "natives of")),
    (rf"\b(?:station|port|airport|border crossing) (?:in|at|of) ({NAME})\b",
     tuple(f"{place} {word} " for place in ("station", "port", "crossing") for word in ("in", "at", "of"))),
    (rf"\b({NAME}) (?:[Vv]illage|train station|railway station|bus station)\b",
     (" village", " Village", " train station", " railway station", " bus station")),
    (rf"\bin ({NAME}) near [A-Z]", (" near ",)),
    (rf"\b({NAME}) \((?:a|the) (?:small )?(?:town|village|city|settlement)\b", ("(a ", "(the ")),
)]


def _unlisted_places(doc: Document, entities: dict[str, Entity], mentions: list[Mention]) -> None:
    """Towns no gazetteer lists, named by how the text speaks of them ("the village of
    Chagan", "a resident of Volnyi", "Beineu (a town near ...)"); then every other use of
    that name in the document."""
    code = host_country(doc)
    found: dict[str, Entity] = {}
    for cue, words in PLACE_CUES:
        if not any(word in doc.text for word in words):
            continue    # (most cues in most documents: not read paragraph by paragraph)
        for p in doc.paragraphs:
            if not any(word in p.text for word in words):
                continue
            for m in cue.finditer(p.text):
                name = m.group(1)
                if (name in leading_words() or name in titles() or lookup(name) is not None
                        or name.casefold() in place_stopwords()):
                    continue
                found.setdefault(name, Entity(entity_id("City", f"{code or 'xx'}-{name}"), name, "City",
                                              country=country_name(code), country_code=code))
    if not found:
        return
    taken = Taken((m.start, m.end) for m in mentions)
    pattern = re.compile(r"(?<![\w-])(" + "|".join(map(re.escape, sorted(found))) + r")(?![\w]|-(?!based))")
    for p in doc.paragraphs:
        for m in pattern.finditer(p.text):
            start, end = p.start + m.start(), p.start + m.end()
            if taken.overlaps(start, end):
                continue
            entity = found[m.group(1)]
            entities.setdefault(entity.id, entity)
            mentions.append(Mention.at(entity.id, doc, p, start, end, "cue"))
