"""``kg correct``: record an analyst's correction in kg.corrections.toml (every later build
applies it)."""
from __future__ import annotations

from pathlib import Path

import click

from kg.cli.app import fail, main
from kg.errors import KGError


@main.group()
def correct() -> None:
    """Record a correction in kg.corrections.toml; every later build applies it.

    Each command appends one entry (with --why and --author) to the file, which you can also
    edit by hand; kg build reports a correction that no longer matches anything.

    Every example here runs as printed on the sample cables (kg build --out exports).

    \b
    Examples:
      kg correct merge "MVD Legal Institute" "MVD Legal Academy" --why "one school, two names"
      kg correct reject flow flow-00302b897cbf --why "the cable denies it"
      kg correct retype "Bolashak" NGO --country Kazakhstan
      kg correct add-flow --source Uzbekistan --destination Kazakhstan --sector construction \\
          --document 08ASTANA1246 --paragraph 2 \\
          --evidence "transported from Karakalpakistan in northwest Uzbekistan to Kazakhstan"
    """


def _correction_options(command):
    for option in reversed((
            click.option("--file", "path", default="kg.corrections.toml", show_default=True,
                         type=click.Path(dir_okay=False), help="The corrections file."),
            click.option("--why", default="", help="Why: kept with the correction and in the graph."),
            click.option("--author", default="", help="Who (default: your user name)."))):
        command = option(command)
    return command


def _record(path: str, kind: str, why: str, author: str, **values) -> None:
    import datetime
    import getpass

    from kg import corrections as corrections_module
    values.update(why=why, author=author or getpass.getuser(), date=datetime.date.today().isoformat())
    try:
        entry = corrections_module.append(Path(path), kind, values)
    except KGError as exc:
        fail(exc)
    click.echo(f"kg: recorded in {path}: {entry}", err=True)


@correct.command("merge")
@click.argument("names", nargs=-1, required=True)
@_correction_options
def correct_merge(names: tuple[str, ...], path: str, why: str, author: str) -> None:
    """Merge entities: NAMES... then the one they become (names, aliases or ids).

    \b
    Example:
      kg correct merge "MVD Legal Institute" "MVD Legal Academy" --why "one school, two names"
    """
    if len(names) < 2:
        fail("give at least two names: the ones to merge, then the one they become")
    _record(path, "merge", why, author, names=list(names[:-1]), into=names[-1])


@correct.command("split")
@click.argument("entity")
@click.argument("alias")
@click.option("--type", "type_", default="", help="The new entity's type (default: the entity's).")
@_correction_options
def correct_split(entity: str, alias: str, type_: str, path: str, why: str, author: str) -> None:
    """Split ALIAS off ENTITY: its mentions become a new entity.

    \b
    Example:
      kg correct split "Ministry of Justice" "MOJ"
    """
    _record(path, "split", why, author, entity=entity, alias=alias, type=type_)


@correct.command("rename")
@click.argument("entity")
@click.argument("name")
@_correction_options
def correct_rename(entity: str, name: str, path: str, why: str, author: str) -> None:
    """Give ENTITY the name NAME (the old one stays an alias).

    \b
    Example:
      kg correct rename "Bolashak" "Bolashak Public Association"
    """
    _record(path, "rename", why, author, entity=entity, name=name)


@correct.command("retype")
@click.argument("entity")
@click.argument("type_", metavar="TYPE", required=False, default="")
@click.option("--country", default="", help="The entity's country instead.")
@_correction_options
def correct_retype(entity: str, type_: str, country: str, path: str, why: str, author: str) -> None:
    """Change ENTITY's type (and/or, with --country, its country).

    \b
    Example:
      kg correct retype "Bolashak" NGO --country Kazakhstan
    """
    _record(path, "retype", why, author, entity=entity, type=type_, country=country)


@correct.command("reject")
@click.argument("kind", type=click.Choice(["entity", "flow", "relation"]))
@click.argument("ref")
@click.option("--out", "-o", default="exports", show_default=True, metavar="DIR",
              help="The build whose flow or relation ids are meant.")
