"""Extractions -> an RDF graph under kg's ontology, and the ontology itself.

One job a module: :mod:`~kg.graph.terms` (the ontology, its terms and named graphs),
:mod:`~kg.graph.entities`, :mod:`~kg.graph.documents` and :mod:`~kg.graph.facts` (the writers of
the entities' graph, of each document's graph, and of the flows, relations and roles in it),
:mod:`~kg.graph.validation` (SHACL) and :mod:`~kg.graph.store` (the store and graph.ttl).
"""
from __future__ import annotations

from kg.graph.documents import (
    DocumentTriples,
    document_quads,
    document_triples,
    fact_triples,
    in_graph,
    sorted_lines,
    to_graph,
)
from kg.graph.entities import entity_quads, entity_triples
from kg.graph.store import (
    COMPACTION_NICE,
    TURTLE_HEADER,
    StoreWriter,
    compaction_yields,
    data_triples,
    rocksdb_threads,
    turtle_file,
    write_turtle,
)
from kg.graph.terms import (
    ENTITIES_GRAPH,
    KG,
    OA_NS,
    ONTOLOGY_GRAPH,
    ONTOLOGY_NS,
    WGS84_NS,
    document_graph,
    ontology,
    ontology_dir,
    ontology_version,
    term,
)
from kg.graph.validation import shaped, validate, validate_triples

__all__ = [
    "COMPACTION_NICE",
    "ENTITIES_GRAPH",
    "KG",
    "OA_NS",
    "ONTOLOGY_GRAPH",
    "ONTOLOGY_NS",
    "TURTLE_HEADER",
    "WGS84_NS",
    "DocumentTriples",
    "StoreWriter",
    "compaction_yields",
    "data_triples",
    "document_graph",
    "document_quads",
    "document_triples",
    "entity_quads",
    "entity_triples",
    "fact_triples",
    "in_graph",
    "ontology",
    "ontology_dir",
    "ontology_version",
    "rocksdb_threads",
    "shaped",
    "sorted_lines",
    "term",
    "to_graph",
    "turtle_file",
    "validate",
    "validate_triples",
    "write_turtle",
]
