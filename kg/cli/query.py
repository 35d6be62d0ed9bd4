"""The commands over a build's graph: ``kg query`` (SPARQL), ``kg dump``, ``kg serve`` (an
endpoint) and ``kg push`` (into another store)."""
from __future__ import annotations

import sys

import click

from kg.cli.app import fail, main, print_table, resolved, stop_on_sigterm
from kg.errors import KGError


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
            fail(f"--param {item!r}: write NAME=VALUE")
        key, value = item.split("=", 1)
        bound[key.strip()] = value
    if not (text or query):
        fail("give a query: a name (kg query --list), a FILE.rq, or -e 'SPARQL'")
    try:
        chosen = sparql.text_query(text) if text else sparql.resolve(query or "")
        if chosen.name in sparql.named_queries() and bound:
            # the parameters of kg's named queries are names: resolved as every command does
            for key, value in bound.items():
                found = resolved(out, value, f"entity for --param {key}")
                if len(found.names) == 1:     # (several: the query matches the name itself)
                    bound[key] = next(iter(found.names))
        variables, rows = sparql.run(Path(out) / "store", chosen, bound, limit=limit)
    except KGError as exc:
        fail(exc)
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
        print_table(f"{len(rows)} rows", variables, rows)


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
        fail(exc)
    if target == "-":
        sys.stdout.buffer.write(data)
    else:
        Path(target).write_bytes(data)


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
    stop_on_sigterm("the endpoint's snapshot is removed")
    try:
        endpoint = Endpoint(out, host or "127.0.0.1", port, public=host is not None,
                            timeout=timeout, max_rows=max_rows, workers=workers,
                            queue_size=queue_size)
    except KGError as exc:
        fail(exc)
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
        fail(exc)
    click.echo(f"kg: sent {len(sent)} graphs, {sum(sent.values()):,} triples to {endpoint}", err=True)
