"""Extractions -> an RDF graph under kg's ontology (rdflib), and the ontology itself."""
from __future__ import annotations

from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from kg.errors import OntologyError
from kg.ids import ID_NS, document_slug, entity_id
from kg.model import Document, Entity, Extraction, Flow, Mention, Relation, Role

ONTOLOGY_NS = "https://w3id.org/kg-tip/ontology#"
OA_NS = "http://www.w3.org/ns/oa#"
WGS84_NS = "http://www.w3.org/2003/01/geo/wgs84_pos#"  # rdflib's GEO is GeoSPARQL


def ontology_dir() -> Path:
    """The ontology folder: inside the installed package, or beside it in a checkout."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "ontology", here.parent / "ontology"):
        if (candidate / "kg.ttl").is_file():
            return candidate
    raise OntologyError(f"kg.ttl not found in {here / 'ontology'} or {here.parent / 'ontology'}; "
                        "reinstall kg (pip install .)")


@lru_cache(maxsize=1)
def ontology():
    """The ontology as an rdflib Graph (parsed once)."""
    from rdflib import Graph
    graph = Graph()
    path = ontology_dir() / "kg.ttl"
    try:
        graph.parse(path, format="turtle")
    except Exception as exc:  # rdflib raises several types for bad Turtle
        raise OntologyError(f"{path}: not valid Turtle ({exc})") from None
    return graph


def ontology_version() -> str:
    """The ontology's owl:versionInfo: it changes when the shape of the graph kg writes does."""
    from rdflib import OWL
    return next((str(v) for v in ontology().objects(None, OWL.versionInfo)), "")


@lru_cache(maxsize=1)
def KG():
    """kg's namespace, closed over the terms the ontology declares: a typo raises at once."""
    from rdflib import URIRef
    from rdflib.namespace import ClosedNamespace
    terms = sorted({str(s)[len(ONTOLOGY_NS):] for s in ontology().subjects()
                    if isinstance(s, URIRef) and str(s).startswith(ONTOLOGY_NS)})
    return ClosedNamespace(ONTOLOGY_NS, terms)


def term(name: str):
    """One declared term of the ontology; OntologyError for a term it does not declare."""
    try:
        return KG()[name]
    except (KeyError, AttributeError):
        raise OntologyError(f"kg:{name} is not declared in {ontology_dir() / 'kg.ttl'}; "
                            "declare it there first") from None


ONTOLOGY_GRAPH = "https://w3id.org/kg-tip/ontology"
ENTITIES_GRAPH = ID_NS + "graph/entities"


def document_graph(doc_id: str) -> str:
    """The named graph that holds one document's facts: the document's own IRI."""
    return f"{ID_NS}document/{document_slug(doc_id)}"


@lru_cache(maxsize=None)
def _t(name: str):
    """A declared term of the ontology as a pyoxigraph NamedNode (checked like :func:`term`)."""
    import pyoxigraph as ox
    return ox.NamedNode(str(term(name)))


def _node(kind: str, key: str):
    import pyoxigraph as ox
    return ox.NamedNode(f"{ID_NS}{kind}/{key}")


class _Vocab:
    """The few standard terms kg writes, as pyoxigraph nodes (built once)."""

    def __init__(self) -> None:
        import pyoxigraph as ox
        n = ox.NamedNode
        rdf = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
        xsd = "http://www.w3.org/2001/XMLSchema#"
        self.type, self.subject = n(rdf + "type"), n(rdf + "subject")
        self.predicate, self.object = n(rdf + "predicate"), n(rdf + "object")
        self.pref, self.alt = (n("http://www.w3.org/2004/02/skos/core#" + x) for x in ("prefLabel", "altLabel"))
        self.lat, self.long = n(WGS84_NS + "lat"), n(WGS84_NS + "long")
        self.derived = n("http://www.w3.org/ns/prov#wasDerivedFrom")
        self.attributed = n("http://www.w3.org/ns/prov#wasAttributedTo")
        self.agent = n("http://www.w3.org/ns/prov#Agent")
        self.comment = n("http://www.w3.org/2000/01/rdf-schema#comment")
        dc = "http://purl.org/dc/terms/"
        self.identifier, self.title, self.date = n(dc + "identifier"), n(dc + "title"), n(dc + "date")
        self.start, self.end = n(OA_NS + "start"), n(OA_NS + "end")
        org = "http://www.w3.org/ns/org#"
        self.post, self.post_in, self.holds = n(org + "Post"), n(org + "postIn"), n(org + "holds")
        self.decimal, self.xsd_date = n(xsd + "decimal"), n(xsd + "date")


