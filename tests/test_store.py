"""The store: one named graph per document, incremental builds (kg build --add), the cache."""
from __future__ import annotations

import json
import shutil
from collections import Counter
from pathlib import Path

import pytest

from kg import cache
from kg.graph import ENTITIES_GRAPH, ONTOLOGY_GRAPH, document_graph
from kg.pipeline import SAMPLES, build

TABLES = ("documents.csv", "entities.csv", "mentions.csv", "flows.csv", "relations.csv", "roles.csv")


def quads(out: Path) -> set[tuple[str, str, str, str]]:
    import pyoxigraph as ox
    store = ox.Store.read_only(str(out / "store"))
    return {(str(q.subject), str(q.predicate), str(q.object), str(q.graph_name)) for q in store}


def same_outputs(a: Path, b: Path) -> None:
    for name in (*TABLES, "graph.ttl", "graph.graphml", "flows_ctdc.csv"):
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    assert quads(a) == quads(b)
    assert sorted(p.name for p in (a / "texts").iterdir()) == sorted(p.name for p in (b / "texts").iterdir())


@pytest.fixture(scope="module")
def halves(tmp_path_factory) -> tuple[Path, Path]:
    """The seeds in two folders (three and two cables)."""
    root = tmp_path_factory.mktemp("halves")
    files = sorted(SAMPLES.glob("*.txt"))
    first, second = root / "first", root / "second"
    for folder, part in ((first, files[:3]), (second, files[3:])):
        folder.mkdir()
        for f in part:
            shutil.copy(f, folder / f.name)
    return first, second


def test_one_named_graph_per_document(seeds_build):
    _, out = seeds_build
    graphs = Counter(q[3] for q in quads(out))
    documents = json.loads((out / "manifest.json").read_text())["inputs"]
    expected = {f"<{document_graph(r['document'])}>" for r in documents} | {
        f"<{ENTITIES_GRAPH}>", f"<{ONTOLOGY_GRAPH}>"}
    assert set(graphs) == expected
    assert all(graphs[g] > 100 for g in expected)


def test_the_union_of_the_graphs_is_the_turtle_file_with_no_triple_twice(seeds_build):
    _, out = seeds_build
    data = [q for q in quads(out) if q[3] != f"<{ONTOLOGY_GRAPH}>"]
    triples = Counter(q[:3] for q in data)
    assert max(triples.values()) == 1
    lines = [line for line in (out / "graph.ttl").read_text(encoding="utf-8").splitlines()
             if line and not line.startswith("#")]
    assert len(lines) == len(triples)


def test_a_document_graph_holds_its_mentions_and_facts(seeds_build):
    import pyoxigraph as ox
    _, out = seeds_build
    store = ox.Store.read_only(str(out / "store"))
    graph = ox.NamedNode(document_graph("07ASTANA1925"))
    kind = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    types = Counter(q.object.value.rsplit("#", 1)[-1]
                    for q in store.quads_for_pattern(None, kind, None, graph))
    named = ox.NamedNode("https://w3id.org/kg-tip/ontology#mentions")
    mentions = sum(1 for line in (out / "mentions.csv").read_text().splitlines() if ",07ASTANA1925," in line)
    flows = sum(1 for line in (out / "flows.csv").read_text().splitlines() if ",07ASTANA1925," in line)
    assert len({q.subject for q in store.quads_for_pattern(None, named, None, graph)}) == mentions > 0
    assert types["TraffickingFlow"] == flows > 0
    assert types["Document"] == 1


def test_a_mention_in_the_store_slices_its_text_out_of_the_document(seeds_build):
    """A mention is four triples (entity, paragraph, start, end): its document is its
    paragraph's, and its text is the document's text from start to end, as mentions.csv says."""
    import csv

    import pyoxigraph as ox
    _, out = seeds_build
    store = ox.Store.read_only(str(out / "store"))
    rows = store.query("""
        PREFIX kg: <https://w3id.org/kg-tip/ontology#>
        PREFIX oa: <http://www.w3.org/ns/oa#>
        PREFIX dcterms: <http://purl.org/dc/terms/>
        SELECT ?entity ?document ?index ?start ?end WHERE {
          ?m kg:mentions ?e ; kg:inParagraph ?p ; oa:start ?start ; oa:end ?end .
          ?p kg:index ?index ; kg:inDocument/dcterms:identifier ?document .
          BIND(STRAFTER(STR(?e), "/entity/") AS ?entity) }""", use_default_graph_as_union=True)
    found = set()
    for row in rows:
        doc = row["document"].value
        text = (out / "texts" / f"{doc}.txt").read_text(encoding="utf-8")
        start, end = int(row["start"].value), int(row["end"].value)
        found.add((row["entity"].value, doc, row["index"].value, str(start), str(end),
                   " ".join(text[start:end].split())))     # as CSV cells collapse whitespace
    with (out / "mentions.csv").open(encoding="utf-8", newline="") as f:
        expected = {(r["entity_id"], r["document"], r["paragraph_index"], r["start"], r["end"], r["text"])
                    for r in csv.DictReader(f)}
    assert found == expected and len(found) > 300


