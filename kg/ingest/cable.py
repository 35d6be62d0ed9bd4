"""Read the text of a US diplomatic cable (or any plain text) into metadata and paragraphs.

Every paragraph is a span of the text; what is not content inside it (page markers,
"Missing Section" notes, headings) is blanked with spaces, so offsets always index the text.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from kg.ids import normalise
from kg.model import Paragraph

_MONTHS = {m: i for i, m in enumerate(
    "JAN FEB MAR APR MAY JUN JUL AUG SEP OCT NOV DEC".split(), start=1)}

DTG = re.compile(r"^\s*[A-Z]{1,2}\s+(\d{2})(\d{2})(\d{2})Z\s+([A-Z]{3})\s+(\d{4}|\d{2})\b")
FROM = re.compile(r"^\s*FM\s+(.+?)\s*$")
CLASSIFICATION = re.compile(
    r"^\s*(?P<cls>UNCLAS(?:SIFIED)?(?:\s+E\s*F\s*T\s*O)?|C\s*O\s*N\s*F\s*I\s*D\s*E\s*N\s*T\s*I\s*A\s*L"
    r"|S\s*E\s*C\s*R\s*E\s*T|T\s*O\s*P\s+S\s*E\s*C\s*R\s*E\s*T|LIMITED\s+OFFICIAL\s+USE)"
    r"(?:\s+(?:NOFORN|SENSITIVE|NODIS|EXDIS|LIMDIS|SIPDIS))*"
    r"(?:\s+SECTION\s+\d+\s+OF\s+\d+)?\s+(?P<post>[A-Z][A-Z .'-]*?)\s+0*(?P<num>\d{1,7})\s*$")
CAVEAT = re.compile(r"^\s*(SENSITIVE|NOFORN|EXDIS|LIMDIS|NODIS|SIPDIS|STADIS)\s*$")
TAGS = re.compile(r"^\s*TAGS\s*:?\s*(.*)$")
SUBJECT = re.compile(r"^\s*SUBJ(?:ECT)?\s*:\s*")
REF = re.compile(r"^\s*REFS?\s*:")
REF_ITEM = re.compile(r"^\s*(?:-\s*)?(?:¶\s*)?[A-Z]{1,2}\s*[.)]\s+\S")
CLASSIFIED_BY = re.compile(r"^\s*(?:CLASSIFIED\s+BY|Classified\s+By|DERIVED\s+FROM)\b", re.I)
ROUTING = re.compile(r"^\s*(?:VZCZC|[A-Z]{2}\s+RUE|DE\s+RUE|ZNR\s|ZNY\s|ZZH\b|NNNN|R\s+\d{6}Z|"
                     r"[A-Z]{1,2}\s+\d{6}Z|FM\s|TO\s|INFO\s|E\.\s*O\.|E\.O\.|TAGS)")
NUMBERED = re.compile(r"^\s*(?:¶\s*(\d{1,3})\.?|(\d{1,3})\s*\.)(?=\s|\(|$)")
NOISE = re.compile(
    r"^[\s\\*]*(?:[A-Z][A-Z .'-]*\s+\d{5,8}\s+\d{3}(?:\.\d+)?\s+OF\s+\d{3}"   # ASTANA 00000614 002.2 OF 016
    r"|Missing Section \d+[\s\\*]*|[-_=*\\]{3,}|NNNN|SIPDIS|(?:END\s+)?PAGE\s+\d+.*)\s*$", re.I)
INLINE_PARAGRAPH = re.compile(r"\s(?:¶\s*)?1\.\s+\((?:U|C|S|SBU|S/NF|C/NF)\)")
SIGNER = re.compile(r"^\s*[A-Z][A-Z'.-]+(?:\s+[A-Z][A-Z'.-]+){0,2}\s*$")
_HEADER_LIMIT = 250  # lines: a header longer than this is not a header


@dataclass
class Line:
    start: int
    end: int   # without the line break
    text: str

    @property
    def blank(self) -> bool:
        return not self.text.strip()


@dataclass
class CableText:
    """What the parser read: metadata (empty strings where absent) and paragraphs."""

    paragraphs: list[Paragraph]
    is_cable: bool = False
    cable_id: str = ""
    date: str = ""
    origin: str = ""
    classification: str = ""
    tags: list[str] = field(default_factory=list)
    subject: str = ""
    recipients: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    signer: str = ""
    duplicates: int = 0   # blocks dropped because the text already said them


def lines_of(text: str) -> list[Line]:
    out, pos = [], 0
    for raw in text.splitlines(keepends=True):
        body = raw.rstrip("\r\n")
        out.append(Line(pos, pos + len(body), body))
        pos += len(raw)
    return out


def parse(text: str) -> CableText:
    """Parse a cable, or fall back to plain text (paragraphs split on blank lines).

    >>> c = parse("UNCLAS ASTANA 001925\\n\\nSUBJECT: KAZAKHSTAN: A CASE\\n\\n"
    ...           "1. (U) Summary: a court convicted six.\\n\\nMILAS\\n")
    >>> c.is_cable, c.subject, c.signer, [p.number for p in c.paragraphs]
    (True, 'KAZAKHSTAN: A CASE', 'MILAS', [0, 1])
    """
    lines = lines_of(text)
    header = _header(lines)
    if header is None:
        paragraphs, _, dups = _body(text, lines, cable=False)
        return CableText(paragraphs=paragraphs, duplicates=dups)
    body_from, subject_span, result = header
    if subject_span:
        a, b = subject_span
        result.paragraphs.append(Paragraph(0, 0, a, b, _mask(text, a, b, [(a, b)]), "subject"))
    paragraphs, signer, dups = _body(text, lines[body_from:], cable=True)
    result.paragraphs.extend(paragraphs)
    result.signer, result.duplicates = signer, dups
    return result


# ---------------------------------------------------------------- header

def _header(lines: list[Line]) -> tuple[int, tuple[int, int] | None, CableText] | None:
    """Find and read the cable header; None when the text is not a cable.

    Returns the index of the first body line, the span of the subject text and the metadata.
    """
    limit = min(len(lines), _HEADER_LIMIT)
    first_para = next((i for i in range(limit) if NUMBERED.match(lines[i].text)
                       and not CLASSIFICATION.match(lines[i].text)), limit)
    subject_at = next((i for i in range(first_para) if SUBJECT.match(lines[i].text)), None)
    marks = [i for i in range(first_para) if _is_header_line(lines[i].text)]
    if subject_at is None and len(marks) < 2:
        return None
    meta = CableText(paragraphs=[], is_cable=True)
    end = (subject_at if subject_at is not None else (marks[-1] if marks else -1)) + 1
    _read_fields(lines[:end], meta)
    subject_span = None
    if subject_at is not None:
        j = subject_at + 1
        while j < len(lines) and not lines[j].blank and not (
                REF.match(lines[j].text) or NUMBERED.match(lines[j].text)
                or CLASSIFIED_BY.match(lines[j].text)):
            j += 1
        first = lines[subject_at]
        start = first.start + SUBJECT.match(first.text).end()
        stop = lines[j - 1].end
        meta.subject = " ".join(" ".join(lines[k].text for k in range(subject_at, j)).split())
        meta.subject = SUBJECT.sub("", meta.subject, count=1)
        subject_span = (start, stop) if stop > start else None
        end = j
    end = _skip_refs(lines, end, meta)
    return end, subject_span, meta


def _is_header_line(text: str) -> bool:
    return bool(DTG.match(text) or FROM.match(text) or CLASSIFICATION.match(text)
                or TAGS.match(text) or ROUTING.match(text))


def _read_fields(lines: list[Line], meta: CableText) -> None:
    """Read date, origin, recipients, classification, caveats and tags from header lines."""
    block: str | None = None
    caveats: list[str] = []
    post = number = ""
    for i, line in enumerate(lines):
        text = line.text.strip()
        if not text:
            block = None
            continue
        if m := DTG.match(text):
            day, month, year = int(m.group(1)), _MONTHS.get(m.group(4)), m.group(5)
            if month:
                year_full = int(year) if len(year) == 4 else _century(int(year))
                meta.date = f"{year_full:04d}-{month:02d}-{day:02d}"
        elif m := FROM.match(text):
            meta.origin = origin_name(m.group(1))
        elif text.startswith(("TO ", "INFO ")):
            block = "to"
            meta.recipients.append(_recipient(text.split(None, 1)[1]))
        elif block == "to" and re.match(r"^[A-Z0-9]{3,9}/", text):
            meta.recipients.append(_recipient(text))
        elif m := CLASSIFICATION.match(text):
            meta.classification = _classification(m.group("cls"))
            caveats += re.findall(r"NOFORN|SENSITIVE|NODIS|EXDIS|LIMDIS", text)
            post, number = m.group("post"), m.group("num")
        elif m := CAVEAT.match(text):
            if m.group(1) != "SIPDIS":
                caveats.append(m.group(1))
        elif m := TAGS.match(text):
            tags = m.group(1)
            k = i + 1
            while k < len(lines) and lines[k].text.strip() and not SUBJECT.match(lines[k].text):
                tags += " " + lines[k].text
                k += 1
            meta.tags = _tags(tags)
        elif block is None and re.fullmatch(r"[A-Z]{2,8}(?:\s*,\s*[A-Z]{2,8})+", text) and meta.tags:
            meta.tags += [t for t in _tags(text) if t not in meta.tags]
    for caveat in dict.fromkeys(caveats):
        meta.classification += f"//{caveat}"
    if post and number and meta.date:
        meta.cable_id = f"{meta.date[2:4]}{re.sub(r'[^A-Z]', '', post)}{int(number)}"


def _skip_refs(lines: list[Line], i: int, meta: CableText) -> int:
    """Skip blank lines, the REF block and a "Classified By" block; return the body's start."""
    n = len(lines)
    while True:
        while i < n and lines[i].blank:
            i += 1
        if i < n and REF.match(lines[i].text):
            ref = lines[i].text.split(":", 1)[1]
            i += 1
            while i < n:
                if lines[i].blank:
                    k = i
                    while k < n and lines[k].blank:
                        k += 1
                    if k < n and REF_ITEM.match(lines[k].text) and not NUMBERED.match(lines[k].text):
                        i = k
                        continue
                    break
                if NUMBERED.match(lines[i].text) or not _looks_like_ref(lines[i].text):
                    break
                ref += "\n" + lines[i].text
                i += 1
            meta.references = [r for r in map(_clean_ref, ref.split("\n")) if r]
        elif i < n and CLASSIFIED_BY.match(lines[i].text):
            line = lines[i]
            if m := INLINE_PARAGRAPH.search(line.text):  # "Classified By: ... 1. (C) Summary"
                lines[i] = Line(line.start, line.start + m.start(), line.text[:m.start()])
                lines.insert(i + 1, Line(line.start + m.start() + 1, line.end, line.text[m.start() + 1:]))
            i += 1
            while i < n and not lines[i].blank and not NUMBERED.match(lines[i].text):
                i += 1
        else:
            return i


