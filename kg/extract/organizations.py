"""Organisations: agencies, courts, NGOs, international organisations, media, the embassy.

Four ways of finding them, from the surest to the least sure:

1. the lexicon (kg/data/organizations.csv): well-known bodies with their acronyms and other
   names; a country code of ``*`` means "the country of the context" (a Ministry of Justice in a
   cable from Astana is Kazakhstan's unless the text says "Kyrgyz Ministry of Justice");
2. names built on a head word (kg/data/org_heads.csv): runs of capitalised words such as
   "Anti-Organized Crime Unit of the West Kazakhstan Transportation Police Department" give the
   unit and its parent; a place before "court" or "police department" gives a local body;
3. cues: "X NGO", "newspaper X", a press summary's "June 4, Vremya:";
4. acronyms the document defines, "the Procurator General's Office (PGO)": later "PGO" joins it.

"Post" (and "the embassy") is the embassy that sent the cable (CONTRACT.md).
Each entity's id is minted from its type, country and canonical name, so the same body found
in two documents is one entity.

The step is here; the lexicon and the entities are kg/extract/org_lexicon.py, the names on a
head word kg/extract/org_names.py, the cues kg/extract/org_cues.py and the acronyms
kg/extract/org_acronyms.py.
"""
from __future__ import annotations

import re
from dataclasses import replace

from kg.extract.gazetteer import host_country
from kg.extract.org_acronyms import (
    acronym_definitions,
    acronym_pattern,
    apply_acronyms,
    other_acronyms,
)
from kg.extract.org_cues import (
    described_hits,
    embassy,
    embassy_hits,
    local_bodies,
    local_offices,
    media_hits,
    ngo_hits,
)
from kg.extract.org_lexicon import (
    ORG_TYPES,
    Hit,
    adjective_before,
    automaton,
    country_before,
    heads,
    lexicon,
    lexicon_entity,
    make_entity,
)
from kg.extract.org_names import named_bodies
from kg.extract.scanning import scan
from kg.extract.spans import per_paragraph, with_aliases
from kg.ids import normalise
from kg.model import Document, Entity, Extraction, Mention, Paragraph

# what other modules import from here (the lexicon's names, as before the split)
__all__ = ["ORG_TYPES", "find_organizations", "heads", "lexicon", "lexicon_entity"]


def find_organizations(doc: Document, extraction: Extraction) -> Extraction:
    """Extraction step: organisations, with their mentions; runs after the places."""
    host = host_country(doc)
    places = [m for m in extraction.mentions]
    place_entities = {e.id: e for e in extraction.entities}
    hits_by_paragraph: dict[int, list[Hit]] = {}
    acronyms: dict[str, Entity] = {}
    places_of = per_paragraph(doc, places)
    post = embassy(doc)
    for p in doc.paragraphs:
        p_places = places_of[p.index]
        hits = _paragraph_hits(doc, p, host, p_places, place_entities, post)
        acronyms.update(acronym_definitions(p.text, hits))
        hits_by_paragraph[p.index] = hits
    mentions = list(extraction.mentions)
    entities = dict(place_entities)
    org_spans: dict[int, list[tuple[int, int, Entity]]] = {}     # by paragraph
    uses = acronym_pattern(acronyms)
    for p in doc.paragraphs:
        hits_by_paragraph[p.index] = apply_acronyms(p.text, hits_by_paragraph[p.index], acronyms, uses)
    others = other_acronyms(doc, hits_by_paragraph, acronyms)
    if others:
        # "the RUE Coordination Committee", where the text defined RUE for a firm: not a body
        for p in doc.paragraphs:
            hits_by_paragraph[p.index] = [h for h in hits_by_paragraph[p.index] if not (
                h.method == "pattern" and p.text[h.start:h.end].split()[0] in others)]
    short = _short_forms([h.entity for hits in hits_by_paragraph.values() for h in hits
                          if h.method in ("pattern", "cue")])
    for p in doc.paragraphs:
        hits = [replace(h, entity=short.get(h.entity.id, h.entity)) for h in hits_by_paragraph[p.index]]
        for h in hits:
            entities.setdefault(h.entity.id, h.entity)
            mentions.append(Mention.at(h.entity.id, doc, p, p.start + h.start, p.start + h.end, h.method))
            if h.method != "local":  # "the court of Zhambyl Oblast" names the oblast as a place
                # (a country's adjective before the name stays a mention of the country)
                org_spans.setdefault(p.index, []).append((p.start + max(h.start, h.core), p.start + h.end, h.entity))
    mentions = [m for m in mentions
                if not _place_inside_org(m, entities, org_spans.get(m.paragraph_index, ()))]
    used = {m.entity_id for m in mentions}
    entities = {k: v for k, v in entities.items() if k in used}
    return with_aliases(doc, extraction, entities, mentions)


