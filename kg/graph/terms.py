"""kg's ontology (ontology/kg.ttl) and its terms: the namespaces, the closed namespace that
refuses an undeclared term, the named graphs, and the nodes and literals the writers make."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from kg.errors import OntologyError
from kg.ids import ID_NS, document_slug

ONTOLOGY_NS = "https://w3id.org/kg-tip/ontology#"

OA_NS = "http://www.w3.org/ns/oa#"

WGS84_NS = "http://www.w3.org/2003/01/geo/wgs84_pos#"  # rdflib's GEO is GeoSPARQL


def ontology_dir() -> Path:
    """The ontology folder: inside the installed package, or beside it in a checkout."""
    here = Path(__file__).resolve().parent.parent      # the package kg
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
def term_node(name: str):
    """A declared term of the ontology as a pyoxigraph NamedNode (checked like :func:`term`)."""
    import pyoxigraph as ox
    return ox.NamedNode(str(term(name)))


def iri(kind: str, key: str):
    import pyoxigraph as ox
    return ox.NamedNode(f"{ID_NS}{kind}/{key}")


class Vocab:
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
def vocab() -> Vocab:
    return Vocab()


def decimal(value: float):
    """An xsd:decimal literal in its canonical form ("43", "0.5"), as the store keeps it, so
    the Turtle written from memory and the store's own dump are the same bytes."""
    from decimal import Decimal

    import pyoxigraph as ox
    return ox.Literal(format(Decimal(repr(float(value))).normalize(), "f"), datatype=vocab().decimal)


def agent(name: str):
    from kg.ids import slug
    return iri("agent", slug(name))


def ntriples(quads: list) -> bytes:
    import pyoxigraph as ox
    return ox.serialize((q.triple for q in quads), format=ox.RdfFormat.N_TRIPLES)
