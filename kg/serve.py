"""The read-only SPARQL 1.1 Protocol endpoint over a finished build (``kg serve``).

- ``/sparql``: GET ``?query=`` or POST (form or ``application/sparql-query``); results as
  SPARQL JSON, XML, CSV or TSV by the Accept header (or ``format=json|xml|csv|tsv|html``).
  Updates are refused (405/403), and so are SERVICE, LOAD and FROM an outside IRI (400).
- ``/``: a query form and links to the maps; the build's maps, report and tables by name.

Queries run in worker processes, each holding the store open read-only, so that a query that
runs past ``timeout`` is stopped by ending its process (pyoxigraph's queries cannot be
interrupted, FINDINGS.md) and a query that returns more than ``max_rows`` rows is refused
rather than held in memory. The server reads a snapshot of the store taken at start (hard
links: cheap, and a rebuild of the folder cannot change what is being served). It listens on
127.0.0.1; another address must be asked for explicitly.
"""
from __future__ import annotations

import html
import ipaddress
import json
import multiprocessing
import os
import queue
import shutil
import tempfile
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from kg.errors import InputError, KGError

MAX_REQUEST = 1 << 20          # bytes of a POST body
PAGES = {".html": "text/html; charset=utf-8", ".csv": "text/csv; charset=utf-8",
         ".md": "text/markdown; charset=utf-8", ".json": "application/json",
         ".ttl": "text/turtle; charset=utf-8", ".graphml": "application/xml",
         ".gexf": "application/xml", ".txt": "text/plain; charset=utf-8"}
RESULT_TYPES = {"json": "application/sparql-results+json", "xml": "application/sparql-results+xml",
                "csv": "text/csv; charset=utf-8", "tsv": "text/tab-separated-values; charset=utf-8",
                "html": "text/html; charset=utf-8"}
GRAPH_TYPES = {"ntriples": "application/n-triples", "turtle": "text/turtle; charset=utf-8"}
CSP = ("default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
       "img-src data:; font-src data:; form-action 'self'")


class ServeError(KGError):
    """The endpoint cannot start (no store, an address it must not bind without being told)."""


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class Endpoint(ThreadingHTTPServer):
    """The HTTP server: a pool of query workers over a snapshot of a build's store."""

    daemon_threads = True
    request_queue_size = 256     # socketserver's 5 resets connections under 50 clients

    def __init__(self, out: str | os.PathLike[str], host: str = "127.0.0.1", port: int = 7878, *,
                 public: bool = False, timeout: float = 10.0, max_rows: int = 10_000,
                 workers: int = 2) -> None:
        if not is_loopback(host) and not public:
            raise ServeError(f"refusing to listen on {host}: kg serve listens on 127.0.0.1 unless "
                             "--host names another address explicitly")
        self.out = Path(out).resolve()
        store = self.out / "store"
        if not store.is_dir() or not any(store.iterdir()):
            raise InputError(str(store), "no store here; run kg build first (or pass --out DIR)")
        self.timeout_s, self.max_rows = timeout, max_rows
        self.snapshot = Path(tempfile.mkdtemp(prefix="kg-serve-"))
        shutil.copytree(store, self.snapshot / "store", copy_function=_link_or_copy)
        self.pool: queue.Queue[_Worker] = queue.Queue()
        self.context = multiprocessing.get_context("spawn")
        try:
            super().__init__((host, port), _Handler)
        except OSError as exc:
            shutil.rmtree(self.snapshot, ignore_errors=True)
            raise ServeError(f"cannot listen on {host}:{port} ({exc.strerror}); "
                             "choose another --port") from None
        for _ in range(max(1, workers)):
            self.pool.put(_Worker(self.context, self.snapshot / "store"))

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host if ':' not in str(host) else f'[{host}]'}:{port}/sparql"

    def run_query(self, text: str, fmt: str) -> tuple[int, str, bytes]:
        try:
            worker = self.pool.get(timeout=self.timeout_s)
        except queue.Empty:
            return 503, "text/plain", b"every query worker is busy; try again\n"
        try:
            answer = worker.ask((text, fmt, self.max_rows), self.timeout_s)
            if answer is None:   # stopped: the query ran past the timeout, or its process died
                worker.restart()
                return (503, "text/plain; charset=utf-8",
                        f"the query was stopped after {self.timeout_s:g} s (kg serve --timeout)\n".encode())
            return answer
        finally:
            self.pool.put(worker)

    def server_close(self) -> None:
        super().server_close()
        while not self.pool.empty():
            self.pool.get_nowait().stop()
        shutil.rmtree(self.snapshot, ignore_errors=True)


def _link_or_copy(src: str, dst: str) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


