"""The embedded SPARQL store (pyoxigraph, RocksDB) a build writes, and graph.ttl written from
it or beside it."""
from __future__ import annotations

from collections.abc import Iterable
from contextlib import contextmanager
from pathlib import Path

from kg.graph.documents import in_graph, sorted_lines
from kg.graph.terms import ENTITIES_GRAPH, ONTOLOGY_GRAPH, ontology_dir


class StoreWriter:
    """The embedded SPARQL store (pyoxigraph, on disk in ``folder``), written while a build
    runs: one named graph per document (:func:`document_graph`), the entities in
    ENTITIES_GRAPH and the ontology in ONTOLOGY_GRAPH. Queries see the union of the graphs as
    their default graph.

    The documents' graphs stream in as the workers finish them (:meth:`add`, N-Triples) and
    are loaded by chunks of about CHUNK bytes in a thread, parsed and indexed in Rust with
    Python's lock released: the store fills while the documents are read, memory holds a
    chunk or two, and at the end only the last chunk and the entities are left to load
    (:meth:`finish`, then :meth:`join`). Loading all at once after extraction kept a build
    waiting 7 s on the 1,295-cable corpus, with some 400 MB for the loader.

    With ``base`` (the previous build's store), ``folder`` starts as a copy of it and each
    graph added replaces the one of that name: adding documents writes only theirs.
    """

    CHUNK = 8 << 20     # bytes of N-Quads per load: 4 to 16 MB cost the same CPU, 48 MB more

    def __init__(self, folder: Path, base: Path | None = None) -> None:
        import queue
        import threading
        self.replacing = base is not None
        self.queue: queue.Queue = queue.Queue(maxsize=2)
        self.buffer: list[bytes] = []
        self.size = 0
        self.clear: list[str] = []      # graphs to empty before the buffer loads
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._load, args=(folder, base), daemon=True)
        self.thread.start()

    def __enter__(self) -> StoreWriter:
        return self

    def __exit__(self, *exc) -> None:
        self.abort()

    def add(self, graph: str, ntriples: bytes, replace: bool = False) -> None:
        """The graph ``graph`` (N-Triples); ``replace``: it may be in the store already, the
        new one replaces it."""
        if replace and self.buffer:
            self._send()        # its older version may wait in the buffer: load that first
        if replace or self.replacing:
            self.clear.append(graph)
        self.buffer.append(in_graph(ntriples, graph))
        self.size += len(ntriples)
        if self.size >= self.CHUNK:
            self._send()

    def finish(self, entities: bytes) -> None:
        """The entities' graph (N-Triples), last: nothing more is added."""
        self.add(ENTITIES_GRAPH, entities, replace=True)
        self._send()
        self.queue.put(None)

    def join(self) -> None:
        """Wait until the store is written; raise what its loading raised."""
        self.thread.join()
        if self.error is not None:
            raise self.error

    def abort(self) -> None:
        """Stop loading, when the build failed before :meth:`finish` (else a no-op): nothing
        writes into the folder after this."""
        if self.thread.is_alive():
            self.error = self.error or RuntimeError("aborted")
            self.queue.put(None)
            self.thread.join()

    def _send(self) -> None:
        if self.error is not None:
            raise self.error
        self.queue.put((tuple(self.clear), b"".join(self.buffer)))
        self.buffer, self.size, self.clear = [], 0, []

    def _load(self, folder: Path, base: Path | None) -> None:
        import shutil

        import pyoxigraph as ox
        try:
            if base is not None:
                shutil.copytree(base, folder)
                store = ox.Store(str(folder))
            else:
                store = ox.Store(str(folder))
                store.bulk_load(path=str(ontology_dir() / "kg.ttl"), format=ox.RdfFormat.TURTLE,
                                to_graph=ox.NamedNode(ONTOLOGY_GRAPH))
            while (item := self.queue.get()) is not None:
                clear, nquads = item
                for graph in clear:
                    node = ox.NamedNode(graph)
                    if store.contains_named_graph(node):
                        store.remove_graph(node)
                # lenient: no IRI and literal checks, 20% of the loading's CPU. kg wrote
                # these lines itself (its IRIs are slugs, its literals escaped; the tests
                # parse graph.ttl, the same lines, strictly)
                store.bulk_load(nquads, format=ox.RdfFormat.N_QUADS, lenient=True)
                compaction_yields()     # (RocksDB starts its threads as it needs them)
            store.flush()
            del store
        except BaseException as exc:    # raised in the build's thread by join() or add()
            self.error = exc
            while self.queue.get() is not None:     # never leave add() waiting on a full queue
                pass


