"""Maps open offline in a real browser, draw the seeds' routes, and run no document text;
GraphML and GEXF read back in other clients; flows_ctdc.csv has ISO alpha-3 codes."""
from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import networkx as nx
import pytest
from browser import console_errors, open_page
from helpers import FIXTURES

from kg.export import maps
from kg.pipeline import build

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
    assert not re.search(r"""<(?:script|link|img|iframe)[^>]+(?:src|href)\s*=\s*["']?(?:https?:)?//""", page, re.IGNORECASE)
    assert "Content-Security-Policy" in page and "default-src 'none'" in page


def test_flows_map_shows_the_seed_routes(seeds_build):
    _, out = seeds_build
    page = (out / "flows.html").read_text(encoding="utf-8")
    data = json.loads(re.search(r"const DATA = (\{.*?\});\n", page, re.DOTALL).group(1))
    names = {n["id"]: n["label"] for n in data["nodes"]}
    hops = {(names[e["from"]], names[e["to"]]) for e in data["edges"]}
    assert {("Uzbekistan", "Kazakhstan"), ("Kazakhstan", "Russia"), ("Kazakhstan", "Kyrgyzstan"),
            ("Kyrgyzstan", "United Arab Emirates")} <= hops


def test_actors_map_shows_the_communities_of_the_analysis(seeds_build):
    _, out = seeds_build
    page = (out / "actors.html").read_text(encoding="utf-8")
    data = json.loads(re.search(r"const DATA = (\{.*?\});\n", page, re.DOTALL).group(1))
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
        dom, _ = open_page(out / name)
        assert "data-pwned" not in dom
        assert drawn(dom) > 0, f"{name} did not draw"
        page = (out / name).read_text(encoding="utf-8")
        assert "<img src=x" not in page and "</script><script>document" not in page
    # the evidence of the flow, shown in the page: as text, with its markup visible
    dom, _ = open_page(out / "flows.html", fragment="#edge=0")
    details = re.search(r'<div id="details">(.*?)</div>', dom, re.DOTALL).group(1)
    assert "&lt;img src=x onerror=" in details
    assert "pwned" not in re.search(r"<body[^>]*>", dom).group(0)
    # and in the document view the arrow opens: the paragraph, its markup as text, marked
    view = re.search(r'<section id="doc">(.*?)</section>', dom, re.DOTALL).group(1)
    assert "<mark>" in view and "&lt;/script&gt;&lt;script&gt;document.body.dataset.pwned=2" in view
    # the whole document's page
    from browser import Page
    page = (out / "texts" / "hostile.html").read_text(encoding="utf-8")
    assert "<script>document" not in page and "<img" not in page
    with Page(out / "texts" / "hostile.html", fragment="#s=0-60") as browser:
        browser.wait("document.body.dataset.marked")
        assert browser.eval("document.body.dataset.pwned") is None
        assert "</script><script>document.body" in browser.eval("document.getElementById('text').textContent")
        assert browser.eval("document.querySelectorAll('img, #text script').length") == 0


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
                         timeout=60, check=False)
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
    from kg.analyse import network
    from kg.export import maps
    monkeypatch.setattr(network, "MAP_EDGES", 12)
    G = nx.Graph()
    for i in range(30):
        a, b = f"ngo-{i}", f"agency-{i % 9}"
        for n in (a, b):
            G.add_node(n, name=n, type="NGO")
        G.add_edge(a, b, relations=[("cooperatesWith", "D1", 1, "said")] if i < 5 else [], cooccurs=i)
    maps.actors_map(G, tmp_path / "actors.html")
    page = (tmp_path / "actors.html").read_text(encoding="utf-8")
    data = json.loads(re.search(r"const DATA = (\{.*?\});\n", page, re.DOTALL).group(1))
    kept = sorted(int(e["from" if e["from"].startswith("ngo") else "to"][4:]) for e in data["edges"])
    assert kept == [0, 1, 2, 3, 4, 23, 24, 25, 26, 27, 28, 29]
    assert "<title>kg: actors (the 12 strongest of 30 links)</title>" in page
    assert len(data["nodes"]) == len({n for e in data["edges"] for n in (e["from"], e["to"])})


# ---- issue 28: maps an analyst can read, checked in a real Chromium --------------------------

