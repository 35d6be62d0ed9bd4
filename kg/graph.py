"""Extractions -> an RDF graph under kg's ontology (rdflib), and the ontology itself."""
from __future__ import annotations

from collections.abc import Iterable
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


def iri(kind: str, key: str):
    from rdflib import URIRef
    return URIRef(f"{ID_NS}{kind}/{key}")


def to_graph(extractions: Iterable[Extraction], entities: Iterable[Entity], mentions: bool = True):
    """Build the RDF graph of a build: documents, paragraphs, entities, mentions, flows,
    relations and roles (``mentions=False``: the facts only, for validation)."""
    from rdflib import Graph, Literal, URIRef
    from rdflib.namespace import DCTERMS, PROV, RDF, SKOS, XSD, Namespace
    GEO = Namespace(WGS84_NS)

    graph = Graph()
    for prefix, ns in (("kg", ONTOLOGY_NS), ("dcterms", DCTERMS), ("prov", PROV),
                       ("skos", SKOS), ("geo", GEO), ("oa", OA_NS),
                       ("id", ID_NS)):
        graph.bind(prefix, ns)
    oa_start, oa_end = URIRef(OA_NS + "start"), URIRef(OA_NS + "end")
    add = graph.add

    for entity in entities:
        node = iri("entity", entity.id)
        add((node, RDF.type, term(entity.type)))
        add((node, SKOS.prefLabel, Literal(entity.name)))
        for alias in entity.aliases:
            add((node, SKOS.altLabel, Literal(alias)))
        if entity.country_code:
            add((node, term("countryCode"), Literal(entity.country_code)))
        if entity.latitude is not None and entity.longitude is not None:
            add((node, GEO.lat, Literal(entity.latitude, datatype=XSD.decimal)))
            add((node, GEO.long, Literal(entity.longitude, datatype=XSD.decimal)))
        if entity.title:
            add((node, term("title"), Literal(entity.title)))
        if entity.country_code and entity.type != "Country":
            add((node, term("country"), iri("entity", entity_id("Country", entity.country_code))))

    for extraction in extractions:
        doc = extraction.document
        if mentions:
            _document(graph, doc)
        for mention in extraction.mentions if mentions else ():
            _mention(graph, mention, oa_start, oa_end)
        for flow in extraction.flows:
            _flow(graph, flow)
        for relation in extraction.relations:
            _relation(graph, relation)
        for n, role in enumerate(extraction.roles):
            _role(graph, role, doc, n)
    return graph


def _document(graph, doc: Document) -> None:
    from rdflib import Literal
    from rdflib.namespace import DCTERMS, RDF, XSD
    add = graph.add
    node = iri("document", document_slug(doc.id))
    add((node, RDF.type, term("Document")))
    add((node, DCTERMS.identifier, Literal(doc.id)))
    add((node, term("sourceFile"), Literal(doc.source_file)))
    add((node, term("sha256"), Literal(doc.sha256)))
    if doc.title:
        add((node, DCTERMS.title, Literal(doc.title)))
    if doc.date:
        add((node, DCTERMS.date, Literal(doc.date, datatype=XSD.date)))
    for prop, value in (("origin", doc.origin), ("classification", doc.classification),
                        ("signer", doc.signer)):
        if value:
            add((node, term(prop), Literal(value)))
    for tag in doc.tags:
        add((node, term("tag"), Literal(tag)))
    for p in doc.paragraphs:
        pnode = iri("paragraph", f"{document_slug(doc.id)}/{p.index}")
        add((node, term("paragraph"), pnode))
        add((pnode, RDF.type, term("Paragraph")))
        add((pnode, term("number"), Literal(p.number)))
        add((pnode, term("index"), Literal(p.index)))
        add((pnode, term("inDocument"), node))


def _mention(graph, m: Mention, oa_start, oa_end) -> None:
    from rdflib import Literal
    from rdflib.namespace import RDF
    doc = document_slug(m.document)
    node = iri("mention", f"{doc}/{m.start}-{m.end}")
    graph.add((node, RDF.type, term("Mention")))
    graph.add((node, term("mentions"), iri("entity", m.entity_id)))
    graph.add((node, term("inParagraph"), iri("paragraph", f"{doc}/{m.paragraph_index}")))
    graph.add((node, term("inDocument"), iri("document", doc)))
    graph.add((node, oa_start, Literal(m.start)))
    graph.add((node, oa_end, Literal(m.end)))
    graph.add((node, term("text"), Literal(m.text)))


