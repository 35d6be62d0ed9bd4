"""An analyst's corrections applied to a build's extractions and entities, after extraction:
merge, split, rename, retype, reject, add a flow or a relation."""
from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import replace

from kg.corrections.file import Correction, Report
from kg.ids import digest, entity_id, normalise
from kg.model import Entity, Extraction, Flow, Relation

# ---------------------------------------------------------------- applying them

class Index:
    """Entities by id and by normalised name or alias (the first of each id wins)."""

    def __init__(self, entities: Iterable[Entity]) -> None:
        self.by_id: dict[str, Entity] = {}
        self.by_name: dict[str, set[str]] = defaultdict(set)
        self._names: dict[str, set[str]] = defaultdict(set)
        for e in entities:
            self.by_id.setdefault(e.id, e)
            for name in (e.name, *e.aliases):
                self.by_name[normalise(name)].add(e.id)
                self._names[e.id].add(normalise(name))

    def names(self, entity: str) -> set[str]:
        """The normalised names and aliases of an entity."""
        return self._names.get(entity, set())

    def find(self, c: Correction, ref: str) -> str | None:
        """The id an entity reference (id, name or alias) stands for; None if none."""
        if ref in self.by_id:
            return ref
        ids = self.by_name.get(normalise(ref), set())
        if len(ids) > 1:
            raise c.error(f"{ref!r} names {len(ids)} entities ({', '.join(sorted(ids))}); "
                          "write the id of the one you mean")
        return next(iter(ids), None)


def apply(extractions: list[Extraction], corrections: list[Correction],
          report: Report) -> list[Extraction]:
    """The extractions with the corrections applied (those that change ids and facts: merge,
    split, reject, add); :func:`finish` applies the rest to the merged entities."""
    by_doc = {x.document.id: x for x in extractions}
    index: Index | None = None
    for c in corrections:
        if c.kind not in _APPLY:
            continue                     # applied in finish()
        if index is None:                # read again only after entities changed
            index = Index(e for x in by_doc.values() for e in x.entities)
        matched = _APPLY[c.kind](c, by_doc, index)
        (report.applied if matched else report.unmatched).append(str(c))
        if matched and not (c.kind == "reject" and "entity" not in c.values):
            index = None
    return list(by_doc.values())


def finish(entities: list[Entity], corrections: list[Correction], report: Report) -> list[Entity]:
    """The merged entities with renames, new types and countries, and merge targets' names."""
    from kg.extract.gazetteer import lookup
    by_id = {e.id: e for e in entities}
    find = Index(entities).find     # the names as merged, before these corrections
    for c in corrections:
        v = c.values
        if c.kind == "merge":
            target = find(c, v["into"])
            if target is not None:
                e = by_id[target]
                wanted = str(v["into"]) if target != v["into"] else e.name
                by_id[target] = _named(e, _display(e, wanted), c)
            continue
        if c.kind not in ("rename", "retype"):
            continue
        target = find(c, v["entity"])
        if target is None:
            report.unmatched.append(str(c))
            continue
        e = by_id[target]
        if c.kind == "rename":
            e = _named(e, str(v["name"]), c)
        else:
            if "type" in v:
                e = replace(e, type=v["type"])
            if "country" in v:
                place = lookup(str(v["country"]))
                if place is None or place.type != "Country":
                    raise c.error(f"country {v['country']!r} is not a country kg knows")
                e = replace(e, country=place.name, country_code=place.country_code)
            e = replace(e, curator=c.author)
        by_id[target] = e
        report.applied.append(str(c))
    return sorted(by_id.values(), key=lambda e: e.id)


def _display(e: Entity, wanted: str) -> str:
    """The merge target's own spelling of the name the analyst gave."""
    for name in (e.name, *e.aliases):
        if normalise(name) == normalise(wanted):
            return name
    return wanted


def _named(e: Entity, name: str, c: Correction) -> Entity:
    aliases = tuple(sorted(({e.name, *e.aliases} - {name})))
    return replace(e, name=name, aliases=aliases, curator=c.author)


