"""Organisations: agencies, courts, NGOs, international organisations, media, the embassy.

Four ways of finding them, from the surest to the least sure:

1. the lexicon (kg/data/organizations.csv): well-known bodies with their acronyms and other
   names; a country code of ``*`` means "the country of the context" (a Ministry of Justice in a
   cable from Astana is Kazakhstan's unless the text says "Kyrgyz Ministry of Justice");
2. names built on a head word (kg/data/org_heads.csv): runs of capitalised words such as
   "Anti-Organized Crime Unit of the West Kazakhstan Transportation Police Department" give the
   unit and its parent; a place before "court" or "police department" gives a local body;
3. cues: "X NGO", "newspaper X", a press summary's "June 4, Vremya:";
4. acronyms the document defines, "the Procurator General's Office (PGO)": later "PGO" joins it.

"Post" (and "the embassy") is the embassy that sent the cable (CONTRACT.md).
Each entity's id is minted from its type, country and canonical name, so the same body found
in two documents is one entity.
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass, replace
from functools import lru_cache

from kg.extract.gazetteer import country_name, host_country, lookup
from kg.extract.scanning import build_automaton, scan
from kg.extract.spans import per_paragraph, with_aliases
from kg.extract.words import DATA, leading_words, titles, word_list
from kg.ids import entity_id, normalise
from kg.model import Document, Entity, Extraction, Mention, Paragraph

ORG_TYPES = ("GovernmentAgency", "NGO", "InternationalOrganization", "Court", "Media")
CONNECTORS = {"of", "for", "on", "and", "the", "in", "to", "against", "&"}
TOKEN = re.compile(r"[A-Za-z][\w'’.&/-]*[\w](?:(?<=s)\?(?=\s+[A-Z]))?|[A-Za-z]|&")
MONTHS = ("January|February|March|April|May|June|July|August|September|October|November|"
          "December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec")
MONTH = re.compile(MONTHS)


@dataclass(frozen=True)
class LexEntry:
    name: str
    type: str
    country_code: str      # ISO code, "*" for the country of the context, "" for none
    form: str              # the surface form as listed
    case_sensitive: bool


@dataclass(frozen=True)
class Hit:
    """An organisation found in a paragraph: offsets relative to the paragraph."""
    start: int
    end: int
    entity: Entity
    method: str
    core: int = -1   # where the name proper starts, after a country's adjective ("Irish ...")


# ------------------------------------------------------------------------------ data

@lru_cache(maxsize=1)
def lexicon() -> dict[str, LexEntry]:
    """Surface form (case-folded) -> lexicon entry."""
    entries: dict[str, LexEntry] = {}
    with (DATA / "organizations.csv").open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            if row["type"] not in ORG_TYPES:
                raise ValueError(f"organizations.csv: unknown type {row['type']!r} for {row['name']}")
            for form in [row["name"], *(a.strip() for a in row["aliases"].split(";"))]:
                form = " ".join(form.split())
                if form and form.casefold() not in entries:
                    sensitive = len(form) <= 5 or form.isupper()
                    entries[form.casefold()] = LexEntry(row["name"], row["type"],
                                                        row["country_code"], form, sensitive)
    return entries


@lru_cache(maxsize=1)
def _automaton():
    return build_automaton(lexicon())


@lru_cache(maxsize=1)
def heads() -> dict[str, str]:
    """Head word -> the type it gives a name ("Court" -> Court, "Union" -> NGO, ...)."""
    with (DATA / "org_heads.csv").open(encoding="utf-8", newline="") as f:
        return {row["head"]: row["type"] for row in csv.DictReader(f)}


@lru_cache(maxsize=1)
def heads_alone() -> frozenset[str]:
    """Head words that name a body with a country's adjective alone ("Czech Army")."""
    with (DATA / "org_heads.csv").open(encoding="utf-8", newline="") as f:
        return frozenset(row["head"] for row in csv.DictReader(f) if row.get("alone") == "yes")


# ------------------------------------------------------------------------------ entities

