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

    start = time.perf_counter()
    # each document's graph was serialised where it was extracted, loaded into the store and
    # kept in the spool (a document kept from the previous build, --add, has its graph in the
    # store already); those a correction changed are serialised again here, and replace
    # their graphs in the store
    store = spool.store
    # the tables, the longest stage, in a worker (first, before the validation's parts) while
    # this process writes the rest
    tables = table_task(executor, folder, spool, held, extractions, entities)
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
    # the store loads its last chunk and the entities in its thread while the other stages
    # run (with --add, graph.ttl is written from the store at the end: the kept documents'
    # graphs are not here)
    store.finish(entity_block)
    # graph.ttl, one graph at a time, in order of their IRIs (memory stays flat)
    with _turtle(folder, base) as turtle:
        turtle.write(entity_block)
        for h, block in sorted(blocks, key=lambda b: document_graph(b[0].id)):
            turtle.write(block if block is not None else spool.graph(h))
    del entity_graph, blocks
    seconds["graph"] = time.perf_counter() - start

    from kg.export.graphs import export_graph, write_ctdc, write_graph_files
    from kg.export.maps import actors_map, flows_map
    from kg.export.report import write_analysis
    pending: list[Future] = []      # what workers write beside this process
    try:
        start = time.perf_counter()
        flow_net, actor_net = write_analysis(folder, extractions, entities)
        seconds["analyse"] = time.perf_counter() - start

        start = time.perf_counter()
        positions = flows_map(flow_net, folder / "flows.html")
        positions.update(actors_map(actor_net, folder / "actors.html"))
        # GraphML and GEXF in a worker (a second, on the corpus) while this process goes on
        pending.append(elsewhere(executor if isinstance(executor, ProcessPoolExecutor) else None,
                                 write_graph_files, export_graph(extractions, entities, actor_net),
                                 folder, positions))
        write_ctdc(extractions, entities, folder / "flows_ctdc.csv", alpha3_codes())
        seconds["maps"] = time.perf_counter() - start

        seconds["export"] = tables.result()     # (in a worker: beside graph, analyse, maps)
        for task in pending:
            task.result()
        start = time.perf_counter()
        summary.violations = sorted(v for check in checking for v in check.result())[:20]
        seconds["validate"] = time.perf_counter() - start
    except BaseException:
        for check in (tables, *checking, *pending):  # nothing may write into a folder about to be removed
            check.exception()
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


def table_task(executor, folder: Path, spool: Spool, held: list[Held],
            extractions: Sequence[Extraction], entities: list[Entity]) -> Future:
    """The tables (:func:`kg.export.write_tables`), written in a local worker when the build
    has some and its extractions are in the spool (a corrected build holds them, and a Dask
    worker may not see the spool), else here and now; a Future of the seconds they took."""
    if isinstance(executor, ProcessPoolExecutor) and isinstance(extractions, SpilledExtractions):
        return executor.submit(_spooled_tables, folder, spool.path, spool.entity_list, held, entities)
    return elsewhere(None, _timed, write_tables, folder, extractions, entities)


def _spooled_tables(folder: Path, spool: Path, entity_list: list[Entity], held: list[Held],
                    entities: list[Entity]) -> float:
    """The tables of a build, in a worker that reads the extractions from the build's spool."""
    with closing(SpoolReader(spool, entity_list)) as reader:
        return _timed(write_tables, folder, reader.extractions(held), entities)


def _timed(function, *args) -> float:
    """The seconds ``function(*args)`` took."""
    start = time.perf_counter()
    function(*args)
    return time.perf_counter() - start


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