COMPACTION_NICE = 10


def compaction_yields() -> None:
    """Run RocksDB's compaction threads (``rocksdb:low``, the store's background merging) at
    a lower priority, nice COMPACTION_NICE, where Linux lets a process set its threads'.

    Each bulk load adds files that span the whole key range of every index, and RocksDB merges
    them into its first level, which it rewrites whole each time: the CPU that takes grows
    faster than the corpus. When the workers come first, compaction runs less often and merges
    more files each time. On the corpus four times over (5,180 cables) it took 10-11
    CPU-seconds instead of 27-28 and the build 66-72 s instead of 77-84, for 5 MB more memory;
    ten times over, 40 CPU-seconds instead of 99 and 200 s instead of 224, for 11 MB more. The
    stores were left with as much merging to do (for a later build that adds to them) and
    answered the named queries as fast. On the corpus alone both ways are alike."""
    import os
    for thread, name, _ in rocksdb_threads():
        if name.startswith("rocksdb:low"):
            try:
                os.setpriority(os.PRIO_PROCESS, thread, COMPACTION_NICE)
            except OSError:     # the thread ended
                continue


def rocksdb_threads() -> list[tuple[int, str, list[str]]]:
    """RocksDB's background threads in this process (the store's flushes and compaction):
    each one's id, name and the fields of its /proc stat after the name; none where Linux does
    not tell (elsewhere)."""
    threads = []
    try:
        tasks = list(Path("/proc/self/task").iterdir())
    except OSError:
        return threads
    for task in tasks:
        try:
            text = (task / "stat").read_text(encoding="ascii", errors="replace")
        except OSError:         # the thread ended
            continue
        name = text[text.index("(") + 1:text.rindex(")")]
        if name.startswith("rocksdb"):
            threads.append((int(task.name), name, text[text.rindex(")") + 2:].split()))
    return threads


def data_triples(store) -> Iterable:
    """Every triple of a build's store but the ontology's: each once (one graph per triple)."""
    import pyoxigraph as ox
    ontology_graph = ox.NamedNode(ONTOLOGY_GRAPH)
    for quad in store.quads_for_pattern(None, None, None, None):
        if quad.graph_name != ontology_graph and not isinstance(quad.graph_name, ox.DefaultGraph):
            yield quad.triple


TURTLE_HEADER = (b"# kg graph: N-Triples (valid Turtle), one triple per line: the entities' graph, then "
                 b"each document's graph in order of its IRI, each sorted.\n")


@contextmanager
def turtle_file(path: Path):
    """graph.ttl open for its blocks: N-Triples, which is also valid Turtle, one block of
    :func:`sorted_lines` per named graph, the entities' graph first, then the documents' in
    order of their IRIs. The same graph always gives the same bytes, no triple is in two
    graphs so no line is written twice, and block by block the file is written in bounded
    memory (rdflib's pretty Turtle writer took about 40 s on the 1,295-cable corpus)."""
    with path.open("wb") as f:
        f.write(TURTLE_HEADER)
        yield f


def write_turtle(path: Path, store_dir: Path) -> None:
    """graph.ttl (:func:`turtle_file`) from the store in ``store_dir``."""
    import pyoxigraph as ox
    with turtle_file(path) as f:
        for block in _store_blocks(ox.Store.read_only(str(store_dir))):
            f.write(block)


def _store_blocks(store) -> Iterable[bytes]:
    import pyoxigraph as ox
    documents = sorted(g.value for g in store.named_graphs()
                       if isinstance(g, ox.NamedNode) and g.value not in (ENTITIES_GRAPH, ONTOLOGY_GRAPH))
    for graph in (ENTITIES_GRAPH, *documents):
        quads = store.quads_for_pattern(None, None, None, ox.NamedNode(graph))
        yield sorted_lines(ox.serialize((q.triple for q in quads), format=ox.RdfFormat.N_TRIPLES))
