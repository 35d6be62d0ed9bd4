"""The named queries on a build's store (pyoxigraph) against the same queries on rdflib's
in-memory store, in the same run; and on a synthetic graph of the same shape at scale.

Usage:
  python bench/queries.py OUT_DIR [--repeat 7]            # a build, e.g. of the 1,295-cable corpus
  python bench/queries.py OUT_DIR --triples 10000000      # + a synthetic copy at 10 M triples

Prints, per named query: rows, median milliseconds on pyoxigraph and on rdflib (the baseline),
and their ratio; for the synthetic graph: triples, load seconds, store size and the median of
each query.
"""
from __future__ import annotations

import argparse
import re
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from kg import sparql


def median_ms(run, repeat: int) -> tuple[float, int]:
    rows, times = 0, []
    for _ in range(repeat):
        start = time.perf_counter()
        rows = run()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), rows


def on_store(store, query) -> int:
    text = sparql.bind(query.text, query.params)
    return sum(1 for _ in store.query(text, use_default_graph_as_union=True))


class TooLong(Exception):
    pass


def on_rdflib(graph, query, limit: int) -> int:
    """The same query text on rdflib, stopped after ``limit`` seconds."""
    import signal

    def stop(*_):
        raise TooLong
    signal.signal(signal.SIGALRM, stop)
    signal.alarm(limit)
    try:
        return sum(1 for _ in graph.query(sparql.bind(query.text, query.params)))
    finally:
        signal.alarm(0)


def compare(out: Path, repeat: int, limit: int) -> None:
    import pyoxigraph as ox
    from rdflib import Graph
    store = ox.Store.read_only(str(out / "store"))
    start = time.perf_counter()
    graph = Graph().parse(out / "graph.ttl", format="nt")
    load = time.perf_counter() - start
    print(f"{out}: {len(graph):,} triples; rdflib loads graph.ttl in {load:.1f} s")
    print(f"{'query':16} {'rows':>6} {'oxigraph ms':>12} {'rdflib ms':>10} {'ratio':>7}")
    medians = []
    for query in sparql.named_queries().values():
        ox_ms, rows = median_ms(lambda: on_store(store, query), repeat)
        medians.append(ox_ms)
        try:
            rdf_ms, rdf_rows = median_ms(lambda: on_rdflib(graph, query, limit), max(1, repeat // 3))
        except TooLong:
            print(f"{query.name:16} {rows:6} {ox_ms:12.1f} {'>' + str(limit * 1000):>10} "
                  f"{'>' + str(round(limit * 1000 / ox_ms)):>6}x")
            continue
        note = "" if rows == rdf_rows else f"  (rdflib: {rdf_rows} rows)"
        print(f"{query.name:16} {rows:6} {ox_ms:12.1f} {rdf_ms:10.1f} {rdf_ms / ox_ms:6.0f}x{note}")
    print(f"slowest named query on pyoxigraph: {max(medians):.1f} ms (median of {repeat})")


def synthetic(out: Path, triples: int, repeat: int, keep: Path | None = None) -> None:
    """Copies of the build's documents and of every entity but the countries, under new ids,
    until the graph holds ``triples`` triples; loaded with bulk_load, then queried. With
    ``keep``, the store is kept there (and reused by the next run)."""
    import pyoxigraph as ox
    if keep is not None and (keep / "store").is_dir():
        store = ox.Store.read_only(str(keep / "store"))
        print(f"synthetic: the store kept in {keep}")
        _time_queries(store, repeat)
        return
    data = sparql.dump(out / "store", "nquads").decode("utf-8").splitlines()
    ontology = [line for line in data if line.endswith("<https://w3id.org/kg-tip/ontology> .")]
    facts = [line for line in data if line and not line.endswith("<https://w3id.org/kg-tip/ontology> .")]
    copies = max(1, -(-triples // len(facts)))
    rename = re.compile(r"(https://w3id\.org/kg-tip/id/(?:document|paragraph|mention|flow|relation|role|post|"
                        r"entity/(?!country-)))")
    folder = keep or Path(tempfile.mkdtemp(prefix="kg-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    try:
        source = folder / "data.nq"
        with source.open("w", encoding="utf-8") as f:
            for line in ontology:
                f.write(line + "\n")
            for k in range(copies):
                text = "\n".join(facts)
                # a copy's documents and actors are new; labels stay, as in a real archive
                f.write(rename.sub(rf"\1c{k}-", text) if k else text)
                f.write("\n")
        written = len(facts) * copies
        start = time.perf_counter()
        store = ox.Store(str(folder / "store"))
        store.bulk_load(path=str(source), format=ox.RdfFormat.N_QUADS)
        store.flush()
        load = time.perf_counter() - start
        size = sum(p.stat().st_size for p in (folder / "store").rglob("*") if p.is_file())
        print(f"synthetic: {copies} copies of {len(facts):,} triples = {written:,} triples; "
              f"bulk_load {load:.1f} s; store {size / 1e6:.0f} MB")
        _time_queries(store, repeat)
    finally:
        if keep is None:
            shutil.rmtree(folder, ignore_errors=True)
        else:
            (folder / "data.nq").unlink(missing_ok=True)


def _time_queries(store, repeat: int) -> None:
    print(f"{'query':16} {'rows':>6} {'ms':>10}")
    for query in sparql.named_queries().values():
        ms, rows = median_ms(lambda: on_store(store, query), repeat)
        print(f"{query.name:16} {rows:6} {ms:10.1f}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("out", type=Path, help="the output folder of a build")
    ap.add_argument("--repeat", type=int, default=7)
    ap.add_argument("--triples", type=int, default=0, help="also a synthetic graph of this size")
    ap.add_argument("--keep", type=Path, default=None, help="keep the synthetic store in this folder")
    ap.add_argument("--rdflib-limit", type=int, default=120, help="seconds before an rdflib query is stopped")
    args = ap.parse_args()
    compare(args.out, args.repeat, args.rdflib_limit)
    if args.triples:
        synthetic(args.out, args.triples, max(3, args.repeat // 2), args.keep)


if __name__ == "__main__":
    main()
