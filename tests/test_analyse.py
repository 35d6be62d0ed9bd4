"""Analysis functions on small graphs with known answers, and on the seeds."""
from __future__ import annotations

import networkx as nx

from kg.analyse import corridors, flow_network, route_paths, transit_hubs
from kg.analyse.network import communities, shortest_chain
from kg.model import Entity, Flow


def entities(*names: str) -> dict[str, Entity]:
    return {n: Entity(n, n.title(), "Country", country=n.title()) for n in names}


def flow(i: int, src: str, dst: str, transit=(), victims=None, doc="d1", kinds=("labor",)) -> Flow:
    return Flow(id=f"f{i}", source=src, destination=dst, transit=tuple(transit), victims=victims,
                exploitation=kinds, document=doc, evidence=f"sentence {i}", year=2007)


def test_flow_network_has_one_edge_per_hop_with_aggregates():
    e = entities("uz", "kz", "ru")
    G = flow_network([flow(1, "uz", "ru", ["kz"], 3), flow(2, "uz", "kz", [], 2, doc="d2")], e)
    assert sorted(G.edges()) == [("kz", "ru"), ("uz", "kz")]
    assert G["uz"]["kz"]["victims"] == 5
    assert G["uz"]["kz"]["documents"] == {"d1", "d2"}


def test_transit_hub_is_the_place_routes_pass_through():
    e = entities("a", "b", "c", "h")
    G = flow_network([flow(1, "a", "c", ["h"]), flow(2, "b", "c", ["h"])], e)
    assert transit_hubs(G)[0]["place"] == "H"


def test_corridors_rank_by_documents():
    e = entities("a", "b", "c")
    G = flow_network([flow(1, "a", "b", doc="d1"), flow(2, "a", "b", doc="d2"), flow(3, "b", "c")], e)
    assert [(r["from"], r["to"]) for r in corridors(G)] == [("A", "B"), ("B", "C")]


def test_shortest_chain_of_stated_hops_is_inferred_across_documents():
    e = entities("a", "b", "c")
    G = flow_network([flow(1, "a", "b", doc="d1"), flow(2, "b", "c", doc="d2")], e)
    assert shortest_chain(G, "a", "c") == ["a", "b", "c"]
    assert shortest_chain(G, "c", "a") is None


def test_route_filters():
    e = entities("uz", "kz", "ru")
    flows = [flow(1, "uz", "ru", ["kz"]), flow(2, "kz", "ru", kinds=("sexual",))]
    assert [r["route"] for r in route_paths(flows, e, source="Uz")] == ["Uz → Kz → Ru"]
    assert [r["route"] for r in route_paths(flows, e, exploitation="sexual")] == ["Kz → Ru"]


def test_communities_are_stable_and_split_two_cliques():
    G = nx.Graph()
    for group in (("a", "b", "c"), ("x", "y", "z")):
        for i, u in enumerate(group):
            for v in group[i + 1:]:
                G.add_edge(u, v, relations=[("cooperatesWith", "d", 1, "")], cooccurs=0)
    G.add_edge("c", "x", relations=[], cooccurs=1)
    G.add_node("alone")
    first = communities(G)
    assert first == communities(G)
    assert first["a"] == first["b"] == first["c"] != first["x"] == first["y"] == first["z"]
    assert first["alone"] not in (first["a"], first["x"])     # a node with no edge: its own
    assert communities(nx.Graph([("p", "p")])) == {"p": 0} and communities(nx.Graph()) == {}


def test_seed_routes_in_the_analysis(seeds_build):
    import csv
    _, out = seeds_build
    routes = {r["route"] for r in csv.DictReader((out / "analysis" / "routes.csv").open(encoding="utf-8"))}
    assert "Uzbekistan → Kazakhstan → Russia" in routes
    assert "Kazakhstan → Kyrgyzstan → United Arab Emirates" in routes
    hubs = list(csv.DictReader((out / "analysis" / "transit_hubs.csv").open(encoding="utf-8")))
    assert hubs[0]["place"] == "Kazakhstan"


def test_an_unknown_count_of_victims_is_empty_not_zero(tmp_path):
    """A hop whose flows state no count had victims 0 in corridors and the GraphML."""
    from kg.export.graphs import export_graph
    e = entities("a", "b", "c")
    G = flow_network([flow(1, "a", "b"), flow(2, "b", "c", victims=4)], e)
    by_hop = {(r["from"], r["to"]): r["victims"] for r in corridors(G)}
    assert by_hop == {("A", "B"): None, ("B", "C"): 4}
    from kg.model import Document, Extraction
    doc = Document("d1", "d1.txt", "d1.txt", "0" * 64, "x", ())
    x = Extraction(doc, tuple(e.values()), (), (flow(1, "a", "b"), flow(2, "b", "c", victims=4)))
    exported = export_graph([x], list(e.values()))
    assert "victims" not in exported["a"]["b"]["flow:a:b"]
    assert exported["b"]["c"]["flow:b:c"]["victims"] == 4


def test_report_shows_the_top_of_each_table_and_analysis_holds_every_document(tmp_path):
    """report.md of the corpus was 1,381 lines, most of them documents with nothing in them."""
    from kg.export.report import write_analysis
    from kg.model import Document, Extraction
    e = entities("a", "b")
    extractions = [Extraction(Document(f"d{i:04}", "f", "f", "0" * 64, "x", ()), tuple(e.values()), (),
                              (flow(i, "a", "b", doc=f"d{i:04}"),) if i < 3 else ())
                   for i in range(1_000)]
    write_analysis(tmp_path, extractions, list(e.values()))
    report = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert len(report.splitlines()) < 100
    assert "| d0000 |" in report and "| d0500 |" not in report
    assert "3 of the 1000 documents" in report
    rows = (tmp_path / "analysis" / "documents.csv").read_text(encoding="utf-8").splitlines()
    assert len(rows) == 1_001 and rows[0] == "document,entities,flows,hedged_flows,relations"


def test_graphml_has_the_co_mentions_and_reads_in_igraph_without_an_edge_id(seeds_build):
    """The README promises every link of the actors map in graph.graphml; the co-mentions
    were missing. igraph read each edge's GraphML id as an attribute `id`."""
    import igraph as ig
    out = seeds_build[1]
    G = nx.read_graphml(out / "graph.graphml")
    co = {tuple(sorted((a, b))) for a, b, d in G.edges(data=True) if d["kind"] == "co-mention"}
    assert len(co) > 50
    assert all(d["paragraphs"] >= 1 for _, _, d in G.edges(data=True) if d["kind"] == "co-mention")
    graph = ig.Graph.Read_GraphML(str(out / "graph.graphml"))
    assert "id" not in graph.es.attributes() and "kind" in graph.es.attributes()
    assert "co-mention" in set(graph.es["kind"])
