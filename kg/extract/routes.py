"""The sentence reader of the flows (:mod:`kg.extract.flows`).

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
from dataclasses import dataclass, field

from kg.extract.clauses import names_people
from kg.extract.flowtext import (
    FROM,
    NUMBER,
    PEOPLE,
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
    take_list,
    year_of,
)
from kg.extract.gazetteer import is_demonym
from kg.model import Document, Entity, Paragraph, Role


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


def read_sentence(doc: Document, p: Paragraph, span: tuple[int, int], text: str, slotted: str,
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
