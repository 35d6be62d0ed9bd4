"""The command line: thin wrappers that call one library function each."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from kg import __version__
from kg.errors import KGError, OutputError

EXIT_FAILED_INPUTS = 1   # built, but some inputs could not be read
EXIT_ERROR = 2           # nothing built; previous outputs untouched


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kg")
def main() -> None:
    """kg: a knowledge graph of human-trafficking actors and flows.

    Reads cables and reports (.txt, .md, .html) and writes tables, an RDF graph and
    maps into an output folder.

    \b
    Example:
      kg build                         # the bundled sample cables -> exports/
      kg build cables/ --out exports/run1
    """


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=str))
@click.option("--out", "-o", default="exports", show_default=True, metavar="DIR",
              help="Output folder; replaced only when the build succeeds.")
@click.option("--add", "add", is_flag=True,
              help="Keep the documents already in --out and add PATHS (a document id already "
                   "there is replaced); only the new documents are extracted.")
@click.option("--no-cache", "no_cache", is_flag=True,
              help="Extract every document again, even those unchanged since the last build.")
@click.option("--corrections", type=click.Path(dir_okay=False), default=None, metavar="FILE",
              help="An analyst's corrections file (default: kg.corrections.toml in or beside "
                   "an input folder).")
@click.option("--no-corrections", "no_corrections", is_flag=True,
              help="Build the extractor's own output, without corrections (for scoring).")
@click.option("--max-mb", default=10.0, show_default=True, type=click.FloatRange(0.001),
              help="Files larger than this many megabytes are reported and not read.")
@click.option("--jobs", "-j", type=click.IntRange(1, 256), default=None,
              help="Worker processes that extract in parallel (default: one per CPU for more "
                   "than 50 files).")
@click.option("--engine", type=click.Choice(["processes", "dask"]), default="processes",
              show_default=True, help="Where extraction runs: local processes, or a Dask cluster.")
@click.option("--scheduler", default=None, metavar="ADDRESS",
              help="The Dask scheduler (tcp://HOST:8786); with --engine dask and no scheduler, "
                   "a local cluster of --jobs workers.")
@click.option("--thorough", is_flag=True,
              help="The model reads every sentence of every cable (by default, only the "
                   "words around what can be a name, in cables that speak of trafficking: "
                   "several times faster, and the same results on those cables).")
@click.option("--doc-timeout", default=60.0, show_default=True, type=click.FloatRange(0),
              metavar="SECONDS",
              help="A document whose extraction takes longer is skipped, with a line naming it; "
                   "the others are built (0: no limit).")
@click.option("--quiet", "-q", is_flag=True,
              help="No progress bar and no summary; failures and warnings are still on stderr.")
def build(paths: tuple[str, ...], out: str, add: bool, no_cache: bool, corrections: str | None,
          no_corrections: bool, max_mb: float, jobs: int | None, engine: str, scheduler: str | None,
          thorough: bool, doc_timeout: float, quiet: bool) -> None:
    """Build the graph of PATHS (files or folders, read recursively) into --out.

    With no PATHS, builds the five sample cables bundled with kg. Writes documents.csv,
    entities.csv, mentions.csv, flows.csv, relations.csv, roles.csv, texts/, graph.ttl
    and manifest.json. A file that cannot be read is reported on one line and the others
    are still built; the exit status is then 1. If nothing can be built, the exit status
    is 2 and the previous outputs are left as they were.

    A document whose bytes and kg's extractor are unchanged since the previous build in --out
    is not extracted again (its extraction is kept in --out/cache/); --no-cache turns this off.
    An analyst's corrections (kg correct --help) are applied after extraction.

    \b
    Examples:
      kg build
      kg build ../cables/ extra-report.html --out exports/run1
      kg build new-cables/ --add --out exports/run1
      kg build archive/ --engine dask --scheduler tcp://10.0.0.5:8786
    """
    from kg.pipeline import build as run_build

    _stop_on_sigterm("the previous outputs are left as they were")
    _one_malloc_arena()
    show_bar = not quiet and sys.stdout.isatty() and sys.stderr.isatty()
    try:
        options = {"add": add, "reuse": not no_cache, "corrections": corrections,
                   "correct": not no_corrections, "max_mb": max_mb, "jobs": jobs, "engine": engine,
                   "scheduler": scheduler, "thorough": thorough, "doc_timeout": doc_timeout or None}
        if show_bar:
            summary = _with_progress(run_build, list(paths), out, options)
        else:
            summary = run_build(list(paths), out, **options)
    except KGError as exc:
        for failure in getattr(exc, "failures", []):
            click.echo(f"kg: {failure}", err=True)
        click.echo(f"kg: error: {exc}", err=True)
        # an output that cannot be written (read-only, full disk) is the environment's failure,
        # not the inputs': status 1, as for inputs that could not be read
        sys.exit(EXIT_FAILED_INPUTS if isinstance(exc, OutputError) else EXIT_ERROR)
    for failure in summary.failures:
        click.echo(f"kg: failed: {failure}", err=True)
    # what a user must see, -q or not: it is on stderr, the summary on stdout
    for note in summary.notes:
        click.echo(f"kg: note: {note}", err=True)
    report = summary.corrections
    for stale in getattr(report, "unmatched", []):
        click.echo(f"kg: warning: correction matched nothing (stale?): {stale}", err=True)
    for violation in summary.violations:
        click.echo(f"kg: warning: SHACL: {violation}", err=True)
    if not quiet:
        _print_summary(summary)
    if summary.failures:
        sys.exit(EXIT_FAILED_INPUTS)


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
            _resolved(out, place, "place")
        rows = read_flows(out, place, exploitation, hedged, internal, sector)
    except KGError as exc:
        _fail(exc)
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
    _print_table(f"{len(rows)} flows in {out}", header, lines, show_lines=evidence)


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
        _resolved(out, name, "actor")
        profiles = find_actor(out, name)
    except KGError as exc:
        _fail(exc)
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
@click.argument("query", required=False)
@click.option("-e", "--execute", "text", default="", metavar="SPARQL", help="A query given as text.")
@click.option("--param", "-p", "params", multiple=True, metavar="NAME=VALUE",
              help="Bind a parameter of a named query (repeatable).")
@click.option("--format", "-f", "fmt", type=click.Choice(["table", "csv", "json"]), default="table",
              show_default=True)
@click.option("--out", "-o", default="exports", show_default=True, metavar="DIR",
              help="The output folder of a build (its store/ is queried).")
@click.option("--list", "list_", is_flag=True, help="List the named queries, one line each.")
@click.option("--limit", default=100_000, show_default=True, type=click.IntRange(1),
              help="Most rows to print; when there are more, stderr says so.")
def query(query: str | None, text: str, params: tuple[str, ...], fmt: str, out: str, list_: bool,
          limit: int) -> None:
    """Run a SPARQL query on a build: a named query, a FILE.rq, or -e 'SPARQL'. Queries only
    read: updates are refused. At most --limit rows are printed (stderr says when there were
    more).

    \b
    Examples:
      kg query --list
      kg query flows-through --param country=Uzbekistan
      kg query top-corridors --format csv > corridors.csv
      kg query -e 'SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }'
    """
    import csv as csv_module
    import json
    from pathlib import Path

    from kg import sparql
    if list_:
        for q in sparql.named_queries().values():
            args = " ".join(f"--param {k}=..." for k in q.params)
            click.echo(f"{q.name:15} {q.description}" + (f"  [{args}]" if args else ""))
        return
    bound = {}
    for item in params:
        if "=" not in item:
            _fail(f"--param {item!r}: write NAME=VALUE")
        key, value = item.split("=", 1)
        bound[key.strip()] = value
    if not (text or query):
        _fail("give a query: a name (kg query --list), a FILE.rq, or -e 'SPARQL'")
    try:
        chosen = sparql.text_query(text) if text else sparql.resolve(query or "")
        if chosen.name in sparql.named_queries() and bound:
            # the parameters of kg's named queries are names: resolved as every command does
            for key, value in bound.items():
                found = _resolved(out, value, f"entity for --param {key}")
                if len(found.names) == 1:     # (several: the query matches the name itself)
                    bound[key] = next(iter(found.names))
        variables, rows = sparql.run(Path(out) / "store", chosen, bound, limit=limit)
    except KGError as exc:
        _fail(exc)
    if rows.truncated:
        click.echo(f"kg: stopped at {limit:,} rows: the answer has more (--limit N prints more; "
                   "LIMIT and OFFSET page through it)", err=True)
    if fmt == "json":
        click.echo(json.dumps([dict(zip(variables, r)) for r in rows], ensure_ascii=False, indent=1))
    elif fmt == "csv" or not sys.stdout.isatty():
        writer = csv_module.writer(sys.stdout, lineterminator="\n")
        writer.writerow(variables)
        writer.writerows(rows)
    else:
        _print_table(f"{len(rows)} rows", variables, rows)


@main.command()
@click.option("--format", "-f", "fmt", type=click.Choice(["turtle", "ntriples", "nquads", "trig", "jsonld"]),
              default="turtle", show_default=True)
@click.option("--out", "-o", default="exports", show_default=True, metavar="DIR",
              help="The output folder of a build (its store/ is read).")
@click.option("--to", "target", default="-", metavar="FILE", help="Where to write (default: stdout).")
def dump(fmt: str, out: str, target: str) -> None:
    """Write a build's graph as Turtle, N-Triples, JSON-LD, or N-Quads / TriG (these two with
    the ontology in its named graph), for other tools and triple stores.

    \b
    Examples:
      kg dump --format jsonld --to graph.jsonld
      kg dump --format nquads | gzip > graph.nq.gz
    """
    from pathlib import Path

    from kg import sparql
    try:
        data = sparql.dump(Path(out) / "store", fmt)
    except KGError as exc:
        _fail(exc)
    if target == "-":
        sys.stdout.buffer.write(data)
    else:
        Path(target).write_bytes(data)


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
            _resolved(out, name, "place")
        stated, chain = how_routes(out, source, target)
    except KGError as exc:
        _fail(exc)
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
        _fail(f"{report}: no report here; run kg build first (or pass --out DIR)")
    click.echo(report.read_text(encoding="utf-8"))
    click.echo(f"tables: {Path(out) / 'analysis'}/ (routes, corridors, transit_hubs, place_roles, "
               "central_actors, communities, documents)")


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
        _fail("give --focus NAME (a neighbourhood) or --years FROM-TO (the flows of those years)")
    folder = Path(out)
    maps = folder.resolve().parent / f"{folder.resolve().name}-maps"
    if years:
        m = re.fullmatch(r"\s*(\d{4})\s*(?:[-\u2013]\s*(\d{4}))?\s*", years)
        if m is None:
            _fail(f"--years {years!r}: write FROM-TO, e.g. 2005-2008, or one year")
        first, last = int(m.group(1)), int(m.group(2) or m.group(1))
        path = Path(target) if target else maps / f"flows-{first}-{last}.html"
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            arrows = years_map(folder, first, last, path)
        except KeyError:
            _fail(f"{folder / 'flows.html'}: no flows map here; run kg build first (or pass --out DIR)")
        click.echo(f"wrote {path}: {arrows} arrows in {first}-{last}")
        return
    graphml = folder / "graph.graphml"
    if not graphml.is_file():
        _fail(f"{graphml}: no graph here; run kg build first (or pass --out DIR)")
    path = Path(target) if target else maps / f"focus-{slug(focus)}.html"
    path.parent.mkdir(parents=True, exist_ok=True)
    found = _resolved(out, focus, "actor")      # the same names as every other command
    try:
        nodes = focus_map(graphml, focus, depth, path, names=found.names)
    except KeyError:
        click.echo(f"kg: no actor or place named {focus!r} in {graphml}", err=True)
        sys.exit(EXIT_FAILED_INPUTS)
    click.echo(f"wrote {path}: {nodes} nodes within {depth} step(s) of {'; '.join(sorted(found.names))}")


def _stop_on_sigterm(what: str) -> None:
    """Make SIGTERM stop this command as Ctrl-C does, through every ``finally``: a build
    stopped by SIGTERM left its workers and its hidden folder, a server its snapshot. (The
    handler stays until the process ends: the command is the process's last work; a program
    that runs commands in its own process, a test, restores its own.)"""
    import signal
    import threading
    if threading.current_thread() is not threading.main_thread():
        return

    def stop(signum, frame) -> None:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)    # (once: the cleaning is under way)
        click.echo(f"kg: stopped by SIGTERM; {what}", err=True)
        raise SystemExit(128 + signum)
    signal.signal(signal.SIGTERM, stop)


def _one_malloc_arena() -> bool:
    """Have every thread of this process allocate from glibc's one main malloc arena, before a
    build starts its threads; True if it was set.

    A build loads its store in a thread, and RocksDB (under pyoxigraph) allocates from threads
    of its own. glibc gives such threads arenas of their own (up to eight per core), which keep
    the memory freed in them. With one arena the build's peak memory on the 1,295-cable corpus
    fell from 178-181 MB to 146-156 MB, on the corpus x4 from 233 to 179 MB and on x10 from
    254 to 194 MB, at the same speed (bench/speed.py, README "Large corpora and clusters").
    A MALLOC_ARENA_MAX (or glibc.malloc.arena_max tunable) the user set is kept; other C
    libraries are left alone. Set here, in the command, and not by kg.pipeline.build: a
    program that imports kg chooses its own allocator settings."""
    if "MALLOC_ARENA_MAX" in os.environ or "arena_max" in os.environ.get("GLIBC_TUNABLES", ""):
        return False
    if not _glibc():
        return False
    try:
        import ctypes
        m_arena_max = -8    # malloc.h
        return ctypes.CDLL(None).mallopt(m_arena_max, 1) == 1
    except (OSError, AttributeError):
        return False


def _glibc() -> bool:
    """Whether this process runs on GNU libc."""
    try:
        return bool(os.confstr("CS_GNU_LIBC_VERSION"))
    except (ValueError, OSError, AttributeError):     # no such confstr name here, or no confstr
        return False


def _resolved(out: str, name: str, what: str):
    """The entities of the build in ``out`` that ``name`` names (kg.export.names.resolve): says
    on stderr which it chose, or lists the candidates and exits with status 1."""
    from kg.export.names import PLACES, entities_of, resolve
    found = resolve(entities_of(out), name, PLACES if what == "place" else ())
    if not found.entities:
        click.echo(f"kg: {found.missing(out, what)}", err=True)
        sys.exit(EXIT_FAILED_INPUTS)
    click.echo(f"kg: {found.chosen()}", err=True)
    return found


def _fail(message: object) -> None:
    """One line on stderr and exit status 2: nothing was done."""
    click.echo(f"kg: error: {message}", err=True)
    sys.exit(EXIT_ERROR)


@main.command()
@click.option("--out", "-o", default="exports", show_default=True, metavar="DIR",
              help="The output folder of a build (its store/ and maps are served).")
@click.option("--port", "-p", default=7878, show_default=True, type=click.IntRange(0, 65535),
              help="The port (0: any free port).")
@click.option("--host", default=None, metavar="ADDRESS",
              help="Listen on this address instead of 127.0.0.1 (e.g. 0.0.0.0: anyone who can "
                   "reach this machine can read the graph).")
@click.option("--timeout", default=10.0, show_default=True, type=click.FloatRange(0.1),
              help="Seconds a query may run before it is stopped.")
@click.option("--max-rows", default=10_000, show_default=True, type=click.IntRange(1),
              help="Most rows one query may return; more is refused with a message.")
@click.option("--workers", default=None, type=click.IntRange(1, 64),
              help="Queries run at the same time, one process each (default: two more than the "
                   "cores, at least 4).")
@click.option("--queue", "queue_size", default=64, show_default=True, type=click.IntRange(1, 10_000),
              help="Queries that may wait for a worker; more get a 503 with Retry-After.")
def serve(out: str, port: int, host: str | None, timeout: float, max_rows: int, workers: int | None,
          queue_size: int) -> None:
    """Serve a build as a read-only SPARQL endpoint at /sparql, with its maps at /.

    SPARQL 1.1 Protocol: GET or POST; SELECT/ASK as JSON, XML, CSV or TSV, CONSTRUCT/DESCRIBE
    as Turtle, N-Triples, RDF/XML or JSON-LD, by the Accept header (406 if none fits).
    Updates, SERVICE, LOAD and FROM an outside IRI are refused. Ctrl-C stops it.

    \b
    Examples:
      kg serve
      kg serve --out exports/run1 --port 8000
      curl -H 'Accept: text/csv' --data-urlencode 'query=SELECT * WHERE { ?s ?p ?o } LIMIT 5' \\
           http://127.0.0.1:7878/sparql
    """
    from kg.serve import Endpoint
    _stop_on_sigterm("the endpoint's snapshot is removed")
    try:
        endpoint = Endpoint(out, host or "127.0.0.1", port, public=host is not None,
                            timeout=timeout, max_rows=max_rows, workers=workers,
                            queue_size=queue_size)
    except KGError as exc:
        _fail(exc)
    if host is not None and host not in ("127.0.0.1", "localhost", "::1"):
        click.echo(f"kg: warning: listening on {host}: anyone who can reach it can read the graph",
                   err=True)
    click.echo(f"kg: serving {out} at {endpoint.url} (read-only; Ctrl-C stops)", err=True)
    try:
        endpoint.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        endpoint.server_close()


@main.command()
@click.option("--endpoint", required=True, metavar="URL",
              help="A SPARQL 1.1 Graph Store Protocol endpoint (Oxigraph: http://HOST:7878/store).")
@click.option("--out", "-o", default="exports", show_default=True, metavar="DIR",
              help="The output folder of a build (its store/ is sent).")
def push(endpoint: str, out: str) -> None:
    """Load a build's graph into another triple store, one named graph per document.

    Each graph is sent with an HTTP PUT, which replaces the store's copy: pushing again
    leaves no duplicates.

    \b
    Examples:
      oxigraph serve --location big-store --bind 127.0.0.1:7878 &
      kg push --endpoint http://127.0.0.1:7878/store
    """
    from kg.push import push as run_push
    try:
        sent = run_push(out, endpoint)
    except KGError as exc:
        _fail(exc)
    click.echo(f"kg: sent {len(sent)} graphs, {sum(sent.values()):,} triples to {endpoint}", err=True)


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
        _fail(exc)
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
        _fail("give at least two names: the ones to merge, then the one they become")
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
            _fail(f"no {kind} {ref} in {table}; give the id of a {kind} of that build (or --out DIR)")
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


def _print_table(title: str, header: list[str], rows: list[list[str]], show_lines: bool = False) -> None:
    """A table on the terminal; cells are Text, not str: document text is shown as written,
    never read as rich markup."""
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text
    table = Table(title=title, show_lines=show_lines)
    for column in header:
        table.add_column(column, overflow="fold")
    for row in rows:
        table.add_row(*(Text(cell) for cell in row))
    Console(highlight=False).print(table)


def _with_progress(run_build, paths: list[str], out: str, options: dict):
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        ProgressColumn,
        TextColumn,
        TimeRemainingColumn,
    )
    from rich.text import Text

    class Rate(ProgressColumn):
        def render(self, task) -> Text:
            return Text(f"{task.speed:.1f}/s" if task.speed else "")
    columns = (TextColumn("reading"), BarColumn(), MofNCompleteColumn(), TextColumn("documents"),
               Rate(), TimeRemainingColumn())
    with Progress(*columns, transient=True) as bar:
        task = bar.add_task("build", total=None)
        return run_build(paths, out, **options,
                         progress=lambda done, total: bar.update(task, completed=done, total=total))


def _print_summary(summary) -> None:
    from rich.console import Console
    from rich.text import Text
    console = Console(highlight=False, soft_wrap=True)
    status = "[green]built[/]" if summary.ok else "[yellow]built with failures[/]"
    console.print(f"{status} {summary.out}: {summary.documents} documents, "
                  f"{summary.entities} entities, {summary.mentions} mentions, "
                  f"{summary.flows} flows, {summary.relations} relations "
                  f"in {summary.seconds.get('total', 0):.1f} s")
    if summary.failures:
        console.print(f"  {len(summary.failures)} input(s) failed (listed above)")
    if summary.reused:
        console.print(f"  {summary.reused} unchanged document(s) taken from the previous build")
    report = summary.corrections
    if report is not None:
        console.print(Text(f"  corrections from {report.file}: {len(report.applied)} applied"
                           + (f", {len(report.unmatched)} matched nothing (above)" if report.unmatched
                              else "")))
    if summary.violations:
        console.print(Text(f"  {len(summary.violations)} SHACL violation(s) (above)"), style="yellow")
    if summary.duplicates:
        console.print(f"  {len(summary.duplicates)} duplicate input(s) read once "
                      "(see manifest.json)")
    if summary.skipped:
        console.print(f"  {len(summary.skipped)} file(s) of other types skipped")
    console.print(f"  open {summary.out}/documents.csv, entities.csv, flows.csv; "
                  "graph.ttl for RDF tools; manifest.json for the record")


if __name__ == "__main__":  # pragma: no cover
    main()