def _remap(x: Extraction, mapping: dict[str, str]) -> Extraction:
    """Every reference to an id in ``mapping`` rewritten; facts that the rewriting made link an
    entity to itself dropped. A fact that did so before stays: a flow within one country with
    no place named goes from the country to itself (07ASTANA614 ¶16), and a merge of two
    agencies must not touch it."""
    def m(i: str) -> str:
        return mapping.get(i, i)
    entities = {}
    for e in x.entities:
        new = replace(e, id=m(e.id))
        seen = entities.get(new.id)
        if seen is not None:
            names = {seen.name, new.name, *seen.aliases, *new.aliases}
            new = replace(seen, aliases=tuple(sorted(names - {seen.name})))
        entities[new.id] = new
    flows = tuple(replace(f, source=m(f.source), destination=m(f.destination),
                          transit=tuple(m(t) for t in f.transit)) for f in x.flows
                  if m(f.source) != m(f.destination) or f.source == f.destination)
    relations = tuple(replace(r, subject=m(r.subject), object=m(r.object)) for r in x.relations
                      if m(r.subject) != m(r.object) or r.subject == r.object)
    return replace(x, entities=tuple(sorted(entities.values(), key=lambda e: e.id)),
                   mentions=tuple(replace(mm, entity_id=m(mm.entity_id)) for mm in x.mentions),
                   flows=flows, relations=relations,
                   roles=tuple(replace(r, place=m(r.place)) for r in x.roles))


def _merge(c: Correction, by_doc: dict[str, Extraction], index: Index) -> bool:
    target = index.find(c, str(c.values["into"]))
    if target is None:
        return False
    mapping = {}
    for name in c.values["names"]:
        found = index.find(c, str(name))
        if found is not None and found != target:
            mapping[found] = target
    if not mapping:
        return False
    # the merged entities take the target's type and country
    kind = index.by_id[target]
    for doc, x in by_doc.items():
        if any(e.id in mapping for e in x.entities):
            x = replace(x, entities=tuple(
                replace(e, type=kind.type, country=kind.country, country_code=kind.country_code,
                        latitude=kind.latitude, longitude=kind.longitude)
                if e.id in mapping else e for e in x.entities))
            by_doc[doc] = _remap(x, mapping)
    return True


def _split(c: Correction, by_doc: dict[str, Extraction], index: Index) -> bool:
    source = index.find(c, str(c.values["entity"]))
    alias = str(c.values["alias"])
    if source is None:
        return False
    old = index.by_id[source]
    if normalise(alias) == normalise(old.name):
        raise c.error(f"{alias!r} is the entity's name, not an alias; rename it instead")
    kind = c.values.get("type", old.type)
    new_id = entity_id(kind, f"{old.country_code} {alias}" if old.country_code else alias)
    new = Entity(new_id, alias, kind, country=old.country, country_code=old.country_code,
                 curator=c.author)
    moved = False
    for doc, x in by_doc.items():
        mentions = []
        for m in x.mentions:
            if m.entity_id == source and normalise(m.text) == normalise(alias):
                m = replace(m, entity_id=new_id)
                moved = True
            mentions.append(m)
        if not any(e.id == source for e in x.entities):
            continue
        entities = [replace(e, aliases=tuple(a for a in e.aliases if normalise(a) != normalise(alias)))
                    if e.id == source else e for e in x.entities]
        if any(m.entity_id == new_id for m in mentions):
            entities.append(new)
        by_doc[doc] = replace(x, entities=tuple(sorted(entities, key=lambda e: e.id)),
                              mentions=tuple(mentions))
    return moved


def _reject(c: Correction, by_doc: dict[str, Extraction], index: Index) -> bool:
    v = c.values
    if "entity" in v:
        target = index.find(c, str(v["entity"]))
        if target is None:
            return False
        for doc, x in by_doc.items():
            by_doc[doc] = replace(
                x, entities=tuple(e for e in x.entities if e.id != target),
                mentions=tuple(m for m in x.mentions if m.entity_id != target),
                flows=tuple(f for f in x.flows if target not in (f.source, f.destination, *f.transit)),
                relations=tuple(r for r in x.relations if target not in (r.subject, r.object)),
                roles=tuple(r for r in x.roles if r.place != target))
        return True
    is_flow = "flow" in v or "source" in v
    given = v.get("flow") if is_flow else v.get("relation")
    # the id when it still names a fact; else the description (names, document, paragraph)
    by_id = bool(given) and any(f.id == given for x in by_doc.values()
                                for f in (x.flows if is_flow else x.relations))
    matched = False
    for doc, x in by_doc.items():
        if v.get("document") and v["document"] != doc:
            continue
        facts = x.flows if is_flow else x.relations
        kept = tuple(f for f in facts if not (f.id == given if by_id else _describes(c, f, index)))
        if len(kept) != len(facts):
            matched = True
            by_doc[doc] = replace(x, flows=kept) if is_flow else replace(x, relations=kept)
    return matched


def _describes(c: Correction, fact: Flow | Relation, index: Index) -> bool:
    """Whether a reject correction's description (names, paragraph) fits a fact."""
    v = c.values
    if "paragraph" in v and int(v["paragraph"]) != fact.paragraph:
        return False

    def named(ref, entity: str) -> bool:
        return ref is None or normalise(str(ref)) in index.names(entity) or ref == entity
    if isinstance(fact, Flow):
        if "source" not in v:
            return False
        return named(v.get("source"), fact.source) and named(v.get("destination"), fact.destination)
    if "subject" not in v:
        return False
    return (named(v.get("subject"), fact.subject) and named(v.get("object"), fact.object)
            and v.get("predicate", fact.predicate) == fact.predicate)


