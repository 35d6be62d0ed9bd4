"""The CSV tables of a build (see CONTRACT.md): one line per row, sorted by id, stable bytes."""
from __future__ import annotations

import csv
import heapq
import pickle
import re
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from kg.ids import document_slug
from kg.model import Document, Entity, Extraction, Mention

COLUMNS = {
    "documents": ("id", "source_file", "title", "date", "origin", "classification", "tags",
                  "paragraphs", "words", "sha256", "recipients", "references", "signer", "kind"),
    "entities": ("id", "name", "type", "aliases", "country", "country_code", "latitude",
                 "longitude", "title", "organization", "documents", "mentions", "curated_by"),
    "mentions": ("entity_id", "document", "paragraph", "paragraph_index", "start", "end", "text"),
    "flows": ("id", "source", "source_country", "transit", "destination", "destination_country",
              "exploitation", "victims", "year", "document", "paragraph", "paragraph_index",
              "evidence", "start", "end", "confidence", "method", "hedged", "internal", "sectors",
              "curated_by", "note"),
    "relations": ("id", "subject", "predicate", "object", "document", "paragraph",
                  "paragraph_index", "evidence", "start", "end", "confidence", "method",
                  "curated_by", "note"),
    "roles": ("place", "role", "exploitation", "document", "paragraph", "evidence"),
}


def cell(value: object) -> str:
    """One CSV cell: lists joined with ';', white space collapsed (no line breaks), None empty.

    >>> cell(["UZ", "KZ"]), cell("two\\nlines"), cell(None), cell(0.5)
    ('UZ;KZ', 'two lines', '', '0.5')
    """
    kind = type(value)
    if kind is str:
        if value.isprintable() and "  " not in value and value[:1] != " " and value[-1:] != " ":
            return value       # (most cells: no white space but single spaces inside)
    elif kind is int:
        return str(value)
    elif value is None:
        return ""
    elif isinstance(value, (list, tuple)):
        return ";".join(cell(v) for v in value)
    elif isinstance(value, float):
        return f"{value:.6g}"
    return SPACES.sub(" ", str(value)).strip()


SPACES = re.compile(r"\s+")
_BOOL = {True: "true", False: "false"}     # flows.csv's hedged and internal (CONTRACT.md)


def write_csv(path: Path, columns: Sequence[str], rows: Iterable[Sequence[object]],
              cells: bool = True) -> int:
    """Write rows (already in order) under a header; return how many rows were written.
    ``cells=False``: the rows' values are cells already (made by :func:`cell`, or ints)."""
    count = 0
    with _csv_writer(path, columns) as writer:
        for row in rows:
            writer.writerow([cell(v) for v in row] if cells else row)
            count += 1
    return count


@contextmanager
def _csv_writer(path: Path, columns: Sequence[str]):
    """A csv writer of ``path``, its header written."""
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(columns)
        yield writer


RUN = 50_000     # mentions sorted in memory at a time (some 10 MB; the corpus has 105,000)


def _sorted_mentions(mentions: Iterable[Mention], scratch: Path) -> Iterator[tuple]:
    """The mentions in mentions.csv's order, as (entity id, document, start, end, paragraph,
    paragraph index, text).

    Sorted RUN at a time; when there are more, each sorted run waits in ``scratch`` and the
    runs are merged: the memory this takes stays the same however large the corpus."""
    rows: list[tuple] = []
    runs: list[Path] = []
    for m in mentions:
        rows.append((m.entity_id, m.document, m.start, m.end, m.paragraph, m.paragraph_index, m.text))
        if len(rows) >= RUN:
            runs.append(_spill(sorted(rows), scratch / f"{len(runs)}.pickle"))
            rows = []
    rows.sort()
    if not runs:
        return iter(rows)
    runs.append(_spill(rows, scratch / f"{len(runs)}.pickle"))
    return heapq.merge(*(_read_run(path) for path in runs))


def _with_mentions(entities: Iterable[Entity], mentions: Iterator[tuple],
                   write: Callable[[list], object]) -> Iterator[tuple[Entity, set[str], int]]:
    """Each entity (in id order) with the documents and the number of its mentions, read from
    ``mentions`` in mentions.csv's order (by entity id first), each written with ``write`` as
    it goes by: the documents of one entity are held at a time, not every entity's."""
    def row(m: tuple) -> list:
        entity_id, document, start, end, paragraph, paragraph_index, text = m
        return [cell(entity_id), cell(document), paragraph, paragraph_index, start, end, cell(text)]

    mention = next(mentions, None)
    for e in entities:
        docs: set[str] = set()
        count = 0
        while mention is not None and mention[0] <= e.id:
            if mention[0] == e.id:
                docs.add(mention[1])
                count += 1
            write(row(mention))
            mention = next(mentions, None)
        yield e, docs, count
    while mention is not None:      # (mentions of no entity: none, unless a correction dropped it)
        write(row(mention))
        mention = next(mentions, None)


def _spill(rows: list[tuple], path: Path, block: int = 1000) -> Path:
    """A sorted run on disk, by blocks (read back one block at a time)."""
    with path.open("wb") as f:
        for i in range(0, len(rows), block):
            pickle.dump(rows[i:i + block], f, pickle.HIGHEST_PROTOCOL)
    return path


def _read_run(path: Path) -> Iterator[tuple]:
    with path.open("rb") as f:
        while True:
            try:
                block = pickle.load(f)
            except EOFError:
                return
            yield from block


