"""Extraction step: flows of victims, source -> transit -> destination, with exploitation,
victims, evidence, hedges and sectors.

Each sentence that speaks of people moved or exploited (kg/data/flow_cues.csv; "trafficking"
of drugs or arms is not) is read twice: by the sentence reader (:mod:`kg.extract.routes`:
from/to/via lists with counts, chained hops, role statements, nationalities), and clause by
clause (:mod:`kg.extract.clauses`: nationalities and "in" lists, foreign victims in the
country, transit points, internal flows, areas, hedges). Where both read the same route, the
sentence reader's flow keeps its counts and transit and takes the clause's evidence and
hedge. The country of the report fills an end the text leaves open: a cable's post's, else
the country a text names most. One flow per (source, transit, destination) per paragraph;
restated facts merge. Denied or alleged facts, risks alone and goods are left out.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace

from kg.extract.clauses import RISK, SEMICOLON, clause_spans, found_in_clause
from kg.extract.flowtext import (
    PLACE_TYPES,
    Found,
    Slot,
    cues,
    human_trafficking_words,
    sentences,
    slotted_text,
    speaks_of_human_trafficking,
    speaks_of_trafficking,
    within,
    year_of,
)
from kg.extract.gazetteer import host_country
from kg.extract.routes import read_sentence
from kg.extract.spans import per_paragraph
from kg.ids import digest, entity_id
from kg.model import Document, Entity, Extraction, Flow, Mention, Paragraph, Role

LONGEST = 2000      # characters of the longest sentence the sentence reader reads
SHORT = 400         # words of a short text (one word of trafficking in its headline: a report on it)
# the sentence reader's flows that name both ends in the sentence itself
FIRM = ("route", "route-chain", "route-count", "role", "internal")


# ------------------------------------------------------------------------------ the step

def find_flows(doc: Document, extraction: Extraction) -> Extraction:
    """Extraction step: flows and stated roles of places; runs after the entities."""
    if not speaks_of_trafficking(doc.text):
        # (one pass over the text: most cables are about something else)
        return replace(extraction, flows=(), roles=())
    entities = {e.id: e for e in extraction.entities}
    places = sorted((m for m in extraction.mentions if entities[m.entity_id].type in PLACE_TYPES),
                    key=lambda m: m.start)
    places_of = per_paragraph(doc, places)
    host = _host(doc, entities, places)
    flows: list[Flow] = []
    roles: list[Role] = []
    c = cues()
    # a report about human trafficking: its words twice, or once in the headline of a short
    # text (a press release says "sex trafficking" in its headline and then tells what
    # happened; a news item on migrants that names a trafficking suspect at its end is not)
    body = "\n".join(p.text for p in doc.paragraphs)
    said = len(human_trafficking_words(body))
    head = next((p.text for p in doc.paragraphs if p.text.strip()), "")
    about = said >= 2 or (said == 1 and len(body.split()) <= SHORT and speaks_of_human_trafficking(head))
    for p in doc.paragraphs:
        if p.kind != "body":
            continue
        # a report about human trafficking: any paragraph speaking of people; elsewhere only a
        # paragraph that itself speaks of human trafficking
        if not (speaks_of_human_trafficking(p.text) or (about and c["human"].search(p.text))):
            continue
        found, p_roles = _paragraph(doc, p, places_of[p.index], entities, host, about)
        flows += _merge(doc, p, found)
        roles += p_roles
    return replace(extraction, flows=tuple(flows), roles=tuple(roles))


def _host(doc: Document, entities: dict[str, Entity], places: list[Mention]) -> Entity | None:
    """The country of the report: a cable's post's, else the country a text is about: the one
    it names most, at least three times and half as often again as any other; where two are
    named about as often, the one of them the text names first (a report opens on its
    subject: "Curacao does not fully meet the minimum standards", then names the
    Venezuelans exploited there as often)."""
    code = host_country(doc)
    if code:
        # only a country the document names: every entity keeps at least one mention
        return entities.get(entity_id("Country", code))
    countries = [m for m in places if entities[m.entity_id].type == "Country"]   # (in text order)
    counts = Counter(m.entity_id for m in countries)
    # a news item's dateline and the towns it names count for their country ("HOUSTON - ...")
    for m in places:
        e = entities[m.entity_id]
        country = entity_id("Country", e.country_code) if e.type != "Country" and e.country_code else None
        if country in counts:
            counts[country] += 1
    ranked = counts.most_common(2)
    if not ranked or ranked[0][1] < 3:
        return None
    if len(ranked) > 1 and ranked[0][1] < 1.5 * ranked[1][1]:
        first = countries[0].entity_id
        close = [e for e, n in counts.items() if n >= 3 and 1.5 * n > ranked[0][1]]
        return entities[first] if first in close else None
    return entities[ranked[0][0]]


def _paragraph(doc: Document, p: Paragraph, mentions: list[Mention], entities: dict[str, Entity],
               host: Entity | None, about: bool) -> tuple[list[Found], list[Role]]:
    found: list[Found] = []
    roles: list[Role] = []
    # a sentence of several clauses (semicolons) is read clause by clause: each states its own
    # flows, and its evidence is the clause
    spans = [(n, *c) for n, (a, b) in enumerate(sentences(p))
             for c in clause_spans(p.text, a, b, SEMICOLON)]
    context: list[Slot] = []     # places of the sentences read so far in this paragraph
    pending: list[Slot] = []     # places of the sentence being read
    ordered = sorted(mentions, key=lambda m: m.start)
    starts = [m.start for m in ordered]
    for k, (n, a, b) in enumerate(spans):
        if k and n != spans[k - 1][0]:
            # the places of a sentence are context for the next sentences, not for the other
            # clauses of their own sentence, each of which names its own
            context, pending = context + pending, []
        text = p.text[a:b]
        slots = [Slot(entities[m.entity_id], m.start, m.end, p.text[m.start - p.start:m.end - p.start])
                 for m in within(ordered, starts, p.start + a, p.start + b)]
        slotted = slotted_text(text, slots, p.start + a)
        near = " ".join(p.text[x:y] for _, x, y in spans[max(0, k - 1):k + 2])
        c = cues()
        route = re.search(r"\bfrom\s+(?:\w+\s+){0,2}⟨\d+⟩.*\b(?:to|into)\s+(?:the\s+)?⟨\d+⟩", slotted)
        speaks = speaks_of_human_trafficking(text) or (about and (c["human"].search(text) or route))
        goods_only = c["goods"].search(text) and not c["strong"].search(text)
        by_sentence: list[Found] = []
        risk_only = RISK.search(text) and not c["exploit"].search(RISK.sub(" ", text))
        # the sentence reader's rules look across the whole sentence; one of thousands of words
        # (a table or an OCR page pasted as text) is left to the clause reader, which is linear
        if len(text) <= LONGEST and speaks and not (
                c["hedge"].search(text) or c["not"].search(text) or goods_only or risk_only):
            by_sentence = read_sentence(doc, p, (p.start + a, p.start + b), text, slotted, slots, context,
                                    near, host, roles)
        by_clause = _clauses(doc, p, (a, b), slots, host, about)
        if by_clause:
            # what the clauses state outweighs the sentence reader's guesses (an end taken
            # from the sentences before, or from the country of the report); where both read
            # the same route (by country), the sentence reader's has its counts, transit and
            # most specific places
            read = {_countries(f) for f in by_clause}
            by_sentence = [f for f in by_sentence if f.method in FIRM or _countries(f) in read]
            by_sentence = [_narrowed(g, [f for f in by_clause if _restates(g, f)], p) for g in by_sentence]
            by_clause = [f for f in by_clause if not any(_restates(g, f) for g in by_sentence)]
        found += by_sentence + by_clause
        context += slots
    return found, roles


def _countries(f: Found) -> tuple[str, str]:
    return (f.source.country_code or f.source.id, f.destination.country_code or f.destination.id)


def _narrowed(g: Found, same: list[Found], p: Paragraph) -> Found:
    """The sentence reader's flow with the evidence of the clause that states it, the year
    that clause gives ("in 2006 ..., and in 2007 ..."), its count where the sentence reader
    found none, and hedged when that clause only says it may happen."""
    if not same:
        return g
    f = min(same, key=lambda f: (f.hedged, f.sentence[1] - f.sentence[0]))
    if not (g.sentence[0] <= f.sentence[0] and f.sentence[1] <= g.sentence[1]):
        return replace(g, hedged=f.hedged)
    clause = p.text[f.sentence[0] - p.start:f.sentence[1] - p.start]
    return replace(g, sentence=f.sentence, hedged=f.hedged, year=year_of(clause) or g.year,
                   victims=g.victims if g.victims is not None else f.victims)


def _restates(g: Found, f: Found) -> bool:
    """Whether the sentence reader's flow g states f: the same source (or its country) and the
    same destination, or a place inside f's destination country."""
    if _countries(g)[0] != _countries(f)[0]:
        return False
    return g.destination.id == f.destination.id or (
        f.destination.type == "Country" and g.destination.country_code == f.destination.country_code)


