"""The writers of the facts a document states: its flows, its relation statements and the
roles it gives places, each with its evidence, as quads of the document's named graph."""
from __future__ import annotations

from kg.graph.terms import agent, decimal, iri, term_node, vocab
from kg.ids import document_slug
from kg.model import Document, Extraction, Flow, Relation, Role


def fact_quads(extraction: Extraction, g) -> list:
    facts: list = []
    for flow in extraction.flows:
        _flow(facts, flow, g)
    for relation in extraction.relations:
        _relation(facts, relation, g)
    for n, role in enumerate(extraction.roles):
        _role(facts, role, extraction.document, n, g)
    return facts


def _sourced(out: list, node, fact, g) -> None:
    """Evidence, confidence, method and the paragraph a flow or relation comes from."""
    import pyoxigraph as ox
    v, add = vocab(), out.append
    add(ox.Quad(node, term_node("evidence"), ox.Literal(fact.evidence), g))
    add(ox.Quad(node, term_node("confidence"), decimal(round(fact.confidence, 2)), g))
    add(ox.Quad(node, term_node("method"), ox.Literal(fact.method), g))
    add(ox.Quad(node, v.derived,
                iri("paragraph", f"{document_slug(fact.document)}/{fact.paragraph_index}"), g))
    if fact.curator:   # added by an analyst, not found by kg
        add(ox.Quad(node, v.attributed, agent(fact.curator), g))
        if fact.note:
            add(ox.Quad(node, v.comment, ox.Literal(fact.note), g))


def _flow(out: list, f: Flow, g) -> None:
    import pyoxigraph as ox
    v, add = vocab(), out.append
    node = iri("flow", f.id)
    add(ox.Quad(node, v.type, term_node("TraffickingFlow"), g))
    add(ox.Quad(node, term_node("source"), iri("entity", f.source), g))
    add(ox.Quad(node, term_node("destination"), iri("entity", f.destination), g))
    for place in f.transit:
        add(ox.Quad(node, term_node("transit"), iri("entity", place), g))
    if f.transit:
        add(ox.Quad(node, term_node("transitOrder"), ox.Literal(";".join(f.transit)), g))
    for kind in f.exploitation:
        add(ox.Quad(node, term_node("exploitation"), ox.Literal(kind), g))
    if f.victims is not None:
        add(ox.Quad(node, term_node("victims"), ox.Literal(f.victims), g))
    if f.year is not None:
        add(ox.Quad(node, term_node("year"), ox.Literal(f.year), g))
    # both flags always, so a query can ask for true or for false
    add(ox.Quad(node, term_node("hedged"), ox.Literal(bool(f.hedged)), g))
    add(ox.Quad(node, term_node("internal"), ox.Literal(bool(f.internal)), g))
    for sector in f.sectors:
        add(ox.Quad(node, term_node("sector"), ox.Literal(sector), g))
    _sourced(out, node, f, g)


def _relation(out: list, r: Relation, g) -> None:
    """A statement node with the evidence (and an org:Post for posts); the direct triple is in
    the entities' graph."""
    import pyoxigraph as ox
    v, add = vocab(), out.append
    subject, obj = iri("entity", r.subject), iri("entity", r.object)
    node = iri("relation", r.id)
    add(ox.Quad(node, v.type, term_node("RelationStatement"), g))
    add(ox.Quad(node, v.subject, subject, g))
    add(ox.Quad(node, v.predicate, term_node(r.predicate), g))
    add(ox.Quad(node, v.object, obj, g))
    _sourced(out, node, r, g)
    if r.predicate == "holdsPostIn":
        post = iri("post", r.id)
        add(ox.Quad(post, v.type, v.post, g))
        add(ox.Quad(post, v.post_in, obj, g))
        add(ox.Quad(subject, v.holds, post, g))


def _role(out: list, role: Role, doc: Document, n: int, g) -> None:
    import pyoxigraph as ox
    v, add = vocab(), out.append
    node = iri("role", f"{document_slug(doc.id)}/{n}")
    add(ox.Quad(node, v.type, term_node("PlaceRole"), g))
    add(ox.Quad(node, term_node("place"), iri("entity", role.place), g))
    add(ox.Quad(node, term_node("role"), ox.Literal(role.role), g))
    for kind in role.exploitation:
        add(ox.Quad(node, term_node("exploitation"), ox.Literal(kind), g))
    add(ox.Quad(node, term_node("evidence"), ox.Literal(role.evidence), g))
    add(ox.Quad(node, v.derived, iri("document", document_slug(doc.id)), g))
