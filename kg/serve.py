"""The read-only SPARQL 1.1 Protocol endpoint over a finished build (``kg serve``).

- ``/sparql``: GET ``?query=`` or POST (form or ``application/sparql-query``); SELECT and ASK
  answered in SPARQL JSON, XML, CSV or TSV, CONSTRUCT and DESCRIBE in Turtle, N-Triples,
  RDF/XML or JSON-LD, by the Accept header (or ``format=``), written by pyoxigraph's own
  serialisers; 406 when nothing asked for is offered (:func:`_negotiate`).
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
import math
import multiprocessing
import os
import queue
import shutil
import tempfile
import threading
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
# the formats of answers, by name (format=NAME): media type, and what else names it in Accept
RESULT_FORMATS = {
    "json": ("application/sparql-results+json", ("application/json", "text/javascript",
                                                 "application/javascript")),
    "xml": ("application/sparql-results+xml", ("application/xml", "text/xml")),
    "csv": ("text/csv; charset=utf-8", ()),
    "tsv": ("text/tab-separated-values; charset=utf-8", ("text/plain",)),
    "html": ("text/html; charset=utf-8", ("application/xhtml+xml",)),
}
GRAPH_FORMATS = {
    "turtle": ("text/turtle; charset=utf-8", ("application/turtle", "application/x-turtle",
                                              "text/rdf+n3", "text/n3", "application/n3")),
    "ntriples": ("application/n-triples", ("text/plain",)),
    "rdfxml": ("application/rdf+xml", ("application/xml", "text/xml")),
    "jsonld": ("application/ld+json", ("application/json", "application/x-json+ld")),
}
# (and the names other clients give format=: SPARQLWrapper sends format=xml for RDF/XML)
RESULT_ALIASES = {name: fmt for fmt, (full, more) in RESULT_FORMATS.items()
                  for name in (full.split(";")[0], *more)}
GRAPH_ALIASES = {name: fmt for fmt, (full, more) in GRAPH_FORMATS.items()
                 for name in (full.split(";")[0], *more)}
GRAPH_ALIASES.update({"xml": "rdfxml", "rdf": "rdfxml", "json": "jsonld", "json-ld": "jsonld",
                      "ttl": "turtle", "n3": "turtle", "nt": "ntriples"})
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
                 workers: int | None = None, queue_size: int = 64) -> None:
        if not is_loopback(host) and not public:
            raise ServeError(f"refusing to listen on {host}: kg serve listens on 127.0.0.1 unless "
                             "--host names another address explicitly")
        self.out = Path(out).resolve()
        store = self.out / "store"
        if not store.is_dir() or not any(store.iterdir()):
            raise InputError(str(store), "no store here; run kg build first (or pass --out DIR)")
        self.timeout_s, self.max_rows = timeout, max_rows
        # queries waiting for a worker: at most queue_size; more get a 503 with Retry-After at once
        self.queue_size, self.waiting, self.waiting_lock = queue_size, 0, threading.Lock()
        _remove_stale_snapshots()
        self.snapshot = Path(tempfile.mkdtemp(prefix=f"kg-serve-{os.getpid()}-"))
        shutil.copytree(store, self.snapshot / "store", copy_function=_link_or_copy)
        self.pool: queue.Queue[_Worker] = queue.Queue()
        self.context = multiprocessing.get_context("spawn")
        try:
            super().__init__((host, port), _Handler)
        except OSError as exc:
            shutil.rmtree(self.snapshot, ignore_errors=True)
            raise ServeError(f"cannot listen on {host}:{port} ({exc.strerror}); "
                             "choose another --port") from None
        for _ in range(max(1, workers or default_workers())):
            self.pool.put(_Worker(self.context, self.snapshot / "store"))

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host if ':' not in str(host) else f'[{host}]'}:{port}/sparql"

    def run_query(self, text: str, fmt: str) -> tuple[int, str, bytes]:
        """Run a query in a free worker: wait for one in a queue of at most ``queue_size``
        queries, at most ``timeout`` seconds; a full queue or a wait too long is a 503 (with
        Retry-After, see :meth:`_Handler._send`)."""
        with self.waiting_lock:
            full = self.waiting >= self.queue_size
            if not full:
                self.waiting += 1
        if full:
            return (503, "text/plain; charset=utf-8",
                    f"{self.queue_size} queries are waiting already (kg serve --queue); "
                    "try again shortly\n".encode())
        try:
            worker = self.pool.get(timeout=self.timeout_s)
        except queue.Empty:
            return 503, "text/plain", b"every query worker is busy; try again\n"
        finally:
            with self.waiting_lock:
                self.waiting -= 1
        try:
            answer = worker.ask((text, fmt, self.max_rows), self.timeout_s)
            if answer is None:   # stopped: the query ran past the timeout, or its process died
                died = not worker.process.is_alive()
                worker.restart()
                if died:
                    return 500, "text/plain", b"the query's worker failed; try again\n"
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


def _remove_stale_snapshots() -> None:
    """Remove the snapshots of servers that are gone (``kg-serve-PID-*`` in the temporary
    folder, PID not running): a server killed by SIGKILL cannot remove its own."""
    for folder in Path(tempfile.gettempdir()).glob("kg-serve-*-*"):
        pid = folder.name.split("-")[2]
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            os.kill(int(pid), 0)
            continue                 # its server runs
        except ProcessLookupError:
            pass
        except OSError:
            continue                 # another user's
        shutil.rmtree(folder, ignore_errors=True)


def default_workers() -> int:
    """Query processes by default: two more than the cores, at least four, so that trivial
    queries find a free worker while slow ones run (a slow query mostly waits on one core)."""
    return max(4, (os.cpu_count() or 1) + 2)


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
    """A query process: answer (query, format, max_rows) messages until the pipe closes. Every
    error becomes an answer: a worker that died would look like a timeout to the client."""
    import pyoxigraph as ox
    store = ox.Store.read_only(store_dir)
    while True:
        try:
            text, fmt, max_rows = conn.recv()
        except (EOFError, OSError):
            return
        try:
            result = store.query(text, use_default_graph_as_union=True)
            answer = _serialise(ox, result, fmt, max_rows)
        except SyntaxError as exc:
            from kg.sparql import syntax_message
            answer = (400, "text/plain; charset=utf-8", f"{syntax_message(exc, text)}\n".encode())
        except ValueError as exc:
            answer = (400, "text/plain; charset=utf-8", f"bad query: {exc}\n".encode())
        except Exception as exc:    # noqa: BLE001 - any other failure is this query's, not the worker's
            answer = (500, "text/plain; charset=utf-8", f"the query failed: {exc}\n".encode())
        conn.send(answer)


class _TooMany(Exception):
    """Raised into pyoxigraph's writer: the result has more rows than the endpoint answers."""


