"""Flow and actor networks, and the analyses over them."""
from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from itertools import combinations

import networkx as nx

from kg.model import Entity, Extraction, Flow

PLACES = ("Country", "City", "Region")
ACTORS = ("GovernmentAgency", "NGO", "InternationalOrganization", "Court", "Media", "Official",
          "Person")


def counted(flows: Iterable[Flow], hedged: bool = False) -> list[Flow]:
    """The flows the maps and counts take: those the text states, not the hedged ones it only
    says may happen (CONTRACT.md: they stay out of maps and counts by default); with
    ``hedged``, every flow.

    >>> from kg.model import Flow
    >>> [f.id for f in counted([Flow(id="f1", source="a", destination="b"),
    ...                   Flow(id="f2", source="a", destination="b", hedged=True)])]
    ['f1']
    """
    return [f for f in flows if hedged or not f.hedged]


def flow_network(flows: Iterable[Flow], entities: dict[str, Entity],
                 hedged: bool = False) -> nx.DiGraph:
    """Places as nodes, stated hops as directed edges (a flow A -> T -> B gives A->T and T->B);
    hedged flows are left out (:func:`counted`) unless ``hedged``, and counted in
    ``G.graph["hedged_left_out"]``.

    Each edge aggregates the flows through it: ``flows`` (ids), ``documents``, ``victims``
    (the sum of stated counts) and ``victims_stated`` (how many of its flows state one: none,
    and the number is unknown, not 0), ``exploitation`` and ``sectors`` (Counters), ``internal``
    (how many of its flows stay in one country) and ``years``. Each node carries its
    entity's name, type, country and coordinates.

    >>> from kg.model import Entity, Flow
    >>> e = {i: Entity(i, i.upper(), "Country") for i in ("a", "b", "t")}
    >>> G = flow_network([Flow(id="f1", source="a", destination="b", transit=("t",),
    ...                        exploitation=("labor",), victims=3, document="d1")], e)
    >>> sorted(G.edges()), G["a"]["t"]["victims"]
    ([('a', 't'), ('t', 'b')], 3)
    """
    flows = list(flows)
    kept = counted(flows, hedged)
    G = nx.DiGraph(hedged_left_out=len(flows) - len(kept))
    for f in kept:
        path = [f.source, *f.transit, f.destination]
        for node in path:
            if node not in G:
                G.add_node(node, **_node(entities.get(node)))
        for a, b in zip(path, path[1:]):
            if a == b:
                continue
            if not G.has_edge(a, b):
                G.add_edge(a, b, flows=[], documents=set(), victims=0, victims_stated=0,
                           exploitation=Counter(),
                           sectors=Counter(), internal=0, years=set(), evidence=[], curated=0)
            edge = G[a][b]
            edge["flows"].append(f.id)
            edge["documents"].add(f.document)
            edge["victims"] += f.victims or 0
            edge["victims_stated"] += f.victims is not None
            edge["exploitation"].update(f.exploitation)
            edge["sectors"].update(f.sectors)
            edge["internal"] += bool(f.internal)
            if f.year is not None:
                edge["years"].add(f.year)
            edge["evidence"].append((f.document, f.paragraph, f.evidence, f.curator))
            edge["curated"] += bool(f.curator)
    return G


def _node(e: Entity | None) -> dict:
    if e is None:
        return {"name": "?", "type": "", "country": ""}
    return {"name": e.name, "type": e.type, "country": e.country, "latitude": e.latitude,
            "longitude": e.longitude, "aliases": list(e.aliases)}


def route_paths(flows: Iterable[Flow], entities: dict[str, Entity], source: str = "",
                target: str = "", exploitation: str = "", year: int | None = None,
                hedged: bool = False) -> list[dict]:
    """Every stated source -> transit -> destination route, with its evidence, filtered by
    place (a name, alias or country of either end), exploitation type and year; hedged flows
    only with ``hedged`` (:func:`counted`).
    """
    def matches(eid: str, want: str) -> bool:
        e = entities.get(eid)
        return not want or (e is not None and want.casefold() in
                            {e.name.casefold(), e.country.casefold(), *(a.casefold() for a in e.aliases)})
    rows = []
    for f in counted(flows, hedged):
        if not (matches(f.source, source) and matches(f.destination, target)):
            continue
        if exploitation and exploitation not in f.exploitation:
            continue
        if year is not None and f.year != year:
            continue
        rows.append({"route": " → ".join(entities[i].name for i in (f.source, *f.transit, f.destination)),
                     "exploitation": ";".join(f.exploitation), "victims": f.victims, "year": f.year,
                     "internal": f.internal, "sectors": ";".join(f.sectors), "hedged": f.hedged,
                     "document": f.document, "paragraph": f.paragraph, "evidence": f.evidence,
                     "inferred": False})
    return rows


