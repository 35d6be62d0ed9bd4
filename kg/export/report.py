"""The analysis tables (CSV) and a short readable report (Markdown) of a build."""
from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path
from types import SimpleNamespace

import networkx as nx

from kg.analyse.network import (actor_network, central_actors, communities, corridors, flow_network,
                                place_roles, route_paths, transit_hubs)
from kg.export.graphs import clean, export_graph, write_graph_files
from kg.export.maps import actors_map, map_sources
from kg.model import Entity, Extraction, Flow


def write_analysis(folder: Path, extractions: list[Extraction], entities: list[Entity]):
    """Write analysis/*.csv and report.md; return the flow and actor networks for the maps.
    Hedged flows are left out of the flow network, the routes and the place roles (the
    analysis functions' default): report.md says how many. (A build does the same in two
    parts, :func:`flow_analysis` here and :func:`actor_analysis` in a worker.)"""
    G, flows = flow_network_of(folder, extractions, entities)
    A, top_actors = actor_analysis(folder, extractions, entities)
    write_report(folder, flow_analysis(folder, extractions, entities, G, flows), top_actors)
    return G, A


def flow_network_of(folder: Path, extractions: Iterable[Extraction],
                    entities: list[Entity]) -> tuple[nx.DiGraph, list[Flow]]:
    """The flow network, with the paragraphs of its evidence for the flows map (``sources``),
    and the flows."""
    by_id = {e.id: e for e in entities}
    flows, documents = [], {}
    for x in extractions:
        flows.extend(x.flows)
        if x.flows:     # (held for the flows map: the paragraphs of its evidence)
            documents[x.document.id] = x.document
    G = flow_network(flows, by_id)
    G.graph["sources"] = map_sources(G, flows, documents, by_id, folder / "texts")
    return G, flows


def actor_analysis(folder: Path, extractions: Iterable[Extraction], entities: list[Entity]) -> tuple[nx.Graph, list[dict]]:
    """The actor network, its communities (a node attribute: the actors map shows the same
    ones), analysis/central_actors.csv and communities.csv; the network and the most central
    actors (for report.md)."""
    A = actor_network(extractions, {e.id: e for e in entities})
    groups = communities(A)
    nx.set_node_attributes(A, groups, "community")
    central = central_actors(A, top=10_000)
    (folder / "analysis").mkdir(exist_ok=True)
    _csv(folder / "analysis" / "central_actors.csv", central)
    _csv(folder / "analysis" / "communities.csv",
         [{"actor": A.nodes[n]["name"], "type": A.nodes[n]["type"], "community": c}
          for n, c in sorted(groups.items(), key=lambda kv: (kv[1], kv[0]))])
    return A, central[:TOP_ACTORS]


TOP_ACTORS = 20     # the most central actors report.md shows


def write_actors(folder: Path, extractions: Iterable[Extraction], entities: list[Entity],
                 flow_positions: dict[str, tuple[float, float]]) -> list[dict]:
    """The actors' part of the analysis and the maps, which a build runs in a worker beside the
    rest: :func:`actor_analysis`, actors.html, and graph.graphml and graph.gexf (with the
    positions of both maps, those of the flows map given); the most central actors, for
    report.md."""
    A, top = actor_analysis(folder, extractions, entities)
    positions = dict(flow_positions)
    positions.update(actors_map(A, folder / "actors.html"))
    write_graph_files(export_graph(extractions, entities, A), folder, positions)
    return top


def flow_analysis(folder: Path, extractions: Iterable[Extraction], entities: list[Entity], G: nx.DiGraph,
                  flows: list[Flow]) -> dict[str, list[dict]]:
    """analysis/*.csv but the actors' (:func:`actor_analysis`), from the flow network ``G``
    and its ``flows`` (:func:`flow_network_of`); the tables, for :func:`write_report`."""
    by_id = {e.id: e for e in entities}
    tables = {
        "routes": route_paths(flows, by_id),
        "corridors": corridors(G, top=10_000),
        "transit_hubs": transit_hubs(G, top=10_000),
    }
    # place roles and, per document (id, entities, flows, hedged flows, relations), in one
    # pass: a build reads the extractions one at a time
    roles, counts = [], []
    for x in extractions:
        roles.append(SimpleNamespace(flows=x.flows, roles=x.roles))   # (not the mentions)
        counts.append((x.document.id, len(x.entities), len(x.flows), sum(f.hedged for f in x.flows),
                       len(x.relations)))
    tables["place_roles"] = place_roles(roles, by_id)
    tables["documents"] = [
        {"document": doc_id, "entities": n_entities, "flows": n_flows - n_hedged, "hedged_flows": n_hedged,
         "relations": n_relations}
        for doc_id, n_entities, n_flows, n_hedged, n_relations in sorted(counts)]
    (folder / "analysis").mkdir(exist_ok=True)
    for name, rows in tables.items():
        _csv(folder / "analysis" / f"{name}.csv", rows)
    return tables


