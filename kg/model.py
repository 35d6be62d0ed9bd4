"""Frozen dataclasses passed between the stages: the only contract between them.

Imports nothing heavy (no rdflib, networkx or spaCy), so every stage can use it.
"""
from __future__ import annotations

import pickle
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace

ENTITY_TYPES = (
    "Country", "City", "Region", "GovernmentAgency", "NGO", "InternationalOrganization",
    "Official", "Person", "Court", "Media",
)
EXPLOITATION_TYPES = (
    "labor", "sexual", "organ_removal", "criminal_activity", "begging",
    "domestic_servitude", "child", "unspecified",
)
RELATION_PREDICATES = ("holdsPostIn", "partOf", "supervises", "fundedBy", "cooperatesWith")


_UPPER, _LOWER = bytes(range(65, 91)), bytes(range(97, 123))


def _in_capitals(paragraphs: tuple[Paragraph, ...]) -> bool:
    """Whether fewer than 2% of the letters A-Z of the paragraphs are lower case."""
    text = "".join(p.text for p in paragraphs).encode("ascii", "ignore")
    upper = len(text) - len(text.translate(None, _UPPER))   # counted in C, not in lists
    lower = len(text) - len(text.translate(None, _LOWER))
    return upper + lower > 0 and lower < 0.02 * (upper + lower)


@dataclass(frozen=True, slots=True)
class Paragraph:
    """A span of a document's text that kg reads as one unit.

    ``text`` has the same length as ``document.text[start:end]``; lines that are not content
    (page markers, "Missing Section" notes) are blanked with spaces so that every offset in
    ``text`` plus ``start`` is an offset in the document.
    """

    index: int          # 1-based position among the body paragraphs; 0 for the subject line
    number: int         # the number the document prints; the position where it prints none
    start: int
    end: int
    text: str
    kind: str = "body"  # "body" or "subject"


@dataclass(frozen=True)
class Document:
    """One document as kg read it: its text, its metadata and its paragraphs."""

    id: str
    source_file: str     # the input file's base name, as given
    path: str            # the path it was read from
    sha256: str          # of the input file's bytes
    text: str            # the text every offset indexes (written to texts/<id>.txt)
    paragraphs: tuple[Paragraph, ...]
    title: str = ""
    date: str = ""       # ISO 8601
    origin: str = ""
    classification: str = ""
    tags: tuple[str, ...] = ()
    recipients: tuple[str, ...] = ()
    references: tuple[str, ...] = ()
    signer: str = ""
    kind: str = "text"   # "cable" or "text"
    encoding: str = "utf-8"
    words: int = -1      # words of content (subject and paragraphs, not the routing header)
    # True for the older cables written in capitals only (matching then ignores case)
    all_caps: bool | None = None
    body_paragraphs: int = -1   # paragraphs of content (the subject line not counted)

    def __post_init__(self) -> None:
        if self.words < 0:
            object.__setattr__(self, "words", sum(len(p.text.split()) for p in self.paragraphs))
        if self.all_caps is None:
            object.__setattr__(self, "all_caps", _in_capitals(self.paragraphs))
        if self.body_paragraphs < 0:
            object.__setattr__(self, "body_paragraphs", sum(p.kind == "body" for p in self.paragraphs))

    def without_text(self) -> Document:
        """This document's metadata and counts, without its text or its paragraphs: what a
        build keeps once texts/<id>.txt is written and the document's graph serialised (the
        paragraphs alone were 2 MB of every 1,300 cables a build held)."""
        return replace(self, text="", paragraphs=())

    @property
    def year(self) -> int | None:
        return int(self.date[:4]) if self.date[:4].isdigit() else None


@dataclass(frozen=True, slots=True)
class Mention:
    """A span of a document's text that names an entity."""

    entity_id: str
    document: str
    paragraph: int        # printed number
    paragraph_index: int  # 1-based position (0: subject)
    start: int
    end: int
    text: str
    method: str = ""

    @classmethod
    def at(cls, entity_id: str, doc: Document, p: Paragraph, start: int, end: int,
           method: str) -> Mention:
        """The mention of an entity by doc.text[start:end] (offsets in the document), in
        paragraph ``p``. Its text is interned: a name a document repeats is one string, which
        pickle sends from a worker once (a build holds every document's mentions)."""
        return cls(entity_id, doc.id, p.number, p.index, start, end, sys.intern(doc.text[start:end]),
                   method)


