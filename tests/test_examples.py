"""Every example of `kg COMMAND --help` runs as printed on the sample cables: the help of kg
correct add-flow and add-relation once recorded quotes that are not in the samples, and the
next build stopped with status 2. (The commands of the README and docs/ run in test_docs.py.)"""
from __future__ import annotations

import json
import shlex
import shutil
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from helpers import FIXTURES, SAMPLES

from kg.cli import main

# examples that need what a test does not start: a server, a cluster, another program
ELSEWHERE = ("kg serve", "kg push", "--scheduler", "curl ", "oxigraph ", "dask ")


def _lines(text: str) -> list[str]:
    """The commands of a text (lines starting with kg, continued by a backslash)."""
    commands, current = [], ""
    for line in text.splitlines():
        line = line.strip()
        if current or line.startswith(("kg ", "curl ", "oxigraph ")) or line == "kg":
            current = f"{current} {line.rstrip(chr(92)).strip()}".strip()
            if not line.endswith("\\"):
                commands.append(current)
                current = ""
    return commands


def help_examples() -> list[str]:
    found: list[str] = []

    def walk(command: click.Command, path: list[str]) -> None:
        text = command.get_help(click.Context(command, info_name=" ".join(path)))
        found.extend(_lines(text.split("Example", 1)[1]) if "Example" in text else [])
        for name, sub in sorted(getattr(command, "commands", {}).items()):
            walk(sub, [*path, name])
    walk(main, ["kg"])
    return found


def runnable(examples: list[str]) -> list[str]:
    """Each example once, in order, without those that need a server or a cluster."""
    seen: dict[str, None] = {}
    for example in examples:
        if not any(mark in example for mark in ELSEWHERE):
            seen.setdefault(example)
    return list(seen)


def test_the_examples_are_found():
    examples = help_examples()
    assert len(examples) > 30
    assert any(e.startswith("kg correct add-relation") for e in examples)
    assert any(e.startswith("kg correct add-flow") for e in examples)


def _argv(example: str) -> list[str]:
    """The arguments of an example, without its comment and what its shell does with the
    output (| gzip, > file)."""
    words = shlex.split(example, comments=True)[1:]
    for i, word in enumerate(words):
        if word in ("|", ">", "&"):
            return words[:i]
    return words


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    """A folder laid out as the examples assume: cables/ and ../cables/ hold the samples,
    extra-report.html and new-cables/ a document of their own."""
    root = tmp_path_factory.mktemp("examples")
    work = root / "work"
    work.mkdir()
    for folder in (root / "cables", work / "cables"):
        shutil.copytree(SAMPLES, folder)
    shutil.copy(FIXTURES / "07TESTPOST42.html", work / "extra-report.html")
    (work / "new-cables").mkdir()
    shutil.copy(FIXTURES / "07TESTPOST42.html", work / "new-cables" / "07TESTPOST42.html")
    return work


def test_every_help_example_runs_as_printed_on_the_samples(workdir, monkeypatch):
    monkeypatch.chdir(workdir)
    for example in runnable(help_examples()):
        result = CliRunner().invoke(main, _argv(example))
        assert result.exit_code == 0, f"{example}\n{result.output}"
    # the corrections they recorded: the next build applies every one, and none is stale
    result = CliRunner().invoke(main, ["build", "cables/", "--out", "corrected"])
    assert result.exit_code == 0, result.output
    corrections = json.loads((workdir / "corrected" / "manifest.json").read_text())["corrections"]
    recorded = (workdir / "kg.corrections.toml").read_text(encoding="utf-8").count("[[")
    assert len(corrections["applied"]) == recorded and not corrections["unmatched"]
