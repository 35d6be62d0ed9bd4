"""Hostile input and faults: whatever an archive holds, kg reports it or reads it, builds the
good documents beside it, never hangs, and a build killed at any instant loses nothing."""
from __future__ import annotations

import csv
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from helpers import SAMPLES, without_measurements

SEEDS = sorted(SAMPLES.glob("*.txt"))
SEED_TEXT = SEEDS[0].read_text(encoding="utf-8")


def hostile_folder(root: Path) -> dict[str, str]:
    """Write the hostile files; return name -> what kg must do ("read" or a reason's words)."""
    root.mkdir(parents=True)
    cases = {}

    def write(name: str, data: bytes, expect: str) -> None:
        (root / name).write_bytes(data)
        cases[name] = expect
    write("empty.txt", b"", "empty file")
    rng = random.Random(1)
    write("binary.txt", bytes(rng.randrange(256) for _ in range(4096)), "binary file")
    write("nul-bytes.txt", SEED_TEXT.encode()[:2000] + b"\x00\x00" + SEED_TEXT.encode()[2000:], "read")
    write("mostly-nul.txt", b"text\x00" * 500, "binary file")
    write("invalid-utf8.txt", "Astana – Almaty. ".encode() * 50 + b"\xff\xfe\x80" + "Women from "
          "Uzbekistan were trafficked to Kazakhstan.".encode(), "invalid UTF-8 at byte")
    write("huge.txt", b"trafficking report " * 2_700_000, "too large")           # 51 MB
    paragraphs = "\n\n".join(f"{i}. Women from Uzbekistan were trafficked to Kazakhstan via Shymkent "
                             f"in case {i}." for i in range(1, 10_001))
    write("ten-thousand-paragraphs.txt", f"SUBJECT: MANY PARAGRAPHS\n\n{paragraphs}\n".encode(), "read")
    write("nested.html", ("<html><body>" + "<div>" * 50_000 + "<p>Women from Nepal were trafficked "
                          "to India.</p>" + "</div>" * 50_000 + "</body></html>").encode(), "read")
    write("scripts.html", b'<html><body onload="alert(1)"><script>document.write("x")</script>'
          b'<pre>1. Victims from <img src=x onerror=alert(1)> Moldova were trafficked to Turkey.'
          b'</pre><a href="javascript:alert(2)">x</a></body></html>', "read")
    write("cut-header.txt", SEED_TEXT[300:].encode(), "read")
    write("name with spaces, 'quotes' and é – ü.txt", SEEDS[1].read_bytes(), "read")
    (root / "loop").symlink_to(root, target_is_directory=True)
    return cases


