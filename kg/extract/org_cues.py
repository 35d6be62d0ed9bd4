"""Organisations found by their cues: the embassy, a place's courts and police, the press, NGOs.

"Post" and "the embassy", "Aktobe town court", a press summary's "June 4, Vremya:", "X NGO",
and a body described in lower case and named by its acronym ("the Austrian security services
(BVT)").
"""
from __future__ import annotations

import re

from kg.extract.gazetteer import lookup
from kg.extract.org_lexicon import (
    MONTH,
    MONTHS,
    Hit,
    adjective_before,
    country_before,
    hd_type,
    heads,
    is_country_word,
    lexicon,
    lexicon_entity,
    make_entity,
)
from kg.extract.words import leading_words, titles
from kg.ids import normalise
from kg.model import Document, Entity


def embassy(doc: Document) -> Entity:
    """The embassy that sent a cable ("Post")."""
    city = re.sub(r"^(?:American\s+|US\s+|U\.S\.\s+)?(?:Embassy|Consulate(?:\s+General)?)\s+", "",
                  doc.origin.strip(), flags=re.I) if doc.origin else ""
    place = lookup(city) if city else None
    name = f"U.S. Embassy {place.name}" if place is not None and place.type == "City" else "U.S. Embassy"
    return make_entity(name, "GovernmentAgency", "US")


EMBASSY = re.compile(r"\b(?:(?:U\.\s?S\.|US|American)\s+)?Embassy(?:\s+(?P<city>[A-Z][a-z]+))?\b"
                     r"|(?<![\w-])Post(?![\w-])|\bembassy\b")


def embassy_hits(text: str, entity: Entity) -> list[Hit]:
    """"Post", "the embassy", "U.S. Embassy (Astana)": the embassy that sent the cable
    (``entity``, :func:`embassy`)."""
    if "mbassy" not in text and "Post" not in text:     # what EMBASSY needs, looked for fast
        return []
    out = []
    for m in EMBASSY.finditer(text):
        end = m.end()
        if m.group(0) == "Post":
            previous = re.search(r"(\S?)\s*\b([A-Z][a-z]+)\s+$", text[max(0, m.start() - 30):m.start()])
            if previous and previous.group(1) not in ("", ".", ":", ";", "("):
                continue  # "the Washington Post"
        elif country_before(text, m.start()) not in ("", "US"):
            other = _foreign_embassy(text, m, entity)  # another country's embassy
            if other is not None:
                out.append(other)
            continue
        elif m.group("city"):
            place = lookup(m.group("city"))
            if place is not None and place.name != entity.name.split()[-1]:
                continue  # the embassy in another city
            if place is None:
                end = m.start("city")
        out.append(Hit(m.start(), len(text[:end].rstrip()), entity, "embassy"))
    return out


IN_CITY = re.compile(r"\s+in\s+([A-Z][\w-]+(?:\s+[A-Z][\w-]+)?)")


def _foreign_embassy(text: str, m: re.Match[str], post: Entity) -> Hit | None:
    """"the German Embassy (in Skopje)": another country's embassy, in the city the text
    names or else the post's own city (one entity however the document writes it)."""
    if m.group(0) == "embassy" or text[m.start()].islower():
        return None
    start = adjective_before(text, m.start())
    if start == m.start():
        return None     # "Kazakhstan's embassy": a possessive, read as the country's
    code = country_before(text, m.start())
    end = m.start() + len("Embassy")
    city = post.name.split()[-1] if post.name.split()[-1] != "Embassy" else ""
    if lookup(city) is not None and lookup(city).country_code == code:
        city = ""   # the host country's own embassy is abroad, not in the post's city
    after = IN_CITY.match(text, end)
    place = lookup(after.group(1)) if after else None
    if after and place is not None and place.type == "City":
        end, city = after.end(), place.name
    adjective = text[start:m.start()].strip()
    name = f"{adjective} Embassy" + (f" in {city}" if city else "")
    return Hit(start, end, make_entity(name, "GovernmentAgency", code, key=normalise(f"embassy {city}")),
               "embassy", core=m.start())


