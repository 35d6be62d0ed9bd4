"""Remake the README's pictures from a build of the sample cables: flows.png (flows.html with
one arrow open) and flows-table.png (``kg flows --place Uzbekistan`` as a terminal shows it).

Usage: python docs/img/screenshots.py [BUILD] [--to DIR]     (defaults: exports, docs/img)

Needs Debian's chromium (the map tests' browser, driven by tests/browser.py).
"""
from __future__ import annotations

import argparse
import os
import pty
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))

TABLE = ["kg", "flows", "--place", "Uzbekistan"]
COLUMNS = 150


def flows_map(build: Path, to: Path) -> None:
    """flows.html at 1200x620, the arrow Kazakhstan -> Azerbaijan open with its evidence."""
    from browser import Page
    with Page(build / "flows.html", 1200, 620, fragment="#edge=12&flow=0") as page:
        page.wait("document.body.dataset.drawn > 0")
        page.settle()
        page.eval("document.getElementById('details').scrollTop = 0")
        page.settle()
        page.screenshot(to / "flows.png")


def terminal(argv: list[str], build: Path) -> str:
    """What a command prints in a terminal of COLUMNS columns (colours included)."""
    import fcntl
    import struct
    import termios
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 60, COLUMNS, 0, 0))
    env = {**os.environ, "COLUMNS": str(COLUMNS), "LINES": "60", "TERM": "xterm-256color"}
    process = subprocess.Popen([*argv, "--out", str(build)], stdout=follower, stderr=subprocess.DEVNULL,
                               stdin=subprocess.DEVNULL, env=env)
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 1 << 16)
        except OSError:     # the command ended and closed the terminal
            break
        if not chunk:
            break
        chunks.append(chunk)
    process.wait()
    os.close(leader)
    return b"".join(chunks).decode("utf-8").replace("\r\n", "\n")


def flows_table(build: Path, to: Path) -> None:
    """The table, drawn by rich as HTML and photographed by Chromium."""
    from browser import Page
    from rich.console import Console
    from rich.text import Text
    console = Console(record=True, width=COLUMNS, file=open(os.devnull, "w"))  # noqa: SIM115
    console.print(Text("$ kg flows --place Uzbekistan", style="bold"))
    console.print(Text.from_ansi(terminal(TABLE, build)))
    html = console.export_html(inline_styles=True).replace(
        "<body>", '<body style="margin:0;padding:12px;background:#fff;display:inline-block">'
    ).replace("</head>", "<style>html,body{overflow:hidden}</style></head>")
    with tempfile.TemporaryDirectory() as folder:
        page_path = Path(folder) / "table.html"
        page_path.write_text(html, encoding="utf-8")
        with Page(page_path, 1000, 200) as page:
            page.wait("document.readyState === 'complete'")
            width, height = page.eval("[document.body.scrollWidth, document.body.scrollHeight]")
            page.call("Emulation.setDeviceMetricsOverride", {"width": width, "height": height,
                                                             "deviceScaleFactor": 1, "mobile": False})
            page.settle()
            page.screenshot(to / "flows-table.png")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("build", nargs="?", default="exports", type=Path)
    parser.add_argument("--to", default=ROOT / "docs" / "img", type=Path)
    args = parser.parse_args()
    flows_map(args.build, args.to)
    flows_table(args.build, args.to)


if __name__ == "__main__":
    main()
