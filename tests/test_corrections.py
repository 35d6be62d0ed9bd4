"""An analyst's corrections (kg.corrections.toml): each kind on the seeds, staleness, errors,
and that they hold over --add and rebuilds."""
from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from helpers import SAMPLES, without_measurements
from kg.cli import main
from kg.corrections import CorrectionError, append, read
from kg.pipeline import build


def rows(out: Path, table: str) -> list[dict]:
    with (out / f"{table}.csv").open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def manifest(out: Path) -> dict:
    return json.loads((out / "manifest.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def plain(tmp_path_factory) -> Path:
    """The seeds built without corrections: what the corrections are written against."""
    out = tmp_path_factory.mktemp("plain") / "out"
    build(out=out)
    return out


@pytest.fixture()
def corpus(tmp_path) -> Path:
    """The seeds in a folder of their own, with room for a corrections file beside them."""
    shutil.copytree(SAMPLES, tmp_path / "cables")
    return tmp_path / "cables"


def correct(corpus: Path, text: str) -> Path:
    path = corpus.parent / "kg.corrections.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_reject_one_flow_by_id(plain, corpus, tmp_path):
    victim = rows(plain, "flows")[0]
    correct(corpus, f'[[reject]]\nflow = "{victim["id"]}"\nwhy = "the text denies it"\n')
    out = tmp_path / "out"
    build([corpus], out)
    assert {r["id"] for r in rows(out, "flows")} == {r["id"] for r in rows(plain, "flows")} - {victim["id"]}
    assert manifest(out)["corrections"]["applied"] and not manifest(out)["corrections"]["unmatched"]


def test_a_rejection_by_description_survives_a_changed_id(plain, corpus, tmp_path):
    victim = next(r for r in rows(plain, "flows") if r["source"] == "Uzbekistan")
    same = [r for r in rows(plain, "flows") if (r["source"], r["destination"], r["document"], r["paragraph"]) ==
            (victim["source"], victim["destination"], victim["document"], victim["paragraph"])]
    correct(corpus, f'[[reject]]\nflow = "flow-000000000000"\nsource = "Uzbek"\n'
                    f'destination = "{victim["destination"]}"\ndocument = "{victim["document"]}"\n'
                    f'paragraph = {victim["paragraph"]}\n')
    out = tmp_path / "out"
    build([corpus], out)
    assert len(rows(out, "flows")) == len(rows(plain, "flows")) - len(same)


def test_add_a_missed_flow_with_its_quote(corpus, tmp_path):
    correct(corpus, '[[add_flow]]\nsource = "Kokshetau"\ndestination = "Lobanovo"\n'
                    'exploitation = ["labor"]\nvictims = 2\ndocument = "08ASTANA1246"\nparagraph = 18\n'
                    'evidence = "Lobanovo"\nwhy = "narrative over two sentences"\nauthor = "A. Analyst"\n')
    out = tmp_path / "out"
    build([corpus], out)
    added = [r for r in rows(out, "flows") if r["method"] == "curated"]
    assert len(added) == 1
    flow = added[0]
    assert (flow["source"], flow["destination"], flow["victims"], flow["curated_by"]) == \
        ("Kokshetau", "Lobanovo", "2", "A. Analyst")
    text = (out / "texts" / "08ASTANA1246.txt").read_text(encoding="utf-8")
    assert text[int(flow["start"]):int(flow["end"])] == "Lobanovo"
    graph = (out / "graph.ttl").read_text(encoding="utf-8")
    assert f"flow/{flow['id']}> <http://www.w3.org/ns/prov#wasAttributedTo> " \
           "<https://w3id.org/kg-tip/id/agent/a-analyst>" in graph
    assert "<https://w3id.org/kg-tip/id/agent/a-analyst> <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> " \
           "<http://www.w3.org/ns/prov#Agent>" in graph
    page = (out / "flows.html").read_text(encoding="utf-8")
    assert "added by an analyst" in page and '"by":"A. Analyst"' in page


def test_a_quote_that_is_not_in_the_paragraph_is_refused_naming_it(plain, corpus, tmp_path):
    correct(corpus, '[[add_flow]]\nsource = "Uzbekistan"\ndestination = "Kazakhstan"\n'
                    'document = "07ASTANA1925"\nparagraph = 12\nevidence = "words the cable never wrote"\n')
    out = tmp_path / "out"
    shutil.copytree(plain, out)
    before = (out / "flows.csv").read_bytes()
    result = CliRunner().invoke(main, ["build", str(corpus), "--out", str(out)])
    assert result.exit_code == 2
    assert "not in 07ASTANA1925 paragraph 12" in result.output and "kg.corrections.toml" in result.output
    assert (out / "flows.csv").read_bytes() == before


def test_merge_two_agencies(plain, corpus, tmp_path):
    correct(corpus, '[[merge]]\nnames = ["MVD Legal Institute"]\ninto = "MVD Legal Academy"\n')
    out = tmp_path / "out"
    build([corpus], out)
    names = {r["name"]: r for r in rows(out, "entities")}
    assert "MVD Legal Institute" not in names
    academy = names["MVD Legal Academy"]
    assert "MVD Legal Institute" in academy["aliases"].split(";") and academy["curated_by"]
    institute = next(r["id"] for r in rows(plain, "entities") if r["name"] == "MVD Legal Institute")
    assert not [m for m in rows(out, "mentions") if m["entity_id"] == institute]
    assert len(rows(out, "entities")) == len(rows(plain, "entities")) - 1


@pytest.mark.parametrize("names, into", [(["Migration Police"], "Criminal Police Department"),
                                         (["Border Guard Service"], "Committee for National Security")])
def test_a_merge_changes_only_what_it_names(plain, corpus, tmp_path, names, into):
    """A merge of two agencies dropped the in-country flows of 07ASTANA614 (¶16, ¶17: source
    and destination both Kazakhstan), because every flow from a place to itself was taken for
    one the merge had made. Every row that names neither entity stays as it was."""
    correct(corpus, f'[[merge]]\nnames = {json.dumps(names)}\ninto = "{into}"\n')
    out = tmp_path / "out"
    build([corpus], out)
    assert (out / "flows.csv").read_bytes() == (plain / "flows.csv").read_bytes()
    assert any(r["document"] == "07ASTANA614" and r["paragraph"] == "16" for r in rows(out, "flows"))
    merged = {*names, into}
    for table, columns in (("entities", ("name",)), ("relations", ("subject", "object")),
                           ("roles", ("place",))):
        before = {json.dumps(r, sort_keys=True) for r in rows(plain, table)
                  if not merged & {r[c] for c in columns}}
        after = {json.dumps(r, sort_keys=True) for r in rows(out, table)
                 if not merged & {r[c] for c in columns}}
        assert before == after, table


def test_retype_and_move_an_entity(corpus, tmp_path):
    correct(corpus, '[[retype]]\nentity = "Anti-TIP Center"\ntype = "NGO"\ncountry = "Kyrgyzstan"\n')
    out = tmp_path / "out"
    build([corpus], out)
    row = next(r for r in rows(out, "entities") if r["name"] == "Anti-TIP Center")
    assert (row["type"], row["country"], row["country_code"]) == ("NGO", "Kyrgyzstan", "KG")


def test_rename_keeps_the_old_name_as_an_alias(corpus, tmp_path):
    correct(corpus, '[[rename]]\nentity = "KNB"\nname = "National Security Committee (KNB)"\n')
    out = tmp_path / "out"
    build([corpus], out)
    row = next(r for r in rows(out, "entities") if r["id"] == "agency-kz-committee-for-national-security")
    assert row["name"] == "National Security Committee (KNB)"
    assert "Committee for National Security" in row["aliases"].split(";")


def test_split_an_alias_off(plain, corpus, tmp_path):
    correct(corpus, '[[split]]\nentity = "Ministry of Justice"\nalias = "MOJ"\n')
    out = tmp_path / "out"
    build([corpus], out)
    entities = {r["name"]: r for r in rows(out, "entities")}
    assert "MOJ" in entities and "MOJ" not in entities["Ministry of Justice"]["aliases"].split(";")
    moj = entities["MOJ"]["id"]
    mentions = [m for m in rows(out, "mentions") if m["entity_id"] == moj]
    assert mentions and all(m["text"] == "MOJ" for m in mentions)


def test_a_stale_correction_is_reported(corpus, tmp_path):
    correct(corpus, '[[reject]]\nentity = "Nobody Anywhere"\n\n[[rename]]\nentity = "Atlantis"\nname = "X"\n')
    out = tmp_path / "out"
    result = CliRunner().invoke(main, ["build", str(corpus), "--out", str(out)])
    assert result.exit_code == 0
    unmatched = manifest(out)["corrections"]["unmatched"]
    assert len(unmatched) == 2 and "Nobody Anywhere" in unmatched[0]
    assert "matched nothing" in result.output and "Atlantis" in result.output


def test_corrections_hold_over_add_and_rebuilds(plain, corpus, tmp_path):
    victim = next(r for r in rows(plain, "flows") if r["document"] == "08ASTANA1246")
    correct(corpus, f'[[reject]]\nflow = "{victim["id"]}"\n\n'
                    '[[merge]]\nnames = ["MVD Legal Institute"]\ninto = "MVD Legal Academy"\n')
    first, second = corpus.parent / "first", corpus.parent / "second"
    first.mkdir()
    second.mkdir()
    for f in sorted(corpus.iterdir()):
        shutil.copy(f, (first if "1246" not in f.read_text(encoding="utf-8")[:3000] else second) / f.name)
    out = tmp_path / "out"
    # the file is found beside the first folder; the reject matches nothing yet
    build([first], out, corrections=corpus.parent / "kg.corrections.toml")
    assert len(manifest(out)["corrections"]["unmatched"]) == 1
    build([second], out, add=True)          # the recorded file is used again
    assert victim["id"] not in {r["id"] for r in rows(out, "flows")}
    assert not manifest(out)["corrections"]["unmatched"]
    ids = {r["id"] for r in rows(out, "flows")}
    build([first, second], out, corrections=corpus.parent / "kg.corrections.toml")
    assert {r["id"] for r in rows(out, "flows")} == ids


def test_no_corrections_builds_the_extractors_own_output(plain, corpus, tmp_path):
    correct(corpus, '[[merge]]\nnames = ["MVD Legal Institute"]\ninto = "MVD Legal Academy"\n')
    out = tmp_path / "out"
    build([corpus], out, correct=False)
    assert (out / "entities.csv").read_bytes() == (plain / "entities.csv").read_bytes()
    assert manifest(out)["corrections"] is None


def test_the_same_inputs_and_corrections_give_the_same_manifest(corpus, tmp_path):
    correct(corpus, '[[merge]]\nnames = ["MVD Legal Institute"]\ninto = "MVD Legal Academy"\n')
    a, b = tmp_path / "a", tmp_path / "b"
    build([corpus], a)
    build([corpus], b, reuse=False)
    assert without_measurements(manifest(a)) == without_measurements(manifest(b))


@pytest.mark.parametrize("text, message", [
    ('[[merge]]\nnames = ["MVD"]\n', "missing into"),
    ('[[retype]]\nentity = "KNB"\ntype = "Spy"\n', "type 'Spy' is not one of"),
    ('[[reject]]\nwhy = "no"\n', "say what to reject"),
    ('[[frobnicate]]\nx = 1\n', "unknown correction [[frobnicate]]"),
    ('[[merge]\n', "not valid TOML"),
    ('[[add_flow]]\nsource="A"\ndestination="B"\ndocument="D"\nparagraph=1\nevidence="e"\nexploitation=["fun"]\n',
     "exploitation 'fun'"),
])
def test_a_broken_corrections_file_names_the_file_and_entry(tmp_path, text, message):
    path = tmp_path / "kg.corrections.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CorrectionError) as info:
        read(path)
    assert message in str(info.value) and str(path) in str(info.value)


def test_a_name_that_means_two_entities_asks_for_an_id(tmp_path):
    from helpers import doc_of
    from kg.corrections import Report, apply
    from kg.model import Entity, Extraction
    kz = Entity("agency-kz-mvd", "Ministry of Internal Affairs", "GovernmentAgency", aliases=("MVD",))
    kg_ = Entity("agency-kg-mvd", "Kyrgyz Ministry of Internal Affairs", "GovernmentAgency", aliases=("MVD",))
    extractions = [Extraction(doc_of("a", "d1"), entities=(kz,)), Extraction(doc_of("b", "d2"), entities=(kg_,))]
    path = tmp_path / "kg.corrections.toml"
    path.write_text('[[reject]]\nentity = "MVD"\n', encoding="utf-8")
    with pytest.raises(CorrectionError, match="names 2 entities .*agency-kg-mvd, agency-kz-mvd.*write the id"):
        apply(extractions, read(path), Report())
    path.write_text('[[reject]]\nentity = "agency-kg-mvd"\n', encoding="utf-8")
    kept = apply(extractions, read(path), Report())
    assert [e.id for x in kept for e in x.entities] == ["agency-kz-mvd"]


def test_the_cli_writes_what_the_build_reads(tmp_path, plain):
    path = tmp_path / "c.toml"
    runner = CliRunner()
    flow = rows(plain, "flows")[0]["id"]
    for args in (["merge", "MVD Legal Institute", "MVD Legal Academy", "--why", 'say "why"\nhere'],
                 ["reject", "flow", flow, "--out", str(plain)],
                 ["retype", "Bolashak", "NGO", "--country", "Kazakhstan"],
                 ["split", "Ministry of Justice", "MOJ"],
                 ["rename", "KNB", "National Security Committee"],
                 ["add-flow", "--source", "Kokshetau", "--destination", "Lobanovo", "--document",
                  "08ASTANA1246", "--paragraph", "18", "--evidence", "Lobanovo", "--transit", "Astana"],
                 ["add-relation", "Bolashak", "fundedBy", "IOM", "--document", "07ASTANA614",
                  "--paragraph", "5", "--evidence", "x"]):
        result = runner.invoke(main, ["correct", *args, "--file", str(path), "--author", "tester"])
        assert result.exit_code == 0, result.output
    entries = read(path)
    assert [c.kind for c in entries] == ["merge", "reject", "retype", "split", "rename", "add_flow",
                                         "add_relation"]
    assert entries[0].why == 'say "why"\nhere' and entries[0].author == "tester"
    assert entries[1].values["document"] and entries[1].values["source"]
    bad = runner.invoke(main, ["correct", "reject", "flow", "flow-nope", "--out", str(plain), "--file", str(path)])
    assert bad.exit_code != 0 and "no flow flow-nope" in bad.output


def test_append_refuses_an_incomplete_correction(tmp_path):
    with pytest.raises(CorrectionError, match="missing"):
        append(tmp_path / "c.toml", "rename", {"entity": "KNB"})


def test_a_correction_to_a_kept_document_reaches_its_graph_on_add(plain, corpus, tmp_path):
    victim = next(r for r in rows(plain, "flows") if r["document"] != "08ASTANA1246")
    first, second = corpus.parent / "first", corpus.parent / "second"
    first.mkdir()
    second.mkdir()
    for f in sorted(corpus.iterdir()):
        shutil.copy(f, (first if "1246" not in f.read_text(encoding="utf-8")[:3000] else second) / f.name)
    out, whole = tmp_path / "out", tmp_path / "whole"
    build([first], out)
    rules = correct(corpus, f'[[reject]]\nflow = "{victim["id"]}"\n')
    build([second], out, add=True, corrections=rules)    # the flow's document is kept, not added
    assert victim["id"] not in {r["id"] for r in rows(out, "flows")}
    assert f"flow/{victim['id']}>" not in (out / "graph.ttl").read_text(encoding="utf-8")
    build([first, second], whole, corrections=rules)
    assert (out / "graph.ttl").read_bytes() == (whole / "graph.ttl").read_bytes()