def test_the_ontology_gives_a_mention_its_class():
    """The store leaves out rdf:type kg:Mention: kg:mentions has kg:Mention as its domain."""
    from rdflib import RDFS, URIRef

    from kg.graph import ontology
    kg = "https://w3id.org/kg-tip/ontology#"
    graph = ontology()
    for prop in ("mentions", "inParagraph"):
        assert graph.value(URIRef(kg + prop), RDFS.domain) == URIRef(kg + "Mention")


def _one_build_and_an_added_one(halves, tmp_path, before_adding=lambda added: None) -> tuple[Path, Path]:
    """Both halves built at once, and the first built then the second added (after
    ``before_adding`` is done to the first build); checks that --add reused the first half."""
    first, second = halves
    one = tmp_path / "one"
    build([first, second], one, reuse=False)
    added = tmp_path / "added"
    build([first], added)
    before_adding(added)
    summary = build([second], added, add=True)
    assert summary.documents == 5 and summary.reused == 3
    return one, added


def test_add_gives_the_same_graph_as_one_build(halves, tmp_path):
    same_outputs(*_one_build_and_an_added_one(halves, tmp_path))


def test_add_after_a_build_of_another_ontology_version_writes_every_graph_anew(halves, tmp_path):
    """A store of another graph shape is not added to: its documents' graphs are written again."""
    def older(added: Path) -> None:
        manifest = json.loads((added / "manifest.json").read_text())
        manifest["ontology_version"] = "0.0.1"
        (added / "manifest.json").write_text(json.dumps(manifest))
    one, added = _one_build_and_an_added_one(halves, tmp_path, older)
    same_outputs(one, added)
    assert json.loads((added / "manifest.json").read_text())["ontology_version"] != "0.0.1"


def test_adding_the_same_documents_twice_changes_nothing(halves, tmp_path):
    first, second = halves
    out = tmp_path / "out"
    build([first], out)
    build([second], out, add=True)
    before = quads(out)
    summary = build([second], out, add=True)
    assert summary.documents == 5
    assert quads(out) == before


def test_add_replaces_a_changed_document(halves, tmp_path):
    first, second = halves
    out = tmp_path / "out"
    build([first, second], out)
    changed = tmp_path / "changed"
    changed.mkdir()
    name = sorted(second.iterdir())[0].name
    text = (second / name).read_text(encoding="utf-8")
    (changed / name).write_text(text.replace("Uzbekistan", "Tajikistan"), encoding="utf-8")
    build([changed], out, add=True)
    fresh = tmp_path / "fresh"
    both = tmp_path / "both"
    shutil.copytree(first, both)
    for f in second.iterdir():
        shutil.copy(changed / f.name if f.name == name else f, both / f.name)
    build([both], fresh, reuse=False)
    same_outputs(fresh, out)


def test_add_needs_a_previous_build(halves, tmp_path):
    from kg.errors import BuildError
    with pytest.raises(BuildError, match="run kg build first"):
        build([halves[0]], tmp_path / "none", add=True)


def test_a_rebuild_reuses_unchanged_documents_and_gives_the_same_bytes(tmp_path):
    out = tmp_path / "out"
    first = build(out=out, reuse=False)
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    second = build(out=out)
    assert (first.reused, second.reused) == (0, 5)
    same_outputs(copy, out)


def test_a_cache_entry_from_another_extractor_is_not_used(tmp_path, monkeypatch):
    out = tmp_path / "out"
    build(out=out)
    monkeypatch.setattr(cache, "fingerprint", lambda thorough=False: "another-version")
    assert build(out=out).reused == 0


