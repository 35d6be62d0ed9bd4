"""A flow's hedged and internal flags and its sectors, from a hand-made extraction through
flows.csv, the RDF graph, kg flows, the analysis, the maps and the corrections."""
from __future__ import annotations

import csv
import json
import re
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.model import Extraction, Flow

from helpers import doc_of

TEXT = ("1. Men are reportedly trafficked from Almaty to Astana for work in construction and "
        "agriculture.\n\n"
        "2. Ten women were trafficked from Kazakhstan to Turkey for sexual exploitation.\n")


def _extraction() -> Extraction:
    from kg.extract.gazetteer import lookup
    doc = doc_of(TEXT, "T1")
    places = {name: lookup(name) for name in ("Almaty", "Astana", "Kazakhstan", "Turkey")}
    one, two = doc.paragraphs[-2:]
    hedged = Flow(id="flow-hedged", source=places["Almaty"].id, destination=places["Astana"].id,
                  exploitation=("labor",), year=2007, hedged=True, internal=True,
                  sectors=("construction", "agriculture"), document="T1", paragraph=one.number,
                  paragraph_index=one.index, evidence=one.text.strip(), start=one.start,
                  end=one.end, confidence=0.85, method="test")
    firm = Flow(id="flow-stated", source=places["Kazakhstan"].id, destination=places["Turkey"].id,
                exploitation=("sexual",), victims=10, year=2007, document="T1",
                paragraph=two.number, paragraph_index=two.index, evidence=two.text.strip(),
                start=two.start, end=two.end, confidence=0.85, method="test")
    return Extraction(doc, entities=tuple(sorted(places.values(), key=lambda e: e.id)),
                      flows=(hedged, firm))


@pytest.fixture(scope="module")
def flagged() -> Extraction:
    return _extraction()


@pytest.fixture(scope="module")
def tables(flagged, tmp_path_factory) -> Path:
    from kg.export import write_tables
    out = tmp_path_factory.mktemp("flags")
    write_tables(out, [flagged], list(flagged.entities))
    return out


def _flows(out: Path) -> dict[str, dict[str, str]]:
    with (out / "flows.csv").open(encoding="utf-8", newline="") as f:
        return {r["id"]: r for r in csv.DictReader(f)}


def test_flows_csv_has_the_flags_and_sectors_after_method(tables):
    with (tables / "flows.csv").open(encoding="utf-8", newline="") as f:
        header = next(csv.reader(f))
    assert header[header.index("method") + 1:][:3] == ["hedged", "internal", "sectors"]
    rows = _flows(tables)
    assert [rows["flow-hedged"][k] for k in ("hedged", "internal", "sectors")] == \
        ["true", "true", "construction;agriculture"]
    assert [rows["flow-stated"][k] for k in ("hedged", "internal", "sectors")] == ["false", "false", ""]


def test_the_graph_says_which_flow_is_hedged_and_conforms(flagged):
    import pyoxigraph as ox

    from kg.graph import document_triples, to_graph, validate
    triples = document_triples(flagged)
    assert triples.graph == document_triples(_extraction()).graph     # same input, same bytes
    store = ox.Store()
    store.load(triples.graph, format=ox.RdfFormat.N_TRIPLES)
    rows = store.query("""
        PREFIX kg: <https://w3id.org/kg-tip/ontology#>
        SELECT ?flow (GROUP_CONCAT(?sector; separator=";") AS ?sectors)
        WHERE { ?flow kg:hedged true ; kg:internal true ; kg:sector ?sector } GROUP BY ?flow""")
    found = [(r["flow"].value.rsplit("/", 1)[-1], sorted(r["sectors"].value.split(";"))) for r in rows]
    assert found == [("flow-hedged", ["agriculture", "construction"])]
    stated = store.query("PREFIX kg: <https://w3id.org/kg-tip/ontology#> "
                         "SELECT ?flow WHERE { ?flow kg:hedged false ; kg:internal false }")
    assert [r["flow"].value.rsplit("/", 1)[-1] for r in stated] == ["flow-stated"]
    assert validate(to_graph([flagged], flagged.entities, mentions=False)) == []


