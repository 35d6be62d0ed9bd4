"""kg build end to end: outputs of the contract, atomic replacement, stable bytes, the scorer."""
from __future__ import annotations

import csv
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

import kg
from kg.errors import BuildError
from kg.export.tables import COLUMNS

from helpers import GOLD, SAMPLES, SCORER, without_measurements

CONTRACT_COLUMNS = {
    "documents": "id source_file title date origin classification tags paragraphs words sha256",
    "entities": "id name type aliases country country_code latitude longitude title organization "
                "documents mentions",
    "mentions": "entity_id document paragraph paragraph_index start end text",
    "flows": "id source source_country transit destination destination_country exploitation "
             "victims year document paragraph paragraph_index evidence start end confidence method "
             "hedged internal sectors",
    "relations": "id subject predicate object document paragraph paragraph_index evidence start "
                 "end confidence method",
    "roles": "place role exploitation document paragraph evidence",
}


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every exported file's bytes; the store is a database whose files hold their own
    timestamps, and is compared by its quads in tests/test_store.py."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and "store" not in p.relative_to(folder).parts}


def test_summary_of_the_samples(seeds_build):
    summary, out = seeds_build
    assert summary.ok and summary.documents == 5
    assert set(summary.seconds) >= {"ingest", "extract", "export", "graph", "total"}


@pytest.mark.parametrize("table", sorted(CONTRACT_COLUMNS))
def test_tables_have_the_contract_columns(seeds_build, table):
    _, out = seeds_build
    with (out / f"{table}.csv").open(encoding="utf-8", newline="") as f:
        header = next(csv.reader(f))
    assert header[:len(CONTRACT_COLUMNS[table].split())] == CONTRACT_COLUMNS[table].split()
    assert tuple(header) == COLUMNS[table]


def test_documents_table_of_the_samples(seeds_build):
    _, out = seeds_build
    with (out / "documents.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [r["id"] for r in rows] == sorted(r["id"] for r in rows)
    by_file = {r["source_file"]: r for r in rows}
    assert set(by_file) == {p.name for p in SAMPLES.glob("*.txt")}
    row = by_file["002_1fc1b373a221f2c3.txt"]
    assert (row["id"], row["date"], row["paragraphs"]) == ("07ASTANA614", "2007-03-07", "74")
    assert int(row["words"]) > 7000


def test_texts_are_the_documents_as_read(seeds_build):
    _, out = seeds_build
    for sample in SAMPLES.glob("*.txt"):
        rows = {r["source_file"]: r["id"] for r in csv.DictReader((out / "documents.csv").open())}
        text = (out / "texts" / f"{rows[sample.name]}.txt").read_text(encoding="utf-8")
        assert text == sample.read_text(encoding="utf-8")  # plain text: offsets slice the file


def test_manifest_records_every_input(seeds_build):
    _, out = seeds_build
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["kg_version"] == kg.__version__
    assert manifest["ontology_version"]
    assert len(manifest["inputs"]) == 5
    assert all(i["status"] == "ok" and len(i["sha256"]) == 64 for i in manifest["inputs"])
    assert manifest["counts"]["documents"] == 5


def test_graph_is_turtle_with_the_documents(seeds_build):
    from rdflib import Graph
    from rdflib.namespace import DCTERMS
    _, out = seeds_build
    graph = Graph().parse(out / "graph.ttl", format="turtle")
    ids = {str(o) for o in graph.objects(None, DCTERMS.identifier)}
    assert ids == {"07ASTANA1925", "08ASTANA1246", "07ASTANA614", "07ASTANA3162", "07ASTANA2113"}


def test_same_input_gives_the_same_bytes(tmp_path):
    kg.build(out=tmp_path / "a")
    kg.build(out=tmp_path / "b")
    a, b = snapshot(tmp_path / "a"), snapshot(tmp_path / "b")
    manifest_a, manifest_b = json.loads(a.pop("manifest.json")), json.loads(b.pop("manifest.json"))
    assert a == b
    assert without_measurements(manifest_a) == without_measurements(manifest_b)


@pytest.mark.parametrize("given", [str, Path])
def test_one_path_as_a_string_or_a_path_is_one_input(tmp_path, monkeypatch, given):
    """kg.build("cables") read the characters of the string as paths (and "cables/" the whole
    file system, through "/"); a Path was not iterable."""
    import shutil
    shutil.copytree(SAMPLES, tmp_path / "cables")
    monkeypatch.chdir(tmp_path)
    summary = kg.build(given("cables"), out="exports")
    assert summary.documents == 5 and not summary.failures


def test_a_build_that_reads_nothing_leaves_the_previous_outputs(tmp_path):
    out = tmp_path / "exports"
    kg.build(out=out)
    before = snapshot(out)
    (tmp_path / "empty.txt").write_bytes(b"")
    with pytest.raises(BuildError, match="no document could be read"):
        kg.build([tmp_path / "empty.txt"], out=out)
    assert snapshot(out) == before


def test_a_crash_mid_build_leaves_the_previous_outputs(tmp_path, monkeypatch):
    out = tmp_path / "exports"
    kg.build(out=out)
    before = snapshot(out)

    def crash(*args, **kwargs):
        raise KeyboardInterrupt  # as Ctrl-C would, after the tables were half written

    monkeypatch.setattr("kg.pipeline.spool.write_texts", crash)
    with pytest.raises(KeyboardInterrupt):
        kg.build(out=out, reuse=False)      # (with nothing changed, the outputs would be kept)
    assert snapshot(out) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".kg-build")] == []