def write_texts(folder: Path, documents: Iterable[Document]) -> None:
    """texts/<document id>.txt: the text every offset of the tables indexes; and beside it
    texts/<document id>.html, the page the maps open it in (:mod:`kg.export.texts`)."""
    from kg.export.texts import write_text_page
    texts = folder / "texts"
    for doc in documents:
        path = texts / f"{document_slug(doc.id)}.txt"
        try:
            f = path.open("w", encoding="utf-8", newline="")
        except FileNotFoundError:   # made with the first text (a build writes them one at a time)
            texts.mkdir(exist_ok=True)
            f = path.open("w", encoding="utf-8", newline="")
        with f:
            f.write(doc.text)
        write_text_page(folder, doc)


def write_tables(folder: Path, extractions: Sequence[Extraction], entities: Sequence[Entity]) -> None:
    """Write every table of CONTRACT.md into folder."""
    by_id = {e.id: e for e in entities}
    name = lambda eid: by_id[eid].name if eid in by_id else eid  # noqa: E731
    country = lambda eid: by_id[eid].country if eid in by_id else ""  # noqa: E731

    # in order of their ids, each read when its row is written (a build reads extractions
    # from its spool one at a time)
    order = sorted((x.document.id, i) for i, x in enumerate(extractions))
    docs = (extractions[i].document for _, i in order)
    write_csv(folder / "documents.csv", COLUMNS["documents"], (
        (d.id, d.source_file, d.title, d.date, d.origin, d.classification, list(d.tags),
         d.body_paragraphs, d.words, d.sha256,
         list(d.recipients), list(d.references), d.signer, d.kind) for d in docs))

    # entities.csv and mentions.csv side by side: each entity's documents and mentions are
    # counted as its mentions are written (offsets as ints, which the csv module writes itself:
    # twice as fast)
    with (tempfile.TemporaryDirectory(dir=folder, prefix=".mentions-") as scratch,
          _csv_writer(folder / "mentions.csv", COLUMNS["mentions"]) as mentions_csv):
        mentions = _sorted_mentions((m for x in extractions for m in x.mentions), Path(scratch))
        write_csv(folder / "entities.csv", COLUMNS["entities"], (
            (e.id, e.name, e.type, list(e.aliases), e.country, e.country_code, e.latitude,
             e.longitude, e.title, e.organization, sorted(docs), count, e.curator)
            for e, docs, count in _with_mentions(sorted(entities, key=lambda e: e.id), mentions,
                                                 mentions_csv.writerow)))

    flows = sorted((f for x in extractions for f in x.flows), key=lambda f: f.id)
    write_csv(folder / "flows.csv", COLUMNS["flows"], (
        (f.id, name(f.source), country(f.source), [name(t) for t in f.transit],
         name(f.destination), country(f.destination), list(f.exploitation), f.victims, f.year,
         f.document, f.paragraph, f.paragraph_index, f.evidence, f.start, f.end,
         f"{f.confidence:.2f}", f.method, _BOOL[f.hedged], _BOOL[f.internal], list(f.sectors),
         f.curator, f.note) for f in flows))

    relations = sorted((r for x in extractions for r in x.relations), key=lambda r: r.id)
    write_csv(folder / "relations.csv", COLUMNS["relations"], (
        (r.id, name(r.subject), r.predicate, name(r.object), r.document, r.paragraph,
         r.paragraph_index, r.evidence, r.start, r.end, f"{r.confidence:.2f}", r.method,
         r.curator, r.note) for r in relations))

    roles = sorted((r for x in extractions for r in x.roles),
                   key=lambda r: (r.document, r.paragraph, r.place, r.role))
    write_csv(folder / "roles.csv", COLUMNS["roles"], (
        (name(r.place), r.role, list(r.exploitation), r.document, r.paragraph, r.evidence)
        for r in roles))


def read_flows(folder: str | Path, place: str = "", exploitation: str = "", hedged: bool | None = None,
               internal: bool | None = None, sector: str = "") -> list[dict[str, str]]:
    """The flows of a finished build (its flows.csv), optionally those through a place
    (as source, transit or destination, or their countries; the place by name, alias or
    demonym, see kg.export.names.resolve), of one exploitation type, hedged
    or not (None: both), internal or not (None: both), or naming a sector (case aside).

    Raises InputError when the folder holds no flows.csv.
    """
    from kg.errors import InputError
    path = Path(folder) / "flows.csv"
    if not path.is_file():
        raise InputError(str(path), "no flows.csv here; run kg build first (or pass --out DIR)")
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    if place:
        # the place's name as kg.export.names resolves it (an alias, a demonym: "UAE"), else
        # the name as given
        from kg.export.names import PLACES, entities_of, resolve
        found = resolve(entities_of(folder), place, PLACES) if (Path(folder) / "entities.csv").is_file() \
            else None
        wanted = {n.casefold() for n in found.names} if found and found.entities else {place.casefold()}
        rows = [r for r in rows if wanted & {r["source"].casefold(), r["destination"].casefold(),
                                             r["source_country"].casefold(),
                                             r["destination_country"].casefold(),
                                             *(t.casefold() for t in r["transit"].split(";"))}]
    if exploitation:
        rows = [r for r in rows if exploitation in r["exploitation"].split(";")]
    # (a build older than these columns: no flow is hedged or internal, none names a sector)
    for column, value in (("hedged", hedged), ("internal", internal)):
        if value is not None:
            rows = [r for r in rows if (r.get(column) == "true") == value]
    if sector:
        rows = [r for r in rows if sector.casefold() in r.get("sectors", "").casefold().split(";")]
    return sorted(rows, key=lambda r: (r["document"], int(r["paragraph_index"] or 0), r["id"]))