class _Counted:
    """A binary writer that keeps what pyoxigraph writes and stops it past ``lines`` lines
    (N-Triples and SPARQL TSV write one triple or one solution per line)."""

    def __init__(self, lines: int) -> None:
        self.lines, self.seen, self.parts = lines, 0, []

    def write(self, data: bytes) -> int:
        self.seen += data.count(b"\n")
        if self.seen > self.lines:
            raise _TooMany()
        self.parts.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def getvalue(self) -> bytes:
        return b"".join(self.parts)


def _serialise(ox, result, fmt: str, max_rows: int) -> tuple[int, str, bytes]:
    """The answer in ``fmt``, written by pyoxigraph's own serialisers (SPARQL results JSON, XML,
    CSV, TSV; Turtle, N-Triples, RDF/XML, JSON-LD); a result of more than ``max_rows`` rows
    (or triples) is refused. The rows are counted in TSV or N-Triples as they stream out
    (one per line), then read back and written in the format asked for."""
    if isinstance(result, ox.QueryBoolean):
        fmt = fmt if fmt in RESULT_FORMATS else "json"
        if fmt == "html":
            return 200, RESULT_FORMATS["html"][0], _page("kg query result", f"<p>{bool(result)}</p>")
        return 200, RESULT_FORMATS[fmt][0], result.serialize(format=_oxformat(ox, fmt))
    graph = isinstance(result, ox.QueryTriples)
    counted = _Counted(max_rows if graph else max_rows + 1)    # (TSV has a header line)
    try:
        if graph:
            result.serialize(counted, format=ox.RdfFormat.N_TRIPLES)
        else:
            result.serialize(counted, format=ox.QueryResultsFormat.TSV)
    except _TooMany:
        return (400, "text/plain; charset=utf-8",
                (f"the result has more than {max_rows:,} rows (kg serve --max-rows); page through "
                 "it with LIMIT and OFFSET, or take the whole graph with kg dump\n").encode())
    data = counted.getvalue()
    if graph:
        fmt = fmt if fmt in GRAPH_FORMATS else "turtle"
        if fmt == "ntriples":
            return 200, GRAPH_FORMATS[fmt][0], data
        triples = list(ox.parse(data, format=ox.RdfFormat.N_TRIPLES))
        text = ox.serialize(triples, format=_oxformat(ox, "turtle" if fmt == "html" else fmt),
                            **({"prefixes": _PREFIXES} if fmt in ("turtle", "html") else {}))
        if fmt == "html":
            return (200, RESULT_FORMATS["html"][0],
                    _page("kg query result", f"<pre>{html.escape(text.decode('utf-8'))}</pre>"))
        return 200, GRAPH_FORMATS[fmt][0], text
    fmt = fmt if fmt in RESULT_FORMATS else "json"
    if fmt == "tsv":
        return 200, RESULT_FORMATS[fmt][0], data
    solutions = ox.parse_query_results(data, format=ox.QueryResultsFormat.TSV)
    if fmt == "html":
        names = [v.value for v in solutions.variables]
        return 200, RESULT_FORMATS[fmt][0], _html(names, [[row[n] for n in names] for row in solutions])
    return 200, RESULT_FORMATS[fmt][0], solutions.serialize(format=_oxformat(ox, fmt))


