"""The command line: help with examples, exit statuses."""
from __future__ import annotations

import click
import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.cli.app import glibc


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


def _out(seeds_build) -> str:
    return str(seeds_build[1])


def test_flows_prints_the_routes_of_a_place(seeds_build):
    result = CliRunner().invoke(main, ["flows", "--out", _out(seeds_build), "--place", "Thailand"])
    assert result.exit_code == 0, result.output
    assert "Thailand" in result.output and "07ASTANA614" in result.output


def test_actors_prints_relations_with_their_paragraph(seeds_build):
    result = CliRunner().invoke(main, ["actors", "IOM", "--out", _out(seeds_build)])
    assert result.exit_code == 0, result.output
    assert "donors:" in result.output and "United States Agency for International Development" in result.output
    assert "¶21" in result.output


def test_actors_unknown_name_exits_1(seeds_build):
    result = CliRunner().invoke(main, ["actors", "Nobody At All", "--out", _out(seeds_build)])
    assert result.exit_code == 1


def test_routes_stated_and_inferred(seeds_build):
    stated = CliRunner().invoke(main, ["routes", "--from", "Uzbekistan", "--to", "Russia",
                                       "--out", _out(seeds_build)])
    assert stated.exit_code == 0 and "Uzbekistan → Kazakhstan → Russia" in stated.output
    inferred = CliRunner().invoke(main, ["routes", "--from", "Karakalpakstan", "--to", "Russia",
                                         "--out", _out(seeds_build)])
    assert inferred.exit_code == 0 and "inferred" in inferred.output


NAMED = {  # each command that takes a name, with the name in its place
    "actors": lambda n: ["actors", n],
    "flows": lambda n: ["flows", "--place", n],
    "routes": lambda n: ["routes", "--from", "Uzbekistan", "--to", n],
    "query": lambda n: ["query", "flows-through", "--param", f"country={n}", "--format", "csv"],
    "map": lambda n: ["map", "--focus", n, "--depth", "1"],
}


@pytest.mark.parametrize("command", sorted(NAMED))
@pytest.mark.parametrize("name", ["UAE", "uae", "Emirati", "united arab emirates", "U.A.E."])
def test_every_command_resolves_a_name_the_same_way(seeds_build, command, name):
    """kg actors UAE found the Emirates; kg flows --place UAE, kg routes --to UAE and
    --param country=uae did not."""
    result = CliRunner().invoke(main, [*NAMED[command](name), "--out", _out(seeds_build)])
    assert result.exit_code == 0, result.output
    assert "United Arab Emirates" in result.stdout
    assert f"{name!r}: United Arab Emirates (Country, country-ae)" in result.stderr


@pytest.mark.parametrize("command", sorted(NAMED))
def test_every_command_lists_the_names_meant_by_a_misspelt_one(seeds_build, command):
    result = CliRunner().invoke(main, [*NAMED[command]("Uzbekistn"), "--out", _out(seeds_build)])
    assert result.exit_code == 1
    assert "named 'Uzbekistn'" in result.stderr and "did you mean: Uzbekistan" in result.stderr


def test_map_focus_writes_a_neighbourhood(seeds_build, tmp_path):
    target = tmp_path / "iom.html"
    result = CliRunner().invoke(main, ["map", "--focus", "IOM", "--depth", "1", "--out",
                                       _out(seeds_build), "--to", str(target)])
    assert result.exit_code == 0, result.output
    page = target.read_text(encoding="utf-8")
    assert "United States Agency for International Development" in page


def test_commands_on_a_folder_with_no_build_exit_2(tmp_path):
    for args in (["flows"], ["actors", "IOM"], ["routes", "--from", "a", "--to", "b"],
                 ["map", "--focus", "IOM"]):
        result = CliRunner().invoke(main, [*args, "--out", str(tmp_path)])
        assert result.exit_code == 2, (args, result.output)


def test_a_progress_bar_on_a_terminal_and_none_in_a_pipe(tmp_path):
    import os
    import pty
    import subprocess
    import sys
    main_fd, child_fd = pty.openpty()
    process = subprocess.Popen([sys.executable, "-m", "kg.cli", "build", "--no-cache", "--out", str(tmp_path / "a")],
                               stdout=child_fd, stderr=child_fd, close_fds=True)
    os.close(child_fd)
    shown = b""
    while True:
        try:
            chunk = os.read(main_fd, 4096)
        except OSError:            # the terminal closes when the build ends
            break
        if not chunk:
            break
        shown += chunk
    assert process.wait() == 0
    assert b"reading" in shown and b"documents" in shown and b"built" in shown
    piped = subprocess.run([sys.executable, "-m", "kg.cli", "build", "--no-cache", "--out", str(tmp_path / "b")],
                           capture_output=True, timeout=300)
    assert piped.returncode == 0 and b"reading" not in piped.stdout + piped.stderr


ARENAS = """
import ctypes, sys, tempfile
libc = ctypes.CDLL(None)
libc.fopen.restype = ctypes.c_void_p
libc.fopen.argtypes = [ctypes.c_char_p, ctypes.c_char_p]
libc.malloc_info.argtypes = [ctypes.c_int, ctypes.c_void_p]
libc.fclose.argtypes = [ctypes.c_void_p]
out = tempfile.mkdtemp()
if sys.argv[1] == "command":
    from click.testing import CliRunner
    from kg.cli import main
    assert CliRunner().invoke(main, ["build", "-q", "--no-cache", "--out", out + "/o"]).exit_code == 0
else:
    from kg.pipeline import build
    build(out=out + "/o", reuse=False)
fp = libc.fopen((out + "/info.xml").encode(), b"w")
libc.malloc_info(0, fp)
libc.fclose(fp)
print(open(out + "/info.xml").read().count("<heap nr="))
"""


@pytest.mark.skipif(not glibc(), reason="glibc's malloc arenas")
def test_kg_build_allocates_from_one_malloc_arena_and_the_library_leaves_the_allocator_alone():
    # the store's threads (RocksDB's) took arenas of their own, which kept their freed memory
    import os
    import subprocess
    import sys
    env = {k: v for k, v in os.environ.items() if k != "MALLOC_ARENA_MAX"}

    def arenas(how: str) -> int:
        done = subprocess.run([sys.executable, "-c", ARENAS, how], capture_output=True, text=True,
                              timeout=300, env=env, check=False)
        assert done.returncode == 0, done.stderr
        return int(done.stdout.split()[-1])

    assert arenas("command") == 1
    assert arenas("library") > 1
