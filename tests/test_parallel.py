"""Extraction in worker processes and on a Dask cluster gives the single-process build."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import without_measurements

from kg.pipeline import build

EXPORTS = ("documents.csv", "entities.csv", "mentions.csv", "flows.csv", "relations.csv", "roles.csv",
           "graph.ttl", "graph.graphml", "flows_ctdc.csv")


@pytest.fixture(scope="module")
def single(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("single") / "out"
    build(out=out, jobs=1, reuse=False)
    return out


def same(a: Path, b: Path) -> None:
    for name in EXPORTS:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    ma, mb = (json.loads((x / "manifest.json").read_text()) for x in (a, b))
    assert without_measurements(ma) == without_measurements(mb)


def test_worker_processes_give_the_same_build(single, tmp_path):
    build(out=tmp_path / "out", jobs=2, reuse=False)
    same(single, tmp_path / "out")
    if Path("/proc/self/status").exists():
        # the workers, forked by a fork server that loaded the model, are no children of the
        # build: their peak memory is read from each one (the model alone is some 50 MB)
        peak = json.loads((tmp_path / "out" / "manifest.json").read_text())["peak_rss_mb"]
        assert 50 < peak["workers"] < 1000
    single_peak = json.loads((single / "manifest.json").read_text())["peak_rss_mb"]
    assert "workers" not in single_peak


def test_files_read_while_the_workers_start_are_extracted_as_read(single, tmp_path, monkeypatch):
    """While the fork server loads the model, the build reads the next files itself and the
    workers extract them as read there: the same build, and a file that cannot be read is
    reported in its place, the others built."""
    import shutil

    from kg import pipeline
    from kg.pipeline import reading
    read_here = []
    real = reading.read

    def counted(path, *args, **options):
        read_here.append(Path(path).name)
        return real(path, *args, **options)
    monkeypatch.setattr(reading, "read", counted)
    inputs = tmp_path / "in"
    shutil.copytree(pipeline.SAMPLES, inputs)
    (inputs / "001_empty.txt").write_bytes(b"")
    summary = build([inputs], out=tmp_path / "out", jobs=2, reuse=False)
    assert "001_empty.txt" in read_here and len(read_here) > 2     # (the first file starts the workers)
    assert summary.documents == 5 and [Path(f.path).name for f in summary.failures] == ["001_empty.txt"]
    assert "empty file" in summary.failures[0].reason
    for name in EXPORTS:
        assert (single / name).read_bytes() == (tmp_path / "out" / name).read_bytes(), name


def test_a_dask_cluster_gives_the_same_build(single, tmp_path):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None) as cluster:
        summary = build(out=tmp_path / "out", engine="dask", scheduler=cluster.scheduler_address,
                        reuse=False)
        workers = len(cluster.scheduler_info["workers"])
    assert summary.documents == 5 and workers == 2
    same(single, tmp_path / "out")


def test_an_unreachable_scheduler_is_a_clear_error(tmp_path):
    pytest.importorskip("distributed")
    from kg.errors import BuildError
    with pytest.raises(BuildError, match="cannot reach the Dask scheduler"):
        build(out=tmp_path / "out", engine="dask", scheduler="tcp://127.0.0.1:9", reuse=False)


def test_a_document_that_breaks_extraction_is_reported_and_the_others_built(tmp_path, monkeypatch):
    import kg.worker as worker
    real = worker.extract

    def flaky(doc, **options):
        if doc.id == "07ASTANA614":
            raise IndexError("a bug")
        return real(doc, **options)
    monkeypatch.setattr(worker, "extract", flaky)
    summary = build(out=tmp_path / "out", jobs=1, reuse=False)
    assert summary.documents == 4 and not summary.ok
    assert "extraction failed (IndexError: a bug)" in str(summary.failures[0])
    record = next(r for r in json.loads((tmp_path / "out" / "manifest.json").read_text())["inputs"]
                  if r.get("document") == "07ASTANA614")
    assert record["status"] == "failed"


def test_a_file_that_breaks_the_reader_is_reported_and_the_others_built(tmp_path, monkeypatch):
    """Reading runs in the workers too: a bug there fails one file, not the build."""
    import kg.worker as worker
    real = worker.read_document

    def flaky(path, *args, **options):
        if Path(path).name.startswith("001_"):
            raise UnicodeError("a reader bug")
        return real(path, *args, **options)
    monkeypatch.setattr(worker, "read_document", flaky)
    summary = build(out=tmp_path / "out", jobs=1, reuse=False)
    assert summary.documents == 4 and len(summary.failures) == 1
    assert "could not be read (UnicodeError: a reader bug)" in str(summary.failures[0])
    assert Path(summary.failures[0].path).name.startswith("001_")
