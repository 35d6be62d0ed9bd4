"""Interactive network maps that open offline: flows.html and actors.html.

pyvis assembles the nodes and edges; kg renders them through its own page (pyvis's template
links Bootstrap from a CDN and puts tooltips through innerHTML, see FINDINGS.md):

- vis-network (shipped inside the pyvis wheel) and the page's own script (map.js, beside this
  module) are inlined, so the page makes no request at all, and a Content-Security-Policy
  forbids any;
- all document text (names, evidence, paragraphs) travels as JSON with ``<``, ``>`` and ``&``
  escaped, and is shown with ``textContent`` only, never parsed as HTML;
- positions are computed in Python and physics is off, so even a large map opens still:
  places at their longitude and latitude over a world basemap (Natural Earth, see
  :mod:`kg.export.basemap`), actors by a layout of the most central ones;
- labels are drawn by the page, not by vis-network: the higher-ranked of two colliding labels
  wins, and the other shows when the zoom leaves it room;
- one meaning per colour, from colour-blind-safe palettes (Okabe and Ito's for exploitation,
  Paul Tol's pale scheme for the countries' roles): a node's type is its shape.
"""
from __future__ import annotations

import json
import math
import os
import re
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import networkx as nx

from kg.analyse.network import strong_edges, strongest_links
from kg.export.layout import (
    SCALE,
    community_positions,
    geo_positions,
    node_communities,
    spring_layout,
    unit_of,
)
from kg.export.page import OUTLINE, write_page
from kg.ids import document_slug
from kg.model import Document, Flow

# Okabe & Ito (2008), safe for every common colour-vision deficiency; "child" is a trait of
# the victims, not a kind of exploitation: it never colours an arrow (the details name it)
EXPLOITATION_COLOURS = {"sexual": "#D55E00", "labor": "#0072B2", "domestic_servitude": "#CC79A7",
                        "begging": "#E69F00", "criminal_activity": "#009E73",
                        "organ_removal": "#56B4E9", "unspecified": "#999999"}

# what a country is mostly, in the flows shown (Paul Tol's pale scheme: backgrounds under
# dark marks; none of these is an arrow's colour)
ROLE_FILLS = {"source": "#FFCCCC", "transit": "#EEEEBB", "destination": "#CCDDAA"}

LAND = "#EEEEEE"

PLACE_COLOUR = "#444444"

# a node's type is its shape; on the actors map its colour is one of four groups as well
SHAPES = {"Country": "dot", "City": "square", "Region": "diamond",
          "GovernmentAgency": "triangle", "Court": "triangleDown",
          "NGO": "star", "InternationalOrganization": "hexagon", "Media": "square",
          "Official": "triangle", "Person": "dot"}

GROUPS = {"Country": "place", "City": "place", "Region": "place",
          "GovernmentAgency": "state", "Court": "state",
          "NGO": "civil society", "InternationalOrganization": "civil society", "Media": "civil society",
          "Official": "people", "Person": "people"}

GROUP_COLOURS = {"place": "#BBBBBB", "state": "#4477AA", "civil society": "#228833",
                 "people": "#EE6677"}   # Paul Tol's bright scheme

RELATION_COLOUR, COMENTION_COLOUR = "#222222", "#C8C8C8"

TOP_ACTORS = 150   # actors.html opens on these (by degree centrality); search reaches the rest


