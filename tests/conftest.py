"""Shared fixtures: the seeds, the gold, the 1,295-cable corpus (extracted once per session)."""
from __future__ import annotations

import signal
import tarfile
from pathlib import Path

import pytest

from helpers import CORPUS_TAR


@pytest.fixture(scope="session")
def corpus_dir(tmp_path_factory) -> Path:
    """The corpus of cable pages, extracted into a temporary folder."""
    if not CORPUS_TAR.exists():
        pytest.skip(f"corpus not found at {CORPUS_TAR}")
    target = tmp_path_factory.mktemp("corpus")
    with tarfile.open(CORPUS_TAR) as tar:
        tar.extractall(target, filter="data")
    return target


@pytest.fixture(scope="session")
def seeds_build(tmp_path_factory):
    """One build of the bundled samples, shared by the tests that only read it."""
    from kg.pipeline import build
    out = tmp_path_factory.mktemp("seeds") / "exports"
    return build(out=out), out


@pytest.fixture(autouse=True)
def _sigterm_as_it_was():
    """kg build and kg serve stop on SIGTERM through their finally blocks (kg.cli); run in
    this process by CliRunner, they would leave that handler to the tests that follow."""
    handler = signal.getsignal(signal.SIGTERM)
    yield
    signal.signal(signal.SIGTERM, handler)