def write_report(folder: Path, tables: dict[str, list[dict]], top_actors: list[dict]) -> None:
    """report.md: the top of each table of :func:`flow_analysis`, and the most central actors."""
    (folder / "report.md").write_text(_report({**tables, "central_actors": top_actors}), encoding="utf-8")


def _csv(path: Path, rows: list[dict]) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        if not rows:
            f.write("")
            return
        writer = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: clean(str(v)) if isinstance(v, str) else v for k, v in row.items()})


def _md(text: object) -> str:
    """Document text in a Markdown table cell: no pipes, no markup, no HTML."""
    value = clean(str(text if text is not None else ""))
    for a, b in (("\\", "\\\\"), ("|", "\\|"), ("<", "&lt;"), (">", "&gt;"), ("*", "\\*"),
                 ("_", "\\_"), ("[", "\\["), ("]", "\\]"), ("`", "\\`")):
        value = value.replace(a, b)
    return value


def _report(tables: dict[str, list[dict]]) -> str:
    """report.md: the top of each table (analysis/*.csv holds them whole)."""
    counts = tables["documents"]
    hedged = sum(c["hedged_flows"] for c in counts)
    lines = ["# kg report", "",
             (f"{len(counts)} documents, {sum(c['flows'] for c in counts)} flows, "
              f"{sum(c['relations'] for c in counts)} relations. Each table below shows its top "
              "rows; analysis/*.csv holds them all."), ""]
    if hedged:
        lines += [(f"{hedged} more flow{' is' if hedged == 1 else 's are'} hedged (the text only "
                   "says they may happen): they are in flows.csv (hedged true) and graph.ttl "
                   "(kg:hedged true), and left out of this report, analysis/ and the maps."), ""]
    lines += ["## Top routes (with evidence)", "", "| route | exploitation | victims | document ¶ | evidence |",
              "|---|---|---|---|---|"]
    routes = sorted(tables["routes"], key=lambda r: (-(r["victims"] or 0), r["route"]))[:25]
    for r in routes:
        lines.append(f"| {_md(r['route'])} | {_md(r['exploitation'])} | {_md(r['victims'] or '')} | "
                     f"{_md(r['document'])} ¶{_md(r['paragraph'])} | {_md(r['evidence'][:300])} |")
    lines += ["", "## Busiest corridors", "", "| from | to | flows | documents | victims |", "|---|---|---|---|---|"]
    for r in tables["corridors"][:15]:
        victims = "" if r["victims"] is None else r["victims"]
        lines.append(f"| {_md(r['from'])} | {_md(r['to'])} | {r['flows']} | {r['documents']} | {victims} |")
    lines += ["", "## Transit hubs", "", "| place | betweenness | in | out |", "|---|---|---|---|"]
    for r in tables["transit_hubs"][:15]:
        lines.append(f"| {_md(r['place'])} | {r['betweenness']} | {r['in']} | {r['out']} |")
    lines += ["", "## Most central actors", "", "| actor | type | stated relations | degree |", "|---|---|---|---|"]
    for r in tables["central_actors"][:20]:
        lines.append(f"| {_md(r['actor'])} | {r['type']} | {r['relations']} | {r['degree']} |")
    # the documents with the most facts; the others (most of a corpus: no flow, no relation)
    # are in analysis/documents.csv
    busy = sorted((c for c in counts if c["flows"] or c["hedged_flows"] or c["relations"]),
                  key=lambda c: (-(c["flows"] + c["relations"]), c["document"]))
    lines += ["", "## Documents with the most facts", "",
              (f"{len(busy)} of the {len(counts)} documents state a flow or a relation; "
               "analysis/documents.csv lists every document."), "",
              "| document | entities | flows | hedged flows | relations |", "|---|---|---|---|---|"]
    for c in busy[:20]:
        lines.append(f"| {_md(c['document'])} | {c['entities']} | {c['flows']} | {c['hedged_flows']} | "
                     f"{c['relations']} |")
    return "\n".join(lines) + "\n"
