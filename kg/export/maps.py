"""Interactive network maps that open offline: flows.html and actors.html.

pyvis assembles the nodes and edges; kg renders them through its own page (pyvis's template
links Bootstrap from a CDN and puts tooltips through innerHTML, see FINDINGS.md):

- vis-network (shipped inside the pyvis wheel) is inlined, so the page makes no request at
  all, and a Content-Security-Policy forbids any;
- all document text (names, evidence) travels as JSON with ``<``, ``>`` and ``&`` escaped, and
  is shown with ``textContent`` only, never parsed as HTML;
- positions are computed in Python and physics is off, so even a large map opens still:
  places at their longitude and latitude (a map of the routes), actors by community.
"""
from __future__ import annotations

import html
import json
import math
import re
from functools import lru_cache
from pathlib import Path

import networkx as nx

from kg.analyse.network import communities
from kg.export.graphs import COLOURS

SCALE = 14.0   # pixels per degree
EXPLOITATION_COLOURS = {"sexual": "#d62728", "labor": "#1f77b4", "domestic_servitude": "#9467bd",
                        "begging": "#8c564b", "organ_removal": "#e377c2",
                        "criminal_activity": "#7f7f7f", "unspecified": "#bbbbbb",
                        "child": "#ff7f0e"}
PREDICATE_COLOURS = {"holdsPostIn": "#e377c2", "partOf": "#d62728", "supervises": "#d62728",
                     "fundedBy": "#2ca02c", "cooperatesWith": "#1f77b4"}


@lru_cache(maxsize=1)
def _vis() -> tuple[str, str]:
    """vis-network's script and style from the pyvis package (no network needed)."""
    from importlib.resources import files
    lib = files("pyvis") / "templates" / "lib" / "vis-9.1.2"
    return ((lib / "vis-network.min.js").read_text(encoding="utf-8"),
            (lib / "vis-network.css").read_text(encoding="utf-8"))


def _hex(rgb: tuple[int, int, int]) -> str:
    return "#%02x%02x%02x" % rgb


def geo_positions(G: nx.DiGraph) -> dict[str, tuple[float, float]]:
    """x, y in pixels from longitude and latitude (north up); a place without coordinates sits
    beside its country, or in a row under the map."""
    known = {n: (d["longitude"], d["latitude"]) for n, d in G.nodes(data=True)
             if d.get("longitude") is not None and d.get("latitude") is not None}
    by_country = {}
    for n, d in G.nodes(data=True):
        if n in known and d.get("type") == "Country":
            by_country[d.get("name")] = known[n]
    out, spare = {}, 0
    for n, d in sorted(G.nodes(data=True)):
        if n in known:
            lon, lat = known[n]
        elif d.get("country") in by_country:
            lon, lat = by_country[d["country"]]
            angle = (sum(map(ord, n)) % 360) * math.pi / 180
            lon, lat = lon + 1.5 * math.cos(angle), lat + 1.5 * math.sin(angle)
        else:
            lon, lat = -20 + 6 * spare, -10.0
            spare += 1
        out[n] = (round(lon * SCALE, 1), round(-lat * SCALE, 1))
    return out


def node_communities(G: nx.Graph) -> dict[str, int]:
    """Each node's community: the one the analysis gave it (node attribute "community", set
    by kg.export.report.write_analysis on the whole actor network, so the map and
    analysis/communities.csv agree), else those of this graph."""
    given = nx.get_node_attributes(G, "community")
    return given if len(given) == len(G) else communities(G)


