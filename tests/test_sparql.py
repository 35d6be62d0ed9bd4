"""Named queries on the seeds' store, with expected answers; refused query forms."""
from __future__ import annotations

import pytest
from click.testing import CliRunner

from kg import sparql
from kg.cli import main


def ask(seeds_build, query: str, **params):
    _, out = seeds_build
    variables, rows = sparql.run(out / "store", sparql.resolve(query), params)
    return [dict(zip(variables, r)) for r in rows]


def test_every_named_query_runs_and_answers(seeds_build):
    for name in sparql.named_queries():
        assert ask(seeds_build, name), f"{name} gave no rows on the seeds"


def test_flows_through_a_country(seeds_build):
    rows = ask(seeds_build, "flows-through", country="Ukraine")
    assert [(r["source"], r["transit"], r["destination"], r["victims"]) for r in rows] == \
        [("Ukraine", "Russia", "Kazakhstan", "1")]


def test_flows_through_counts_cities_of_the_country(seeds_build):
    rows = ask(seeds_build, "flows-through", country="China")
    assert {(r["source"], r["destination"]) for r in rows} == {("Temirtau", "Ürümqi")}


def test_top_corridor_and_country_roles(seeds_build):
    corridors = ask(seeds_build, "top-corridors")
    assert (corridors[0]["source"], corridors[0]["destination"]) == ("Uzbekistan", "Aktobe")
    roles = {(r["place"], r["role"]) for r in ask(seeds_build, "country-roles")}
    assert roles == {("Kazakhstan", "destination"), ("Kazakhstan", "source"), ("Kazakhstan", "transit")}


def test_officials_with_their_bodies(seeds_build):
    rows = ask(seeds_build, "officials")
    assert ("Zagipa Baliyeva", "Ministry of Justice") in {(r["official"], r["organization"]) for r in rows}


def test_entity_by_alias_with_evidence(seeds_build):
    rows = ask(seeds_build, "entity", name="KNB")
    assert {r["entity"] for r in rows} == {"Committee for National Security"}
    supervises = [r for r in rows if r["fact"] == "supervises"]
    assert any("which supervises the Border Guards" in (r["evidence"] or "") for r in supervises)


def test_documents_that_mention_two_entities(seeds_build):
    rows = ask(seeds_build, "co-mentions", a="IOM", b="USAID")
    assert {r["document"] for r in rows} == {"07ASTANA614", "07ASTANA1925"}


@pytest.mark.parametrize("text", [
    "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
    "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
    "LOAD <http://example.org/data.ttl>",
    "DELETE WHERE { ?s ?p ?o }",
    "WITH <urn:g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
    "SELECT * FROM <file:///etc/passwd> WHERE { ?s ?p ?o }",
    "SELECT * FROM NAMED <http://example.org/data.ttl> WHERE { GRAPH ?g { ?s ?p ?o } }",
    "select * where { service <http://example.org/sparql> { ?s ?p ?o } }",
])
def test_refused_forms(seeds_build, text):
    _, out = seeds_build
    with pytest.raises(sparql.QueryError, match="not allowed"):
        sparql.run(out / "store", sparql.NamedQuery("-e", "", text))


@pytest.mark.parametrize("text", [
    'SELECT ?add ?copy WHERE { ?add ?copy "INSERT or DELETE" }',
    "SELECT ?s WHERE { ?s a <https://w3id.org/kg-tip/ontology#Load> } # LOAD in a comment",
    "SELECT (COUNT(*) AS ?n) FROM <https://w3id.org/kg-tip/id/graph/entities> WHERE { ?s ?p ?o }",
])
def test_words_that_only_look_like_refused_forms_are_allowed(seeds_build, text):
    _, out = seeds_build
    sparql.run(out / "store", sparql.NamedQuery("-e", "", text))


def test_unknown_parameter_is_an_error_naming_the_known_ones(seeds_build):
    with pytest.raises(sparql.QueryError, match="it takes: country"):
        ask(seeds_build, "flows-through", nation="x")


