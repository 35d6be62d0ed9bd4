"""kg's errors: one small hierarchy; every message names the bad value and how to fix it."""
from __future__ import annotations


class KGError(Exception):
    """Base class of every error kg raises on purpose."""


class InputError(KGError):
    """A document cannot be read: empty, binary, undecodable, or not a document."""

    def __init__(self, path: str, reason: str):
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class BuildError(KGError):
    """A build cannot run or finish (bad output folder, nothing readable, ...)."""

    failures: list = []  # the inputs that failed, when that is why


class OntologyError(KGError):
    """The ontology is broken, or code asked for a term it does not declare."""


class OutputError(BuildError):
    """The output folder cannot be written (a read-only file system, a full disk): nothing is
    replaced, the previous outputs are left as they were."""
