"""Organisations: lexicon with acronyms, names built on head words, cues, defined acronyms."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.extract import extract

from helpers import SAMPLES, doc_of, found

ASTANA = "Embassy Astana"


def entity_of(text: str, surface: str, origin: str = ASTANA):
    x = extract(doc_of(text, origin=origin))
    by_id = {e.id: e for e in x.entities}
    hits = [by_id[m.entity_id] for m in x.mentions if m.text == surface]
    assert hits, f"{surface!r} not found in {[m.text for m in x.mentions]}"
    return hits[0]


@pytest.mark.parametrize("text, surface, name, type_", [
    ("1. The MVD opened a case.", "MVD", "Ministry of Internal Affairs", "GovernmentAgency"),
    ("1. IOM assisted 12 victims.", "IOM", "International Organization for Migration",
     "InternationalOrganization"),
    ("1. Funding came from USAID.", "USAID", "United States Agency for International Development",
     "GovernmentAgency"),
    ("1. The Anti-Organized Crime Unit of the West Kazakhstan Transportation Police Department "
     "made arrests.", "Anti-Organized Crime Unit", "Anti-Organized Crime Unit", "GovernmentAgency"),
    ("1. The Anti-Organized Crime Unit of the West Kazakhstan Transportation Police Department "
     "made arrests.", "West Kazakhstan Transportation Police Department",
     "West Kazakhstan Transportation Police Department", "GovernmentAgency"),
    ("1. The Union of Crisis Centers runs shelters.", "Union of Crisis Centers",
     "Union of Crisis Centers", "NGO"),
    ("1. Grants went to the Women's Support Center from Petropavlovsk.", "Women's Support Center",
     "Women's Support Center", "NGO"),
    ("1. The case was heard by the Aktobe town court last week.", "Aktobe town court",
     "Aktobe town court", "Court"),
    ("1. The regional court of Zhambyl Oblast changed the sentence.",
     "regional court of Zhambyl Oblast", "Zhambyl Oblast regional court", "Court"),
    ("1. Grants went to the Bolashak NGO from Taraz.", "Bolashak NGO", "Bolashak", "NGO"),
    ("1. June 4, Vremya: Fifteen workers were freed.", "Vremya", "Vremya", "Media"),
    ("1. June 4, Novaya Gazeta: Fifteen workers were freed.", "Novaya Gazeta", "Novaya Gazeta", "Media"),
    ("1. Officials spoke in a weekly television news program called Hard Talk.", "Hard Talk",
     "Hard Talk", "Media"),
])
def test_organisation_is_found_with_name_and_type(text, surface, name, type_):
    entity = entity_of(text, surface)
    assert (entity.name, entity.type) == (name, type_)


def test_generic_ministry_takes_the_country_of_the_sending_post():
    assert entity_of("1. The Ministry of Justice agreed.", "Ministry of Justice").country == "Kazakhstan"
    assert entity_of("1. The Ministry of Justice agreed.", "Ministry of Justice",
                     origin="Embassy Bishkek").country == "Kyrgyzstan"


def test_a_country_adjective_names_another_countrys_ministry():
    # the mention reads as the text names the body, adjective and all
    mvd = entity_of("1. The Kyrgyz MVD and the MVD met.", "Kyrgyz MVD")
    assert mvd.country == "Kyrgyzstan"
    assert entity_of("1. The Kyrgyz MVD and the MVD met.", "MVD").country == "Kazakhstan"


def test_a_defined_acronym_joins_its_full_name_everywhere_in_the_document():
    text = ("1. The Interagency Trafficking Commission (ITC) met.\n\n"
            "2. Later the ITC adopted a plan.")
    x = extract(doc_of(text, origin=ASTANA))
    by_id = {e.id: e for e in x.entities}
    itc = {by_id[m.entity_id].name for m in x.mentions if m.text in ("ITC", "Interagency Trafficking Commission")}
    assert itc == {"Interagency Trafficking Commission"}
    assert sum(m.text == "ITC" for m in x.mentions) == 2


def test_two_bodies_joined_by_and_are_two():
    names = {n for _, n, _ in found("1. The Border Guards and Migration Police met.", ASTANA)}
    assert {"Border Guard Service", "Migration Police"} <= names


def test_a_name_with_and_inside_stays_one():
    names = {n for _, n, _ in found("1. The Ministry of Education and Science agreed.", ASTANA)}
    assert "Ministry of Education and Science" in names


def test_post_is_the_sending_embassy_and_the_washington_post_is_not():
    x = found("1. Post raised the case. The Washington Post wrote about it.", ASTANA)
    assert [(s, n) for s, n, _ in x if "Post" in s] == [("Post", "U.S. Embassy Astana")]


def test_a_place_inside_an_organisation_name_is_not_a_mention_of_the_place():
    x = found("1. Grants went to the Phoenix Center for Development and Adaptation.", ASTANA)
    assert ("Phoenix", "Phoenix", "City") not in x
    assert any(t == "NGO" for _, _, t in x)


@pytest.mark.parametrize("text", [
    "1. Police in Almaty detained three men.",
    "1. The Government of Kazakhstan adopted the Action Plan of the Government.",
    "1. They created a new Information Service system.",
    "1. Local NGOs and a Taraz-based NGO helped.",
    "1. The Christian Democratic Union won the vote.",       # a party: no entity type for it
    "1. The Soviet Union collapsed in 1991.",                 # a place, not a union
])
def test_generic_phrases_are_not_organisations(text):
    orgs = [(s, n) for s, n, t in found(text, ASTANA)
            if t in ("GovernmentAgency", "NGO", "Court", "Media", "InternationalOrganization")]
    assert orgs == []


@pytest.mark.parametrize("text, name", [
    ("1. She was held in the village of Chagan.", "Chagan"),
    ("1. A resident of Volnyi escaped.", "Volnyi"),
    ("1. Two women from Beineu (a town near the border) were convicted.", "Beineu"),
])
def test_small_towns_named_by_how_the_text_speaks_of_them(text, name):
    assert (name, name, "City") in found(text, ASTANA)


def _runs_by_scanning_every_word(text: str) -> list[list[tuple[int, int]]]:
    """The oracle for org_names.capitalised_runs: TOKEN over the whole text, word by word (runs of
    two words or more)."""
    from kg.extract.org_names import CONNECTORS, TOKEN
    runs, current, last_end = [], [], 0
    for m in TOKEN.finditer(text):
        word, (start, end) = m.group(0), m.span()
        capital = word[0].isupper() or word.startswith("anti-")
        gap = text[last_end:start]
        if current and not gap.strip() and "\n\n" not in gap and (capital or (
                word in CONNECTORS and (word != "the" or text[slice(*current[-1])] in CONNECTORS))):
            current.append((start, end))
        else:
            runs.append(current)
            current = [(start, end)] if capital else []
        last_end = end
    runs.append(current)
    out = []
    for run in runs:
        while run and text[slice(*run[-1])] in CONNECTORS:
            run = run[:-1]
        if len(run) > 1:
            out.append(run)
    return out


RUN_PIECES = ["Ministry", "of", "the", "and", "in", "&", "&Kurdish", "anti-", "anti-Trafficking", "anti- ",
              "McDonald", "O'Brien", "U.S.", "U.S.-EU", "R&D", "AT&T", "_X", "9Z", "Öskemen", "ÖZ",
              "Kazakhstan?", "Days? Then", " ", "  ", "\n", "\n\n", "\n \n", ".", ",", "-", "'", "’s", "/", "x", "A",
              "3Com", "a3", "for", "against", "often", "The", "anti-x"]


@given(st.lists(st.sampled_from(RUN_PIECES), max_size=30))
@settings(max_examples=3000, deadline=None)
def test_runs_of_capitalised_words_are_those_of_a_word_by_word_scan(pieces):
    from kg.extract.org_names import capitalised_runs
    text = "".join(pieces)
    assert capitalised_runs(text) == _runs_by_scanning_every_word(text)


def test_runs_on_the_seeds_are_those_of_a_word_by_word_scan():
    from kg.extract.org_names import capitalised_runs
    for path in sorted(SAMPLES.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        assert capitalised_runs(text) == _runs_by_scanning_every_word(text)


# ------------------------------------------------------------------ cables of any post (issue 27)

def names_of(text: str, origin: str = ASTANA) -> dict[str, tuple[str, str]]:
    """Entity name -> (type, country) of the organisations a text names."""
    x = extract(doc_of(text, origin=origin))
    return {e.name: (e.type, e.country) for e in x.entities
            if e.type in ("GovernmentAgency", "Court", "NGO", "InternationalOrganization", "Media")}


@pytest.mark.parametrize("text, name, type_, country", [
    # a legislature named as a body: the host's, or the country its adjective names
    ("1. The draft now goes to the Senate, and the Chamber of Deputies votes in May.",
     "Chamber of Deputies", "GovernmentAgency", "Kazakhstan"),
    ("1. The U.S. Congress passed a resolution on the matter.", "Congress", "GovernmentAgency",
     "United States"),
    ("1. The Speaker said Parliament would meet on Friday.", "Parliament", "GovernmentAgency",
     "Kazakhstan"),
    # an international tribunal is a court
    ("1. The suspect was sent to the International Criminal Court in March.",
     "International Criminal Court", "Court", ""),
    # acronyms of agencies and commands that the text does not define
    ("1. CENTCOM planners asked the DOD for more aircraft.", "U.S. Central Command",
     "GovernmentAgency", "United States"),
    ("1. CENTCOM planners asked the DOD for more aircraft.", "Department of Defense",
     "GovernmentAgency", "United States"),
    # another country's embassy is that country's body
    ("1. He met the French Embassy in Astana on Monday.", "French Embassy in Astana",
     "GovernmentAgency", "France"),
    # a head word with a country's adjective alone
    ("1. The Latvian Navy took part in the exercise.", "Latvian Navy", "GovernmentAgency", "Latvia"),
    # a body described in lower case and named by its acronym
    ("1. An inquiry by the Polish border guards (SG) found nothing.", "SG", "GovernmentAgency",
     "Poland"),
    # "the NGO X" without quotes
    ("1. The Almaty-based NGO Zhardem Birlik sheltered them.", "Zhardem Birlik", "NGO", "Kazakhstan"),
])
def test_bodies_of_any_post(text, name, type_, country):
    assert names_of(text).get(name) == (type_, country), names_of(text)


def test_the_congress_party_is_no_legislature():
    assert "Congress" not in names_of("1. The Congress Party won the vote in Delhi.")


@pytest.mark.parametrize("text", [
    "1. Fighters of the Army of Islam crossed the line.",
    "1. The Mahdi Army left the city.",
])
def test_an_army_of_no_state_is_not_a_body(text):
    assert not [n for n in names_of(text) if "Army" in n]


def test_one_body_however_the_text_writes_it():
    """The adjective, "X Department" and "Department of X", a possessive: one body."""
    text = ("1. The Latvian Department of Roads wrote to us. The Roads Department's letter asked "
            "for notice to the Department of Roads.")
    x = extract(doc_of(text, origin="Embassy Riga"))
    roads = {x_e.id for x_e in x.entities if "Roads" in x_e.name}
    assert len(roads) == 1
    (entity,) = [e for e in x.entities if e.id in roads]
    assert entity.country == "Latvia"
    assert {"Latvian Department of Roads", "Roads Department", "Department of Roads"} <= {entity.name, *entity.aliases}


def test_a_possessive_between_two_bodies_names_both():
    names = names_of("1. The Ministry of Health's Sanitary Inspection Directorate closed the plant.")
    assert names["Sanitary Inspection Directorate"] == ("GovernmentAgency", "Kazakhstan")
    assert "Ministry of Health" in names


def test_a_possessive_inside_a_name_stays():
    assert "Council for Children's Rights" in names_of("1. The Council for Children's Rights met.")


def test_a_redaction_mark_glued_to_a_name_is_not_part_of_it():
    names = names_of("1. We met the Tax Inspection Directorate.xxxxx said the rules stand.")
    assert "Tax Inspection Directorate" in names
    assert not [n for n in names if "xxxxx" in n]


def test_a_name_on_an_acronym_the_text_defined_for_a_firm_is_no_body():
    text = ("1. Petrostar Holding (PSH) bought the plant.\n\n"
            "2. Two members of the PSH Audit Committee resigned.")
    assert not [n for n in names_of(text) if "PSH" in n]