@lru_cache(maxsize=1)
def _vocab() -> _Vocab:
    return _Vocab()


def _decimal(value: float):
    """An xsd:decimal literal in its canonical form ("43", "0.5"), as the store keeps it, so
    the Turtle written from memory and the store's own dump are the same bytes."""
    import pyoxigraph as ox
    from decimal import Decimal
    return ox.Literal(format(Decimal(repr(float(value))).normalize(), "f"), datatype=_vocab().decimal)


def entity_quads(entities: Iterable[Entity], extractions: Iterable[Extraction]) -> list:
    """The graph ENTITIES_GRAPH: every entity once (labels, type, country, coordinates) and the
    direct triple of every stated relation once (its statements live in the documents' graphs).

    Each triple of a build lives in exactly one named graph, so the union of the graphs (what
    queries see as their default graph) has no duplicates.
    """
    import pyoxigraph as ox
    v, g = _vocab(), ox.NamedNode(ENTITIES_GRAPH)
    out = []
    add = out.append
    for entity in entities:
        node = _node("entity", entity.id)
        add(ox.Quad(node, v.type, _t(entity.type), g))
        add(ox.Quad(node, v.pref, ox.Literal(entity.name), g))
        for alias in entity.aliases:
            add(ox.Quad(node, v.alt, ox.Literal(alias), g))
        if entity.country_code:
            add(ox.Quad(node, _t("countryCode"), ox.Literal(entity.country_code), g))
        if entity.latitude is not None and entity.longitude is not None:
            add(ox.Quad(node, v.lat, _decimal(entity.latitude), g))
            add(ox.Quad(node, v.long, _decimal(entity.longitude), g))
        if entity.title:
            add(ox.Quad(node, _t("title"), ox.Literal(entity.title), g))
        if entity.country_code and entity.type != "Country":
            add(ox.Quad(node, _t("country"), _node("entity", entity_id("Country", entity.country_code)), g))
        if entity.curator:
            add(ox.Quad(node, v.attributed, _agent(entity.curator), g))
    # the analysts whose corrections the build applied (PROV-O agents)
    curators = {e.curator for e in entities} | {
        f.curator for x in extractions for f in (*x.flows, *x.relations)}
    for name in sorted(curators - {""}):
        add(ox.Quad(_agent(name), v.type, v.agent, g))
        add(ox.Quad(_agent(name), v.pref, ox.Literal(name), g))
    stated = {(r.subject, r.predicate, r.object) for x in extractions for r in x.relations}
    for subject, predicate, obj in sorted(stated):
        add(ox.Quad(_node("entity", subject), _t(predicate), _node("entity", obj), g))
    return out


def document_quads(extraction: Extraction, mentions: bool = True) -> list:
    """The named graph of one document (see :func:`document_graph`): the document and its
    paragraphs, its mentions, and the flows, relation statements and roles it states
    (``mentions=False``: the facts only, for validation)."""
    rest, facts = _document_parts(extraction, mentions)
    return rest + facts


def _document_parts(extraction: Extraction, mentions: bool) -> tuple[list, list]:
    """(the document, paragraphs and mentions; the facts) of a document's graph."""
    import pyoxigraph as ox
    doc = extraction.document
    g = ox.NamedNode(document_graph(doc.id))
    rest: list = []
    if mentions:
        _document(rest, doc, g)
        rest += (ox.Quad(q.subject, q.predicate, q.object, g) for q in ox.parse(
            _mention_lines(extraction.mentions), format=ox.RdfFormat.N_TRIPLES))
    return rest, _facts(extraction, g)


def _facts(extraction: Extraction, g) -> list:
    facts: list = []
    for flow in extraction.flows:
        _flow(facts, flow, g)
    for relation in extraction.relations:
        _relation(facts, relation, g)
    for n, role in enumerate(extraction.roles):
        _role(facts, role, extraction.document, n, g)
    return facts