def map_sources(G: nx.DiGraph, flows: Iterable[Flow], documents: dict[str, Document],
                entities: dict, texts: Path | None = None) -> dict:
    """What flows.html shows of the flows on ``G``'s arrows: each flow's year, countries (by
    ISO code, for the basemap's roles), document, paragraph and evidence offsets; each
    document's date, origin and title; the text of each paragraph that holds evidence, from
    the document or, when a build holds it without its text, from ``texts``/<id>.txt.
    write_analysis keeps it in ``G.graph["sources"]`` for :func:`flows_map`."""
    shown = {f for _, _, d in G.edges(data=True) for f in d["flows"]}
    code = lambda eid: entities[eid].country_code if eid in entities else ""
    out: dict = {"flows": {}, "documents": {}, "paragraphs": {},
                 "codes": {n: code(n) for n in sorted(G)}}
    read: dict[str, str] = {}
    for f in sorted((f for f in flows if f.id in shown), key=lambda f: f.id):
        out["flows"][f.id] = {
            "y": f.year, "sc": code(f.source), "dc": code(f.destination),
            "tc": [code(t) for t in f.transit], "d": f.document, "p": f.paragraph,
            "pi": f.paragraph_index, "s": f.start, "e": f.end, "ev": f.evidence, "by": f.curator,
            "ex": list(f.exploitation), "v": f.victims}
        doc = documents.get(f.document)
        if doc is None:
            continue
        slug = document_slug(doc.id)
        out["documents"][doc.id] = {"date": doc.date, "origin": doc.origin, "title": doc.title,
                                    "slug": slug}
        key = f"{doc.id}|{f.paragraph_index}"
        if key in out["paragraphs"]:
            continue
        if doc.paragraphs:
            out["paragraphs"][key] = _paragraph(doc, f)
        elif texts is not None:
            if doc.id not in read:
                path = texts / f"{slug}.txt"
                read[doc.id] = path.read_text(encoding="utf-8") if path.is_file() else ""
            if read[doc.id]:
                out["paragraphs"][key] = _around(read[doc.id], f)
    return out


def _paragraph(doc: Document, f: Flow) -> tuple[int, str]:
    """The paragraph that holds a flow's evidence: its start offset and its text (offsets in
    characters of the document's text)."""
    for p in doc.paragraphs:
        if f.end > f.start and p.start <= f.start and f.end <= p.end:
            return p.start, p.text
    for p in doc.paragraphs:
        if p.index == f.paragraph_index:
            return p.start, p.text
    return _around(doc.text, f)


BLANK = re.compile(r"\n[ \t]*\n")


def _around(text: str, f: Flow, most: int = 1500) -> tuple[int, str]:
    """The paragraph of ``text`` around a flow's evidence, from blank line to blank line
    (at most ``most`` characters either side), and its start offset."""
    a, b = f.start, f.end
    if not (b > a and b <= len(text)):
        a = text.find(f.evidence) if f.evidence else -1
        if a < 0:
            return 0, ""
        b = a + len(f.evidence)
    lo, hi = max(0, a - most), min(len(text), b + most)
    before = [m.end() for m in BLANK.finditer(text, lo, a)]
    after = BLANK.search(text, b, hi)
    start = before[-1] if before else lo
    return start, text[start:after.start() if after else hi]


def _edge_sources(G: nx.DiGraph) -> dict:
    """Flow records from the arrows alone (a flow network built without map_sources): no
    years, countries or paragraphs, the evidence sentence only."""
    out: dict = {"flows": {}, "documents": {}, "paragraphs": {}}
    for _, _, d in G.edges(data=True):
        for fid, (doc, p, text, by) in zip(d["flows"], d["evidence"]):
            out["flows"][fid] = {"y": None, "sc": "", "dc": "", "tc": [], "d": doc, "p": p,
                                 "pi": p, "s": 0, "e": 0, "ev": text, "by": by, "ex": [],
                                 "v": None}
    return out


TYPE_ORDER = {"Country": 0, "Region": 1, "City": 2}


