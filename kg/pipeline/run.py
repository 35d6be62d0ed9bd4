"""kg build: the pipeline (ingest -> extract -> graph -> export) into a temporary folder
swapped in at the end.

A build never leaves half-written outputs: it writes into a hidden folder beside the output
folder and replaces the previous outputs only when everything was written. One broken
document does not stop the others: it is reported, and the summary says the build failed.
"""
from __future__ import annotations

import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Sequence
from contextlib import closing
from functools import partial
from pathlib import Path

from kg import corrections as corrections_
from kg.errors import BuildError
from kg.graph import StoreWriter, ontology_version
from kg.ingest import MAX_MB, find_files
from kg.model import Failure, Summary
from kg.pipeline import unchanged
from kg.pipeline.executor import open_executor
from kg.pipeline.folder import check_output_folder, lock, output_error, swap, umask
from kg.pipeline.manifest import MANIFEST, workers_peak_mb, write_manifest
from kg.pipeline.reading import read_all
from kg.pipeline.spool import Spool
from kg.pipeline.stages import run_stages
from kg.worker import read_and_extract

SAMPLES = Path(__file__).resolve().parent.parent / "samples"

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
        raise output_error(exc, out_dir) from None
    return summary


def _build(inputs: list[Path], out_dir: Path, summary: Summary, progress: Progress | None, add: bool,
           reuse: bool, corrections, correct: bool, max_mb: float, jobs: int | None,
           scheduler: str | None, engine: str, thorough: bool, doc_timeout: float | None) -> None:
    """:func:`build`, once its arguments are read."""
    with lock(out_dir):
        check_output_folder(out_dir)
        previous = out_dir if (out_dir / MANIFEST).is_file() else None
        if add and previous is None:
            raise BuildError(f"--add adds documents to a previous build, and {out_dir} holds none; "
                             "run kg build first (without --add)")
        started = time.perf_counter()
        rules = _corrections(inputs, corrections, previous if add else None) if correct else None
        listed = find_files(inputs)
        # what the outputs depend on besides the inputs' bytes (not --jobs, --engine: the
        # outputs are the same however the work is spread)
        options = {"correct": correct, "thorough": thorough, "max_mb": max_mb, "doc_timeout": doc_timeout}
        if reuse and not add and previous is not None and unchanged.keep(
                out_dir, unchanged.build_key(unchanged.hashed(listed[0]), listed[1], listed[2], options,
                                             rules[0] if rules else None), summary, started):
            return      # nothing changed: the previous outputs stand, with a new manifest
        tmp = Path(tempfile.mkdtemp(prefix=f".kg-build-{out_dir.name}-", dir=out_dir.parent))
        os.chmod(tmp, 0o777 & ~umask())  # mkdtemp makes it private; outputs are ordinary files
        try:
            _run(listed, tmp, summary, progress, previous if (reuse or add) else None, add, rules, max_mb,
                 jobs, scheduler, engine, thorough, doc_timeout, None if add else options)
            swap(tmp, out_dir)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


def _run(listed: tuple[list[Path], list[str], list[Failure]], folder: Path, summary: Summary,
         progress: Progress | None, previous: Path | None, add: bool,
         rules: tuple[Path, list[corrections_.Correction]] | None, max_mb: float = MAX_MB,
         jobs: int | None = None, scheduler: str | None = None, engine: str = "processes",
         thorough: bool = False, doc_timeout: float | None = None, options: dict | None = None) -> None:
    """Build the files ``listed`` (:func:`kg.ingest.find_files`) into ``folder``; with
    ``options`` (not --add), record what the outputs depend on (:mod:`kg.pipeline.unchanged`)."""
    clock = time.perf_counter()
    files, skipped, failures = listed
    count = len(files)
    if jobs is None:
        jobs = (os.cpu_count() or 1) if len(files) > 50 or engine == "dask" else 1
    # with --add, the previous build's store is copied and only the added documents' graphs
    # are written into it, unless the graph's shape changed since (another ontology version):
    # then every document's graph is written anew
    base = previous / "store" if add and previous is not None and _same_ontology(previous) else None
    with (open_executor(jobs, scheduler, engine) as executor,
          StoreWriter(folder / "store", base) as store,
          closing(Spool(folder, store, keep_texts=bool(rules and rules[1]))) as spool):
        found, records, seconds = read_all(
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
        run_stages(folder, found, seconds, summary, base, rules, executor, spool)
        summary.workers_peak_mb = workers_peak_mb(executor)
        records = list(records)     # (read back from the spool, once the stages are done)
    seconds["total"] = time.perf_counter() - clock
    summary.seconds = {k: round(v, 3) for k, v in seconds.items()}
    write_manifest(folder, summary, records)
    if options is not None:
        # one record per file, in the order read, after those of the paths that failed
        read = [(r["path"], r.get("sha256") or "") for r in records[len(failures):]]
        assert len(read) == count, (len(read), count)
        unchanged.record(folder, unchanged.build_key(read, skipped, failures, options,
                                                     rules[0] if rules else None))


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


def _same_ontology(previous: Path) -> bool:
    manifest = json.loads((previous / MANIFEST).read_text(encoding="utf-8"))
    return manifest.get("ontology_version") == ontology_version()