@dataclass(frozen=True)
class DocumentTriples:
    """The named graph of one document as N-Triples: its facts (flows, relation statements,
    roles: what validation reads), and the whole graph as graph.ttl writes it (sorted, each
    line once). Made where the document was extracted, so a build's workers serialise and
    sort in parallel."""
    facts: bytes
    graph: bytes


def document_triples(extraction: Extraction) -> DocumentTriples:
    import pyoxigraph as ox
    doc = extraction.document
    g = ox.NamedNode(document_graph(doc.id))
    rest: list = []
    _document(rest, doc, g)
    facts = _ntriples(_facts(extraction, g))
    mentions = _mention_lines(extraction.mentions)
    return DocumentTriples(facts, sorted_lines(_ntriples(rest) + facts + mentions))


def _mention_lines(mentions: Iterable[Mention]) -> bytes:
    """The mentions' triples as N-Triples, written as text: a mention is a text position
    (oa:start, oa:end) in a paragraph of a document, naming an entity. Four triples each, for
    the corpus's 100,000 mentions hold most of the store: the class kg:Mention follows from
    kg:mentions (its rdfs:domain), the document from the paragraph (kg:inParagraph/kg:inDocument),
    and the text is ``texts/<document>.txt`` from start to end (and in mentions.csv). Three
    more triples each cost a corpus build 6 CPU-seconds of loading."""
    v = _vocab()
    mentions_, paragraph = str(_t("mentions")), str(_t("inParagraph"))
    start, end = str(v.start), str(v.end)
    integer = "<http://www.w3.org/2001/XMLSchema#integer>"
    slugs: dict[str, str] = {}
    out = []
    for m in mentions:
        doc = slugs.get(m.document) or slugs.setdefault(m.document, document_slug(m.document))
        node = f"<{ID_NS}mention/{doc}/{m.start}-{m.end}>"
        out.append(
            f"{node} {mentions_} <{ID_NS}entity/{m.entity_id}> .\n"
            f"{node} {paragraph} <{ID_NS}paragraph/{doc}/{m.paragraph_index}> .\n"
            f'{node} {start} "{m.start}"^^{integer} .\n'
            f'{node} {end} "{m.end}"^^{integer} .\n')
    return "".join(out).encode("utf-8")


def fact_triples(extraction: Extraction) -> bytes:
    """The facts of a document's graph (:class:`DocumentTriples`) alone."""
    return _ntriples(document_quads(extraction, mentions=False))


def sorted_lines(ntriples: bytes) -> bytes:
    """N-Triples sorted, each line once: one graph's block of graph.ttl."""
    lines = sorted(set(ntriples.split(b"\n")) - {b""})
    return b"\n".join(lines) + b"\n" if lines else b""


def _ntriples(quads: list) -> bytes:
    import pyoxigraph as ox
    return ox.serialize((q.triple for q in quads), format=ox.RdfFormat.N_TRIPLES)


def entity_triples(entities: Iterable[Entity], extractions: Iterable[Extraction]) -> bytes:
    """The graph ENTITIES_GRAPH (:func:`entity_quads`) as N-Triples."""
    return _ntriples(entity_quads(entities, extractions))


def in_graph(ntriples: bytes, graph: str) -> bytes:
    """N-Triples as N-Quads in the named graph ``graph`` (every N-Triples line ends with " .",
    and a line break inside a literal is written as an escape)."""
    return ntriples.replace(b" .\n", f" <{graph}> .\n".encode())


def to_graph(extractions: Iterable[Extraction], entities: Iterable[Entity], mentions: bool = True):
    """The graph of a build as one rdflib Graph (the union of its named graphs), for users
    and tools that want rdflib (``mentions=False``: the facts only)."""
    extractions = list(extractions)
    quads = entity_quads(entities, extractions)
    for x in extractions:
        quads.extend(document_quads(x, mentions=mentions))
    return _rdflib_graph(quads)


def _rdflib_graph(quads):
    import pyoxigraph as ox
    from rdflib import Graph
    from rdflib.namespace import DCTERMS, PROV, SKOS
    graph = Graph()
    for prefix, ns in (("kg", ONTOLOGY_NS), ("dcterms", DCTERMS), ("prov", PROV),
                       ("skos", SKOS), ("geo", WGS84_NS), ("oa", OA_NS), ("id", ID_NS)):
        graph.bind(prefix, ns)
    data = ox.serialize((q.triple for q in quads), format=ox.RdfFormat.N_TRIPLES)
    graph.parse(data=data.decode("utf-8"), format="nt")
    return graph