def test_a_build_killed_between_the_renames_is_recovered(tmp_path):
    out = tmp_path / "exports"
    kg.build(out=out)
    before = snapshot(out)
    out.rename(tmp_path / ".exports.kg-old")   # as a kill between the two renames leaves it
    (tmp_path / ".kg-build-exports-dead").mkdir()
    kg.build(out=out)
    assert snapshot(out).keys() == before.keys()
    assert not (tmp_path / ".kg-build-exports-dead").exists()


def test_refuses_to_replace_a_folder_kg_did_not_write(tmp_path):
    precious = tmp_path / "mine"
    precious.mkdir()
    (precious / "thesis.docx").write_bytes(b"years of work")
    with pytest.raises(BuildError, match="not a kg output folder"):
        kg.build(out=precious)
    assert (precious / "thesis.docx").read_bytes() == b"years of work"


def test_a_second_build_into_the_same_folder_is_refused(tmp_path):
    import fcntl
    out = tmp_path / "exports"
    with open(tmp_path / ".exports.kg-lock", "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        with pytest.raises(BuildError, match="another kg build is writing"):
            kg.build(out=out)
    assert not out.exists()


def test_the_scorer_reads_the_outputs(seeds_build):
    if not SCORER.exists():
        pytest.skip("shared/eval/score.py not found")
    _, out = seeds_build
    result = subprocess.run([sys.executable, str(SCORER), "--gold", str(GOLD), "--pred", str(out)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "is not in documents.csv" not in result.stderr
    assert result.stdout.strip().splitlines()[-1].startswith("entity P/R/F1")


@pytest.mark.corpus
def test_the_whole_corpus_builds(corpus_dir, tmp_path):
    summary = kg.build([corpus_dir], out=tmp_path / "out")
    assert summary.ok, summary.failures[:5]
    assert summary.documents == 1295
    rows = list(csv.DictReader((tmp_path / "out" / "documents.csv").open(encoding="utf-8")))
    assert len({r["id"] for r in rows}) == 1295
    assert all(r["date"][:2] in ("19", "20") for r in rows)
    # few of these cables are about human trafficking, and "trafficking" there is often drugs
    # or arms: the flows found must be people, and few (12 when this was written, all real)
    flows = list(csv.DictReader((tmp_path / "out" / "flows.csv").open(encoding="utf-8")))
    assert 5 <= len(flows) <= 40
    drugs = re.compile(r"\b(?:drugs?|narcotics?|heroin|cocaine|weapons?|arms|cars?|automobiles)\b", re.I)
    assert [f["evidence"] for f in flows if drugs.search(f["evidence"])] == []
    assert summary.violations == []


def test_the_seeds_conform_to_the_shapes(seeds_build):
    _, out = seeds_build
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["shacl"] == {"conforms": True, "violations": []}


def test_a_broken_flow_is_reported_by_the_shapes():
    from rdflib import Literal, URIRef

    from kg.extract import extract
    from kg.graph import term, to_graph, validate
    from kg.ingest import read_document
    from kg.pipeline import merge_entities
    x = extract(read_document(SAMPLES / "001_e37a08590780672c.txt"))
    graph = to_graph([x], merge_entities([x]), mentions=False)
    flow = next(graph.subjects(predicate=term("source")))
    graph.add((flow, term("destination"), URIRef("https://w3id.org/kg-tip/id/entity/elsewhere")))
    graph.add((flow, term("exploitation"), Literal("shoplifting")))
    violations = validate(graph)
    assert any("exactly one destination" in v for v in violations)
    assert any("exploitation types" in v for v in violations)


def _broken_facts() -> bytes:
    """The seeds' facts (entities, flows, relations, roles) with three violations, sorted."""
    from rdflib import Graph, Literal, URIRef
    from rdflib.namespace import SKOS

    from kg.extract import extract
    from kg.graph import entity_triples, fact_triples, term
    from kg.ingest import read_document
    from kg.pipeline import merge_entities
    xs = [extract(read_document(p)) for p in sorted(SAMPLES.glob("*.txt"))]
    whole = entity_triples(merge_entities(xs), xs) + b"".join(fact_triples(x) for x in xs)
    graph = Graph().parse(data=whole.decode(), format="nt")
    flows = sorted(graph.subjects(predicate=term("source")))
    for flow in (flows[0], flows[-1]):     # one broken flow early, one late
        graph.add((flow, term("exploitation"), Literal("shoplifting")))
    graph.add((URIRef("https://w3id.org/kg-tip/id/entity/country-kz"), SKOS.prefLabel, Literal("x")))
    return b"".join(sorted(graph.serialize(format="nt").encode().splitlines(keepends=True)))


def test_the_facts_validate_in_parts_as_a_whole():
    """A build validates its facts in parts, in its workers: cut only between subjects, the
    parts report what the whole does."""
    from kg.graph import validate_triples
    from kg.pipeline.stages import by_subject
    broken = _broken_facts()
    parts = by_subject(broken, 2)
    assert len(parts) == 2 and b"".join(parts) == broken
    assert abs(len(parts[0]) - len(parts[1])) < len(broken) / 4
    assert parts[0].splitlines()[-1].split()[0] != parts[1].splitlines()[0].split()[0]
    whole_found = validate_triples(broken)
    assert len(whole_found) >= 3
    assert sorted(v for p in parts for v in validate_triples(p)) == whole_found


def test_the_facts_validate_as_the_triples_the_shapes_read():
    """Validation parses only the triples whose predicate the shapes read: the violations are
    those of the whole graph (the three of _broken_facts among them), from fewer triples."""
    from rdflib import Graph

    from kg.graph import shaped, validate, validate_triples
    broken = _broken_facts()
    kept = shaped(broken)
    assert 0 < len(kept.splitlines()) < 0.7 * len(broken.splitlines())
    assert b"altLabel" in broken and b"altLabel" not in kept
    whole = validate(Graph().parse(data=broken.decode(), format="nt"))
    assert len(whole) >= 3 and validate_triples(broken) == whole


def test_a_worker_validates_the_facts_it_reads_from_the_spool(tmp_path):
    """The facts of a build wait in its spool; a local worker reads its part of them itself
    (in any order) and reports what validating them here reports."""
    from concurrent.futures import ProcessPoolExecutor

    from kg.graph import validate_triples
    from kg.pipeline.spool import Spool
    from kg.pipeline.stages import by_subject, check_spooled
    broken = _broken_facts()
    spool = Spool(tmp_path, store=None, keep_texts=False)
    pieces = [spool.write(part) for part in by_subject(broken, 3)][::-1]
    expected = validate_triples(broken)
    assert len(expected) >= 3
    with ProcessPoolExecutor(1) as pool:
        assert check_spooled(pool, spool, pieces).result() == expected
    assert check_spooled(None, spool, pieces).result() == expected
    spool.close()


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="Linux tells a process's own peak")
def test_the_manifest_gives_the_builds_own_peak_memory_not_its_parents(tmp_path):
    ballast = b"x" * (600 * 2**20)     # the process that starts the build holds 600 MB
    out = tmp_path / "out"
    subprocess.run([sys.executable, "-m", "kg.cli", "build", "-q", str(SAMPLES), "--out", str(out)],
                   check=True)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert 50 < manifest["peak_rss_mb"]["build"] < 500 and len(ballast)
    # and its own CPU, of which the store's compaction (RocksDB's threads) is told apart
    cpu = manifest["cpu_seconds"]
    assert 0 < cpu["build"] < 300 and 0 <= cpu["store_compaction"] <= cpu["build"]


def test_mentions_sorted_in_runs_on_disk_give_the_same_tables(seeds_build, tmp_path, monkeypatch):
    """Mentions wait on disk (the build's spool) until the tables, which sort them a run at a
    time: in runs of 7 (dozens of runs, merged) the tables are the same bytes, and the runs
    leave nothing behind."""
    from kg.export import tables
    monkeypatch.setattr(tables, "RUN", 7)
    out = tmp_path / "out"
    kg.build(out=out, reuse=False)
    _, seeds = seeds_build
    for name in ("mentions.csv", "entities.csv"):
        assert (out / name).read_bytes() == (seeds / name).read_bytes(), name
    assert len((out / "mentions.csv").read_text().splitlines()) > 100
    assert not [p.name for p in out.iterdir() if p.name.startswith(".")]


def test_the_spool_gives_back_each_extraction_as_it_was_without_its_text(tmp_path):
    """What a build holds of a document is a few hundred bytes; the rest waits in the spool
    and reads back the same: the compacted document, the entities (each held once), the
    mentions, the facts and the graph."""
    from kg.pipeline.spool import Spool
    from kg.worker import read_and_extract

    class Store:
        def __init__(self):
            self.graphs = {}

        def add(self, graph, ntriples):
            self.graphs[graph] = ntriples

    done = [read_and_extract(path, 50) for path in sorted(SAMPLES.glob("*.txt"))[:3]]
    (tmp_path / "build").mkdir()
    spool = Spool(tmp_path / "build", Store(), keep_texts=False)
    held = [spool.add(d.extraction, d.triples) for d in done]
    back = spool.extractions(held[::-1])
    assert len(back) == 3
    for d, x in zip(done[::-1], back):
        original = d.extraction
        assert x.document == original.document.without_text() and x.document.body_paragraphs > 3
        assert x.entities == original.entities and len(x.mentions) == len(original.mentions) > 20
        assert list(x.mentions) == list(original.mentions) and x.mentions[5] == original.mentions[5]
        assert (x.flows, x.relations, x.roles) == (original.flows, original.relations, original.roles)
        h = held[done.index(d)]
        assert spool.read(h.facts) == d.triples.facts and spool.graph(h) == d.triples.graph
        text = (tmp_path / "build" / "texts" / f"{original.document.id}.txt").read_text(encoding="utf-8")
        assert text == original.document.text
    entities = [e for x in back for e in x.entities]      # equal ones are one object
    assert len({id(e) for e in entities}) == len(set(entities)) < len(entities)
    assert back[0].flows == done[2].extraction.flows
    spool.close()
    assert not (tmp_path / "build" / ".spool").exists()


def test_a_worker_writes_the_tables_and_the_actors_files_from_the_spool_as_they_are_written_here(tmp_path):
    """The tables and the actors' files (their analysis, map, GraphML and GEXF), the longest
    stages after extraction, are written by local workers that read the extractions from the
    build's spool, while the build writes the rest: the same bytes as written here from the
    extractions in memory; a failure there fails here."""
    from concurrent.futures import ProcessPoolExecutor

    from kg.export import write_tables
    from kg.export.report import write_actors
    from kg.pipeline import merge_entities
    from kg.pipeline.spool import Spool
    from kg.pipeline.stages import actors_job, beside, tables_job
    from kg.worker import read_and_extract
    done = [read_and_extract(path, 50) for path in sorted(SAMPLES.glob("*.txt"))]
    here, there = tmp_path / "here", tmp_path / "there"
    for folder in (here, there):
        (folder / "analysis").mkdir(parents=True)
    spool = Spool(tmp_path / "there", store=_NoStore(), keep_texts=False)
    held = [spool.add(d.extraction, d.triples) for d in done]
    extractions = [d.extraction for d in done]
    entities = merge_entities(extractions)
    positions = {"country-kz": (1.0, 2.0)}      # (the flows map's, which GEXF holds too)
    write_tables(here, extractions, entities)
    top = write_actors(here, extractions, entities, positions)
    with ProcessPoolExecutor(1) as pool:
        _, seconds = beside(pool, spool, held, spool.extractions(held), tables_job, there, entities).result()
        top_there, _ = beside(pool, spool, held, spool.extractions(held), actors_job, there, entities,
                              positions).result()
        failed = beside(pool, spool, held, spool.extractions(held), tables_job, tmp_path / "gone", entities)
        with pytest.raises(OSError):
            failed.result()
    assert 0 < seconds < 60
    assert top_there == top and len(top) == 20
    names = sorted(str(p.relative_to(here)) for p in here.rglob("*") if p.is_file())
    assert len(names) == 11 and sorted(str(p.relative_to(there)) for p in there.rglob("*") if p.is_file()
                                      and not {".spool", "texts"} & set(p.parts)) == names  # (the spool's)
    for name in names:
        assert (there / name).read_bytes() == (here / name).read_bytes(), name
    assert len((here / "mentions.csv").read_text().splitlines()) > 100
    assert (here / "graph.gexf").read_text(encoding="utf-8").count("<viz:position") > 20
    spool.close()


class _NoStore:
    def add(self, graph, ntriples):
        pass