def _short_forms(found: list[Entity]) -> dict[str, Entity]:
    """Short forms of a longer name in the same document join it: "the Working Group" is the
    "Interagency TIP Working Group", "Juno Fund" the "Juno Orphans' Relief Fund" (same first or
    last word, words in order), when only one longer name fits."""
    by_id = {e.id: e for e in found}
    words = {eid: normalise(e.name).split() for eid, e in by_id.items()}
    out = {}
    for eid, short in words.items():
        if len(short) < 2:
            continue
        fits = [other for other, long in words.items()
                if len(long) > len(short) and by_id[other].type == by_id[eid].type
                and (long[0] == short[0] or long[-1] == short[-1]) and _in_order(short, long)]
        if len(fits) == 1:
            out[eid] = by_id[fits[0]]
    return out


def _in_order(short: list[str], long: list[str]) -> bool:
    it = iter(long)
    return all(w in it for w in short)


def _place_inside_org(m: Mention, entities: dict[str, Entity], spans) -> bool:
    """A place inside an organisation's name is part of the name, not a mention of the place
    ("Phoenix Center for Development" in Kazakhstan is not Phoenix, Arizona; the organisation
    carries its own country)."""
    place = entities.get(m.entity_id)
    if place is None or place.type not in ("City", "Region", "Country"):
        return False
    return any(start <= m.start and m.end <= end and (start, end) != (m.start, m.end)
               for start, end, _ in spans)


# ------------------------------------------------------------------------------ per paragraph

def _paragraph_hits(doc: Document, p: Paragraph, host: str, places: list[Mention],
                    place_entities: dict[str, Entity], post: Entity) -> list[Hit]:
    text = p.text
    hits: list[Hit] = []
    for start, end, entry in scan(automaton(), p, doc.all_caps):
        if PARTY_AFTER.match(text, end):
            continue    # "the Congress Party": a party, not the legislature
        country = country_before(text, start) or host
        adjective = adjective_before(text, start) if entry.country_code == "*" else start
        hits.append(Hit(adjective, end, lexicon_entity(entry, country), "lexicon", core=start))
    if doc.kind == "cable":
        hits += embassy_hits(text, post)
    if not doc.all_caps:
        local = [(m.start - p.start, m.end - p.start, place_entities[m.entity_id]) for m in places]
        hits += local_bodies(text, local, host)
        hits += local_offices(text, hits, local)
        hits += media_hits(text, p.index == 1 or p.kind == "body")
        hits += ngo_hits(text, host)
        hits += named_bodies(text, host, local)
        hits += described_hits(text)
    return _owned(text, _resolve_overlaps(hits))


PARTY_AFTER = re.compile(r"\s+[Pp]art(?:y|ies)\b")


def _owned(text: str, hits: list[Hit]) -> list[Hit]:
    """A unit named after its owner's possessive ("the Embassy's Legal Office", "the
    Ministry of Finance's Financial Directorate") is in its owner's country."""
    out = list(hits)
    for k in range(1, len(out)):
        owner, unit = out[k - 1], out[k]
        if (unit.method == "pattern" and unit.entity.type == "GovernmentAgency"
                and owner.entity.type in ("GovernmentAgency", "InternationalOrganization")
                and re.fullmatch(r"['’]s\s+", text[owner.end:unit.start])
                and owner.entity.country_code != unit.entity.country_code):
            out[k] = replace(unit, entity=make_entity(unit.entity.name, unit.entity.type,
                                                      owner.entity.country_code))
    return out


def _resolve_overlaps(hits: list[Hit]) -> list[Hit]:
    """Longest first; where two hits overlap, the longer (then the surer) wins."""
    rank = {"lexicon": 0, "embassy": 0, "local": 1, "cue": 1, "media": 1, "described": 1, "pattern": 2}
    chosen: list[Hit] = []
    for h in sorted(hits, key=lambda h: (-(h.end - h.start), rank.get(h.method, 3), h.start)):
        if all(h.end <= c.start or h.start >= c.end for c in chosen):
            chosen.append(h)
    return sorted(chosen, key=lambda h: h.start)
