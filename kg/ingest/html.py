"""Take the text out of HTML: a WikiLeaks cable page (its <pre> blocks), or any page."""
from __future__ import annotations

import html
import re
from dataclasses import dataclass

_PRE = re.compile(r"<pre\b[^>]*>(.*?)</pre\s*>", re.S | re.I)
_TAG = re.compile(r"<[^>]*>")
_DROP = re.compile(r"<(script|style|head|noscript|template)\b.*?</\1\s*>", re.S | re.I)
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_BLOCK_END = re.compile(r"<\s*(?:br|/p|/div|/li|/h[1-6]|/tr|/pre|/blockquote|/section|/article"
                        r"|/table|/ul|/ol|hr)\b[^>]*>", re.I)
_TITLE = re.compile(r"<title\b[^>]*>(.*?)</title\s*>", re.S | re.I)
_CELL_LINK = {
    "cable_id": re.compile(r"<a href=['\"]/cable/[^'\"]*['\"]>\s*([^<]+?)\s*</a>"),
    "date": re.compile(r"<a href=['\"]/date/[^'\"]*['\"]>\s*(\d{4}-\d{2}-\d{2})[^<]*</a>"),
    "classification": re.compile(r"<a href=['\"]/classification/[^'\"]*['\"][^>]*>\s*([^<]+?)\s*</a>"),
    "origin": re.compile(r"<a href=['\"]/origin/[^'\"]*['\"]>\s*([^<]+?)\s*</a>"),
}
_TABLE = re.compile(r"<table class=['\"]cable['\"]>.*?</table>", re.S | re.I)
_VIEWING = re.compile(r"<h3>\s*Viewing cable\s+[^,<]+,\s*(.*?)\s*</h3>", re.S | re.I)


@dataclass
class Page:
    text: str
    is_cable_page: bool
    cable_id: str = ""
    date: str = ""
    classification: str = ""
    origin: str = ""
    title: str = ""


def read_page(source: str) -> Page:
    """Read an HTML page: a cable page gives its cable text and the page's metadata.

    >>> p = read_page("<table class='cable'><a href='/cable/2007/07/07ASTANA1925.html'>"
    ...               "07ASTANA1925</a></table><pre>UNCLAS&#x000A;&lt;b&gt; x</pre>")
    >>> p.is_cable_page, p.cable_id, p.text
    (True, '07ASTANA1925', 'UNCLAS\\n<b> x')
    """
    blocks = _PRE.findall(source)
    if blocks and ("class='cable'" in source or 'class="cable"' in source):
        text = "\n\n".join(_text_of(block) for block in blocks)
        table = _TABLE.search(source)
        cells = table.group(0) if table else ""
        meta = {k: html.unescape(m.group(1)).strip() if (m := rx.search(cells)) else ""
                for k, rx in _CELL_LINK.items()}
        title = _VIEWING.search(source)
        return Page(text, True, title=html.unescape(title.group(1)) if title else "", **meta)
    return Page(plain_text(source), False, title=_title(source))


def _text_of(fragment: str) -> str:
    # WikiLeaks writes each line break as "&#x000A;": replaced at once, they leave html.unescape
    # a few references to look up instead of every line's (0.06 s for the corpus, not 0.25)
    return html.unescape(_TAG.sub("", fragment).replace("&#x000A;", "\n")).replace("\r\n", "\n")


def plain_text(source: str) -> str:
    """The visible text of any HTML page, with blank lines between blocks."""
    body = _COMMENT.sub("", source)
    body = _DROP.sub(" ", body)
    body = _BLOCK_END.sub("\n\n", body)
    text = html.unescape(_TAG.sub("", body))
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip() + "\n"


def _title(source: str) -> str:
    m = _TITLE.search(source)
    return " ".join(html.unescape(_TAG.sub("", m.group(1))).split()) if m else ""
