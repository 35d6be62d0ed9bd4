"""An analyst's corrections, applied to every build after extraction (``kg.corrections.toml``).

The file holds tables, one per correction, each with an optional ``why``, ``author`` and
``date``::

    [[merge]]                   # names (or ids) become one entity, named as ``into``
    names = ["MVD"]
    into = "Ministry of Internal Affairs"

    [[split]]                   # an alias that is another entity: its mentions move to it
    entity = "Ministry of Justice"
    alias = "MOJ"
    type = "GovernmentAgency"   # optional: the new entity's type (default: the entity's)

    [[rename]]
    entity = "Bolashak"
    name = "Bolashak Public Association"

    [[retype]]                  # type and/or country
    entity = "Bolashak"
    type = "NGO"
    country = "Kyrgyzstan"

    [[reject]]                  # an entity, a flow or a relation
    flow = "flow-353713844c68"  # by id, and/or by what survives id changes:
    source = "Uzbekistan"
    destination = "Kazakhstan"
    document = "07ASTANA1925"
    paragraph = 5

    [[add_flow]]                # a flow the extractor missed; the quote must be in the paragraph
    source = "Uzbekistan"
    transit = ["Russia"]
    destination = "Kazakhstan"
    exploitation = ["labor"]
    victims = 12
    sectors = ["construction"]  # optional: the sectors the text names
    hedged = false              # optional: true when the text only says it may happen
    internal = false            # optional; by default, whether both ends are in one country
    document = "07ASTANA1925"
    paragraph = 5
    evidence = "the exact words of the paragraph"

    [[add_relation]]
    subject = "IOM"
    predicate = "cooperatesWith"
    object = "USAID"
    document = "07ASTANA614"
    paragraph = 3
    evidence = "..."

Names are compared as kg compares names (case, accents, punctuation and "the" do not
matter); an entity may also be given by its id. A correction that matches nothing is
reported, never dropped in silence; one that cannot be right (a quote that is not in its
paragraph, a type kg does not know, a name that means two entities) stops the build with a
message naming the file, the correction and what to fix.
"""
from __future__ import annotations

import json
import re
import tomllib
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from kg.errors import KGError
from kg.ids import digest, entity_id, normalise
from kg.model import (ENTITY_TYPES, EXPLOITATION_TYPES, RELATION_PREDICATES, Entity, Extraction, Flow,
                      Relation)

FILE_NAME = "kg.corrections.toml"
KINDS = {
    "merge": ({"names", "into"}, set()),
    "split": ({"entity", "alias"}, {"type"}),
    "rename": ({"entity", "name"}, set()),
    "retype": ({"entity"}, {"type", "country"}),
    "reject": (set(), {"entity", "flow", "relation", "source", "destination", "subject", "predicate",
                       "object", "document", "paragraph"}),
    "add_flow": ({"source", "destination", "document", "paragraph", "evidence"},
                 {"transit", "exploitation", "victims", "year", "hedged", "internal", "sectors"}),
    "add_relation": ({"subject", "predicate", "object", "document", "paragraph", "evidence"}, set()),
}
COMMON = {"why", "author", "date"}


class CorrectionError(KGError):
    """A corrections file, or one correction in it, that cannot be applied."""


@dataclass(frozen=True)
class Correction:
    kind: str
    values: dict
    number: int          # 1-based position among the corrections of its kind in the file
    source: str = ""     # the file it comes from

    @property
    def author(self) -> str:
        return str(self.values.get("author", "")) or "analyst"

    @property
    def why(self) -> str:
        return str(self.values.get("why", ""))

    def __str__(self) -> str:
        shown = ", ".join(f"{k}={v!r}" for k, v in self.values.items() if k not in COMMON)
        return f"{self.kind} #{self.number} ({shown})"

    def error(self, what: str) -> CorrectionError:
        return CorrectionError(f"{self.source}: [[{self.kind}]] #{self.number}: {what}")


@dataclass
class Report:
    """What the corrections did in one build."""

    file: str = ""
    applied: list[str] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)


# ---------------------------------------------------------------- the file

def find(inputs: list[Path]) -> Path | None:
    """The corrections file beside (or inside) the input folders, if there is one."""
    for path in inputs:
        for folder in ((path,) if path.is_dir() else ()) + (path.resolve().parent,):
            candidate = folder / FILE_NAME
            if candidate.is_file():
                return candidate
    return None


