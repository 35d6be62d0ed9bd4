"""Headless Chromium for the map tests: no network, a fresh profile, the page's DOM after its
scripts ran, console messages, and a screenshot."""
from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         # no request can leave the machine: every host name resolves to nothing
         "--host-resolver-rules=MAP * ~NOTFOUND", "--proxy-server=127.0.0.1:9",
         "--window-size=1400,900", "--virtual-time-budget=6000"]


def chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        raise AssertionError("the map tests need Debian's chromium: apt-get install chromium "
                             "(.ci/run installs it)")
    return path


def open_page(page: Path, screenshot: Path | None = None, fragment: str = "") -> tuple[str, str]:
    """The DOM after the page's scripts ran, and Chromium's log (console messages)."""
    with tempfile.TemporaryDirectory() as profile:
        args = [chromium(), *FLAGS, f"--user-data-dir={profile}", "--enable-logging=stderr", "--v=0"]
        run = subprocess.run([*args, "--dump-dom", page.resolve().as_uri() + fragment], capture_output=True,
                             text=True, timeout=120)
        if screenshot is not None:
            with tempfile.TemporaryDirectory() as profile2:
                subprocess.run([chromium(), *FLAGS, f"--user-data-dir={profile2}",
                                f"--screenshot={screenshot}", page.resolve().as_uri()],
                               capture_output=True, timeout=120)
    return run.stdout, run.stderr


def console_errors(log: str) -> list[str]:
    return [line for line in log.splitlines() if "CONSOLE" in line and
            ("Uncaught" in line or "Error" in line or "Refused" in line)]