def _document(out: list, doc: Document, g) -> None:
    import pyoxigraph as ox
    v, add = _vocab(), out.append
    node = _node("document", document_slug(doc.id))
    add(ox.Quad(node, v.type, _t("Document"), g))
    add(ox.Quad(node, v.identifier, ox.Literal(doc.id), g))
    add(ox.Quad(node, _t("sourceFile"), ox.Literal(doc.source_file), g))
    add(ox.Quad(node, _t("sha256"), ox.Literal(doc.sha256), g))
    if doc.title:
        add(ox.Quad(node, v.title, ox.Literal(doc.title), g))
    if doc.date:
        add(ox.Quad(node, v.date, ox.Literal(doc.date, datatype=v.xsd_date), g))
    for prop, value in (("origin", doc.origin), ("classification", doc.classification),
                        ("signer", doc.signer)):
        if value:
            add(ox.Quad(node, _t(prop), ox.Literal(value), g))
    for tag in doc.tags:
        add(ox.Quad(node, _t("tag"), ox.Literal(tag), g))
    for p in doc.paragraphs:
        pnode = _node("paragraph", f"{document_slug(doc.id)}/{p.index}")
        add(ox.Quad(node, _t("paragraph"), pnode, g))
        add(ox.Quad(pnode, v.type, _t("Paragraph"), g))
        add(ox.Quad(pnode, _t("number"), ox.Literal(p.number), g))
        add(ox.Quad(pnode, _t("index"), ox.Literal(p.index), g))
        add(ox.Quad(pnode, _t("inDocument"), node, g))


def _sourced(out: list, node, fact, g) -> None:
    """Evidence, confidence, method and the paragraph a flow or relation comes from."""
    import pyoxigraph as ox
    v, add = _vocab(), out.append
    add(ox.Quad(node, _t("evidence"), ox.Literal(fact.evidence), g))
    add(ox.Quad(node, _t("confidence"), _decimal(round(fact.confidence, 2)), g))
    add(ox.Quad(node, _t("method"), ox.Literal(fact.method), g))
    add(ox.Quad(node, v.derived,
                _node("paragraph", f"{document_slug(fact.document)}/{fact.paragraph_index}"), g))
    if fact.curator:   # added by an analyst, not found by kg
        add(ox.Quad(node, v.attributed, _agent(fact.curator), g))
        if fact.note:
            add(ox.Quad(node, v.comment, ox.Literal(fact.note), g))


def _agent(name: str):
    from kg.ids import slug
    return _node("agent", slug(name))


def _flow(out: list, f: Flow, g) -> None:
    import pyoxigraph as ox
    v, add = _vocab(), out.append
    node = _node("flow", f.id)
    add(ox.Quad(node, v.type, _t("TraffickingFlow"), g))
    add(ox.Quad(node, _t("source"), _node("entity", f.source), g))
    add(ox.Quad(node, _t("destination"), _node("entity", f.destination), g))
    for place in f.transit:
        add(ox.Quad(node, _t("transit"), _node("entity", place), g))
    if f.transit:
        add(ox.Quad(node, _t("transitOrder"), ox.Literal(";".join(f.transit)), g))
    for kind in f.exploitation:
        add(ox.Quad(node, _t("exploitation"), ox.Literal(kind), g))
    if f.victims is not None:
        add(ox.Quad(node, _t("victims"), ox.Literal(f.victims), g))
    if f.year is not None:
        add(ox.Quad(node, _t("year"), ox.Literal(f.year), g))
    # both flags always, so a query can ask for true or for false
    add(ox.Quad(node, _t("hedged"), ox.Literal(bool(f.hedged)), g))
    add(ox.Quad(node, _t("internal"), ox.Literal(bool(f.internal)), g))
    for sector in f.sectors:
        add(ox.Quad(node, _t("sector"), ox.Literal(sector), g))
    _sourced(out, node, f, g)


