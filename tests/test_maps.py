"""Maps open offline in a real browser, draw the seeds' routes, and run no document text;
GraphML and GEXF read back in other clients; flows_ctdc.csv has ISO alpha-3 codes."""
from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import networkx as nx
import pytest

from kg.pipeline import build

from browser import console_errors, open_page
from helpers import FIXTURES

HOSTILE = ('1. <img src=x onerror="document.body.dataset.pwned=1"> Ten women were trafficked from '
           'Osh to Bishkek for prostitution by the </script><script>document.body.dataset.pwned=2'
           '</script> Union of Crisis Centers, said Captain Asel Omurova. The NGO '
           '"<img src=y onerror=document.body.dataset.pwned=3>" helped them.\n')


def drawn(dom: str) -> int:
    m = re.search(r'data-drawn="(\d+)"', dom)
    return int(m.group(1)) if m else 0


@pytest.mark.parametrize("name", ["flows.html", "actors.html"])
def test_seed_maps_draw_offline_without_errors(seeds_build, name, tmp_path):
    _, out = seeds_build
    dom, log = open_page(out / name, screenshot=tmp_path / f"{name}.png")
    assert drawn(dom) > 10, f"{name} did not draw"
    assert console_errors(log) == []
    assert (tmp_path / f"{name}.png").stat().st_size > 30_000   # something was painted


@pytest.mark.parametrize("name", ["flows.html", "actors.html"])
def test_maps_load_nothing_from_the_network(seeds_build, name):
    _, out = seeds_build
    page = (out / name).read_text(encoding="utf-8")
    assert not re.search(r"""<(?:script|link|img|iframe)[^>]+(?:src|href)\s*=\s*["']?(?:https?:)?//""", page, re.I)
    assert "Content-Security-Policy" in page and "default-src 'none'" in page


def test_flows_map_shows_the_seed_routes(seeds_build):
    _, out = seeds_build
    page = (out / "flows.html").read_text(encoding="utf-8")
    data = json.loads(re.search(r"const DATA = (\{.*?\});\n", page, re.S).group(1))
    names = {n["id"]: n["label"] for n in data["nodes"]}
    hops = {(names[e["from"]], names[e["to"]]) for e in data["edges"]}
    assert {("Uzbekistan", "Kazakhstan"), ("Kazakhstan", "Russia"), ("Kazakhstan", "Kyrgyzstan"),
            ("Kyrgyzstan", "United Arab Emirates")} <= hops


def test_actors_map_shows_the_communities_of_the_analysis(seeds_build):
    _, out = seeds_build
    page = (out / "actors.html").read_text(encoding="utf-8")
    data = json.loads(re.search(r"const DATA = (\{.*?\});\n", page, re.S).group(1))
    shown = {n["label"]: n["kgCommunity"] for n in data["nodes"]}
    with (out / "analysis" / "communities.csv").open(encoding="utf-8", newline="") as f:
        table = {row["actor"]: int(row["community"]) for row in csv.DictReader(f)}
    assert len(set(shown.values())) > 1 and shown.items() <= table.items()


def test_hostile_text_runs_nothing(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "hostile.txt").write_text(HOSTILE, encoding="utf-8")
    out = tmp_path / "out"
    build([src], out=out)
    for name in ("flows.html", "actors.html"):
        dom, log = open_page(out / name)
        assert "data-pwned" not in dom
        assert drawn(dom) > 0, f"{name} did not draw"
        page = (out / name).read_text(encoding="utf-8")
        assert "<img src=x" not in page and "</script><script>document" not in page
    # the evidence of the flow, shown in the page: as text, with its markup visible
    dom, _ = open_page(out / "flows.html", fragment="#edge=0")
    details = re.search(r'<div id="details">(.*?)</div>', dom, re.S).group(1)
    assert "&lt;img src=x onerror=" in details
    assert "pwned" not in re.search(r"<body[^>]*>", dom).group(0)


def test_graphml_reads_back_in_networkx_and_igraph(seeds_build):
    igraph = pytest.importorskip("igraph", reason="pip install -e .[test] installs python-igraph")
    _, out = seeds_build
    G = nx.read_graphml(out / "graph.graphml")
    g = igraph.Graph.Read_GraphML(str(out / "graph.graphml"))
    assert (g.vcount(), g.ecount()) == (G.number_of_nodes(), G.number_of_edges())
    assert G.number_of_edges() > 50
    kinds = {d["kind"] for _, _, d in G.edges(data=True)}
    assert {"flow", "partOf", "holdsPostIn", "fundedBy", "cooperatesWith"} <= kinds
    assert set(g.vs.attributes()) >= {"label", "type", "country"}


def test_gexf_reads_back_with_positions_and_colours(seeds_build):
    _, out = seeds_build
    G = nx.read_gexf(out / "graph.gexf")
    assert G.number_of_nodes() > 50
    viz = next(iter(G.nodes(data=True)))[1]["viz"]
    assert {"color", "size", "position"} <= set(viz)


