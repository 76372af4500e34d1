"""Fit the sourcing-score weights to labelled quality (``claimcheck fit-scoring``).

The checker runs over the labelled articles; each gold attribution with a
``quality`` is paired with the predicted attribution that overlaps it (the eval
pairing), and the weights are fitted on the predicted type and parts, so they
learn from what the pipeline will actually see. 5-fold cross-validated Spearman
figures say whether the fit generalises before anyone ships it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.stats import spearmanr
from sklearn.model_selection import KFold

from claimcheck.data import DataError, LabelledExample
from claimcheck.evaluation.metrics import pair_attributions
from claimcheck.io import read_labels
from claimcheck.outputs import cannot_write
from claimcheck.pipeline import Checker
from claimcheck.scoring import SCORED_TYPES, ScoringContext, ScoringWeights, SourcingScorer
from claimcheck.text import split_sentences


@dataclass
class FitResult:
    weights: ScoringWeights
    n: int
    cv_spearman_fitted: float
    cv_spearman_current: float
    cv_spearman_type_only: float

    def summary(self) -> str:
        """One line for its user: what the weights were fitted on, and how well they generalise."""
        return (
            f"fitted on {self.n} attributions; 5-fold Spearman: fitted {self.cv_spearman_fitted}, "
            f"current weights {self.cv_spearman_current}, type only {self.cv_spearman_type_only}"
        )


def scoring_data(
    checker: Checker, examples: list[LabelledExample]
) -> tuple[list[str], list[ScoringContext], list[int]]:
    """(predicted type, scoring context, gold quality) for every paired, quality-labelled attribution."""
    reports = checker.check_many([ex.text for ex in examples])
    types, contexts, quality = [], [], []
    for ex, report in zip(examples, reports, strict=True):
        ctxs = checker.scorer.contexts(report.text, split_sentences(report.text), report.attributions)
        by_id = {a.id: c for a, c in zip(report.attributions, ctxs, strict=True)}
        for gold, pred in pair_attributions(ex, report):
            if gold.quality is None or pred is None or pred.type not in SCORED_TYPES or by_id[pred.id] is None:
                continue
            types.append(pred.type)
            contexts.append(by_id[pred.id])
            quality.append(gold.quality)
    return types, contexts, quality


def _rho(a, b) -> float:
    return round(float(spearmanr(a, b).statistic), 4)


def fit_scoring(checker: Checker, examples: list[LabelledExample], alpha: float = 1.0, seed: int = 0) -> FitResult:
    types, contexts, quality = scoring_data(checker, examples)
    if len(quality) < 10:
        raise DataError(f"only {len(quality)} labelled attributions could be paired: too few to fit")
    y = np.asarray(quality, dtype=float)
    current = checker.scorer
    fitted_pred = np.zeros(len(y))
    for train, test in KFold(5, shuffle=True, random_state=seed).split(y):
        fold = SourcingScorer(current.active_weights, current.active_ratings, alpha=alpha).fit(
            [types[i] for i in train], [contexts[i] for i in train], y[train].tolist()
        )
        fitted_pred[test] = [fold.quality(types[i], contexts[i])[0] for i in test]
    scorer = SourcingScorer(current.active_weights, current.active_ratings, alpha=alpha).fit(types, contexts, quality)
    return FitResult(
        weights=scorer.weights_,
        n=len(y),
        cv_spearman_fitted=_rho(fitted_pred, y),
        cv_spearman_current=_rho([current.quality(t, c)[0] for t, c in zip(types, contexts, strict=True)], y),
        cv_spearman_type_only=_rho([current.active_weights.base[t] for t in types], y),
    )


def fit_scoring_file(data: str | Path, out: str | Path, load: Callable[[], Checker], alpha: float = 1.0) -> FitResult:
    """Fit the weights to the labelled ``data`` (any label format) with the checker ``load()``
    gives (loaded once the data has been read), and write them to ``out`` (``-``: standard
    output), noting what they were fitted on.

    Raises:
        DataError: ``data`` is no labelled data.
        OutputError: ``out`` cannot be written.
    """
    examples = read_labels(data)
    result = fit_scoring(load(), examples, alpha=alpha)
    result.weights.fitted_on = f"{data} ({result.n} attributions)"
    with cannot_write(out):
        result.weights.save(out)
    return result
