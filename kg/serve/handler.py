"""The HTTP requests of ``kg serve``: /sparql (GET, POST; updates refused), the query form
and the build's maps, report and tables."""
from __future__ import annotations

import html
import math
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, unquote, urlsplit

from kg.serve.formats import (
    CSP,
    GRAPH_FORMATS,
    MAX_REQUEST,
    PAGES,
    RESULT_FORMATS,
    negotiate,
    offered,
    page,
)

if TYPE_CHECKING:
    from kg.serve.endpoint import Endpoint


class Handler(BaseHTTPRequestHandler):
    server: Endpoint
    server_version = "kg-serve"
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args) -> None:
        pass   # no request log on the terminal: queries may be sensitive

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        if url.path == "/sparql":
            self._sparql(parse_qs(url.query))
        elif url.path in ("/", "/index.html"):
            self._send(200, "text/html; charset=utf-8", self._index())
        else:
            self._file(unquote(url.path))

    def do_POST(self) -> None:
        url = urlsplit(self.path)
        if url.path != "/sparql":
            return self._send(404, "text/plain", b"not found\n")
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            return self._send(400, "text/plain", b"bad Content-Length\n")
        if length > MAX_REQUEST:
            self.close_connection = True
            self._send(413, "text/plain", f"request larger than {MAX_REQUEST} bytes\n".encode())
            # read what the client is still sending (up to a bound, with a time limit), so it
            # gets to read the answer instead of a broken pipe
            self.connection.settimeout(10)
            remaining = min(length, 64 * MAX_REQUEST)
            try:
                while remaining > 0:
                    chunk = self.rfile.read(min(remaining, 1 << 16))
                    if not chunk:
                        break
                    remaining -= len(chunk)
            except OSError:
                pass
            return
        body = self.rfile.read(length).decode("utf-8", "replace")
        kind = (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()
        if kind == "application/sparql-update":
            return self._refuse_update()
        if kind == "application/sparql-query":
            return self._sparql({**parse_qs(url.query), "query": [body]})
        return self._sparql({**parse_qs(url.query), **parse_qs(body)})

    def do_PUT(self) -> None:
        self._refuse_update()

    do_DELETE = do_PATCH = do_PUT

    def _refuse_update(self) -> None:
        self._send(403, "text/plain", b"this endpoint is read-only: updates are refused\n")

    def _sparql(self, params: dict[str, list[str]]) -> None:
        from kg.sparql import QueryError, query_form, refuse
        if "update" in params:
            return self._refuse_update()
        text = (params.get("query") or [""])[0]
        if not text.strip():
            return self._send(400, "text/plain", b"no query: pass query=...\n")
        if any(params.get(k) for k in ("default-graph-uri", "named-graph-uri")):
            return self._send(400, "text/plain", b"default-graph-uri and named-graph-uri are not "
                              b"supported: every query reads the union of kg's graphs\n")
        try:
            refuse(text)
        except QueryError as exc:
            return self._send(400, "text/plain; charset=utf-8", f"{exc}\n".encode())
        form = query_form(text)
        # (the first format= this endpoint knows: SPARQLWrapper sends two for JSON-LD)
        asked = params.get("format") or [""]
        explicit = next((f for f in asked if negotiate("", f, form)), asked[0])
        fmt = negotiate(self.headers.get("Accept", ""), explicit, form)
        if fmt is None:
            asked = f"format={explicit}" if explicit else f"Accept: {self.headers.get('Accept', '')}"
            names = ", ".join(GRAPH_FORMATS if form in ("CONSTRUCT", "DESCRIBE") else RESULT_FORMATS)
            return self._send(406, "text/plain; charset=utf-8",
                              (f"cannot answer a {form or 'query'} in what was asked for ({asked}); "
                               f"offered: {offered(form)} (or format={names.replace(', ', '|')})\n"
                               ).encode())
        status, kind, body = self.server.run_query(text, fmt)
        self._send(status, kind, body)

    def _index(self) -> bytes:
        maps = [p.name for p in sorted(self.server.out.glob("*.html"))]
        links = "".join(f'<li><a href="/{html.escape(m)}">{html.escape(m)}</a></li>' for m in maps)
        example = ("PREFIX kg: <https://w3id.org/kg-tip/ontology#>\nPREFIX skos: "
                   "<http://www.w3.org/2004/02/skos/core#>\nSELECT ?source ?destination ?evidence "
                   "WHERE {\n  ?f a kg:TraffickingFlow ; kg:source/skos:prefLabel ?source ;\n"
                   "     kg:destination/skos:prefLabel ?destination ; kg:evidence ?evidence .\n} LIMIT 50")
        return page("kg", f"<h1>kg: {html.escape(self.server.out.name)}</h1><ul>{links}</ul>"
                     '<form method="post" action="/sparql"><textarea name="query" rows="10">'
                     f'{html.escape(example)}</textarea><input type="hidden" name="format" value="html">'
                     '<button type="submit">Run (read-only)</button></form>'
                     "<p>SPARQL 1.1 endpoint: <code>/sparql</code></p>")

    def _file(self, path: str) -> None:
        """A file of the build: its maps, report, tables and analysis; never the store, the cache
        or anything outside the folder."""
        if "\x00" in path:
            return self._send(400, "text/plain", b"bad path: a NUL byte\n")
        relative = Path(path.lstrip("/"))
        try:
            target = (self.server.out / relative).resolve()
        except (OSError, ValueError):     # a name too long, a loop of links
            return self._send(404, "text/plain", b"not found\n")
        allowed = (target.is_file() and target.suffix in PAGES and target.is_relative_to(self.server.out)
                   and relative.parts and relative.parts[0] not in ("store", "cache")
                   and not any(part.startswith(".") for part in relative.parts))
        if not allowed:
            return self._send(404, "text/plain", b"not found\n")
        self._send(200, PAGES[target.suffix], target.read_bytes())

    def _send(self, status: int, kind: str, body: bytes) -> None:
        self.send_response(status, HTTPStatus(status).phrase)
        if status == 503:     # busy, or a query stopped: when to try again
            self.send_header("Retry-After", str(max(1, math.ceil(self.server.timeout_s))))
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Content-Security-Policy", CSP)
        self.end_headers()
        self.wfile.write(body)