GEOMETRY = """(() => {
  const W = container.clientWidth, H = container.clientHeight, s = network.getScale();
  const ids = nodes.getIds({filter: n => !n.hidden});
  const pos = network.getPositions(ids);
  return {W, H, nodes: ids.map(id => { const p = network.canvasToDOM(pos[id]);
                                       return [id, p.x, p.y, nodes.get(id).size * s]; }),
          labels: JSON.parse(document.body.dataset.labels || "[]"),
          canvas: (r => [r.left, r.top, r.right, r.bottom])(container.getBoundingClientRect())};
})()"""

# a point on an arrow where the page's own hit test finds that arrow, and no node, nor another arrow
ARROW_POINT = """(() => {
  const rect = container.getBoundingClientRect();
  const shown = edges.get({filter: e => !e.hidden}).sort((a, b) => b.width - a.width);
  for (const e of shown) {
    const pos = network.getPositions([e.from, e.to]);
    const a = network.canvasToDOM(pos[e.from]), b = network.canvasToDOM(pos[e.to]);
    const len = Math.hypot(b.x - a.x, b.y - a.y) || 1, nx = (a.y - b.y) / len, ny = (b.x - a.x) / len;
    for (const t of [0.5, 0.4, 0.6, 0.3, 0.7]) for (let d = -40; d <= 40; d += 2) {
      const p = {x: Math.round(a.x + t * (b.x - a.x) + d * nx), y: Math.round(a.y + t * (b.y - a.y) + d * ny)};
      // (and a few pixels around: a click lands on whole pixels)
      const around = [[0, 0], [-3, 0], [3, 0], [0, -3], [0, 3]].map(([dx, dy]) => ({x: p.x + dx, y: p.y + dy}));
      if (around.every(q => network.getEdgeAt(q) === e.id && network.getNodeAt(q) === undefined))
        return [p.x + rect.left, p.y + rect.top, e.id];
    }
  }
  return null;
})()"""


def _intersect(a, b) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _pixels(png: Path, box) -> list[tuple[int, int, int]]:
    """The RGB pixels of a screenshot inside box (left, top, right, bottom)."""
    from browser import png_pixels
    width, _, rows = png_pixels(png)
    bpp = len(rows[0]) // width
    left, top, right, bottom = (int(v) for v in box)
    return [tuple(row[x * bpp:x * bpp + 3]) for row in rows[top:bottom] for x in range(left, right)]


def check_map(page_path: Path, shot: Path, basemap: bool, min_labels: int) -> dict:
    """Open a map as a reader would and check what issue 28 asks: no request, no error, every
    node inside the canvas, labels that never overlap, and (flows) a basemap under the
    network. Returns the geometry read from the page."""
    from browser import Page
    with Page(page_path) as page:
        page.wait("document.body.dataset.drawn > 0")
        page.settle()
        geometry = page.eval(GEOMETRY)
        page.screenshot(shot)
        if basemap:   # the same view without the basemap: what the outlines and fills painted
            page.eval("DATA.basemap = null; network.redraw()")
            page.settle()
            page.screenshot(shot.with_name("bare-" + shot.name))
        assert page.requests == [], page.requests
        assert page.console == [], page.console
    W, H = geometry["W"], geometry["H"]
    outside = [n for n, x, y, r in geometry["nodes"] if x - r < 0 or y - r < 0 or x + r > W or y + r > H]
    assert geometry["nodes"] and outside == []
    labels = geometry["labels"]
    assert len(labels) >= min_labels
    assert all(0 <= a[0] and a[2] <= W and 0 <= a[1] and a[3] <= H for a in labels)
    clashes = [(a, b) for i, a in enumerate(labels) for b in labels[i + 1:] if _intersect(a, b)]
    assert clashes == []
    pixels = _pixels(shot, geometry["canvas"])
    if basemap:
        bare = _pixels(shot.with_name("bare-" + shot.name), geometry["canvas"])
        painted = sum(p != q for p, q in zip(pixels, bare)) / len(pixels)
        assert painted > 0.3, f"the basemap painted {painted:.0%} of the canvas"
        # outlines: grey lines over the land and the sea, where the bare map is white
        outline = sum(p != q and p[0] == p[1] == p[2] and 100 < p[0] < 225 and q == (255, 255, 255)
                      for p, q in zip(pixels, bare))
        assert outline > 2_000, outline
        # countries of the flows shaded by their role
        fills = {tuple(int(c[i:i + 2], 16) for i in (1, 3, 5)) for c in maps.ROLE_FILLS.values()}
        assert sum(p in fills for p in pixels) > 2_000
    else:
        assert sum(p != (255, 255, 255) for p in pixels) / len(pixels) > 0.02
    return geometry


