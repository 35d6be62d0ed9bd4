"""Organisations' lexicon: the data kg reads to name a body, and how a body's entity is made.

The lexicon (kg/data/organizations.csv: well-known bodies, their acronyms and other names), the
head words that make a name a body's (kg/data/org_heads.csv), the hit every finder of
kg/extract/org_names.py, org_cues.py and org_acronyms.py returns, the entity minted from a
type, a country and a key, and the country a word before a name gives ("Kyrgyz MVD").
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache

from kg.extract.gazetteer import country_name, lookup
from kg.extract.scanning import build_automaton
from kg.extract.words import DATA
from kg.ids import entity_id, normalise
from kg.model import Entity

ORG_TYPES = ("GovernmentAgency", "NGO", "InternationalOrganization", "Court", "Media")
MONTHS = ("January|February|March|April|May|June|July|August|September|October|November|"
          "December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec")
MONTH = re.compile(MONTHS)


@dataclass(frozen=True)
class LexEntry:
    name: str
    type: str
    country_code: str      # ISO code, "*" for the country of the context, "" for none
    form: str              # the surface form as listed
    case_sensitive: bool


@dataclass(frozen=True)
class Hit:
    """An organisation found in a paragraph: offsets relative to the paragraph."""
    start: int
    end: int
    entity: Entity
    method: str
    core: int = -1   # where the name proper starts, after a country's adjective ("Irish ...")


# ------------------------------------------------------------------------------ data

@lru_cache(maxsize=1)
def lexicon() -> dict[str, LexEntry]:
    """Surface form (case-folded) -> lexicon entry."""
    entries: dict[str, LexEntry] = {}
    with (DATA / "organizations.csv").open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            if row["type"] not in ORG_TYPES:
                raise ValueError(f"organizations.csv: unknown type {row['type']!r} for {row['name']}")
            for form in [row["name"], *(a.strip() for a in row["aliases"].split(";"))]:
                form = " ".join(form.split())
                if form and form.casefold() not in entries:
                    sensitive = len(form) <= 5 or form.isupper()
                    entries[form.casefold()] = LexEntry(row["name"], row["type"],
                                                        row["country_code"], form, sensitive)
    return entries


@lru_cache(maxsize=1)
def automaton():
    return build_automaton(lexicon())


@lru_cache(maxsize=1)
def heads() -> dict[str, str]:
    """Head word -> the type it gives a name ("Court" -> Court, "Union" -> NGO, ...)."""
    with (DATA / "org_heads.csv").open(encoding="utf-8", newline="") as f:
        return {row["head"]: row["type"] for row in csv.DictReader(f)}


@lru_cache(maxsize=1)
def heads_alone() -> frozenset[str]:
    """Head words that name a body with a country's adjective alone ("Czech Army")."""
    with (DATA / "org_heads.csv").open(encoding="utf-8", newline="") as f:
        return frozenset(row["head"] for row in csv.DictReader(f) if row.get("alone") == "yes")


def hd_type(head: str) -> str:
    type_ = heads().get(head, "GovernmentAgency")
    return type_ if type_ in ORG_TYPES else "GovernmentAgency"


# ------------------------------------------------------------------------------ entities

def lexicon_entity(entry: LexEntry, country: str) -> Entity:
    """The entity of a lexicon entry, in the given country when the entry is generic."""
    code = country if entry.country_code == "*" else entry.country_code
    return make_entity(entry.name, entry.type, code)


def make_entity(name: str, type_: str, code: str, key: str | None = None) -> Entity:
    """An organisation entity with an id from its type, country and key (its name)."""
    country = country_name(code)
    if type_ == "InternationalOrganization" or (type_ == "Media" and not code):
        code, country = "", ""
    key = key or body_key(name)
    return Entity(entity_id(type_, f"{code or 'xx'}-{key}"), name, type_,
                  country=country, country_code=code)


HEAD_LAST = re.compile(r"^(?P<subject>[A-Z][a-z]+)\s+(?P<head>Ministry|Department)$")


def body_key(name: str) -> str:
    """The key of a body's name, the same however the name is written: "Transport
    Department", "Department of Transport" and "Latvian Department of Transport" are one body
    (the country is in the id already).

    >>> body_key("Latvian Defense Department") == body_key("Department of Defense")
    True
    """
    words = name.split()
    if len(words) > 2 and is_country_word(words[0]):
        name = " ".join(words[1:])
    m = HEAD_LAST.match(name)
    if m and not is_country_word(m.group("subject")):
        name = f"{m.group('head')} of {m.group('subject')}"
    return normalise(name)


# ------------------------------------------------------------------- a country's word before a name

def is_country_word(word: str) -> bool:
    place = lookup(word.removesuffix("'s").removesuffix("’s"))
    return place is not None and place.type == "Country" and not word.isupper()


def adjective_before(text: str, start: int) -> int:
    """Where a country's adjective right before a name starts ("Irish Parliament", "U.S.
    Congress"), or ``start`` when there is none: the mention reads as the text names the body."""
    window = max(0, start - 25)
    m = re.search(r"(?<![\w.])([A-Z][A-Za-z.]+)[ \t]*\n?[ \t]*\Z", text[window:start])
    if (m and m.end(1) < m.end() and (window == 0 or m.start(1) > 0)
            and (is_country_word(m.group(1)) or re.fullmatch(r"U\.S\.|US|American", m.group(1)))):
        return window + m.start(1)
    return start


def country_before(text: str, start: int) -> str:
    """The country an adjective or possessive right before a name gives ("Kyrgyz MVD")."""
    match = re.search(r"([A-Z][\w.]*(?:\s+[A-Z][\w]*)?)(?:'s|’s)?\s+(?:the\s+)?$", text[max(0, start - 40):start])
    if not match:
        return ""
    words = match.group(1)
    for candidate in (words, words.split()[-1]):
        place = lookup(candidate)
        if place is not None and place.type == "Country":
            return place.country_code
    if re.fullmatch(r"U\.?S\.?|American", words.split()[-1]):
        return "US"
    return ""