def flows_map(G: nx.DiGraph, path: Path, title: str = "kg: trafficking flows",
              years: tuple[int, int] | None = None) -> dict[str, tuple[float, float]]:
    """Write flows.html: places at their coordinates over the world's countries (shaded by
    their main role in the flows shown), hops as arrows sized by victims and documents and
    coloured by their main exploitation type, a year range slider (opening on ``years``, else
    every year); an arrow lists its flows, each with its paragraph and a link to the whole
    document (texts/<id>.html). The flows of ``G`` are drawn; the title says how many hedged
    flows its projection left out (:func:`kg.analyse.flow_network`). Returns the positions
    used."""
    from kg.export.basemap import load
    pos = geo_positions(G)
    unit = unit_of(pos)
    sources = dict(G.graph.get("sources") or _edge_sources(G))
    codes = sources.pop("codes", {})
    left_out = G.graph.get("hedged_left_out", 0)
    note = f" ({left_out} hedged not shown: see flows.csv)" if left_out else ""
    through: Counter = Counter()
    for a, b, d in G.edges(data=True):
        through[a] += len(d["flows"])
        through[b] += len(d["flows"])
    ranked = sorted(G.nodes(data=True), key=lambda nd: (-through[nd[0]], TYPE_ORDER.get(nd[1]["type"], 3),
                                                          nd[1]["name"], nd[0]))
    rank = {n: i for i, (n, _) in enumerate(ranked)}
    nodes = []
    for n, d in sorted(G.nodes(data=True)):
        x, y = pos[n]
        nodes.append({"id": n, "label": d["name"], "x": x, "y": y, "shape": SHAPES.get(d["type"], "dot"),
                      "size": round(unit * (4 + 1.5 * min(G.degree(n), 12)), 2), "color": PLACE_COLOUR,
                      "kgType": d["type"], "kgCountry": d.get("country", ""),
                      "kgAliases": d.get("aliases", []), "kgRank": rank[n], "kgCode": codes.get(n, "")})
    edges = []
    for a, b, d in sorted(G.edges(data=True), key=lambda e: (e[0], e[1])):
        main = next((k for k, _ in sorted(d["exploitation"].items(), key=lambda kv: (-kv[1], kv[0]))
                     if k != "child" and k in EXPLOITATION_COLOURS), "unspecified")
        width = min(1 + math.log2(1 + d["victims"]) + len(d["documents"]), 10)
        edge = {"from": a, "to": b, "width": round(unit * width, 2), "color": EXPLOITATION_COLOURS[main],
                "kgExploitation": sorted(d["exploitation"]), "kgVictims": d["victims"],
                "kgDocuments": sorted(d["documents"]), "kgFlows": sorted(d["flows"]),
                "kgSectors": sorted(d["sectors"]), "kgInternal": d["internal"]}
        # a hop only analysts added (kg.corrections.toml) is dashed: not found by kg
        if d.get("curated") == len(d["flows"]):
            edge["dashes"] = True
        edges.append(edge)
    known = sorted({f["y"] for f in sources["flows"].values() if f["y"] is not None})
    extent = [known[0], known[-1]] if known else None
    shown = extent
    if years is not None and extent is not None:
        shown = [max(extent[0], min(years)), min(extent[1], max(years))]
    data = {"kind": "flows", "title": title, "note": note, "nodes": nodes, "edges": edges, "texts": "texts/",
            **sources, "years": extent, "range": shown, "basemap": load(), "scale": SCALE,
            "roleFills": ROLE_FILLS, "land": LAND, "outline": OUTLINE}
    legend = [("Arrows: main exploitation", [(k.replace("_", " "), "line", v)
                                             for k, v in EXPLOITATION_COLOURS.items()]),
              ("Countries: mainly a", [(k, "fill", v) for k, v in ROLE_FILLS.items()]),
              ("Places", [(t.lower(), SHAPES[t], PLACE_COLOUR) for t in TYPE_ORDER])]
    if any(d.get("curated") for _, _, d in G.edges(data=True)):
        legend[0][1].append(("added by an analyst", "dashes", "#777777"))
    write_page(path, data, legend)
    return pos


def years_map(folder: Path, first: int, last: int, target: Path) -> int:
    """Write a copy of a build's flows.html that opens on the years first..last (the slider
    still reaches every year); return how many arrows those years show. Raises KeyError when
    the build has no flows.html."""
    page = folder / "flows.html"
    if not page.is_file():
        raise KeyError(str(page))
    data = json.loads(re.search(r"const DATA = (\{.*?\});\n", page.read_text(encoding="utf-8"),
                                re.DOTALL).group(1))
    if data["years"]:
        lo, hi = data["years"]
        data["range"] = [max(lo, min(first, last)), min(hi, max(first, last))]
        if data["range"][0] > data["range"][1]:
            data["range"] = [min(first, last), max(first, last)]
    # the pages of the documents stay in the build: link to them from where the map is
    data["texts"] = Path(os.path.relpath(folder.resolve() / "texts", target.resolve().parent)).as_posix() + "/"
    a, b = data["range"] or (first, last)
    count = sum(any(data["flows"][f]["y"] is None or a <= data["flows"][f]["y"] <= b
                    for f in e["kgFlows"]) for e in data["edges"])
    write_page(target, data, data.pop("legend"))
    return count