LOCAL = re.compile(r"\s+(?:(town|city|district|regional|oblast|military|appeals|appellate)\s+)?"
                   r"(court|police department|department of internal affairs|procuracy)\b")
COURT_OF = re.compile(r"\b(town|city|district|regional|oblast|military|appeals|appellate|supreme)\s+"
                      r"(court)\s+(?:of|in)\s+(?:the\s+)?(?:[\w-]+\s+){0,3}?(?:(?:city|town|village)\s+of\s+)?$")


def local_bodies(text: str, places: list[tuple[int, int, Entity]], host: str) -> list[Hit]:
    """Courts and police of a place: "Aktobe town court", "the regional court of Zhambyl Oblast"."""
    out = []
    for start, end, place in places:
        if place.type == "Country":
            continue
        code = place.country_code or host
        after = LOCAL.match(text, end)
        if after:
            level, kind = after.group(1) or "", after.group(2)
            out.append(_local(text, start, after.end(), place, level, kind, code))
            continue
        before = COURT_OF.search(text[max(0, start - 80):start])
        if before:
            level, kind = before.group(1), before.group(2)
            out.append(_local(text, max(0, start - 80) + before.start(), end, place, level, kind, code))
    return out


OFFICE_IN = re.compile(r"\s+(office|department|branch|directorate|division|unit)\s+(?:in|of|for)\s+(?:the\s+)?$")


def local_offices(text: str, hits: list[Hit], places: list[tuple[int, int, Entity]]) -> list[Hit]:
    """"the MVD office in Akmola oblast": a local office of a national body."""
    out = []
    for h in hits:
        for start, end, place in places:
            if 0 < start - h.end <= 30 and (m := OFFICE_IN.fullmatch(text, h.end, start)):
                kind = m.group(1)
                key = normalise(f"{h.entity.name} {kind} {place.name}")
                name = f"{text[h.start:h.end]} {kind} in {place.name}"
                out.append(Hit(h.start, end, make_entity(name, "GovernmentAgency",
                                                         h.entity.country_code, key=key), "local"))
    return out


def _local(text: str, start: int, end: int, place: Entity, level: str, kind: str, code: str) -> Hit:
    """One body however it is written: "Zhambyl Oblast regional court" for "the regional
    court of Zhambyl Oblast" too."""
    type_ = "Court" if kind == "court" else "GovernmentAgency"
    name = " ".join(f"{place.name} {level} {kind}".split())
    return Hit(start, end, make_entity(name, type_, code, key=normalise(name)), "local")


MEDIA_LEAD = re.compile(rf"^\W*(?:\d+[.)]\s*)?(?:\([A-Z/]+\)\s*)?(?:(?:{MONTHS})\.?\s+\d{{1,2}}|\d{{1,2}}\s+(?:{MONTHS}))(?:,?\s+\d{{4}})?,?\s+"
                        r"(?P<src>[A-Z][\w'’.&-]*(?:\s+(?:&\s+)?[A-Z][\w'’.&-]*){0,3})"
                        r"(?:\s+\((?P<acr>[A-Za-z]{2,6})\))?\s*[:.]\s")
MEDIA_CUES = ("newspaper", "journal", "magazine", "weekly", "daily", "news", "television", "TV", "radio")
MEDIA_CUE = re.compile(r"\b(?:newspaper|journal|magazine|weekly|daily|news agency|news portal|"
                       r"(?:television|TV|radio)\s+(?:news\s+)?(?:program|programme|show|channel)"
                       r"(?:\s+(?:called|named|entitled))?)\s+[\"“]?(?P<src>[A-Z][\w'’-]*(?:\s+[A-Z][\w'’-]*){0,3})")


def media_hits(text: str, first: bool) -> list[Hit]:
    """A press summary's source ("June 4, Vremya: ...") and "the newspaper X" / "program X"."""
    out = []
    lead = MEDIA_LEAD.match(text)
    if lead and lookup(lead.group("src")) is None:
        entity = _media_entity(lead.group("src"))
        out.append(Hit(lead.start("src"), lead.end("src"), entity, "media"))
        if lead.group("acr"):
            out.append(Hit(lead.start("acr"), lead.end("acr"), entity, "media"))
    for m in MEDIA_CUE.finditer(text) if any(cue in text for cue in MEDIA_CUES) else ():
        src = m.group("src")
        if lookup(src) is None and src.split()[0] not in leading_words():
            out.append(Hit(m.start("src"), m.end("src"), _media_entity(src), "media"))
    return out


