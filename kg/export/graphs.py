"""GraphML and GEXF for Gephi and other clients, and flows in CTDC-like columns.

One graph of actors and places: flow hops (``kind`` = "flow", aggregated per hop) and stated
relations (``kind`` = the predicate) as directed edges; parallel edges differ by label, so
Gephi keeps them apart. Attributes are flat and of one type per key (FINDINGS.md): lists are
joined with "; ", missing values are left out, control characters are removed. A flow hop
says how many of its flows stay in one country (``internal_flows``) and the sectors they
name (``sectors``). Hedged flows (the text only says they may happen) are left out of the
hops and of flows_ctdc.csv, as of the maps (:func:`kg.analyse.counted`); flows.csv and the
RDF graph keep them, flagged.
"""
from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from pathlib import Path

import networkx as nx

from kg.analyse.network import counted, flow_network
from kg.model import Entity, Extraction

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
COLOURS = {"Country": (52, 73, 94), "City": (44, 160, 44), "Region": (148, 103, 189),
           "GovernmentAgency": (214, 39, 40), "NGO": (255, 127, 14),
           "InternationalOrganization": (23, 190, 207), "Court": (140, 86, 75),
           "Media": (188, 189, 34), "Official": (227, 119, 194), "Person": (127, 127, 127)}


def clean(value: str) -> str:
    """Text safe for XML: no control characters, white space collapsed."""
    return " ".join(CONTROL.sub(" ", value).split())


def export_graph(extractions: list[Extraction], entities: list[Entity],
                 actors: nx.Graph | None = None) -> nx.MultiDiGraph:
    """The graph written to GraphML and GEXF (flat, typed attributes): flow hops, stated
    relations, and, given the actor network (:func:`kg.analyse.network.actor_network`), the
    actors that appear in the same paragraph (``kind`` "co-mention", ``paragraphs`` how many
    times), the links the actors map draws (:func:`kg.analyse.network.strongest_links`). A hop's ``victims`` is there only when one of its
    flows states a count (an unknown count is not 0)."""
    by_id = {e.id: e for e in entities}
    G = nx.MultiDiGraph()

    def node(eid: str) -> None:
        if eid in G:
            return
        e = by_id[eid]
        attrs = {"label": clean(e.name), "type": e.type, "country": clean(e.country),
                 "country_code": e.country_code, "aliases": clean("; ".join(e.aliases))}
        if e.latitude is not None and e.longitude is not None:
            attrs["latitude"], attrs["longitude"] = float(e.latitude), float(e.longitude)
        G.add_node(eid, **attrs)

    flows = flow_network((f for x in extractions for f in x.flows), by_id)
    for a, b, d in sorted(flows.edges(data=True), key=lambda e: (e[0], e[1])):
        node(a)
        node(b)
        doc, paragraph, evidence, _ = d["evidence"][0]
        stated = {"victims": int(d["victims"])} if d.get("victims_stated", 1) else {}
        G.add_edge(a, b, key=f"flow:{a}:{b}", kind="flow", label="flow", flows=len(d["flows"]),
                   documents=len(d["documents"]), **stated,
                   exploitation="; ".join(sorted(d["exploitation"])),
                   years="; ".join(str(y) for y in sorted(d["years"])),
                   internal_flows=int(d["internal"]), sectors=clean("; ".join(sorted(d["sectors"]))),
                   evidence=clean(f"{evidence} [{doc} ¶{paragraph}]"))
    relations = sorted((r for x in extractions for r in x.relations), key=lambda r: r.id)
    for r in relations:
        node(r.subject)
        node(r.object)
        key = f"{r.predicate}:{r.subject}:{r.object}"   # edge ids are unique in the file
        if G.has_edge(r.subject, r.object, key):
            G[r.subject][r.object][key]["documents"] += 1
            continue
        G.add_edge(r.subject, r.object, key=key, kind=r.predicate, label=r.predicate, flows=0,
                   documents=1, exploitation="", years="", internal_flows=0, sectors="",
                   evidence=clean(f"{r.evidence} [{r.document} ¶{r.paragraph}]"))
    if actors is not None:
        from kg.analyse.network import strong_edges
        for a, b, d in sorted((*sorted((a, b)), d) for a, b, d in strong_edges(actors)):
            if not d.get("cooccurs"):
                continue
            node(a)
            node(b)
            G.add_edge(a, b, key=f"co-mention:{a}:{b}", kind="co-mention", label="co-mention",
                       flows=0, documents=0, paragraphs=int(d["cooccurs"]), exploitation="",
                       years="", internal_flows=0, sectors="", evidence="")
    return G


