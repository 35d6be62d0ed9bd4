"""Rebuilds: nothing changed keeps the outputs (kg.pipeline.unchanged); an unchanged input is
taken from the cache without being read (kg.worker.reuse); either way, the outputs are those
of a fresh build."""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from helpers import SAMPLES, without_measurements

from kg.pipeline import build


def outputs(folder: Path) -> dict[str, bytes]:
    """Every output's bytes but the store (a database) and cache/ (the build's own)."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and not {"store", "cache"} & set(p.relative_to(folder).parts)
            and p.name != "manifest.json"}


def manifest(folder: Path) -> dict:
    return json.loads((folder / "manifest.json").read_text(encoding="utf-8"))


@pytest.fixture
def inputs(tmp_path) -> Path:
    folder = tmp_path / "in"
    shutil.copytree(SAMPLES, folder)
    return folder


def test_a_rebuild_with_nothing_changed_keeps_the_outputs(inputs, tmp_path):
    out = tmp_path / "out"
    first = build([inputs], out, jobs=1)
    before, graph = outputs(out), (out / "graph.ttl").stat().st_mtime_ns
    second = build([inputs], out, jobs=1)
    assert manifest(out)["seconds"].keys() == {"unchanged", "total"}
    assert (out / "graph.ttl").stat().st_mtime_ns == graph     # not written again
    assert outputs(out) == before
    assert (second.documents, second.entities, second.flows, second.reused) == \
        (first.documents, first.entities, first.flows, first.documents)
    fresh = tmp_path / "fresh"
    build([inputs], fresh, jobs=1, reuse=False)
    assert without_measurements(manifest(out)) == without_measurements(manifest(fresh))


def test_a_file_changed_with_the_same_size_and_mtime_is_built_again(inputs, tmp_path):
    out = tmp_path / "out"
    build([inputs], out, jobs=1)
    cable = min(inputs.glob("*.txt"))
    stat = cable.stat()
    text = cable.read_bytes()
    cable.write_bytes(text.replace(b"Kazakhstan", b"Kazakhstam", 1))
    os.utime(cable, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert cable.stat().st_size == stat.st_size and cable.stat().st_mtime_ns == stat.st_mtime_ns
    build([inputs], out, jobs=1)
    assert "unchanged" not in manifest(out)["seconds"]
    fresh = tmp_path / "fresh"
    build([inputs], fresh, jobs=1, reuse=False)
    assert outputs(out) == outputs(fresh)


def test_an_output_removed_or_edited_is_written_again(inputs, tmp_path):
    out = tmp_path / "out"
    build([inputs], out, jobs=1)
    before = outputs(out)
    (out / "flows.html").unlink()
    (out / "entities.csv").write_text("edited", encoding="utf-8")
    build([inputs], out, jobs=1)
    assert outputs(out) == before
    documents = out / "documents.csv"      # an edit that keeps the size
    documents.write_bytes(documents.read_bytes().replace(b"ASTANA", b"ASTANO", 1))
    build([inputs], out, jobs=1)
    assert outputs(out) == before


@pytest.mark.parametrize("change", ["corrections", "no-corrections", "thorough", "no-cache"])
def test_what_changes_the_outputs_builds_again(inputs, tmp_path, change):
    out = tmp_path / "out"
    (inputs / "kg.corrections.toml").write_text('[[rename]]\nentity = "IOM"\nname = "I.O.M."\n',
                                                 encoding="utf-8")
    build([inputs], out, jobs=1)
    options = {}
    if change == "corrections":
        (inputs / "kg.corrections.toml").write_text('[[rename]]\nentity = "IOM"\nname = "I O M"\n',
                                                     encoding="utf-8")
    elif change == "no-corrections":
        options["correct"] = False
    elif change == "thorough":
        options["thorough"] = True
    else:
        options["reuse"] = False
    build([inputs], out, jobs=1, **options)
    assert "unchanged" not in manifest(out)["seconds"]
    fresh = tmp_path / "fresh"
    build([inputs], fresh, jobs=1, **{**options, "reuse": False})
    assert outputs(out) == outputs(fresh)


def test_a_build_with_a_failed_input_is_built_again(inputs, tmp_path):
    """A failure may not happen again (a time limit), so its build is not kept as it is."""
    out = tmp_path / "out"
    (inputs / "001_empty.txt").write_bytes(b"")
    build([inputs], out, jobs=1)
    build([inputs], out, jobs=1)
    assert "unchanged" not in manifest(out)["seconds"]


def test_unchanged_inputs_are_taken_from_the_cache_without_being_read(inputs, tmp_path, monkeypatch):
    from kg import worker
    out = tmp_path / "out"
    build([inputs], out, jobs=1)
    (inputs / "kg.corrections.toml").write_text('[[rename]]\nentity = "IOM"\nname = "I.O.M."\n',
                                                 encoding="utf-8")    # (so that the build runs)
    changed = sorted(inputs.glob("*.txt"))[1]
    changed.write_bytes(changed.read_bytes().replace(b"Kazakhstan", b"Kazakhstan ", 1))
    read = []
    real = worker.read_document

    def counted(path, *args, **kwargs):
        read.append(Path(path).name)
        return real(path, *args, **kwargs)
    monkeypatch.setattr(worker, "read_document", counted)
    summary = build([inputs], out, jobs=1)
    assert read == [changed.name] and summary.reused == summary.documents - 1
    monkeypatch.undo()
    fresh = tmp_path / "fresh"
    build([inputs], fresh, jobs=1, reuse=False)
    assert outputs(out) == outputs(fresh)


def test_a_file_moved_is_read_again_under_its_new_name(inputs, tmp_path):
    """A plain text's document id is its file's name: the cache is asked by path and bytes."""
    out = tmp_path / "out"
    (inputs / "notes.txt").write_text("Uzbek men are trafficked to Kazakhstan for forced labor "
                                      "in construction.\n", encoding="utf-8")
    build([inputs], out, jobs=1)
    (inputs / "notes.txt").rename(inputs / "memo.txt")
    build([inputs], out, jobs=1)
    assert "memo" in (out / "documents.csv").read_text(encoding="utf-8")
    fresh = tmp_path / "fresh"
    build([inputs], fresh, jobs=1, reuse=False)
    assert outputs(out) == outputs(fresh)


def test_add_after_a_kept_rebuild(inputs, tmp_path):
    out = tmp_path / "out"
    build([inputs], out, jobs=1)
    build([inputs], out, jobs=1)
    extra = tmp_path / "extra"
    extra.mkdir()
    (extra / "note.txt").write_text("Uzbek men are trafficked to Kazakhstan for forced labor.\n",
                                    encoding="utf-8")
    summary = build([extra], out, jobs=1, add=True)
    assert summary.documents == 6 and "unchanged" not in manifest(out)["seconds"]
    build([inputs, extra], out, jobs=1)     # (after --add: built, not kept)
    fresh = tmp_path / "fresh"
    build([inputs, extra], fresh, jobs=1, reuse=False)
    assert outputs(out) == outputs(fresh)
