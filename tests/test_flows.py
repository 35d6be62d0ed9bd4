"""Flows: each way of writing a movement of victims, on hand-written sentences (other
countries than the seeds, so that a rule that fits only one seed sentence fails here)."""
from __future__ import annotations

import pytest

from kg.extract import extract

from helpers import doc_of


def flows(text: str, origin: str = "Embassy Bishkek"):
    x = extract(doc_of(text, origin=origin))
    name = {e.id: e.name for e in x.entities}
    return [(name[f.source], tuple(name[t] for t in f.transit), name[f.destination],
             tuple(f.exploitation), f.victims) for f in x.flows], x


def routes(text: str, origin: str = "Embassy Bishkek"):
    return {(s, t, d) for s, t, d, _, _ in flows(text, origin)[0]}


def test_role_statement_with_a_list_of_sources():
    got = routes("1. Kyrgyzstan is a destination country for men trafficked for forced labor "
                 "from neighbouring countries, mainly Tajikistan and Uzbekistan.")
    assert got == {("Tajikistan", (), "Kyrgyzstan"), ("Uzbekistan", (), "Kyrgyzstan")}


def test_role_statement_gives_roles():
    _, x = flows("1. Kyrgyzstan is a source, transit, and destination country for women "
                 "trafficked for sexual exploitation.")
    assert sorted(r.role for r in x.roles) == ["destination", "source", "transit"]


def test_transit_country_with_sources_and_two_destinations():
    got = routes("1. Kyrgyzstan serves as a transit country for trafficking victims recruited in Tajikistan "
                 "and Uzbekistan and transported through Kyrgyzstan to Russia or to Turkey.")
    assert got == {(s, ("Kyrgyzstan",), d) for s in ("Tajikistan", "Uzbekistan")
                   for d in ("Russia", "Turkey")}


def test_a_chain_of_hops_is_one_flow_with_its_transit():
    got = routes("1. Victims were trafficked from Tajikistan by land to Kyrgyzstan, from "
                 "Kyrgyzstan by air to Turkey.")
    assert got == {("Tajikistan", ("Kyrgyzstan",), "Turkey")}


def test_counts_per_destination_and_sub_counts_via_a_transit():
    got, _ = flows("1. In 2007 one woman from Kyrgyzstan was trafficked to Turkey, two females "
                   "and one male victim to Russia, and six to the UAE (four of them transiting "
                   "via Kazakhstan).")
    by_route = {(s, t, d): v for s, t, d, _, v in got}
    assert by_route[("Kyrgyzstan", (), "Turkey")] == 1
    assert by_route[("Kyrgyzstan", (), "Russia")] == 3
    assert by_route[("Kyrgyzstan", (), "United Arab Emirates")] == 6
    assert by_route[("Kyrgyzstan", ("Kazakhstan",), "United Arab Emirates")] == 4


def test_victims_by_nationality_found_in_a_city():
    got, _ = flows("1. Police rescued 12 citizens of Tajikistan held as slaves at a brick "
                   "factory in Osh.")
    assert [(s, d, v) for s, _, d, _, v in got] == [("Tajikistan", "Osh", 12)]
    assert "labor" in got[0][3]


def test_a_demonym_before_victims_is_their_nationality():
    got = routes("1. Three Uzbek victims of sexual exploitation were rescued in Bishkek.")
    assert got == {("Uzbekistan", (), "Bishkek")}


def test_internal_flow_between_cities():
    got, _ = flows("1. Four girls were trafficked from Osh to Bishkek and forced into prostitution.")
    assert got == [("Osh", (), "Bishkek", ("child", "sexual"), 4)]     # girls: minors


def test_the_most_specific_destination_is_kept():
    got = routes("1. Two girls were trafficked from Osh to China and forced into prostitution "
                 "in Urumqi.")
    assert got == {("Osh", (), "Ürümqi")}


def test_an_unnamed_rural_origin_is_the_country_of_the_report():
    got = routes("1. In Kyrgyzstan, girls from rural areas were transported to Bishkek and sold "
                 "to pimps.")
    assert got == {("Kyrgyzstan", (), "Bishkek")}


def test_minors_add_child_to_the_exploitation():
    got, _ = flows("1. A 16-year-old girl was trafficked from Osh to Bishkek for sexual exploitation.")
    assert set(got[0][3]) == {"child", "sexual"}


@pytest.mark.parametrize("text", [
    "1. Heroin is trafficked from Afghanistan through Tajikistan to Russia.",
    "1. Weapons were smuggled from Georgia to Russia.",
    "1. In 2006, 5,000 labor migrants from Tajikistan were legalized in Kyrgyzstan.",
    "1. Twelve Uzbek citizens were deported from Kyrgyzstan to Uzbekistan.",
    "1. There is no evidence that children were trafficked from Kyrgyzstan to Turkey.",
    "1. The press published allegations that girls were trafficked from Osh to Dubai.",
    "1. Officials from Kyrgyzstan and Turkey discussed trafficking at a conference.",
    "1. Kyrgyzstan is a source country for victims of trafficking.",
])
def test_not_flows(text):
    assert routes(text) == set()


def test_every_flow_has_evidence_that_slices_the_text(seeds_build):
    import csv
    _, out = seeds_build
    rows = list(csv.DictReader((out / "flows.csv").open(encoding="utf-8")))
    assert rows
    for row in rows:
        text = (out / "texts" / f"{row['document']}.txt").read_text(encoding="utf-8")
        span = text[int(row["start"]):int(row["end"])]
        assert " ".join(span.split()).endswith(row["evidence"].split()[-1])
        assert 0 < float(row["confidence"]) <= 1


def test_the_country_as_subject_and_regions_with_notably_lists():
    got = routes("1. Spain is named here. The country was a destination for victims, primarily "
                 "trafficked from Africa (notably Nigeria and Ghana), the former Soviet Union, "
                 "and increasingly Asia (notably China), for prostitution.", origin="Embassy Madrid")
    assert {s for s, _, d in got if d == "Spain"} >= {"Nigeria", "Ghana", "China", "Africa",
                                                      "Former Soviet Union", "Asia"}
    assert {d for _, _, d in got} == {"Spain"}