def test_ctdc_flows_have_alpha3_codes(seeds_build):
    _, out = seeds_build
    rows = list(csv.DictReader((out / "flows_ctdc.csv").open(encoding="utf-8")))
    pairs = {(r["citizenship"], r["CountryOfExploitation"]) for r in rows}
    assert ("UZB", "KAZ") in pairs and ("KAZ", "ARE") in pairs
    assert all(r["isSexualExploit"] in ("0", "1") for r in rows)


@pytest.fixture(scope="session")
def graphology(tmp_path_factory):
    """graphology and graphology-graphml (Gephi Lite's GraphML importer) from npm."""
    import shutil
    import subprocess
    if not (shutil.which("node") and shutil.which("npm")):
        pytest.fail("the GraphML test needs Node.js and npm (Debian: apt-get install nodejs npm)")
    folder = tmp_path_factory.mktemp("graphology")
    subprocess.run(["npm", "install", "--silent", "--no-audit", "--no-fund",
                    "graphology@0.26", "graphology-graphml@0.5", "graphology-gexf@0.13"], cwd=folder,
                   check=True, capture_output=True, timeout=300)
    for script in ("read_graphml.js", "read_gexf.js"):
        shutil.copy(FIXTURES / script, folder / script)
    return folder


def read_in_graphology(graphology: Path, script: str, path: Path) -> dict:
    """What graphology (npm) read from a file, as its reader script prints it."""
    import subprocess
    run = subprocess.run(["node", script, str(path)], cwd=graphology, capture_output=True, text=True,
                         timeout=60)
    assert run.returncode == 0, run.stderr[-2000:]
    return json.loads(run.stdout)


def test_graphml_reads_back_in_graphology(seeds_build, graphology):
    _, out = seeds_build
    read = read_in_graphology(graphology, "read_graphml.js", out / "graph.graphml")
    G = nx.read_graphml(out / "graph.graphml")
    assert (read["order"], read["size"]) == (G.number_of_nodes(), G.number_of_edges())
    assert read["type"] == "directed"
    assert {"label", "type", "country"} <= set(read["nodeKeys"])
    assert {"kind", "label", "victims", "evidence"} <= set(read["edgeKeys"])


def test_gexf_reads_back_in_graphology_with_colours_and_positions(seeds_build, graphology):
    _, out = seeds_build
    read = read_in_graphology(graphology, "read_gexf.js", out / "graph.gexf")
    G = nx.read_gexf(out / "graph.gexf")
    assert (read["order"], read["size"]) == (G.number_of_nodes(), G.number_of_edges())
    assert {"color", "size", "x", "y", "label", "type"} <= set(read["nodeKeys"])


LARGE_ACTOR_MAP = """
import sys
import networkx as nx
from pathlib import Path
from kg.export.maps import actors_map
G = nx.Graph()
for i in range(600):   # more than 500 actors: the map draws a view of the graph
    a, b = f"ngo-{i}", f"agency-{(i * 7) % 600}"
    for n in (a, b):
        G.add_node(n, name=n, type="NGO")
    G.add_edge(a, b, relations=[("cooperatesWith", "D1", 1, "text")] if i % 3 == 0 else [],
               cooccurs=2)
actors_map(G, Path(sys.argv[1]))
"""


def test_a_large_actor_map_is_the_same_bytes_whatever_the_hash_seed(tmp_path):
    """Python orders a set of names differently in each process (PYTHONHASHSEED): the map
    of a large actor network (a view of it) must not follow that order."""
    import os
    import subprocess
    import sys
    pages = []
    for seed in ("1", "2", "3"):
        page = tmp_path / f"actors-{seed}.html"
        subprocess.run([sys.executable, "-c", LARGE_ACTOR_MAP, str(page)], check=True,
                       env={**os.environ, "PYTHONHASHSEED": seed})
        pages.append(page.read_bytes())
    assert b'"from": "agency-' in pages[0] or b'"from":"agency-' in pages[0]
    assert pages[0] == pages[1] == pages[2]


def test_an_actor_map_keeps_its_strongest_links_and_says_so(tmp_path, monkeypatch):
    """However large the corpus, the actors map opens: it draws MAP_EDGES links at most,
    stated relations first, then the co-occurrences seen most often, and its title says how
    many links there were."""
    from kg.export import maps
    monkeypatch.setattr(maps, "MAP_EDGES", 12)
    G = nx.Graph()
    for i in range(30):
        a, b = f"ngo-{i}", f"agency-{i % 9}"
        for n in (a, b):
            G.add_node(n, name=n, type="NGO")
        G.add_edge(a, b, relations=[("cooperatesWith", "D1", 1, "said")] if i < 5 else [], cooccurs=i)
    maps.actors_map(G, tmp_path / "actors.html")
    page = (tmp_path / "actors.html").read_text(encoding="utf-8")
    data = json.loads(re.search(r"const DATA = (\{.*?\});\n", page, re.S).group(1))
    kept = sorted(int(e["from" if e["from"].startswith("ngo") else "to"][4:]) for e in data["edges"])
    assert kept == [0, 1, 2, 3, 4, 23, 24, 25, 26, 27, 28, 29]
    assert "<title>kg: actors (the 12 strongest of 30 links)</title>" in page
    assert len(data["nodes"]) == len({n for e in data["edges"] for n in (e["from"], e["to"])})
