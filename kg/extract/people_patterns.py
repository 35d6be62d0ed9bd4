"""People's names and the patterns that find them with a title, a role or an apposition.

A title before a name ("Captain Igor Morozov"), a role ("crime boss A B"), an apposition ("Jane
Doe, Director of the Tax Service"; "The Minister of Justice, Zagipa Baliyeva"), a profile's
heading, "the Lukashenko regime"; and the words a name may hold (:func:`clean_name`,
:func:`could_be_name`). The titles are kg/data/titles.txt, the roles kg/data/person_roles.txt
and official_roles.txt.
"""
from __future__ import annotations

import re
from collections.abc import Container
from functools import lru_cache

from kg.extract.fastre import alternatives, compile_skipping
from kg.extract.gazetteer import is_demonym, lookup
from kg.extract.org_lexicon import heads, lexicon
from kg.extract.words import leading_words, titles, word_list

NAME_WORD = r"(?:O['’]|D['’]|Mc|Mac)?[A-Z][a-z]+(?:[-'’][A-Z]?[a-z]+)*"
# lower-case particles inside a name: "Gonzalo Sanchez de Lozada", "Khalid bin Faisal"
PARTICLE = r"(?:de|da|del|de\s+la|la|le|di|do|dos|das|du|van|von|der|den|bin|ibn|bint|al|el|ben)"
NAME = rf"{NAME_WORD}(?:\s+(?:{PARTICLE}\s+)?{NAME_WORD}){{0,4}}"
FULL_NAME = rf"{NAME_WORD}(?:\s+(?:{PARTICLE}\s+)?{NAME_WORD}){{1,4}}"
FULL_NAME_RE = re.compile(FULL_NAME)


def person_roles() -> frozenset[str]:
    """Roles of people who hold no post (kg/data/person_roles.txt)."""
    return word_list("person_roles.txt")


def official_roles() -> frozenset[str]:
    """Roles in lower case of people who hold a post (kg/data/official_roles.txt)."""
    return word_list("official_roles.txt")


@lru_cache(maxsize=1)
def title_pattern() -> re.Pattern[str]:
    """A title, the body it is of ("Speaker of Parliament"), a name, and more full names in a
    list ("former Presidents A B, C D and E F": each holds the title)."""
    office = r"(?P<office>\s+(?:of|for)\s+(?:the\s+)?[A-Z][\w'’-]*(?:\s+(?:and\s+|of\s+|for\s+)?[A-Z][\w'’-]*){0,5})?"
    more = rf"(?=(?P<more>(?:\s*,\s*(?:and\s+)?{FULL_NAME}|\s+and\s+{FULL_NAME})*))"
    return compile_skipping(rf"{_titles()}(?P<plural>s|['’]s)?{office}\s+(?P<name>{NAME}){more}")


@lru_cache(maxsize=1)
def role_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """A person who holds no post, named with their role: "crime boss A B", "A B, the CEO of"."""
    roles = alternatives(person_roles() | official_roles())
    return (compile_skipping(rf"(?<![\w-])(?P<title>{roles})\s+(?P<name>{FULL_NAME})"),
            compile_skipping(rf",\s+(?:the|a|an)\s+(?:[\w-]+\s+){{0,2}}?(?P<title>{roles})\b"))


@lru_cache(maxsize=1)
def title_after_pattern() -> re.Pattern[str]:
    """"Rubalcaba, the Interior Minister," / "Jane Doe, Director of the Tax Service": a name,
    a comma, the title with the subject or body it is of."""
    office = r"(?:\s+(?:of|for)\s+(?:the\s+)?[A-Z][\w'’-]*(?:\s+(?:and\s+|of\s+|for\s+)?[A-Z][\w'’-]*){0,5})?"
    return compile_skipping(rf",\s+(?:the\s+)?(?:then-|former\s+|acting\s+)?(?P<subject>[A-Z][a-z]+\s+)?"
                            rf"(?P<title>(?:{alternatives(titles())}){office})(?=[,.;:)]|\s+[a-z])")


NAME_BEFORE = re.compile(rf"(?:(?P<before>\b[a-z]+\s+|,\s+)|(?<![\w'’.-]))(?P<name>{NAME})\Z")


