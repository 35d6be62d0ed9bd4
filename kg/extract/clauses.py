"""Flows read clause by clause: the way reports list many flows in one sentence.

Trafficking reports, news and court texts pack several flows into one sentence, one per clause
("Ghanaian women are sex trafficked in West Africa, the Middle East, and Europe; women from
Vietnam and China are exploited in Ghana"). Each clause (split at semicolons and at "while" or
"whereas") that states exploitation is read on its own, with its places as slots:

- sources: victims by nationality ("Vietnamese, Brazilian, and Chinese women", "Ugandans",
  "citizens of X") and ``from`` lists ("children from A, B, and C");
- destinations: ``to`` / ``into`` / ``en route to`` lists and ``in`` / ``within`` lists
  ("in Kuwait, Lebanon, and Qatar");
- transit: ``through`` / ``via`` lists and "X is a transit point for ... from A to B";
- an end the clause leaves open is the country of the report (a report about one country):
  "women ... are forced into domestic service in South Africa" come from it, "victims from
  Asia are exploited" are exploited in it, its own nationals with no place named are exploited
  within it; "abroad" or "foreign victims" with no place named give no flow.

Each flow carries the clause as evidence, is ``hedged`` when the clause only says it may
happen ("reportedly", "vulnerable to", "possibly X"), and ``internal`` when source and
destination lie in one country. The words are in kg/data/flow_cues.csv (kinds ``exploit``,
``hedged``, ``abroad``, ``foreign``, ``inside``, ``action``, ``transit_role``, ``people``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from kg.extract.flowtext import (
    PEOPLE,
    SLOT,
    Found,
    Slot,
    count_before,
    cues,
    exploitation_of,
    sectors_of,
    slotted_text,
)
from kg.extract.gazetteer import is_demonym
from kg.model import Entity

# where a sentence splits into clauses that each state their own flows
# (and between two roles of the country, each for its own people: "a destination country for
# X and a transit country for Y exploited in Z")
SPLIT = re.compile(r";|,?\s+(?:while|whereas)\s+|\s+[-–—]\s+|,\s+but\s+|\.\s+|"
                   r",?\s+and\s+(?=(?:also\s+)?an?\s+(?:source|transit|destination)\b(?:\s+\w+){0,4}?\s+for\b)")
# ", and" between two clauses that each have a verb of their own ("X is a source ..., and
# women are subjected to ..."), not inside a list ("from A, B, and C are ...")
AND = re.compile(r",\s+and\s+")
VERB = re.compile(r"\b(?:is|are|was|were|has|have|had|be|been|may|might|can|could|will|would)\b")
SEMICOLON = re.compile(r";")
WINDOW = 240    # characters around a list or a place that its patterns read
FROM = re.compile(r"\b(?:from(?:\s+(?:rural\s+|remote\s+|poor\s+|border\s+)?(?:areas|villages|regions|"
                  r"communities|districts|provinces|towns)\s+(?:in|of))?|originating\s+(?:in|from)|"
                  r"(?:recruited|lured|abducted|kidnapped)\s+(?:(?!(?:to|into|towards|for)\b)[\w-]+\s+){0,3}?"
                  r"(?:in|from)|natives\s+of)\s", re.I)
TO = re.compile(r"\b(?:to|into|towards|en\s+route\s+to|bound\s+for|destined\s+for)\s", re.I)
# what may stand between the items of a list of places: "⟨1⟩ and elsewhere in ⟨2⟩", "other
# countries in ⟨3⟩", "neighboring countries—particularly ⟨4⟩, ⟨5⟩, and ⟨6⟩", "the borders of ⟨7⟩"
LINK = (r"(?:\s|,|\(|\)|[—–]|&\w+;|\b(?:the|and|or|as\s+well\s+as|also|mainly|primarily|mostly|"
        r"including|especially|particularly|predominantly|largely|notably|namely|such\s+as|"
        r"increasingly|sometimes|possibly|perhaps|to\s+a\s+lesser\s+extent|other|former|neighbou?ring|"
        r"elsewhere\s+in|(?:countries|cities|towns|regions|parts|areas|"
        r"places|locations|states|nations|borders?|border\s+areas|coasts?)(?:\s+(?:in|of|within|across|with))?)\b)*")
ITEM = re.compile(LINK + r"⟨(\d+)⟩", re.I)
# a name kg does not know inside a list ("⟨1⟩, Bosnia Herzegovina, ⟨2⟩"), skipped
UNKNOWN = re.compile(LINK + r"(?<![A-Za-z])[A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*){0,2}(?=\s*,|\s+(?:and|or)\s)")
RISK = re.compile(r"\b(?:vulnerab\w*|at\s+(?:\w+\s+)?risk|susceptible)\s+(?:to|of|for)\s+(?:[\w-]+\s+){0,4}?"
                  r"(?:trafficking|exploitation|forced\s+labou?r|servitude)\b", re.I)
# "from neighboring countries": where victims come from, not an unnamed destination
ORIGINS = re.compile(r"\bfrom\s+(?:\w+\s+){0,2}(?:neighbou?ring|other|foreign|third|nearby)\s+countries\b", re.I)
LEAD = re.compile(r"(?:[,\s]|\b(?:particularly|especially|mainly|mostly|primarily|notably|including|"
                  r"predominantly|largely)\b)*$", re.I)
# work offered in a place, where the clause states exploitation: "recruited for construction
# jobs in ⟨1⟩ ... trapped in debt bondage"
WORKPLACE = re.compile(r"\b(?:recruited|hired|lured|promised|offered)\s+(?:[\w-]+\s+){0,4}?"
                       r"(?:jobs?|work|employment|positions)\s+$", re.I)
# a clause that opens on where it is set: "In ⟨0⟩, ...", "However, in ⟨0⟩ ..."
FRONTED = re.compile(r"\s*(?:(?:However|Meanwhile|Also|Similarly|Elsewhere),?\s+)?[Ii]n\s+(?:the\s+)?⟨(\d+)⟩\s*,")
TOPIC = re.compile(r"\btrafficking\s+in\s+persons\b", re.I)   # a subject, not people
IN = re.compile(r"\b(?:in|within|throughout|across|inside|on)\s", re.I)
VIA = re.compile(r"\b(?:via|through|transiting(?:\s+(?:via|through))?|by\s+way\s+of)\s", re.I)


@dataclass(frozen=True)
class Read:
    """What one clause states: flows as (source, transit, destination, hedged) and how."""

    flows: tuple[tuple[Entity, tuple[Entity, ...], Entity, bool], ...]
    method: str
    victims: int | None = None


def clause_spans(text: str, start: int, end: int, split: re.Pattern[str] = SPLIT) -> list[tuple[int, int]]:
    """The clauses of text[start:end] (offsets in text), trimmed of white space and
    leading conjunctions.

    >>> t = "A is a source; women are exploited in B, while men are sold in C"
    >>> [t[a:b] for a, b in clause_spans(t, 0, len(t))]
    ['A is a source', 'women are exploited in B', 'men are sold in C']
    """
    spans, last = [], start
    for m in split.finditer(text, start, end):
        spans.append((last, m.start()))
        last = m.end()
    spans.append((last, end))
    if split is SPLIT:
        spans = [piece for a, b in spans for piece in _at_and(text, a, b)]
    out = []
    for a, b in spans:
        piece = text[a:b]
        lead = re.match(r"\s*(?:(?:and|but|or|also)\s+)?", piece)
        a += lead.end() if lead else 0
        b -= len(text[a:b]) - len(text[a:b].rstrip(" \t\n.,"))
        if b > a:
            out.append((a, b))
    return out


def _at_and(text: str, start: int, end: int) -> list[tuple[int, int]]:
    pieces, last = [], start
    for m in AND.finditer(text, start, end):
        right = text[m.end():min(end, m.end() + WINDOW)].split(",", 1)[0]
        if VERB.search(text, max(last, m.start() - WINDOW), m.start()) and VERB.search(right):
            pieces.append((last, m.start()))
            last = m.end()
    return pieces + [(last, end)]


def read_clause(text: str, slots: list[Slot], offset: int, host: Entity | None) -> Read | None:
    """The flows one clause states (``text`` starts at document offset ``offset``; ``slots``:
    its places), or None when it states none.

    >>> gh, kw, lb = (Entity(f"kg:{c}", n, "Country", country_code=c)
    ...               for c, n in (("GH", "Ghana"), ("KW", "Kuwait"), ("LB", "Lebanon")))
    >>> t = "Ghanaian women are subjected to sex trafficking in Kuwait and Lebanon"
    >>> s = [Slot(gh, 0, 8, "Ghanaian"), Slot(kw, 51, 57, "Kuwait"), Slot(lb, 62, 69, "Lebanon")]
    >>> [(a.name, b.name) for a, _, b, _ in read_clause(t, s, 0, None).flows]
    [('Ghana', 'Kuwait'), ('Ghana', 'Lebanon')]
    """
    c = cues()
    stated = RISK.sub(" ", text)    # a risk alone ("vulnerable to trafficking") states no flow
    if not c["exploit"].search(stated) or c["action"].search(text) or c["denied"].search(text) or \
            c["hedge"].search(text):    # denied or merely alleged: no flow (CONTRACT.md)
        return None
    slotted = slotted_text(text, slots, offset)
    # "In Nepal, workers recruited for jobs in Qatar ...": where the clause is set, not an end;
    # the country its people leave from when it names none
    scene = FRONTED.match(slotted)
    setting = int(scene.group(1)) if scene else None
    if setting is not None and slots[setting].entity.type == "Country":
        host = slots[setting].entity
    at = {int(m.group(1)): m.start() for m in SLOT.finditer(slotted)}
    if len([m for m in FROM.finditer(slotted) if take_items(slotted, m.end())]) > 1:
        return None     # hops of a route ("from A to B, from B to C"): the sentence reader's
    sources = _lists(FROM, slotted, slots) + _nationalities(slotted, slots, at)
    src = _unique([slots[i].entity for i in sources])
    ends = _lists(TO, slotted, slots) + _lists(IN, slotted, slots, bound=not src)
    ends = [i for i in ends if i != setting]
    # a nationality among the ends names people, not a place ("catering to European tourists")
    ends = [i for i in ends if not (i in sources and adjectival(slots[i]) or names_people(slotted, i, slots))]
    named = [i for i in ends if not _intended(slotted, at[i])]
    dst = _unique([slots[i].entity for i in (named or ends)])
    role = _transit_role(slotted, host, slots)
    via = _unique([slots[i].entity for i in _lists(VIA, slotted, slots)] + ([role] if role else []))
    maybe = {slots[i].entity.id for i in range(len(slots))
             if re.search(r"\b(?:possibly|perhaps|potentially|likely)\s+(?:\w+\s+)?$", _before(slotted, at[i]))}
    inside = bool(c["inside"].search(text))
    method = "clause"
    if not src:
        # the victims are the country's own: only where the clause speaks of people exploited
        if host is None or not c["people"].search(TOPIC.sub(" ", text)):
            return None
        # a transit point's victims come from elsewhere, and so do foreign victims in the
        # country; people sent on through named countries to a named end, and migrants to
        # named countries abroad, leave from the country
        if via and (role or not dst or any(d.id == host.id for d in dst)):
            return None
        if c["foreign"].search(text) and not inside and (
                not dst or any(d.country_code == host.country_code for d in dst)):
            return None
        within = any(slots[i].entity.id == host.id and re.search(r"\bwithin\s+$", _before(slotted, at[i]))
                     for i in ends)
        # a destination in the country itself is internal only where the clause says so
        dst = [d for d in dst if d.country_code != host.country_code or inside or within]
        if not dst and (inside or c["unnamed"].search(text)) and not ends:
            dst = [host]
        if not dst:
            return None
        src, method = [host], "clause-host"
    elif not dst:
        if inside:
            dst = list(src)
        elif host is None or c["abroad"].search(ORIGINS.sub(" ", text)) or via:
            return None
        else:
            dst, method = [host], "clause-host"
    hedged = bool(c["hedged"].search(text))
    # a count of people belongs to a flow only when the clause has one source and one end
    victims = count_before(slotted, at[sources[0]]) if len(sources) == 1 and len(src) == 1 and \
        len(dst) == 1 and sources[0] in at else None
    flows = []
    for s in src:
        for d in dst:
            if s.id == d.id and s.type != "Country":
                continue
            hops = tuple(t for t in via if t.id not in (s.id, d.id))
            flows.append((s, hops, d, hedged or s.id in maybe or d.id in maybe))
    return Read(tuple(flows), method, victims) if flows else None


def found_in_clause(text: str, slots: list[Slot], span: tuple[int, int], host: Entity | None,
                    year: int | None) -> list[Found]:
    """The flows of one clause as :class:`Found` (``span``: its document offsets)."""
    read = read_clause(text, slots, span[0], host)
    if read is None:
        return []
    types = exploitation_of(text)
    sectors = sectors_of(text)
    if not types - {"child"}:
        # a clause that names no purpose: work in a sector is labour, else unspecified (the
        # next sentences' purposes belong to their own flows)
        types |= {"labor"} if sectors - {"hospitality", "entertainment"} else {"unspecified"}
    out = []
    for s, hops, d, hedged in read.flows:
        out.append(Found(s, hops, d, set(types), read.victims, span, read.method, 0.6 if hedged else 0.75,
                         year, hedged=hedged, sectors=set(sectors)))
    return out


# ------------------------------------------------------------------------------ the parts

def _before(slotted: str, pos: int) -> str:
    """The words before pos that the patterns look at: a bounded window, so that a clause of
    thousands of words (a table pasted as text) is read in linear time."""
    return slotted[max(0, pos - WINDOW):pos]


def _unique(entities: list[Entity]) -> list[Entity]:
    seen: dict[str, Entity] = {}
    for e in entities:
        seen.setdefault(e.id, e)
    return list(seen.values())


def _lists(pattern: re.Pattern[str], slotted: str, slots: list[Slot], bound: bool = False) -> list[int]:
    """The slots of every list that follows the pattern's words ("in ⟨1⟩, ⟨2⟩, and ⟨3⟩").

    A ``from`` list right after a perpetrator ("traffickers from X") is not a source; an
    ``in`` list right after where people live or who acts ("networks in X", "living in X",
    "an orphanage in X" after the source) is not a destination, and with ``bound`` it must
    follow words of exploitation closely ("forced into domestic service in X")."""
    c = cues()
    out: list[int] = []
    for m in pattern.finditer(slotted):
        before = _before(slotted, m.start())
        last = " ".join(before.split()[-2:])
        if pattern is FROM and c["agent"].search(last):
            continue
        if pattern is IN:
            core = LEAD.sub("", before) + " "     # "camps, particularly in X": what is in X
            if c["not_in"].search(core) or re.search(r"\bfrom\s+(?:[\w-]+\s+){1,3}$", core) or re.search(
                    r"\bfrom\s+(?:the\s+)?⟨\d+⟩\s+(?:(?!(?:are|is|were|was|be|been|being)\b)[a-z-]+(?<!ed)\s+){1,2}$",
                    before):   # "from the X orphanage in Y": where the source lies
                continue
            if re.search(r"(?<!sex )(?<!labor )(?<!labour )\btrafficking\s*$", before, re.I):
                continue    # "trafficking in X": the subject of a report, not where it happens
            if bound and not c["exploit"].search(" ".join(before.split()[-8:])) and \
                    not exploitation_of(" ".join(before.split()[-8:])) - {"child"} and \
                    not WORKPLACE.search(before):
                continue
        out += [i for i in take_items(slotted, m.end()) if i not in out]
    return out


def take_items(slotted: str, pos: int) -> list[int]:
    """The slots of the list of places that starts at pos.

    >>> take_items("from ⟨0⟩ and elsewhere in the ⟨1⟩, Ruritania, and ⟨2⟩ are", 5)
    [0, 1, 2]
    """
    items: list[int] = []
    end = pos
    while True:
        m = ITEM.match(slotted, end)
        if m is None and items:
            skip = UNKNOWN.match(slotted, end)
            m = ITEM.match(slotted, skip.end()) if skip else None
        if m is None or (not items and re.search(r"[;()]", m.group(0))):
            return items
        items.append(int(m.group(1)))
        end = m.end()


def _intended(slotted: str, pos: int) -> bool:
    """Whether the list holding the slot at pos is where migrants were heading ("en route to")."""
    head = _before(slotted, pos)
    start = max(head.rfind(" to "), head.rfind(" for "))
    return start >= 0 and bool(cues()["intended"].search(head[:start + 1]))


def _nationalities(slotted: str, slots: list[Slot], at: dict[int, int]) -> list[int]:
    """Slots that give the nationality of victims: "Vietnamese, Brazilian, and Chinese women",
    "young Ugandan children", "Ugandans", "citizens of ⟨0⟩"."""
    c = cues()
    out = []
    for i, s in enumerate(slots):
        end = at[i] + len(f"⟨{i}⟩")
        before, after = _before(slotted, at[i]), slotted[end:end + WINDOW]
        if re.search(r"\b(?:by|with)\s+(?:an?\s+|the\s+|some\s+)?(?:[\w-]+\s+){0,2}$|\bethnic\s+$", before, re.I):
            continue    # "exploited by Chinese men": perpetrators
        if c["agent"].search(" ".join(before.split()[-1:])):
            continue
        if re.search(r"\b(?:citizens|nationals|natives|residents)\s+of\s+(?:the\s+)?$", before, re.I):
            out.append(i)
            continue
        if adjectival(s) and ((re.search(r"\b(?:exploit|traffic|subject|forc|compel|lur|recruit|sell|sold|"
                                          r"coerc)\w*\s+(?:[a-z-]+\s+){0,2}$", before, re.I) and
                                re.match(r"\s*(?:$|[,;.)]|(?:from|and|or|who|to|in|into|as|for|with|at)\b)",
                                         after)) or
                               (c["people"].search(" ".join(before.split()[-6:])) and re.search(
                                   r"\b(?:mostly|mainly|primarily|particularly|especially|including|"
                                   r"predominantly|largely|many|some)\s+(?:⟨\d+⟩\s*,?\s*(?:and\s+|or\s+)?)*$",
                                   before, re.I))):
            out.append(i)   # "exploit impoverished Marshallese", "women, mostly Dominican and ..."
            continue
        if not adjectival(s):
            continue
        # a list of nationalities, then (an adjective or two and) people
        rest = re.sub(r"^(?:\s*(?:,|and|or|as well as|possibly|other|sometimes|to a lesser extent)\s*|\s*⟨\d+⟩)*",
                      "", after)
        if c["people"].match(rest.lstrip()) or re.match(r"\s*(?:[\w-]+\s+){1,2}", rest) and \
                c["people"].match(re.sub(r"^\s*(?:[\w-]+\s+){1,2}", "", rest)) and \
                not c["agent"].match(rest.lstrip()):
            out.append(i)
        elif s.surface.endswith("s") and is_demonym(s.surface) and not \
                re.match(r"\s*(?:traffickers|recruiters|officials|authorities|government)\b", after, re.I):
            out.append(i)   # "Ugandans", "Filipinas"
    return out


def names_people(slotted: str, i: int, slots: list[Slot]) -> bool:
    """Whether slot i is a nationality before people, not a place ("to European tourists")."""
    if not adjectival(slots[i]):
        return False
    at = slotted.find(f"⟨{i}⟩") + len(f"⟨{i}⟩")
    return bool(re.match(rf"\s*(?:[\w-]+\s+)?(?:{PEOPLE}|tourists|clients|customers|employers|traffickers)\b",
                         slotted[at:at + 60], re.I))


def adjectival(s: Slot) -> bool:
    """A place named by a word of its people or an adjective ("Ghanaian", "West African")."""
    if is_demonym(s.surface):
        return True
    return s.entity.type == "Region" and s.surface.casefold() != s.entity.name.casefold() and \
        bool(re.search(r"(?:an|ese|ern|ic)$", s.surface, re.I))


def _transit_role(slotted: str, host: Entity | None, slots: list[Slot]) -> Entity | None:
    """The place a clause calls a transit point ("the country is a transit point for ...")."""
    m = cues()["transit_role"].search(slotted)
    if m is None:
        return None
    head = _before(slotted, m.start())
    slot = re.search(r"⟨(\d+)⟩\s+(?:is|was|remains|serves\s+as|has\s+become|became)?\s*(?:also\s+)?(?:an?\s+)?$", head)
    if slot:
        return slots[int(slot.group(1))].entity
    return host