def _looks_like_ref(text: str) -> bool:
    """A line that continues a REF block: an item ("B) ASTANA 1925") or a line of capitals."""
    return bool(REF_ITEM.match(text)) or (
        not re.search(r"[a-z]", text) and not re.match(r"\s*\((?:U|C|S|SBU|S/NF|C/NF)\)", text))


def _clean_ref(text: str) -> str:
    text = re.sub(r"^\s*(?:-\s*)?(?:¶\s*)?[A-Z]\s*[.)]\s*", "", text)
    return " ".join(text.split()).strip(" .;,")


def _century(year: int) -> int:
    return 2000 + year if year < 70 else 1900 + year


def _classification(raw: str) -> str:
    word = re.sub(r"\s+", "", raw).upper()
    if word.startswith("UNCLAS"):
        return "UNCLASSIFIED" + ("//EFTO" if word.endswith("EFTO") else "")
    if word.startswith("LIMITED"):
        return "LIMITED OFFICIAL USE"
    return {"TOPSECRET": "TOP SECRET"}.get(word, word)


def _recipient(text: str) -> str:
    text = re.sub(r"^[A-Z0-9]{3,9}/", "", text.strip())
    text = re.sub(r"\s+(?:IMMEDIATE|PRIORITY|ROUTINE|FLASH|NIACT)?\s*\d*\s*$", "", text)
    return origin_name(text)