def name_before(text: str, end: int, full: bool = False) -> re.Match[str] | None:
    """The name that ends at ``end`` (where an apposition's comma stands), read in the 80
    characters before it: its group "name", and "before" when a lower-case word or a comma
    comes before it (not a sentence's first word). ``full``: two words or more."""
    start = max(0, end - 80)
    m = NAME_BEFORE.search(text, start, end)
    if m is None or (full and len(m.group("name").split()) < 2):
        return None
    return m


@lru_cache(maxsize=1)
def appositive_pattern() -> re.Pattern[str]:
    """"The Minister of Justice, Zagipa Baliyeva": a title with its office, a comma, a name."""
    office = r"(?:\s+of\s+(?:the\s+)?[A-Z][\w'-]*(?:\s+(?:and\s+|of\s+|for\s+)?[A-Z][\w'-]*){0,5})?"
    return compile_skipping(rf"{_titles(office)},\s+(?P<name>{NAME_WORD}(?:\s+{NAME_WORD}){{1,2}})")


def _titles(after: str = "") -> str:
    """A title (the longest that fits) as the group "title", not inside a word, ``after`` in
    the group too (a trie of the titles, compiled with kg.extract.fastre: three times as fast)."""
    return rf"(?<![\w-])(?P<title>(?:{alternatives(titles())}){after})"


# "the Lukashenko regime", "the Zapatero government": the person who heads it
LEADER = compile_skipping(rf"\bthe\s+(?P<name>{NAME_WORD})\s+(?:regime|government|administration|Government|Administration)\b")
HEADED = "\x00heading"     # the title of a name found as a profile's heading: none, but marked
HEADING = re.compile(rf"(?m)^[ \t]*(?P<name>{FULL_NAME})[ \t]*$")


