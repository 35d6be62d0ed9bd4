"""The read-only SPARQL 1.1 Protocol endpoint over a finished build (``kg serve``).

:mod:`~kg.serve.endpoint` (the server and its snapshot of the store), :mod:`~kg.serve.handler`
(the HTTP requests), :mod:`~kg.serve.workers` (the query processes) and
:mod:`~kg.serve.formats` (negotiation, serialisation, pages).
"""
from __future__ import annotations

from kg.serve.endpoint import Endpoint, ServeError, is_loopback
from kg.serve.formats import GRAPH_FORMATS, MAX_REQUEST, RESULT_FORMATS, offered
from kg.serve.workers import default_workers

__all__ = ["GRAPH_FORMATS", "MAX_REQUEST", "RESULT_FORMATS", "Endpoint", "ServeError", "default_workers",
           "is_loopback", "offered"]
