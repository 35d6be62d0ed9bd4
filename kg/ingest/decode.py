"""Bytes to text: UTF-8 (with or without BOM) and cp1252/latin-1; anything else is refused."""
from __future__ import annotations

import re

from kg.errors import InputError

# C0 controls other than tab, line feed, form feed and carriage return: never in real text.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
# the same characters as bytes: one byte each in UTF-8, cp1252 and latin-1 alike (a byte below
# 0x80 is never part of a longer UTF-8 character), counted in the bytes six times faster
_CONTROL_BYTES = bytes([*range(0x09), 0x0b, *range(0x0e, 0x20), 0x7f])
_BOMS = {b"\xff\xfe": "UTF-16 (little-endian)", b"\xfe\xff": "UTF-16 (big-endian)"}


def decode(data: bytes, path: str) -> tuple[str, str]:
    """Decode a file's bytes; return (text, encoding name).

    Raises InputError naming the file and what is wrong: empty, binary, or an encoding kg
    does not read. Line endings are kept as they are, so offsets index the file as decoded.
    A few stray control characters (NUL bytes from a bad copy, at most one in a thousand)
    become spaces, one for one, so the text is read and offsets still hold.

    >>> decode("Astana – Almaty".encode("utf-8"), "a.txt")
    ('Astana – Almaty', 'utf-8')
    >>> decode("Astana – Almaty".encode("cp1252"), "a.txt")
    ('Astana – Almaty', 'cp1252')
    """
    if not data.strip():
        raise InputError(path, "empty file (no text to read)")
    for bom, name in _BOMS.items():
        if data.startswith(bom):
            raise InputError(path, f"{name} text: save it as UTF-8 and build again")
    nuls = data.count(b"\x00")
    if nuls > max(8, len(data) // 1000):
        raise InputError(path, "binary file (contains NUL bytes), not a text or HTML document")
    if data.startswith(b"\xef\xbb\xbf"):
        text, encoding = _utf8(data[3:], path), "utf-8-sig"
    else:
        try:
            text, encoding = data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError as exc:
            text, encoding = _legacy(data, path, exc), "cp1252"
    controls = len(data) - len(data.translate(None, _CONTROL_BYTES))
    if controls > max(8, len(text) // 1000):
        raise InputError(path, f"binary file ({controls} control characters), not a text document")
    if controls:
        text = _CONTROL.sub(" ", text)
    return text, encoding


def _utf8(data: bytes, path: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(path, f"invalid UTF-8 at byte {exc.start + 3} (the file starts with "
                               "a UTF-8 byte-order mark); re-save it as UTF-8") from None


def _legacy(data: bytes, path: str, exc: UnicodeDecodeError) -> str:
    """cp1252 (latin-1 where cp1252 has no character), unless the file is mostly UTF-8."""
    lenient = data.decode("utf-8", errors="replace")
    bad = lenient.count("\ufffd")
    good = sum(1 for c in lenient if ord(c) > 127) - bad
    if good and good >= bad:
        # Real UTF-8 with a broken stretch: reading it as cp1252 would garble every accent.
        raise InputError(path, f"invalid UTF-8 at byte {exc.start} in an otherwise UTF-8 file; "
                               "fix or re-save the file as UTF-8")
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")


# a character reference of HTML: named (&rsquo;), decimal (&#8217;) or hexadecimal (&#x2019;)
_REFERENCE = re.compile(r"&(?:([A-Za-z][A-Za-z0-9]{1,31})|#([0-9]{1,7})|#[xX]([0-9A-Fa-f]{1,6}));")


def unescape_references(text: str) -> str:
    """Text with its HTML character references read as the characters they stand for.

    Texts copied from web pages keep them ("Angola&rsquo;s", "countries&mdash;including");
    read as they stand, the words beside them do not read as words. Only complete, known
    references are replaced: "A&B" and "&unknown;" stay as they are.

    >>> unescape_references("Zambia&rsquo;s borders &mdash; A&B &amp; C &#8211; &nosuch;")
    'Zambia’s borders — A&B & C – &nosuch;'
    """
    if "&" not in text:
        return text
    from html.entities import html5

    def char(m: re.Match) -> str:
        name, dec, hexa = m.groups()
        if name:
            return html5.get(name + ";", m.group())
        code = int(dec) if dec else int(hexa, 16)
        return chr(code) if 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else m.group()
    return _REFERENCE.sub(char, text)