def _quote(c: Correction, x: Extraction) -> tuple[int, int, int, int, str]:
    """The paragraph (printed number, position) and offsets of an added fact's quote."""
    doc = x.document
    number = int(c.values["paragraph"])
    paragraph = next((p for p in doc.paragraphs if p.number == number and p.kind == "body"), None)
    if paragraph is None:
        raise c.error(f"document {doc.id} has no paragraph {number} (it has "
                      f"{', '.join(str(p.number) for p in doc.paragraphs if p.kind == 'body')})")
    quote = " ".join(str(c.values["evidence"]).split())
    if not quote:
        raise c.error("the evidence quote is empty")
    # line breaks and runs of spaces in the document do not matter; every word does
    pattern = r"\s+".join(re.escape(w) for w in quote.split(" "))
    found = re.search(pattern, paragraph.text)
    if found is None:
        raise c.error(f"the evidence quote is not in {doc.id} paragraph {number}: {quote[:80]!r}; "
                      f"copy it from texts/{doc.id}.txt")
    start = paragraph.start + found.start()
    end = paragraph.start + found.end()
    return number, paragraph.index, start, end, doc.text[start:end]


def _document(c: Correction, by_doc: dict[str, Extraction]) -> Extraction:
    doc = str(c.values["document"])
    if doc not in by_doc:
        raise c.error(f"document {doc} is not in this build")
    return by_doc[doc]


def _entity(c: Correction, ref: str, index: Index, x: Extraction) -> tuple[str, Extraction]:
    """The id of an existing entity or of a place kg's gazetteer knows (added to the
    document's entities when it was not named there)."""
    from kg.extract.gazetteer import lookup
    found = index.find(c, ref)
    if found is not None:
        entity = index.by_id[found]
    else:
        entity = lookup(ref)
        if entity is None:
            raise c.error(f"no entity or place is named {ref!r}; use a name from entities.csv")
    if not any(e.id == entity.id for e in x.entities):
        x = replace(x, entities=tuple(sorted((*x.entities, entity), key=lambda e: e.id)))
    return entity.id, x


def _curated(c: Correction, x: Extraction) -> dict:
    """Where an added fact comes from (its quote checked), and that an analyst added it."""
    number, position, start, end, evidence = _quote(c, x)
    return dict(document=x.document.id, paragraph=number, paragraph_index=position,
                evidence=evidence, start=start, end=end, confidence=1.0, method="curated",
                curator=c.author, note=c.why)


def _add_flow(c: Correction, by_doc: dict[str, Extraction], index: Index) -> bool:
    v = c.values
    x = _document(c, by_doc)
    sourced = _curated(c, x)
    source, x = _entity(c, str(v["source"]), index, x)
    destination, x = _entity(c, str(v["destination"]), index, x)
    transit = []
    for place in v.get("transit", []):
        t, x = _entity(c, str(place), index, x)
        transit.append(t)
    key = digest("curated", x.document.id, sourced["paragraph_index"], source, *transit, destination)
    named = {e.id: e.country_code for e in x.entities}     # (both ends are among them now)
    same_country = bool(named[source]) and named[source] == named[destination]
    flow = Flow(id=f"flow-{key}",
                source=source, destination=destination, transit=tuple(transit),
                exploitation=tuple(v.get("exploitation") or ("unspecified",)),
                victims=int(v["victims"]) if "victims" in v else None,
                year=int(v["year"]) if "year" in v else x.document.year,
                hedged=v.get("hedged", False), internal=v.get("internal", same_country),
                sectors=tuple(dict.fromkeys(" ".join(s.split()) for s in v.get("sectors", []))), **sourced)
    by_doc[x.document.id] = replace(x, flows=(*[f for f in x.flows if f.id != flow.id], flow))
    return True


def _add_relation(c: Correction, by_doc: dict[str, Extraction], index: Index) -> bool:
    v = c.values
    x = _document(c, by_doc)
    sourced = _curated(c, x)
    subject, x = _entity(c, str(v["subject"]), index, x)
    obj, x = _entity(c, str(v["object"]), index, x)
    relation = Relation(id=f"rel-{digest('curated', x.document.id, subject, v['predicate'], obj)}",
                        subject=subject, predicate=v["predicate"], object=obj, **sourced)
    by_doc[x.document.id] = replace(x, relations=(*[r for r in x.relations if r.id != relation.id],
                                                   relation))
    return True


_APPLY = {"merge": _merge, "split": _split, "reject": _reject, "add_flow": _add_flow,
          "add_relation": _add_relation}
