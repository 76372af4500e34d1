"""Run the checker over labelled articles and score it (``claimcheck eval``)."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from typing import Any

from claimcheck.data import ROLES, LabelledExample
from claimcheck.evaluation.metrics import evaluate_predictions, quality_scores
from claimcheck.files import atomic_write_text
from claimcheck.outputs import cannot_write
from claimcheck.pipeline import Checker


def evaluate(
    checker: Checker,
    examples: list[LabelledExample],
    batch_size: int = 16,
    progress: Callable[[int], None] | None = None,
) -> dict[str, Any]:
    """Metrics of ``checker`` on ``examples``: spans, types, claims, quality, speed."""
    start = time.perf_counter()
    reports = checker.check_many(
        [ex.text for ex in examples], ids=[ex.id for ex in examples], batch_size=batch_size, progress=progress
    )
    elapsed = time.perf_counter() - start
    metrics = score_reports(examples, reports, checker.scorer)
    n_words = sum(len(ex.text.split()) for ex in examples)
    metrics["speed"] = {
        "articles_per_s": round(len(examples) / elapsed, 2) if elapsed else None,
        "words_per_s": round(n_words / elapsed, 1) if elapsed else None,
        "seconds": round(elapsed, 3),
    }
    metrics["model"] = checker.model.architecture
    return metrics


def score_reports(examples: list[LabelledExample], reports: list, scorer) -> dict[str, Any]:
    """Metrics of reports made for ``examples`` (by one checker or several, as in cross-fitting):
    spans, types, claims, quality, with the quality a lookup of the type alone would give."""
    metrics = evaluate_predictions(examples, reports)
    if metrics.get("quality"):
        type_only = quality_scores(examples, reports, score_fn=scorer.type_only_score)
        metrics["quality"]["type_only_spearman"] = type_only["spearman"] if type_only else None
    return metrics


def summarize_metrics(m: dict[str, Any]) -> dict[str, Any]:
    """The headline figures of an eval run (``cofenet.*``: span exact F1 by CofeNet's definition)."""
    out: dict[str, Any] = {f"{r}.{k}_f1": m["spans"][r][k]["f1"] for r in ROLES for k in ("exact", "overlap")}
    if m.get("cofenet"):
        out.update({f"cofenet.{r}.exact_f1": m["cofenet"][r]["exact"]["f1"] for r in ROLES})
    for part, keys in (
        ("types", ("accuracy", "six_kind_macro_f1", "macro_f1", "ece")),
        ("claims", ("accuracy", "macro_f1", "false_attribution_rate")),
    ):
        if m.get(part):
            out.update({f"{part}.{k}": m[part][k] for k in keys})
    if m.get("quality"):
        out["quality.spearman"] = m["quality"]["spearman"]
        out["quality.type_only_spearman"] = m["quality"].get("type_only_spearman")
    if m.get("speed"):
        out["articles_per_s"] = m["speed"]["articles_per_s"]
    return out


def accuracy_figures(m: dict[str, Any]) -> dict[str, Any]:
    """:func:`summarize_metrics` without the speed: what a before / after comparison shows
    (a model's first run includes its warm-up, so its speed says nothing of the model)."""
    return {k: v for k, v in summarize_metrics(m).items() if k != "articles_per_s"}


def write_metrics(path: str | os.PathLike[str], metrics: dict[str, Any], data: str | os.PathLike[str]) -> None:
    """Write the metrics of an eval run on the labelled ``data`` as JSON to ``path`` (``-``:
    standard output), by the rules of :mod:`claimcheck.files`.

    Raises:
        OutputError: ``path`` cannot be written.
    """
    with cannot_write(path):
        atomic_write_text(path, json.dumps({**metrics, "data": os.fspath(data)}, indent=2) + "\n")
