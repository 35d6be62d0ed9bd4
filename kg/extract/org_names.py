"""Organisations named on a head word: runs of capitalised words cut into names and classified.

"Anti-Organized Crime Unit of the West Kazakhstan Transportation Police Department" gives the
unit and its parent; "the Czech Army" a head word with a country's adjective. The head words
and their types are kg/data/org_heads.csv (:func:`kg.extract.org_lexicon.heads`).
"""
from __future__ import annotations

import re

from kg.extract.gazetteer import lookup
from kg.extract.org_lexicon import (
    MONTH,
    ORG_TYPES,
    Hit,
    adjective_before,
    country_before,
    hd_type,
    heads,
    heads_alone,
    is_country_word,
    lexicon,
    lexicon_entity,
    make_entity,
)
from kg.extract.words import leading_words, titles, word_list
from kg.model import Entity

CONNECTORS = {"of", "for", "on", "and", "the", "in", "to", "against", "&"}
TOKEN = re.compile(r"[A-Za-z][\w'’.&/-]*[\w](?:(?<=s)\?(?=\s+[A-Z]))?|[A-Za-z]|&")


def named_bodies(text: str, host: str, places: list[tuple[int, int, Entity]]) -> list[Hit]:
    """Names built on a head word, from runs of two capitalised words or more."""
    out = []
    for whole in capitalised_runs(text):
        for run in _split_run(whole, text):
            for piece in _pieces(run, text):
                hit = _classify(piece, text, host, places)
                if hit is not None:
                    out.append(hit)
    return out


REDACTED = re.compile(r"[xX]{3,}")
GLUED = re.compile(r"\.(?=[a-z]{2})|[xX]{3,}")


def _split_run(run: list[tuple[int, int]], text: str) -> list[list[tuple[int, int]]]:
    """A run of capitalised words cut where one name ends and the next begins: after a
    possessive ("the Ministry of Finance's Financial Markets Directorate" is two bodies;
    "Department of Transport's" is the Department of Transport) and at a redaction mark, even
    one glued to a word ("Directorate.xxxxx")."""
    segment = text[run[0][0]:run[-1][1]]
    if not ("'" in segment or "’" in segment or "xxx" in segment or "XXX" in segment or "." in segment):
        return [run]    # (most runs: nothing to cut)
    out: list[list[tuple[int, int]]] = [[]]
    for k, (a, b) in enumerate(run):
        word = text[a:b]
        glued = GLUED.search(word, 1)
        if REDACTED.fullmatch(word):
            out.append([])
            continue
        if glued:
            out[-1].append((a, a + glued.start()))
            out.append([])
            continue
        if word.endswith(("'s", "’s")) and len(word) > 2 and _owner(text, out[-1] + [(a, b - 2)], run[k + 1:]):
            out[-1].append((a, b - 2))
            out.append([])
            continue
        out[-1].append((a, b))
    return [r for r in out if r]


def _owner(text: str, words: list[tuple[int, int]], rest: list[tuple[int, int]]) -> bool:
    """Whether a possessive ends a body's name: the words before it are a listed body, an
    acronym or the embassy, or they have a head word and so do the words after it (or none
    follow). "The Ministry of Finance's Markets Directorate" is two bodies; "Committee for the
    Protection of Children's Rights" and "Women's Support Center" are one."""
    names = [text[a:b] for a, b in words]
    after = [text[a:b] for a, b in rest]
    if (_acronym(names[-1]) or names[-1] in ("Embassy", "Post")
            or any(" ".join(names[k:]).casefold() in lexicon() for k in range(len(names)))):
        return True
    return _has_head(names) and (not after or any(w in heads() for w in after))


WORD_CHARS = re.compile(r"[\w'’.&/-]")
LETTER = re.compile(r"[A-Za-z]")
_WORD = r"[\w'’.&/-]"
_ENDS = rf"(?!{_WORD}*\w)"          # a TOKEN ends here (nothing after could extend it)
_GAP = r"(?:(?!\n\n)\s)*"           # white space without a blank line
# a run of two words or more (each a TOKEN, matched atomically as TOKEN.match would): a
# capitalised word ("anti-" counts as a capital) that no letter precedes, then capitalised
# words and connectors, "the" only after a connector. Runs of one word, most of them, never
# reach Python: finditer skips them in C (0.8 instead of 1.3 CPU-s on the corpus)
RUN = re.compile(
    rf"(?:[A-Z]|a(?=nti-{_WORD}*\w))(?<![A-Za-z].)"
    rf"(?>[\w'’.&/-]*\w(?:(?<=s)\?(?=\s+[A-Z]))?|)"
    rf"(?:{_GAP}(?:(?=[A-Z]|anti-{_WORD}*\w)(?>{TOKEN.pattern})"
    rf"|(?:(?:of|for|on|and|in|to|against){_ENDS}|&)(?:{_GAP}the{_ENDS})*))+")