def shortest_chain(G: nx.DiGraph, source: str, target: str) -> list[str] | None:
    """The shortest chain of stated hops from source to target (entity ids), or None: an
    inferred route when no single document states one.

    >>> G = nx.DiGraph([("a", "b"), ("b", "c")])
    >>> shortest_chain(G, "a", "c")
    ['a', 'b', 'c']
    """
    try:
        return nx.shortest_path(G, source, target)
    except (nx.NetworkXNoPath, nx.NodeNotFound):
        return None


def corridors(G: nx.DiGraph, top: int = 20) -> list[dict]:
    """The busiest hops: by number of documents, then flows, then victims (None where no flow
    of the hop states a count: unknown, not 0)."""
    rows = [{"from": G.nodes[a]["name"], "to": G.nodes[b]["name"], "flows": len(d["flows"]),
             "documents": len(d["documents"]),
             "victims": d["victims"] if d.get("victims_stated", 1) else None,
             "exploitation": ";".join(k for k, _ in d["exploitation"].most_common())}
            for a, b, d in G.edges(data=True)]
    rows.sort(key=lambda r: (-r["documents"], -r["flows"], -(r["victims"] or 0), r["from"], r["to"]))
    return rows[:top]


def transit_hubs(G: nx.DiGraph, top: int = 20) -> list[dict]:
    """Places by betweenness on the flow network (how many routes pass through them).

    >>> G = nx.DiGraph([("a", "h"), ("b", "h"), ("h", "c")])
    >>> for n in G: G.nodes[n]["name"] = n
    >>> transit_hubs(G)[0]["place"]
    'h'
    """
    between = nx.betweenness_centrality(G, normalized=True) if len(G) > 2 else {n: 0.0 for n in G}
    rows = [{"place": G.nodes[n]["name"], "betweenness": round(b, 4), "in": G.in_degree(n),
             "out": G.out_degree(n)} for n, b in between.items()]
    rows.sort(key=lambda r: (-r["betweenness"], -(r["in"] + r["out"]), r["place"]))
    return rows[:top]


def place_roles(extractions: Iterable[Extraction], entities: dict[str, Entity],
                hedged: bool = False) -> list[dict]:
    """Per place its weight as source, transit and destination: flows through it (hedged ones
    only with ``hedged``, :func:`counted`), and roles the text states ("X is a destination
    country")."""
    weight: dict[str, Counter] = {}
    for x in extractions:
        for f in counted(x.flows, hedged):
            weight.setdefault(f.source, Counter())["source"] += 1
            weight.setdefault(f.destination, Counter())["destination"] += 1
            for t in f.transit:
                weight.setdefault(t, Counter())["transit"] += 1
        for r in x.roles:
            weight.setdefault(r.place, Counter())[f"stated_{r.role}"] += 1
    rows = [{"place": entities[p].name, "country": entities[p].country, **{k: c.get(k, 0) for k in (
        "source", "transit", "destination", "stated_source", "stated_transit", "stated_destination")}}
        for p, c in weight.items() if p in entities]
    rows.sort(key=lambda r: (-(r["source"] + r["transit"] + r["destination"]), r["place"]))
    return rows


