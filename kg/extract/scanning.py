"""Names found by an Aho-Corasick automaton (pyahocorasick) in a paragraph: case-folded, with
each run of white space as one space, on word boundaries, the longest first where they
overlap. Places and organisations scan with it."""
from __future__ import annotations

import re
from bisect import bisect_right
from functools import lru_cache

from kg.model import Paragraph


def build_automaton(entries: dict):
    """An Aho-Corasick automaton over case-folded forms, each written as :func:`scan_all`
    reads the text: led by a space, and every character that is not a letter or digit a
    space (:func:`_spaced`), so that a form is found only where a word starts. Each value is
    (length, ((form, entry), ...)): the forms written alike that way ("guinea-bissau",
    "guinea bissau"), of which the text must hold one exactly."""
    import ahocorasick
    alike: dict[str, list] = {}
    for key, entry in entries.items():    # (in any order: the automaton is the same)
        alike.setdefault(" " + _spaced(key), []).append((key, entry))
    auto = ahocorasick.Automaton()
    for spaced, forms in alike.items():
        auto.add_word(spaced, (len(spaced) - 1, tuple(forms)))
    auto.make_automaton()
    return auto


def scan(auto, p: Paragraph, any_case: bool) -> list[tuple[int, int, object]]:
    """Longest non-overlapping hits of an automaton in a paragraph: (start, end, entry).

    Entries carry ``case_sensitive``. Offsets are relative to the paragraph. In mixed-case
    text a name must start with a capital, and an ALL-CAPS word in prose is jargon, not a
    name ("PARA 6A"), unless the entry itself is an acronym.
    """
    return longest(scan_all(auto, p, any_case))


def scan_all(auto, p: Paragraph, any_case: bool, hyphens: bool = False) -> list[tuple[int, int, object]]:
    """Every hit of an automaton in a paragraph, overlapping ones too (see :func:`scan`).
    With ``hyphens``, names joined by a hyphen are names each ("Ethiopia-Djibouti")."""
    folded, where, spaced = _collapsed(p.text)
    hits = []
    for after, (length, forms) in auto.iter(spaced):
        if spaced[after + 1] != " ":
            continue    # a word goes on after it ("Mali" in "malice")
        # (spaced is the folded text between two spaces: the form's last character is at
        # ``after`` - 1 in the folded text, its first at ``after`` - length)
        first, end = after - length, after - 1
        written = folded[first:after]
        entry = next((entry for form, entry in forms if form == written), None)
        if entry is None:
            continue    # another form written alike ("u.s" for "u s")
        start = where[first]
        if not any_case and not p.text[start].isupper() and entry.form[:1].isupper():
            continue    # a name in lower case ("male", "split"): most of the hits left, cut first
        stop = where[end] + 1
        surface = " ".join(p.text[start:stop].split())
        if not _boundaries(p.text, start, stop, hyphens):
            continue
        if entry.case_sensitive and surface != entry.form:
            continue
        if not any_case and not surface[0].isupper() and surface != entry.form:
            continue  # a listed form in lower case ("former Soviet Union") must match exactly
        if (not any_case and p.kind == "body" and not entry.case_sensitive
                and len(surface) > 1 and surface.isupper()):
            continue
        hits.append((start, stop, entry))
    return hits


def _spaced(folded: str) -> str:
    """``folded`` with every character that is not a letter or a digit (``str.isalnum``) a
    space, the same length: a bytes table for ASCII text, after the non-ASCII punctuation
    cables use (a paragraph mark opens each of their paragraphs); a regular expression for
    the rest.

    >>> _spaced("¶1. (sbu) kazakhstan’s")
    ' 1   sbu  kazakhstan s'
    """
    if not folded.isascii():
        for mark in PUNCTUATION:
            if mark in folded:
                folded = folded.replace(mark, " ")
        if not folded.isascii():
            return NOT_ALNUM.sub(" ", folded)
    return folded.encode("ascii").translate(ASCII_SPACED).decode("ascii")


PUNCTUATION = "¶’“”‘–—\xa0"
ASCII_SPACED = bytes(c if chr(c).isalnum() else 32 for c in range(128)) + bytes(128)
NOT_ALNUM = re.compile(r"[\W_]")


