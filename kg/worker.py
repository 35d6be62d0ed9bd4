"""One input file's work, as a build's worker process (or the build itself) does it: read the
file, extract the document or take its extraction from the previous build's cache, and
serialise the document's named graph.

Reading and serialising run here, beside extraction, so that a build with N workers does N
files at a time; the build then admits documents in file order (kg.ingest.Admission), which is
cheap, and joins the graphs.
"""
from __future__ import annotations

import hashlib
import time
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from kg import cache
from kg.errors import InputError
from kg.extract import extract
from kg.graph import DocumentTriples, document_triples
from kg.ingest import MAX_MB, fingerprint, read_bytes, read_document
from kg.model import Document, Extraction, Failure, PackedMentions


@dataclass
class Done:
    """What became of one file."""
    path: str
    failure: Failure | None = None         # it could not be read
    doc: Document | None = None
    fingerprint: str = ""
    extraction: Extraction | None = None
    error: str = ""                        # extraction failed (a bug: reported, not raised)
    reused: bool = False                   # the extraction is the previous build's
    triples: DocumentTriples | None = None   # its named graph, serialised here
    entry: bytes | None = None             # its cache entry (cache.entry), made here
    ingest: float = 0.0                    # seconds reading
    extract: float = 0.0                   # seconds extracting


def read(path: Path, max_mb: float, data: bytes | None = None) -> Done:
    """Read ``path`` (or its ``data``): a Done with the document and its fingerprint, or with
    the reason it could not be read; never raises for one bad file."""
    start = time.perf_counter()
    try:
        doc = read_document(path, data, max_mb=max_mb)
        key = fingerprint(doc)
    except InputError as exc:
        return Done(str(path), failure=Failure(exc.path, exc.reason))
    except Exception as exc:    # a bug on one file must not stop the others
        return Done(str(path), failure=Failure(str(path), f"could not be read ({type(exc).__name__}: "
                                                          f"{exc}); please report this with the file"))
    return Done(str(path), doc=doc, fingerprint=key, ingest=time.perf_counter() - start)


def read_and_extract(path: Path, max_mb: float, old_cache: Path | None = None,
                     thorough: bool = False, data: bytes | None = None, done: Done | None = None,
                     time_limit: float | None = None, known: tuple[str, str] | None = None) -> Done:
    """Read ``path`` (or its ``data``, read where the build runs when this worker is on another
    machine; or take ``done``, the file as the build read it with :func:`read`) and extract it
    (see :class:`Done`), in at most ``time_limit`` seconds; never raises for one bad file.
    ``known``: the file's (document id, sha256) in the previous build (see :func:`reuse`)."""
    if done is None and data is None and known is not None and old_cache is not None:
        reused = reuse(path, known, old_cache, thorough, max_mb)
        if reused is not None:
            return reused
    done = done or read(path, max_mb, data)
    if done.failure is not None:
        return done
    doc = done.doc
    start = time.perf_counter()
    done.extraction, done.reused, done.error = extract_or_reuse(doc, old_cache, thorough, time_limit)
    if done.extraction is not None:
        done.triples = document_triples(done.extraction)
        if not done.reused:
            done.entry = cache.entry(done.extraction, thorough)
        # what the build does with the mentions, it does with rows (see PackedMentions)
        done.extraction = replace(done.extraction, mentions=PackedMentions.of(done.extraction.mentions))
    done.extract = time.perf_counter() - start
    return done


def reuse(path: Path, known: tuple[str, str], old_cache: Path, thorough: bool = False,
          max_mb: float = MAX_MB) -> Done | None:
    """The file's Done taken from the previous build's cache without reading the document
    (parsing its HTML, finding its paragraphs), when its bytes are still those of that build
    (``known``: the document id it had there, and the sha256 of its bytes) and kg's
    extractor is unchanged; else None (then it is read as any file).

    The bytes are hashed, not trusted from the file's size and mtime: hashing is a fifth of
    reading a cable, and a file changed within the same second and size (an edit, ``cp -p``,
    a restored backup) would keep its old extraction. Only the path, which a Document holds,
    and the bytes decide what reading gives (its id comes from the text or the file's name):
    the cached Document is what reading would give again."""
    start = time.perf_counter()
    try:
        data = read_bytes(path, max_mb)
    except InputError:
        return None
    doc_id, sha = known
    if hashlib.sha256(data).hexdigest() != sha:
        return None
    cached, current = cache.load(old_cache, doc_id, sha, thorough)
    if not current:
        return None
    doc = replace(cached.document, path=str(path), source_file=path.name)
    done = Done(str(path), doc=doc, fingerprint=fingerprint(doc), reused=True)
    middle = time.perf_counter()
    extraction = replace(cached, document=doc)
    done.triples = document_triples(extraction)
    done.extraction = replace(extraction, mentions=PackedMentions.of(extraction.mentions))
    done.ingest, done.extract = middle - start, time.perf_counter() - middle
    return done