class _Worker:
    """One query process and the pipe to it."""

    def __init__(self, context, store: Path) -> None:
        self.context, self.store = context, store
        self._start()

    def _start(self) -> None:
        self.conn, child = self.context.Pipe()
        self.process = self.context.Process(target=_work, args=(child, str(self.store)), daemon=True)
        self.process.start()
        child.close()

    def ask(self, message, timeout: float):
        try:
            self.conn.send(message)
            if self.conn.poll(timeout):
                return self.conn.recv()
        except (EOFError, OSError):
            pass
        return None

    def restart(self) -> None:
        self.stop()
        self._start()

    def stop(self) -> None:
        self.process.kill()
        self.process.join(5)
        self.conn.close()


def _work(conn, store_dir: str) -> None:
    """A query process: answer (query, format, max_rows) messages until the pipe closes."""
    import pyoxigraph as ox
    store = ox.Store.read_only(store_dir)
    while True:
        try:
            text, fmt, max_rows = conn.recv()
        except (EOFError, OSError):
            return
        try:
            result = store.query(text, use_default_graph_as_union=True)
            conn.send(_serialise(ox, result, fmt, max_rows))
        except (SyntaxError, ValueError) as exc:
            conn.send((400, "text/plain; charset=utf-8", f"bad query: {exc}\n".encode()))
        except (RuntimeError, OSError) as exc:
            conn.send((500, "text/plain; charset=utf-8", f"the query failed: {exc}\n".encode()))


def _serialise(ox, result, fmt: str, max_rows: int) -> tuple[int, str, bytes]:
    if isinstance(result, ox.QueryBoolean):
        if fmt in ("csv", "tsv", "html"):
            return 200, RESULT_TYPES[fmt], f"{str(bool(result)).lower()}\n".encode()
        if fmt == "xml":
            body = ('<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
                    f"<head/><boolean>{str(bool(result)).lower()}</boolean></sparql>\n")
            return 200, RESULT_TYPES["xml"], body.encode()
        return 200, RESULT_TYPES["json"], json.dumps({"head": {}, "boolean": bool(result)}).encode()
    rows = []
    for row in result:
        if len(rows) == max_rows:
            return (400, "text/plain; charset=utf-8",
                    (f"the result has more than {max_rows:,} rows (kg serve --max-rows); page through "
                     "it with LIMIT and OFFSET, or take the whole graph with kg dump\n").encode())
        rows.append(row)
    if isinstance(result, ox.QueryTriples):
        rdf = ox.RdfFormat.TURTLE if fmt == "turtle" else ox.RdfFormat.N_TRIPLES
        kind = GRAPH_TYPES["turtle" if fmt == "turtle" else "ntriples"]
        return 200, kind, ox.serialize(rows, format=rdf)
    names = [v.value for v in result.variables]
    table = [[row[v] for v in names] for row in rows]
    return 200, RESULT_TYPES[fmt], _WRITERS[fmt](names, table)


def _json_term(term) -> dict:
    kind = type(term).__name__
    if kind == "NamedNode":
        return {"type": "uri", "value": term.value}
    if kind == "BlankNode":
        return {"type": "bnode", "value": term.value}
    out = {"type": "literal", "value": term.value}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
        out["datatype"] = term.datatype.value
    return out


def _json(names, table) -> bytes:
    bindings = [{n: _json_term(t) for n, t in zip(names, row) if t is not None} for row in table]
    return json.dumps({"head": {"vars": names}, "results": {"bindings": bindings}},
                      ensure_ascii=False).encode()


def _xml(names, table) -> bytes:
    from xml.sax.saxutils import escape, quoteattr
    parts = ['<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>']
    parts += [f"<variable name={quoteattr(n)}/>" for n in names]
    parts.append("</head><results>")
    for row in table:
        parts.append("<result>")
        for n, t in zip(names, row):
            if t is None:
                continue
            j = _json_term(t)
            if j["type"] == "literal":
                attrs = "".join(f" {k}={quoteattr(j[k])}" for k in ("datatype", "xml:lang") if k in j)
                value = f"<literal{attrs}>{escape(j['value'])}</literal>"
            else:
                value = f"<{j['type']}>{escape(j['value'])}</{j['type']}>"
            parts.append(f"<binding name={quoteattr(n)}>{value}</binding>")
        parts.append("</result>")
    parts.append("</results></sparql>\n")
    return "".join(parts).encode()


def _csv(names, table) -> bytes:
    import csv
    import io
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(names)
    writer.writerows([("" if t is None else t.value) for t in row] for row in table)
    return buffer.getvalue().encode()


def _tsv(names, table) -> bytes:
    lines = ["\t".join(f"?{n}" for n in names)]
    lines += ["\t".join("" if t is None else str(t) for t in row) for row in table]
    return ("\n".join(lines) + "\n").encode()


