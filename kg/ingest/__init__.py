"""Ingest: files and folders -> Documents with metadata, paragraphs and character offsets.

Reads cable text (.txt), WikiLeaks cable pages (.html) and any other text (.txt, .md, .html).
An unreadable file becomes a Failure naming the file and the reason; the rest are still read.
Text read before (the same cable in two files, the same file twice) is read once.
"""
from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from kg.errors import InputError
from kg.ids import document_slug, normalise
from kg.ingest import cable, html
from kg.ingest.decode import decode, unescape_references
from kg.model import Document, Failure

SUFFIXES = (".txt", ".md", ".html", ".htm", ".text", ".markdown")
HTML_SUFFIXES = (".html", ".htm")


def find_files(paths: Iterable[str | os.PathLike[str]]) -> tuple[list[Path], list[str], list[Failure]]:
    """The readable files under the given paths, in a stable order.

    Returns (files, skipped, failures): files of other kinds found inside folders are skipped
    (listed, not errors); a path that does not exist, or a file given by name with a suffix kg
    does not read, is a failure. Folders are walked without following links (no loops).
    """
    files: list[Path] = []
    skipped: list[str] = []
    failures: list[Failure] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            for root, dirs, names in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(names):
                    if name.startswith("."):
                        continue
                    child = Path(root) / name
                    if child.suffix.lower() in SUFFIXES and child.is_file():
                        files.append(child)
                    else:
                        skipped.append(str(child))
        elif path.is_file():
            if path.suffix.lower() in SUFFIXES:
                files.append(path)
            else:
                failures.append(Failure(str(path), f"unsupported file type '{path.suffix or '(none)'}'"
                                        f"; kg reads {', '.join(SUFFIXES)}"))
        elif path.is_symlink():
            failures.append(Failure(str(path), "broken symbolic link"))
        else:
            failures.append(Failure(str(path), "no such file or folder"))
    return files, skipped, failures


MAX_MB = 10   # a cable is 5-100 KB; a larger file is refused rather than read for hours


def read_bytes(path: Path, max_mb: float = MAX_MB) -> bytes:
    """The bytes of a file; raises InputError when it cannot be read or is too large."""
    name = str(path)
    try:
        size = path.stat().st_size
        if size > max_mb * 1_000_000:
            raise InputError(name, f"too large ({size / 1e6:.1f} MB): kg reads documents up to "
                                   f"{max_mb:g} MB; split it, or raise the limit with --max-mb")
        return path.read_bytes()
    except OSError as exc:
        raise InputError(name, f"cannot be read ({exc.strerror or exc})") from None


def read_document(path: Path, data: bytes | None = None, max_mb: float = MAX_MB) -> Document:
    """Read one file (or its ``data``, already read) into a Document; raises InputError naming
    the file and what is wrong."""
    name = str(path)
    if data is None:
        data = read_bytes(path, max_mb)
    sha = hashlib.sha256(data).hexdigest()
    text, encoding = decode(data, name)
    page = None
    if path.suffix.lower() in HTML_SUFFIXES or re.match(r"\s*<(?:!doctype|html|\?xml)", text, re.I):
        page = html.read_page(text)
        text = page.text
    else:
        # a plain text holding HTML character references (a page's text saved as .txt) is
        # read as the characters they stand for; texts/<id>.txt holds it so, and every
        # offset indexes it
        text = unescape_references(text)
    parsed = cable.parse(text)
    has_text = any(re.search(r"[^\W\d_]{2}", p.text) for p in parsed.paragraphs)
    if not has_text and not (parsed.cable_id or (page and page.cable_id)):
        # A cable page that WikiLeaks cut short still has its header: keep its metadata.
        raise InputError(name, "no readable text (not a document)")
    doc_id = (page.cable_id if page and page.cable_id else "") or parsed.cable_id or path.stem
    title = parsed.subject or (page.title if page else "") or _first_line(parsed.paragraphs, text)
    return Document(
        id=document_slug(doc_id), source_file=path.name, path=name, sha256=sha, text=text,
        paragraphs=tuple(parsed.paragraphs), title=title,
        date=(page.date if page and page.date else "") or parsed.date,
        origin=(page.origin if page and page.origin else "") or parsed.origin,
        classification=(page.classification if page and page.classification else "")
        or parsed.classification,
        tags=tuple(parsed.tags), recipients=tuple(parsed.recipients),
        references=tuple(parsed.references), signer=parsed.signer,
        kind="cable" if parsed.is_cable or (page and page.is_cable_page) else "text",
        encoding=encoding,
    )


def _first_line(paragraphs, text: str) -> str:
    for p in paragraphs:
        line = p.text.strip().splitlines()[0] if p.text.strip() else ""
        if line:
            return " ".join(line.lstrip("# ").split())[:200]
    return ""


def read_documents(files: Iterable[Path], max_mb: float = MAX_MB
                   ) -> Iterator[Document | Failure | tuple[str, str, str]]:
    """Read files in order; yield each Document, each Failure, and (path, why, sha256) for
    duplicates (see :class:`Admission`)."""
    admission = Admission()
    for path in files:
        try:
            doc = read_document(path, max_mb=max_mb)
        except InputError as exc:
            yield Failure(exc.path, exc.reason)
            continue
        yield admission(doc, fingerprint(doc))


def fingerprint(doc: Document) -> str:
    """What makes two documents the same text: the hash of the normalised text."""
    return hashlib.sha256(normalise(doc.text).encode()).hexdigest()


class Admission:
    """Which documents a build reads, met in file order (the check is cheap; reading and
    fingerprinting may run in worker processes).

    A cable met again (same cable id) or a text met again (same normalised text) is a
    duplicate: reported, not read twice. Two different texts with one file name get ids
    made unique with a suffix (report, report-2).
    """

    def __init__(self) -> None:
        self.by_id: dict[str, str] = {}          # document id -> fingerprint
        self.fingerprints: dict[str, str] = {}   # fingerprint -> document id

    def __call__(self, doc: Document, fingerprint: str) -> Document | tuple[str, str, str]:
        """The document to read (its id made unique where needed), or (path, why, sha256)."""
        if fingerprint in self.fingerprints:
            return (doc.path, f"same text as document {self.fingerprints[fingerprint]}", doc.sha256)
        if doc.id in self.by_id:
            if doc.kind == "cable":
                return (doc.path, f"cable {doc.id} was already read from another file", doc.sha256)
            n = 2
            while f"{doc.id}-{n}" in self.by_id:
                n += 1
            doc = _with_id(doc, f"{doc.id}-{n}")
        self.by_id[doc.id] = fingerprint
        self.fingerprints[fingerprint] = doc.id
        return doc


def _with_id(doc: Document, new_id: str) -> Document:
    from dataclasses import replace
    return replace(doc, id=new_id)