def community_positions(G: nx.Graph, group: dict[str, int] | None = None) -> dict[str, tuple[float, float]]:
    """A layout computed once: a spring layout for small graphs, else communities (``group``,
    else :func:`node_communities`) on a circle with their members on small circles (linear
    time, so a thousand actors open at once)."""
    if len(G) <= 300:
        pos = nx.spring_layout(G, seed=7, iterations=60) if len(G) > 1 else {n: (0.0, 0.0) for n in G}
        return {n: (round(float(x) * 900, 1), round(float(y) * 900, 1)) for n, (x, y) in pos.items()}
    groups: dict[int, list[str]] = {}
    for n, c in (group if group is not None else node_communities(G)).items():
        groups.setdefault(c, []).append(n)
    # communities as discs packed in rows (largest first), members on a sunflower spiral
    sizes = {c: 30 + 18 * math.sqrt(len(m)) for c, m in groups.items()}
    width = 2.2 * math.sqrt(sum((2 * r) ** 2 for r in sizes.values()))
    out: dict[str, tuple[float, float]] = {}
    x = y = row = 0.0
    for c, members in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0])):
        r = sizes[c]
        if x + 2 * r > width and x > 0:
            x, y, row = 0.0, y + row + 40, 0.0
        cx, cy = x + r, y + r
        for k, n in enumerate(sorted(members, key=lambda n: (-G.degree(n), n))):
            a = k * 2.39996   # the golden angle
            d = r * math.sqrt((k + 0.5) / len(members))
            out[n] = (round(cx + d * math.cos(a), 1), round(cy + d * math.sin(a), 1))
        x += 2 * r + 40
        row = max(row, 2 * r)
    return out


def flows_map(G: nx.DiGraph, path: Path, title: str = "kg: trafficking flows") -> dict[str, tuple[float, float]]:
    """Write flows.html: places at their coordinates, hops as arrows sized by victims and
    documents, coloured by their main exploitation type; an arrow's details name the sectors
    and how many of its flows stay in one country. The flows of ``G`` are drawn; the title
    says how many hedged flows its projection left out (:func:`kg.analyse.flow_network`).
    Returns the positions used."""
    from pyvis.network import Network
    pos = geo_positions(G)
    left_out = G.graph.get("hedged_left_out", 0)
    if left_out:
        title = f"{title} ({left_out} hedged not shown: see flows.csv)"
    net = Network(directed=True)
    for n, d in sorted(G.nodes(data=True)):
        x, y = pos[n]
        degree = G.in_degree(n) + G.out_degree(n)
        _add_node(net, n, label=d["name"], x=x, y=y, size=8 + 3 * min(degree, 12),
                     color=_hex(COLOURS.get(d["type"], (120, 120, 120))), kgType=d["type"],
                     kgCountry=d.get("country", ""), kgAliases=d.get("aliases", []))
    for a, b, d in sorted(G.edges(data=True), key=lambda e: (e[0], e[1])):
        main = next((k for k, _ in d["exploitation"].most_common() if k != "child"), "unspecified")
        width = 1 + math.log2(1 + d["victims"]) + len(d["documents"])
        evidence = [{"document": doc, "paragraph": p, "text": text, "by": by}
                    for doc, p, text, by in d["evidence"][:8]]
        # a hop only analysts added (kg.corrections.toml) is dashed: not found by kg
        curated = {"dashes": True} if d.get("curated") == len(d["flows"]) else {}
        _add_edge(net, a, b, width=round(min(width, 14), 2), color=EXPLOITATION_COLOURS[main], **curated,
                     kgExploitation=sorted(d["exploitation"]), kgVictims=d["victims"],
                     kgDocuments=sorted(d["documents"]), kgEvidence=evidence, kgFlows=len(d["flows"]),
                     kgSectors=sorted(d["sectors"]), kgInternal=d["internal"])
    legend = [(k.replace("_", " "), v) for k, v in EXPLOITATION_COLOURS.items()]
    if any(d.get("curated") for _, _, d in G.edges(data=True)):
        legend.append(("- - added by an analyst", "#888888"))
    _write(path, title, net, legend, "flows")
    return pos


MAP_EDGES = 4_000   # links on the actors map at most (the 1,295-cable corpus has 3,217)


