"""Span bookkeeping shared by the extraction steps: which paragraph holds an offset, which
spans are taken already, the mentions of each paragraph, and an extraction's entities with
the forms the text used for them."""
from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable
from dataclasses import replace
from itertools import accumulate

from kg.model import Document, Entity, Extraction, Mention, Paragraph


def with_aliases(doc: Document, extraction: Extraction, entities: dict[str, Entity],
                 mentions: list[Mention]) -> Extraction:
    """The extraction with these entities and mentions, each entity carrying the forms the
    text used for it as aliases (read from the paragraph, where page markers are blanked).

    Only the mentions the step added are read: the entities of the earlier steps carry the
    forms of theirs already (each step keeps an entity it had, aliases and all), and an
    entity whose aliases do not change is kept as it is."""
    before = {id(m) for m in extraction.mentions}
    forms: dict[str, set[str]] = {}
    at = paragraph_at(doc)
    for m in mentions:
        if id(m) in before:
            continue
        p = at(m.start)
        text = p.text[m.start - p.start:m.end - p.start] if p is not None else m.text
        forms.setdefault(m.entity_id, set()).add(" ".join(text.split()))
    out = []
    for eid, entity in sorted(entities.items()):
        aliases = tuple(sorted(set(entity.aliases) | {f for f in forms.get(eid, ()) if f != entity.name}))
        out.append(entity if aliases == entity.aliases else replace(entity, aliases=aliases))
    return replace(extraction, entities=tuple(out), mentions=tuple(mentions))


def paragraph_at(doc: Document) -> Callable[[int], Paragraph | None]:
    """A function giving the paragraph that holds an offset of the document (None between
    paragraphs), found by bisection: a document of 10,000 paragraphs is not read per mention."""
    ordered = sorted(doc.paragraphs, key=lambda q: q.start)
    starts = [q.start for q in ordered]

    def at(offset: int) -> Paragraph | None:
        i = bisect_right(starts, offset) - 1
        return ordered[i] if i >= 0 and ordered[i].start <= offset < ordered[i].end else None
    return at


class Taken:
    """Spans of a text already explained (a mention's, say), asked by bisection whether a span
    overlaps one of them or lies within one: a check per candidate does not read every span
    of the document. The spans may overlap each other.

    >>> t = Taken([(0, 5), (3, 12), (20, 25)])
    >>> t.overlaps(12, 20), t.overlaps(11, 13), t.covers(4, 12), t.covers(10, 13), t.covers(20, 25)
    (False, True, True, False, True)
    """

    __slots__ = ("reach", "starts")

    def __init__(self, spans) -> None:
        ordered = sorted(spans)
        self.starts = [a for a, _ in ordered]
        self.reach = list(accumulate((b for _, b in ordered), max))   # furthest end so far

    def overlaps(self, start: int, end: int) -> bool:
        """Whether a span shares a character with [start, end)."""
        i = bisect_left(self.starts, end)      # the spans that start before ``end``
        return i > 0 and self.reach[i - 1] > start

    def covers(self, start: int, end: int) -> bool:
        """Whether a span holds [start, end) whole."""
        i = bisect_right(self.starts, start)   # the spans that start at or before ``start``
        return i > 0 and self.reach[i - 1] >= end


def per_paragraph(doc: Document, mentions) -> dict[int, list[Mention]]:
    """The mentions of each paragraph (by ``Paragraph.index``), each list sorted by start."""
    at = paragraph_at(doc)
    out: dict[int, list[Mention]] = {q.index: [] for q in doc.paragraphs}
    for m in sorted(mentions, key=lambda m: m.start):
        p = at(m.start)
        if p is not None:
            out[p.index].append(m)
    return out