def capitalised_runs(text: str) -> list[list[tuple[int, int]]]:
    """Runs of two or more capitalised words (TOKEN) joined by connectors and spaces only,
    "the" only after another connector; a run ends at a blank line and never ends on a
    connector (a name has two words at least: runs of one are not returned).

    A run starts where TOKEN, scanning the whole text, would start a word: at a capital with
    no letter before it in the same stretch of word characters (not inside "McDonald" or
    "R&D"). RUN checks the character before; a run it finds after a digit or other word
    character is checked here, and the search goes on after its first letter when no word
    starts there. tests/test_organizations.py checks RUN against the runs found word by word.
    """
    runs: list[list[tuple[int, int]]] = []
    pos = 0
    while (m := RUN.search(text, pos)) is not None:
        start, end = m.span()
        if start and WORD_CHARS.match(text, start - 1) and not _starts_word(text, start):
            pos = start + 1
            continue
        run = []
        for token in TOKEN.finditer(text, start):
            if token.start() >= end:
                break
            run.append(token.span())
        while run and text[run[-1][0]:run[-1][1]] in CONNECTORS:
            run.pop()
        if len(run) > 1:
            runs.append(run)
        pos = end
    return runs


def _starts_word(text: str, i: int) -> bool:
    """Whether TOKEN, scanning ``text`` from its start, starts a word at ``i`` (a letter)."""
    j = i - 1
    while j >= 0 and WORD_CHARS.match(text, j):
        if LETTER.match(text, j):
            return False
        j -= 1
    return True


def _pieces(run: list[tuple[int, int]], text: str) -> list[list[tuple[int, int]]]:
    """Split a run of capitalised words into names.

    Splits at a title ("Ministry of Justice Office Director ..."), at "and" before a new name
    ("the MVD and Presidential Administration") but not inside one ("Ministry of Labor and
    Social Protection"), at "of the" between two names ("Unit of the ... Department"), at "in"
    (but "the OSCE Center in Almaty" is one name); "X of Kazakhstan" is X.
    """
    words = [text[a:b] for a, b in run]
    hd = heads()
    i = 0
    while i < len(run) and (words[i] in leading_words() or words[i] in CONNECTORS
                            or MONTH.fullmatch(words[i]) or is_country_word(words[i])):
        i += 1
    pieces: list[list[tuple[int, int]]] = []
    current: list[tuple[int, int]] = []

    def flush() -> None:
        nonlocal current
        if current:
            pieces.append(current)
        current = []

    j = i
    while j < len(run):
        w = words[j]
        nxt = words[j + 1] if j + 1 < len(run) else ""
        seen = [text[a:b] for a, b in current]
        if w in titles() and not (seen and w in hd):
            flush()
        elif w == "and" and seen and (nxt in hd or nxt == "the" or _acronym(nxt)
                                      or not set(seen) & {"of", "for", "on"}):
            flush()
        elif w == "in" and seen and (nxt == "the" or lookup(nxt) is not None or MONTH.fullmatch(nxt)):
            place = lookup(nxt)
            first = lexicon().get(seen[0].casefold())
            if (place is not None and place.type == "City" and seen[-1] in ("Center", "Centre", "Office", "Mission")
                    and first is not None and first.type == "InternationalOrganization"):
                current += [run[j], run[j + 1]]
                j += 1
            flush()
        elif w in ("of", "for") and seen:
            rest = [x for x in words[j + 1:] if x != "the"]
            if len(rest) == 1 and is_country_word(rest[0]):
                flush()
                break
            starts_name = bool(rest) and (rest[0] in hd or _acronym(rest[0]) or _lexicon_start(rest))
            if not _has_head(seen) and (starts_name or (len(seen) == 2 and any(x in hd for x in rest))):
                # "Action Plan of the Ministry ...", "Ahmed Bello of the Federal Immigration
                # Service": what stands before "of" is no body, the body follows
                current = []
            elif len(seen) >= 2 and seen[-1] in hd and (starts_name or any(x in hd or _acronym(x) for x in rest)):
                flush()
            else:
                current.append(run[j])
        else:
            current.append(run[j])
        j += 1
    flush()
    out = []
    not_first = CONNECTORS | leading_words()
    for piece in pieces:
        while piece and text[piece[0][0]:piece[0][1]] in not_first:
            piece = piece[1:]
        while piece and text[piece[-1][0]:piece[-1][1]] in CONNECTORS:
            piece = piece[:-1]
        if piece:
            out.append(piece)
    return out