def lexicon_entity(entry: LexEntry, country: str) -> Entity:
    """The entity of a lexicon entry, in the given country when the entry is generic."""
    code = country if entry.country_code == "*" else entry.country_code
    return make_entity(entry.name, entry.type, code)


def make_entity(name: str, type_: str, code: str, key: str | None = None) -> Entity:
    """An organisation entity with an id from its type, country and key (its name)."""
    country = country_name(code)
    if type_ == "InternationalOrganization" or (type_ == "Media" and not code):
        code, country = "", ""
    key = key or body_key(name)
    return Entity(entity_id(type_, f"{code or 'xx'}-{key}"), name, type_,
                  country=country, country_code=code)


HEAD_LAST = re.compile(r"^(?P<subject>[A-Z][a-z]+)\s+(?P<head>Ministry|Department)$")


def body_key(name: str) -> str:
    """The key of a body's name, the same however the name is written: "Transport
    Department", "Department of Transport" and "Latvian Department of Transport" are one body
    (the country is in the id already).

    >>> body_key("Latvian Defense Department") == body_key("Department of Defense")
    True
    """
    words = name.split()
    if len(words) > 2 and _is_country_word(words[0]):
        name = " ".join(words[1:])
    m = HEAD_LAST.match(name)
    if m and not _is_country_word(m.group("subject")):
        name = f"{m.group('head')} of {m.group('subject')}"
    return normalise(name)


def embassy(doc: Document) -> Entity:
    """The embassy that sent a cable ("Post")."""
    city = re.sub(r"^(?:American\s+|US\s+|U\.S\.\s+)?(?:Embassy|Consulate(?:\s+General)?)\s+", "",
                  doc.origin.strip(), flags=re.I) if doc.origin else ""
    place = lookup(city) if city else None
    name = f"U.S. Embassy {place.name}" if place is not None and place.type == "City" else "U.S. Embassy"
    return make_entity(name, "GovernmentAgency", "US")


# ------------------------------------------------------------------------------ the step

def find_organizations(doc: Document, extraction: Extraction) -> Extraction:
    """Extraction step: organisations, with their mentions; runs after the places."""
    host = host_country(doc)
    places = [m for m in extraction.mentions]
    place_entities = {e.id: e for e in extraction.entities}
    hits_by_paragraph: dict[int, list[Hit]] = {}
    acronyms: dict[str, Entity] = {}
    places_of = per_paragraph(doc, places)
    post = embassy(doc)
    for p in doc.paragraphs:
        p_places = places_of[p.index]
        hits = _paragraph_hits(doc, p, host, p_places, place_entities, post)
        acronyms.update(_definitions(p.text, hits))
        hits_by_paragraph[p.index] = hits
    mentions = list(extraction.mentions)
    entities = dict(place_entities)
    org_spans: dict[int, list[tuple[int, int, Entity]]] = {}     # by paragraph
    uses = _acronym_pattern(acronyms)
    for p in doc.paragraphs:
        hits_by_paragraph[p.index] = _apply_acronyms(p.text, hits_by_paragraph[p.index], acronyms, uses)
    others = _other_acronyms(doc, hits_by_paragraph, acronyms)
    if others:
        # "the RUE Coordination Committee", where the text defined RUE for a firm: not a body
        for p in doc.paragraphs:
            hits_by_paragraph[p.index] = [h for h in hits_by_paragraph[p.index] if not (
                h.method == "pattern" and p.text[h.start:h.end].split()[0] in others)]
    short = _short_forms([h.entity for hits in hits_by_paragraph.values() for h in hits
                          if h.method in ("pattern", "cue")])
    for p in doc.paragraphs:
        hits = [replace(h, entity=short.get(h.entity.id, h.entity)) for h in hits_by_paragraph[p.index]]
        for h in hits:
            entities.setdefault(h.entity.id, h.entity)
            mentions.append(Mention.at(h.entity.id, doc, p, p.start + h.start, p.start + h.end, h.method))
            if h.method != "local":  # "the court of Zhambyl Oblast" names the oblast as a place
                # (a country's adjective before the name stays a mention of the country)
                org_spans.setdefault(p.index, []).append((p.start + max(h.start, h.core), p.start + h.end, h.entity))
    mentions = [m for m in mentions
                if not _place_inside_org(m, entities, org_spans.get(m.paragraph_index, ()))]
    used = {m.entity_id for m in mentions}
    entities = {k: v for k, v in entities.items() if k in used}
    return with_aliases(doc, extraction, entities, mentions)


