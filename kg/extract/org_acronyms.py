"""Acronyms a document defines: "the Procurator General's Office (PGO)", later "PGO" alone.

An acronym the document defines for what is not a body ("RosUkrEnergo (RUE)") marks no body.
"""
from __future__ import annotations

import re
from dataclasses import replace

from kg.extract.org_lexicon import Hit, lexicon
from kg.model import Document, Entity

DEFINED = re.compile(r"[A-Z][\w'’&.-]*\s*\(\s*([A-Z][A-Za-z/&-]{1,9})\s*\)")


def other_acronyms(doc: Document, hits_by_paragraph: dict[int, list[Hit]],
                   acronyms: dict[str, Entity]) -> set[str]:
    """Acronyms the document defines for what is not a body (a firm: "RosUkrEnergo (RUE)")."""
    out = set()
    for p in doc.paragraphs:
        if "(" not in p.text:
            continue
        ends = {h.end for h in hits_by_paragraph[p.index]}
        for m in DEFINED.finditer(p.text):
            short = m.group(1)
            if (short not in acronyms and short.casefold() not in lexicon()
                    and not any(e <= m.start(1) and not p.text[e:m.start(1)].strip(" ('’s") for e in ends)):
                out.add(short)
    return out


ACRONYM = re.compile(r"(?:['’]s)?\s*\(\s*(?:the\s+)?([A-Z][A-Za-z/&-]{1,9})\s*\)")


def acronym_definitions(text: str, hits: list[Hit]) -> dict[str, Entity]:
    """Acronyms a paragraph defines: "the Procurator General's Office (PGO)"."""
    out = {}
    for h in hits:
        m = ACRONYM.match(text, h.end)
        short = m.group(1) if m else ""
        if m and (short != h.entity.name or h.method == "described") and (sum(c.isupper() for c in short) >= 2
                                             or text[h.start:h.end].startswith(short + " ")):
            out[m.group(1)] = h.entity
    return out


def acronym_pattern(acronyms: dict[str, Entity]) -> re.Pattern[str] | None:
    """A use of one of a document's defined acronyms (compiled once per document)."""
    if not acronyms:
        return None
    return re.compile(r"(?<![\w/-])(" + "|".join(re.escape(a) for a in sorted(acronyms, key=len, reverse=True))
                      + r")(?:'s|’s)?(?![\w/-])")


def apply_acronyms(text: str, hits: list[Hit], acronyms: dict[str, Entity],
                   pattern: re.Pattern[str] | None) -> list[Hit]:
    """Every use of a defined acronym (``pattern``, :func:`acronym_pattern`) joins the entity
    it was defined for."""
    if pattern is None:
        return hits
    out = [replace(h, entity=acronyms[text[h.start:h.end]])
           if text[h.start:h.end] in acronyms else h for h in hits]
    for m in pattern.finditer(text):
        start, end = m.start(1), m.end(1)
        if all(end <= h.start or start >= h.end for h in out):
            out.append(Hit(start, end, acronyms[m.group(1)], "acronym"))
    return sorted(out, key=lambda h: h.start)
