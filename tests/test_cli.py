"""The command line: help with examples, exit statuses."""
from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from kg.cli import main


def _commands():
    return [[]] + [[name] for name in sorted(main.commands)]


@pytest.mark.parametrize("command", _commands(), ids=lambda c: " ".join(c) or "kg")
def test_every_command_has_help_with_an_example(command):
    result = CliRunner().invoke(main, [*command, "--help"])
    assert result.exit_code == 0
    assert "Example" in result.output


def test_build_with_no_arguments_builds_the_samples(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["build"])
    assert result.exit_code == 0, result.output
    assert "5 documents" in result.output
    assert (tmp_path / "exports" / "documents.csv").is_file()


def test_build_error_exits_2_with_one_line(tmp_path):
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "notes.txt").write_text("mine")
    result = CliRunner().invoke(main, ["build", "--out", str(tmp_path / "mine")])
    assert result.exit_code == 2
    assert result.stderr.startswith("kg: error:") and "not a kg output folder" in result.stderr


def test_version():
    result = CliRunner().invoke(main, ["--version"])
    assert result.exit_code == 0 and "kg" in result.output