def actors_map(G: nx.Graph, path: Path, title: str = "kg: actors") -> dict[str, tuple[float, float]]:
    """Write actors.html: it opens on the TOP_ACTORS most central actors, labelled; a search
    box focuses any actor and its neighbours, type boxes filter. Type is shape (and one of
    four group colours); stated relations are dark lines drawn over the pale dashes of
    appearing in the same paragraph."""
    # a large map stays readable and the same size however large the corpus: the strongest
    # links (kg.analyse.network.strongest_links), which graph.graphml holds too
    shown, kept = strongest_links(G), len(strong_edges(G, limit=G.number_of_edges()))
    if kept > shown.number_of_edges():
        title = f"{title} (the {shown.number_of_edges():,} strongest of {kept:,} links)"
    G = shown
    group = node_communities(G)
    centrality = nx.degree_centrality(G) if len(G) > 1 else {n: 0.0 for n in G}
    ranked = sorted(G.nodes(), key=lambda n: (-centrality[n], G.nodes[n]["name"], n))
    top = set(ranked[:TOP_ACTORS])
    rank = {n: i for i, n in enumerate(ranked)}
    # the top actors by a spring layout (they are what the map opens on); the rest, hidden
    # until a search reaches them, by community below them
    H = nx.Graph(G.subgraph(top))
    H.add_nodes_from(sorted(top))
    pos = dict(spring_layout(H))
    rest = sorted(set(G) - top)
    if rest:
        bottom = max((y for _, y in pos.values()), default=0.0) + 400
        R = nx.Graph(G.subgraph(rest))
        for n, (x, y) in community_positions(R, {n: group.get(n, 0) for n in rest}).items():
            pos[n] = (x, round(y + bottom, 1))
    unit = unit_of({n: pos[n] for n in top} or pos)
    most = max(centrality.values(), default=0.0) or 1.0
    nodes = []
    for n, d in sorted(G.nodes(data=True)):
        x, y = pos[n]
        node = {"id": n, "label": d["name"], "x": x, "y": y, "shape": SHAPES.get(d["type"], "dot"),
                "size": round(unit * (4 + 10 * math.sqrt(centrality[n] / most)), 2),
                "color": GROUP_COLOURS[GROUPS.get(d["type"], "place")], "kgType": d["type"],
                "kgCountry": d.get("country", ""), "kgAliases": d.get("aliases", []),
                "kgCommunity": group.get(n, 0), "kgRank": rank[n], "kgTop": n in top}
        if n not in top:
            node["hidden"] = True
        nodes.append(node)
    # each edge once, its ends in order: a view's edges come in an order that varies from
    # one run to the next (it iterates a set of nodes), and the map stays the same bytes;
    # co-mentions first, so that stated relations are drawn over them
    edges = []
    for a, b, d in sorted(((*sorted((a, b)), d) for a, b, d in G.edges(data=True)),
                          key=lambda e: (bool(e[2]["relations"]), e[0], e[1])):
        hidden = {"hidden": True} if not (a in top and b in top) else {}
        if d["relations"]:
            evidence = [{"document": doc, "paragraph": p, "text": f"{pred}: {text}",
                         "slug": document_slug(doc)} for pred, doc, p, text in d["relations"][:8]]
            edges.append({"from": a, "to": b, "color": RELATION_COLOUR, "width": round(2.2 * unit, 2),
                          "kgEvidence": evidence, "kgPredicates": sorted({r[0] for r in d["relations"]}),
                          "kgCooccurs": d["cooccurs"], **hidden})
        else:
            edges.append({"from": a, "to": b, "color": COMENTION_COLOUR, "dashes": True,
                          "width": round(unit * min(0.6 + d["cooccurs"] / 4, 3), 2), "kgEvidence": [],
                          "kgPredicates": [], "kgCooccurs": d["cooccurs"], **hidden})
    data = {"kind": "actors", "title": title, "note": "", "nodes": nodes, "edges": edges,
            "top": len(top)}
    write_page(path, data, _actor_legend())
    return pos


