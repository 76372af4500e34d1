"""The figures a training run records: a row of the learning curves after each epoch, and
the stored model's figures on each split (what the model card and ``claimcheck models`` show)."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from claimcheck.data import ROLES, LabelledExample
from claimcheck.evaluation.harness import summarize_metrics
from claimcheck.io import read_labels
from claimcheck.models.tagger import TransformerAttributionModel
from claimcheck.pipeline import Checker
from claimcheck.training.tagger_config import FinetuneConfig


def dev_metrics(
    model: TransformerAttributionModel, dev: list[LabelledExample], progress: Callable[[int], None] | None = None
) -> dict[str, Any]:
    """The model's metrics on ``dev`` with the mean exact span F1 (``progress``: articles done)."""
    from claimcheck.evaluation.harness import evaluate

    metrics = evaluate(Checker(model), dev, progress=progress)
    spans = metrics["spans"]
    metrics["spans"]["mean_exact_f1"] = round(float(np.mean([spans[r]["exact"]["f1"] for r in ROLES])), 4)
    return metrics


def lookup(metrics: dict[str, Any], dotted: str) -> float:
    """A figure of nested metrics by its dotted name (``spans.mean_exact_f1``)."""
    value: Any = metrics
    for part in dotted.split("."):
        value = value[part]
    return float(value)


def epoch_record(
    model: TransformerAttributionModel,
    epoch: int,
    loss: float | None,
    validation: list[LabelledExample],
    dev: list[LabelledExample],
    config: FinetuneConfig,
) -> dict[str, Any]:
    """One row of the learning curves: train loss, validation spans (and types where
    annotated), dev spans beside them (reported only)."""
    record: dict[str, Any] = {"epoch": epoch, "train_loss": loss}
    t0 = time.perf_counter()
    for name, examples in (("validation", validation), ("dev", dev)):
        if examples:
            metrics = dev_metrics(model, examples)
            # spans only: types and claims need the type head, which is fitted once, after the last epoch
            spans = {k: v for k, v in summarize_metrics(metrics).items() if not k.startswith(("types.", "claims."))}
            record[name] = spans | {"spans.mean_exact_f1": metrics["spans"]["mean_exact_f1"]}
    record["eval_seconds"] = round(time.perf_counter() - t0, 1)
    chosen_on = record.get("validation") or record.get("dev") or {}
    record[config.selection_metric] = chosen_on.get(config.selection_metric)
    return record


def measure(model, validation: list[LabelledExample], config: FinetuneConfig) -> dict[str, Any]:
    """The model's figures on validation, PolNeAR dev and the gold dev labels (where at hand),
    with the type figures by class: what the model card and ``claimcheck models list`` show."""
    figures: dict[str, Any] = {}
    for name, source in (("validation", validation), ("dev", config.dev), ("dev_gold", config.dev_gold)):
        examples = source if isinstance(source, list) else None
        if examples is None and source and Path(source).exists():
            examples = read_labels(Path(source))
        if examples:
            figures[name] = dev_metrics(model, examples)
    out = {
        "figures": {k: summarize_metrics(v) for k, v in figures.items()},
        "by_class": {k: v["types"]["per_class"] for k, v in figures.items() if v.get("types")},
    }
    if "dev_gold" in out["figures"]:
        out["dev_gold"] = out["figures"]["dev_gold"]
    return out