def extract_or_reuse(doc: Document, old_cache: Path | None, thorough: bool = False,
                     time_limit: float | None = None) -> tuple[Extraction | None, bool, str]:
    """(extraction, reused, error): the previous build's extraction when the document and kg's
    extractor are unchanged, else a new one; error says why extraction failed, or that it took
    longer than ``time_limit`` seconds (see :func:`_time_limit`)."""
    if old_cache is not None:
        cached, current = cache.load(old_cache, doc.id, doc.sha256, thorough)
        if current:
            # the same bytes may have moved: the document is where it was read this time
            return replace(cached, document=replace(cached.document, path=doc.path,
                                                    source_file=doc.source_file)), True, ""
    if time_limit:
        warm_up()      # (loading the model is no document's time)
    try:
        with _time_limit(time_limit):
            return extract(doc, thorough=thorough), False, ""
    except _TooLong:
        return None, False, (f"skipped: extracting {doc.id} took longer than {time_limit:g} s "
                             "(kg build --doc-timeout); the other documents are built")
    except Exception as exc:    # a bug on one document must not stop the others
        return None, False, (f"extraction failed ({type(exc).__name__}: {exc}); "
                             "please report this with the file")


WARM_UP = (b"Kazakhstan is a source and destination country for men and women trafficked to "
           b"Russia for forced labor. Minister Ivan Petrov said the Ministry of Justice and "
           b"the IOM office in Almaty work together.\n")
_warm = False


def warm_up() -> None:
    """Load once what extraction loads on first use (the model, the gazetteer, the extractors'
    tables) by extracting a short text: a build's fork server does it before it forks the
    workers (kg.preload), a build without workers before its first document's time starts."""
    global _warm
    if not _warm:
        _warm = True
        with collector_paused():
            read_and_extract(Path("warm-up.txt"), max_mb=1, data=WARM_UP)


@contextmanager
def collector_paused():
    """Python's cyclic garbage collector paused while what is loaded here stays loaded (the
    model, the gazetteer: millions of objects, none of them garbage), then those objects left
    out of its later passes (``gc.freeze``): its passes over them, ever more as they grew, took
    0.6 s of a fork server's 3-second load, and later passes in the workers would go over them
    again."""
    import gc
    thresholds = gc.get_threshold()
    gc.set_threshold(0)     # (not gc.disable(): msgpack, which loads the model, enables it again)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.freeze()


class _TooLong(BaseException):
    """Raised into extraction when a document's time is up (a BaseException: the extractors'
    own ``except Exception`` must not swallow it)."""


@contextmanager
def _time_limit(seconds: float | None):
    """Stop what runs inside after ``seconds`` (raises _TooLong), with a timer signal: in a
    build's worker processes and in a build run in a main thread; elsewhere (a Dask worker's
    thread) no limit. One pathological document (a 16 KB paragraph with no full stop) must
    not stall a build."""
    import signal
    import threading
    if not seconds or not hasattr(signal, "setitimer") or \
            threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum, frame) -> None:
        raise _TooLong()
    previous = signal.signal(signal.SIGALRM, stop)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def quick_exit(build: int | None = None) -> None:
    """Initialise a local worker process so that it ends at once when the build is done,
    without the interpreter's teardown (unloading the model, the gazetteer and every module):
    the build waited 0.8 s for its two workers to end. Runs first of the exit handlers, after
    the worker has sent its last result and its exit message.

    ``build``: the process id of the build; the worker ends when that process is gone (see
    :func:`end_with`), however it ended."""
    import atexit
    import os
    import sys

    if build is not None:
        end_with(build)

    def end() -> None:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (AttributeError, OSError, ValueError):
                pass
        os._exit(0)
    atexit.register(end)


def end_with(build: int) -> None:
    """End this process (and the fork server that forked it) as soon as the process ``build``
    is gone. A build killed by SIGKILL, or by SIGTERM before it could stop its pool, left its
    workers waiting for work forever, and with them the fork server and multiprocessing's
    resource tracker (four processes, 440 MB). A worker's parent is the fork server, not the
    build, so the build is watched by its id: a pidfd where Linux has them (it cannot name
    another process later), else a check every second."""
    import os
    import threading

    def watch() -> None:
        try:
            handle = os.pidfd_open(build)
        except ProcessLookupError:
            handle = None                   # gone already
        except (AttributeError, OSError):   # no pidfd here: ask every second
            import time
            while _alive(build):
                time.sleep(1)
            handle = None
        if handle is not None:
            import select
            select.select([handle], [], [])
        parent = os.getppid()
        if parent not in (build, 1):        # the fork server forked this worker: end it too
            try:
                os.kill(parent, 15)
            except OSError:
                pass
        os._exit(1)
    threading.Thread(target=watch, name="kg-watch-build", daemon=True).start()


def _alive(pid: int) -> bool:
    import os
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
