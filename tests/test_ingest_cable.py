"""Cable text: header fields, paragraphs and offsets on the five seed cables."""
from __future__ import annotations

import re

import pytest

from kg.ingest import read_document
from kg.ingest.cable import parse

from helpers import SAMPLES

SEEDS = {
    "000_55d5c5f876b887b2.txt": dict(
        id="07ASTANA1925", date="2007-07-17", origin="Embassy Astana",
        classification="UNCLASSIFIED//SENSITIVE",
        tags=("SNAR", "KCRM", "KCOR", "PREL", "PGOV", "KZ", "UZ"),
        title="KAZAKHSTAN: SIX TRAFFICKERS DO THE CRIME... AND GET TIME",
        references=("06 ASTANA 32", "ASTANA 62"), signer="MILAS",
        numbers=[11, 12, 13, 14, 15, 16]),
    "001_e37a08590780672c.txt": dict(
        id="08ASTANA1246", date="2008-07-11", origin="Embassy Astana",
        classification="UNCLASSIFIED", tags=("SOCI", "KCRM", "PREL", "UZ", "KZ"),
        title="KAZAKHSTAN: MEDIA REPORTS ON HUMAN TRAFFICKING CASES FROM FEBRUARY TO JUNE",
        references=(), signer="ORDWAY",
        numbers=[1, 2, 3, 4, 5, 6, 17, 18, 19, 10, 11, 12, 13, 14, 15, 16, 17, 19]),
    "002_1fc1b373a221f2c3.txt": dict(
        id="07ASTANA614", date="2007-03-07", origin="Embassy Astana",
        classification="UNCLASSIFIED//SENSITIVE",
        tags=("KCRM", "PHUM", "KWMN", "SMIG", "KFRD", "ASEC", "PREF", "ELAB", "PREL", "KZ"),
        title="KAZAKHSTAN SUBMISSIONS FOR 2007 TIP REPORT",
        references=("06 STATE 202745",), signer="ORDWAY", numbers=None),
    "003_8a06063bfb95d165.txt": dict(
        id="07ASTANA3162", date="2007-11-20", origin="Embassy Astana",
        classification="UNCLASSIFIED", tags=("KCRM", "PHUM", "SOCI", "KCOR", "PGOV", "KZ"),
        title="KAZAKHSTAN TIP INTERIM ASSESSMENT REPORT FOR 2007",
        references=("SECSTATE 147242", "ASTANA 1925", "ASTANA 1267", "ASTANA 2686",
                    "ASTANA 367", "ASTANA 1061", "ASTANA 3082"),
        signer="ORDWAY", numbers=[1, 2, 2, 3, 14, 15]),
    "004_9575418cb9aa73e5.txt": dict(
        id="07ASTANA2113", date="2007-08-05", origin="Embassy Astana",
        classification="UNCLASSIFIED//SENSITIVE", tags=("PHUM", "PGOV", "KCRIM", "KZ"),
        title="KAZAKHSTAN: G/TIP ACTION PLAN SEEN AS A (MOSTLY) GOOD ROADMAP",
        references=("STATE 99409",), signer="MILAS", numbers=[1, 2, 3, 4]),
}
FIELDS = ("id", "date", "origin", "classification", "tags", "title", "references", "signer")


@pytest.fixture(scope="module")
def docs():
    return {name: read_document(SAMPLES / name) for name in SEEDS}


@pytest.mark.parametrize("name", sorted(SEEDS))
@pytest.mark.parametrize("field", FIELDS)
def test_header_field(docs, name, field):
    assert getattr(docs[name], field) == SEEDS[name][field]


@pytest.mark.parametrize("name", sorted(SEEDS))
def test_recipients_from_to_and_info(docs, name):
    recipients = docs[name].recipients
    assert recipients[0] == "Secretary of State"
    assert "US Office Almaty" in recipients


@pytest.mark.parametrize("name", [n for n in sorted(SEEDS) if SEEDS[n]["numbers"]])
def test_printed_paragraph_numbers(docs, name):
    body = [p for p in docs[name].paragraphs if p.kind == "body"]
    assert [p.number for p in body] == SEEDS[name]["numbers"]
    assert [p.index for p in body] == list(range(1, len(body) + 1))


def test_long_cable_keeps_every_paragraph(docs):
    body = [p for p in docs["002_1fc1b373a221f2c3.txt"].paragraphs if p.kind == "body"]
    numbers = [p.number for p in body]
    assert len(body) == 74  # 1-76 less 46 and 47, lost in "Missing Section 009"
    assert 148 in numbers and 48 not in numbers  # "148." printed for 48: kept as printed
    missing = next(p for p in body if p.number == 45)
    assert "Missing Section" not in missing.text and "*****" not in missing.text