def _media_entity(name: str) -> Entity:
    entry = lexicon().get(name.casefold())
    if entry is not None:
        return lexicon_entity(entry, "")
    return make_entity(name, "Media", "")


NGO_BEFORE = re.compile(r"(?P<name>(?:[A-Z][\w'’-]+\s+){1,4})NGO\b(?!s|\s+(?:partners?|crisis|cent(?:er|re)s?|"
                        r"shelters?|networks?|community|communities|representatives|activists|workers|"
                        r"staff|members|coalitions?|sector|leaders|hotlines?)\b)")
NGO_AFTER = re.compile(r"\bNGO\s+(?:[\"“](?P<name>[^\"”\n]{2,60})[\"”]"
                       r"|(?P<bare>[A-Z][\w'’-]+(?:\s+(?:(?:in|of|for)\s+)?[A-Z][\w'’-]+){0,3}))")


def ngo_hits(text: str, host: str) -> list[Hit]:
    """"the Bolashak NGO", 'NGO "Sana Sezim"'."""
    if "NGO" not in text:
        return []
    out = []
    for m in NGO_BEFORE.finditer(text):
        if m.start() and text[m.start() - 1] in "-'’":
            continue  # "anti-TIP NGO"
        words = m.group("name").split()
        while words and (words[0] in leading_words() or lookup(words[0]) is not None
                         or words[0].endswith("-based")):
            words = words[1:]
        if (not words or words[-1] in heads() or any(w.endswith(("'s", "’s", "-based")) for w in words)
                or " ".join(words).casefold() in lexicon()):
            continue
        name = " ".join(words)
        start = m.end("name") - len(m.group("name")) + m.group("name").index(words[0])
        entity = make_entity(name, "NGO", host)
        out.append(Hit(start, m.end(), entity, "cue"))
    for m in NGO_AFTER.finditer(text):
        group = "name" if m.group("name") else "bare"
        name = m.group(group)
        if group == "bare":
            # "the NGO Sana Sezim": a name, not a title, a place, a head word or a listed body
            if (name.split()[0] in leading_words() or name.split()[0] in titles() or any(w in heads() for w in name.split())
                    or lookup(name) is not None or name.casefold() in lexicon() or MONTH.fullmatch(name.split()[0])):
                continue
        out.append(Hit(m.start(group), m.end(group), make_entity(name, "NGO", host), "cue"))
    return out


IN_BRACKETS = re.compile(r"\(\s*(?P<acr>[A-Z][A-Za-z]{1,5})\s*\)")
DESCRIBED = re.compile(r"(?<![\w.])(?P<adj>[A-Z][a-z]+)\s+(?P<words>(?:[a-z]+\s+){0,2}(?P<head>[a-z]+))\s*\Z")


def described_hits(text: str) -> list[Hit]:
    """A body described in lower case and named by its acronym: "the Austrian security
    services (BVT)" is the BVT, a body of Austria."""
    if "(" not in text:
        return []
    out = []
    for bracket in IN_BRACKETS.finditer(text):
        m = DESCRIBED.search(text, max(0, bracket.start() - 60), bracket.start())
        if m is None:
            continue
        head = m.group("head")
        singular = head[:-1] if head.endswith("s") else head
        type_ = next((hd_type(h) for h in heads() if h.lower() in (head, singular)), "")
        code = country_before(text + "", m.start("words"))
        if not type_ or not is_country_word(m.group("adj")) or not code:
            continue
        entity = make_entity(bracket.group("acr"), type_, code)
        out.append(Hit(m.start("adj"), m.end("words"), entity, "described", core=m.start("words")))
        out.append(Hit(bracket.start("acr"), bracket.end("acr"), entity, "described"))
    return out
