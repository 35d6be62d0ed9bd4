"""Regular expressions that skip ahead: a pattern led by a lookahead for the characters its
matches can start with.

Python's regex engine skips fast to where a match can start only when a pattern begins with a
literal or a set of characters; a pattern that begins with ``\\b`` or a lookbehind, or with
alternatives of words, is tried at every position of the text. Led by ``(?=[...])`` with the
characters its matches can start with, it is tried only where one of them stands: a search
through a whole cable for the words of trafficking takes half the time. The lookahead is
compiled with the pattern's own flags (IGNORECASE included), so it accepts exactly what the
first character of the pattern accepts: the matches are the same.
"""
from __future__ import annotations

import re

try:    # the parser of the re module (Python 3.11+); without it, patterns are left as they are
    from re import _constants as _c
    from re import _parser
except ImportError:     # pragma: no cover
    _parser = None

_MAX_SET = 64       # more first characters than this: the lookahead saves little


def compile_skipping(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """``re.compile(pattern, flags)``, led by a lookahead for its first characters where they
    are known (see the module); the same matches, spans and groups.

    >>> compile_skipping(r"\\b(?:human trafficking|traffickers?)\\b", re.I).pattern
    '(?=[HTht])(?:\\\\b(?:human trafficking|traffickers?)\\\\b)'
    >>> compile_skipping(r"\\w+").pattern       # any word character: nothing to gain
    '\\\\w+'
    """
    firsts = first_characters(pattern, flags)
    if not firsts:
        return re.compile(pattern, flags)
    members = "".join(re.escape(c) for c in sorted(firsts))
    lead = _GLOBAL_FLAGS.match(pattern)     # "(?i)" must stay first
    head, body = (lead.group(), pattern[lead.end():]) if lead else ("", pattern)
    return re.compile(f"{head}(?=[{members}])(?:{body})", flags)


_GLOBAL_FLAGS = re.compile(r"\(\?[aiLmsux]+\)")


def first_characters(pattern: str, flags: int = 0) -> set[str] | None:
    """The characters a match of ``pattern`` can start with, or None when they are not known
    (a match can be empty, or start with a class such as ``\\w``, a negated set, a
    back-reference...)."""
    if _parser is None:
        return None
    try:
        parsed = _parser.parse(pattern, flags)
    except re.error:
        return None
    firsts = _firsts(list(parsed))
    if firsts and parsed.state.flags & re.IGNORECASE:
        # either case is enough (the lookahead ignores case as the pattern does); both read plainly
        firsts = {c.lower() for c in firsts} | {c.upper() for c in firsts if len(c.upper()) == 1}
    return firsts if firsts and len(firsts) <= _MAX_SET else None


def _firsts(items: list) -> set[str] | None:
    for i, (op, av) in enumerate(items):
        if op is _c.ASSERT and av[0] == 1:      # a lookahead: what it sees starts the match
            firsts = _firsts(list(av[1]))
            if firsts is not None:
                return firsts
            continue
        if op in (_c.AT, _c.ASSERT, _c.ASSERT_NOT):
            continue        # \b, ^, lookbehinds consume nothing: the next item starts the match
        if op is _c.LITERAL:
            return {chr(av)}
        if op is _c.IN:
            return _set(av)
        if op is _c.BRANCH:
            out: set[str] = set()
            for alternative in av[1]:
                firsts = _firsts(list(alternative))
                if firsts is None:
                    return None
                out |= firsts
            return out
        if op is _c.SUBPATTERN:
            return _firsts(list(av[-1]))
        if op in (_c.MAX_REPEAT, _c.MIN_REPEAT, getattr(_c, "POSSESSIVE_REPEAT", None)):
            low, _, sub = av
            firsts = _firsts(list(sub))
            if low >= 1 or firsts is None:
                return firsts
            rest = _firsts(items[i + 1:])       # optional: it, or what follows it, starts
            return None if rest is None else firsts | rest
        return None         # anything else (ANY, CATEGORY, GROUPREF, ...): not known
    return None             # the pattern can match the empty string


def _set(members: list) -> set[str] | None:
    out: set[str] = set()
    for op, av in members:
        if op is _c.LITERAL:
            out.add(chr(av))
        elif op is _c.RANGE and av[1] - av[0] < _MAX_SET:
            out.update(map(chr, range(av[0], av[1] + 1)))
        else:
            return None     # NEGATE, CATEGORY (\w, \d), a wide range
    return out


def alternatives(words) -> str:
    """A regular expression that matches any of ``words``, the longest first where one begins
    another, as ``"|".join`` of them sorted longest first does, written as a trie: at each
    character the engine follows the one branch that can match instead of trying every word
    (a search for 100 roles went three times as fast). Words that share a first character
    share a branch, so the branches of a node never match at the same place, and a word that
    another continues ends in an optional, greedy continuation: the same matches, in the same
    order of trying (for a pattern that does not ignore case).

    >>> alternatives(["chief", "chief of staff", "consul"])
    'c(?:hief(?:\\\\ of\\\\ staff)?|onsul)'
    >>> import re
    >>> [m.group() for m in re.finditer(alternatives(["a", "ab", "abc", "b"]), "abcab b")]
    ['abc', 'ab', 'b']
    """
    trie: dict = {}
    for word in words:
        node = trie
        for c in word:
            node = node.setdefault(c, {})
        node[""] = {}          # a word ends here
    return _branches(trie)


def _branches(node: dict) -> str:
    ends = "" in node
    parts = []
    for c in sorted(k for k in node if k):
        child = node[c]
        run = c
        while len(child) == 1 and "" not in child:      # a chain of one branch: one literal
            (c2, child), = child.items()
            run += c2
        rest = _branches(child)
        parts.append(re.escape(run) + rest)
    if not parts:
        return ""
    body = parts[0] if len(parts) == 1 else f"(?:{'|'.join(parts)})"
    if ends:
        return f"{body}?" if len(parts) > 1 else f"(?:{body})?"
    return body
