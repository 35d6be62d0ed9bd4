"""The corrections file (``kg.corrections.toml``): find it, read and check it, append to it.

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
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import KGError
from kg.model import ENTITY_TYPES, EXPLOITATION_TYPES, RELATION_PREDICATES

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