def write_graphml(G: nx.MultiDiGraph, path: Path) -> None:
    """GraphML with one key id per attribute and no edge ids: named key ids gave node and
    edge ``label`` one id (invalid GraphML), and igraph reads an edge's GraphML id as an edge
    attribute ``id`` that clashes with its own (parallel edges differ by ``label``)."""
    nx.write_graphml(G, path, encoding="utf-8", prettyprint=True)
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r'(<edge source="[^"]*" target="[^"]*") id="[^"]*"', r"\1", text),
                    encoding="utf-8")


def write_gexf(G: nx.MultiDiGraph, path: Path, positions: dict[str, tuple[float, float]]) -> None:
    """GEXF with colour by type, size by degree and the positions of the maps."""
    H = G.copy()
    for n, d in H.nodes(data=True):
        r, g, b = COLOURS.get(d["type"], (100, 100, 100))
        x, y = positions.get(n, (0.0, 0.0))
        d["viz"] = {"color": {"r": r, "g": g, "b": b, "a": 1.0},
                    "size": float(4 + 2 * min(H.degree(n), 20)),
                    "position": {"x": float(x), "y": float(y), "z": 0.0}}
    nx.write_gexf(H, path, encoding="utf-8", prettyprint=True)
    # the same graph gives the same bytes: no date of writing in the file
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r'\s+lastmodifieddate="[^"]*"', "", text, count=1), encoding="utf-8")


CTDC_COLUMNS = ("flow_id", "yearOfRegistration", "citizenship", "CountryOfExploitation",
                "transitCountries", "isForcedLabour", "isSexualExploit", "isOrganRemoval",
                "isForcedMinorCriminalActivity", "isBegging", "isDomesticServitude",
                "isOtherExploit", "isMinor", "victims", "source", "destination", "document",
                "paragraph", "sectors")


def write_ctdc(extractions: Iterable[Extraction], entities: list[Entity], path: Path,
               alpha3: dict[str, str]) -> None:
    """Flows as ISO 3166 alpha-3 origin and destination with exploitation flags, close to the
    columns of the Counter-Trafficking Data Collaborative (CTDC), one row per flow, with the
    sectors the text names; hedged flows are left out (rows here are counted)."""
    by_id = {e.id: e for e in entities}

    def a3(eid: str) -> str:
        return alpha3.get(by_id[eid].country_code, "")

    rows = []
    for f in sorted(counted(f for x in extractions for f in x.flows), key=lambda f: f.id):
        kinds = set(f.exploitation)
        flag = {True: "1", False: "0"}
        rows.append((f.id, f.year or "", a3(f.source), a3(f.destination),
                     ";".join(a3(t) for t in f.transit), flag["labor" in kinds], flag["sexual" in kinds],
                     flag["organ_removal" in kinds], flag["criminal_activity" in kinds],
                     flag["begging" in kinds], flag["domestic_servitude" in kinds],
                     flag["unspecified" in kinds], flag["child" in kinds],
                     "" if f.victims is None else f.victims, by_id[f.source].name,
                     by_id[f.destination].name, f.document, f.paragraph, clean(";".join(f.sectors))))
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(CTDC_COLUMNS)
        writer.writerows(rows)


def write_graph_files(G: nx.MultiDiGraph, folder: Path, positions: dict[str, tuple[float, float]]) -> None:
    """graph.graphml and graph.gexf of :func:`export_graph`'s graph (a build writes them in a
    worker)."""
    write_graphml(G, folder / "graph.graphml")
    write_gexf(G, folder / "graph.gexf", positions)
