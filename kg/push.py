"""Load a build's graph into an external triple store over the SPARQL 1.1 Graph Store Protocol
(``kg push --endpoint URL``), for graphs that outgrow one process.

Each named graph of the build (one per document, the entities, the ontology) is sent with
``PUT URL?graph=IRI``: the store's copy of that graph is replaced, so pushing again, or after
``kg build --add``, leaves no duplicates.
"""
from __future__ import annotations

import os
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote, urlsplit

from kg.errors import KGError


class PushError(KGError):
    """The external store refused a graph or could not be reached."""


def push(out: str | os.PathLike[str], endpoint: str, *, timeout: float = 120.0,
         progress: Callable[[int, int], None] | None = None) -> dict[str, int]:
    """Send every named graph of the build in ``out`` to the Graph Store endpoint ``endpoint``
    (for Oxigraph: ``http://HOST:7878/store``); return the triples sent per graph IRI.

    Raises PushError naming the graph and the store's answer when a PUT fails.
    """
    import pyoxigraph as ox

    from kg.sparql import open_store
    if urlsplit(endpoint).scheme not in ("http", "https"):
        raise PushError(f"--endpoint {endpoint!r}: give the http(s) URL of a Graph Store Protocol "
                        "endpoint (for Oxigraph: http://HOST:7878/store)")
    store = open_store(Path(out) / "store")
    graphs = sorted((g for g in store.named_graphs() if isinstance(g, ox.NamedNode)), key=lambda g: g.value)
    sent: dict[str, int] = {}
    joiner = "&" if "?" in endpoint else "?"
    for n, graph in enumerate(graphs, 1):
        triples = [q.triple for q in store.quads_for_pattern(None, None, None, graph)]
        body = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
        request = urllib.request.Request(f"{endpoint}{joiner}graph={quote(graph.value, safe='')}",
                                         data=body, method="PUT",
                                         headers={"Content-Type": "application/n-triples"})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as answer:
                answer.read()
        except urllib.error.HTTPError as exc:
            detail = exc.read(300).decode("utf-8", "replace").strip()
            raise PushError(f"{endpoint} refused graph <{graph.value}>: HTTP {exc.code} {detail}; "
                            f"{n - 1} of {len(graphs)} graphs were sent") from None
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise PushError(f"cannot reach {endpoint} ({reason}); {n - 1} of {len(graphs)} graphs "
                            "were sent") from None
        sent[graph.value] = len(triples)
        if progress:
            progress(n, len(graphs))
    return sent
