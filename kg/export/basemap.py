"""The world basemap under flows.html: country outlines from Natural Earth, bundled as data.

``kg/data/basemap/countries-110m.json`` was made once from the npm package world-atlas 2.0.2
(``countries-110m.json``: Natural Earth 1:110m, public domain) by :func:`convert`::

    npm pack world-atlas && tar xzf world-atlas-2.0.2.tgz
    python -m kg.export.basemap package/countries-110m.json > kg/data/basemap/countries-110m.json

Its shape: ``{"step": 0.1, "countries": {ISO alpha-2: [ring, ...]}}``, each ring a flat list
``[x0, y0, dx1, dy1, ...]`` of longitude and latitude in tenths of a degree, the first point
absolute and the others as steps from the one before (a third of the size of plain
coordinates). The map's script undoes the steps and projects each point as the nodes are
(:data:`kg.export.layout.SCALE` pixels per degree, north up), so outlines and places agree.
"""
from __future__ import annotations

import json
import sys
from functools import lru_cache
from importlib.resources import files
from itertools import pairwise

STEP = 0.1     # degrees: at 1:110m a point is no more precise than that
# Natural Earth shapes without an ISO 3166 number (world-atlas leaves their id out)
UNNUMBERED = {"Kosovo": "XK", "N. Cyprus": "CY", "Somaliland": "SO"}


def _arcs(topology: dict) -> list[list[tuple[float, float]]]:
    """The topology's arcs in degrees (TopoJSON quantises them and stores steps)."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    out = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        out.append(points)
    return out


def _ring(indexes: list[int], arcs: list[list[tuple[float, float]]]) -> list[int]:
    """One ring as a flat list of steps in tenths of a degree (repeated points dropped)."""
    points: list[tuple[int, int]] = []
    for i in indexes:
        arc = arcs[i] if i >= 0 else arcs[~i][::-1]
        for lon, lat in arc[1:] if points else arc:   # arcs share their end points
            p = (round(lon / STEP), round(lat / STEP))
            if not points or p != points[-1]:
                points.append(p)
    flat: list[int] = [*points[0]]
    steps = [(x1 - x0, y1 - y0) for (x0, y0), (x1, y1) in pairwise(points)]
    # a ring that crosses the antimeridian (Russia's Chukotka, Fiji) jumps across the whole
    # map and back: drawn as is, it paints a band over the world. Unwrap such steps (the
    # part past 180 degrees lies off the map's east edge). Antarctica's ring crosses once,
    # along the pole, and closes as drawn.
    full = round(360 / STEP)
    jumps = sum(abs(dx) > full // 2 for dx, _ in steps)
    for dx, dy in steps:
        if jumps % 2 == 0 and abs(dx) > full // 2:
            dx -= full if dx > 0 else -full
        flat += [dx, dy]
    return flat


def convert(topology: dict) -> dict:
    """world-atlas's countries TopoJSON -> ``{"step": ..., "countries": {code: [ring, ...]}}``.

    >>> topo = {"transform": {"scale": [1, 1], "translate": [0, 0]},
    ...         "arcs": [[[0, 0], [10, 0], [0, 10], [-10, 0], [0, -10]]],
    ...         "objects": {"countries": {"geometries": [
    ...             {"type": "Polygon", "arcs": [[0]], "id": "398", "properties": {"name": "Kazakhstan"}}]}}}
    >>> convert(topo)["countries"]["KZ"]
    [[0, 0, 100, 0, 0, 100, -100, 0, 0, -100]]
    """
    import pycountry
    arcs = _arcs(topology)
    countries: dict[str, list[list[int]]] = {}
    for shape in topology["objects"]["countries"]["geometries"]:
        name = shape["properties"]["name"]
        if "id" in shape:
            code = pycountry.countries.get(numeric=shape["id"]).alpha_2
        else:
            code = UNNUMBERED[name]
        polygons = shape["arcs"] if shape["type"] == "MultiPolygon" else [shape["arcs"]]
        rings = [_ring(ring, arcs) for polygon in polygons for ring in polygon]
        countries.setdefault(code, []).extend(r for r in rings if len(r) >= 6)
    return {"step": STEP, "source": "Natural Earth 1:110m via world-atlas 2.0.2 (public domain)",
            "countries": dict(sorted(countries.items()))}


@lru_cache(maxsize=1)
def load() -> dict:
    """The bundled basemap (see the module's docstring)."""
    path = files("kg") / "data" / "basemap" / "countries-110m.json"
    return json.loads(path.read_text(encoding="utf-8"))


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8") as f:
        sys.stdout.write(json.dumps(convert(json.load(f)), separators=(",", ":")) + "\n")