def _oxformat(ox, fmt: str):
    """pyoxigraph's format object of one of kg's format names."""
    return getattr(ox.QueryResultsFormat if fmt in RESULT_FORMATS else ox.RdfFormat, _OX_NAMES[fmt])


_OX_NAMES = {"json": "JSON", "xml": "XML", "csv": "CSV", "tsv": "TSV", "turtle": "TURTLE",
             "ntriples": "N_TRIPLES", "rdfxml": "RDF_XML", "jsonld": "JSON_LD"}
_PREFIXES = {"kg": "https://w3id.org/kg-tip/ontology#", "skos": "http://www.w3.org/2004/02/skos/core#",
             "prov": "http://www.w3.org/ns/prov#", "dcterms": "http://purl.org/dc/terms/",
             "oa": "http://www.w3.org/ns/oa#"}


def _html(names, table) -> bytes:
    head = "".join(f"<th>{html.escape(n)}</th>" for n in names)
    body = "".join("<tr>" + "".join(f"<td>{html.escape('' if t is None else t.value)}</td>" for t in row)
                   + "</tr>" for row in table)
    return _page("kg query results", f"<p>{len(table)} rows</p><table><tr>{head}</tr>{body}</table>")


def _page(title: str, content: str) -> bytes:
    return (f'<!doctype html><html><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            "<style>body{font:14px sans-serif;margin:1.5em}td,th{border:1px solid #ccc;padding:2px 6px;"
            "text-align:left;vertical-align:top}table{border-collapse:collapse}textarea{width:100%}</style>"
            f"</head><body>{content}</body></html>\n").encode()


def _negotiate(accept: str, explicit: str, form: str | None) -> str | None:
    """The format of the answer (SPARQL 1.1 Protocol, section 2.1): ``format=`` wins, then the
    media types of the Accept header by their q values (ties: the client's order), among those
    offered for the query's form: SELECT and ASK give results (JSON, XML, CSV, TSV; HTML for
    the page's form), CONSTRUCT and DESCRIBE give a graph (Turtle, N-Triples, RDF/XML,
    JSON-LD). No Accept header, or ``*/*``: JSON or Turtle. None: nothing asked for is offered
    (the caller answers 406).

    >>> _negotiate("text/turtle", "", "SELECT") is None
    True
    >>> _negotiate("application/rdf+xml;q=0.5, text/turtle", "", "CONSTRUCT")
    'turtle'
    >>> _negotiate("", "", "ASK"), _negotiate("*/*", "", "DESCRIBE")
    ('json', 'turtle')
    """
    graph = form in ("CONSTRUCT", "DESCRIBE")
    offered = GRAPH_FORMATS if graph else RESULT_FORMATS
    aliases = GRAPH_ALIASES if graph else RESULT_ALIASES
    if explicit:
        explicit = explicit.strip().lower()
        if explicit == "html":
            return "html"
        return explicit if explicit in offered else aliases.get(explicit)
    if not accept.strip():
        return next(iter(offered))
    choices = []
    for order, part in enumerate(accept.split(",")):
        kind, *params = [x.strip() for x in part.split(";")]
        kind, q = kind.lower(), 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    q = float(value)
                except ValueError:
                    q = 0.0
        if q <= 0 or not kind:
            continue
        if kind == "*/*":
            name = next(iter(offered))
        elif kind.endswith("/*"):
            family = kind[:-1]
            name = next((n for n, (full, _) in offered.items() if full.startswith(family)), None)
        else:
            name = aliases.get(kind)
        if name is not None:
            choices.append((-q, order, name))
    return min(choices)[2] if choices else None


def offered(form: str | None) -> str:
    """The media types offered for a query's form, for a 406's message."""
    formats = GRAPH_FORMATS if form in ("CONSTRUCT", "DESCRIBE") else RESULT_FORMATS
    return ", ".join(full.split(";")[0] for full, _ in formats.values())


class _Handler(BaseHTTPRequestHandler):
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
        explicit = next((f for f in asked if _negotiate("", f, form)), asked[0])
        fmt = _negotiate(self.headers.get("Accept", ""), explicit, form)
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
        return _page("kg", f"<h1>kg: {html.escape(self.server.out.name)}</h1><ul>{links}</ul>"
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
