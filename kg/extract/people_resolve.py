"""People resolved into entities: one per person in a document, an official or not.

A surname alone joins the full name the document gave before ("Azimova" is "Elvira
Abilkhasimovna Azimova"); a title and an organisation near the name make an official, of the
organisation's country, the country the title names ("U.S. Ambassador") or else the post's.
"""
from __future__ import annotations

import re

from kg.extract.gazetteer import country_name, host_country, lookup
from kg.extract.org_lexicon import lexicon, lexicon_entity
from kg.extract.people_patterns import HEADED, PARTICLE, official_roles, person_roles, title_words
from kg.extract.spans import Taken, paragraph_at, with_aliases
from kg.ids import entity_id, normalise
from kg.model import Document, Entity, Extraction, Mention

PATRONYMIC = ("bin", "ibn", "bint", "ben")


def resolve_people(doc: Document, extraction: Extraction, found, orgs: list[Mention],
                   known: dict[str, Entity]) -> Extraction:
    """One entity per person in the document: surnames join full names; titles and nearby
    organisations make officials."""
    host = host_country(doc)
    full: dict[str, str] = {}           # surname -> the longest full name
    for _, _, name, _ in found:
        words = name.split()
        # "Khalid bin Faisal" is Khalid, son of Faisal: the given name, not the last, is his
        key = words[0] if any(w in PATRONYMIC for w in words) else words[-1]
        if len(words) > 1 and len(name) > len(full.get(key, "")):
            full[key] = name
    # "Hugo Moldiz" is "Hugo Moldiz Mercado" (a first surname and a second): the shorter name
    # begins the longer, and its last word is a surname of the longer too
    names = sorted({f[2] for f in found if len(f[2].split()) > 1}, key=len, reverse=True)
    headed = {f[2] for f in found if f[3] == HEADED}
    first_longer: dict[tuple[str, ...], str] = {}   # words a name begins with -> the first such name
    for name in names:
        words = name.split()
        for k in range(1, len(words)):
            first_longer.setdefault(tuple(words[:k]), name)
    for name in names:
        words = name.split()
        longer = first_longer.get(tuple(words))
        if longer is not None:
            full[words[-1]] = full.get(longer.split()[-1], longer)
        elif name in headed and len(words) == 3 and words[1] not in full and not re.fullmatch(PARTICLE, words[1]):
            full[words[1]] = name   # a profile's heading: "Iporre" alone is "Ivan Iporre Salguero"
    people: dict[str, dict] = {}
    spans = {}
    for start, end, name, title in sorted(found):
        canonical = _canonical(full, name)
        person = people.setdefault(canonical, {"title": "", "org": None, "spans": []})
        person["title"] = person["title"] or (title if title != HEADED else "")
        if person["org"] is None:
            person["org"] = _organisation_near(doc.text, start, end, orgs)
        if (start, end) not in spans:
            spans[(start, end)] = canonical
            person["spans"].append((start, end))
    # every later use of a known surname in the document
    if full:
        # (the uses found here cannot overlap each other: words in paragraphs, in order)
        taken = Taken([(m.start, m.end) for m in extraction.mentions] + list(spans))
        surnames = sorted(full)
        for p in doc.paragraphs:
            for a, b, surname in _words_of(p.text, surnames):
                start, end = p.start + a, p.start + b
                person = people.get(_canonical(full, surname))
                if person is not None and not taken.overlaps(start, end):
                    person["spans"].append((start, end))
    entities = dict(known)
    mentions = list(extraction.mentions)
    at = paragraph_at(doc)
    for name, person in sorted(people.items()):
        org = known[person["org"].entity_id] if person["org"] is not None else None
        if org is not None and org.type == "Media":
            org = None      # a newspaper that reported what an official said is not their office
        if org is None and "Minister" in person["title"].split():
            org = _ministry(person["title"], known, host)
        role = person["title"] in person_roles()
        official = (bool(person["title"]) and not role) or org is not None
        said = lookup(re.sub(r"['’]s$", "", person["title"].split()[0])) if person["title"] else None
        if org is None and (said is None or said.type != "Country") and person["title"] and any(
                _american(doc.text, a, person["title"]) for a, _ in person["spans"]):
            said = lookup("United States")  # "U.S. Ambassador X": not the country of the post
        code = (org.country_code if org is not None and org.country_code
                else said.country_code if said is not None and said.type == "Country" else host)
        words = normalise(name).split()
        key = f"{code or 'xx'}-{words[0]}-{words[-1]}" if len(words) > 1 else f"{code or 'xx'}-{words[0]}"
        entity = Entity(entity_id("Person", key), name, "Official" if official else "Person",
                        country=country_name(code), country_code=code,
                        title=person["title"], organization=org.name if org is not None else "")
        entities[entity.id] = entity
        for start, end in sorted(person["spans"]):
            method = "title" if person["title"] else "model"
            mentions.append(Mention.at(entity.id, doc, at(start), start, end, method))
    return with_aliases(doc, extraction, entities, mentions)


