"""The stages after extraction: corrections, entities, tables, graph and store, validation,
analysis, maps; from the extractions held in the spool."""
from __future__ import annotations

import os
import time
from collections.abc import Iterable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import closing
from dataclasses import replace
from pathlib import Path

from kg import corrections as corrections_
from kg.export import write_tables
from kg.extract.gazetteer import alpha3_codes
from kg.graph import (
    document_graph,
    document_triples,
    entity_triples,
    sorted_lines,
    turtle_file,
    validate_triples,
    write_turtle,
)
from kg.model import Entity, Extraction, Summary
from kg.pipeline.executor import elsewhere
from kg.pipeline.spool import Found, Held, SpilledExtractions, Spool, SpoolReader

VALIDATED = 1 << 20   # bytes of N-Triples per validation task: 0.3 s, 30 MB in a worker


def run_stages(folder: Path, found: Found, seconds: dict[str, float], summary: Summary,
            base: Path | None, rules, executor, spool: Spool) -> None:
    """Everything after extraction: corrections, entities, tables, graph, store, validation,
    analysis, maps; the summary's counts."""
    # one order for every later stage, whatever order the files came in (or were added in):
    # by date, so that where documents disagree (an official's post) the latest one holds
    held = sorted(found.values(), key=lambda h: (h.date, h.id))
    found.clear()
    extractions: Sequence[Extraction] = spool.extractions(held)

    start = time.perf_counter()
    fixed: dict[str, Extraction] = {}      # the documents a correction changed
    if rules is not None:
        summary.corrections = corrections_.Report(file=str(rules[0]))
        originals = list(extractions)     # held whole (with their texts) for the corrections
        extractions = corrections_.apply(originals, rules[1], summary.corrections)
        fixed = {x.document.id: x for x, before in zip(extractions, originals) if x is not before}
        del originals
    entities = merge_entities(extractions)
    if rules is not None:
        entities = corrections_.finish(entities, rules[1], summary.corrections)
    seconds["resolve"] = time.perf_counter() - start

    from kg.export.graphs import write_ctdc
    from kg.export.maps import flows_map
    from kg.export.report import flow_analysis, flow_network_of, write_report
    store = spool.store
    tasks: list[Future] = []      # what workers do beside this process
    try:
        # the tables, the longest stage, in a worker (first, before the validation's parts)
        # while this process writes the rest
        tables = beside(executor, spool, held, extractions, tables_job, folder, entities)
        tasks.append(tables)
        # the flows map here, then the actors' analysis and map, GraphML and GEXF (which hold
        # the positions of both maps) in a worker
        start = time.perf_counter()
        flow_net, flows = flow_network_of(folder, extractions, entities)
        positions = flows_map(flow_net, folder / "flows.html")
        seconds["maps"] = time.perf_counter() - start
        actors = beside(executor, spool, held, extractions, actors_job, folder, entities, positions)
        tasks.append(actors)

        start = time.perf_counter()
        checking = _graph(folder, held, extractions, entities, fixed, base, executor, spool)
        tasks += checking
        seconds["graph"] = time.perf_counter() - start

        start = time.perf_counter()
        analysis = flow_analysis(folder, extractions, entities, flow_net, flows)
        write_ctdc(extractions, entities, folder / "flows_ctdc.csv", alpha3_codes())
        seconds["analyse"] = time.perf_counter() - start
        top_actors, seconds["actors"] = actors.result()
        write_report(folder, analysis, top_actors)

        seconds["export"] = tables.result()[1]     # (in a worker: beside graph, analyse, maps)
        start = time.perf_counter()
        summary.violations = sorted(v for check in checking for v in check.result())[:20]
        seconds["validate"] = time.perf_counter() - start
    except BaseException:
        for task in tasks:  # nothing may write into a folder about to be removed
            task.exception()
        store.abort()
        raise

    start = time.perf_counter()
    store.join()
    if base is not None:
        write_turtle(folder / "graph.ttl", folder / "store")
    seconds["store"] = time.perf_counter() - start
    summary.documents, summary.entities = len(extractions), len(entities)
    for x in extractions:       # (one pass: each is read from the spool)
        summary.mentions += len(x.mentions)
        summary.flows += len(x.flows)
        summary.relations += len(x.relations)


def merge_entities(extractions: Iterable[Extraction]) -> list[Entity]:
    """One entity per id across documents: the longest name wins, aliases are joined, and an
    official's title and organisation are those of the last document that gives them."""
    merged: dict[str, Entity] = {}
    for x in extractions:
        for e in x.entities:
            seen = merged.get(e.id)
            if seen is None:
                merged[e.id] = e
                continue
            names = {seen.name, e.name, *seen.aliases, *e.aliases}
            name = max((seen.name, e.name), key=lambda n: (len(n), n))
            # the same person is an Official where any document shows them in office
            type_ = "Official" if "Official" in (seen.type, e.type) else seen.type
            merged[e.id] = replace(seen, name=name, type=type_, aliases=tuple(sorted(names - {name})),
                                   title=e.title or seen.title,
                                   organization=e.organization or seen.organization)
    return sorted(merged.values(), key=lambda e: e.id)


def by_subject(ntriples: bytes, parts: int) -> list[bytes]:
    """N-Triples in ``parts`` parts of about the same size, cut only where the subject changes:
    a shape sees all of a node's triples that stand together (its type and its properties),
    so each part validates on its own as the whole would."""
    lines = ntriples.splitlines(keepends=True)
    cuts, size, total = [0], 0, len(ntriples)
    for i, line in enumerate(lines):
        if len(cuts) < parts and size >= total * len(cuts) / parts and \
                line.split(b" ", 1)[0] != lines[i - 1].split(b" ", 1)[0]:
            cuts.append(i)
        size += len(line)
    cuts.append(len(lines))
    return [b"".join(lines[a:b]) for a, b in zip(cuts, cuts[1:]) if b > a]


