"""The commands that read a finished build: ``kg flows``, ``kg actors``, ``kg routes`` and
``kg analyse``."""
from __future__ import annotations

import sys

import click

from kg.cli.app import EXIT_FAILED_INPUTS, fail, main, print_table, resolved
from kg.errors import KGError


@main.command()
@click.option("--out", "-o", default="exports", show_default=True, metavar="DIR",
              help="The output folder of a build.")
@click.option("--place", "-p", default="", metavar="NAME",
              help="Only flows from, through or to this place (or its country): a name, alias "
                   "or demonym (UAE, Uzbek).")
@click.option("--exploitation", "-e", default="", metavar="TYPE",
              type=click.Choice(["", "labor", "sexual", "organ_removal", "criminal_activity", "begging",
                                 "domestic_servitude", "child", "unspecified"]),
              help="Only flows of this exploitation type.")
@click.option("--hedged/--no-hedged", default=None,
              help="Only the flows the text only says may happen (\"reportedly\", \"may be\"), or "
                   "only the others (default: all, the hedged column says which).")
@click.option("--internal/--no-internal", default=None,
              help="Only flows within one country, or only those across a border (default: all).")
@click.option("--sector", "-s", default="", metavar="NAME",
              help="Only flows whose text names this sector (agriculture, construction, ...).")
@click.option("--evidence", is_flag=True, help="Print each flow's evidence sentence too.")
def flows(out: str, place: str, exploitation: str, hedged: bool | None, internal: bool | None,
          sector: str, evidence: bool) -> None:
    """Print the flows of a build as a table: route, type, victims, document and paragraph,
    whether the text hedges it, whether it stays in one country, and the sectors named.

    Hedged flows are listed (hedged: true) but left out of the maps and the analysis.

    \b
    Examples:
      kg flows
      kg flows --place Uzbekistan --exploitation labor --evidence
      kg flows --no-hedged --internal --sector construction
    """
    from kg.export.tables import read_flows
    try:
        if place:
            resolved(out, place, "place")
        rows = read_flows(out, place, exploitation, hedged, internal, sector)
    except KGError as exc:
        fail(exc)
    header = ["source", "transit", "destination", "exploitation", "victims", "year", "document",
              "paragraph", "hedged", "internal", "sectors", *(["evidence"] if evidence else [])]
    lines = [[r["source"], r["transit"].replace(";", " → "), r["destination"],
              r["exploitation"].replace(";", ", "), r["victims"], r["year"], r["document"],
              r["paragraph"], r.get("hedged", ""), r.get("internal", ""),
              r.get("sectors", "").replace(";", ", "), *([r["evidence"]] if evidence else [])]
             for r in rows]
    if not sys.stdout.isatty():
        # piped: one tab-separated line per flow, for grep, awk and spreadsheets
        for line in [header, *lines]:
            click.echo("\t".join(cell.replace("\t", " ") for cell in line))
        return
    print_table(f"{len(rows)} flows in {out}", header, lines, show_lines=evidence)


@main.command()
@click.argument("name")
@click.option("--out", "-o", default="exports", show_default=True, metavar="DIR",
              help="The output folder of a build.")
def actors(name: str, out: str) -> None:
    """Print what kg knows about the actor NAME: type, aliases, country, posts, parent and
    child bodies, donors, partners, flows; each with document and paragraph.

    NAME is a name, an alias or a demonym, case aside (as in every command that takes a name);
    stderr says which entity it was taken for, or lists the names meant.

    \b
    Examples:
      kg actors MVD
      kg actors "Elvira Azimova" --out exports/run1
    """
    from rich.console import Console
    from rich.text import Text

    from kg.export.profile import find_actor
    try:
        resolved(out, name, "actor")
        profiles = find_actor(out, name)
    except KGError as exc:
        fail(exc)
    console = Console(highlight=False, soft_wrap=True)
    for profile in profiles:
        e = profile.entity
        console.print(Text(f"{e['name']} ({e['type']})", style="bold"))
        for label, value in (("aliases", e["aliases"].replace(";", "; ")), ("country", e["country"]),
                             ("title", e["title"]), ("organization", e["organization"]),
                             ("documents", e["documents"].replace(";", ", ")), ("mentions", e["mentions"])):
            if value:
                console.print(Text(f"  {label}: {value}"))
        for heading, rows in sorted(profile.links.items()):
            console.print(Text(f"  {heading}:"))
            for r in rows:
                console.print(Text(f"    {r['other']}  [{r['document']} ¶{r['paragraph']}] {r['evidence']}"))
        if profile.flows:
            console.print(Text("  flows:"))
            for f in profile.flows:
                route = " → ".join([f["source"], *[t for t in f["transit"].split(";") if t], f["destination"]])
                hedged = ", hedged" if f.get("hedged") == "true" else ""
                console.print(Text(f"    {route} ({f['exploitation'].replace(';', ', ')}{hedged})"
                                   f"  [{f['document']} ¶{f['paragraph']}]"))


@main.command()
@click.option("--from", "source", required=True, metavar="PLACE", help="Where victims come from.")
@click.option("--to", "target", required=True, metavar="PLACE", help="Where they are taken.")
@click.option("--out", "-o", default="exports", show_default=True, metavar="DIR",
              help="The output folder of a build.")
def routes(source: str, target: str, out: str) -> None:
    """How do victims get from one place to another? The routes the documents state, with
    their evidence; if none states one, the shortest chain of stated hops, marked inferred.
    Hedged flows (kg flows --hedged lists them) are left out.

    \b
    Examples:
      kg routes --from Uzbekistan --to Russia
      kg routes --from Temirtau --to China --out exports/run1
    """
    from rich.console import Console
    from rich.text import Text

    from kg.export.profile import how_routes
    try:
        for name in (source, target):
            resolved(out, name, "place")
        stated, chain = how_routes(out, source, target)
    except KGError as exc:
        fail(exc)
    console = Console(highlight=False, soft_wrap=True)
    for f in stated:
        route = " → ".join([f["source"], *[t for t in f["transit"].split(";") if t], f["destination"]])
        console.print(Text(f"{route}  ({f['exploitation'].replace(';', ', ')})  "
                           f"[{f['document']} ¶{f['paragraph']}]", style="bold"))
        console.print(Text(f"    “{f['evidence']}”"))
    if chain:
        console.print(Text("inferred (no document states this route; each hop is stated somewhere): "
                           + " → ".join(chain)))
    if not stated and not chain:
        click.echo(f"kg: no stated or inferred route from {source} to {target} in {out}", err=True)
        sys.exit(EXIT_FAILED_INPUTS)


@main.command()
@click.option("--out", "-o", default="exports", show_default=True, metavar="DIR",
              help="The output folder of a build.")
def analyse(out: str) -> None:
    """Print the analysis of a build: top routes with evidence, corridors, transit hubs,
    central actors. Every build writes it to DIR/report.md and the tables to DIR/analysis/.

    \b
    Example:
      kg analyse --out exports/run1
    """
    from pathlib import Path
    report = Path(out) / "report.md"
    if not report.is_file():
        fail(f"{report}: no report here; run kg build first (or pass --out DIR)")
    click.echo(report.read_text(encoding="utf-8"))
    click.echo(f"tables: {Path(out) / 'analysis'}/ (routes, corridors, transit_hubs, place_roles, "
               "central_actors, communities, documents)")
