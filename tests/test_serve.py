"""The SPARQL endpoint (kg serve) and kg push, started as real servers on 127.0.0.1."""
from __future__ import annotations

import csv
import io
import json
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

import pytest

FLOWS = """PREFIX kg: <https://w3id.org/kg-tip/ontology#>
SELECT ?f ?evidence WHERE { ?f a kg:TraffickingFlow ; kg:evidence ?evidence }"""
# every triple against every triple against every triple: minutes of work on the seeds' graph
ENDLESS = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
MILLIONS = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }"


def start(args: list[str]) -> tuple[subprocess.Popen, str]:
    """Start kg serve; return the process and its /sparql URL (read from what it prints)."""
    process = subprocess.Popen([sys.executable, "-m", "kg.cli", "serve", *args],
                               stderr=subprocess.PIPE, text=True)
    line = process.stderr.readline()
    match = re.search(r"(http://\S+/sparql)", line)
    assert match, f"kg serve printed {line!r}"
    return process, match.group(1)


class URL(str):
    """An endpoint's /sparql URL, with the server's process."""

    process: subprocess.Popen


@pytest.fixture(scope="module")
def endpoint(seeds_build):
    _, out = seeds_build
    process, url = start(["--out", str(out), "--port", "0", "--timeout", "2", "--max-rows", "1000"])
    url = URL(url)
    url.process = process
    yield url
    process.terminate()
    process.wait(10)


def http(url: str, data: bytes | None = None, headers: dict | None = None, method: str | None = None):
    request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:
            return answer.status, answer.headers, answer.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.headers, exc.read()


def get(endpoint: str, query: str, accept: str = "application/sparql-results+json"):
    return http(f"{endpoint}?{urlencode({'query': query})}", headers={"Accept": accept})


def flows_in(out: Path) -> int:
    return sum(1 for _ in csv.DictReader((out / "flows.csv").open(encoding="utf-8")))


def test_sparqlwrapper_reads_the_flows(endpoint, seeds_build):
    from SPARQLWrapper import JSON, SPARQLWrapper
    client = SPARQLWrapper(endpoint)
    client.setQuery(FLOWS)
    client.setReturnFormat(JSON)
    rows = client.query().convert()["results"]["bindings"]
    assert len(rows) == flows_in(seeds_build[1]) > 0
    assert all(r["evidence"]["value"] for r in rows)


def test_sparqlwrapper_post_and_ask(endpoint):
    from SPARQLWrapper import JSON, POST, SPARQLWrapper
    client = SPARQLWrapper(endpoint)
    client.setMethod(POST)
    client.setQuery('ASK { ?e <http://www.w3.org/2004/02/skos/core#altLabel> "IOM" }')
    client.setReturnFormat(JSON)
    assert client.query().convert()["boolean"] is True


@pytest.mark.parametrize("accept", ["text/csv", "text/tab-separated-values",
                                    "application/sparql-results+xml", "application/sparql-results+json"])
def test_result_formats_by_accept_header(endpoint, seeds_build, accept):
    status, headers, body = get(endpoint, FLOWS, accept)
    assert status == 200 and headers["Content-Type"].startswith(accept)
    text = body.decode("utf-8")
    if accept == "text/csv":
        rows = list(csv.reader(io.StringIO(text)))[1:]
    elif accept == "text/tab-separated-values":
        rows = text.splitlines()[1:]
    elif accept.endswith("xml"):
        rows = ET.fromstring(text).findall(".//{http://www.w3.org/2005/sparql-results#}result")
    else:
        rows = json.loads(text)["results"]["bindings"]
    assert len(rows) == flows_in(seeds_build[1])


SELECT_TYPES = ["application/sparql-results+json", "application/sparql-results+xml", "text/csv",
                "text/tab-separated-values"]
GRAPH_TYPES = ["text/turtle", "application/n-triples", "application/rdf+xml", "application/ld+json"]
COUNTRIES = ("SELECT ?c ?name WHERE { ?c a <https://w3id.org/kg-tip/ontology#Country> ; "
             "<http://www.w3.org/2004/02/skos/core#prefLabel> ?name }")