def test_a_broken_cache_entry_is_extracted_again(tmp_path):
    out = tmp_path / "out"
    build(out=out)
    entry = next(p for p in sorted((out / "cache").iterdir())
                 if p.name not in (cache.INDEX, "build.json"))      # (a document's entry)
    entry.write_text('{"fingerprint": "x", "extraction": {"document": 5}}', encoding="utf-8")
    summary = build(out=out)
    assert summary.reused == 4 and summary.documents == 5


def _triples(subject: str, n: int) -> bytes:
    return b"".join(f"<urn:s:{subject}> <urn:p:{i}> \"{i}\" .\n".encode() for i in range(n))


def test_the_store_fills_by_chunks_while_graphs_come_and_a_replaced_graph_is_only_new(tmp_path, monkeypatch):
    from kg.graph import StoreWriter
    monkeypatch.setattr(StoreWriter, "CHUNK", 2000)     # a chunk every few graphs
    with StoreWriter(tmp_path / "store") as store:
        for i in range(40):
            store.add(f"urn:g:{i}", _triples(f"d{i}", 30))
        store.add("urn:g:39", _triples("new", 3), replace=True)    # its old one waits in the buffer
        store.add("urn:g:1", _triples("new", 2), replace=True)     # its old one is loaded already
        store.finish(_triples("entity", 5))
        store.join()
    graphs = Counter(q[3] for q in quads(tmp_path))
    assert graphs["<urn:g:0>"] == 30 and graphs["<urn:g:38>"] == 30
    assert graphs["<urn:g:39>"] == 3 and graphs["<urn:g:1>"] == 2
    assert graphs[f"<{ENTITIES_GRAPH}>"] == 5 and graphs[f"<{ONTOLOGY_GRAPH}>"] > 100


def test_a_store_that_fails_to_load_raises_in_the_build_and_never_hangs(tmp_path, monkeypatch):
    from kg.graph import StoreWriter
    monkeypatch.setattr(StoreWriter, "CHUNK", 100)
    with pytest.raises(Exception):
        with StoreWriter(tmp_path / "store") as store:
            for i in range(20):     # more chunks than the queue holds: add() must not block
                store.add(f"urn:g:{i}", b"<urn:s> <urn:p> this is not N-Triples .\n" * 5)
            store.finish(b"")
            store.join()
    assert not store.thread.is_alive()
    # a base that is not there: the error names it
    with pytest.raises(FileNotFoundError, match="no-such-store"):
        with StoreWriter(tmp_path / "other", base=tmp_path / "no-such-store") as store:
            store.finish(b"")
            store.join()


def test_a_build_that_fails_midway_stops_loading_the_store(tmp_path, monkeypatch):
    import kg.pipeline.stages
    calls = []

    def failing(*args, **kwargs):
        calls.append(1)
        raise RuntimeError("tables failed")
    monkeypatch.setattr(kg.pipeline.stages, "write_tables", failing)
    out = tmp_path / "out"
    with pytest.raises(RuntimeError, match="tables failed"):
        build([SAMPLES], out, jobs=1)
    assert calls and not out.exists()
    assert [p for p in tmp_path.iterdir() if p.is_dir()] == []     # no half-written folder left


NICE_OF_THREADS = """
import os, sys, threading
from kg.graph import rocksdb_threads
from kg.pipeline import build
build(out=sys.argv[1], reuse=False)
nice = [int(fields[16]) for _, name, fields in rocksdb_threads() if name.startswith("rocksdb:low")]
print(nice, os.getpriority(os.PRIO_PROCESS, threading.get_native_id()))
"""


@pytest.mark.skipif(not Path("/proc/self/task").is_dir(), reason="Linux sets a thread's own priority")
def test_the_stores_compaction_yields_to_the_build_and_nothing_else_does(tmp_path):
    # RocksDB's compaction, whose CPU grows faster than the corpus, merges less often (and
    # more files at a time) when the workers and the build come first
    import subprocess
    import sys

    from kg.graph import COMPACTION_NICE
    done = subprocess.run([sys.executable, "-c", NICE_OF_THREADS, str(tmp_path / "out")],
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    compaction, main_thread = done.stdout.split("] ")
    nice = [int(n) for n in compaction.strip("[").split(",") if n.strip()]
    assert nice and all(n == COMPACTION_NICE for n in nice)
    assert int(main_thread) == 0