def _relation(out: list, r: Relation, g) -> None:
    """A statement node with the evidence (and an org:Post for posts); the direct triple is in
    the entities' graph."""
    import pyoxigraph as ox
    v, add = _vocab(), out.append
    subject, obj = _node("entity", r.subject), _node("entity", r.object)
    node = _node("relation", r.id)
    add(ox.Quad(node, v.type, _t("RelationStatement"), g))
    add(ox.Quad(node, v.subject, subject, g))
    add(ox.Quad(node, v.predicate, _t(r.predicate), g))
    add(ox.Quad(node, v.object, obj, g))
    _sourced(out, node, r, g)
    if r.predicate == "holdsPostIn":
        post = _node("post", r.id)
        add(ox.Quad(post, v.type, v.post, g))
        add(ox.Quad(post, v.post_in, obj, g))
        add(ox.Quad(subject, v.holds, post, g))


def _role(out: list, role: Role, doc: Document, n: int, g) -> None:
    import pyoxigraph as ox
    v, add = _vocab(), out.append
    node = _node("role", f"{document_slug(doc.id)}/{n}")
    add(ox.Quad(node, v.type, _t("PlaceRole"), g))
    add(ox.Quad(node, _t("place"), _node("entity", role.place), g))
    add(ox.Quad(node, _t("role"), ox.Literal(role.role), g))
    for kind in role.exploitation:
        add(ox.Quad(node, _t("exploitation"), ox.Literal(kind), g))
    add(ox.Quad(node, _t("evidence"), ox.Literal(role.evidence), g))
    add(ox.Quad(node, v.derived, _node("document", document_slug(doc.id)), g))




def validate_triples(ntriples: bytes, limit: int = 20) -> list[str]:
    """:func:`validate` of a graph given as N-Triples (a build runs it in a worker process,
    beside its other stages), of the triples the shapes read (:func:`shaped`)."""
    from rdflib import Graph
    return validate(Graph().parse(data=shaped(ntriples).decode("utf-8"), format="nt"), limit)


def shaped(ntriples: bytes) -> bytes:
    """The lines of ``ntriples`` whose predicate ontology/shapes.ttl reads (:func:`_read_predicates`):
    validating them gives what validating all gives. rdflib's parsing was most of the
    validation's time, and the shapes read two of the eight or so triples of an entity."""
    predicates = _read_predicates()
    if predicates is None:
        return ntriples
    return b"".join(line + b"\n" for line in ntriples.split(b"\n")
                    if line and line.split(b" ", 2)[1] in predicates)


@lru_cache(maxsize=1)
def _read_predicates() -> frozenset[bytes] | None:
    """The predicates the shapes read, as N-Triples terms: their paths, the predicates their
    targets and comparisons name, rdf:type and rdfs:subClassOf (for their target classes).
    None when a shape could read any predicate (a path that is not one predicate, a closed
    shape, SPARQL): then every triple is validated."""
    from rdflib import Graph, URIRef
    from rdflib.namespace import RDF, RDFS, SH
    shapes = Graph().parse(ontology_dir() / "shapes.ttl", format="turtle")
    if any(shapes.triples((None, SH.closed, None))) or any(shapes.triples((None, SH.sparql, None))):
        return None
    read = {RDF.type, RDFS.subClassOf}
    for key in (SH.path, SH.targetSubjectsOf, SH.targetObjectsOf, SH.equals, SH.disjoint,
                SH.lessThan, SH.lessThanOrEquals):
        for obj in shapes.objects(None, key):
            if not isinstance(obj, URIRef):
                return None
            read.add(obj)
    return frozenset(f"<{p}>".encode() for p in read)


def validate(graph, limit: int = 20) -> list[str]:
    """Check a graph against ontology/shapes.ttl (pyshacl); return readable violations
    ("flow-…: a flow has exactly one source"), at most ``limit``; [] when it conforms.

    Facts are checked (flows, relation statements, entities, mentions); pyshacl reads the
    graph in memory, so a build checks the graph of each document apart (FINDINGS.md).
    """
    from pyshacl import validate as shacl
    from rdflib import Graph
    from rdflib.namespace import SH
    shapes = Graph().parse(ontology_dir() / "shapes.ttl", format="turtle")
    conforms, report, _ = shacl(graph, shacl_graph=shapes, advanced=False, inference="none")
    if conforms:
        return []
    out = []
    for result in report.subjects(SH.resultSeverity, SH.Violation):
        focus = report.value(result, SH.focusNode)
        message = report.value(result, SH.resultMessage)
        path = report.value(result, SH.resultPath)
        name = str(focus).rsplit("/", 1)[-1]
        out.append(f"{name}: {message or 'violates a shape'} ({str(path).rsplit('#', 1)[-1] if path else ''})")
        if len(out) >= limit:
            break
    return sorted(out)