@pytest.mark.parametrize("name", ["flows.html", "actors.html"])
def test_seed_maps_read_as_maps_in_chromium(seeds_build, name, tmp_path):
    _, out = seeds_build
    check_map(out / name, tmp_path / f"{name}.png", basemap=name == "flows.html", min_labels=15)


def test_a_click_on_an_arrow_opens_its_document_with_the_evidence_marked(seeds_build):
    from browser import Page
    _, out = seeds_build
    with Page(out / "flows.html") as page:
        page.wait("document.body.dataset.drawn > 0")
        page.settle()
        x, y, edge = page.eval(ARROW_POINT)
        page.click(x, y)
        page.settle()
        shown = page.eval("""({flow: document.body.dataset.doc, selected: network.getSelectedEdges(),
            mark: document.querySelector('#doc mark').textContent,
            view: document.getElementById('doc').textContent,
            flows: edges.get(network.getSelectedEdges()[0]).kgFlows,
            link: document.querySelector('#doc a').getAttribute('href')})""")
        flow = page.eval(f"DATA.flows[{json.dumps(shown['flow'])}]")
        document = page.eval(f"DATA.documents[{json.dumps(flow['d'])}]")
    assert shown["selected"] == [edge] and shown["flow"] in shown["flows"]
    text = (out / "texts" / f"{flow['d']}.txt").read_text(encoding="utf-8")
    assert shown["mark"] == text[flow["s"]:flow["e"]]
    assert " ".join(shown["mark"].split()) == " ".join(flow["ev"].split())
    assert flow["d"] in shown["view"] and document["date"] in shown["view"] and document["origin"] in shown["view"]
    # the whole document, at the same place
    assert shown["link"] == f"texts/{flow['d']}.html#s={flow['s']}-{flow['e']}"
    with Page(out / shown["link"].split("#")[0], fragment="#" + shown["link"].split("#")[1]) as page:
        page.wait("document.body.dataset.marked")
        assert page.eval("document.querySelector('mark').textContent") == shown["mark"]


def test_the_year_slider_changes_the_arrows_shown(seeds_build):
    from browser import Page
    _, out = seeds_build
    with Page(out / "flows.html") as page:
        page.wait("document.body.dataset.drawn > 0")
        data = page.eval("DATA")
        every = int(page.eval("document.body.dataset.edges"))
        page.eval("const f = document.getElementById('from'); f.value = '2008'; f.dispatchEvent(new Event('input'))")
        page.settle()
        later = int(page.eval("document.body.dataset.edges"))
        title = page.eval("document.title")
    in_2008 = sum(any(data["flows"][f]["y"] in (2008, None) for f in e["kgFlows"]) for e in data["edges"])
    assert every == len(data["edges"]) and data["years"] == [2006, 2008]
    assert 0 < later == in_2008 < every
    assert title.startswith("kg: trafficking flows, 2008")


def test_kg_map_years_writes_a_map_of_those_years_beside_the_build(seeds_build):
    from browser import Page
    from click.testing import CliRunner

    from kg.cli import main
    _, out = seeds_build
    result = CliRunner().invoke(main, ["map", "--years", "2006-2007", "--out", str(out)])
    assert result.exit_code == 0, result.output
    path = out.parent / f"{out.name}-maps" / "flows-2006-2007.html"   # kg build replaces out
    page = path.read_text(encoding="utf-8")
    assert "<title>kg: trafficking flows, 2006\u20132007" in page
    data = json.loads(re.search(r"const DATA = (\{.*?\});\n", page, re.DOTALL).group(1))
    assert data["range"] == [2006, 2007] and data["texts"] == f"../{out.name}/texts/"
    with Page(path) as browser:
        browser.wait("document.body.dataset.drawn > 0")
        shown = int(browser.eval("document.body.dataset.edges"))
    assert f": {shown} arrows in 2006-2007" in result.output and 0 < shown < len(data["edges"])