def actor_network(extractions: Iterable[Extraction], entities: dict[str, Entity]) -> nx.Graph:
    """Actors (and places) as nodes; stated relations as edges with their predicates, and
    appearing in the same paragraph as separate, weighted ``cooccurs`` edges."""
    # nodes and edges are gathered first and added once, each in the order it first appears
    # (so the graph iterates as if added one by one): a corpus has 100,000s of pairs
    nodes: dict[str, None] = {}
    edges: dict[tuple[str, str], tuple[str, str, dict]] = {}

    def edge(a: str, b: str) -> dict:
        key = (a, b) if a <= b else (b, a)
        found = edges.get(key)
        if found is None:
            nodes.setdefault(a)
            nodes.setdefault(b)
            found = edges[key] = (a, b, {"relations": [], "cooccurs": 0})
        return found[2]

    for x in extractions:
        for r in x.relations:
            edge(r.subject, r.object)["relations"].append((r.predicate, r.document, r.paragraph, r.evidence))
        by_paragraph: dict[int, set[str]] = {}
        for m in x.mentions:
            e = entities.get(m.entity_id)
            if e is not None and e.type in ACTORS:
                by_paragraph.setdefault(m.paragraph_index, set()).add(m.entity_id)
        for members in by_paragraph.values():
            for a, b in combinations(sorted(members), 2):
                edge(a, b)["cooccurs"] += 1
    G = nx.Graph()
    G.add_nodes_from((n, _node(entities.get(n))) for n in nodes)
    G.add_edges_from(edges.values())
    return G


MAP_EDGES = 4_000   # the links of a large actor network that the map and GraphML hold at most


def strongest_links(G: nx.Graph, limit: int | None = None) -> nx.Graph:
    """The links of the actor network that the actors map draws and graph.graphml holds: in a
    network of more than 500 actors, a co-occurrence seen once is left out; then, past
    ``limit`` (MAP_EDGES) links, the strongest (stated relations first, then the most
    paragraphs). A graph of its own (a view of a view took a second to count its edges), whose
    attributes' lists are G's.

    >>> G = nx.Graph()
    >>> G.add_edge("a", "b", relations=[], cooccurs=3); G.add_edge("b", "c", relations=["partOf"], cooccurs=1)
    >>> sorted(strongest_links(G, limit=1).edges())
    [('b', 'c')]
    """
    edges = strong_edges(G, limit)
    ends = {n for a, b, _ in edges for n in (a, b)}
    H = nx.Graph()
    H.add_nodes_from((n, d) for n, d in G.nodes(data=True) if n in ends)
    H.add_edges_from(edges)
    return H


def strong_edges(G: nx.Graph, limit: int | None = None) -> list[tuple[str, str, dict]]:
    """The edges (a, b, data) of :func:`strongest_links`, with no graph made of them."""
    limit = MAP_EDGES if limit is None else limit
    edges = [(a, b, d) for a, b, d in G.edges(data=True)
             if len(G) <= 500 or d["relations"] or d["cooccurs"] >= 2]
    if len(edges) > limit:
        edges = sorted(edges, key=lambda e: (-len(e[2]["relations"]), -e[2]["cooccurs"], *sorted(e[:2])))[:limit]
    return edges


def central_actors(G: nx.Graph, top: int = 20) -> list[dict]:
    """Actors by degree centrality on stated relations plus weighted co-occurrence."""
    if not len(G):
        return []
    degree = nx.degree_centrality(G)
    rows = [{"actor": G.nodes[n]["name"], "type": G.nodes[n]["type"], "degree": round(d, 4),
             "relations": sum(len(G[n][m]["relations"]) for m in G[n])} for n, d in degree.items()]
    rows.sort(key=lambda r: (-r["relations"], -r["degree"], r["actor"]))
    return rows[:top]


def communities(G: nx.Graph, seed: int = 42) -> dict[str, int]:
    """Leiden communities, weighted by relations and co-occurrence: node -> number, the
    largest community first. Stable for the same graph (fixed seed, edges in sorted order).

    graspologic-native's Leiden (MIT, in Rust) took 0.05 s on the 5,600 actors and 21,000
    edges of the 1,295-cable corpus, where networkx's Louvain took 1.1 s, and found a better
    partition (modularity 0.804 against 0.801)."""
    if not len(G):
        return {}
    import graspologic_native as gn
    edges = sorted((min(a, b), max(a, b), float(3 * len(d["relations"]) + d["cooccurs"]))
                   for a, b, d in G.edges(data=True) if a != b)
    found: dict[int, list[str]] = {}
    if edges:
        _, part = gn.leiden(edges=edges, seed=seed, iterations=2)
        for node, c in part.items():
            found.setdefault(c, []).append(node)
    placed = {n for members in found.values() for n in members}
    groups = [sorted(m) for m in found.values()] + [[n] for n in sorted(G) if n not in placed]
    groups.sort(key=lambda g: (-len(g), g[0]))
    return {node: i for i, group in enumerate(groups) for node in group}
