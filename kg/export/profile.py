"""What a finished build knows about one actor: read back from its CSV tables."""
from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import InputError
from kg.export.names import PLACES, resolve
from kg.export.tables import read_flows
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
    """Every actor of a build that ``name`` names (its name, an alias or a demonym, case and
    punctuation aside: kg.export.names.resolve), with its relations and the flows it appears in.

    Raises InputError when the folder is not a build.
    """
    folder = Path(folder)
    entities = resolve(_read(folder, "entities.csv"), name).entities
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


def how_routes(folder: str | Path, source: str, target: str) -> tuple[list[dict[str, str]], list[str]]:
    """How victims get from one place to another in a build: the stated routes (with their
    evidence) whose ends are these places or lie in these countries, and, when no document
    states one, the shortest chain of stated hops (an inference, place names in order). The
    places are resolved as kg.export.names.resolve does (name, alias, demonym).
    Hedged flows (flows.csv: hedged true) are left out, as of the maps and the analysis.
    """
    import networkx as nx
    folder = Path(folder)
    entities = _read(folder, "entities.csv")
    src, dst = (_place_names(entities, name) for name in (source, target))
    flows = read_flows(folder, hedged=False)

    def at(name: str, country: str, want: set[str]) -> bool:
        return bool(want & {normalise(name), normalise(country)})

    stated = [f for f in flows if at(f["source"], f["source_country"], src)
              and at(f["destination"], f["destination_country"], dst)]
    if stated:
        return stated, []
    G = nx.DiGraph()
    for f in flows:
        path = [f["source"], *[t for t in f["transit"].split(";") if t], f["destination"]]
        G.add_edges_from(zip(path, path[1:]))
    starts = [n for n in G if normalise(n) in src]
    ends = [n for n in G if normalise(n) in dst]
    chains = [nx.shortest_path(G, a, b) for a in starts for b in ends if nx.has_path(G, a, b)]
    return [], min(chains, key=len) if chains else []


def _place_names(entities: list[dict[str, str]], name: str) -> set[str]:
    """The normalised names of the places ``name`` resolves to (the name itself if none)."""
    found = resolve(entities, name, PLACES)
    return {normalise(n) for n in found.names} if found.entities else {normalise(name)}
