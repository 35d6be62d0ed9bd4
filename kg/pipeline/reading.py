"""Read and extract every input (in the workers), admit each document in file order, and keep
the previous build's documents (--add); into the spool."""
from __future__ import annotations

import hashlib
import json
import time
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from functools import partial
from pathlib import Path

from kg import cache
from kg.errors import BuildError, InputError
from kg.extract import extract
from kg.graph import document_triples
from kg.ingest import Admission, read_bytes
from kg.model import Document, Extraction, Failure, Summary
from kg.pipeline.executor import elsewhere
from kg.pipeline.manifest import MANIFEST
from kg.pipeline.spool import Found, Records, Spool
from kg.worker import Done, extract_or_reuse, read, reuse

READ_AHEAD = 2000     # files at most read here while the workers start (:func:`_read_ahead`)


def read_all(files, skipped, failures, folder: Path, summary: Summary, progress, previous,
                      add: bool, executor, jobs: int, work: partial, spool: Spool, in_store: bool):
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
    # the previous build's inputs: an unchanged one is taken from its cache without reading
    # it (worker.reuse); and this build's, for the next one
    known = cache.read_index(old_cache) if old_cache else {}
    index: dict[str, tuple[str, str]] = {}
    for done_count, done in enumerate(_results(files, executor, jobs, work, known), start=1):
        seconds["ingest"] += done.ingest
        seconds["extract"] += done.extract
        if done.failure is not None:
            summary.failures.append(done.failure)
            records.append({"path": done.path, "sha256": sha256_of(done.path), "status": "failed",
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
                elif not done.error:
                    index[doc.path] = (doc.id, doc.sha256)
                _admit(doc, done, found, records, summary, old_cache, new_cache, thorough, spool)
        if progress:
            progress(done_count, len(files))
    if add and previous is not None:
        kept = _keep_previous(previous, found, records, new_cache, summary, thorough, spool, in_store)
        records += kept
        index.update((r["path"], known[r["path"]]) for r in kept
                     if r["path"] in known and r.get("status") == "ok")
    cache.write_index(new_cache, index)
    seconds["read+extract"] = time.perf_counter() - start
    return found, records, seconds


def _results(files: list[Path], executor, jobs: int, work: partial, known: dict[str, tuple[str, str]]):
    """What became of each file (worker.Done), in file order; ``known``: the previous build's
    inputs (see worker.reuse)."""
    if executor is None:
        yield from (work(path, known=known.get(str(path))) for path in files)
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
                pending.append(elsewhere(None, Done, str(path), Failure(exc.path, exc.reason)))
        elif not pending:
            # the first file starts the workers: its submission waits until the fork server
            # has loaded the model (1.5 s), and this process meanwhile does work of its own
            with ThreadPoolExecutor(1) as starter:
                starting = starter.submit(executor.submit, work, path, known=known.get(str(path)))
                _import_later_stages()
                ahead = _read_ahead(files[1:READ_AHEAD + 1], starting, work, known)
            pending.append(starting.result())
        elif ahead:
            done = ahead.popleft()      # (a file that could not be read, or reused, is done already)
            pending.append(executor.submit(work, path, done=done)
                           if done.failure is None and done.extraction is None
                           else elsewhere(None, lambda d: d, done))
        else:
            pending.append(executor.submit(work, path, known=known.get(str(path))))
        while len(pending) > 4 * jobs:     # a bounded queue: memory stays flat
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


def _read_ahead(files: list[Path], starting: Future, work: partial,
                known: dict[str, tuple[str, str]]) -> deque[Done]:
    """Read files here until the workers have started (``starting`` is done): the fork
    server takes some 3 s to load what they run (kg.preload) before it forks them, and this
    process would wait with one of the machine's cores idle (it read the corpus's 1,295
    files in that time, holding their texts, some 15 MB). The workers are sent these files read
    (worker.read_and_extract); an unchanged one is taken from the cache here (worker.reuse)."""
    max_mb, old_cache, thorough = (work.keywords[k] for k in ("max_mb", "old_cache", "thorough"))
    ahead: deque[Done] = deque()
    for path in files:
        if starting.done():
            break
        key = known.get(str(path))
        ahead.append((reuse(path, key, old_cache, thorough, max_mb) if key and old_cache else None)
                     or read(path, max_mb))
    return ahead


def _import_later_stages() -> None:
    """Import what the stages after extraction use (networkx, pyvis, rdflib: 0.6 s), while the
    local workers start and this process would wait for them; the stages after extraction run
    in this process alone."""
    import graspologic_native  # noqa: F401
    import pyvis.network  # noqa: F401
    import rdflib  # noqa: F401

    from kg.export import graphs, maps, report  # noqa: F401


def _admit(doc: Document, done: Done, found: Found, records: Records, summary: Summary,
           old_cache: Path | None, new_cache: Path, thorough: bool, spool: Spool) -> None:
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


def _cached(old_cache: Path, new_cache: Path, doc_id: str, sha256: str | None,
            summary: Summary, thorough: bool) -> tuple[Extraction | None, bool]:
    """A document's entry in the previous build's cache and whether it is current (see
    cache.load); a current one is carried into the new build's cache and counted reused."""
    extraction, current = cache.load(old_cache, doc_id, sha256, thorough)
    if current:
        cache.keep(old_cache, new_cache, doc_id)
        summary.reused += 1
    return extraction, current


def _keep_previous(previous: Path, found: Found, records: Records, new_cache: Path,
                   summary: Summary, thorough: bool, spool: Spool, in_store: bool) -> list[dict]:
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


def sha256_of(path: str) -> str:
    """The sha256 of a file's bytes, or "" when it cannot be read."""
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as f:
            for block in iter(lambda: f.read(1 << 20), b""):
                digest.update(block)
    except OSError:
        return ""
    return digest.hexdigest()
