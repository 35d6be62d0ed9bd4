"""Where the maps place their nodes: places by their coordinates, actors by community (the
communities apart, then a spring layout within each), in units of the maps' scale."""
from __future__ import annotations

import math

import networkx as nx
from threadpoolctl import threadpool_limits

from kg.analyse.network import communities

SCALE = 14.0   # pixels per degree


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


def unit_of(pos: dict[str, tuple[float, float]]) -> float:
    """Map units per screen pixel once the map is fitted to a canvas about 1,000 pixels wide:
    nodes and arrows are sized in it, so they look alike on a map of a region and of the
    world."""
    if len(pos) < 2:
        return 1.0
    xs, ys = [p[0] for p in pos.values()], [p[1] for p in pos.values()]
    return max(max(xs) - min(xs), 1.6 * (max(ys) - min(ys)), 300.0) / 1000


def spring_layout(G: nx.Graph) -> dict[str, tuple[float, float]]:
    """A layout of a few hundred actors at most, the same for the same graph: each connected
    component by Kamada-Kawai (even spacing, deterministic: it starts from a seeded spring
    layout), the components packed in rows, the largest first (one spring layout of them all
    throws the small components to the edges and crushes the large one in the middle)."""
    parts = sorted((sorted(c) for c in nx.connected_components(G)), key=lambda c: (-len(c), c[0]))
    laid = []
    for part in parts:
        if len(part) == 1:
            laid.append(({part[0]: (0.0, 0.0)}, 40.0))
            continue
        F = nx.Graph()
        F.add_nodes_from(part)
        F.add_edges_from(sorted(tuple(sorted(e)) for e in G.subgraph(part).edges()))
        radius = 90 * math.sqrt(len(part))
        # Kamada-Kawai from a seeded spring layout, not from a circle: the same even spacing
        # in a quarter of the time for the 150 actors a map opens on
        if len(part) > 2:
            # (one BLAS thread: a worker writes the tables beside this process; with more,
            # the layout of 150 actors took three times as long)
            with threadpool_limits(1, user_api="blas"):
                pos = nx.kamada_kawai_layout(F, pos=nx.spring_layout(F, seed=1))
        else:
            pos = nx.circular_layout(F)
        laid.append(({n: (float(x) * radius, float(y) * radius) for n, (x, y) in pos.items()}, radius))
    width = max(2.2 * laid[0][1], 1.5 * math.sqrt(sum((2 * r) ** 2 for _, r in laid))) if laid else 0
    out: dict[str, tuple[float, float]] = {}
    x = y = row = 0.0
    for pos, r in laid:
        if x + 2 * r > width and x > 0:
            x, y, row = 0.0, y + row + 60, 0.0
        for n, (px, py) in pos.items():
            out[n] = (round(x + r + px, 1), round(y + r + py, 1))
        x += 2 * r + 60
        row = max(row, 2 * r)
    return out