def _canonical(full: dict[str, str], name: str) -> str:
    """The full name a name stands for: a surname's, then the longer name that holds it
    (followed until it no longer changes: "Moldiz" -> "Hugo Moldiz" -> "Hugo Moldiz Mercado")."""
    seen = {name}
    key = name if len(name.split()) == 1 else name.split()[-1]
    name = full.get(key, name)
    while name not in seen:
        seen.add(name)
        name = full.get(name.split()[-1], name) if not any(w in PATRONYMIC for w in name.split()) else name
    return name


def _words_of(text: str, words: list[str]) -> list[tuple[int, int, str]]:
    """Where ``words`` (sorted) occur in ``text`` as words of their own, not inside a longer
    or hyphenated word: (start, end, word), as finditer finds the regex
    ``(?<![\\w-])(word1|word2|...)(?![\\w-])``, without compiling one regex per document
    (0.3 CPU-s of a corpus build).

    >>> _words_of("Smith, Smith-Jones and O'Brien met Brien Smiths", ["Brien", "O'Brien", "Smith"])
    [(0, 5, 'Smith'), (23, 30, "O'Brien"), (35, 40, 'Brien')]
    """
    found = []
    for rank, word in enumerate(words):
        i = text.find(word)
        while i >= 0:
            j = i + len(word)
            if (i == 0 or not _in_word(text[i - 1])) and (j == len(text) or not _in_word(text[j])):
                found.append((i, rank, j, word))
            i = text.find(word, i + 1)
    out: list[tuple[int, int, str]] = []
    for i, _, j, word in sorted(found):     # leftmost first; at one place the first word
        if not out or i >= out[-1][1]:
            out.append((i, j, word))
    return out


def _in_word(char: str) -> bool:
    """A character of regex's \\w (Unicode letters, digits, "_") or a hyphen."""
    return char.isalnum() or char in "_-"


MINISTER = re.compile(r"^(?:(?P<before>[A-Z][a-z]+) )?Minister(?: (?:of|for) (?:the )?(?P<after>[A-Z][\w ]+))?$")


def _ministry(title: str, known: dict[str, Entity], host: str) -> Entity | None:
    """The ministry a minister heads, when the document names it: "Minister of Justice" ->
    the Ministry of Justice; "Finance Minister" -> the Ministry of Finance, "Defense Minister"
    -> the Defense Department, "Foreign Minister" -> the Department of Foreign Affairs."""
    m = MINISTER.match(title)
    subject = (m.group("after") or m.group("before") or "") if m else ""
    if not subject or subject.split()[0] in ("State", "Deputy", "Prime"):
        return None     # a Minister of State is a junior minister, not of a "State" ministry
    entry = lexicon().get(f"ministry of {subject}".casefold())
    listed = lexicon_entity(entry, host) if entry is not None else None
    if listed is not None and listed.id in known:
        return known[listed.id]
    stem = subject.split()[0].casefold().replace("defence", "defense")[:6]
    fits = [e for e in known.values() if e.type == "GovernmentAgency" and e.country_code == host
            and re.search(r"\b(?:Ministry|Department|Secretariat)\b", e.name)
            and any(w.casefold().replace("defence", "defense").startswith(stem)
                    for w in e.name.split() if w[0].isupper() and w not in ("Ministry", "Department"))]
    return fits[0] if len(fits) == 1 else listed


