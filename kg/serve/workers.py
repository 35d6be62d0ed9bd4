"""The query workers of ``kg serve``: processes that each hold the store open read-only, so
that a query past its time is stopped by ending its process."""
from __future__ import annotations

import os
from pathlib import Path

from kg.serve.formats import serialise


def default_workers() -> int:
    """Query processes by default: two more than the cores, at least four, so that trivial
    queries find a free worker while slow ones run (a slow query mostly waits on one core)."""
    return max(4, (os.cpu_count() or 1) + 2)


class Worker:
    """One query process and the pipe to it."""

    def __init__(self, context, store: Path) -> None:
        self.context, self.store = context, store
        self._start()

    def _start(self) -> None:
        self.conn, child = self.context.Pipe()
        self.process = self.context.Process(target=work, args=(child, str(self.store)), daemon=True)
        self.process.start()
        child.close()

    def ask(self, message, timeout: float):
        try:
            self.conn.send(message)
            if self.conn.poll(timeout):
                return self.conn.recv()
        except (EOFError, OSError):
            pass
        return None

    def restart(self) -> None:
        self.stop()
        self._start()

    def stop(self) -> None:
        self.process.kill()
        self.process.join(5)
        self.conn.close()


def work(conn, store_dir: str) -> None:
    """A query process: answer (query, format, max_rows) messages until the pipe closes. Every
    error becomes an answer: a worker that died would look like a timeout to the client."""
    import pyoxigraph as ox
    store = ox.Store.read_only(store_dir)
    while True:
        try:
            text, fmt, max_rows = conn.recv()
        except (EOFError, OSError):
            return
        try:
            result = store.query(text, use_default_graph_as_union=True)
            answer = serialise(ox, result, fmt, max_rows)
        except SyntaxError as exc:
            from kg.sparql import syntax_message
            answer = (400, "text/plain; charset=utf-8", f"{syntax_message(exc, text)}\n".encode())
        except ValueError as exc:
            answer = (400, "text/plain; charset=utf-8", f"bad query: {exc}\n".encode())
        except Exception as exc:    # noqa: BLE001 - any other failure is this query's, not the worker's
            answer = (500, "text/plain; charset=utf-8", f"the query failed: {exc}\n".encode())
        conn.send(answer)