def test_cli_query_formats(seeds_build):
    _, out = seeds_build
    listing = CliRunner().invoke(main, ["query", "--list"])
    assert listing.exit_code == 0 and "flows-through" in listing.output
    result = CliRunner().invoke(main, ["query", "flows-through", "--param", "country=Ukraine",
                                       "--format", "json", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert '"transit": "Russia"' in result.output
    bad = CliRunner().invoke(main, ["query", "-e", "SELECT * WHERE {", "--out", str(out)])
    assert bad.exit_code == 2


@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")  # rdflib's TriG parser
@pytest.mark.parametrize("fmt, rdflib_format", [("turtle", "turtle"), ("ntriples", "nt"),
                                                ("jsonld", "json-ld"), ("nquads", "nquads"),
                                                ("trig", "trig")])
def test_dump_formats_read_back_in_rdflib_with_every_triple(seeds_build, fmt, rdflib_format):
    from rdflib import Dataset, Graph
    _, out = seeds_build
    data = sparql.dump(out / "store", fmt)
    facts = Graph().parse(out / "graph.ttl", format="nt")
    if fmt in ("nquads", "trig"):
        read = Dataset()
        read.parse(data=data.decode("utf-8"), format=rdflib_format)
        assert len(read) > len(facts)            # the facts and the ontology's named graph
    else:
        read = Graph().parse(data=data.decode("utf-8"), format=rdflib_format)
        assert len(read) == len(facts)


def test_cli_dump_to_a_file(seeds_build, tmp_path):
    _, out = seeds_build
    result = CliRunner().invoke(main, ["dump", "--format", "nquads", "--out", str(out),
                                       "--to", str(tmp_path / "g.nq")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "g.nq").stat().st_size > 10_000


@pytest.mark.parametrize("value", ['IOM" } UNION { ?e ?fact ?value', "IOM\\", "IOM\n} #", "<urn:x>"])
def test_a_parameter_value_is_a_literal_and_never_changes_the_query(seeds_build, value):
    assert ask(seeds_build, "entity", name=value) == []


def test_parameters_are_bound_inside_subqueries():
    text = sparql.bind(sparql.named_queries()["co-mentions"].text, {"a": "IOM", "b": "USAID"})
    assert text.count('VALUES (?a) { ("IOM") }') == 1 and text.count('VALUES (?b) { ("USAID") }') == 1
    assert text.count('VALUES (?a ?b) { ("IOM" "USAID") }') == 1   # and the outer group


def query_cli(seeds_build, *args):
    _, out = seeds_build
    return CliRunner().invoke(main, ["query", *args, "--out", str(out)])


@pytest.mark.parametrize("text", ["INSERT DATA { <urn:a> <urn:b> <urn:c> }", "DROP ALL",
                                  "DELETE WHERE { ?s ?p ?o }"])
def test_cli_refuses_updates_saying_so(seeds_build, text):
    """An update given with -e was "unknown query"."""
    result = query_cli(seeds_build, "-e", text)
    assert result.exit_code == 2
    assert "updates are refused" in result.output and "read-only" in result.output
    assert "unknown query" not in result.output


def test_cli_suggests_the_named_query_meant(seeds_build):
    result = query_cli(seeds_build, "flows-thruogh")
    assert result.exit_code == 2
    assert "no query named 'flows-thruogh' (did you mean flows-through?)" in result.output


def test_cli_shows_a_syntax_error_with_its_line_and_column(seeds_build):
    result = query_cli(seeds_build, "-e", "SELECT ?s\nWHERE {\n  ?s ?p\n}")
    assert result.exit_code == 2
    assert "syntax error at line 4, column" in result.output and "  }" in result.output


def test_cli_says_on_stderr_when_it_stops_at_its_row_limit(seeds_build):
    """kg query stopped at 100,000 rows and said nothing."""
    everything = "SELECT * WHERE { ?s ?p ?o }"
    result = query_cli(seeds_build, "-e", everything, "--format", "csv", "--limit", "10")
    assert result.exit_code == 0
    assert len(result.stdout.splitlines()) == 11            # the header and 10 rows
    assert "stopped at 10 rows" in result.stderr and "--limit" in result.stderr
    whole = query_cli(seeds_build, "-e", "SELECT * WHERE { ?s a ?t } LIMIT 5", "--limit", "5")
    assert whole.exit_code == 0 and "stopped" not in whole.stderr