def _flow(graph, f: Flow) -> None:
    from rdflib import Literal
    from rdflib.namespace import PROV, RDF, XSD
    add = graph.add
    node = iri("flow", f.id)
    add((node, RDF.type, term("TraffickingFlow")))
    add((node, term("source"), iri("entity", f.source)))
    add((node, term("destination"), iri("entity", f.destination)))
    for place in f.transit:
        add((node, term("transit"), iri("entity", place)))
    if f.transit:
        add((node, term("transitOrder"), Literal(";".join(f.transit))))
    for kind in f.exploitation:
        add((node, term("exploitation"), Literal(kind)))
    if f.victims is not None:
        add((node, term("victims"), Literal(f.victims)))
    if f.year is not None:
        add((node, term("year"), Literal(f.year)))
    add((node, term("evidence"), Literal(f.evidence)))
    add((node, term("confidence"), Literal(f"{f.confidence:.2f}", datatype=XSD.decimal)))
    add((node, term("method"), Literal(f.method)))
    add((node, PROV.wasDerivedFrom,
         iri("paragraph", f"{document_slug(f.document)}/{f.paragraph_index}")))


def _relation(graph, r: Relation) -> None:
    """The direct triple, and a statement node with the evidence (and an org:Post for posts)."""
    from rdflib import Literal, URIRef
    from rdflib.namespace import PROV, RDF, XSD
    add = graph.add
    subject, obj = iri("entity", r.subject), iri("entity", r.object)
    add((subject, term(r.predicate), obj))
    node = iri("relation", r.id)
    add((node, RDF.type, term("RelationStatement")))
    add((node, RDF.subject, subject))
    add((node, RDF.predicate, term(r.predicate)))
    add((node, RDF.object, obj))
    add((node, term("evidence"), Literal(r.evidence)))
    add((node, term("confidence"), Literal(f"{r.confidence:.2f}", datatype=XSD.decimal)))
    add((node, term("method"), Literal(r.method)))
    add((node, PROV.wasDerivedFrom, iri("paragraph", f"{document_slug(r.document)}/{r.paragraph_index}")))
    if r.predicate == "holdsPostIn":
        org = "http://www.w3.org/ns/org#"
        post = iri("post", r.id)
        add((post, RDF.type, URIRef(org + "Post")))
        add((post, URIRef(org + "postIn"), obj))
        add((subject, URIRef(org + "holds"), post))


def _role(graph, role: Role, doc: Document, n: int) -> None:
    from rdflib import Literal
    from rdflib.namespace import PROV, RDF
    add = graph.add
    node = iri("role", f"{document_slug(doc.id)}/{n}")
    add((node, RDF.type, term("PlaceRole")))
    add((node, term("place"), iri("entity", role.place)))
    add((node, term("role"), Literal(role.role)))
    for kind in role.exploitation:
        add((node, term("exploitation"), Literal(kind)))
    add((node, term("evidence"), Literal(role.evidence)))
    add((node, PROV.wasDerivedFrom, iri("document", document_slug(doc.id))))


ONTOLOGY_GRAPH = "https://w3id.org/kg-tip/ontology"


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


def write_store(triples: Path, folder: Path) -> None:
    """The embedded SPARQL store (pyoxigraph, on disk in ``folder``): the build's triples in
    the default graph and the ontology in the named graph ONTOLOGY_GRAPH."""
    import pyoxigraph as ox
    store = ox.Store(str(folder))
    store.bulk_load(path=str(triples), format=ox.RdfFormat.N_TRIPLES)
    store.bulk_load(path=str(ontology_dir() / "kg.ttl"), format=ox.RdfFormat.TURTLE,
                    to_graph=ox.NamedNode(ONTOLOGY_GRAPH))
    store.flush()
    del store


def write_turtle(graph, path: Path) -> None:
    """Write the graph as sorted N-Triples, which is also valid Turtle.

    rdflib's pretty Turtle writer takes about 40 s on the 1,295-cable corpus (71,000
    mentions); sorted triples take a few seconds and give the same bytes for the same graph.
    """
    lines = sorted(set(graph.serialize(format="nt").splitlines()) - {""})
    with path.open("w", encoding="utf-8", newline="\n") as f:
        f.write("# kg graph: N-Triples (valid Turtle), one triple per line, sorted.\n")
        for line in lines:
            f.write(line + "\n")
