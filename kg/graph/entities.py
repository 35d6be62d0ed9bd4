"""The writer of the entities' graph (ENTITIES_GRAPH): every entity once, the analysts whose
corrections the build applied, and the direct triple of every stated relation."""
from __future__ import annotations

from collections.abc import Iterable

from kg.graph.terms import ENTITIES_GRAPH, agent, decimal, iri, ntriples, term_node, vocab
from kg.ids import entity_id
from kg.model import Entity, Extraction


def entity_quads(entities: Iterable[Entity], extractions: Iterable[Extraction]) -> list:
    """The graph ENTITIES_GRAPH: every entity once (labels, type, country, coordinates) and the
    direct triple of every stated relation once (its statements live in the documents' graphs).

    Each triple of a build lives in exactly one named graph, so the union of the graphs (what
    queries see as their default graph) has no duplicates.
    """
    import pyoxigraph as ox
    v, g = vocab(), ox.NamedNode(ENTITIES_GRAPH)
    out = []
    add = out.append
    for entity in entities:
        node = iri("entity", entity.id)
        add(ox.Quad(node, v.type, term_node(entity.type), g))
        add(ox.Quad(node, v.pref, ox.Literal(entity.name), g))
        for alias in entity.aliases:
            add(ox.Quad(node, v.alt, ox.Literal(alias), g))
        if entity.country_code:
            add(ox.Quad(node, term_node("countryCode"), ox.Literal(entity.country_code), g))
        if entity.latitude is not None and entity.longitude is not None:
            add(ox.Quad(node, v.lat, decimal(entity.latitude), g))
            add(ox.Quad(node, v.long, decimal(entity.longitude), g))
        if entity.title:
            add(ox.Quad(node, term_node("title"), ox.Literal(entity.title), g))
        if entity.country_code and entity.type != "Country":
            add(ox.Quad(node, term_node("country"), iri("entity", entity_id("Country", entity.country_code)), g))
        if entity.curator:
            add(ox.Quad(node, v.attributed, agent(entity.curator), g))
    # the analysts whose corrections the build applied (PROV-O agents)
    curators = {e.curator for e in entities} | {
        f.curator for x in extractions for f in (*x.flows, *x.relations)}
    for name in sorted(curators - {""}):
        add(ox.Quad(agent(name), v.type, v.agent, g))
        add(ox.Quad(agent(name), v.pref, ox.Literal(name), g))
    stated = {(r.subject, r.predicate, r.object) for x in extractions for r in x.relations}
    for subject, predicate, obj in sorted(stated):
        add(ox.Quad(iri("entity", subject), term_node(predicate), iri("entity", obj), g))
    return out


def entity_triples(entities: Iterable[Entity], extractions: Iterable[Extraction]) -> bytes:
    """The graph ENTITIES_GRAPH (:func:`entity_quads`) as N-Triples."""
    return ntriples(entity_quads(entities, extractions))
