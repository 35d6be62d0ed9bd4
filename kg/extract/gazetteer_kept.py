"""The gazetteer's entries kept between runs, in the user's cache folder.

Building them from kg/data takes a second (78,000 names of 36,000 places), and a build's
fork server builds them before any worker can start; read back from this folder they take
half that. They are kept under a key made of the bytes of what they are built from (the data
files and the code that reads them) and of the Python that reads them back, so an edited
file or another version of kg builds them again. The folder is ``$KG_CACHE_DIR``, else
``$XDG_CACHE_HOME/kg``, else ``~/.cache/kg``; where it cannot be written, the entries are
built each time and nothing else changes. The file is marshal data, which Python reads as
fast as its own bytecode and trusts as much: it is the user's own, like the ``.pyc`` files
of an installed package.
"""
from __future__ import annotations

import hashlib
import marshal
import os
import sys
import tempfile
from collections.abc import Callable
from dataclasses import astuple
from pathlib import Path

from kg.extract.words import ANCHORS, CITIES, DATA, SUBDIVISIONS
from kg.model import Entity

NAME = "gazetteer"


def kept_or_built(build: Callable[[], dict], entry: type) -> dict:
    """The entries (form -> ``entry``) kept for the current sources, else ``build()``'s, kept
    for the next run."""
    sources = _sources()
    packed = _load(sources)
    if packed is not None:
        try:
            return _unpacked(packed, entry)
        except (TypeError, ValueError, IndexError):
            pass    # kept in another shape: built again
    entries = build()
    _save(sources, _packed(entries))
    return entries


def folder() -> Path:
    """Where the entries are kept."""
    if os.environ.get("KG_CACHE_DIR"):
        return Path(os.environ["KG_CACHE_DIR"])
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "kg"


def _sources() -> list[Path]:
    """What the entries are made of: the data files and the code that reads them."""
    code = Path(__file__).resolve().parent
    return [DATA / "countries.csv", DATA / "regions.csv", CITIES, ANCHORS, SUBDIVISIONS,
            DATA / "place_words.txt", DATA / "place_stopwords.txt", DATA / "titles.txt",
            code / "gazetteer.py", code / "words.py", code.parent / "ids.py", code.parent / "model.py"]


def _path(sources: list[Path]) -> Path:
    digest = hashlib.sha256(f"{sys.version_info[:2]} {marshal.version}".encode())
    for path in sources:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return folder() / f"{NAME}-{digest.hexdigest()[:32]}.marshal"


def _load(sources: list[Path]):
    try:
        return marshal.loads(_path(sources).read_bytes())
    except (OSError, EOFError, ValueError, TypeError):
        return None


def _save(sources: list[Path], packed) -> None:
    """Keep ``packed``, whole or not at all (a build reading it sees one or the other), and drop
    what was kept for other sources; nothing where the folder cannot be written."""
    target = _path(sources)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=target.parent, prefix=f".{NAME}-", delete=False) as f:
            f.write(marshal.dumps(packed))
        os.replace(f.name, target)
        for old in target.parent.glob(f"{NAME}-*.marshal"):
            if old != target:
                old.unlink(missing_ok=True)
    except OSError:
        pass


def _packed(entries: dict) -> tuple[list[tuple], list[tuple]]:
    """The entries as plain data: each place once (its fields), each entry a row naming its
    places by number (entries share their places, and so do those read back)."""
    number: dict[int, int] = {}
    places: list[tuple] = []

    def numbered(entity: Entity | None) -> int:
        if entity is None:
            return -1
        if id(entity) not in number:
            number[id(entity)] = len(places)
            places.append(astuple(entity))
        return number[id(entity)]
    return places, [(key, numbered(e.entity), e.form, e.case_sensitive, tuple(map(numbered, e.choices)),
                     e.word, e.checked) for key, e in entries.items()]


def _unpacked(packed: tuple[list[tuple], list[tuple]], entry: type) -> dict:
    """:func:`_packed`'s entries, as they were."""
    places, rows = packed
    made = [Entity(*fields) for fields in places]
    return {key: entry(made[at] if at >= 0 else None, form, case_sensitive, tuple(made[c] for c in choices),
                       word, checked)
            for key, at, form, case_sensitive, choices, word, checked in rows}