def name_headings(p, text: str, lower_words: Container[str]) -> list[tuple[int, int, str, str]]:
    """A heading line that is a person's full name, as profiles are headed ("Jane Q Doe"
    above the paragraph about her): each word could be a name's, none is written in lower
    case, and a surname (a word after the first) is used again in the 2,000 characters after
    (``text``: the document's)."""
    if "\n" not in p.text and len(p.text.strip()) > 60:
        return []
    out = []
    for m in HEADING.finditer(p.text):
        name = clean_name(m.group("name"))
        words = name.split()
        if len(words) < 2 or any(w.lower() in lower_words for w in words):
            continue
        rest = text[p.start + m.end():p.start + m.end() + 2000]
        if any(re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", rest) for w in words[1:]):
            out.append(found_at(p.start + m.start("name"), m.group("name"), name, HEADED))
    return out


def after_office(text: str, lower_words: Container[str] = ()) -> tuple[str, str] | None:
    """" of Parliament Jordanovski" -> (" of Parliament", "Jordanovski"): the name is the
    longest run of words at the end that could be a name's; None when every word could be
    (nothing marks where the body's name ends: "Director of Public Prosecutions")."""
    words = text.split()
    k = len(words)
    while (k > 0 and re.fullmatch(NAME_WORD, words[k - 1]) and could_be_name(words[k - 1])
           and words[k - 1].lower() not in lower_words):     # "of Economic Development Farhad"
        k -= 1
    if k == len(words) or k <= 1 or words[k - 1] in ("of", "for", "the", "and"):
        return None
    return " " + " ".join(words[:k]), " ".join(words[k:])


def people_adjective(word: str) -> bool:
    """A people's adjective, listed or made from a country's name ("Libyan", "Moroccan",
    "Paraguayan", "Argentine", "Brazilian"), or one of the endings they take ("Irish")."""
    if is_demonym(word) or word.endswith(("ish", "ese", "ian")):
        return True
    stems = (word[:-1], word[:-2], word[:-3], word[:-1] + "a", word[:-2] + "o", word[:-3] + "a")
    return any((place := lookup(stem)) is not None and place.type == "Country"
               for stem in stems if len(stem) >= 4)


def is_country(word: str) -> bool:
    place = lookup(re.sub(r"['’]s\s*$", "", word.strip()))
    return place is not None and place.type == "Country"


def subject_before(text: str, start: int) -> str:
    """The subject word a title is written after ("Finance Minister", "Interior Minister"),
    with a space, or "": it tells which ministry the minister heads."""
    m = re.search(r"(?<![\w'’-])([A-Z][a-z]+(?:['’]s)?) $", text[max(0, start - 20):start])
    if m and m.group(1) not in leading_words() and m.group(1) not in titles():
        return m.group(1) + " "
    return ""


def found_at(offset: int, text: str, name: str, title: str) -> tuple[int, int, str, str]:
    """(start, end, name, title) of a cleaned name found in ``text``, which starts at the
    document's ``offset``: the span covers the name as written, line breaks and all."""
    if " ".join(text.split()) == text:
        start = max(text.find(name), 0)
        return offset + start, offset + start + len(name), name, title
    m = re.search(r"\s+".join(map(re.escape, name.split())), text)
    start, end = (m.start(), m.end()) if m else (0, len(name))
    return offset + start, offset + end, name, title


class LowerWords(Container[str]):
    """The words of letters a-z that a text writes, as a set made when first asked: most
    documents never ask (their people are found by titles of more than one word, and the
    model does not read them), and the set took 0.4 CPU-s of a corpus build.

    >>> words = LowerWords("Minister Fired said he was fired")
    >>> "fired" in words, "minister" in words
    (True, False)
    """

    __slots__ = ("_words", "text")

    def __init__(self, text: str) -> None:
        self.text, self._words = text, None

    def __contains__(self, word: object) -> bool:
        if self._words is None:
            self._words = set(LOWER_WORD.findall(self.text))
        return word in self._words


LOWER_WORD = re.compile(r"(?<![\w-])[a-z]+(?![\w-])")


def written_in_lower_case(word: str, text: str, lower_words: Container[str]) -> bool:
    """Whether the text also writes the word in lower case, as a word of its own (``lower_words``
    holds the text's words of letters a-z; other words are looked for)."""
    lower = word.lower()
    if lower.isascii() and lower.isalpha():
        return lower in lower_words
    return re.search(rf"(?<![\w-]){re.escape(lower)}(?![\w-])", text) is not None


def common_words(name: str, lower_words: Container[str]) -> bool:
    """Every word of the "name" is a word the document also writes in lower case: a heading
    ("Air Routes", "Good Support"), not a person."""
    return all(w.lower() in lower_words for w in name.split())


def clean_name(text: str, places_ok: bool = False) -> str:
    """A person's name as written, without titles or possessives; "" when it is no name.
    ``places_ok``: a word after the first may be a town's name (a title's name)."""
    words = " ".join(text.split()).removesuffix("'s").removesuffix("’s").split()
    while words and (words[0] in titles() or words[0] in leading_words()):
        words = words[1:]
    inside = [k for k, w in enumerate(words) if w in title_words()]
    if inside:
        # "Finance Minister Ahmed Ali": the name follows the last title word;
        # "John Kerry Ambassador": with nothing after it, the name is before the first
        after = words[inside[-1] + 1:]
        words = after if after else words[:inside[0]]
    while words and re.fullmatch(PARTICLE, words[-1]):
        words = words[:-1]
    while words and re.fullmatch(PARTICLE, words[0]):
        words = words[1:]       # "de Villepin" alone is Villepin
    if any(re.search(r"['’]s$", w) for w in words[:-1]):
        return ""   # "Obama's Prague": a possessive inside is no name's
    if not words or not all(re.fullmatch(PARTICLE, w) or (re.fullmatch(NAME_WORD, w) and (
            could_be_name(w) or (places_ok and k and _town_word(w)))) for k, w in enumerate(words)):
        return ""
    return " ".join(words)


def _town_word(word: str) -> bool:
    """A word that is a town's name and no other kind of word kg knows."""
    place = lookup(word)
    return (place is not None and place.type == "City" and word not in title_words()
            and word not in heads() and word not in word_list("not_names.txt")
            and word.casefold() not in lexicon())


@lru_cache(maxsize=1)
def title_words() -> frozenset[str]:
    return frozenset(w for t in titles() for w in t.split())


@lru_cache(maxsize=65536)
def could_be_name(word: str) -> bool:
    """A capitalised word that can be part of a person's name: not a title's word, nor the
    word of a body (or its plural: "Services"), a place or the stop list."""
    return not (word in title_words() or word in heads() or word[-1:] == "s" and word[:-1] in heads()
                or word in word_list("not_names.txt")
                or word.casefold() in lexicon() or lookup(word) is not None)