class StoreWriter:
    """The embedded SPARQL store (pyoxigraph, on disk in ``folder``), written while a build
    runs: one named graph per document (:func:`document_graph`), the entities in
    ENTITIES_GRAPH and the ontology in ONTOLOGY_GRAPH. Queries see the union of the graphs as
    their default graph.

    The documents' graphs stream in as the workers finish them (:meth:`add`, N-Triples) and
    are loaded by chunks of about CHUNK bytes in a thread, parsed and indexed in Rust with
    Python's lock released: the store fills while the documents are read, memory holds a
    chunk or two, and at the end only the last chunk and the entities are left to load
    (:meth:`finish`, then :meth:`join`). Loading all at once after extraction kept a build
    waiting 7 s on the 1,295-cable corpus, with some 400 MB for the loader.

    With ``base`` (the previous build's store), ``folder`` starts as a copy of it and each
    graph added replaces the one of that name: adding documents writes only theirs.
    """

    CHUNK = 8 << 20     # bytes of N-Quads per load: 4 to 16 MB cost the same CPU, 48 MB more

    def __init__(self, folder: Path, base: Path | None = None) -> None:
        import queue
        import threading
        self.replacing = base is not None
        self.queue: queue.Queue = queue.Queue(maxsize=2)
        self.buffer: list[bytes] = []
        self.size = 0
        self.clear: list[str] = []      # graphs to empty before the buffer loads
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._load, args=(folder, base), daemon=True)
        self.thread.start()

    def __enter__(self) -> StoreWriter:
        return self

    def __exit__(self, *exc) -> None:
        self.abort()

    def add(self, graph: str, ntriples: bytes, replace: bool = False) -> None:
        """The graph ``graph`` (N-Triples); ``replace``: it may be in the store already, the
        new one replaces it."""
        if replace and self.buffer:
            self._send()        # its older version may wait in the buffer: load that first
        if replace or self.replacing:
            self.clear.append(graph)
        self.buffer.append(in_graph(ntriples, graph))
        self.size += len(ntriples)
        if self.size >= self.CHUNK:
            self._send()

    def finish(self, entities: bytes) -> None:
        """The entities' graph (N-Triples), last: nothing more is added."""
        self.add(ENTITIES_GRAPH, entities, replace=True)
        self._send()
        self.queue.put(None)

    def join(self) -> None:
        """Wait until the store is written; raise what its loading raised."""
        self.thread.join()
        if self.error is not None:
            raise self.error

    def abort(self) -> None:
        """Stop loading, when the build failed before :meth:`finish` (else a no-op): nothing
        writes into the folder after this."""
        if self.thread.is_alive():
            self.error = self.error or RuntimeError("aborted")
            self.queue.put(None)
            self.thread.join()

    def _send(self) -> None:
        if self.error is not None:
            raise self.error
        self.queue.put((tuple(self.clear), b"".join(self.buffer)))
        self.buffer, self.size, self.clear = [], 0, []

    def _load(self, folder: Path, base: Path | None) -> None:
        import shutil

        import pyoxigraph as ox
        try:
            if base is not None:
                shutil.copytree(base, folder)
                store = ox.Store(str(folder))
            else:
                store = ox.Store(str(folder))
                store.bulk_load(path=str(ontology_dir() / "kg.ttl"), format=ox.RdfFormat.TURTLE,
                                to_graph=ox.NamedNode(ONTOLOGY_GRAPH))
            while (item := self.queue.get()) is not None:
                clear, nquads = item
                for graph in clear:
                    node = ox.NamedNode(graph)
                    if store.contains_named_graph(node):
                        store.remove_graph(node)
                # lenient: no IRI and literal checks, 20% of the loading's CPU. kg wrote
                # these lines itself (its IRIs are slugs, its literals escaped; the tests
                # parse graph.ttl, the same lines, strictly)
                store.bulk_load(nquads, format=ox.RdfFormat.N_QUADS, lenient=True)
                compaction_yields()     # (RocksDB starts its threads as it needs them)
            store.flush()
            del store
        except BaseException as exc:    # raised in the build's thread by join() or add()
            self.error = exc
            while self.queue.get() is not None:     # never leave add() waiting on a full queue
                pass