def _clauses(doc: Document, p: Paragraph, span: tuple[int, int], slots: list[Slot],
             host: Entity | None, about: bool) -> list[Found]:
    """The flows of a sentence read clause by clause (:mod:`kg.extract.clauses`)."""
    c = cues()
    out: list[Found] = []
    for a, b in clause_spans(p.text, *span):
        text = p.text[a:b]
        if not (speaks_of_human_trafficking(text) or (about and c["human"].search(text))):
            continue
        if (c["goods"].search(text) and not c["strong"].search(text)) or c["not"].search(text):
            continue
        inside = [s for s in slots if p.start + a <= s.start and s.end <= p.start + b]
        out += found_in_clause(text, inside, (p.start + a, p.start + b), host,
                               year_of(text) or doc.year)
    return out


def _merge(doc: Document, p: Paragraph, found: list[Found]) -> list[Flow]:
    """One flow per (source, transit, destination) in a paragraph: types joined, the stated
    count kept, the first sentence as evidence; "unspecified" gives way to a stated type, and a
    flow with no type takes those of the flows to the same destination."""
    merged: dict[tuple, Found] = {}
    for f in found:
        key = (f.source.id, tuple(t.id for t in f.transit), f.destination.id)
        if key not in merged:
            merged[key] = replace(f, exploitation=set(f.exploitation), sectors=set(f.sectors))
            continue
        m = merged[key]
        m.exploitation |= f.exploitation
        m.sectors |= f.sectors
        if m.hedged and not f.hedged:
            # a firm statement of the same flow outweighs a hedged one, and gives the evidence
            merged[key] = m = replace(m, hedged=False, sentence=f.sentence, method=f.method,
                                      confidence=f.confidence)
        if m.victims is None and f.victims is not None:
            # the evidence of a flow with a count is the sentence that gives the count
            merged[key] = replace(m, victims=f.victims, sentence=f.sentence)
    for f in merged.values():
        if f.exploitation - {"unspecified", "child"}:
            f.exploitation.discard("unspecified")
    for f in merged.values():
        if f.exploitation <= {"unspecified", "child"}:
            same = [g for g in merged.values() if g is not f and g.destination.id == f.destination.id
                    and g.source.id == f.source.id and not g.exploitation <= {"unspecified", "child"}]
            if same:
                f.exploitation.discard("unspecified")
                f.exploitation |= same[0].exploitation
    for key, f in list(merged.items()):
        if f.destination.type == "Country" and any(
                g.source.id == f.source.id and g.destination.type != "Country"
                and g.destination.country_code == f.destination.country_code and g.transit == f.transit
                for g in merged.values()):
            del merged[key]   # the most specific place stated wins
    flows = []
    for (src, transit, dst), f in sorted(merged.items()):
        a, b = f.sentence
        flows.append(Flow(
            id=f"flow-{digest(doc.id, p.index, src, *transit, dst)}", source=src, destination=dst,
            transit=transit, exploitation=tuple(sorted(f.exploitation)), victims=f.victims,
            year=f.year, document=doc.id, paragraph=p.number, paragraph_index=p.index,
            evidence=" ".join(p.text[a - p.start:b - p.start].split()), start=a, end=b, confidence=f.confidence,
            method=f.method, hedged=f.hedged, sectors=tuple(sorted(f.sectors)),
            internal=bool(f.source.country_code) and f.source.country_code == f.destination.country_code))
    return flows
