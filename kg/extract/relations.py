"""Relations between actors: holdsPostIn, partOf, supervises, fundedBy, cooperatesWith.

Like the flows, each sentence is rewritten with its actors as typed slots ("⟨3⟩ in cooperation
with ⟨4⟩") and small rules read them; each rule is a way of writing:

- holdsPostIn: an official and the organisation the people step found for them;
- partOf: "⟨unit⟩ of / within / in / under the ⟨body⟩", "⟨body⟩'s ⟨unit⟩", a name that starts
  with its parent's acronym ("MVD Legal Academy", "CIS Executive Committee"), an office of an
  international organisation in a city ("OSCE Center in Almaty"), "Post's INL office";
- supervises: "⟨body⟩, which supervises / administers / leads ⟨unit⟩", "⟨unit⟩ led by ⟨body⟩";
- fundedBy: "funded / financed / supported by ⟨donor⟩", "(through / under) a grant from
  ⟨donor⟩", "⟨donor⟩ provided grants to ⟨recipient⟩" (and the list of grants that follows);
- cooperatesWith: "in cooperation with", "together with", "jointly", "work together",
  "cooperate", "concerted / joint efforts of", "collaborative work between", only between two
  named parties (three or more in one statement are not read as pairs).

"The Government of Kazakhstan" and the cable's "GOK" are the country itself.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import replace

from kg.extract.fastre import compile_skipping
from kg.extract.flowtext import Slot, sentences, slotted_text, within
from kg.extract.gazetteer import host_country
from kg.extract.organizations import ORG_TYPES, lexicon, lexicon_entity
from kg.extract.spans import per_paragraph
from kg.ids import digest, entity_id
from kg.model import Document, Entity, Extraction, Mention, Paragraph, Relation

ORGS = set(ORG_TYPES)
PEOPLE = {"Official", "Person"}
ACTORS = ORGS | PEOPLE | {"Country"}
S = r"⟨(\d+)⟩"
THE = r"(?:the\s+|a\s+|an\s+)?"
# the rest of a list of objects: ", the ⟨2⟩, and ⟨3⟩"
LIST = r"((?:\s*,\s*(?:and\s+)?(?:the\s+)?⟨\d+⟩|\s+and\s+(?:the\s+)?⟨\d+⟩)*)"


def find_relations(doc: Document, extraction: Extraction) -> Extraction:
    """Extraction step: relations between the actors of a document."""
    entities = {e.id: e for e in extraction.entities}
    actors = _outermost(sorted((m for m in extraction.mentions if entities[m.entity_id].type in ACTORS),
                               key=lambda m: (m.start, -m.end)))
    host = host_country(doc)
    country = entities.get(entity_id("Country", host)) if host else None
    found: dict[tuple[str, str, str], Relation] = {}

    def add(subject: Entity, predicate: str, obj: Entity, p: Paragraph, span: tuple[int, int],
            method: str, confidence: float) -> None:
        if subject.id == obj.id:
            return
        if predicate == "cooperatesWith" and subject.id > obj.id:
            subject, obj = obj, subject          # symmetric: one order
        key = (subject.id, predicate, obj.id)
        if key in found:
            return
        a, b = span
        found[key] = Relation(
            id=f"rel-{digest(doc.id, *key)}", subject=subject.id, predicate=predicate,
            object=obj.id, document=doc.id, paragraph=p.number, paragraph_index=p.index,
            evidence=" ".join(p.text[a - p.start:b - p.start].split()), start=a, end=b,
            confidence=confidence, method=method)

    first: dict[str, Mention] = {}
    for m in extraction.mentions:
        first.setdefault(m.entity_id, m)
    for e in extraction.entities:
        if e.type == "Official" and e.organization:
            _post(doc, e, first.get(e.id), entities, add)
    actors_of = per_paragraph(doc, actors)
    for p in doc.paragraphs:
        if p.kind != "body":
            continue
        p_actors = actors_of[p.index]
        starts = [m.start for m in p_actors]
        donor = None
        spans = sentences(p)
        for a, b in spans:
            span = (p.start + a, p.start + b)
            slots = [Slot(entities[m.entity_id], m.start, m.end, m.text)
                     for m in within(p_actors, starts, *span)]
            text = p.text[a:b]
            if not slots and "GO" not in text:
                continue     # no actor, and no "GOK" to stand for one: no rule can apply
            slotted = _slotted(text, slots, span[0], country)
            donor = _sentence(slotted, slots, p, span, add, donor)
        span_starts = [p.start + a for a, _ in spans]
        for m in p_actors:
            k = bisect_right(span_starts, m.start) - 1
            inside = k >= 0 and m.start < p.start + spans[k][1]
            span = (p.start + spans[k][0], p.start + spans[k][1]) if inside else (m.start, m.end)
            _named_parent(entities[m.entity_id], p, span, entities, add)
    return replace(extraction, relations=tuple(sorted(found.values(), key=lambda r: r.id)))


def _outermost(mentions: list[Mention]) -> list[Mention]:
    """The mentions (sorted by start, longest first) that no other lies around: the country in
    "Irish Department of Transport" is a mention of Ireland, but the sentence's actor there is
    the department."""
    out: list[Mention] = []
    end = -1
    for m in mentions:
        if m.end <= end and out and out[-1].start <= m.start:
            continue
        out.append(m)
        end = max(end, m.end)
    return out


def _post(doc: Document, official: Entity, mention: Mention | None, entities: dict[str, Entity],
          add) -> None:
    orgs = [e for e in entities.values() if e.name == official.organization and e.type in ORGS]
    if not orgs or mention is None:
        return
    p = next(p for p in doc.paragraphs if p.start <= mention.start < p.end)
    span = next(((p.start + a, p.start + b) for a, b in sentences(p)
                 if p.start + a <= mention.start < p.start + b), (p.start, p.end))
    add(official, "holdsPostIn", orgs[0], p, span, "post", 0.8)


def _slotted(text: str, slots: list[Slot], offset: int, country: Entity | None) -> str:
    slotted = slotted_text(text, slots, offset)
    if country is not None:
        # "the Government of Kazakhstan" / "the GOK": the country itself
        slots.append(Slot(country, offset, offset, "GOK"))
        code = f"⟨{len(slots) - 1}⟩"
        if "overnment" in slotted:
            slotted = re.sub(r"\b(?:[Tt]he\s+)?(?:Government|government)\s+of\s+⟨(\d+)⟩",
                             lambda m: code if slots[int(m.group(1))].entity.id == country.id else m.group(0),
                             slotted)
        if "GO" in slotted:
            slotted = re.sub(rf"\b(?:[Tt]he\s+)?GO{country.name[:1]}\b", code, slotted)
    return slotted


RULES: tuple[tuple[str, str, re.Pattern[str]], ...] = tuple(
    (predicate, method, re.compile(pattern)) for predicate, method, pattern in (
        # subject group 1, object group 2
        ("partOf", "of-the", rf"{S}\s+(?:of|within|in|under)\s+{THE}(?:[A-Z]\w+\s+|⟨\d+⟩\s+)?{S}"),
        ("partOf", "a-unit-of", rf"{S}(?:\s*\([^)]*\))?,?\s+(?:is\s+|was\s+)?(?:a|an|the)\s+(?:[\w-]+\s+){{0,2}}?(?:unit|department|division|branch|office|directorate|arm|section|body|agency|service)\s+(?:of|within|under|in)\s+{THE}{S}"),
        ("supervises", "oversees", rf"{S}(?:\s*\([^)]*\))?,?\s+(?:which\s+)?(?:directly\s+)?(?:supervises|oversees|controls|runs|manages)\s+{THE}{S}"),
        ("fundedBy", "funding-from", rf"{S}[^⟨]{{0,80}}?\b(?:with|through|using|receives?|received|receiving|gets|got)\s+(?:\w+\s+){{0,2}}?(?:funding|funds|money|financing|financial\s+support)\s+(?:from|by|of)\s+{THE}{S}"),
        ("partOf", "established-under", rf"{S}\s+(?:\w+\s+){{0,3}}?(?:established|created|set\s+up|formed|placed)\s+(?:under|within)\s+{THE}{S}"),
        ("supervises", "which-supervises", rf"{S}(?:\s*\([^)]*\))?,?\s+which\s+(?:supervises|oversees|administers|leads|controls)\s+{THE}{S}"),
        ("supervises", "administered", rf"{S}\s+(?:administered|led|supervised)\s+{THE}{S}"),
        ("partOf", "led-by", rf"{S}(?:\s*\([^)]*\))?,?\s+(?:led|headed|chaired|supervised|administered)\s+by\s+[^⟨]{{0,40}}?{S}"),
        ("fundedBy", "funded-by", rf"{S}[^⟨]{{0,80}}?\b(?:funded|financed|sponsored|supported|paid\s+for)\s+(?:\w+\s+){{0,2}}?(?:by|through|with)\s+{THE}(?:grants?\s+from\s+{THE})?{S}"),
        ("fundedBy", "grant-from", rf"{S}[^⟨]{{0,80}}?\b(?:through|under|with)\s+(?:a\s+|an\s+)?(?:\w+\s+)?grants?\s+(?:from|by)\s+{THE}{S}"),
        ("cooperatesWith", "in-cooperation-with", rf"{S}\s+(?:(?:in\s+(?:close\s+)?cooperation|together|jointly|in\s+partnership|in\s+collaboration)\s+with)\s+{THE}{S}{LIST}"),
        ("cooperatesWith", "cooperated-with", rf"{S}\s+(?:has\s+|have\s+)?(?:cooperated|cooperates|cooperate|worked|works|partnered)\s+(?:closely\s+)?with\s+{THE}{S}{LIST}"),
        ("cooperatesWith", "and-together", rf"{S}\s+and\s+{THE}{S}\s+(?:work(?:ed)?\s+together|cooperate[ds]?|jointly|collaborate[ds]?)\b"),
        ("cooperatesWith", "efforts-of", rf"\b(?:concerted|joint|combined)\s+efforts\s+of\s+{THE}{S}\s+and\s+{THE}{S}(?!\s*,?\s*(?:and|⟨))"),
        ("cooperatesWith", "work-between", rf"\b(?:collaborative|joint)\s+(?:work|efforts?|programs?|projects?)\s+between\s+{THE}{S}\s+and\s+{THE}{S}"),
    ))
# words a rule cannot match without (any one of them): a sentence with none is not searched
NEEDS = {
    "a-unit-of": ("unit", "department", "division", "branch", "office", "directorate", "arm", "section", "body", "agency", "service"),
    "oversees": ("supervises", "oversees", "controls", "runs", "manages"),
    "funding-from": ("fund", "money", "financ"),
    "established-under": ("established", "created", "set", "formed", "placed"),
    "which-supervises": ("which",),
    "administered": ("administered", "led", "supervised"),
    "led-by": ("led", "headed", "chaired", "supervised", "administered"),
    "funded-by": ("funded", "financed", "sponsored", "supported", "paid"),
    "grant-from": ("grant",),
    "in-cooperation-with": ("with",),
    "cooperated-with": ("with",),
    "and-together": ("together", "cooperate", "jointly", "collaborate"),
    "efforts-of": ("efforts",),
    "work-between": ("between",),
}
# every match, overlapping ones too: each rule as a lookahead
# (with the words a rule's sentence must hold, one of them at least, as one search: None, any)
OVERLAPPING_RULES = tuple((predicate, method, compile_skipping(f"(?=({pattern.pattern}))"),
                           re.compile("|".join(map(re.escape, NEEDS[method]))) if NEEDS.get(method) else None)
                          for predicate, method, pattern in RULES)
PROVIDED_GRANTS = re.compile(rf"{S}[^⟨]{{0,60}}?\bprovided\s+(?:\w+\s+){{0,3}}?grants?\b")
GRANT_TO = re.compile(rf"\bgrants?\s+to\s+{THE}{S}|(?:^|[\s;:])[a-z]\)\s+to\s+{THE}{S}")


POSSESSIVE = re.compile(rf"{S}(?:'s|’s)\s+{S}")
OWNER = re.compile(r"⟨\d+⟩(?:'s|’s)\s+(⟨\d+⟩)")
RESPECTIVELY = re.compile(rf"{S}\s+and\s+{THE}{S}[^⟨]{{0,80}}?\b(?:under|within|of|part\s+of)\s+{THE}{S}"
                          rf"\s+and\s+{THE}{S}\s+respectively")


def _sentence(slotted: str, slots: list[Slot], p: Paragraph, span, add, donor: Slot | None) -> Slot | None:
    """Apply the rules to one sentence; return the donor of a grant list for the sentences after."""
    def actor(i: str) -> Slot:
        return slots[int(i)]

    if slotted.count("⟨") < 2:
        return _grants(slotted, actor, p, span, add, donor)   # every other rule needs two actors

    # "Post's INL office": the INL office is part of Post, and it is the INL office that acts
    for m in POSSESSIVE.finditer(slotted):
        owner, unit = actor(m.group(1)), actor(m.group(2))
        if owner.entity.type in ("GovernmentAgency", "InternationalOrganization") and \
                unit.entity.type == "GovernmentAgency" and unit.entity.country_code == owner.entity.country_code:
            add(unit.entity, "partOf", owner.entity, p, span, "possessive", 0.7)
    slotted = OWNER.sub(r"\1", slotted)
    # "⟨a⟩ and ⟨b⟩, which are ... under the ⟨c⟩ and ⟨d⟩ respectively"
    for m in RESPECTIVELY.finditer(slotted) if "respectively" in slotted else ():
        for unit, parent in ((m.group(1), m.group(3)), (m.group(2), m.group(4))):
            if actor(unit).entity.type in ORGS and actor(parent).entity.type in ORGS:
                add(actor(unit).entity, "partOf", actor(parent).entity, p, span, "respectively", 0.7)
    for predicate, method, pattern, needs in OVERLAPPING_RULES:
        if needs is not None and not needs.search(slotted):
            continue
        for m in pattern.finditer(slotted):
            groups = [g for g in m.groups()[1:]]
            a, b = actor(groups[0]), actor(groups[1])
            if method == "led-by":
                a, b, predicate = b, a, "supervises"
            others = [actor(x) for x in re.findall(r"⟨(\d+)⟩", groups[2] or "")] if len(groups) > 2 else []
            if predicate in ("partOf", "supervises") and not (a.entity.type in ORGS and b.entity.type in ORGS):
                continue
            if method in ("a-unit-of", "oversees") and (a.entity.type != "GovernmentAgency"
                                                        or b.entity.type not in ("GovernmentAgency", "InternationalOrganization")):
                continue    # a unit of a ministry, a ministry over an agency: not an NGO of a fund
            if predicate == "partOf" and method == "of-the" and a.entity.type != "GovernmentAgency" and \
                    a.entity.type != b.entity.type:
                continue
            if predicate == "cooperatesWith" and not others and _more_parties(slotted, m, groups):
                continue
            if predicate == "fundedBy" and (a.entity.type not in ORGS or b.entity.type not in ORGS | {"Country"}):
                continue
            for obj in [b, *others]:
                if predicate != "cooperatesWith" or obj.entity.type in ORGS | {"Country"}:
                    add(a.entity, predicate, obj.entity, p, span, method, 0.75)
    return _grants(slotted, actor, p, span, add, donor)


def _grants(slotted: str, actor, p: Paragraph, span, add, donor: Slot | None) -> Slot | None:
    """"⟨donor⟩ provided grants to ⟨x⟩" and the lettered list of grants after it."""
    if "grant" not in slotted and ")" not in slotted:
        return donor      # (neither pattern can match: most sentences)
    given = PROVIDED_GRANTS.search(slotted)
    if given:
        donor = actor(given.group(1))
    for m in GRANT_TO.finditer(slotted):
        recipient = actor(m.group(1) or m.group(2))
        source = donor if donor is not None else None
        if source is not None and recipient.entity.type in ORGS:
            add(recipient.entity, "fundedBy", source.entity, p, span, "grants-to", 0.7)
    return donor


def _more_parties(slotted: str, m: re.Match[str], groups: list[str]) -> bool:
    """A statement with three or more parties ("⟨1⟩, ⟨2⟩ and ⟨3⟩ cooperated") is not a pair."""
    end = m.start() + len(m.group(1))
    before = slotted[max(0, m.start() - 12):m.start()]
    after = slotted[end:end + 12]
    return bool(re.search(r"⟨\d+⟩\s*,\s*(?:and\s+)?(?:the\s+)?$", before) or re.match(r"\s*,\s*(?:and\s+)?(?:the\s+)?⟨\d+⟩", after))


def _named_parent(e: Entity, p: Paragraph, span: tuple[int, int], entities: dict[str, Entity], add) -> None:
    """A body named after its parent: "MVD Legal Academy", "CIS Executive Committee",
    "OSCE Center in Almaty" (the parent is the acronym the name starts with)."""
    if e.type not in ORGS:
        return
    first = e.name.split()[0]
    entry = lexicon().get(first.casefold())
    if entry is None or not entry.case_sensitive or len(e.name.split()) < 2 or first == e.name:
        return
    parent = lexicon_entity(entry, e.country_code)
    parent = entities.get(parent.id, parent)
    if parent.id in entities:
        add(e, "partOf", parent, p, span, "named-after-parent", 0.7)