def actors_map(G: nx.Graph, path: Path, title: str = "kg: actors") -> dict[str, tuple[float, float]]:
    """Write actors.html: actors coloured by type and sized by centrality; stated relations as
    coloured lines, appearing in the same paragraph as thin grey dashes."""
    from pyvis.network import Network
    if len(G) > 500:   # keep a large map readable: co-occurrence seen once is left out
        G = G.edge_subgraph([(a, b) for a, b, d in G.edges(data=True)
                             if d["relations"] or d["cooccurs"] >= 2])   # a view: no copy
    if G.number_of_edges() > MAP_EDGES:
        # and a map opens, and stays the same size, however large the corpus: the strongest
        # links, stated relations first (every link is in graph.graphml and kg map --focus)
        title = f"{title} (the {MAP_EDGES:,} strongest of {G.number_of_edges():,} links)"
        G = G.edge_subgraph(sorted(
            G.edges(), key=lambda e: (-len(G.edges[e]["relations"]), -G.edges[e]["cooccurs"], *sorted(e))
        )[:MAP_EDGES])
    group = node_communities(G)
    pos = community_positions(G, group)
    centrality = nx.degree_centrality(G) if len(G) > 1 else {n: 0.0 for n in G}
    net = Network()
    for n, d in sorted(G.nodes(data=True)):
        x, y = pos[n]
        _add_node(net, n, label=d["name"], x=x, y=y, size=round(6 + 40 * centrality[n], 1),
                     color=_hex(COLOURS.get(d["type"], (120, 120, 120))), kgType=d["type"],
                     kgCountry=d.get("country", ""), kgAliases=d.get("aliases", []),
                     kgCommunity=group.get(n, 0))
    # each edge once, its ends in order: a view's edges come in an order that varies from
    # one run to the next (it iterates a set of nodes), and the map stays the same bytes
    for a, b, d in sorted(((*sorted((a, b)), d) for a, b, d in G.edges(data=True)),
                          key=lambda e: (e[0], e[1])):
        if d["relations"]:
            predicate = d["relations"][0][0]
            evidence = [{"document": doc, "paragraph": p, "text": f"{pred}: {text}"}
                        for pred, doc, p, text in d["relations"][:8]]
            _add_edge(net, a, b, color=PREDICATE_COLOURS.get(predicate, "#444444"), width=2.5,
                         kgEvidence=evidence, kgPredicates=sorted({r[0] for r in d["relations"]}),
                         kgCooccurs=d["cooccurs"])
        else:
            _add_edge(net, a, b, color="#cccccc", width=min(1 + d["cooccurs"] / 2, 6), dashes=True,
                         kgEvidence=[], kgPredicates=[], kgCooccurs=d["cooccurs"])
    legend = [(k, v) for k, v in PREDICATE_COLOURS.items()] + [("same paragraph", "#cccccc")] + \
        [(k, _hex(v)) for k, v in COLOURS.items()]
    _write(path, title, net, legend, "actors")
    return pos


def focus_map(graphml: Path, name: str, depth: int, path: Path) -> int:
    """Write the neighbourhood of one actor or place (``depth`` steps, either direction) of a
    build's graph.graphml as a map; return the number of nodes. Raises KeyError when no node
    has that name or alias."""
    from pyvis.network import Network

    from kg.ids import normalise
    G = nx.read_graphml(graphml)
    want = normalise(name)
    centres = [n for n, d in G.nodes(data=True)
               if want in {normalise(x) for x in [d.get("label", ""), *d.get("aliases", "").split(";")] if x}]
    if not centres:
        raise KeyError(name)
    U = G.to_undirected(as_view=True)
    keep: set[str] = set()
    for c in centres:
        keep |= set(nx.ego_graph(U, c, radius=depth))
    H = G.subgraph(keep)
    pos = community_positions(nx.Graph(H))
    net = Network(directed=True)
    for n, d in sorted(H.nodes(data=True)):
        x, y = pos[n]
        _add_node(net, n, label=d.get("label", n), x=x, y=y, size=24 if n in centres else 10,
                     color=_hex(COLOURS.get(d.get("type", ""), (120, 120, 120))), kgType=d.get("type", ""),
                     kgCountry=d.get("country", ""), kgAliases=[a for a in d.get("aliases", "").split("; ") if a])
    for a, b, d in sorted(H.edges(data=True), key=lambda e: (e[0], e[1], e[2].get("kind", ""))):
        kind = d.get("kind", "")
        colour = PREDICATE_COLOURS.get(kind, EXPLOITATION_COLOURS.get(
            (d.get("exploitation") or "unspecified").split("; ")[0], "#888888"))
        evidence = [{"document": "", "paragraph": "", "text": d.get("evidence", "")}]
        _add_edge(net, a, b, color=colour, width=2, kgEvidence=evidence, kgPredicates=[kind],
                     kgExploitation=[x for x in (d.get("exploitation") or "").split("; ") if x] or None,
                     kgVictims=d.get("victims", 0), kgDocuments=[], kgFlows=d.get("flows", 0),
                     kgSectors=[x for x in (d.get("sectors") or "").split("; ") if x])
    legend = [(k, v) for k, v in PREDICATE_COLOURS.items()] + [("flow: " + k, v) for k, v in EXPLOITATION_COLOURS.items()]
    _write(path, f"kg: around {name}", net, legend, "flows")
    return H.number_of_nodes()