@pytest.fixture(scope="module")
def hostile_build(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    cases = hostile_folder(root / "in")
    for seed in SEEDS[2:]:
        (root / "in" / seed.name).write_bytes(seed.read_bytes())
    began = time.monotonic()
    result = subprocess.run([sys.executable, "-m", "kg.cli", "build", "-q", str(root / "in"),
                             "--out", str(root / "out")], capture_output=True, text=True, timeout=600)
    return cases, root / "out", result, time.monotonic() - began


def test_every_hostile_file_is_reported_or_read_and_the_good_ones_are_built(hostile_build):
    cases, out, result, seconds = hostile_build
    assert result.returncode == 1, result.stderr            # built, with failures
    reports = [line for line in result.stderr.splitlines() if line.startswith("kg: failed:")]
    with (out / "documents.csv").open(encoding="utf-8") as f:
        read = {row["source_file"] for row in csv.DictReader(f)}
    for name, expect in cases.items():
        if expect == "read":
            assert name in read, name
        else:
            lines = [r for r in reports if name in r]
            assert len(lines) == 1 and expect in lines[0], (name, lines)
    assert {s.name for s in SEEDS[2:]} <= read
    assert len(reports) == sum(e != "read" for e in cases.values())
    assert seconds < 300


def test_hostile_text_arrives_as_text(hostile_build):
    _, out, _, _ = hostile_build
    texts = {p.name: p.read_text(encoding="utf-8") for p in (out / "texts").iterdir()}
    scripts = texts["scripts.txt"]
    assert "Moldova were trafficked to Turkey" in scripts
    assert "document.write" not in scripts and "alert" not in scripts
    assert "\x00" not in texts["nul-bytes.txt"] if "nul-bytes.txt" in texts else True
    assert "Nepal" in texts["nested.txt"]
    with (out / "flows.csv").open(encoding="utf-8") as f:
        routes = {(r["source"], r["destination"]) for r in csv.DictReader(f)}
    assert ("Uzbekistan", "Kazakhstan") in routes or ("Uzbekistan", "Shymkent") in routes


def test_every_offset_slices_the_text_of_hostile_documents(hostile_build):
    _, out, _, _ = hostile_build
    texts = {p.stem: p.read_text(encoding="utf-8") for p in (out / "texts").glob("*.txt")}
    with (out / "mentions.csv").open(encoding="utf-8") as f:
        for m in csv.DictReader(f):
            assert " ".join(texts[m["document"]][int(m["start"]):int(m["end"])].split()) == m["text"]


# ---------------------------------------------------------------- faults

def snapshot(out: Path) -> dict[str, object]:
    """The tables, the graph and the manifest (but its times) of an output folder."""
    taken: dict[str, object] = {name: (out / name).read_bytes() for name in
                                ("documents.csv", "entities.csv", "flows.csv", "relations.csv", "graph.ttl")}
    taken["manifest.json"] = without_measurements(json.loads((out / "manifest.json").read_text(encoding="utf-8")))
    return taken


def readable(out: Path) -> None:
    """A complete output folder: its tables agree with its manifest, its store opens and
    holds one graph per document."""
    import pyoxigraph as ox
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    with (out / "documents.csv").open(encoding="utf-8") as f:
        documents = {r["id"] for r in csv.DictReader(f)}
    assert documents == {r["document"] for r in manifest["inputs"] if r["status"] == "ok"}
    store = ox.Store.read_only(str(out / "store"))
    graphs = {g.value.rsplit("/", 1)[-1] for g in store.named_graphs()}
    assert documents <= graphs


def test_a_build_killed_at_random_instants_loses_nothing(tmp_path):
    few, all_ = tmp_path / "few", tmp_path / "all"
    few.mkdir()
    all_.mkdir()
    for i, seed in enumerate(SEEDS):
        (all_ / seed.name).write_bytes(seed.read_bytes())
        if i < 2:
            (few / seed.name).write_bytes(seed.read_bytes())
    out = tmp_path / "out"
    known = {}
    for inputs in (few, all_):
        subprocess.run([sys.executable, "-m", "kg.cli", "build", "-q", "--no-cache", str(inputs),
                        "--out", str(out)], check=True, timeout=300)
        known[inputs.name] = snapshot(out)
    began = time.monotonic()
    subprocess.run([sys.executable, "-m", "kg.cli", "build", "-q", "--no-cache", str(few), "--out", str(out)],
                   check=True, timeout=300)
    duration = time.monotonic() - began
    chance = random.Random(20261122)
    for attempt in range(20):
        inputs = all_ if attempt % 2 == 0 else few
        process = subprocess.Popen([sys.executable, "-m", "kg.cli", "build", "-q", "--no-cache", str(inputs),
                                    "--out", str(out)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(chance.uniform(0.05, duration * 1.1))
        process.send_signal(signal.SIGKILL)
        process.wait()
        # whatever instant it died at, the folder is one of the two complete builds
        assert snapshot(out) in known.values(), f"attempt {attempt}: a mixed or broken output folder"
        readable(out)
    subprocess.run([sys.executable, "-m", "kg.cli", "build", "-q", str(all_), "--out", str(out)],
                   check=True, timeout=300)
    assert snapshot(out) == known["all"]
    assert not list(tmp_path.glob(".kg-build-*")) and not (tmp_path / ".out.kg-old").exists()


def test_two_builds_at_once_one_refuses_and_neither_corrupts(tmp_path):
    out = tmp_path / "out"
    first = subprocess.Popen([sys.executable, "-m", "kg.cli", "build", "-q", "--out", str(out)],
                             stderr=subprocess.PIPE, text=True)
    time.sleep(0.3)
    while not list(tmp_path.glob(".kg-build-out-*")) and first.poll() is None:
        time.sleep(0.05)
    second = subprocess.run([sys.executable, "-m", "kg.cli", "build", "-q", "--out", str(out)],
                            capture_output=True, text=True, timeout=300)
    first.wait(300)
    assert first.returncode == 0
    assert second.returncode == 2 and "another kg build is writing" in second.stderr
    readable(out)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_the_same_input_twice_gives_the_same_bytes_of_every_export(tmp_path):
    for name in ("a", "b"):
        subprocess.run([sys.executable, "-m", "kg.cli", "build", "-q", "--no-cache", "--out",
                        str(tmp_path / name)], check=True, timeout=300)
    for name in ("documents.csv", "entities.csv", "mentions.csv", "flows.csv", "relations.csv", "roles.csv",
                 "graph.ttl", "graph.graphml", "graph.gexf", "flows_ctdc.csv", "flows.html", "actors.html",
                 "report.md"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
