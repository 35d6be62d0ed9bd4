"""texts/<document id>.html: a document's text as a page the maps link to.

The page shows the document's id, date, origin, title and classification, then its text
exactly as texts/<id>.txt holds it (so the offsets of the tables index it). A map's link
says what to mark: ``#s=START-END`` (offsets in characters, as in flows.csv) or
``#find=TEXT``; the page's script marks it and scrolls to it. Document text is hostile: it is
escaped into the page, and the page's script only ever moves text nodes, never parses HTML.
Offline like the maps: a Content-Security-Policy forbids every request.
"""
from __future__ import annotations

import html
from pathlib import Path

from kg.ids import document_slug
from kg.model import Document


def write_text_page(folder: Path, doc: Document) -> Path:
    """Write texts/<slug>.html beside texts/<slug>.txt; return its path."""
    path = folder / "texts" / f"{document_slug(doc.id)}.html"
    facts = [("document", doc.id), ("date", doc.date), ("origin", doc.origin),
             ("classification", doc.classification), ("source file", doc.source_file)]
    rows = "".join(f"<tr><th>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>" for k, v in facts if v)
    page = (PAGE.replace("%TITLE%", html.escape(doc.title or doc.id), 1)
            .replace("%FACTS%", rows, 1)
            .replace("%TEXT%", html.escape(doc.text, quote=False), 1))
    path.write_text(page, encoding="utf-8", newline="")
    return path


# %TEXT% comes last, so no document text can be taken for a placeholder; an HTML parser drops
# one line break right after <pre>, so one is written there and the text keeps its own
PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'">
<title>%TITLE%</title>
<style>
body{margin:0 auto;max-width:900px;padding:10px 16px;font:14px system-ui,sans-serif}
th{text-align:left;padding-right:12px;font-weight:600;color:#555}
#text{white-space:pre-wrap;font:13px/1.5 ui-monospace,monospace;background:#fafafa;border:1px solid #eee;padding:10px}
mark{background:#FFEE99;outline:1px solid #C9A800}
</style></head>
<body>
<h1 style="font-size:17px">%TITLE%</h1>
<table>%FACTS%</table>
<pre id="text">
%TEXT%</pre>
<script>
"use strict";
// mark what the address asks for: #s=START-END (offsets in code points) or #find=TEXT
(function () {
  const ask = new URLSearchParams(location.hash.slice(1));
  const pre = document.getElementById("text"), node = pre.firstChild;
  if (!node) return;
  const text = node.data;
  let a = -1, b = -1;
  if (ask.has("s")) {
    const [s, e] = ask.get("s").split("-").map(Number);
    // code points -> UTF-16 units, as Python's offsets count the first
    let i = 0, cp = 0;
    while (i < text.length && cp < s) { i += text.codePointAt(i) > 0xffff ? 2 : 1; cp++; }
    a = i;
    while (i < text.length && cp < e) { i += text.codePointAt(i) > 0xffff ? 2 : 1; cp++; }
    b = i;
  } else if (ask.has("find")) {
    a = text.indexOf(ask.get("find"));
    b = a + ask.get("find").length;
  }
  if (a < 0 || b <= a) return;
  const range = document.createRange();
  range.setStart(node, a);
  range.setEnd(node, b);
  const mark = document.createElement("mark");
  range.surroundContents(mark);
  mark.scrollIntoView({block: "center"});
  document.body.dataset.marked = String(b - a);
})();
</script>
</body></html>
"""