def _acronym(word: str) -> bool:
    return len(word) >= 2 and word.isupper() and word.isalpha()


def _lexicon_start(words: list[str]) -> bool:
    return any(" ".join(words[:n]).casefold() in lexicon() for n in range(1, min(len(words), 8) + 1))


def _has_head(words: list[str]) -> bool:
    return bool(_head_types(words))


def _head_types(words: list[str]) -> list[str]:
    """The types of the head words in head position: last, or before "of"/"for"/"on"."""
    hd = heads()
    return [hd[w] for k, w in enumerate(words)
            if w in hd and (k == len(words) - 1 or words[k + 1] in ("of", "for", "on", "in", "to"))]


def _classify(piece: list[tuple[int, int]], text: str, host: str,
              places: list[tuple[int, int, Entity]]) -> Hit | None:
    words = [text[a:b] for a, b in piece]
    hd = heads()
    if len(words) == 1 and words[0] in heads_alone():
        return _country_body(text, piece[0][0], piece[0][1], host)
    types = _head_types(words)
    if not types or len(words) < 2 or all(w in hd or w in CONNECTORS for w in words):
        return None
    if all(w[0].isupper() is False for w in words[1:] if w not in CONNECTORS):
        return None
    start, end = piece[0][0], piece[-1][1]
    after = re.match(r"\s+([a-z]+)", text[end:end + 30])
    if after and after.group(1) in word_list("not_bodies.txt"):
        return None
    name = " ".join(text[start:end].split())
    entry = lexicon().get(name.casefold())
    # a lexicon name plus a bare head ("Ministry of Justice Office"): the lexicon body
    if entry is None and words[-1] in hd and len(words) > 2:
        entry = lexicon().get(" ".join(words[:-1]).casefold())
        if entry is not None:
            return None
    if entry is not None:
        return Hit(start, end, lexicon_entity(entry, host), "pattern")
    if lookup(name) is not None:
        return None   # a place ("Soviet Union"), not a body
    if words[-1] in ("Union", "League", "Alliance", "Coalition", "Front", "Movement", "Army", "Forces") and \
            any(w in word_list("party_words.txt") for w in words[:-1]):
        return None   # a political party or bloc, an armed group: kg has no type for them
    if "Army" in words and not any(is_country_word(w) or w in ("National", "Royal") for w in words):
        return None   # "Army of Islam", "Mahdi Army": an army of no state is an armed group
    first = lexicon().get(words[0].casefold())
    inside = [pl for pl in places if start <= pl[0] and pl[1] <= end]
    code = inside[0][2].country_code if inside else (country_before(text, start) or host)
    if first is not None and first.type == "InternationalOrganization" and first.case_sensitive:
        type_ = "InternationalOrganization"
    elif "Court" in types:
        type_ = "Court"
    elif types[0] == "NGO" or types[-1] == "NGO":
        type_ = "NGO"
    elif types[-1] == "Center":
        gov = re.search(r"\b(?:National|State|Republican|Regional|Anti-|Study|Training|Police)", name)
        type_ = "GovernmentAgency" if gov or first is not None else "NGO"
    else:
        type_ = "GovernmentAgency"
    if type_ not in ORG_TYPES:
        type_ = "GovernmentAgency"
    return Hit(adjective_before(text, start), end, make_entity(name, type_, code), "pattern", core=start)


def _country_body(text: str, start: int, end: int, host: str) -> Hit | None:
    """"the Czech Army", "Iraqi Police": a head word with a country's adjective is that
    country's body."""
    before = adjective_before(text, start)
    code = country_before(text, start)
    if before == start or not code or re.match(r"['’]s\b", text[before:start]):
        return None
    name = " ".join(text[before:end].split())
    return Hit(before, end, make_entity(name, hd_type(text[start:end]), code), "pattern", core=start)