CONSTRUCT = ("CONSTRUCT { ?c <http://www.w3.org/2004/02/skos/core#prefLabel> ?name } WHERE { "
             "?c a <https://w3id.org/kg-tip/ontology#Country> ; "
             "<http://www.w3.org/2004/02/skos/core#prefLabel> ?name }")


def workers_of(endpoint: URL) -> set[int]:
    import psutil
    return {p.pid for p in psutil.Process(endpoint.process.pid).children(recursive=True)}


@pytest.mark.parametrize("accept", SELECT_TYPES + GRAPH_TYPES + ["text/html", "*/*", ""])
def test_select_in_every_accept_header_is_an_answer_or_a_406(endpoint, accept):
    """SPARQL 1.1 Protocol: a SELECT is answered in a results format or refused with 406
    naming what is offered; a graph format asked for a SELECT killed a worker (KeyError),
    and the client got a false "timeout"."""
    workers = workers_of(endpoint)
    status, headers, body = get(endpoint, COUNTRIES, accept)
    if accept in GRAPH_TYPES:
        assert status == 406, body
        assert b"application/sparql-results+json" in body and b"text/csv" in body
    else:
        assert status == 200, body
        expected = accept if accept in SELECT_TYPES + ["text/html"] else "application/sparql-results+json"
        assert headers["Content-Type"].startswith(expected)
    assert workers_of(endpoint) == workers                  # no worker died
    assert get(endpoint, "ASK {}")[0] == 200


@pytest.mark.parametrize("accept", GRAPH_TYPES + SELECT_TYPES)
def test_construct_in_every_accept_header_reads_back(endpoint, accept):
    from rdflib import Graph
    status, headers, body = get(endpoint, CONSTRUCT, accept)
    if accept in SELECT_TYPES:
        assert status == 406 and b"text/turtle" in body and b"application/ld+json" in body
        return
    assert status == 200 and headers["Content-Type"].startswith(accept), body
    rdflib_format = {"text/turtle": "turtle", "application/n-triples": "nt",
                     "application/rdf+xml": "xml", "application/ld+json": "json-ld"}[accept]
    graph = Graph().parse(data=body.decode("utf-8"), format=rdflib_format)
    names = {str(o) for o in graph.objects()}
    assert "Kazakhstan" in names and len(graph) == len(names) > 5


@pytest.mark.parametrize("accept, quality", [
    ("text/turtle;q=0.2, application/sparql-results+xml;q=0.9, text/csv;q=0.5",
     "application/sparql-results+xml"),
    ("text/csv;q=0, application/json", "application/sparql-results+json"),
    ("text/*", "text/csv"),
])
def test_accept_quality_values_choose_the_format(endpoint, accept, quality):
    status, headers, _ = get(endpoint, COUNTRIES, accept)
    assert status == 200 and headers["Content-Type"].startswith(quality)


@pytest.mark.parametrize("return_format", ["xml", "json-ld", "turtle", "n3"])
def test_sparqlwrapper_construct_in_its_formats(endpoint, return_format):
    """CONSTRUCT as SPARQLWrapper asks for it (RDF/XML by default, JSON-LD, Turtle): each comes
    in the format asked for and converts to a graph (N-Triples came for all of them)."""
    from SPARQLWrapper import SPARQLWrapper
    client = SPARQLWrapper(endpoint)
    client.setQuery(CONSTRUCT)
    client.setReturnFormat(return_format)
    graph = client.query().convert()
    if return_format in ("turtle", "n3"):   # SPARQLWrapper gives these as bytes
        from rdflib import Graph
        graph = Graph().parse(data=graph.decode("utf-8"), format="turtle")
    assert any(str(o) == "Kazakhstan" for o in graph.objects())


def test_sparqlwrapper_select_in_xml_csv_tsv(endpoint):
    from SPARQLWrapper import CSV, TSV, XML, SPARQLWrapper
    client = SPARQLWrapper(endpoint)
    client.setQuery(COUNTRIES)
    for fmt in (XML, CSV, TSV):
        client.setReturnFormat(fmt)
        answer = client.query().convert()
        text = answer.toxml() if fmt == XML else answer.decode("utf-8")
        assert "Kazakhstan" in text


