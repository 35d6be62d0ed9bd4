"""A build or a server leaves no process and no temporary folder behind, however it ends:
SIGTERM stops it as Ctrl-C does; after SIGKILL the workers notice their parent is gone, and
the next build (or server) removes what it left."""
from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
import uuid

import pytest
from helpers import SAMPLES

psutil = pytest.importorskip("psutil")


def marked(mark: str) -> list:
    """The processes started with KG_TEST_MARK=mark in their environment (a build's workers,
    fork server and resource tracker inherit it, whoever their parent is now)."""
    found = []
    for process in psutil.process_iter():
        try:
            if process.status() != psutil.STATUS_ZOMBIE and \
                    process.environ().get("KG_TEST_MARK") == mark:
                found.append(process)
        except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
            pass
    return found


def wait_for(condition, seconds: float = 30) -> bool:
    """Whether ``condition()`` held within ``seconds`` (a bound on waiting, not a speed test)."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


def started(args: list[str], mark: str, **kwargs) -> subprocess.Popen:
    env = {**os.environ, "KG_TEST_MARK": mark, **kwargs.pop("env", {})}
    return subprocess.Popen([sys.executable, "-m", "kg.cli", *args], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, **kwargs)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"])
def test_a_stopped_build_leaves_no_process_and_no_folder(tmp_path, sig):
    shutil.copytree(SAMPLES, tmp_path / "cables")
    out = tmp_path / "out"
    mark = uuid.uuid4().hex
    build = started(["build", "-q", "--no-cache", "--jobs", "2", str(tmp_path / "cables"),
                     "--out", str(out)], mark)
    try:
        # the fork server, the resource tracker and at least one worker are running
        assert wait_for(lambda: len(marked(mark)) >= 4 or build.poll() is not None)
        assert build.poll() is None, "the build ended before it could be stopped"
        build.send_signal(sig)
        build.wait(60)
        assert wait_for(lambda: not marked(mark)), [p.cmdline()[:3] for p in marked(mark)]
        if sig == signal.SIGTERM:
            assert build.returncode == 143 and b"stopped by SIGTERM" in build.stderr.read()
            assert not list(tmp_path.glob(".kg-build-*"))
    finally:
        for process in marked(mark):
            process.kill()
    # the next build removes what a killed one left, and builds
    subprocess.run([sys.executable, "-m", "kg.cli", "build", "-q", str(tmp_path / "cables"),
                    "--out", str(out)], check=True, timeout=300)
    assert not list(tmp_path.glob(".kg-build-*")) and (out / "manifest.json").is_file()


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"])
def test_a_stopped_server_leaves_no_process_and_no_snapshot(seeds_build, tmp_path, sig):
    temp = tmp_path / "tmp"
    temp.mkdir()
    mark = uuid.uuid4().hex
    args = ["serve", "--out", str(seeds_build[1]), "--port", "0", "--workers", "2"]
    server = started(args, mark, env={"TMPDIR": str(temp)}, text=True)
    try:
        line = server.stderr.readline()
        assert re.search(r"http://\S+/sparql", line), line
        assert len(list(temp.glob("kg-serve-*"))) == 1
        server.send_signal(sig)
        server.wait(60)
        assert wait_for(lambda: not marked(mark)), [p.cmdline()[:3] for p in marked(mark)]
        if sig == signal.SIGTERM:
            assert not list(temp.glob("kg-serve-*"))
    finally:
        for process in marked(mark):
            process.kill()
    # the next server removes the snapshot of one that was killed
    again = started(args, mark, env={"TMPDIR": str(temp)}, text=True)
    try:
        again.stderr.readline()
        snapshots = [p.name for p in temp.glob("kg-serve-*")]
        assert len(snapshots) == 1 and snapshots[0].startswith(f"kg-serve-{again.pid}-")
    finally:
        again.terminate()
        again.wait(60)
    assert not list(temp.glob("kg-serve-*"))
