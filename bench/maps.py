"""How long the maps of a build take to open and draw in headless Chromium, and their sizes.

Usage: python bench/maps.py EXPORT_DIR   (e.g. after `kg build corpus/ --out /tmp/corpus-out`)

Baseline, measured in the same run: an empty page with the same vis-network script (what any
map costs before its data). Prints seconds to a drawn network, the ratio to the baseline, and
the file sizes.
"""
from __future__ import annotations

import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from browser import FLAGS, chromium  # noqa: E402


def open_seconds(page: Path) -> tuple[float, int]:
    with tempfile.TemporaryDirectory() as profile:
        start = time.perf_counter()
        run = subprocess.run([chromium(), *[f for f in FLAGS if not f.startswith("--virtual-time")],
                              "--virtual-time-budget=60000", f"--user-data-dir={profile}",
                              "--dump-dom", page.resolve().as_uri()], capture_output=True, text=True,
                             timeout=300)
        seconds = time.perf_counter() - start
    m = re.search(r'data-drawn="(\d+)"', run.stdout)
    return seconds, int(m.group(1)) if m else -1


def main() -> None:
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "exports")
    from kg.export.maps import PAGE, _vis
    script, style = _vis()
    with tempfile.TemporaryDirectory() as tmp:
        empty = Path(tmp) / "empty.html"
        empty.write_text(PAGE.replace("%TITLE%", "empty").replace("%STYLE%", style)
                         .replace("%LEGEND%", "").replace("%DATA%", '{"nodes":[],"edges":[],"kind":"flows"}')
                         .replace("%SCRIPT%", script), encoding="utf-8")
        base, _ = open_seconds(empty)
        print(f"baseline (empty map, same script): {base:.2f} s")
        for name in ("flows.html", "actors.html"):
            page = out / name
            seconds, nodes = open_seconds(page)
            print(f"{name}: {page.stat().st_size / 1e6:.2f} MB, {nodes} nodes drawn, "
                  f"{seconds:.2f} s to drawn ({seconds / base:.1f}x the empty page)")


if __name__ == "__main__":
    main()