def _html(names, table) -> bytes:
    head = "".join(f"<th>{html.escape(n)}</th>" for n in names)
    body = "".join("<tr>" + "".join(f"<td>{html.escape('' if t is None else t.value)}</td>" for t in row)
                   + "</tr>" for row in table)
    return _page("kg query results", f"<p>{len(table)} rows</p><table><tr>{head}</tr>{body}</table>")


_WRITERS = {"json": _json, "xml": _xml, "csv": _csv, "tsv": _tsv, "html": _html}


def _page(title: str, content: str) -> bytes:
    return (f'<!doctype html><html><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            "<style>body{font:14px sans-serif;margin:1.5em}td,th{border:1px solid #ccc;padding:2px 6px;"
            "text-align:left;vertical-align:top}table{border-collapse:collapse}textarea{width:100%}</style>"
            f"</head><body>{content}</body></html>\n").encode()


def _negotiate(accept: str, explicit: str) -> str | None:
    """The result format asked for: ``format=`` wins, then the Accept header; JSON by default."""
    if explicit:
        return explicit if explicit in RESULT_TYPES or explicit in GRAPH_TYPES else None
    for part in accept.split(","):
        kind = part.split(";")[0].strip().lower()
        for name, full in {**RESULT_TYPES, **GRAPH_TYPES}.items():
            if kind == full.split(";")[0]:
                return name
        if kind in ("application/json", "text/plain"):
            return "json" if kind == "application/json" else "tsv"
        if kind == "text/html":
            return "html"
    return "json"


class _Handler(BaseHTTPRequestHandler):
    server: Endpoint
    server_version = "kg-serve"
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - the base class's name
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
        from kg.sparql import QueryError, refuse
        if "update" in params:
            return self._refuse_update()
        text = (params.get("query") or [""])[0]
        if not text.strip():
            return self._send(400, "text/plain", b"no query: pass query=...\n")
        if any(params.get(k) for k in ("default-graph-uri", "named-graph-uri")):
            return self._send(400, "text/plain", b"default-graph-uri and named-graph-uri are not "
                              b"supported: every query reads the union of kg's graphs\n")
        fmt = _negotiate(self.headers.get("Accept", ""), (params.get("format") or [""])[0])
        if fmt is None:
            return self._send(406, "text/plain", b"format: one of json, xml, csv, tsv, html, "
                              b"ntriples, turtle\n")
        try:
            refuse(text)
        except QueryError as exc:
            return self._send(400, "text/plain; charset=utf-8", f"{exc}\n".encode())
        status, kind, body = self.server.run_query(text, fmt)
        self._send(status, kind, body)

    def _index(self) -> bytes:
        maps = [p.name for p in sorted(self.server.out.glob("*.html"))]
        links = "".join(f'<li><a href="/{html.escape(m)}">{html.escape(m)}</a></li>' for m in maps)
        example = ("PREFIX kg: <https://w3id.org/kg-tip/ontology#>\nPREFIX skos: "
                   "<http://www.w3.org/2004/02/skos/core#>\nSELECT ?source ?destination ?evidence "
                   "WHERE {\n  ?f a kg:TraffickingFlow ; kg:source/skos:prefLabel ?source ;\n"
                   "     kg:destination/skos:prefLabel ?destination ; kg:evidence ?evidence .\n} LIMIT 50")
        return _page("kg", f"<h1>kg: {html.escape(self.server.out.name)}</h1><ul>{links}</ul>"
                     '<form method="post" action="/sparql"><textarea name="query" rows="10">'
                     f'{html.escape(example)}</textarea><input type="hidden" name="format" value="html">'
                     '<button type="submit">Run (read-only)</button></form>'
                     "<p>SPARQL 1.1 endpoint: <code>/sparql</code></p>")

    def _file(self, path: str) -> None:
        """A file of the build: its maps, report, tables and analysis; never the store, the cache
        or anything outside the folder."""
        relative = Path(path.lstrip("/"))
        target = (self.server.out / relative).resolve()
        allowed = (target.is_file() and target.suffix in PAGES and target.is_relative_to(self.server.out)
                   and relative.parts and relative.parts[0] not in ("store", "cache")
                   and not any(part.startswith(".") for part in relative.parts))
        if not allowed:
            return self._send(404, "text/plain", b"not found\n")
        self._send(200, PAGES[target.suffix], target.read_bytes())

    def _send(self, status: int, kind: str, body: bytes) -> None:
        self.send_response(status, HTTPStatus(status).phrase)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Content-Security-Policy", CSP)
        self.end_headers()
        self.wfile.write(body)