@pytest.mark.parametrize("name", sorted(SEEDS))
def test_paragraph_text_is_the_document_text_with_noise_blanked(docs, name):
    doc = docs[name]
    for p in doc.paragraphs:
        original = doc.text[p.start:p.end]
        assert len(p.text) == len(original)
        for a, b in zip(p.text, original):
            assert a == b or (a == " " and b != "\n")


def test_subject_is_paragraph_zero(docs):
    doc = docs["000_55d5c5f876b887b2.txt"]
    subject = doc.paragraphs[0]
    assert (subject.kind, subject.index, subject.number) == ("subject", 0, 0)
    assert doc.text[subject.start:subject.end] == doc.title


def test_page_marker_is_blanked_but_paragraph_continues(docs):
    doc = docs["002_1fc1b373a221f2c3.txt"]
    p5 = next(p for p in doc.paragraphs if p.number == 5)
    assert "Russia for labor and sexual exploitation" in p5.text  # after the page break
    p17 = next(p for p in doc.paragraphs if p.number == 17)
    assert "OF 016" in doc.text[p17.start:p17.end]
    assert "OF 016" not in p17.text
    assert "neighbouring countries and within Kazakhstan" in p17.text


def test_header_is_not_in_any_paragraph(docs):
    for doc in docs.values():
        for p in doc.paragraphs:
            assert not re.search(r"RUEH|VZCZC|TAGS:|E\.O\. 12958", p.text)
            assert doc.signer not in p.text.split()


def test_duplicated_tail_of_001_is_read_once(docs):
    doc = docs["001_e37a08590780672c.txt"]
    body = " ".join(p.text for p in doc.paragraphs)
    assert body.count("A 14-year-old Kyrgyzstani girl was rescued") == 1
    assert body.count("attend college, was released from a brothel") == 1
    # the whole text still holds both copies: offsets index the file as it is
    assert doc.text.count("A 14-year-old Kyrgyzstani girl was rescued") == 2
    last = doc.paragraphs[-1]
    assert last.number == 19 and last.end < doc.text.rindex("ORDWAY")


def test_fragment_after_page_break_joins_its_paragraph(docs):
    doc = docs["000_55d5c5f876b887b2.txt"]
    p16 = doc.paragraphs[-1]
    assert "judges to" in p16.text and "properly detect" in p16.text


@pytest.mark.parametrize("text, expected", [
    ("S E C R E T SECTION 01 OF 03 LA PAZ 000906", ("06LAPAZ906", "SECRET")),
    ("C O N F I D E N T I A L TEHRAN 08980", ("06TEHRAN8980", "CONFIDENTIAL")),
    ("UNCLAS SECTION 01 OF 16 ASTANA 000614", ("06ASTANA614", "UNCLASSIFIED")),
    ("LIMITED OFFICIAL USE ROME 001234", ("06ROME1234", "LIMITED OFFICIAL USE")),
])
def test_classification_lines(text, expected):
    cable = parse(f"P 311326Z MAR 06\nFM AMEMBASSY LA PAZ\n\n{text}\n\nSUBJECT: X\n\n1. Body text here.\n")
    assert (cable.cable_id, cable.classification) == expected


def test_plain_text_paragraphs_split_on_blank_lines():
    cable = parse("A report on routes.\n\nVictims were moved from A to B.\nMore.\n\n\nEnd.\n")
    assert not cable.is_cable
    assert [(p.number, p.text) for p in cable.paragraphs] == [
        (1, "A report on routes."), (2, "Victims were moved from A to B.\nMore."), (3, "End.")]


def test_all_caps_cable_is_read():
    text = ("R 130458Z AUG 79\nFM AMEMBASSY TEHRAN\nTO SECSTATE WASHDC 3182\n\n"
            "C O N F I D E N T I A L SECTION 01 OF 02 TEHRAN 08980\n\nTAGS: PEPR IR\n"
            "SUBJECT: NEGOTIATIONS\n\n1. (C - ENTIRE TEXT).\n\n2. INTRODUCTION: RECENT "
            "NEGOTIATIONS IN WHICH THE\nEMBASSY HAS BEEN INVOLVED.\n\nLAINGEN\n")
    cable = parse(text)
    assert cable.cable_id == "79TEHRAN8980" and cable.date == "1979-08-13"
    assert [p.number for p in cable.paragraphs] == [0, 1, 2]
    assert cable.signer == "LAINGEN"


def test_a_document_without_its_text_keeps_its_counts_and_metadata():
    doc = read_document(SAMPLES / "000_55d5c5f876b887b2.txt")
    slim = doc.without_text()
    assert slim.text == "" and slim.paragraphs == ()
    assert slim.words == doc.words > 400
    assert slim.body_paragraphs == doc.body_paragraphs == sum(p.kind == "body" for p in doc.paragraphs) > 5
    assert (slim.id, slim.date, slim.title, slim.sha256) == (doc.id, doc.date, doc.title, doc.sha256)
