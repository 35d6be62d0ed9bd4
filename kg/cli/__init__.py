"""The command line: thin wrappers that call one library function each (``kg = kg.cli:main``).

One module a command group: :mod:`~kg.cli.build`, :mod:`~kg.cli.inspect` (flows, actors,
routes, analyse), :mod:`~kg.cli.query` (query, dump, serve, push), :mod:`~kg.cli.correct` and
:mod:`~kg.cli.maps`; :mod:`~kg.cli.app` holds the group and what the commands share. Importing
a group's module adds its commands to ``main``.
"""
from __future__ import annotations

from kg.cli import build, correct, inspect, maps, query  # noqa: F401  (they add their commands)
from kg.cli.app import EXIT_ERROR, EXIT_FAILED_INPUTS, main

__all__ = ["EXIT_ERROR", "EXIT_FAILED_INPUTS", "main"]