def test_kg_map_focus_goes_beside_the_build(seeds_build):
    from click.testing import CliRunner

    from kg.cli import main
    _, out = seeds_build
    result = CliRunner().invoke(main, ["map", "--focus", "IOM", "--depth", "1", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert (out.parent / f"{out.name}-maps" / "focus-iom.html").is_file()
    assert not list(out.glob("focus-*"))


def test_actors_map_opens_on_the_top_actors_and_search_focuses_one(seeds_build):
    from browser import Page
    _, out = seeds_build
    with Page(out / "actors.html") as page:
        page.wait("document.body.dataset.drawn > 0")
        data = page.eval("({top: DATA.top, nodes: DATA.nodes.length, shown: Number(document.body.dataset.nodes)})")
        page.eval("const s = document.getElementById('search'); s.value = 'IOM'; s.dispatchEvent(new Event('change'))")
        page.settle()
        focus = page.eval("""({shown: nodes.getIds({filter: n => !n.hidden}),
            iom: DATA.nodes.find(n => (n.kgAliases || []).includes('IOM')).id,
            heading: document.querySelector('#details h3').textContent})""")
        neighbours = page.eval(f"[...neighbours.get({json.dumps(focus['iom'])})]")
        page.eval("document.getElementById('reset').click()")
        back = int(page.eval("document.body.dataset.nodes"))
    assert data["shown"] == data["top"] == min(maps.TOP_ACTORS, data["nodes"])
    assert sorted(focus["shown"]) == sorted([focus["iom"], *neighbours])
    assert focus["heading"].startswith("International Organization for Migration")
    assert back == data["top"]


@pytest.fixture(scope="module")
def corpus_build(corpus_dir, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("corpus-maps") / "out"
    build([corpus_dir], out=out)
    return out


@pytest.mark.corpus
@pytest.mark.parametrize("name", ["flows.html", "actors.html"])
def test_corpus_maps_read_as_maps_in_chromium(corpus_build, name, tmp_path):
    geometry = check_map(corpus_build / name, tmp_path / f"{name}.png", basemap=name == "flows.html",
                         min_labels=10)
    if name == "actors.html":
        assert len(geometry["nodes"]) == maps.TOP_ACTORS


def test_a_label_hidden_at_first_shows_when_zoomed_in_and_coinciding_places_open_on_click(seeds_build):
    from browser import Page
    _, out = seeds_build
    with Page(out / "flows.html") as page:
        page.wait("document.body.dataset.drawn > 0")
        page.settle()
        labelled = {b[4] for b in json.loads(page.eval("document.body.dataset.labels"))}
        unlabelled = page.eval(f"visibleIds().filter(id => !{json.dumps(sorted(labelled))}.includes(id))")
        assert unlabelled, "every label fits at first: nothing to declutter"
        page.eval(f"network.focus({json.dumps(unlabelled[0])}, {{scale: 12, animation: false}}); 1")
        page.settle()
        assert unlabelled[0] in {b[4] for b in json.loads(page.eval("document.body.dataset.labels"))}
        page.eval("fit(visibleIds()); 1")
        page.settle()
        # places drawn over one another: a click on them lists them all
        crowd = page.eval("visibleIds().map(coinciding).sort((a, b) => b.length - a.length)[0]")
        assert len(crowd) > 1
        x, y = page.eval(f"""(() => {{ const r = container.getBoundingClientRect();
            const p = network.canvasToDOM(network.getPositions([{json.dumps(crowd[0])}])[{json.dumps(crowd[0])}]);
            return [Math.round(p.x + r.left), Math.round(p.y + r.top)]; }})()""")
        page.click(x, y)
        page.settle()
        listed = page.eval("[...document.querySelectorAll('#details button.here')].map(b => b.textContent)")
        names = page.eval(f"{json.dumps(crowd)}.map(id => byId.get(id).label)")
    assert len(listed) > 1 and names[0] in listed   # (whichever of them the click hit)


def test_one_meaning_per_colour():
    """Each map's colours, from colour-blind-safe palettes, say one thing each: exploitation
    (arrows), a country's role (fills), the land, the places; on the actors and focus maps the
    kind of actor, a stated relation, a co-mention and (focus) a flow's exploitation."""
    flows = [*maps.EXPLOITATION_COLOURS.values(), *maps.ROLE_FILLS.values(), maps.LAND,
             maps.PLACE_COLOUR, maps.OUTLINE]
    actors = [*maps.GROUP_COLOURS.values(), maps.RELATION_COLOUR, maps.COMENTION_COLOUR]
    focus = [*maps.GROUP_COLOURS.values(), maps.RELATION_COLOUR, *maps.EXPLOITATION_COLOURS.values()]
    for colours in (flows, actors, focus):
        assert len({c.upper() for c in colours}) == len(colours), colours
