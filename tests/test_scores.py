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


def score(out) -> dict[str, float]:
    if not (SCORER.exists() and GOLD.exists()):
        pytest.skip(f"the shared gold and scorer are not beside the project ({SCORER.parent.parent})")
    assert model() is not None, "the scores need the real model: pip install -e ."
    run = subprocess.run([sys.executable, str(SCORER), "--gold", str(GOLD), "--pred", str(out),
                          "--json"], capture_output=True, text=True, check=True)
    return json.loads(run.stdout[:run.stdout.rindex("}") + 1])


@pytest.fixture(scope="module")
def scores(seeds_build):
    return score(seeds_build[1])


@pytest.mark.parametrize("figure", sorted(FLOORS))
def test_score_floor(scores, figure):
    assert scores[figure] >= FLOORS[figure], f"{figure} {scores[figure]:.3f} < {FLOORS[figure]}"


def test_the_speed_ups_cost_no_accuracy(scores, tmp_path):
    """Every speed-up off (the model reads every sentence, one process, no cache) scores as
    the default build does, with worker processes and the fast path (issue 7)."""
    from kg.pipeline import build
    fast = build(out=tmp_path / "fast", jobs=2, reuse=False)
    slow = build(out=tmp_path / "slow", jobs=1, reuse=False, thorough=True)
    assert fast.seconds and slow.seconds
    fast_scores, slow_scores = score(tmp_path / "fast"), score(tmp_path / "slow")
    figures = [k for k, v in slow_scores.items() if isinstance(v, float)]
    assert set(FLOORS) <= set(figures)
    differ = {k: (fast_scores[k], slow_scores[k]) for k in figures
              if abs(fast_scores[k] - slow_scores[k]) > 0.01}
    assert not differ, differ
    assert fast_scores == scores      # and the shared seeds build is the fast one