@lru_cache(maxsize=32)
def _collapsed(text: str) -> tuple[str, _Offsets, str]:
    """The text case-folded with each run of white space as one space, for each of its
    characters the offset in the original (names broken across lines and page breaks match),
    and the folded text as the automaton reads it (:func:`_spaced`, between two spaces).

    Cached: places and organisations scan the same paragraphs.

    >>> _collapsed("North\\n\\n  Kazakhstan")[0]
    'north kazakhstan'
    >>> folded, where, _ = _collapsed("Stra\u00dfe  X")
    >>> folded, [where[i] for i in range(len(folded))]
    ('stra\u00dfe x', [0, 1, 2, 3, 4, 5, 6, 8])
    """
    folded = text.casefold()
    if len(folded) != len(text):   # a letter that folds to two: keep it, offsets stay exact
        folded = "".join(c.casefold() if len(c.casefold()) == 1 else c for c in text)
    # every white-space character a space (the offsets stay), then each run of spaces one
    # space: only runs need offsets kept, and a cable's lines end in one line break each
    folded = SPACE.sub(" ", folded)
    parts: list[str] = []
    where = _Offsets()
    pos = at = 0      # where the next piece starts: in the text, in the collapsed text
    for m in SPACES.finditer(folded):
        parts.append(folded[pos:m.start()])
        at += m.start() - pos
        where.add(at, m.start())        # the space stands for the run of white space
        where.add(at + 1, m.end())      # and the next piece starts after it
        parts.append(" ")
        pos, at = m.end(), at + 1
    if parts:
        parts.append(folded[pos:])
        folded = "".join(parts)
    return folded, where, f" {_spaced(folded)} "


SPACE, SPACES = re.compile(r"[^\S ]"), re.compile(r" {2,}")


class _Offsets:
    """For each character of a collapsed text (:func:`_collapsed`), its offset in the
    original. The collapsed text is pieces of the original, each run of white space between
    them one space: only where the pieces start is kept (a list of every offset took a
    quarter of the time spent finding places)."""

    __slots__ = ("folded", "original")

    def __init__(self) -> None:
        self.folded, self.original = [0], [0]    # where each piece starts, in both texts

    def add(self, folded: int, original: int) -> None:
        """A piece starts at ``folded`` in the collapsed text and ``original`` in the text."""
        self.folded.append(folded)
        self.original.append(original)

    def __getitem__(self, k: int) -> int:
        i = bisect_right(self.folded, k) - 1
        return self.original[i] + k - self.folded[i]


def _boundaries(text: str, start: int, end: int, hyphens: bool = False) -> bool:
    """A name starts and ends on word boundaries ("Taraz-based" names Taraz, "Post-" does not;
    with ``hyphens`` "Ethiopia-Djibouti" names both).

    >>> _boundaries("Ethiopia-Djibouti", 0, 8), _boundaries("Ethiopia-Djibouti", 0, 8, True)
    (False, True)
    """
    before = text[start - 1] if start else " "
    after = text[end] if end < len(text) else " "
    if after == "-" and text[end:end + 6] == "-based":
        after = " "
    if hyphens:
        if after == "-" and text[end + 1:end + 2].isupper():
            after = " "
        if before == "-" and start > 1 and text[start - 2].isalpha() and \
                re.search(r"(?:^|\s)[A-Z][\w]*-$", text[max(0, start - 30):start]):
            before = " "
    return not (before.isalnum() or after.isalnum() or before in "-'" or after == "-")


def longest(hits):
    """Non-overlapping hits, the longest first where they overlap.

    The spans taken so far are disjoint, so they are kept sorted and a new hit is checked
    against its two neighbours only (a paragraph of 9,000 sentences has 40,000 hits).

    >>> [(a, b) for a, b, _ in longest([(0, 5, "x"), (3, 12, "y"), (12, 14, "z"), (13, 15, "w")])]
    [(3, 12), (12, 14)]
    """
    from bisect import bisect_left
    chosen, starts, ends = [], [], []
    for start, end, entry in sorted(hits, key=lambda h: (-(h[1] - h[0]), h[0])):
        i = bisect_left(starts, start)
        if (i < len(starts) and starts[i] < end) or (i > 0 and ends[i - 1] > start):
            continue
        starts.insert(i, start)
        ends.insert(i, end)
        chosen.append((start, end, entry))
    return sorted(chosen, key=lambda h: h[0])
