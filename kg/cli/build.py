"""``kg build``: build the graph of a folder of documents, with a progress bar and a summary."""
from __future__ import annotations

import sys

import click

from kg.cli.app import EXIT_ERROR, EXIT_FAILED_INPUTS, main, one_malloc_arena, stop_on_sigterm
from kg.errors import KGError, OutputError


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

    stop_on_sigterm("the previous outputs are left as they were")
    one_malloc_arena()
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