class PackedMentions(Sequence):
    """A document's mentions as one pickled list of rows (each a Mention's fields in order):
    how a worker sends them to the build and how the build keeps them. The corpus's 105,000
    Mention objects took 0.9 CPU-s to pickle in the workers and unpickle in the build (a
    frozen dataclass with slots is rebuilt field by field in Python); as rows, 0.05, and the
    build does not make the objects while the documents stream in. Reading gives Mentions.

    >>> m = Mention("kg:e1", "07ASTANA1", 2, 3, 10, 20, "Kazakhstan", "gazetteer")
    >>> packed = PackedMentions.of([m, m])
    >>> len(packed), list(packed) == [m, m], packed[1] == m, PackedMentions.of(packed) is packed
    (2, True, True, True)
    """

    __slots__ = ("count", "rows")

    def __init__(self, rows: bytes, count: int) -> None:
        self.rows, self.count = rows, count

    @classmethod
    def of(cls, mentions: Sequence[Mention]) -> PackedMentions:
        if isinstance(mentions, PackedMentions):
            return mentions
        return cls(pickle.dumps([(m.entity_id, m.document, m.paragraph, m.paragraph_index, m.start,
                                  m.end, m.text, m.method) for m in mentions], pickle.HIGHEST_PROTOCOL),
                   len(mentions))

    def __reduce__(self):
        return PackedMentions, (self.rows, self.count)

    def __len__(self) -> int:
        return self.count

    def __iter__(self) -> Iterator[Mention]:
        return (Mention(*row) for row in pickle.loads(self.rows))

    def __getitem__(self, index):
        return tuple(self)[index]


@dataclass(frozen=True, slots=True)
class Entity:
    """One real-world thing, resolved across the corpus."""

    id: str
    name: str
    type: str
    aliases: tuple[str, ...] = ()
    country: str = ""        # English short name
    country_code: str = ""   # ISO 3166-1 alpha-2
    latitude: float | None = None
    longitude: float | None = None
    title: str = ""
    organization: str = ""
    curator: str = ""        # the analyst whose correction changed it (kg.corrections.toml)


@dataclass(frozen=True, kw_only=True, slots=True)
class Sourced:
    """Where a stated fact comes from: document, paragraph, evidence span, and how sure kg is."""

    document: str = ""
    paragraph: int = 0          # printed number
    paragraph_index: int = 0    # 1-based position
    evidence: str = ""          # the sentence
    start: int = 0              # offsets of the evidence in the document's text
    end: int = 0
    confidence: float = 0.0
    method: str = ""            # the rule or method that found it ("curated": an analyst)
    curator: str = ""           # the analyst who added it (kg.corrections.toml), or ""
    note: str = ""              # the analyst's reason


@dataclass(frozen=True, slots=True)
class Flow(Sourced):
    """A movement of trafficking victims that a document states."""

    id: str
    source: str                      # entity id
    destination: str                 # entity id
    transit: tuple[str, ...] = ()    # entity ids, in order
    exploitation: tuple[str, ...] = ()
    victims: int | None = None
    year: int | None = None
    hedged: bool = False             # the text only says it may happen ("reportedly", "may be")
    internal: bool = False           # source and destination in one country
    sectors: tuple[str, ...] = ()    # where the text names them: agriculture, fishing, ...


@dataclass(frozen=True, slots=True)
class Relation(Sourced):
    """A stated relation between two entities."""

    id: str
    subject: str      # entity id
    predicate: str
    object: str       # entity id


@dataclass(frozen=True, slots=True)
class Role:
    """A place's stated role in trafficking (source, transit, destination)."""

    place: str        # entity id
    role: str
    exploitation: tuple[str, ...] = ()
    document: str = ""
    paragraph: int = 0
    evidence: str = ""


@dataclass(frozen=True)
class Extraction:
    """What extraction found in one document."""

    document: Document
    entities: tuple[Entity, ...] = ()
    mentions: Sequence[Mention] = ()   # a tuple (a build may hold them on disk till its tables)
    flows: tuple[Flow, ...] = ()
    relations: tuple[Relation, ...] = ()
    roles: tuple[Role, ...] = ()


@dataclass(frozen=True)
class Failure:
    """An input that could not be read, and why (one line, naming the file)."""

    path: str
    reason: str
    sha256: str = ""

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


@dataclass
class Summary:
    """What a build did: returned by :func:`kg.build` and printed by ``kg build``."""

    out: str
    documents: int = 0
    entities: int = 0
    mentions: int = 0
    flows: int = 0
    relations: int = 0
    failures: list[Failure] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)
    violations: list[str] = field(default_factory=list)   # SHACL, see ontology/shapes.ttl
    reused: int = 0        # documents whose extraction came from the previous build's cache
    thorough: bool = False  # the model read every sentence of every cable (kg build --thorough)
    workers_peak_mb: int | None = None   # the largest local worker process's peak RSS
    corrections: object = None   # kg.corrections.Report, when a corrections file was applied
    # what a user must see even with kg build -q: files read in another encoding than UTF-8
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failures
