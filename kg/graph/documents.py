"""The writer of one document's named graph (the document, its paragraphs, its mentions and
its facts), as quads, as N-Triples made where the document was extracted, or as rdflib."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from kg.graph.entities import entity_quads
from kg.graph.facts import fact_quads
from kg.graph.terms import (
    OA_NS,
    ONTOLOGY_NS,
    WGS84_NS,
    document_graph,
    iri,
    ntriples,
    term_node,
    vocab,
)
from kg.ids import ID_NS, document_slug
from kg.model import Document, Entity, Extraction, Mention


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
    return rest, fact_quads(extraction, g)


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
    facts = ntriples(fact_quads(extraction, g))
    mentions = _mention_lines(extraction.mentions)
    return DocumentTriples(facts, sorted_lines(ntriples(rest) + facts + mentions))


def _mention_lines(mentions: Iterable[Mention]) -> bytes:
    """The mentions' triples as N-Triples, written as text: a mention is a text position
    (oa:start, oa:end) in a paragraph of a document, naming an entity. Four triples each, for
    the corpus's 100,000 mentions hold most of the store: the class kg:Mention follows from
    kg:mentions (its rdfs:domain), the document from the paragraph (kg:inParagraph/kg:inDocument),
    and the text is ``texts/<document>.txt`` from start to end (and in mentions.csv). Three
    more triples each cost a corpus build 6 CPU-seconds of loading."""
    v = vocab()
    mentions_, paragraph = str(term_node("mentions")), str(term_node("inParagraph"))
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
    return ntriples(document_quads(extraction, mentions=False))


def sorted_lines(ntriples: bytes) -> bytes:
    """N-Triples sorted, each line once: one graph's block of graph.ttl."""
    lines = sorted(set(ntriples.split(b"\n")) - {b""})
    return b"\n".join(lines) + b"\n" if lines else b""


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
    v, add = vocab(), out.append
    node = iri("document", document_slug(doc.id))
    add(ox.Quad(node, v.type, term_node("Document"), g))
    add(ox.Quad(node, v.identifier, ox.Literal(doc.id), g))
    add(ox.Quad(node, term_node("sourceFile"), ox.Literal(doc.source_file), g))
    add(ox.Quad(node, term_node("sha256"), ox.Literal(doc.sha256), g))
    if doc.title:
        add(ox.Quad(node, v.title, ox.Literal(doc.title), g))
    if doc.date:
        add(ox.Quad(node, v.date, ox.Literal(doc.date, datatype=v.xsd_date), g))
    for prop, value in (("origin", doc.origin), ("classification", doc.classification),
                        ("signer", doc.signer)):
        if value:
            add(ox.Quad(node, term_node(prop), ox.Literal(value), g))
    for tag in doc.tags:
        add(ox.Quad(node, term_node("tag"), ox.Literal(tag), g))
    for p in doc.paragraphs:
        pnode = iri("paragraph", f"{document_slug(doc.id)}/{p.index}")
        add(ox.Quad(node, term_node("paragraph"), pnode, g))
        add(ox.Quad(pnode, v.type, term_node("Paragraph"), g))
        add(ox.Quad(pnode, term_node("number"), ox.Literal(p.number), g))
        add(ox.Quad(pnode, term_node("index"), ox.Literal(p.index), g))
        add(ox.Quad(pnode, term_node("inDocument"), node, g))
