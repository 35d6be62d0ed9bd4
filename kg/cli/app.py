"""The command group ``kg`` and what its commands share: exit codes, errors, tables, names
resolved to entities, SIGTERM."""
from __future__ import annotations

import os
import sys

import click

from kg.version import __version__

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


def fail(message: object) -> None:
    """One line on stderr and exit status 2: nothing was done."""
    click.echo(f"kg: error: {message}", err=True)
    sys.exit(EXIT_ERROR)


def print_table(title: str, header: list[str], rows: list[list[str]], show_lines: bool = False) -> None:
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


def resolved(out: str, name: str, what: str):
    """The entities of the build in ``out`` that ``name`` names (kg.export.names.resolve): says
    on stderr which it chose, or lists the candidates and exits with status 1."""
    from kg.export.names import PLACES, entities_of, resolve
    found = resolve(entities_of(out), name, PLACES if what == "place" else ())
    if not found.entities:
        click.echo(f"kg: {found.missing(out, what)}", err=True)
        sys.exit(EXIT_FAILED_INPUTS)
    click.echo(f"kg: {found.chosen()}", err=True)
    return found


def stop_on_sigterm(what: str) -> None:
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


def one_malloc_arena() -> bool:
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
    if not glibc():
        return False
    try:
        import ctypes
        m_arena_max = -8    # malloc.h
        return ctypes.CDLL(None).mallopt(m_arena_max, 1) == 1
    except (OSError, AttributeError):
        return False


def glibc() -> bool:
    """Whether this process runs on GNU libc."""
    try:
        return bool(os.confstr("CS_GNU_LIBC_VERSION"))
    except (ValueError, OSError, AttributeError):     # no such confstr name here, or no confstr
        return False