def origin_name(raw: str) -> str:
    """A readable name for a sending or receiving station.

    >>> origin_name("AMEMBASSY LA PAZ"), origin_name("SECSTATE WASHDC")
    ('Embassy La Paz', 'Secretary of State')
    """
    raw = " ".join(raw.split()).strip()
    for prefix, name in (("AMEMBASSY", "Embassy"), ("AMCONSUL", "Consulate"),
                         ("USMISSION", "Mission"), ("USOFFICE", "US Office"),
                         ("USDEL", "US Delegation")):
        if raw.upper().startswith(prefix + " "):
            return f"{name} {raw[len(prefix) + 1:].title()}"
    if raw.upper().startswith("SECSTATE"):
        return "Secretary of State"
    return raw


def _tags(text: str) -> list[str]:
    text = re.sub(r"\]\([^)]*\)", "]", text)  # markdown links: [KZ](#)
    tags = re.findall(r"(?<![A-Za-z0-9_])[A-Z][A-Z0-9_]{1,7}(?![A-Za-z0-9_])", text)
    return list(dict.fromkeys(tags))


# ---------------------------------------------------------------- body

def _blocks(lines: list[Line]) -> list[list[Line]]:
    blocks: list[list[Line]] = []
    current: list[Line] = []
    for line in lines:
        if line.blank:
            if current:
                blocks.append(current)
            current = []
            continue
        if current and _starts_paragraph(line.text, current[-1].text):
            blocks.append(current)
            current = []
        current.append(line)
    if current:
        blocks.append(current)
    return blocks


