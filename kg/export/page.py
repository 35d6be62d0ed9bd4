"""The page of kg's maps: vis-network and map.js inlined, the data as JSON that cannot close its
script element, a legend drawn inline. :mod:`kg.export.maps` computes what goes in."""
from __future__ import annotations

import html
import json
import re
from functools import lru_cache
from importlib.resources import files
from pathlib import Path

OUTLINE = "#A0A0A0"   # the basemap's country outlines (kg.export.maps draws with it too)


@lru_cache(maxsize=1)
def _vis() -> tuple[str, str]:
    """vis-network's script and style from the pyvis package (no network needed)."""
    lib = files("pyvis") / "templates" / "lib" / "vis-9.1.2"
    return ((lib / "vis-network.min.js").read_text(encoding="utf-8"),
            (lib / "vis-network.css").read_text(encoding="utf-8"))


@lru_cache(maxsize=1)
def _page_script() -> str:
    """The maps' own script (map.js beside this module)."""
    return (files("kg") / "export" / "map.js").read_text(encoding="utf-8")


def _json(value) -> str:
    """JSON that cannot close the script element it sits in."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return (text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


SYMBOLS = {"dot": "<circle cx='7' cy='7' r='5'/>", "square": "<rect x='2' y='2' width='10' height='10'/>",
           "diamond": "<path d='M7 1L13 7L7 13L1 7Z'/>", "triangle": "<path d='M7 1L13 12H1Z'/>",
           "triangleDown": "<path d='M1 2H13L7 13Z'/>", "hexagon": "<path d='M4 1.5H10L13 7L10 12.5H4L1 7Z'/>",
           "star": "<path d='M7 1L8.6 5.3L13 5.4L9.5 8.1L10.7 12.5L7 9.9L3.3 12.5L4.5 8.1L1 5.4L5.4 5.3Z'/>"}


def _key(label: str, mark: str, colour: str) -> str:
    """One legend entry: a small inline drawing (no request) and its label."""
    c = html.escape(colour)
    if mark == "line":
        svg = f"<line x1='0' y1='7' x2='18' y2='7' stroke='{c}' stroke-width='3'/>"
    elif mark == "dashes":
        svg = f"<line x1='0' y1='7' x2='18' y2='7' stroke='{c}' stroke-width='2' stroke-dasharray='4 3'/>"
    elif mark == "fill":
        svg = f"<rect x='1' y='2' width='16' height='10' fill='{c}' stroke='{OUTLINE}'/>"
    else:
        svg = f"<g fill='{c}' transform='translate(2 0)'>{SYMBOLS.get(mark, SYMBOLS['dot'])}</g>"
    return (f'<span class="key"><svg width="18" height="14" aria-hidden="true">{svg}</svg>'
            f"{html.escape(label)}</span>")


def write_page(path: Path, data: dict, legend: list[tuple[str, list[tuple[str, str, str]]]]) -> None:
    """Write a map: ``data`` (nodes, edges and what the page's script reads) and ``legend``
    (headings, each with (label, mark, colour) entries) into the page, offline."""
    script, style = _vis()
    data = {**data, "legend": legend}
    legend_html = "".join(f'<span class="group"><b>{html.escape(head)}</b> '
                          + "".join(_key(*k) for k in keys) + "</span>" for head, keys in legend)
    title = data["title"]
    if data.get("range"):
        a, b = data["range"]
        title += f", {a}" if a == b else f", {a}\u2013{b}"
    title += data.get("note", "")
    values = {"TITLE": html.escape(title), "STYLE": style, "LEGEND": legend_html, "DATA": _json(data),
              "SCRIPT": re.sub(r"</(script)", r"<\\/\1", script, flags=re.IGNORECASE),
              "MAPJS": re.sub(r"</(script)", r"<\\/\1", _page_script(), flags=re.IGNORECASE)}
    # one pass, so text inside the data can never be taken for a placeholder
    page = re.sub(r"%(TITLE|STYLE|LEGEND|DATA|SCRIPT|MAPJS)%", lambda m: values[m.group(1)], PAGE)
    path.write_text(page, encoding="utf-8")


PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; font-src data:">
<title>%TITLE%</title>
<style>%STYLE%</style>
<style>
body{margin:0;font:13px system-ui,sans-serif;display:grid;grid-template-columns:minmax(0,1fr) 360px;grid-template-rows:auto minmax(0,1fr) auto;height:100vh;overflow:hidden}
header{grid-column:1/3;padding:6px 10px;border-bottom:1px solid #ddd;display:flex;gap:10px;align-items:center;flex-wrap:wrap}
#net{grid-row:2;grid-column:1;min-height:300px;position:relative;overflow:hidden}
#details{grid-row:2;grid-column:2;overflow:auto;padding:8px 10px;border-left:1px solid #ddd;line-height:1.35}
#details h3{font-size:14px;margin:2px 0 6px}#details p{margin:4px 0}
#details ul{padding:0;margin:6px 0;list-style:none}#details li{margin:0 0 6px}
#details button.flow{display:block;width:100%;text-align:left;font:inherit;background:#f6f6f6;border:1px solid #ddd;border-radius:3px;padding:4px 6px;cursor:pointer}
#details button.flow[aria-pressed=true]{border-color:#333;background:#fff}
#doc{border-top:2px solid #333;margin-top:8px;padding-top:6px}
#doc .text{white-space:pre-wrap;font:12px/1.45 ui-monospace,monospace;background:#fafafa;padding:6px;border:1px solid #eee}
mark{background:#FFEE99;outline:1px solid #C9A800}
footer{grid-column:1/3;padding:4px 10px;border-top:1px solid #ddd;display:flex;flex-wrap:wrap;gap:4px 18px}
.key{margin-right:9px;white-space:nowrap;display:inline-flex;align-items:center;gap:3px}
#years[hidden],#types[hidden]{display:none}#types label{margin-right:6px;white-space:nowrap}
</style></head>
<body data-drawn="0">
<header><strong id="heading">%TITLE%</strong>
<span id="years" hidden>years <input id="from" type="range" aria-label="from year"> <input id="to" type="range" aria-label="to year"> <output id="span"></output></span>
<input id="search" type="search" placeholder="find a name" list="names"><datalist id="names"></datalist>
<button id="reset" type="button" hidden>show the top actors</button>
<span id="types"></span>
<span id="count"></span></header>
<div id="net"></div>
<div id="details">Click a node or an arrow to see its evidence.</div>
<footer>%LEGEND%</footer>
<script>%SCRIPT%</script>
<script>
"use strict";
const DATA = %DATA%;
%MAPJS%
</script></body></html>
"""