COMPACTION_NICE = 10


def compaction_yields() -> None:
    """Run RocksDB's compaction threads (``rocksdb:low``, the store's background merging) at
    a lower priority, nice COMPACTION_NICE, where Linux lets a process set its threads'.

    Each bulk load adds files that span the whole key range of every index, and RocksDB merges
    them into its first level, which it rewrites whole each time: the CPU that takes grows
    faster than the corpus. When the workers come first, compaction runs less often and merges
    more files each time. On the corpus four times over (5,180 cables) it took 10-11
    CPU-seconds instead of 27-28 and the build 66-72 s instead of 77-84, for 5 MB more memory;
    ten times over, 40 CPU-seconds instead of 99 and 200 s instead of 224, for 11 MB more. The
    stores were left with as much merging to do (for a later build that adds to them) and
    answered the named queries as fast. On the corpus alone both ways are alike."""
    import os
    for thread, name, _ in rocksdb_threads():
        if name.startswith("rocksdb:low"):
            try:
                os.setpriority(os.PRIO_PROCESS, thread, COMPACTION_NICE)
            except OSError:     # the thread ended
                continue


def rocksdb_threads() -> list[tuple[int, str, list[str]]]:
    """RocksDB's background threads in this process (the store's flushes and compaction):
    each one's id, name and the fields of its /proc stat after the name; none where Linux does
    not tell (elsewhere)."""
    threads = []
    try:
        tasks = list(Path("/proc/self/task").iterdir())
    except OSError:
        return threads
    for task in tasks:
        try:
            text = (task / "stat").read_text(encoding="ascii", errors="replace")
        except OSError:         # the thread ended
            continue
        name = text[text.index("(") + 1:text.rindex(")")]
        if name.startswith("rocksdb"):
            threads.append((int(task.name), name, text[text.rindex(")") + 2:].split()))
    return threads


def data_triples(store) -> Iterable:
    """Every triple of a build's store but the ontology's: each once (one graph per triple)."""
    import pyoxigraph as ox
    ontology_graph = ox.NamedNode(ONTOLOGY_GRAPH)
    for quad in store.quads_for_pattern(None, None, None, None):
        if quad.graph_name != ontology_graph and not isinstance(quad.graph_name, ox.DefaultGraph):
            yield quad.triple


TURTLE_HEADER = (b"# kg graph: N-Triples (valid Turtle), one triple per line: the entities' graph, then "
                 b"each document's graph in order of its IRI, each sorted.\n")


@contextmanager
def turtle_file(path: Path):
    """graph.ttl open for its blocks: N-Triples, which is also valid Turtle, one block of
    :func:`sorted_lines` per named graph, the entities' graph first, then the documents' in
    order of their IRIs. The same graph always gives the same bytes, no triple is in two
    graphs so no line is written twice, and block by block the file is written in bounded
    memory (rdflib's pretty Turtle writer took about 40 s on the 1,295-cable corpus)."""
    with path.open("wb") as f:
        f.write(TURTLE_HEADER)
        yield f


def write_turtle(path: Path, store_dir: Path) -> None:
    """graph.ttl (:func:`turtle_file`) from the store in ``store_dir``."""
    import pyoxigraph as ox
    with turtle_file(path) as f:
        for block in _store_blocks(ox.Store.read_only(str(store_dir))):
            f.write(block)


def _store_blocks(store) -> Iterable[bytes]:
    import pyoxigraph as ox
    documents = sorted(g.value for g in store.named_graphs()
                       if isinstance(g, ox.NamedNode) and g.value not in (ENTITIES_GRAPH, ONTOLOGY_GRAPH))
    for graph in (ENTITIES_GRAPH, *documents):
        quads = store.quads_for_pattern(None, None, None, ox.NamedNode(graph))
        yield sorted_lines(ox.serialize((q.triple for q in quads), format=ox.RdfFormat.N_TRIPLES))