DEFINED = re.compile(r"[A-Z][\w'’&.-]*\s*\(\s*([A-Z][A-Za-z/&-]{1,9})\s*\)")


def _other_acronyms(doc: Document, hits_by_paragraph: dict[int, list[Hit]],
                    acronyms: dict[str, Entity]) -> set[str]:
    """Acronyms the document defines for what is not a body (a firm: "RosUkrEnergo (RUE)")."""
    out = set()
    for p in doc.paragraphs:
        if "(" not in p.text:
            continue
        ends = {h.end for h in hits_by_paragraph[p.index]}
        for m in DEFINED.finditer(p.text):
            short = m.group(1)
            if (short not in acronyms and short.casefold() not in lexicon()
                    and not any(e <= m.start(1) and not p.text[e:m.start(1)].strip(" ('’s") for e in ends)):
                out.add(short)
    return out


def _short_forms(found: list[Entity]) -> dict[str, Entity]:
    """Short forms of a longer name in the same document join it: "the Working Group" is the
    "Interagency TIP Working Group", "Juno Fund" the "Juno Orphans' Relief Fund" (same first or
    last word, words in order), when only one longer name fits."""
    by_id = {e.id: e for e in found}
    words = {eid: normalise(e.name).split() for eid, e in by_id.items()}
    out = {}
    for eid, short in words.items():
        if len(short) < 2:
            continue
        fits = [other for other, long in words.items()
                if len(long) > len(short) and by_id[other].type == by_id[eid].type
                and (long[0] == short[0] or long[-1] == short[-1]) and _in_order(short, long)]
        if len(fits) == 1:
            out[eid] = by_id[fits[0]]
    return out


def _in_order(short: list[str], long: list[str]) -> bool:
    it = iter(long)
    return all(w in it for w in short)


def _place_inside_org(m: Mention, entities: dict[str, Entity], spans) -> bool:
    """A place inside an organisation's name is part of the name, not a mention of the place
    ("Phoenix Center for Development" in Kazakhstan is not Phoenix, Arizona; the organisation
    carries its own country)."""
    place = entities.get(m.entity_id)
    if place is None or place.type not in ("City", "Region", "Country"):
        return False
    return any(start <= m.start and m.end <= end and (start, end) != (m.start, m.end)
               for start, end, _ in spans)


# ------------------------------------------------------------------------------ per paragraph

def _paragraph_hits(doc: Document, p: Paragraph, host: str, places: list[Mention],
                    place_entities: dict[str, Entity], post: Entity) -> list[Hit]:
    text = p.text
    hits: list[Hit] = []
    for start, end, entry in scan(_automaton(), p, doc.all_caps):
        if PARTY_AFTER.match(text, end):
            continue    # "the Congress Party": a party, not the legislature
        country = _country_before(text, start) or host
        adjective = _adjective_before(text, start) if entry.country_code == "*" else start
        hits.append(Hit(adjective, end, lexicon_entity(entry, country), "lexicon", core=start))
    if doc.kind == "cable":
        hits += _embassy_hits(text, post)
    if not doc.all_caps:
        local = [(m.start - p.start, m.end - p.start, place_entities[m.entity_id]) for m in places]
        hits += _local_bodies(text, local, host)
        hits += _local_offices(text, hits, local)
        hits += _media_hits(text, p.index == 1 or p.kind == "body")
        hits += _ngo_hits(text, host)
        hits += _named_bodies(text, host, local)
        hits += _described(text)
    return _owned(text, _resolve_overlaps(hits))


IN_BRACKETS = re.compile(r"\(\s*(?P<acr>[A-Z][A-Za-z]{1,5})\s*\)")
DESCRIBED = re.compile(r"(?<![\w.])(?P<adj>[A-Z][a-z]+)\s+(?P<words>(?:[a-z]+\s+){0,2}(?P<head>[a-z]+))\s*\Z")


