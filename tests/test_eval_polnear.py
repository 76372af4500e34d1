"""The shipped model evaluated on real PolNeAR dev data; the figures go to the log.

Floors sit just under the figures measured when the shipped models were trained
(see README and the model cards): they catch regressions, they are not targets.
"""

from __future__ import annotations

import json

from claimcheck.evaluation.harness import evaluate
from claimcheck.io import read_labels
from tests.conftest import GOLD, POLNEAR, need


def test_polnear_dev_spans(checker):
    examples = read_labels(need(POLNEAR / "dev"))
    assert len(examples) == 84
    metrics = evaluate(checker, examples)
    print("\nPolNeAR dev:", json.dumps({k: metrics[k] for k in ("spans", "speed", "n_articles")}))
    assert metrics["types"] is None and metrics["claims"] is None  # no types in plain PolNeAR
    assert metrics["spans"]["source"]["exact"]["f1"] >= 0.79
    assert metrics["spans"]["cue"]["exact"]["f1"] >= 0.70
    assert metrics["spans"]["content"]["exact"]["f1"] >= 0.60
    assert metrics["spans"]["content"]["overlap"]["f1"] >= 0.84


def test_gold_dev_labels(checker):
    examples = read_labels(need(GOLD))
    metrics = evaluate(checker, examples)
    summary = {
        "spans": metrics["spans"],
        "types": {k: metrics["types"][k] for k in ("accuracy", "macro_f1", "ece")},
        "claims": {k: metrics["claims"][k] for k in ("accuracy", "macro_f1")},
        "quality": metrics["quality"],
        "speed": metrics["speed"],
    }
    print("\nGold dev:", json.dumps(summary))
    assert metrics["types"]["macro_f1"] >= 0.63
    assert metrics["types"]["ece"] <= 0.05
    assert metrics["claims"]["macro_f1"] >= 0.65
    assert metrics["quality"]["spearman"] >= 0.66

    # every figure beats the rule baseline's, in the same run
    from claimcheck import Checker

    base = evaluate(Checker.load("baseline"), examples)
    print("Baseline gold dev:", json.dumps({k: base[k] for k in ("spans", "quality")}))
    for role in ("source", "cue", "content"):
        for kind in ("exact", "overlap"):
            assert metrics["spans"][role][kind]["f1"] > base["spans"][role][kind]["f1"], (role, kind)
    assert metrics["types"]["macro_f1"] > base["types"]["macro_f1"]
    assert metrics["types"]["ece"] < base["types"]["ece"]
    assert metrics["claims"]["macro_f1"] > base["claims"]["macro_f1"]
    assert metrics["quality"]["spearman"] > base["quality"]["spearman"]
    # the parts-based score beats a lookup of the type alone
    assert metrics["quality"]["spearman"] > metrics["quality"]["type_only_spearman"]


def test_fit_scoring_on_gold_labels(tmp_path):
    """fit-scoring learns weights from quality labels; cross-validated, so the figures are honest."""
    from typer.testing import CliRunner

    from claimcheck.cli import app
    from claimcheck.scoring import ScoringWeights

    out = tmp_path / "fitted.yaml"
    result = CliRunner().invoke(app, ["fit-scoring", str(need(GOLD)), "--out", str(out)])
    assert result.exit_code == 0, result.output
    print("\n" + result.stderr)
    weights = ScoringWeights.load(out)
    assert weights.base["named_person"] > weights.base["anonymous"]