def test_the_shapes_want_each_flag_once():
    from rdflib import Literal

    from kg.graph import term, to_graph, validate
    x = _extraction()
    graph = to_graph([x], x.entities, mentions=False)
    flow = next(graph.subjects(term("hedged"), Literal(True)))
    graph.add((flow, term("hedged"), Literal(False)))
    assert any("whether it is hedged" in v for v in validate(graph))


def _tsv(result) -> list[dict[str, str]]:
    assert result.exit_code == 0, result.output
    lines = [line.split("\t") for line in result.output.splitlines()]
    return [dict(zip(lines[0], line)) for line in lines[1:]]


@pytest.mark.parametrize("args, expected", [
    ([], ["Almaty", "Kazakhstan"]),
    (["--hedged"], ["Almaty"]),
    (["--no-hedged"], ["Kazakhstan"]),
    (["--internal"], ["Almaty"]),
    (["--no-internal"], ["Kazakhstan"]),
    (["--sector", "Construction"], ["Almaty"]),
    (["--sector", "fishing"], []),
    (["--no-hedged", "--sector", "agriculture"], []),
])
def test_kg_flows_filters_by_the_flags_and_sector(tables, args, expected):
    rows = _tsv(CliRunner().invoke(main, ["flows", "--out", str(tables), *args]))
    assert [r["source"] for r in rows] == expected


def test_kg_flows_shows_the_flags_and_sectors(tables):
    rows = {r["source"]: r for r in _tsv(CliRunner().invoke(main, ["flows", "--out", str(tables)]))}
    assert (rows["Almaty"]["hedged"], rows["Almaty"]["internal"], rows["Almaty"]["sectors"]) == \
        ("true", "true", "construction, agriculture")
    assert (rows["Kazakhstan"]["hedged"], rows["Kazakhstan"]["internal"]) == ("false", "false")


def test_kg_routes_leaves_hedged_flows_out(tables):
    def routes(a: str, b: str):
        return CliRunner().invoke(main, ["routes", "--from", a, "--to", b, "--out", str(tables)])
    assert routes("Almaty", "Astana").exit_code == 1     # only a hedged flow says so
    stated = routes("Kazakhstan", "Turkey")
    assert stated.exit_code == 0 and "Kazakhstan → Turkey" in stated.output


def test_hedged_flows_stay_out_of_the_analysis_and_exports_that_count(flagged, tmp_path):
    from kg.analyse import flow_network, route_paths
    from kg.export.graphs import export_graph, write_ctdc
    from kg.export.report import write_analysis
    by_id = {e.id: e for e in flagged.entities}
    assert flow_network(flagged.flows, by_id).number_of_edges() == 1
    both = flow_network(flagged.flows, by_id, hedged=True)
    assert both.number_of_edges() == 2 and both.graph["hedged_left_out"] == 0
    assert len(route_paths(flagged.flows, by_id, hedged=True)) == 2
    G, _ = write_analysis(tmp_path, [flagged], list(flagged.entities))
    assert G.graph["hedged_left_out"] == 1
    routes = (tmp_path / "analysis" / "routes.csv").read_text(encoding="utf-8")
    assert "Kazakhstan → Turkey" in routes and "Almaty" not in routes
    report = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert "1 flows" in report and "1 more flow is hedged" in report
    exported = export_graph([flagged], list(flagged.entities))
    assert [(a, b) for a, b, d in exported.edges(data=True) if d["kind"] == "flow"] == \
        [("country-kz", "country-tr")]
    write_ctdc([flagged], list(flagged.entities), tmp_path / "ctdc.csv", {"KZ": "KAZ", "TR": "TUR"})
    ctdc = list(csv.DictReader((tmp_path / "ctdc.csv").open(encoding="utf-8")))
    assert [r["flow_id"] for r in ctdc] == ["flow-stated"]


