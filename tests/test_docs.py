"""Every command of the README and of docs/*.md runs as printed: each fenced ``sh`` block, line
by line, in a shell, with the installed kg first on PATH, in a folder laid out as the pages
assume (exports/ a build of the sample cables, cables/ the samples, new-cables/ one more
cable). A page whose command was renamed, lost an option or now fails makes this test fail.

A block that cannot run here (an install, a cluster, a server left in the background) is
marked by a comment just before it, ``<!-- not run: why -->``; :data:`NOT_RUN` lists those
blocks, so that adding one is a visible change of this file."""
from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest
from helpers import FIXTURES, ROOT, SAMPLES

PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]

# (page, first command) of every block marked not run; keep this short
NOT_RUN = {
    ("README.md", "python3 -m venv .venv && .venv/bin/pip install -e . && .venv/bin/kg build"),
    ("clusters.md", "dask scheduler --host 10.0.0.5"),
    ("development.md", ".venv/bin/python -m pytest"),
    ("graph.md", "oxigraph serve --location big-store --bind 127.0.0.1:7878 --union-default-graph &"),
    ("performance.md", "python bench/speed.py CORPUS --jobs 2 --runs 3 --no-baseline --against 167e3f6 --cached"),
    ("performance.md", "python bench/queries.py exports --triples 10000000"),
}

# the languages a fenced block may have: a command in a ```bash block would not be run
LANGUAGES = {"sh", "python", "text"}

FENCE = re.compile(r"(?:<!-- not run: (?P<why>[^>]*?) -->\n)?^```(?P<lang>\S*)\n(?P<body>.*?)^```",
                   re.DOTALL | re.MULTILINE)


@dataclass(frozen=True)
class Block:
    page: str
    lang: str
    body: str
    not_run: str | None

    @property
    def commands(self) -> list[str]:
        """The block's commands: comment lines dropped, a line ending in a backslash or inside
        an open quotation joined with the next."""
        commands, current = [], ""
        for line in self.body.splitlines():
            if not current and (not line.strip() or line.lstrip().startswith("#")):
                continue
            current = f"{current}\n{line}" if current else line
            if current.endswith("\\"):
                continue
            try:
                shlex.split(current, comments=True)
            except ValueError:      # an open quotation: the command goes on
                continue
            commands.append(current)
            current = ""
        assert not current, f"{self.page}: a command never ends: {current!r}"
        return commands


def blocks(page: Path) -> list[Block]:
    text = page.read_text(encoding="utf-8")
    return [Block(page.name, m["lang"], m["body"], m["why"]) for m in FENCE.finditer(text)]


def test_fenced_blocks_say_their_language():
    for page in PAGES:
        for block in blocks(page):
            assert block.lang in LANGUAGES, f"{page.name}: a ```{block.lang} block (use sh, python or text)"


def test_blocks_not_run_are_these_and_say_why():
    marked = {(b.page, b.commands[0].split("  #")[0].strip()): b.not_run
              for page in PAGES for b in blocks(page) if b.not_run is not None}
    assert all(why.strip() for why in marked.values())
    assert set(marked) == NOT_RUN, "a block marked not run was added or removed: update NOT_RUN"


def test_the_pages_hold_commands():
    commands = [c for page in PAGES for b in blocks(page) if b.lang == "sh" and not b.not_run
                for c in b.commands]
    for needed in ("kg flows", "kg actors", "kg query", "kg serve", "kg map --focus",
                   "kg correct add-flow", "kg build new-cables/ --add"):
        assert any(c.startswith(needed) for c in commands), needed


@pytest.fixture(scope="session")
def layout(tmp_path_factory, seeds_build) -> Path:
    """The folder every page starts from (copied for each page)."""
    _, exports = seeds_build
    root = tmp_path_factory.mktemp("docs") / "layout"
    root.mkdir()
    shutil.copytree(exports, root / "exports")
    shutil.copytree(SAMPLES, root / "cables")
    (root / "new-cables").mkdir()
    shutil.copy(FIXTURES / "07TESTPOST42.html", root / "new-cables" / "07TESTPOST42.html")
    for name in ("bench", "ontology"):      # what commands run "from the project folder" read
        (root / name).symlink_to(ROOT / name)
    return root


def _environment() -> dict[str, str]:
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["COLUMNS"] = "120"
    return env


def _run(command: str, cwd: Path, where: str) -> None:
    result = subprocess.run(["bash", "-o", "pipefail", "-c", command], cwd=cwd, env=_environment(),
                            capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode == 0, (f"{where}: `{command}` exited with {result.returncode}\n"
                                    f"{result.stdout[-2000:]}\n{result.stderr[-2000:]}")


def _serve(command: str, cwd: Path, where: str) -> subprocess.Popen:
    """Start a kg serve command as printed; check that it answers a query and its front page."""
    process = subprocess.Popen(["bash", "-c", f"exec {command}"], cwd=cwd, env=_environment(),
                               stderr=subprocess.PIPE, text=True)
    line = process.stderr.readline()
    match = re.search(r"(http://\S+/sparql)", line)
    if not match:
        process.kill()
        process.wait(10)
        raise AssertionError(f"{where}: `{command}` printed {line!r}{process.stderr.read()[-2000:]}")
    url = match.group(1)
    query = urllib.parse.urlencode({"query": "ASK { ?s ?p ?o }"})
    with urllib.request.urlopen(f"{url}?{query}", timeout=30) as answer:
        assert json.loads(answer.read())["boolean"] is True
    with urllib.request.urlopen(url.removesuffix("sparql"), timeout=30) as answer:
        assert answer.status == 200
    return process


@pytest.mark.parametrize("page", PAGES, ids=[p.name for p in PAGES])
def test_every_command_runs_as_printed(page, layout, tmp_path, monkeypatch):
    work = tmp_path / "work"
    shutil.copytree(layout, work, symlinks=True)
    monkeypatch.chdir(work)
    for block in blocks(page):
        if block.not_run is not None:
            continue
        if block.lang == "python":
            exec(compile(block.body, page.name, "exec"), {})   # noqa: S102 - the page's own code
            continue
        if block.lang != "sh":
            continue
        servers = []
        try:
            for command in block.commands:
                where = f"{page.name}: {block.commands[0]!r}"
                if command.startswith("kg serve") and not command.rstrip().endswith("&"):
                    servers.append(_serve(command, work, where))
                else:
                    _run(command, work, where)
        finally:
            for server in servers:
                server.terminate()
                server.wait(20)
    corrections = work / "kg.corrections.toml"
    if corrections.exists():    # a page that records corrections builds with them last: none stale
        recorded = corrections.read_text(encoding="utf-8").count("[[")
        applied = json.loads((work / "exports" / "manifest.json").read_text())["corrections"]
        assert len(applied["applied"]) == recorded and not applied["unmatched"], applied
