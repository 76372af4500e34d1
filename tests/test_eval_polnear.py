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
