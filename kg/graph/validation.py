"""The SHACL check of a graph against ontology/shapes.ttl (pyshacl), of the triples the shapes
read."""
from __future__ import annotations

from functools import lru_cache

from kg.graph.terms import ontology_dir


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