def _add_node(net, node_id: str, **options) -> None:
    """A pyvis node, appended directly: Network.add_node searches a list per node."""
    from pyvis.node import Node
    n = Node(node_id, options.pop("shape", "dot"), font_color=net.font_color, **options)
    net.nodes.append(n.options)
    net.node_ids.append(node_id)
    net.node_map[node_id] = n.options


def _add_edge(net, source: str, to: str, **options) -> None:
    """A pyvis edge, appended directly: Network.add_edge scans every node and, undirected,
    every edge, per edge (quadratic: minutes for a corpus). Ends exist and edges are unique
    by construction here."""
    from pyvis.edge import Edge
    net.edges.append(Edge(source, to, net.directed, **options).options)


def _json(value) -> str:
    """JSON that cannot close the script element it sits in."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def _write(path: Path, title: str, net, legend: list[tuple[str, str]], kind: str) -> None:
    script, style = _vis()
    data = {"nodes": net.nodes, "edges": net.edges, "kind": kind}
    legend_html = "".join(f'<span class="key"><i style="background:{html.escape(colour)}"></i>'
                          f"{html.escape(label)}</span>" for label, colour in legend)
    values = {"TITLE": html.escape(title), "STYLE": style, "LEGEND": legend_html,
              "DATA": _json(data), "SCRIPT": re.sub(r"</(script)", r"<\\/\1", script, flags=re.I)}
    # one pass, so text inside the data can never be taken for a placeholder
    page = re.sub(r"%(TITLE|STYLE|LEGEND|DATA|SCRIPT)%", lambda m: values[m.group(1)], PAGE)
    path.write_text(page, encoding="utf-8")


PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; font-src data:">
<title>%TITLE%</title>
<style>%STYLE%</style>
<style>
body{margin:0;font:13px system-ui,sans-serif;display:grid;grid-template-columns:1fr 340px;grid-template-rows:auto 1fr auto;height:100vh}
header{grid-column:1/3;padding:6px 10px;border-bottom:1px solid #ddd;display:flex;gap:10px;align-items:center;flex-wrap:wrap}
#net{grid-row:2;grid-column:1;min-height:400px;height:calc(100vh - 80px)}
#details{grid-row:2;grid-column:2;overflow:auto;padding:8px;border-left:1px solid #ddd;white-space:pre-wrap}
footer{grid-column:1/3;padding:4px 10px;border-top:1px solid #ddd}
.key{margin-right:10px;white-space:nowrap}.key i{display:inline-block;width:10px;height:10px;margin-right:3px;border-radius:2px}
</style></head>
<body data-drawn="0">
<header><strong>%TITLE%</strong>
<input id="search" type="search" placeholder="find a name">
<select id="type"><option value="">all types</option></select>
<select id="country"><option value="">all countries</option></select>
<span id="count"></span></header>
<div id="net"></div>
<div id="details">Point at or click a node or an arrow to see its evidence.</div>
<footer>%LEGEND%</footer>
<script>%SCRIPT%</script>
<script>
"use strict";
const DATA = %DATA%;
const nodes = new vis.DataSet(DATA.nodes.map(n => Object.assign({}, n, {title: undefined})));
const edges = new vis.DataSet(DATA.edges.map((e, i) => Object.assign({id: "e" + i}, e, {title: undefined})));
const options = {physics: false, interaction: {hover: true, navigationButtons: false},
  nodes: {shape: "dot", font: {size: 12}}, edges: {smooth: false, arrows: {to: {enabled: DATA.kind === "flows", scaleFactor: 0.6}}}};
const network = new vis.Network(document.getElementById("net"), {nodes, edges}, options);
network.once("afterDrawing", () => { network.fit({animation: false}); document.body.dataset.drawn = String(nodes.length); });
const details = document.getElementById("details");
function show(lines) { details.textContent = lines.filter(Boolean).join("\\n"); }
function byId(id) { return DATA.nodes.find(n => n.id === id); }
network.on("hoverNode", params => network.emit("click", {nodes: [params.node], edges: []}));
network.on("hoverEdge", params => network.emit("click", {nodes: [], edges: [params.edge]}));
network.on("click", params => {
  if (params.nodes.length) {
    const n = byId(params.nodes[0]);
    show([n.label + " (" + n.kgType + ")", n.kgCountry ? "country: " + n.kgCountry : "",
          n.kgAliases && n.kgAliases.length ? "aliases: " + n.kgAliases.join("; ") : ""]);
  } else if (params.edges.length) {
    const e = edges.get(params.edges[0]);
    const lines = [byId(e.from).label + " \\u2192 " + byId(e.to).label];
    if (e.kgExploitation) lines.push("exploitation: " + e.kgExploitation.join(", "), "victims stated: " + e.kgVictims,
                                     "flows: " + e.kgFlows + " in " + e.kgDocuments.length + " document(s)");
    if (e.kgSectors && e.kgSectors.length) lines.push("sectors: " + e.kgSectors.join(", "));
    if (e.kgInternal) lines.push("within one country: " + e.kgInternal + " of the flows");
    if (e.kgPredicates && e.kgPredicates.length) lines.push("relations: " + e.kgPredicates.join(", "));
    if (e.kgCooccurs) lines.push("same paragraph: " + e.kgCooccurs + " time(s)");
    for (const ev of e.kgEvidence) lines.push("", "\\u201c" + ev.text + "\\u201d", "  " + ev.document + " \\u00b6" + ev.paragraph
                                              + (ev.by ? "  (added by " + ev.by + ", not found by kg)" : ""));
    show(lines);
  }
});
for (const [id, key] of [["type", "kgType"], ["country", "kgCountry"]]) {
  const select = document.getElementById(id);
  for (const value of [...new Set(DATA.nodes.map(n => n[key]).filter(Boolean))].sort()) {
    const option = document.createElement("option"); option.value = value; option.textContent = value; select.appendChild(option);
  }
  select.addEventListener("change", filter);
}
function filter() {
  const type = document.getElementById("type").value, country = document.getElementById("country").value;
  nodes.update(DATA.nodes.map(n => ({id: n.id, hidden: Boolean((type && n.kgType !== type) || (country && n.kgCountry !== country))})));
  document.getElementById("count").textContent = nodes.get({filter: n => !n.hidden}).length + " shown";
}
document.getElementById("search").addEventListener("change", ev => {
  const want = ev.target.value.toLowerCase();
  const hit = DATA.nodes.find(n => n.label.toLowerCase().includes(want) || (n.kgAliases || []).some(a => a.toLowerCase().includes(want)));
  if (hit) { network.selectNodes([hit.id]); network.focus(hit.id, {scale: 1.5}); }
});
filter();
// a link can open the map on one node or arrow: flows.html#node=Kazakhstan, #edge=0
const wanted = decodeURIComponent(location.hash.slice(1));
if (wanted.startsWith("edge=")) network.emit("click", {nodes: [], edges: ["e" + wanted.slice(5)]});
if (wanted.startsWith("node=")) {
  const hit = DATA.nodes.find(n => n.label === wanted.slice(5));
  if (hit) network.emit("click", {nodes: [hit.id], edges: []});
}
</script></body></html>
"""