def _graph(folder: Path, held: list[Held], extractions: Sequence[Extraction], entities: list[Entity],
           fixed: dict[str, Extraction], base: Path | None, executor, spool: Spool) -> list[Future]:
    """The graph: the entities' triples, the store's last load, graph.ttl; and the validation
    of the facts, started in the workers (its Futures).

    Each document's graph was serialised where it was extracted, loaded into the store and
    kept in the spool (a document kept from the previous build, --add, has its graph in the
    store already); those a correction changed (``fixed``) are serialised again here, and
    replace their graphs in the store."""
    store = spool.store
    entity_graph = entity_triples(entities, extractions)
    # every build is checked against ontology/shapes.ttl: the facts (entities, flows,
    # relations, roles), in parts of about VALIDATED bytes that each validate on their own as
    # the whole would (:func:`by_subject`), in the workers when there are some, side by side
    # while this process writes the rest; mention offsets are checked by construction and by
    # the tests
    checking = [elsewhere(executor, validate_triples, part)
                for part in by_subject(entity_graph, max(1, -(-len(entity_graph) // VALIDATED)))]
    blocks: list[tuple[Held, bytes | None]] = []     # the document, its graph when it changed
    pieces: list[tuple[int, int]] = []                # facts in the spool, not checked yet
    size = 0
    for i, h in enumerate(held, start=1):
        x = fixed.get(h.id)
        if x is None:
            blocks.append((h, None))
            pieces.append(h.facts)
        else:
            triples = document_triples(x)
            store.add(document_graph(h.id), triples.graph, replace=True)
            blocks.append((h, triples.graph))
            pieces.append(spool.write(triples.facts))
        size += pieces[-1][1]
        if size >= VALIDATED or i == len(held):
            checking.append(check_spooled(executor, spool, pieces))
            pieces, size = [], 0
    entity_block = sorted_lines(entity_graph)
    del entity_graph
    # the store loads its last chunk and the entities in its thread while the other stages
    # run (with --add, graph.ttl is written from the store at the end: the kept documents'
    # graphs are not here)
    store.finish(entity_block)
    # graph.ttl, one graph at a time, in order of their IRIs (memory stays flat)
    with _turtle(folder, base) as turtle:
        turtle.write(entity_block)
        for h, block in sorted(blocks, key=lambda b: document_graph(b[0].id)):
            turtle.write(block if block is not None else spool.graph(h))
    return checking


def beside(executor, spool: Spool, held: list[Held], extractions: Sequence[Extraction], function,
           *args) -> Future:
    """``function(extractions, *args)`` in a local worker that reads the extractions from the
    build's spool itself, when the build has local workers and its extractions are in the
    spool (a corrected build holds them, and a Dask worker may not see the spool); else here
    and now. A Future of what it returns and the seconds it took."""
    if isinstance(executor, ProcessPoolExecutor) and isinstance(extractions, SpilledExtractions):
        return executor.submit(_spooled, function, spool.path, spool.entity_list, held, *args)
    return elsewhere(None, _timed, function, extractions, *args)


def _spooled(function, spool: Path, entity_list: list[Entity], held: list[Held], *args) -> tuple[object, float]:
    """:func:`beside`'s work in a worker, which reads the extractions from the build's spool."""
    with closing(SpoolReader(spool, entity_list)) as reader:
        return _timed(function, reader.extractions(held), *args)


def _timed(function, *args) -> tuple[object, float]:
    """What ``function(*args)`` returns and the seconds it took."""
    start = time.perf_counter()
    result = function(*args)
    return result, time.perf_counter() - start


def tables_job(extractions: Sequence[Extraction], folder: Path, entities: list[Entity]) -> None:
    """The tables (kg.export.write_tables), as :func:`beside` runs them."""
    write_tables(folder, extractions, entities)


def actors_job(extractions: Sequence[Extraction], folder: Path, entities: list[Entity],
               flow_positions: dict[str, tuple[float, float]]) -> list[dict]:
    """The actors' analysis and map, GraphML and GEXF (kg.export.report.write_actors), as
    :func:`beside` runs them."""
    from kg.export.report import write_actors
    return write_actors(folder, extractions, entities, flow_positions)


def check_spooled(executor, spool: Spool, pieces: list[tuple[int, int]]) -> Future:
    """The validation of the facts at ``pieces`` of the spool (see :func:`elsewhere`): a local
    worker reads them from the spool itself, so that neither it nor this process holds more
    than its part; a Dask worker, which may not see the spool, is sent them."""
    if isinstance(executor, ProcessPoolExecutor):
        return executor.submit(_validate_spooled, spool.path.resolve(), pieces)
    return elsewhere(executor, validate_triples, b"".join(spool.read(p) for p in pieces))


def _validate_spooled(spool: Path, pieces: list[tuple[int, int]]) -> list[str]:
    """:func:`kg.graph.validate_triples` of the facts at ``pieces`` of the spool, in a worker
    that reads them itself."""
    with closing(SpoolReader(spool, [])) as reader:
        return validate_triples(b"".join(reader.read(p) for p in pieces))


def _turtle(folder: Path, base: Path | None):
    """graph.ttl open for its blocks (graph.turtle_file); with --add (``base``), a sink: the
    file is written from the store at the end."""
    return open(os.devnull, "wb") if base is not None else turtle_file(folder / "graph.ttl")