def _starts_paragraph(line: str, previous: str) -> bool:
    """A numbered line with no blank line before it: "¶2." always, "2." after a full stop."""
    m = NUMBERED.match(line)
    if not m:
        return False
    return m.group(1) is not None or previous.rstrip().endswith((".", ":", '"', ")"))


def _is_heading(content: list[Line]) -> bool:
    """A short line or two of capitals that stands alone: a section heading or the signer."""
    text = " ".join(line.text.strip() for line in content)
    return (len(content) <= 3 and all(len(line.text.strip()) <= 70 for line in content)
            and not re.search(r"[a-z]", text) and re.search(r"[A-Z]", text) is not None
            and not text.endswith((".", ",", ";", ":")) and not NUMBERED.match(text))


def _body(text: str, lines: list[Line], cable: bool) -> tuple[list[Paragraph], str, int]:
    """Group the body into paragraphs; return them, the signer and how many blocks repeated."""
    groups: list[tuple[int | None, list[Line]]] = []
    seen = ""           # normalised text read so far, to drop what the document repeats
    signer, dups = "", 0
    numbering = False
    for block in _blocks(lines):
        content = [line for line in block if not NOISE.match(line.text)]
        if not content:
            continue
        if _is_heading(content):
            if cable and groups and SIGNER.match(content[-1].text):
                signer = content[-1].text.strip()
            continue
        key = normalise(" ".join(line.text for line in content))
        if len(key) >= 20 and key in seen:
            dups += 1
            continue
        seen += " " + key
        signer = ""  # content after a signer line: that line was a heading
        m = NUMBERED.match(content[0].text)
        first_char = next((c for c in content[0].text if c.isalpha()), "")
        if m:
            numbering = True
            groups.append((int(m.group(1) or m.group(2)), content))
        elif groups and (first_char.islower() or (cable and numbering)):
            groups[-1][1].extend(content)
        else:
            groups.append((None, content))
    paragraphs = []
    for index, (number, content) in enumerate(groups, start=1):
        start, end = content[0].start, content[-1].end
        keep = [(line.start, line.end) for line in content]
        paragraphs.append(Paragraph(index, number if number is not None else index,
                                    start, end, _mask(text, start, end, keep)))
    return paragraphs, signer, dups


def _mask(text: str, start: int, end: int, keep: list[tuple[int, int]]) -> str:
    """text[start:end] with everything outside ``keep`` blanked (line breaks stay)."""
    out, cursor = [], start
    for a, b in keep:
        out.append(_blank(text[cursor:a]))
        out.append(text[a:b])
        cursor = b
    out.append(_blank(text[cursor:end]))
    return "".join(out)


def _blank(chunk: str) -> str:
    """Every character a space but the line breaks."""
    return "\n".join(" " * len(line) for line in chunk.split("\n")) if chunk else ""