def _described(text: str) -> list[Hit]:
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
        code = _country_before(text + "", m.start("words"))
        if not type_ or not _is_country_word(m.group("adj")) or not code:
            continue
        entity = make_entity(bracket.group("acr"), type_, code)
        out.append(Hit(m.start("adj"), m.end("words"), entity, "described", core=m.start("words")))
        out.append(Hit(bracket.start("acr"), bracket.end("acr"), entity, "described"))
    return out


PARTY_AFTER = re.compile(r"\s+[Pp]art(?:y|ies)\b")


def _adjective_before(text: str, start: int) -> int:
    """Where a country's adjective right before a name starts ("Irish Parliament", "U.S.
    Congress"), or ``start`` when there is none: the mention reads as the text names the body."""
    window = max(0, start - 25)
    m = re.search(r"(?<![\w.])([A-Z][A-Za-z.]+)[ \t]*\n?[ \t]*\Z", text[window:start])
    if (m and m.end(1) < m.end() and (window == 0 or m.start(1) > 0)
            and (_is_country_word(m.group(1)) or re.fullmatch(r"U\.S\.|US|American", m.group(1)))):
        return window + m.start(1)
    return start


def _owned(text: str, hits: list[Hit]) -> list[Hit]:
    """A unit named after its owner's possessive ("the Embassy's Legal Office", "the
    Ministry of Finance's Financial Directorate") is in its owner's country."""
    out = list(hits)
    for k in range(1, len(out)):
        owner, unit = out[k - 1], out[k]
        if (unit.method == "pattern" and unit.entity.type == "GovernmentAgency"
                and owner.entity.type in ("GovernmentAgency", "InternationalOrganization")
                and re.fullmatch(r"['’]s\s+", text[owner.end:unit.start])
                and owner.entity.country_code != unit.entity.country_code):
            out[k] = replace(unit, entity=make_entity(unit.entity.name, unit.entity.type,
                                                      owner.entity.country_code))
    return out


def _resolve_overlaps(hits: list[Hit]) -> list[Hit]:
    """Longest first; where two hits overlap, the longer (then the surer) wins."""
    rank = {"lexicon": 0, "embassy": 0, "local": 1, "cue": 1, "media": 1, "described": 1, "pattern": 2}
    chosen: list[Hit] = []
    for h in sorted(hits, key=lambda h: (-(h.end - h.start), rank.get(h.method, 3), h.start)):
        if all(h.end <= c.start or h.start >= c.end for c in chosen):
            chosen.append(h)
    return sorted(chosen, key=lambda h: h.start)


def _country_before(text: str, start: int) -> str:
    """The country an adjective or possessive right before a name gives ("Kyrgyz MVD")."""
    match = re.search(r"([A-Z][\w.]*(?:\s+[A-Z][\w]*)?)(?:'s|’s)?\s+(?:the\s+)?$", text[max(0, start - 40):start])
    if not match:
        return ""
    words = match.group(1)
    for candidate in (words, words.split()[-1]):
        place = lookup(candidate)
        if place is not None and place.type == "Country":
            return place.country_code
    if re.fullmatch(r"U\.?S\.?|American", words.split()[-1]):
        return "US"
    return ""


EMBASSY = re.compile(r"\b(?:(?:U\.\s?S\.|US|American)\s+)?Embassy(?:\s+(?P<city>[A-Z][a-z]+))?\b"
                     r"|(?<![\w-])Post(?![\w-])|\bembassy\b")


def _embassy_hits(text: str, entity: Entity) -> list[Hit]:
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
        elif _country_before(text, m.start()) not in ("", "US"):
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
    start = _adjective_before(text, m.start())
    if start == m.start():
        return None     # "Kazakhstan's embassy": a possessive, read as the country's
    code = _country_before(text, m.start())
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


def _local_bodies(text: str, places: list[tuple[int, int, Entity]], host: str) -> list[Hit]:
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


def _local_offices(text: str, hits: list[Hit], places: list[tuple[int, int, Entity]]) -> list[Hit]:
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


