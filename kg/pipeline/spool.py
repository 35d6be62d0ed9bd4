"""The spool: what each admitted document leaves for the stages after extraction, on disk
rather than in memory (its graph, facts and compacted extraction), read back one at a time."""
from __future__ import annotations

import json
import os
import pickle
import shutil
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Self

from kg.export import write_texts
from kg.graph import DocumentTriples, StoreWriter, document_graph, fact_triples
from kg.model import Entity, Extraction, PackedMentions

# document id -> what the build holds of it (the rest waits in the spool)
Found = dict[str, "Held"]


@dataclass(frozen=True, slots=True)
class Held:
    """What a build holds of an admitted document: its id and date (the later stages' order)
    and where the spool keeps the rest, (offset, length) in its file."""
    id: str
    date: str
    facts: tuple[int, int]                 # its facts (flows, relations, roles: N-Triples)
    graph: tuple[int, int] | None          # its graph; None: in the store already (--add)
    row: tuple[int, int] | None            # its extraction, compacted (:meth:`Spool.add`)
    extraction: Extraction | None = None   # or the extraction itself (corrections read texts)


class SpoolReader:
    """Reads the extractions of a build's spool (:class:`Spool`) back: in the build's process,
    or in a worker given the spool's path and the entities it numbers (:func:`_spooled_tables`)."""

    def __init__(self, path: Path, entity_list: list[Entity]) -> None:
        self.path, self.entity_list = path, entity_list
        self.file = path.open("rb", buffering=0)

    def extractions(self, held: list[Held]) -> Sequence[Extraction]:
        """The documents' extractions, in the order of ``held``, read as they are used."""
        return SpilledExtractions(self, held)

    def extraction(self, held: Held) -> Extraction:
        if held.extraction is not None:
            return held.extraction
        doc, entities, mentions, count, flows, relations, roles = pickle.loads(self.read(held.row))
        return Extraction(doc, tuple(self.entity_list[i] for i in entities),
                          _SpilledMentions(self, mentions, count), flows, relations, roles)

    def read(self, where: tuple[int, int]) -> bytes:
        offset, length = where
        return os.pread(self.file.fileno(), length, offset)

    def close(self) -> None:
        self.file.close()


class Spool(SpoolReader):
    """What each admitted document leaves for the later stages, on disk rather than in memory
    (the build holds a :class:`Held` of a few hundred bytes per document): its text, into
    texts/<id>.txt at once; its graph as it was serialised, into the store as it comes and
    into the spool's file until graph.ttl is written; its facts, until validation; and its
    extraction, compacted (without its text and paragraphs, its mentions apart, see
    :class:`_SpilledMentions`, its entities by number: the corpus's 24,000 entities of
    documents are 8,400 different ones, held once). The later stages read the extractions
    back one at a time (:meth:`extractions`); with ``keep_texts`` (corrections read them) the
    build holds them whole instead."""

    def __init__(self, folder: Path, store: StoreWriter, keep_texts: bool) -> None:
        self.build, self.store, self.keep_texts = folder, store, keep_texts
        self.entities: dict[Entity, int] = {}     # each entity held once, by value
        self.entity_list: list[Entity] = []
        self.folder = folder / ".spool"
        self.folder.mkdir()
        self.path = self.folder / "spool"
        self.file = self.path.open("w+b", buffering=0)
        self.size = 0
        self.records = Records(self.folder / "records")

    def add(self, extraction: Extraction, triples: DocumentTriples | None) -> Held:
        """Keep a document's text, graph (None: it is in the store already) and extraction."""
        doc = extraction.document
        write_texts(self.build, [doc])
        graph = None
        if triples is not None:
            self.store.add(document_graph(doc.id), triples.graph)
            graph = self.write(triples.graph)
        facts = self.write(triples.facts if triples is not None else fact_triples(extraction))
        if self.keep_texts:
            return Held(doc.id, doc.date, facts, graph, None, extraction)
        entities = tuple(self._entity(e) for e in extraction.entities)
        mentions = PackedMentions.of(extraction.mentions).rows
        row = (doc.without_text(), entities, self.write(mentions), len(extraction.mentions),
               extraction.flows, extraction.relations, extraction.roles)
        return Held(doc.id, doc.date, facts, graph, self.write(pickle.dumps(row, pickle.HIGHEST_PROTOCOL)))

    def graph(self, held: Held) -> bytes:
        """A document's graph (b"" when it is in the store already)."""
        return self.read(held.graph) if held.graph is not None else b""

    def close(self) -> None:
        self.file.close()
        self.records.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    def write(self, data: bytes) -> tuple[int, int]:
        """Append ``data`` to the spool's file; where it is, (offset, length)."""
        where = (self.size, len(data))
        self.file.write(data)
        self.size += len(data)
        return where

    def _entity(self, entity: Entity) -> int:
        number = self.entities.get(entity)
        if number is None:
            number = self.entities[entity] = len(self.entity_list)
            self.entity_list.append(entity)
        return number


class Records:
    """The manifest's record of each input (path, sha256, document, status), in the spool as
    one JSON line each until the manifest is written, not held (some 450 bytes per input)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.file = path.open("w", encoding="utf-8")

    def append(self, record: dict) -> None:
        self.file.write(json.dumps(record, ensure_ascii=False) + "\n")

    def __iadd__(self, records: Iterable[dict]) -> Self:
        for record in records:
            self.append(record)
        return self

    def __iter__(self) -> Iterator[dict]:
        self.file.flush()
        with self.path.open(encoding="utf-8") as f:
            for line in f:
                yield json.loads(line)

    def close(self) -> None:
        self.file.close()


class SpilledExtractions(Sequence):
    """The extractions of a build's documents, in the spool: each read when a stage comes to
    it (a stage that goes through them all holds one at a time)."""

    __slots__ = ("held", "spool")

    def __init__(self, spool: SpoolReader, held: list[Held]) -> None:
        self.spool, self.held = spool, held

    def __len__(self) -> int:
        return len(self.held)

    def __iter__(self) -> Iterator[Extraction]:
        return map(self.spool.extraction, self.held)

    def __getitem__(self, index: int) -> Extraction:
        return self.spool.extraction(self.held[index])


class _SpilledMentions(PackedMentions):
    """A document's mentions, in the build's spool, read each time a stage goes through them
    (the tables, the actor network): they were two thirds of what a build held per document,
    21 of the 31 MB of the 1,295-cable corpus. Read only while the build runs (the spool goes
    with it); their number is known without reading."""

    __slots__ = ("spool", "where")

    def __init__(self, spool: SpoolReader, where: tuple[int, int], count: int) -> None:
        self.spool, self.where, self.count = spool, where, count

    @property
    def rows(self) -> bytes:
        return self.spool.read(self.where)
