"""What ``kg serve`` answers in: the result and graph formats, content negotiation, the
serialisation of a query's result (at most ``max_rows`` rows) and the HTML pages."""
from __future__ import annotations

import html

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


def serialise(ox, result, fmt: str, max_rows: int) -> tuple[int, str, bytes]:
    """The answer in ``fmt``, written by pyoxigraph's own serialisers (SPARQL results JSON, XML,
    CSV, TSV; Turtle, N-Triples, RDF/XML, JSON-LD); a result of more than ``max_rows`` rows
    (or triples) is refused. The rows are counted in TSV or N-Triples as they stream out
    (one per line), then read back and written in the format asked for."""
    if isinstance(result, ox.QueryBoolean):
        fmt = fmt if fmt in RESULT_FORMATS else "json"
        if fmt == "html":
            return 200, RESULT_FORMATS["html"][0], page("kg query result", f"<p>{bool(result)}</p>")
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
                    page("kg query result", f"<pre>{html.escape(text.decode('utf-8'))}</pre>"))
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
    return page("kg query results", f"<p>{len(table)} rows</p><table><tr>{head}</tr>{body}</table>")


def page(title: str, content: str) -> bytes:
    return (f'<!doctype html><html><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
            "<style>body{font:14px sans-serif;margin:1.5em}td,th{border:1px solid #ccc;padding:2px 6px;"
            "text-align:left;vertical-align:top}table{border-collapse:collapse}textarea{width:100%}</style>"
            f"</head><body>{content}</body></html>\n").encode()


def negotiate(accept: str, explicit: str, form: str | None) -> str | None:
    """The format of the answer (SPARQL 1.1 Protocol, section 2.1): ``format=`` wins, then the
    media types of the Accept header by their q values (ties: the client's order), among those
    offered for the query's form: SELECT and ASK give results (JSON, XML, CSV, TSV; HTML for
    the page's form), CONSTRUCT and DESCRIBE give a graph (Turtle, N-Triples, RDF/XML,
    JSON-LD). No Accept header, or ``*/*``: JSON or Turtle. None: nothing asked for is offered
    (the caller answers 406).

    >>> negotiate("text/turtle", "", "SELECT") is None
    True
    >>> negotiate("application/rdf+xml;q=0.5, text/turtle", "", "CONSTRUCT")
    'turtle'
    >>> negotiate("", "", "ASK"), negotiate("*/*", "", "DESCRIBE")
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