def _media_hits(text: str, first: bool) -> list[Hit]:
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


def _ngo_hits(text: str, host: str) -> list[Hit]:
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


# ------------------------------------------------------------------------------ named bodies

def _named_bodies(text: str, host: str, places: list[tuple[int, int, Entity]]) -> list[Hit]:
    """Names built on a head word, from runs of two capitalised words or more."""
    out = []
    for whole in _runs(text):
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


def _runs(text: str) -> list[list[tuple[int, int]]]:
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
                            or MONTH.fullmatch(words[i]) or _is_country_word(words[i])):
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
            if len(rest) == 1 and _is_country_word(rest[0]):
                flush()
                break
            starts_name = bool(rest) and (rest[0] in hd or _acronym(rest[0]) or _lexicon_start(rest))
            if not _has_head(seen) and starts_name:
                current = []                     # "Action Plan of the Ministry ...": not a body
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


def _is_country_word(word: str) -> bool:
    place = lookup(word.removesuffix("'s").removesuffix("’s"))
    return place is not None and place.type == "Country" and not word.isupper()


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
    if "Army" in words and not any(_is_country_word(w) or w in ("National", "Royal") for w in words):
        return None   # "Army of Islam", "Mahdi Army": an army of no state is an armed group
    first = lexicon().get(words[0].casefold())
    inside = [pl for pl in places if start <= pl[0] and pl[1] <= end]
    code = inside[0][2].country_code if inside else (_country_before(text, start) or host)
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
    return Hit(_adjective_before(text, start), end, make_entity(name, type_, code), "pattern", core=start)


def _country_body(text: str, start: int, end: int, host: str) -> Hit | None:
    """"the Czech Army", "Iraqi Police": a head word with a country's adjective is that
    country's body."""
    before = _adjective_before(text, start)
    code = _country_before(text, start)
    if before == start or not code or re.match(r"['’]s\b", text[before:start]):
        return None
    name = " ".join(text[before:end].split())
    return Hit(before, end, make_entity(name, hd_type(text[start:end]), code), "pattern", core=start)


def hd_type(head: str) -> str:
    type_ = heads().get(head, "GovernmentAgency")
    return type_ if type_ in ORG_TYPES else "GovernmentAgency"


# ------------------------------------------------------------------------------ acronyms

ACRONYM = re.compile(r"(?:['’]s)?\s*\(\s*(?:the\s+)?([A-Z][A-Za-z/&-]{1,9})\s*\)")


def _definitions(text: str, hits: list[Hit]) -> dict[str, Entity]:
    """Acronyms a paragraph defines: "the Procurator General's Office (PGO)"."""
    out = {}
    for h in hits:
        m = ACRONYM.match(text, h.end)
        short = m.group(1) if m else ""
        if m and (short != h.entity.name or h.method == "described") and (sum(c.isupper() for c in short) >= 2
                                             or text[h.start:h.end].startswith(short + " ")):
            out[m.group(1)] = h.entity
    return out


def _acronym_pattern(acronyms: dict[str, Entity]) -> re.Pattern[str] | None:
    """A use of one of a document's defined acronyms (compiled once per document)."""
    if not acronyms:
        return None
    return re.compile(r"(?<![\w/-])(" + "|".join(re.escape(a) for a in sorted(acronyms, key=len, reverse=True))
                      + r")(?:'s|’s)?(?![\w/-])")


def _apply_acronyms(text: str, hits: list[Hit], acronyms: dict[str, Entity],
                    pattern: re.Pattern[str] | None) -> list[Hit]:
    """Every use of a defined acronym (``pattern``, :func:`_acronym_pattern`) joins the entity
    it was defined for."""
    if pattern is None:
        return hits
    out = [replace(h, entity=acronyms[text[h.start:h.end]])
           if text[h.start:h.end] in acronyms else h for h in hits]
    for m in pattern.finditer(text):
        start, end = m.start(1), m.end(1)
        if all(end <= h.start or start >= h.end for h in out):
            out.append(Hit(start, end, acronyms[m.group(1)], "acronym"))
    return sorted(out, key=lambda h: h.start)