def _american(text: str, start: int, title: str) -> bool:
    """Whether the person named at ``start`` is called American just before the name, as part
    of their title ("U.S. Ambassador John Smith", "the American Special Envoy John Smith").

    (Plain string tests, not a pattern made for each title: the titles are many, and
    compiling them again and again took a tenth of the people step's time.)

    >>> _american("the U.S. Deputy Ambassador  Jane Roe", 28, "Deputy Ambassador")
    True
    >>> _american("the Deputy Ambassador Jane Roe", 22, "Deputy Ambassador")
    False
    """
    window = text[max(0, start - len(title) - 20):start]
    before = window.rstrip()
    if len(before) == len(window) or not before.endswith(title):
        return False    # the title, then white space, must stand just before the name
    return AMERICAN.search(before, 0, len(before) - len(title)) is not None


AMERICAN = re.compile(r"\b(?:U\.\s?S\.|US|American)\s+$")


TITLE_GAP = re.compile(r"(?:['’]s)?(?:\s+(?:[A-Z][\w/.-]*|of|for|the|[a-z]+))+\s+")


# between a body and the name of the person who acts for it: a title, commas, no verb ("the
# Minister of Justice, X"; not "CENTCOM staff met with President X")
TITLE_BEFORE = re.compile(r"(?:['’]s)?(?:[\s,]+|[A-Z][\w/.'’-]*|of\b|for\b|the\b|an?\b|\(|\))*")
# "... of the Unit. Both Senior Officer X": the body ends one sentence, the title opens the next
NEXT_SENTENCE = re.compile(r"\.\s+(?:[A-Z][\w'’-]*\s+)+")


def _title_gap(text: str, start: int, end: int) -> bool:
    """Whether only a title lies between a body and a name ("Senate President", "DFA
    Political Director", "MOD Secretary General for Policy Admiral"): capitalised words, a
    title's among them, at most two that are not a title's."""
    if end - start > 50 or not TITLE_GAP.fullmatch(text, start, end):
        return False
    words = [w for w in text[start:end].split() if w not in ("of", "for", "the")]
    if any(w.islower() and w not in official_roles() for w in words):
        return False    # "the MFA said that Minister X": a verb, not a title, between them
    others = [w for w in words if w not in title_words() and w not in official_roles()]
    return len(others) < len(words) and len(others) <= 2


def _organisation_near(text: str, start: int, end: int, orgs: list[Mention]) -> Mention | None:
    """The organisation a person acts for: named in the title phrase around the name, in the
    same sentence ("X, Head of the Unit"; "Minister of Justice, X"; "X from the police")."""
    left = max(text.rfind(". ", 0, start), start - 120)
    # "Senate President X", "DFA Political Director X": the body the title is written after
    titled = [m for m in orgs if left <= m.end <= start and _title_gap(text, m.end, start)]
    if titled:
        return max(titled, key=lambda m: m.end)
    right = text.find(". ", end)
    right = min(right if right >= 0 else len(text), end + 120)
    after = [m for m in orgs if end <= m.start < right and re.fullmatch(
        r"[\s,]*(?:(?:the|a|an|former|then|acting|deputy|senior|head|chief|director|officer|member|"
        r"official|employee|representative|chairman|[A-Z][a-z]+|of|in|at|from|within|with|for)\s+|,\s*)*",
        text[end:m.start])]
    if after:
        return min(after, key=lambda m: m.start)
    before = [m for m in orgs if left <= m.end <= start and len(text[m.end:start]) <= 40
              and (TITLE_BEFORE.fullmatch(text, m.end, start) or NEXT_SENTENCE.fullmatch(text, m.end, start))]
    return max(before, key=lambda m: m.end) if before else None
