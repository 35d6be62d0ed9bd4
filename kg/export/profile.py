"""What a finished build knows about one actor: read back from its CSV tables."""
from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import InputError
from kg.ids import normalise

# predicate, the side the actor is on -> the heading of the other side
SIDES = {
    ("holdsPostIn", "subject"): "posts", ("holdsPostIn", "object"): "staff",
    ("partOf", "subject"): "part of", ("partOf", "object"): "units",
    ("supervises", "subject"): "units", ("supervises", "object"): "part of",
    ("fundedBy", "subject"): "donors", ("fundedBy", "object"): "funds",
    ("cooperatesWith", "subject"): "partners", ("cooperatesWith", "object"): "partners",
}


@dataclass
class Profile:
    entity: dict[str, str]
    links: dict[str, list[dict[str, str]]] = field(default_factory=dict)   # heading -> rows
    flows: list[dict[str, str]] = field(default_factory=list)


def _read(folder: Path, name: str) -> list[dict[str, str]]:
    path = folder / name
    if not path.is_file():
        raise InputError(str(path), f"no {name} here; run kg build first (or pass --out DIR)")
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def find_actor(folder: str | Path, name: str) -> list[Profile]:
    """Every actor of a build whose name or alias is ``name`` (case and punctuation aside),
    with its relations and the flows it appears in.

    Raises InputError when the folder is not a build.
    """
    folder = Path(folder)
    want = normalise(name)
    entities = [e for e in _read(folder, "entities.csv")
                if want in {normalise(n) for n in [e["name"], *e["aliases"].split(";")] if n}]
    relations = _read(folder, "relations.csv")
    flows = _read(folder, "flows.csv")
    profiles = []
    for e in entities:
        profile = Profile(e)
        for r in relations:
            for side, other in (("subject", "object"), ("object", "subject")):
                if r[side] == e["name"]:
                    heading = SIDES[(r["predicate"], side)]
                    profile.links.setdefault(heading, []).append({**r, "other": r[other]})
        profile.flows = [f for f in flows if e["name"] in
                         (f["source"], f["destination"], *f["transit"].split(";"))]
        profiles.append(profile)
    return profiles