def _actor_legend() -> list[tuple[str, list[tuple[str, str, str]]]]:
    types = [(t, SHAPES[t], GROUP_COLOURS[GROUPS[t]]) for t in SHAPES]
    return [("Types", [(re.sub(r"(?<=[a-z])(?=[A-Z])", " ", t).lower(), s, c) for t, s, c in types]),
            ("Links", [("stated relation", "line", RELATION_COLOUR),
                       ("same paragraph", "dashes", COMENTION_COLOUR)])]


def focus_map(graphml: Path, name: str, depth: int, path: Path, names: set[str] | None = None) -> int:
    """Write the neighbourhood of one actor or place (``depth`` steps, either direction) of a
    build's graph.graphml as a map; return the number of nodes. ``names``: the entities'
    names the name was resolved to (kg.export.names), else the name itself or an alias.
    Raises KeyError when no node has that name."""
    from kg.ids import normalise
    G = nx.read_graphml(graphml)
    want = {normalise(x) for x in (names or {name})}
    centres = [n for n, d in G.nodes(data=True)
               if want & {normalise(x) for x in [d.get("label", ""), *d.get("aliases", "").split(";")] if x}]
    if not centres:
        raise KeyError(name)
    U = G.to_undirected(as_view=True)
    keep: set[str] = set()
    for c in centres:
        keep |= set(nx.ego_graph(U, c, radius=depth))
    H = G.subgraph(keep)
    pos = community_positions(nx.Graph(H))
    unit = unit_of(pos)
    ranked = sorted(H.nodes(), key=lambda n: (n not in centres, -H.degree(n), n))
    nodes = []
    for n, d in sorted(H.nodes(data=True)):
        x, y = pos[n]
        nodes.append({"id": n, "label": d.get("label", n), "x": x, "y": y,
                      "shape": SHAPES.get(d.get("type", ""), "dot"),
                      "size": round(unit * (16 if n in centres else 7), 2),
                      "color": GROUP_COLOURS[GROUPS.get(d.get("type", ""), "place")],
                      "kgType": d.get("type", ""), "kgCountry": d.get("country", ""),
                      "kgAliases": [a for a in d.get("aliases", "").split("; ") if a],
                      "kgRank": ranked.index(n), "kgTop": True})
    edges = []
    # co-mentions first (pale dashes), so that flows and stated relations are drawn over them
    for a, b, d in sorted(H.edges(data=True), key=lambda e: (e[2].get("kind", "") != "co-mention",
                                                             e[0], e[1], e[2].get("kind", ""))):
        kind = d.get("kind", "")
        exploitation = [x for x in (d.get("exploitation") or "").split("; ") if x]
        colour = (EXPLOITATION_COLOURS.get(next((x for x in exploitation if x != "child"), "unspecified"),
                                           "#999999") if kind == "flow" else
                  COMENTION_COLOUR if kind == "co-mention" else RELATION_COLOUR)
        evidence = [{"document": "", "paragraph": "", "text": d.get("evidence", "")}]
        edges.append({"from": a, "to": b, "color": colour, "width": round(2 * unit, 2),
                      "dashes": kind == "co-mention",
                      "kgEvidence": evidence, "kgPredicates": [kind],
                      "kgExploitation": exploitation or None, "kgVictims": d.get("victims"),
                      "kgDocuments": [], "kgFlowCount": d.get("flows", 0),
                      "kgSectors": [x for x in (d.get("sectors") or "").split("; ") if x]})
    data = {"kind": "focus", "title": f"kg: around {name}", "note": "", "nodes": nodes,
            "edges": edges, "top": len(nodes)}
    legend = _actor_legend()[:1] + [("Links", [("stated relation", "line", RELATION_COLOUR),
                                               ("same paragraph", "dashes", COMENTION_COLOUR)] +
                                     [("flow: " + k.replace("_", " "), "line", v)
                                      for k, v in EXPLOITATION_COLOURS.items()])]
    write_page(path, data, legend)
    return H.number_of_nodes()
