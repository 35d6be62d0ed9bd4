"""The seeds scored against the gold with ../shared/eval/score.py: floors a little under
what kg reaches, so that a change that loses accuracy fails here."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from kg.extract.people import model

from helpers import GOLD, SCORER

FLOORS = {"entity_f1": 0.95, "entity_strict_f1": 0.95, "flow_f1": 0.92, "flow_place_f1": 0.85,
          "transit_acc": 0.9, "victims_acc": 0.9, "relation_f1": 0.85}


@pytest.fixture(scope="module")
def scores(seeds_build):
    if not (SCORER.exists() and GOLD.exists()):
        pytest.skip(f"the shared gold and scorer are not beside the project ({SCORER.parent.parent})")
    assert model() is not None, "the scores need the real model: pip install -e ."
    out = subprocess.run([sys.executable, str(SCORER), "--gold", str(GOLD), "--pred",
                          str(seeds_build[1]), "--json"], capture_output=True, text=True, check=True)
    return json.loads(out.stdout[:out.stdout.rindex("}") + 1])


@pytest.mark.parametrize("figure", sorted(FLOORS))
def test_score_floor(scores, figure):
    assert scores[figure] >= FLOORS[figure], f"{figure} {scores[figure]:.3f} < {FLOORS[figure]}"