@_correction_options
def correct_reject(kind: str, ref: str, out: str, path: str, why: str, author: str) -> None:
    """Reject an entity (a name or id), a flow or a relation (an id from flows.csv or
    relations.csv). A flow or relation is also recorded by its names, document and paragraph,
    so the rejection holds if its id changes.

    \b
    Examples:
      kg correct reject flow flow-00302b897cbf --why "the cable denies it"
      kg correct reject entity "Hard Talk" --why "a television programme, not a media outlet"
    """
    import csv as csv_module
    values: dict = {kind: ref}
    if kind != "entity":
        table = Path(out) / f"{kind}s.csv"
        rows = list(csv_module.DictReader(table.open(encoding="utf-8"))) if table.is_file() else []
        row = next((r for r in rows if r["id"] == ref), None)
        if row is None:
            fail(f"no {kind} {ref} in {table}; give the id of a {kind} of that build (or --out DIR)")
        keys = ("source", "destination") if kind == "flow" else ("subject", "predicate", "object")
        values.update({k: row[k] for k in keys}, document=row["document"], paragraph=int(row["paragraph"]))
    _record(path, "reject", why, author, **values)


@correct.command("add-flow")
@click.option("--source", required=True)
@click.option("--destination", required=True)
@click.option("--transit", multiple=True, help="A transit place, in order (repeatable).")
@click.option("--exploitation", multiple=True,
              type=click.Choice(["labor", "sexual", "organ_removal", "criminal_activity", "begging",
                                 "domestic_servitude", "child", "unspecified"]))
@click.option("--victims", type=int, default=None)
@click.option("--year", type=int, default=None)
@click.option("--document", required=True, help="The document id (documents.csv).")
@click.option("--paragraph", required=True, type=int, help="The paragraph number the document prints.")
@click.option("--evidence", required=True, help="The exact words of that paragraph.")
@click.option("--sector", "sectors", multiple=True, metavar="NAME",
              help="A sector the text names (agriculture, construction, ...; repeatable).")
@click.option("--hedged", is_flag=True, default=None,
              help="The text only says it may happen: listed, but out of the maps and counts.")
@click.option("--internal/--no-internal", default=None,
              help="Within one country, or not (default: whether both ends are in one country).")
@_correction_options
def correct_add_flow(source: str, destination: str, transit: tuple[str, ...], exploitation: tuple[str, ...],
                     victims: int | None, year: int | None, document: str, paragraph: int, evidence: str,
                     sectors: tuple[str, ...], hedged: bool | None, internal: bool | None,
                     path: str, why: str, author: str) -> None:
    """Add a flow kg missed; the build checks the quote is in the paragraph.

    \b
    Examples:
      kg correct add-flow --source Kokshetau --destination Lobanovo --exploitation labor \\
          --document 08ASTANA1246 --paragraph 18 \\
          --evidence "met a retiree from Lobanovo who invited him to his home"
      kg correct add-flow --source Uzbekistan --destination Kazakhstan --sector construction \\
          --document 08ASTANA1246 --paragraph 2 \\
          --evidence "transported from Karakalpakistan in northwest Uzbekistan to Kazakhstan"
    """
    _record(path, "add_flow", why, author, source=source, destination=destination, transit=list(transit),
            exploitation=list(exploitation), victims=victims, year=year, sectors=list(sectors),
            hedged=hedged, internal=internal, document=document, paragraph=paragraph, evidence=evidence)


@correct.command("add-relation")
@click.argument("subject")
@click.argument("predicate", type=click.Choice(["holdsPostIn", "partOf", "supervises", "fundedBy",
                                                "cooperatesWith"]))
@click.argument("object_", metavar="OBJECT")
@click.option("--document", required=True, help="The document id (documents.csv).")
@click.option("--paragraph", required=True, type=int, help="The paragraph number the document prints.")
@click.option("--evidence", required=True, help="The exact words of that paragraph.")
@_correction_options
def correct_add_relation(subject: str, predicate: str, object_: str, document: str, paragraph: int,
                         evidence: str, path: str, why: str, author: str) -> None:
    """Add a relation kg missed; the build checks the quote is in the paragraph.

    \b
    Example:
      kg correct add-relation "Bolashak" cooperatesWith "Union of Crisis Centers" \\
          --document 07ASTANA614 --paragraph 76 --evidence "to the Bolashak NGO from Taraz"
    """
    _record(path, "add_relation", why, author, subject=subject, predicate=predicate, object=object_,
            document=document, paragraph=paragraph, evidence=evidence)
