"""Flows of victims: source -> transit -> destination, with exploitation, victims and evidence.

Each sentence that speaks of people moved or exploited (kg/data/flow_cues.csv; "trafficking"
of drugs or arms is not) is rewritten with its places as slots ("34 female victims from ⟨0⟩
... were trafficked to ⟨1⟩"), and rules read the slots:

- groups: ``from`` / ``recruited in`` lists (sources), ``to`` / ``into`` lists (destinations),
  ``via`` / ``through`` / ``transiting`` (transit), each with the count of the noun phrase
  before it ("two females and one male victim to ⟨3⟩": 3) and "(four of them via ⟨4⟩)";
- hops that chain ("from A by land to B, from B by air to C") make one flow with a transit;
- role statements ("⟨0⟩ is a destination, transit, and source country for ...") give roles
  (roles.csv) and the missing end of the flows in the same sentence;
- victims by nationality ("13 citizens of Uzbekistan", "two Uzbek victims") found in a place
  give nationality -> place (the place of the sentence or paragraph, else the country of the
  report);
- an origin the text does not name ("girls from rural areas") is the country of the report.

Exploitation types come from kg/data/exploitation.csv (the words after a destination first,
then the sentence, then its neighbours). One flow per (source, transit, destination) per
paragraph; restated facts merge. Denied or alleged facts are left out.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, replace

from kg.extract.clauses import RISK, SEMICOLON, clause_spans, found_in_clause, names_people
from kg.extract.flowtext import (
    FROM,
    NUMBER,
    PEOPLE,
    PLACE_TYPES,
    ROLE,
    SUB,
    TO,
    VIA,
    Found,
    Slot,
    count_all,
    count_before,
    cues,
    exploitation_of,
    number,
    sectors_of,
    sentences,
    slotted_text,
    speaks_of_trafficking,
    take_list,
    within,
    year_of,
)
from kg.extract.gazetteer import host_country, is_demonym
from kg.extract.spans import per_paragraph
from kg.ids import digest, entity_id
from kg.model import Document, Entity, Extraction, Flow, Mention, Paragraph, Role

LONGEST = 2000      # characters of the longest sentence the sentence reader reads
# the sentence reader's flows that name both ends in the sentence itself
FIRM = ("route", "route-chain", "route-count", "role", "internal")


@dataclass
class Group:
    kind: str                       # "from", "to", "via"
    slots: list[int]
    start: int                      # in the slotted sentence
    end: int
    count: int | None = None
    via: list[int] = field(default_factory=list)
    subs: list[tuple[int, int]] = field(default_factory=list)   # (count, transit slot)
    tail: str = ""                  # words after the list, up to the next group


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
    about = len(c["trafficking"].findall(c["goods_trafficking"].sub(" ", "\n".join(
        p.text for p in doc.paragraphs)))) >= 2
    for p in doc.paragraphs:
        if p.kind != "body":
            continue
        # a report about human trafficking: any paragraph speaking of people; elsewhere only a
        # paragraph that itself speaks of human trafficking
        strong = bool(c["trafficking"].search(c["goods_trafficking"].sub(" ", p.text)))
        if not (strong or (about and c["human"].search(p.text))):
            continue
        found, p_roles = _paragraph(doc, p, places_of[p.index], entities, host, about)
        flows += _merge(doc, p, found)
        roles += p_roles
    return replace(extraction, flows=tuple(flows), roles=tuple(roles))


def _host(doc: Document, entities: dict[str, Entity], places: list[Mention]) -> Entity | None:
    """The country of the report: a cable's post's, else the country a text is about (the
    one it names most, at least three times and half as often again as any other)."""
    code = host_country(doc)
    if code:
        # only a country the document names: every entity keeps at least one mention
        return entities.get(entity_id("Country", code))
    counts = Counter(m.entity_id for m in places if entities[m.entity_id].type == "Country")
    ranked = counts.most_common(2)
    if not ranked or ranked[0][1] < 3 or (len(ranked) > 1 and ranked[0][1] < 1.5 * ranked[1][1]):
        return None
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
        speaks = c["trafficking"].search(c["goods_trafficking"].sub(" ", text)) or (
            about and (c["human"].search(text) or route))
        goods_only = c["goods"].search(text) and not c["strong"].search(text)
        by_sentence: list[Found] = []
        risk_only = RISK.search(text) and not c["exploit"].search(RISK.sub(" ", text))
        # the sentence reader's rules look across the whole sentence; one of thousands of words
        # (a table or an OCR page pasted as text) is left to the clause reader, which is linear
        if len(text) <= LONGEST and speaks and not (
                c["hedge"].search(text) or c["not"].search(text) or goods_only or risk_only):
            by_sentence = _sentence(doc, p, (p.start + a, p.start + b), text, slotted, slots, context,
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
        if not (c["trafficking"].search(c["goods_trafficking"].sub(" ", text)) or
                (about and c["human"].search(text))):
            continue
        if (c["goods"].search(text) and not c["strong"].search(text)) or c["not"].search(text):
            continue
        inside = [s for s in slots if p.start + a <= s.start and s.end <= p.start + b]
        out += found_in_clause(text, inside, (p.start + a, p.start + b), host,
                               year_of(text) or doc.year)
    return out


def _sentence(doc: Document, p: Paragraph, span: tuple[int, int], text: str, slotted: str,
              slots: list[Slot], context: list[Slot], near: str, host: Entity | None,
              roles: list[Role]) -> list[Found]:
    year = year_of(text) or doc.year
    slots = list(slots)
    generic = re.search(r"\b[Tt](?:he|his)\s+country(?=\s+(?:is|was|remains|serves\s+as)\b)", slotted)
    if host is not None and generic:
        # "The country is a destination for ...": the country of the report
        slots.append(Slot(host, span[0], span[0], "the country"))
        slotted = slotted[:generic.start()] + f"⟨{len(slots) - 1}⟩" + slotted[generic.end():]
    role_of: dict[int, set[str]] = {}
    for m in ROLE.finditer(slotted):
        slot = int(m.group("slot") or m.group("slot2"))
        words = re.findall(r"source|transit|destination|origin", m.group("roles") or m.group("roles2"))
        kinds = {"source" if w == "origin" else w for w in words}
        role_of.setdefault(slot, set()).update(kinds)
        for kind in sorted(kinds):
            roles.append(Role(slots[slot].entity.id, kind, tuple(sorted(exploitation_of(text) - {"child"})),
                              doc.id, p.number, " ".join(text.split())))
    groups = _groups(slotted)
    in_subs = {slot for g in groups for _, slot in g.subs}
    groups = [g for g in groups if not (g.kind == "via" and set(g.slots) <= in_subs)
              and not (g.kind == "from" and cues()["agent"].search(" ".join(slotted[:g.start].split()[-3:])))]
    sources = [g for g in groups if g.kind == "from"]
    dests = [g for g in groups if g.kind == "to"]
    loose_via = [s for g in groups if g.kind == "via" for s in g.slots]
    sentence_types = exploitation_of(text)
    out: list[Found] = []

    def add(src: Entity, transit: list[Entity], dst: Entity, victims: int | None, tail: str,
            method: str, confidence: float) -> None:
        if src.id == dst.id and not (src.type == "Country" and method == "internal"):
            return
        if any(t.id in (src.id, dst.id) for t in transit):
            transit = [t for t in transit if t.id not in (src.id, dst.id)]
        # a statistic ("three females to Thailand") keeps to its own words; a narrative may
        # state the purpose in the next sentence ("... forced to prostitute themselves")
        context = set() if re.search(rf"\b{NUMBER}\s+(?:\w+\s+)?(?:to|from)\b|\b\d+\b", text) \
            else exploitation_of(near) - {"child"}
        types = exploitation_of(tail) - {"child"} or (sentence_types - {"child"}) or context \
            or {"unspecified"}
        if "child" in sentence_types:
            types = types | {"child"}
        out.append(Found(src, tuple(transit), dst, types, victims, span, method, confidence, year,
                         sectors=sectors_of(text)))

    # 1. chains of hops: from A to B, from B to C
    hops = _hops(groups)
    chained: set[int] = set()
    if len(hops) > 1:
        chains = _chains(hops, slots)
        for chain in chains:
            if len(chain) > 1:
                path = [slots[chain[0][0].slots[0]].entity] + [slots[h[1].slots[0]].entity for h in chain]
                add(path[0], path[1:-1], path[-1], None, chain[-1][1].tail, "route-chain", 0.9)
                chained |= {id(g) for h in chain for g in h}
    sources = [g for g in sources if id(g) not in chained]
    dests = [g for g in dests if id(g) not in chained]

    # the subject of a role statement fills the end the sentence leaves open
    role_dest = next((slots[i].entity for i, r in role_of.items() if "destination" in r), None)
    role_source = next((slots[i].entity for i, r in role_of.items() if "source" in r), None)
    role_transit = next((slots[i].entity for i, r in role_of.items() if "transit" in r), None)
    nationals = _nationals(slotted, slots)
    unnamed = host if host is not None and cues()["unnamed"].search(near) else None

    src_list: list[tuple[Entity, Group | None]] = [(slots[i].entity, g) for g in sources for i in g.slots]
    if not src_list and nationals:
        src_list = [(slots[i].entity, None) for i in nationals]
    if not src_list and role_source is not None and dests:
        src_list = [(role_source, None)]
    if not src_list and unnamed is not None and dests:
        src_list = [(unnamed, None)]
    dst_list: list[tuple[Entity, Group | None]] = [(slots[i].entity, g) for g in dests for i in g.slots
                                                   if not names_people(slotted, i, slots)]
    if not dst_list and src_list and role_dest is not None:
        dst_list = [(role_dest, None)]
    if not dst_list and src_list and (sources or nationals):
        found_in = _found_in(slotted, slots, {e.id for e, _ in src_list}, context)
        if found_in is not None:
            dst_list = [(found_in, None)]
        elif host is not None and (all(e.country_code != host.country_code for e, _ in src_list)
                                   or cues()["moved"].search(text)):
            dst_list = [(host, None)]
    transit = [slots[i].entity for i in loose_via]
    if role_transit is not None and role_transit not in transit and src_list and dst_list:
        transit = [role_transit] + transit
    dst_list = [(_in_city(slotted, slots, dst), g) for dst, g in dst_list]
    n_src = len(src_list)
    for src, sg in src_list:
        for dst, dg in dst_list:
            via = transit + ([slots[i].entity for i in sg.via] if sg else []) \
                + ([slots[i].entity for i in dg.via] if dg else [])
            victims = None
            if dg is not None and dg.count is not None and n_src == 1:
                victims = dg.count
            elif sg is not None and sg.count is not None and len(sg.slots) == 1 and \
                    (len(dst_list) == 1 or (dg is not None and dests and dg is dests[0] and dg.count is None)):
                victims = sg.count
            elif sg is None and nationals and len(nationals) == 1:
                victims = count_before(slotted, slotted.find(f"⟨{nationals[0]}⟩"))
            method = "route" if sg is not None and dg is not None else \
                "role" if role_of else "nationality" if nationals and sg is None else "route-partial"
            add(src, via, dst, victims, dg.tail if dg else "", method, 0.85 if method == "route" else 0.7)
            if dg is not None:
                for count, slot in dg.subs:
                    add(src, via + [slots[slot].entity], dst, count, dg.tail, "route-count", 0.8)
    # in-country trafficking with no place named
    if not out and host is not None and cues()["internal"].search(text) and not slots:
        add(host, [], host, count_all(slotted), "", "internal", 0.6)
    return out


def _in_city(slotted: str, slots: list[Slot], country: Entity) -> Entity:
    """The most specific place: a country destination becomes the one city of that country
    the sentence names after it with "in" ("to China ... in Urumchi")."""
    if country.type != "Country":
        return country
    where = {i: slotted.find(f"⟨{i}⟩") for i in range(len(slots))}
    at = next((where[i] for i, s in enumerate(slots) if s.entity.id == country.id), -1)
    cities = {}
    for i, s in enumerate(slots):
        before = slotted[:where[i]]
        if (s.entity.type == "City" and s.entity.country_code == country.country_code
                and where[i] > at >= 0
                and re.search(r"\bin\s+(?:the\s+)?(?:city\s+of\s+)?$", before)
                and not cues()["institution"].search(" ".join(before.split()[-4:]))):
            cities[s.entity.id] = s.entity
    return next(iter(cities.values())) if len(cities) == 1 else country


def _groups(slotted: str) -> list[Group]:
    """The from / to / via groups of a slotted sentence, in order."""
    groups: list[Group] = []
    for kind, pattern in (("from", FROM), ("to", TO), ("via", VIA)):
        for m in pattern.finditer(slotted):
            slots, end = take_list(slotted, m.end())
            if slots:
                groups.append(Group(kind, slots, m.start(), end))
            elif kind == "to":
                # "to work in ⟨2⟩": a destination one verb away
                w = re.match(r"(?:work|live|stay|be\s+sold|be\s+exploited)\s+(?:\w+\s+){0,3}?(?:in|at)\s+", slotted[m.end():])
                if w:
                    slots, end = take_list(slotted, m.end() + w.end())
                    if slots:
                        groups.append(Group(kind, slots[:1], m.start(), end))
    groups.sort(key=lambda g: g.start)
    # a via right after a from/to list belongs to it
    kept: list[Group] = []
    for g in groups:
        if g.kind == "via" and kept and kept[-1].kind in ("from", "to") and \
                re.fullmatch(r"[\s,]*", slotted[kept[-1].end:g.start]):
            kept[-1].via += g.slots
            kept[-1].end = g.end
            continue
        kept.append(g)
    for k, g in enumerate(kept):
        nxt = kept[k + 1].start if k + 1 < len(kept) else len(slotted)
        prev = kept[k - 1].end if k else 0
        g.tail = slotted[g.end:nxt]
        g.count = count_before(slotted[prev:g.start], len(slotted[prev:g.start]))
        upto = next((h.start for h in kept[k + 1:] if h.kind != "via"), len(slotted))
        for m in SUB.finditer(slotted[g.end:upto]):
            g.subs.append((number(m.group("n")), int(m.group("slot"))))
    return kept


def _hops(groups: list[Group]) -> list[tuple[Group, Group]]:
    hops = []
    for k, g in enumerate(groups):
        if g.kind == "from" and len(g.slots) == 1 and k + 1 < len(groups) and groups[k + 1].kind == "to" \
                and len(groups[k + 1].slots) == 1:
            hops.append((g, groups[k + 1]))
    return hops


def _chains(hops, slots: list[Slot]) -> list[list[tuple[Group, Group]]]:
    """Hops joined where one ends where the next starts."""
    chains: list[list[tuple[Group, Group]]] = []
    for hop in hops:
        if chains and slots[chains[-1][-1][1].slots[0]].entity.id == slots[hop[0].slots[0]].entity.id:
            chains[-1].append(hop)
        else:
            chains.append([hop])
    return chains


def _nationals(slotted: str, slots: list[Slot]) -> list[int]:
    """Slots that give the nationality of victims: "citizens of ⟨0⟩", "two ⟨1⟩ victims"."""
    out = []
    for i, s in enumerate(slots):
        if s.entity.type != "Country":
            continue
        before = slotted[:slotted.find(f"⟨{i}⟩")]
        after = slotted[slotted.find(f"⟨{i}⟩") + len(f"⟨{i}⟩"):]
        if cues()["agent"].search(" ".join(before.split()[-3:])):
            continue  # "police detained an Uzbekistani": a perpetrator, not a victim
        if re.search(rf"\b{PEOPLE}\s+of\s+(?:⟨\d+⟩\s+(?:and|or)\s+)?$", before, re.I):
            out.append(i)
        elif is_demonym(s.surface) and re.match(rf"\s+(?:[\w-]+\s+){{0,2}}?{PEOPLE}\b", after, re.I):
            if not re.search(r"\bby\s+(?:an?\s+|the\s+)?(?:[\w-]+\s+){0,2}$", before):
                out.append(i)
        elif is_demonym(s.surface) and re.search(r"\b(?:an?|the)\s+$", before) and \
                re.match(r"\s+(?:from|who|was|were)\b", after):
            out.append(i)
    return out


def _found_in(slotted: str, slots: list[Slot], sources: set[str], context: list[Slot]) -> Entity | None:
    """The place victims were found or held: a city or region of the sentence that is not a
    source (and not "near" something), else the last one of the paragraph before."""
    for i, s in enumerate(slots):
        if s.entity.id in sources or s.entity.type == "Country":
            continue
        before = slotted[:slotted.find(f"⟨{i}⟩")]
        if re.search(r"\b(?:near|from)\s+(?:the\s+)?$", before):
            continue
        if re.search(r"⟨\d+⟩\s+(?:[\w-]+\s+)?(?:in|of)\s+(?:the\s+)?$", before) and any(
                f"⟨{j}⟩" in before[-40:] for j, t in enumerate(slots) if t.entity.id in sources):
            continue  # "the Ushtobe orphanage in the Almaty Oblast": where the source is
        return s.entity
    for s in reversed(context):
        if s.entity.id not in sources and s.entity.type != "Country":
            return s.entity
    return None


# ------------------------------------------------------------------------------ merging

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
