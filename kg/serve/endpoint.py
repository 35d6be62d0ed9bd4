"""The read-only SPARQL 1.1 Protocol endpoint over a finished build (``kg serve``): the server.

- ``/sparql``: GET ``?query=`` or POST (form or ``application/sparql-query``); SELECT and ASK
  answered in SPARQL JSON, XML, CSV or TSV, CONSTRUCT and DESCRIBE in Turtle, N-Triples,
  RDF/XML or JSON-LD, by the Accept header (or ``format=``), written by pyoxigraph's own
  serialisers; 406 when nothing asked for is offered (:func:`kg.serve.formats.negotiate`).
  Updates are refused (405/403), and so are SERVICE, LOAD and FROM an outside IRI (400).
- ``/``: a query form and links to the maps; the build's maps, report and tables by name.

Queries run in worker processes, each holding the store open read-only, so that a query that
runs past ``timeout`` is stopped by ending its process (pyoxigraph's queries cannot be
interrupted, FINDINGS.md) and a query that returns more than ``max_rows`` rows is refused
rather than held in memory. The server reads a snapshot of the store taken at start (hard
links: cheap, and a rebuild of the folder cannot change what is being served). It listens on
127.0.0.1; another address must be asked for explicitly.
"""
from __future__ import annotations

import ipaddress
import multiprocessing
import os
import queue
import shutil
import tempfile
import threading
from http.server import ThreadingHTTPServer
from pathlib import Path

from kg.errors import InputError, KGError
from kg.serve.handler import Handler
from kg.serve.workers import Worker, default_workers


class ServeError(KGError):
    """The endpoint cannot start (no store, an address it must not bind without being told)."""


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


class Endpoint(ThreadingHTTPServer):
    """The HTTP server: a pool of query workers over a snapshot of a build's store."""

    daemon_threads = True
    request_queue_size = 256     # socketserver's 5 resets connections under 50 clients

    def __init__(self, out: str | os.PathLike[str], host: str = "127.0.0.1", port: int = 7878, *,
                 public: bool = False, timeout: float = 10.0, max_rows: int = 10_000,
                 workers: int | None = None, queue_size: int = 64) -> None:
        if not is_loopback(host) and not public:
            raise ServeError(f"refusing to listen on {host}: kg serve listens on 127.0.0.1 unless "
                             "--host names another address explicitly")
        self.out = Path(out).resolve()
        store = self.out / "store"
        if not store.is_dir() or not any(store.iterdir()):
            raise InputError(str(store), "no store here; run kg build first (or pass --out DIR)")
        self.timeout_s, self.max_rows = timeout, max_rows
        # queries waiting for a worker: at most queue_size; more get a 503 with Retry-After at once
        self.queue_size, self.waiting, self.waiting_lock = queue_size, 0, threading.Lock()
        _remove_stale_snapshots()
        self.snapshot = Path(tempfile.mkdtemp(prefix=f"kg-serve-{os.getpid()}-"))
        shutil.copytree(store, self.snapshot / "store", copy_function=_link_or_copy)
        self.pool: queue.Queue[Worker] = queue.Queue()
        self.context = multiprocessing.get_context("spawn")
        try:
            super().__init__((host, port), Handler)
        except OSError as exc:
            shutil.rmtree(self.snapshot, ignore_errors=True)
            raise ServeError(f"cannot listen on {host}:{port} ({exc.strerror}); "
                             "choose another --port") from None
        for _ in range(max(1, workers or default_workers())):
            self.pool.put(Worker(self.context, self.snapshot / "store"))

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host if ':' not in str(host) else f'[{host}]'}:{port}/sparql"

    def run_query(self, text: str, fmt: str) -> tuple[int, str, bytes]:
        """Run a query in a free worker: wait for one in a queue of at most ``queue_size``
        queries, at most ``timeout`` seconds; a full queue or a wait too long is a 503 (with
        Retry-After, see :meth:`Handler._send`)."""
        with self.waiting_lock:
            full = self.waiting >= self.queue_size
            if not full:
                self.waiting += 1
        if full:
            return (503, "text/plain; charset=utf-8",
                    f"{self.queue_size} queries are waiting already (kg serve --queue); "
                    "try again shortly\n".encode())
        try:
            worker = self.pool.get(timeout=self.timeout_s)
        except queue.Empty:
            return 503, "text/plain", b"every query worker is busy; try again\n"
        finally:
            with self.waiting_lock:
                self.waiting -= 1
        try:
            answer = worker.ask((text, fmt, self.max_rows), self.timeout_s)
            if answer is None:   # stopped: the query ran past the timeout, or its process died
                died = not worker.process.is_alive()
                worker.restart()
                if died:
                    return 500, "text/plain", b"the query's worker failed; try again\n"
                return (503, "text/plain; charset=utf-8",
                        f"the query was stopped after {self.timeout_s:g} s (kg serve --timeout)\n".encode())
            return answer
        finally:
            self.pool.put(worker)

    def server_close(self) -> None:
        super().server_close()
        while not self.pool.empty():
            self.pool.get_nowait().stop()
        shutil.rmtree(self.snapshot, ignore_errors=True)


def _remove_stale_snapshots() -> None:
    """Remove the snapshots of servers that are gone (``kg-serve-PID-*`` in the temporary
    folder, PID not running): a server killed by SIGKILL cannot remove its own."""
    for folder in Path(tempfile.gettempdir()).glob("kg-serve-*-*"):
        pid = folder.name.split("-")[2]
        if not pid.isdigit() or int(pid) == os.getpid():
            continue
        try:
            os.kill(int(pid), 0)
            continue                 # its server runs
        except ProcessLookupError:
            pass
        except OSError:
            continue                 # another user's
        shutil.rmtree(folder, ignore_errors=True)


def _link_or_copy(src: str, dst: str) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)
