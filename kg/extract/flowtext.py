"""The words of flows: cues, exploitation types, sentences, places as slots, lists and counts.

What the two readers of flows share: :mod:`kg.extract.flows` (sentences of cables) and
:mod:`kg.extract.clauses` (the clauses of reports that list many flows in one sentence).
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from functools import lru_cache

from kg.extract.fastre import compile_skipping
from kg.extract.words import DATA
from kg.model import Entity, Mention, Paragraph

PLACE_TYPES = ("Country", "City", "Region")
SLOT = re.compile(r"⟨(\d+)⟩")
NUMBERS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
           "seven": 7, "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12,
           "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
           "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50}
NUMBER = r"(?:(?!(?:19|20)\d\d\b)\d{1,6}|" + "|".join(sorted(NUMBERS, key=len, reverse=True)) + r")"
PEOPLE = (r"(?:victims?|women|men|woman|man|girls?|boys?|females?|males?|citizens|nationals|"
          r"persons|people|workers|laborers|labourers|children|child|teenagers?|minors?|migrants)")
FILLER = (r"(?:\s|,|;|\(|\)|\bthe\b|\band\b|\bor\b|\bas well as\b|\bbut\b|\balso\b|\bmainly\b|"
          r"\bprimarily\b|\bmostly\b|\bincluding\b|\bespecially\b|\bparticularly\b|\bsometimes\b|"
          r"\bother\b|\bneighbou?ring\b|\bcountries\b|\bsuch as\b|\bfrom\b|\bcities\b|\bof\b|"
          r"\bnotably\b|\bnamely\b|\bformer\b|\bincreasingly\b|\bprimarily\b)*")
FROM = re.compile(r"\b(?:from|recruited\s+in|lured\s+in|abducted\s+in)\s")
TO = re.compile(r"\b(?:to|into)\s")
VIA = re.compile(r"\b(?:via|through|transiting(?:\s+(?:via|through))?|by way of)\s")
SUB = re.compile(rf"\(?\s*(?P<n>{NUMBER})\s+of\s+them\s+(?:\w+\s+)?(?:via|through)\s+⟨(?P<slot>\d+)⟩", re.I)
ROLE = re.compile(r"⟨(?P<slot>\d+)⟩\s+(?:is|was|remains|serves\s+as|has\s+become|became|continues\s+to\s+be)"
                  r"(?:\s+(?:also|primarily|mainly|both|increasingly|still))*\s+(?:a\s+|an\s+)?"
                  r"(?P<roles>(?:(?:major|significant|growing|primary|main|key)\s+)?"
                  r"(?:(?:source|transit|destination|origin)(?:\s*,\s*(?:and\s+|or\s+)?|\s+and\s+|\s+or\s+|\s+)?)+)"
                  r"\s*(?:country|countries|point|hub|area|region|(?=for\b))"
                  r"|⟨(?P<slot2>\d+)⟩\s+(?:\w+\s+){0,3}?(?:as\s+)?a\s+country\s+of\s+(?P<roles2>origin|destination|transit)")
ABBREVIATION = re.compile(r"\b(?:[A-Z]|U\.S|Mr|Ms|Mrs|Dr|No|St|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec|e\.g|i\.e|etc|para)\.$")


@dataclass(frozen=True)
class Slot:
    entity: Entity
    start: int           # document offsets
    end: int
    surface: str


@dataclass
class Found:
    source: Entity
    transit: tuple[Entity, ...]
    destination: Entity
    exploitation: set[str]
    victims: int | None
    sentence: tuple[int, int]
    method: str
    confidence: float
    year: int | None
    hedged: bool = False            # the text only says it may happen
    sectors: set[str] = field(default_factory=set)


@lru_cache(maxsize=1)
def cues() -> dict[str, re.Pattern[str]]:
    """kind -> one pattern of all the cue patterns of that kind (kg/data/flow_cues.csv)."""
    kinds: dict[str, list[str]] = {}
    with (DATA / "flow_cues.csv").open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(line for line in f if not line.startswith("#")):
            kinds.setdefault(row["kind"], []).append(row["pattern"])
    return {k: compile_skipping("|".join(f"(?:{p})" for p in v), re.I) for k, v in kinds.items()}


@lru_cache(maxsize=4)
def speaks_of_trafficking(text: str) -> bool:
    """Whether a text has a word of human trafficking (a cue of kind "trafficking"; drug
    trafficking's words too, which the flows then set apart). Cached: the people step and
    the flows ask it of the same text (a str caches its hash, so the look-up is cheap)."""
    return cues()["trafficking"].search(text) is not None


def human_trafficking_words(text: str) -> list[str]:
    """The words of human trafficking in a text, those of drugs or arms trafficking left out."""
    c = cues()
    return c["trafficking"].findall(c["goods_trafficking"].sub(" ", text))


def speaks_of_human_trafficking(text: str) -> bool:
    """Whether a text has a word of human trafficking (drugs or arms trafficking aside)."""
    c = cues()
    return c["trafficking"].search(c["goods_trafficking"].sub(" ", text)) is not None


@lru_cache(maxsize=4)
def named_patterns(name: str) -> tuple[tuple[str, re.Pattern[str]], ...]:
    """The (name, pattern) rows of a data file of two columns after its header
    (kg/data/exploitation.csv, sectors.csv), each pattern compiled ignoring case."""
    with (DATA / name).open(encoding="utf-8", newline="") as f:
        rows = csv.reader(f)
        next(rows)
        return tuple((key, compile_skipping(pattern, re.I)) for key, pattern in rows)


def exploitation_of(text: str) -> set[str]:
    """The exploitation types a text names, with "child" for stated minors.

    >>> sorted(exploitation_of("a 17-year-old girl forced into prostitution"))
    ['child', 'sexual']
    """
    found = {t for t, p in named_patterns("exploitation.csv") if p.search(text)}
    for m in re.finditer(r"\b(\d{1,2})[- ]years?[- ]old\b|\baged\s+(\d{1,2})\b|\bfrom\s+(\d{1,2})\s+to\s+\d{1,2}\s+years",
                         text):
        age = int(next(g for g in m.groups() if g))
        if age < 18:
            found.add("child")
    return found


def sectors_of(text: str) -> set[str]:
    """The sectors of work a text names (kg/data/sectors.csv), as the CTDC's typeOfLabour.

    >>> sorted(sectors_of("forced labor in fishing, brick kilns, and domestic service"))
    ['brick kilns', 'domestic work', 'fishing']
    """
    return {name for name, p in named_patterns("sectors.csv") if p.search(text)}


def sentences(p: Paragraph) -> list[tuple[int, int]]:
    """Sentence spans of a paragraph (offsets in the paragraph)."""
    spans, start = [], 0
    for m in re.finditer(r"[.!?](?=\s+[\"“(]?[A-Z0-9])", p.text):
        if ABBREVIATION.search(p.text[max(0, m.start() - 6):m.end()]):
            continue
        spans.append((start, m.end()))
        start = m.end()
    spans.append((start, len(p.text)))
    return [(a + len(p.text[a:b]) - len(p.text[a:b].lstrip()), b) for a, b in spans if p.text[a:b].strip()]


def within(ordered: list[Mention], starts: list[int], lo: int, hi: int) -> list[Mention]:
    """The mentions inside [lo, hi) of a list sorted by start (``starts``: their starts), found
    by bisection: a paragraph of thousands of sentences stays linear."""
    from bisect import bisect_left
    out = []
    for i in range(bisect_left(starts, lo), len(ordered)):
        m = ordered[i]
        if m.start >= hi:
            break
        if m.end <= hi:
            out.append(m)
    return out


def slotted_text(text: str, slots: list[Slot], offset: int) -> str:
    """The sentence with each slot's span replaced by ⟨i⟩ (its index), white space collapsed.

    >>> e = Entity("x", "X", "Country")
    >>> slotted_text("from  Osh to Bishkek", [Slot(e, 6, 9, "Osh")], 0)
    'from ⟨0⟩ to Bishkek'
    """
    out, last = [], 0
    for i, s in enumerate(slots):
        out.append(text[last:s.start - offset])
        out.append(f"⟨{i}⟩")
        last = s.end - offset
    out.append(text[last:])
    return " ".join("".join(out).split())


def year_of(text: str) -> int | None:
    years = re.findall(r"\b(19[89]\d|20[0-4]\d)\b", text)
    return int(years[0]) if years else None


def take_list(slotted: str, pos: int) -> tuple[list[int], int]:
    """The slots of a list starting at pos ("⟨1⟩, ⟨2⟩, and ⟨3⟩"), and where it ends."""
    slots, end = [], pos
    pattern = re.compile(FILLER + r"⟨(\d+)⟩", re.I)
    while True:
        m = pattern.match(slotted, end)
        if not m or (slots and re.search(r"\bfrom\b", m.group(0)) and not re.search(r"\bsometimes\b|\bother\b", m.group(0))):
            break
        if not slots and re.search(r"[;()]", m.group(0)):
            break
        slots.append(int(m.group(1)))
        end = m.end()
    return slots, end


def count_before(text: str, pos: int) -> int | None:
    """The number of people in the noun phrase that ends at pos ("34 female and 26 male
    victims" -> 60; "seven" -> 7; "15 to 20 workers" -> None)."""
    head = re.sub(r"\b\d{1,2}[- ]years?[- ]old\b", "young", text[:pos])
    m = re.search(rf"((?:\b{NUMBER}\s+(?:[\w-]+\s+|⟨\d+⟩\s+){{0,2}}?(?:\b{PEOPLE}\b\s+)*(?:and\s+)?)+)"
                  rf"(?:{PEOPLE}\s*)?(?:who\s+\w+\s+been\s+|were\s+|was\s+|had\s+been\s+|\w+ed\s+){{0,2}}\s*$",
                  head, re.I)
    if not m:
        return None
    phrase = m.group(1)
    if re.search(r"\b\d+\s+to\s+\d+\b|year|old\b|percent|%", phrase, re.I):
        return None
    numbers = [number(n) for n in re.findall(rf"\b{NUMBER}\b", phrase, re.I)]
    if not re.search(PEOPLE, phrase + text[pos - 30:pos], re.I) and len(numbers) != 1:
        return None
    return sum(numbers) if numbers else None


def count_all(slotted: str) -> int | None:
    m = re.search(rf"((?:\b{NUMBER}\s+(?:\w+\s+){{0,2}}?(?:\b{PEOPLE}\b\s*)+(?:and\s+)?)+)", slotted, re.I)
    if not m:
        return None
    return sum(number(n) for n in re.findall(rf"\b{NUMBER}\b", m.group(1), re.I))


def number(word: str) -> int:
    return int(word) if word.isdigit() else NUMBERS[word.lower()]
