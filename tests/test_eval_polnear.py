"""The shipped model evaluated on real PolNeAR dev data; the figures go to the log.

Floors sit just under the figures measured when the baseline was fitted (see
README): they catch regressions, they are not targets.
"""

from __future__ import annotations

import json

from eval.harness import evaluate, load_eval_data
from tests.conftest import GOLD, POLNEAR, need


def test_polnear_dev_spans(checker):
    examples = load_eval_data(need(POLNEAR / "dev"))
    assert len(examples) == 84
    metrics = evaluate(checker, examples)
    print("\nPolNeAR dev:", json.dumps({k: metrics[k] for k in ("spans", "speed", "n_articles")}))
    assert metrics["types"] is None and metrics["claims"] is None  # no types in plain PolNeAR
    assert metrics["spans"]["source"]["exact"]["f1"] >= 0.50
    assert metrics["spans"]["cue"]["exact"]["f1"] >= 0.50
    assert metrics["spans"]["content"]["overlap"]["f1"] >= 0.58


def test_gold_dev_labels(checker):
    examples = load_eval_data(need(GOLD))
    metrics = evaluate(checker, examples)
    summary = {
        "spans": metrics["spans"],
        "types": {k: metrics["types"][k] for k in ("accuracy", "macro_f1", "ece")},
        "claims": {k: metrics["claims"][k] for k in ("accuracy", "macro_f1")},
        "quality": metrics["quality"],
        "speed": metrics["speed"],
    }
    print("\nGold dev:", json.dumps(summary))
    assert metrics["types"]["macro_f1"] >= 0.45
    assert metrics["claims"]["macro_f1"] >= 0.47
    assert metrics["quality"]["spearman"] >= 0.5
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
