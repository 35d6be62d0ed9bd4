"""Cable pages as WikiLeaks published them, and other HTML."""
from __future__ import annotations

import html
import random
import re
from pathlib import Path

import pytest

from kg.ingest import read_document
from kg.ingest.html import read_page

from helpers import FIXTURES


def test_cable_page_metadata_comes_from_the_page_table():
    doc = read_document(FIXTURES / "07TESTPOST42.html")
    assert doc.id == "07TESTPOST42"
    assert doc.date == "2007-07-17"
    assert doc.origin == "Embassy Astana"          # not the sidebar's "Embassy Nowhere"
    assert doc.classification == "UNCLASSIFIED//FOR OFFICIAL USE ONLY"
    assert doc.title == 'KAZAKHSTAN: A "TEST" CABLE'
    assert doc.tags == ("KCRM", "KZ")
    assert doc.signer == "SMITH"
    assert doc.kind == "cable"


def test_cable_page_text_is_decoded_and_tags_removed():
    doc = read_document(FIXTURES / "07TESTPOST42.html")
    body = [p for p in doc.paragraphs if p.kind == "body"]
    assert [p.number for p in body] == [1, 2]
    assert "held in Aktobe & forced to work" in body[0].text
    assert "<script>alert(1)</script> stays text" in body[1].text  # text, never markup
    assert "<a " not in doc.text and "&#x000A;" not in doc.text
    for p in doc.paragraphs:
        assert len(p.text) == p.end - p.start


def test_other_html_is_one_document_of_visible_text(tmp_path):
    page = tmp_path / "news.html"
    page.write_text("<html><head><title>News</title><style>p{}</style>"
                    "<script>var secret = 1;</script></head><body><h1>Route found</h1>"
                    "<p>Victims were moved from Osh to Almaty.</p><div><div><p>Second "
                    "paragraph.</p></div></div></body></html>", encoding="utf-8")
    doc = read_document(page)
    assert doc.id == "news" and doc.kind == "text" and doc.title == "News"
    assert [p.text for p in doc.paragraphs] == [
        "Route found", "Victims were moved from Osh to Almaty.", "Second paragraph."]
    assert "secret" not in doc.text


def test_deeply_nested_html_is_read(tmp_path):
    page = tmp_path / "deep.html"
    page.write_text("<div>" * 50000 + "Deep text here." + "</div>" * 50000, encoding="utf-8")
    doc = read_document(page)
    assert doc.paragraphs[0].text == "Deep text here."


def _page_facts(path: Path) -> dict:
    """What the page itself shows, read independently of kg's reader."""
    source = path.read_text(encoding="utf-8")
    viewing = re.search(r"<h3>Viewing cable ([^,]+), (.*?)</h3>", source, re.S)
    created = re.search(r"<a href='/date/[^']*'>(\d{4}-\d{2}-\d{2})", source.split("class='cable'")[1])
    numbered = {int(n) for n in re.findall(r"<a id='par(\d+)'", source)}
    return {"id": viewing.group(1), "subject": " ".join(html.unescape(viewing.group(2)).split()),
            "date": created.group(1), "numbered": numbered}


@pytest.mark.corpus
def test_corpus_sample_matches_what_the_pages_show(corpus_dir):
    pages = sorted(corpus_dir.rglob("*.html"))
    assert len(pages) == 1295
    sample = random.Random(7).sample(pages, 60)
    subject_ok = paragraphs_ok = 0
    for path in sample:
        facts, doc = _page_facts(path), read_document(path)
        assert doc.id == facts["id"] == path.stem
        assert doc.date == facts["date"]
        assert doc.kind == "cable"
        # the page's heading holds the subject's first line only
        subject_ok += " ".join(doc.title.split()).casefold().startswith(facts["subject"].casefold())
        printed = {p.number for p in doc.paragraphs if p.kind == "body"}
        paragraphs_ok += facts["numbered"] <= printed
    assert subject_ok >= 0.95 * len(sample), subject_ok
    assert paragraphs_ok >= 0.95 * len(sample), paragraphs_ok