def read(path: Path) -> list[Correction]:
    """Every correction of a file, checked for its fields; CorrectionError naming the file and
    the entry for anything wrong."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise CorrectionError(f"{path}: cannot read the corrections file ({exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise CorrectionError(f"{path}: not valid TOML ({exc})") from None
    out = []
    for kind, entries in data.items():
        if kind not in KINDS:
            raise CorrectionError(f"{path}: unknown correction [[{kind}]]; kg knows "
                                  f"{', '.join(KINDS)}")
        if not isinstance(entries, list):
            raise CorrectionError(f"{path}: write [[{kind}]] (a table per correction), not [{kind}]")
        needed, optional = KINDS[kind]
        for n, values in enumerate(entries, 1):
            c = Correction(kind, dict(values), n, str(path))
            missing = needed - set(values)
            unknown = set(values) - needed - optional - COMMON
            if missing:
                raise c.error(f"missing {', '.join(sorted(missing))}")
            if unknown:
                raise c.error(f"unknown field {', '.join(sorted(unknown))}; it takes "
                              f"{', '.join(sorted(needed | optional | COMMON))}")
            _check(c)
            out.append(c)
    return out


def _check(c: Correction) -> None:
    v = c.values
    if "type" in v and v["type"] not in ENTITY_TYPES:
        raise c.error(f"type {v['type']!r} is not one of {', '.join(ENTITY_TYPES)}")
    if c.kind == "retype" and not ({"type", "country"} & set(v)):
        raise c.error("give a new type, a new country, or both")
    if c.kind == "reject" and not ({"entity", "flow", "relation", "source", "subject"} & set(v)):
        raise c.error("say what to reject: entity = NAME, flow = ID, relation = ID, or a flow by "
                      "source and destination, or a relation by subject, predicate and object")
    for kind in v.get("exploitation", []):
        if kind not in EXPLOITATION_TYPES:
            raise c.error(f"exploitation {kind!r} is not one of {', '.join(EXPLOITATION_TYPES)}")
    if v.get("predicate") and v["predicate"] not in RELATION_PREDICATES:
        raise c.error(f"predicate {v['predicate']!r} is not one of {', '.join(RELATION_PREDICATES)}")
    if c.kind == "merge" and not isinstance(v["names"], list):
        raise c.error('names is a list: names = ["MVD"]')
    for flag in ("hedged", "internal"):
        if flag in v and not isinstance(v[flag], bool):
            raise c.error(f"{flag} is true or false, not {v[flag]!r}")
    if "sectors" in v and not (isinstance(v["sectors"], list)
                               and all(isinstance(s, str) and s.strip() for s in v["sectors"])):
        raise c.error('sectors is a list of names: sectors = ["construction"]')


def append(path: Path, kind: str, values: dict) -> Correction:
    """Add one correction at the end of a corrections file (created if missing), checked first."""
    entry = {k: v for k, v in values.items() if v not in (None, "", [], ())}
    number = 1
    if path.is_file():
        number = sum(1 for c in read(path) if c.kind == kind) + 1
    correction = Correction(kind, entry, number, str(path))
    needed, optional = KINDS[kind]
    if needed - set(entry):
        raise correction.error(f"missing {', '.join(sorted(needed - set(entry)))}")
    _check(correction)
    lines = [f"\n[[{kind}]]"]
    for key, value in entry.items():
        lines.append(f"{key} = {_toml(value)}")
    with path.open("a", encoding="utf-8") as f:
        if not path.stat().st_size:
            f.write("# kg corrections: applied to every build after extraction (kg correct --help)\n")
        f.write("\n".join(lines) + "\n")
    return correction


def _toml(value) -> str:
    if isinstance(value, bool) or isinstance(value, int):
        return json.dumps(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return json.dumps(str(value), ensure_ascii=False)   # a JSON string is a TOML basic string


# ---------------------------------------------------------------- applying them

class _Index:
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
    index: _Index | None = None
    for c in corrections:
        if c.kind not in _APPLY:
            continue                     # applied in finish()
        if index is None:                # read again only after entities changed
            index = _Index(e for x in by_doc.values() for e in x.entities)
        matched = _APPLY[c.kind](c, by_doc, index)
        (report.applied if matched else report.unmatched).append(str(c))
        if matched and not (c.kind == "reject" and "entity" not in c.values):
            index = None
    return list(by_doc.values())


def finish(entities: list[Entity], corrections: list[Correction], report: Report) -> list[Entity]:
    """The merged entities with renames, new types and countries, and merge targets' names."""
    from kg.extract.gazetteer import lookup
    by_id = {e.id: e for e in entities}
    find = _Index(entities).find     # the names as merged, before these corrections
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


def _merge(c: Correction, by_doc: dict[str, Extraction], index: _Index) -> bool:
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


def _split(c: Correction, by_doc: dict[str, Extraction], index: _Index) -> bool:
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


def _reject(c: Correction, by_doc: dict[str, Extraction], index: _Index) -> bool:
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


def _describes(c: Correction, fact: Flow | Relation, index: _Index) -> bool:
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


def _entity(c: Correction, ref: str, index: _Index, x: Extraction) -> tuple[str, Extraction]:
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


def _add_flow(c: Correction, by_doc: dict[str, Extraction], index: _Index) -> bool:
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


def _add_relation(c: Correction, by_doc: dict[str, Extraction], index: _Index) -> bool:
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
