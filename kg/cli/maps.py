"""``kg map``: an offline map of one actor or place's neighbourhood, or of some years."""
from __future__ import annotations

import sys

import click

from kg.cli.app import EXIT_FAILED_INPUTS, fail, main, resolved


@main.command("map")
@click.option("--focus", "-f", default="", metavar="NAME", help="The actor or place at the centre.")
@click.option("--depth", "-d", default=2, show_default=True, type=click.IntRange(1, 5),
              help="How many steps out from it.")
@click.option("--years", "-y", default="", metavar="FROM-TO",
              help="Instead: the flows map opening on these years (e.g. 2005-2008).")
@click.option("--out", "-o", default="exports", show_default=True, metavar="DIR",
              help="The output folder of a build (its graph.graphml, or flows.html, is read).")
@click.option("--to", "target", default="", metavar="FILE",
              help="The HTML file to write (default: in DIR-maps/, beside DIR).")
def map_(focus: str, depth: int, years: str, out: str, target: str) -> None:
    """Write an offline map: the neighbourhood of one actor or place, or the flows of some
    years.

    Maps go beside the build, in DIR-maps/ (exports-maps/ for exports/): kg build replaces
    DIR whole when it succeeds, and would take them with it.

    \b
    Examples:
      kg map --focus IOM --depth 2
      kg map --years 2005-2008
      kg map --focus Uzbekistan --depth 1 --to uzbekistan.html
    """
    import re
    from pathlib import Path

    from kg.export.maps import focus_map, years_map
    from kg.ids import slug
    if bool(focus) == bool(years):
        fail("give --focus NAME (a neighbourhood) or --years FROM-TO (the flows of those years)")
    folder = Path(out)
    maps = folder.resolve().parent / f"{folder.resolve().name}-maps"
    if years:
        m = re.fullmatch(r"\s*(\d{4})\s*(?:[-\u2013]\s*(\d{4}))?\s*", years)
        if m is None:
            fail(f"--years {years!r}: write FROM-TO, e.g. 2005-2008, or one year")
        first, last = int(m.group(1)), int(m.group(2) or m.group(1))
        path = Path(target) if target else maps / f"flows-{first}-{last}.html"
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            arrows = years_map(folder, first, last, path)
        except KeyError:
            fail(f"{folder / 'flows.html'}: no flows map here; run kg build first (or pass --out DIR)")
        click.echo(f"wrote {path}: {arrows} arrows in {first}-{last}")
        return
    graphml = folder / "graph.graphml"
    if not graphml.is_file():
        fail(f"{graphml}: no graph here; run kg build first (or pass --out DIR)")
    path = Path(target) if target else maps / f"focus-{slug(focus)}.html"
    path.parent.mkdir(parents=True, exist_ok=True)
    found = resolved(out, focus, "actor")      # the same names as every other command
    try:
        nodes = focus_map(graphml, focus, depth, path, names=found.names)
    except KeyError:
        click.echo(f"kg: no actor or place named {focus!r} in {graphml}", err=True)
        sys.exit(EXIT_FAILED_INPUTS)
    click.echo(f"wrote {path}: {nodes} nodes within {depth} step(s) of {'; '.join(sorted(found.names))}")