def test_graphml_keeps_one_type_per_key_with_sectors_and_internal_flows(tmp_path):
    import networkx as nx

    from kg.export.graphs import export_graph, write_graphml
    x = _extraction()
    x = replace(x, flows=(replace(x.flows[0], hedged=False), x.flows[1]))   # both on the map
    write_graphml(export_graph([x], list(x.entities)), tmp_path / "g.graphml")
    text = (tmp_path / "g.graphml").read_text(encoding="utf-8")
    for key in ("internal_flows", "sectors"):
        assert len(re.findall(rf'<key [^>]*attr\.name="{key}"', text)) == 1
    G = nx.read_graphml(tmp_path / "g.graphml")
    hops = {(G.nodes[a]["label"], G.nodes[b]["label"]): d for a, b, d in G.edges(data=True)}
    assert hops[("Almaty", "Astana")]["internal_flows"] == 1
    assert hops[("Almaty", "Astana")]["sectors"] == "agriculture; construction"
    assert hops[("Kazakhstan", "Turkey")]["internal_flows"] == 0


def test_the_flows_map_leaves_hedged_flows_out_and_says_so(flagged, tmp_path):
    from kg.analyse import flow_network
    from kg.export.maps import flows_map
    flows_map(flow_network(flagged.flows, {e.id: e for e in flagged.entities}), tmp_path / "f.html")
    page = (tmp_path / "f.html").read_text(encoding="utf-8")
    data = json.loads(re.search(r"const DATA = (\{.*?\});\n", page, re.DOTALL).group(1))
    assert {n["label"] for n in data["nodes"]} == {"Kazakhstan", "Turkey"}
    assert "1 hedged not shown" in page


def test_a_curated_flow_carries_the_flags_and_sectors(tmp_path):
    from kg.corrections import Report, append, apply, read
    x = _extraction()
    path = tmp_path / "kg.corrections.toml"
    result = CliRunner().invoke(main, [
        "correct", "add-flow", "--source", "Almaty", "--destination", "Astana", "--sector",
        "construction", "--hedged", "--document", "T1", "--paragraph", "1", "--evidence",
        "reportedly trafficked", "--file", str(path), "--author", "tester"])
    assert result.exit_code == 0, result.output
    append(path, "add_flow", {"source": "Kazakhstan", "destination": "Turkey", "document": "T1",
                              "paragraph": 2, "evidence": "Ten women", "internal": True})
    added = [f for x_ in apply([x], read(path), Report()) for f in x_.flows if f.method == "curated"]
    flags = sorted((f.hedged, f.internal, f.sectors) for f in added)
    # Almaty -> Astana: internal because both are in Kazakhstan; Kazakhstan -> Turkey as told
    assert flags == [(False, True, ()), (True, True, ("construction",))]


def test_a_flag_that_is_not_true_or_false_is_refused(tmp_path):
    from kg.corrections import CorrectionError, read
    path = tmp_path / "kg.corrections.toml"
    path.write_text('[[add_flow]]\nsource = "a"\ndestination = "b"\ndocument = "d"\nparagraph = 1\n'
                    'evidence = "e"\nhedged = "yes"\n', encoding="utf-8")
    with pytest.raises(CorrectionError, match="hedged is true or false"):
        read(path)


def test_an_arrow_of_the_flows_map_names_its_sectors_in_a_browser(flagged, tmp_path):
    from browser import open_page

    from kg.analyse import flow_network
    from kg.export.maps import flows_map
    G = flow_network(flagged.flows, {e.id: e for e in flagged.entities}, hedged=True)
    flows_map(G, tmp_path / "f.html")
    dom, _ = open_page(tmp_path / "f.html", fragment="#edge=0")     # Almaty -> Astana
    details = re.search(r'<div id="details">(.*?)</div>', dom, re.DOTALL).group(1)
    assert "Almaty → Astana" in details
    assert "sectors: agriculture, construction" in details and "within one country: 1" in details
