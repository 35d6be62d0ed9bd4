"""One way to find an entity of a finished build by what a user types: its name, an alias, a
demonym or another spelling the gazetteer knows, case and punctuation aside. Every command that
takes a name (kg actors, kg flows --place, kg routes, kg query --param) resolves it here, says
which entity it chose, or lists the candidates."""
from __future__ import annotations

import csv
import difflib
from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import InputError
from kg.ids import normalise

PLACES = ("Country", "City", "Region")


@dataclass
class Found:
    """What a name resolved to: the entities (rows of entities.csv) it names, and, when it
    names none, the names it may have meant."""

    asked: str
    entities: list[dict[str, str]] = field(default_factory=list)
    candidates: list[str] = field(default_factory=list)

    @property
    def names(self) -> set[str]:
        return {e["name"] for e in self.entities}

    def chosen(self) -> str:
        """A line saying which entity (or entities) the name was taken for.

        >>> Found("uae", [{"name": "United Arab Emirates", "type": "Country", "id": "country-ae"}]).chosen()
        "'uae': United Arab Emirates (Country, country-ae)"
        """
        which = "; ".join(f"{e['name']} ({e['type']}, {e['id']})" for e in self.entities)
        return f"{self.asked!r}: {which}"

    def missing(self, folder: str | Path, what: str = "entity") -> str:
        """The message for a name that names nothing, with the candidates."""
        hint = f"; did you mean: {', '.join(self.candidates)}?" if self.candidates else ""
        return f"no {what} named {self.asked!r} in {folder}{hint}"


def entities_of(folder: str | Path) -> list[dict[str, str]]:
    """The rows of a build's entities.csv; InputError when there is none."""
    path = Path(folder) / "entities.csv"
    if not path.is_file():
        raise InputError(str(path), "no entities.csv here; run kg build first (or pass --out DIR)")
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def resolve(entities: list[dict[str, str]], name: str, types: tuple[str, ...] = ()) -> Found:
    """The entities ``name`` names: by name or alias (case, accents and punctuation aside),
    else by a name, alias or demonym of the gazetteer ("UAE", "Emirati", "Chimkent"). With
    ``types``, entities of those types are preferred when some match. When none matches,
    ``candidates`` holds up to eight names it may have meant.

    >>> rows = [{"id": "country-ae", "name": "United Arab Emirates", "type": "Country", "aliases": "UAE"},
    ...         {"id": "country-uz", "name": "Uzbekistan", "type": "Country", "aliases": ""}]
    >>> [e["name"] for e in resolve(rows, "uae").entities], [e["name"] for e in resolve(rows, "Uzbek").entities]
    (['United Arab Emirates'], ['Uzbekistan'])
    >>> resolve(rows, "Uzbekistn").candidates
    ['Uzbekistan']
    """
    want = normalise(name)
    found = Found(name)
    if not want:
        return found
    matches = [e for e in entities
               if want in {normalise(n) for n in (e["name"], e["id"], *e["aliases"].split(";")) if n}]
    if not matches:
        from kg.extract.gazetteer import lookup
        place = lookup(name)
        if place is not None:
            matches = [e for e in entities if e["id"] == place.id] or \
                      [e for e in entities if normalise(e["name"]) == normalise(place.name)]
    if types and any(e["type"] in types for e in matches):
        matches = [e for e in matches if e["type"] in types]
    found.entities = matches
    if not matches:
        pool = [e for e in entities if not types or e["type"] in types] or entities
        by_key = {normalise(e["name"]): e["name"] for e in pool}
        close = difflib.get_close_matches(want, list(by_key), n=8, cutoff=0.75)
        partial = [k for k in sorted(by_key) if want in k and k not in close]
        found.candidates = [by_key[k] for k in [*close, *partial][:8]]
    return found