def test_a_nul_byte_in_the_path_is_a_400(endpoint):
    """/%00 dropped the connection (a ValueError in the request's thread)."""
    host, port = endpoint.split("/")[2].split(":")
    with socket.create_connection((host, int(port)), timeout=10) as conn:
        conn.sendall(b"GET /%00 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        answer = b""
        while chunk := conn.recv(4096):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 400")


def test_a_syntax_error_names_its_line_and_column(endpoint):
    status, _, body = get(endpoint, "SELECT ?s\nWHERE { ?s ?p }")
    assert status == 400 and b"line 2, column" in body


def test_post_bodies_of_the_protocol(endpoint):
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?f a <https://w3id.org/kg-tip/ontology#TraffickingFlow> }"
    direct = http(endpoint, query.encode(), {"Content-Type": "application/sparql-query",
                                             "Accept": "text/csv"})
    form = http(endpoint, urlencode({"query": query}).encode(),
                {"Content-Type": "application/x-www-form-urlencoded", "Accept": "text/csv"})
    assert direct[0] == form[0] == 200 and direct[2] == form[2]


@pytest.mark.parametrize("data, kind", [
    (b"INSERT DATA { <urn:a> <urn:b> <urn:c> }", "application/sparql-update"),
    (urlencode({"update": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"}).encode(),
     "application/x-www-form-urlencoded"),
    (urlencode({"query": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"}).encode(),
     "application/x-www-form-urlencoded"),
    (urlencode({"query": "DROP ALL"}).encode(), "application/x-www-form-urlencoded"),
])
def test_updates_are_refused_and_change_nothing(endpoint, data, kind):
    status, _, body = http(endpoint, data, {"Content-Type": kind})
    assert status in (400, 403), body
    status, _, body = get(endpoint, "ASK { <urn:a> <urn:b> <urn:c> }")
    assert json.loads(body)["boolean"] is False


def test_graph_store_writes_are_refused(endpoint):
    for method in ("PUT", "DELETE"):
        status, _, _ = http(endpoint + "?default", b"<urn:a> <urn:b> <urn:c> .", method=method)
        assert status == 403


@pytest.mark.parametrize("query", [
    "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
    "SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }",
    "LOAD <file:///etc/passwd>",
])
def test_nothing_outside_the_store_is_reachable(endpoint, query):
    status, _, body = get(endpoint, query)
    assert status == 400 and b"not allowed" in body


def test_a_query_that_would_run_for_minutes_is_stopped(endpoint):
    began = time.monotonic()
    status, _, body = get(endpoint, ENDLESS)
    assert status == 503 and b"stopped after 2 s" in body
    assert time.monotonic() - began < 10
    status, _, _ = get(endpoint, FLOWS)                     # the endpoint still answers
    assert status == 200


def test_a_query_returning_millions_of_rows_is_refused(endpoint):
    began = time.monotonic()
    status, _, body = get(endpoint, MILLIONS)
    assert status == 400 and b"more than 1,000 rows" in body
    assert time.monotonic() - began < 5


def test_a_huge_request_is_refused(endpoint):
    status, _, _ = http(endpoint, b"query=" + b"x" * (2 << 20),
                        {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 413


def test_the_maps_are_served_and_nothing_else(endpoint, seeds_build):
    base = endpoint.rsplit("/", 1)[0]
    status, headers, body = http(base + "/flows.html")
    assert status == 200 and body == (seeds_build[1] / "flows.html").read_bytes()
    assert "default-src 'none'" in headers["Content-Security-Policy"]
    status, _, body = http(base + "/")
    assert status == 200 and b'href="/actors.html"' in body
    for path in ("/store/CURRENT", "/cache/07ASTANA1925.json", "/%2e%2e/%2e%2e/etc/passwd",
                 "/../manifest.json.bak", "/texts/../../x"):
        assert http(base + path)[0] == 404, path


def test_fifty_concurrent_clients_get_answers(endpoint):
    """The short version of bench/load.py (whose 30 s of 50 clients found connections reset
    while the server kept socketserver's listen backlog of 5)."""
    start = threading.Barrier(50)

    def client(_):
        start.wait()
        return [get(endpoint, FLOWS)[0] for _ in range(3)]
    with ThreadPoolExecutor(50) as pool:
        statuses = [s for answers in pool.map(client, range(50)) for s in answers]
    assert statuses == [200] * 150


def test_a_trivial_query_answers_while_two_slow_ones_run(seeds_build):
    """With the default two workers, two heavy queries kept ASK {} waiting until they were
    stopped (the timeout). The default has more workers than cores."""
    process, url = start(["--out", str(seeds_build[1]), "--port", "0", "--timeout", "6"])
    try:
        slow = [threading.Thread(target=get, args=(url, ENDLESS)) for _ in range(2)]
        for thread in slow:
            thread.start()
        time.sleep(0.5)             # (both are running)
        status, _, body = get(url, "ASK {}")
        assert status == 200 and json.loads(body)["boolean"] is True
        assert all(thread.is_alive() for thread in slow)    # answered while they still ran
        for thread in slow:
            thread.join()
    finally:
        process.terminate()
        process.wait(10)


def test_a_full_queue_is_a_503_with_retry_after(seeds_build):
    process, url = start(["--out", str(seeds_build[1]), "--port", "0", "--timeout", "4",
                          "--workers", "1", "--queue", "1"])
    try:
        running = threading.Thread(target=get, args=(url, ENDLESS))   # holds the one worker
        running.start()
        time.sleep(0.5)
        waiting = threading.Thread(target=get, args=(url, ENDLESS))   # fills the queue
        waiting.start()
        time.sleep(0.5)
        status, headers, body = get(url, "ASK {}")
        assert status == 503 and b"waiting already" in body
        assert int(headers["Retry-After"]) >= 1
        assert waiting.is_alive()                    # refused at once, not after a wait
        running.join()
        waiting.join()
        assert get(url, "ASK {}")[0] == 200
    finally:
        process.terminate()
        process.wait(10)


def test_listens_on_loopback_and_refuses_another_address_unless_asked(seeds_build):
    from kg.serve import Endpoint, ServeError
    _, out = seeds_build
    with pytest.raises(ServeError, match="unless --host"):
        Endpoint(out, "0.0.0.0", 0)
    process, url = start(["--out", str(out), "--port", "0"])
    try:
        assert url.startswith("http://127.0.0.1:")
    finally:
        process.terminate()
        process.wait(10)


def test_no_store_is_a_clear_error(tmp_path):
    result = subprocess.run([sys.executable, "-m", "kg.cli", "serve", "--out", str(tmp_path)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0 and "run kg build first" in result.stderr


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture()
def oxigraph_server(tmp_path):
    """Oxigraph's own server (the oxigraph wheel), on 127.0.0.1, with the union of the named
    graphs as the default graph, as kg's README tells users to run it."""
    binary = shutil.which("oxigraph") or str(Path(sys.executable).with_name("oxigraph"))
    port = free_port()
    process = subprocess.Popen([binary, "serve", "--location", str(tmp_path / "db"),
                                "--bind", f"127.0.0.1:{port}", "--union-default-graph"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/query?query=ASK%7B%7D", timeout=1)
            break
        except OSError:
            time.sleep(0.1)
    yield base
    process.terminate()
    process.wait(10)


def test_push_loads_every_graph_and_pushing_again_adds_no_duplicates(seeds_build, oxigraph_server):
    from kg.push import push
    _, out = seeds_build
    count = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    sent = push(out, oxigraph_server + "/store")
    assert len(sent) == 7                       # five documents, the entities, the ontology
    for _ in range(2):
        status, _, body = http(f"{oxigraph_server}/query?{urlencode({'query': count})}",
                               headers={"Accept": "text/csv"})
        assert int(body.decode().split()[1]) == sum(sent.values())
        push(out, oxigraph_server + "/store")
    status, _, body = http(f"{oxigraph_server}/query?{urlencode({'query': FLOWS})}",
                           headers={"Accept": "text/csv"})
    assert len(body.decode().splitlines()) - 1 == flows_in(out)


def test_push_names_the_refused_graph(seeds_build, oxigraph_server):
    from kg.push import PushError, push
    with pytest.raises(PushError, match="refused graph"):
        push(seeds_build[1], oxigraph_server + "/nothing-here")
