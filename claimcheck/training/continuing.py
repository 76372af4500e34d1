"""Continue a trained tagger on new labels (``claimcheck train --add``): a newsroom's
corrections, learnt while the model is held close to where it started.

How the check is made depends on how many corrected articles there are:

* ``heldout_min_articles`` (5) or more: ``heldout_fraction`` of them are held out, never
  learnt from, and stop training early (``patience``); the others are learnt from.
* fewer: all are learnt from (holding one of two out wasted half the corrections). The
  held-out effect is then estimated by cross-fitting, a fold per article: the same run
  without the article, scored on it. That costs a run per article, so it is made only
  when the folds' training steps stay within ``crossfit_max_steps``; otherwise the result
  says plainly that no held-out check was made.

Either way the corrected articles learnt from are scored before and after (were the
corrections learnt?), beside the held-out figures (do they carry over?) and dev.
"""

from __future__ import annotations

import logging
import math
import random
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from pydantic import BaseModel
from rich.progress import Progress

from claimcheck.data import LabelledExample
from claimcheck.errors import DataError, ModelError
from claimcheck.evaluation.harness import accuracy_figures, score_reports
from claimcheck.io import read_labels
from claimcheck.models.encoders import encoder_path
from claimcheck.models.registry import heldout_kind, remember_model, save_model
from claimcheck.models.tagger import TaggerSettings, TransformerAttributionModel
from claimcheck.models.type_head import SpanTypeHead
from claimcheck.models.windows import Window
from claimcheck.pipeline import Checker
from claimcheck.training.data import build_windows, config_annotations, dev_data
from claimcheck.training.figures import dev_metrics, lookup
from claimcheck.training.loop import Run, seed_everything, train
from claimcheck.training.losses import training_loss
from claimcheck.training.model_card import continue_card
from claimcheck.training.network import network_from, trained_parts
from claimcheck.training.progress import progress_bar
from claimcheck.training.tagger_config import FinetuneConfig, learning_rates
from claimcheck.training.type_head import new_type_head, pooled_sources

log = logging.getLogger(__name__)

#: the figures the command's before / after table shows (the model card has them all)
SHOWN = (
    "source.exact_f1",
    "cue.exact_f1",
    "content.exact_f1",
    "types.accuracy",
    "types.macro_f1",
    "claims.macro_f1",
    "claims.false_attribution_rate",
)


class ContinueResult(BaseModel):
    """The model written, its figures before and after by split (``learnt``: the corrected
    articles learnt from; ``heldout``: held out or cross-fitted; ``dev``), the articles in
    each split, and how the held-out check was made (``check["note"]`` says it in words)."""

    folder: Path
    before: dict[str, dict[str, Any]]
    after: dict[str, dict[str, Any]]
    articles: dict[str, int]
    check: dict[str, Any]

    def label(self, split: str) -> str:
        """A split as the table and the model card name it."""
        n = self.articles.get(split, 0)
        if split == "learnt":
            return f"corrected, learnt from ({n})"
        if split == "heldout":
            return f"corrected, {heldout_kind(self.check['method'])} ({n})"
        return f"{split} ({n})"

    def rows(self, keys: tuple[str, ...] | None = None) -> list[tuple[str, str, Any, Any]]:
        """``(data, metric, before, after)`` of each figure (``keys``: only those) of each split."""
        out = []
        for split in ("learnt", "heldout", "dev"):
            before, after = self.before.get(split) or {}, self.after.get(split) or {}
            for key in keys or list(dict.fromkeys([*before, *after])):
                if key in before or key in after:
                    out.append((self.label(split), key, before.get(key, ""), after.get(key, "")))
        return out


@dataclass
class _Start:
    """The model continued from, as every run (the model, each cross-fitting fold) needs it."""

    folder: Path
    config: dict[str, Any]
    model: TransformerAttributionModel
    tokenizer: Any

    @property
    def settings(self) -> TaggerSettings:
        return self.model.settings


def _load_start(start: str | Path | None) -> _Start:
    from transformers import AutoTokenizer

    from claimcheck.models.registry import load_model, read_config, resolve_model_path

    folder = resolve_model_path(start)
    config = read_config(folder)
    if config.get("architecture") != TransformerAttributionModel.architecture:
        needs = TransformerAttributionModel.architecture
        raise ModelError(f"{folder}: continuing needs a {needs} model, not {config.get('architecture')}")
    model = load_model(folder)
    tokenizer = AutoTokenizer.from_pretrained(str(encoder_path(model.settings.base_encoder)))
    return _Start(folder, config, model, tokenizer)


def _split_new(new: list[LabelledExample], config: FinetuneConfig) -> tuple[list, list]:
    """The new articles learnt from and those held out: ``heldout_fraction`` of them (seeded)
    where there are at least ``heldout_min_articles``; with fewer, all are learnt from."""
    if len(new) < max(2, config.heldout_min_articles) or config.heldout_fraction <= 0:
        return list(new), []
    order = list(range(len(new)))
    random.Random(config.seed).shuffle(order)
    n_held = max(1, round(len(new) * config.heldout_fraction))
    return [new[i] for i in order[n_held:]], [new[i] for i in order[:n_held]]


def _replay_sample(config: FinetuneConfig) -> list[LabelledExample]:
    """A seeded sample of the original training data, where it is at hand."""
    if not (config.replay and Path(config.replay).exists()):
        return []
    pool = read_labels(config.replay)
    return random.Random(config.seed).sample(pool, min(config.replay_articles, len(pool)))


def _article_windows(examples: list[LabelledExample], start: _Start, config: FinetuneConfig) -> list[list[Window]]:
    """Each article's windows, cut as the start model cuts them when it runs: continuing tunes it for that."""
    settings = start.settings
    cut = config.model_copy(update={"max_length": settings.max_length, "context_sentences": settings.context_sentences})
    return [build_windows([ex], start.tokenizer, cut) for ex in examples]


def _training_windows(per_article: list[list[Window]], replay: list[Window], config: FinetuneConfig) -> list[Window]:
    """A run's windows: the new articles' ``new_label_weight`` times, then the replay's."""
    return [w for ws in per_article for w in ws] * max(1, round(config.new_label_weight)) + list(replay)


def _steps(n_windows: int, config: FinetuneConfig) -> int:
    return math.ceil(n_windows / config.batch_size) * config.continue_epochs


def _plan_check(
    new: list[LabelledExample], heldout: list, per_article: list[list[Window]], replay: list[Window], config
) -> dict[str, Any]:
    """How the held-out figures are made (``method``: heldout, crossfit or none), with a note
    that says so in words."""
    n = len(new)
    if heldout:
        note = (
            f"{len(heldout)} of the {n} corrected articles were held out (heldout_fraction), never learnt from; "
            "training stopped early on them."
        )
        return {"method": "heldout", "note": note}
    folds = [_training_windows(per_article[:i] + per_article[i + 1 :], replay, config) for i in range(n)]
    steps = sum(_steps(len(windows), config) for windows in folds)
    if n < 2:
        reason = "one corrected article leaves none to hold out"
    elif n >= config.heldout_min_articles:
        reason = "heldout_fraction is 0"
    elif steps > config.crossfit_max_steps:
        reason = f"cross-fitting would take {steps} more training steps, over crossfit_max_steps ({config.crossfit_max_steps})"
    else:
        note = (
            f"All {n} corrected articles were learnt from. The held-out figures are cross-fitted: each article "
            f"scored by a model continued the same way without it ({n} folds, {steps} training steps; the folds "
            "refit the type head on its stored vectors)."
        )
        return {"method": "crossfit", "folds": n, "steps": steps, "note": note}
    note = (
        f"No held-out check was made: {reason}. All {n} corrected articles were learnt from; the figures on "
        "them show whether the corrections were learnt, not how the model does on articles it has not seen."
    )
    return {"method": "none", "note": note}


def _figures(model, examples: list[LabelledExample], bar: Progress, label: str) -> dict[str, Any]:
    """The accuracy figures of ``model`` on ``examples`` (none without examples)."""
    if not examples:
        return {}
    task = bar.add_task(f"{label}: scoring {len(examples)} articles", total=len(examples))
    return accuracy_figures(dev_metrics(model, examples, progress=lambda n: bar.advance(task, n)))


def _continue_epochs(
    network, tokenizer, settings, windows: list[Window], heldout, config: FinetuneConfig, bar=None, label="training"
) -> list:
    """Train in the one loop at the small continuing rates, stopping early on the held-out part
    (once more than ``patience`` epochs passed without a better score on it); leaves the network
    at its best epoch and returns the history. Without a held-out part the last epoch is the best."""

    def evaluate(epoch: int, loss: float | None) -> dict[str, Any]:
        probe = TransformerAttributionModel(network, tokenizer, None, settings)
        score = lookup(dev_metrics(probe, heldout), config.selection_metric) if heldout else float(epoch - 1)
        return {"epoch": epoch, "train_loss": loss, config.selection_metric: score}

    run = Run(epochs=config.continue_epochs, continuing=True, patience=config.patience + 1, label=label)
    loss = training_loss(network, config)
    return train(network, windows, tokenizer.pad_token_id, loss, config, run, evaluate, bar=bar)["history"]


def _run(
    start: _Start, windows, heldout, learnt, replay, config: FinetuneConfig, bar: Progress, label: str, repool=True
) -> tuple[TransformerAttributionModel, list]:
    """One continuing run from the start model: the network trained on ``windows``, then the
    type head refitted with the typed sources of ``learnt``."""
    seed_everything(config.seed)  # every run (the model, each fold) starts alike
    network = network_from(start.folder, start.settings)
    history = _continue_epochs(network, start.tokenizer, start.settings, windows, heldout, config, bar, label)
    model = TransformerAttributionModel(network, start.tokenizer, None, start.settings)
    model.type_head = _refit_type_head(model, start.model.type_head, learnt, replay, config, repool, bar)
    return model, history


def _crossfit(start: _Start, new, per_article, replay, replay_windows, config, bar: Progress) -> dict[str, Any]:
    """Cross-fitted figures: each article scored by a run made without it, the folds' reports pooled."""
    reports, scorer = [], None
    for i, held in enumerate(new):
        windows = _training_windows(per_article[:i] + per_article[i + 1 :], replay_windows, config)
        rest = new[:i] + new[i + 1 :]
        model, _ = _run(start, windows, [], rest, replay, config, bar, f"fold {i + 1}/{len(new)}", repool=False)
        checker = Checker(model)
        reports += checker.check_many([held.text], ids=[held.id])
        scorer = checker.scorer
    return accuracy_figures(score_reports(list(new), reports, scorer))


def continue_training(
    config: FinetuneConfig, add: Path, start: str | Path | None = None, output: Path | None = None
) -> ContinueResult:
    """Continue training a tagger on new labels (``claimcheck train --add``); see the module docstring.

    The model is held close to where it started: the adapter (or, for a fully fine-tuned
    model, the encoder), the case embedding and the tag head train with training's
    optimizer at the small continuing rates, mixed with a replay sample of the original
    training data where ``replay`` is at hand; the type head is refitted on its original
    typed sources plus the new ones (weighted ``new_label_weight``). The new model is
    recorded in the user settings, so ``claimcheck models`` lists it.
    """
    torch.set_num_threads(config.threads)
    new = read_labels(add)  # validation errors stop here, before any training
    if not new:
        raise DataError(f"{add}: no labelled articles")
    begin = _load_start(start)
    dev = dev_data(config, missing_ok=True)
    replay = _replay_sample(config)
    learnt, heldout = _split_new(new, config)
    per_article, replay_windows = _article_windows(learnt, begin, config), _article_windows(replay, begin, config)
    replay_windows = [w for ws in replay_windows for w in ws]
    check = _plan_check(new, heldout, per_article, replay_windows, config)
    log.info(
        "continue: %d new articles (%d learnt from), %d replay; %s", len(new), len(learnt), len(replay), check["note"]
    )
    data = {"learnt": learnt, "heldout": heldout, "dev": dev}
    with progress_bar() as bar:
        before = {split: _figures(begin.model, examples, bar, f"before, {split}") for split, examples in data.items()}
        windows = _training_windows(per_article, replay_windows, config)
        model, history = _run(begin, windows, heldout, learnt, replay, config, bar, "training")
        after = {split: _figures(model, examples, bar, f"after, {split}") for split, examples in data.items()}
        if check["method"] == "crossfit":
            before["heldout"] = before["learnt"]
            after["heldout"] = _crossfit(begin, learnt, per_article, replay, replay_windows, config, bar)
    n_held = len(learnt) if check["method"] == "crossfit" else len(heldout)
    articles = {"learnt": len(learnt), "heldout": n_held, "dev": len(dev)}
    result = ContinueResult(folder=Path(), before=before, after=after, articles=articles, check=check)
    info = {
        "continued_from": str(begin.folder),
        "data_seen": [*begin.config.get("training", {}).get("data_seen", []), str(add)],
        "new_labels": {"path": str(add), "articles": len(new), "train": len(learnt), "heldout": len(heldout)},
        "replay": {"path": str(config.replay) if replay else None, "articles": len(replay)},
        "trained": trained_parts(model.network),
        "rates": dict(zip(("encoder", "heads"), learning_rates(config, continuing=True), strict=True)),
        "history": history,
        "check": check,
        "articles": articles,
        "before": before,
        "after": after,
        # the figures `claimcheck models` lists: the held-out share of the corrected articles
        # (cross-fitted where too few to hold some out), never learnt from; none without a check
        "heldout": after["heldout"],
    }
    output = output or _default_output(begin.folder, add)
    folder = save_model(
        model, output, extra={"training": info}, files={"MODEL_CARD.md": continue_card(info, _tables(result), config)}
    )
    remember_model(folder)  # listed by `claimcheck models` wherever --out put it
    return result.model_copy(update={"folder": folder})


def _tables(result: ContinueResult) -> dict[str, list[tuple[str, Any, Any]]]:
    """The before / after rows of each split, by the split's name in the card."""
    tables = {result.label(split): [] for split in ("learnt", "heldout", "dev")}
    for name, key, before, after in result.rows():
        tables[name].append((key, before, after))
    return {name: rows for name, rows in tables.items() if rows}


def _default_output(start: Path, add: Path) -> Path:
    """``<models folder>/<start model>-<labels file>-<time>``."""
    from claimcheck.settings import load_settings

    return load_settings().models_path / f"{start.name}-{Path(add).stem}-{time.strftime('%Y%m%d-%H%M%S')}"


def _original_type_data(
    model: TransformerAttributionModel, config: FinetuneConfig, bar: Progress | None = None
) -> tuple[list[dict[str, float]], list[np.ndarray], list[str]] | None:
    """The start model's typed training sources (given types or ``annotations``) re-pooled
    from ``model``'s continued encoder, where the original training data is at hand."""
    if not Path(config.train).exists():
        return None
    examples = read_labels(config.train)[: config.max_train_articles]
    bar = bar or Progress(disable=True)
    task = bar.add_task("type head: pooling the original sources", total=None)
    feats, vectors, labels, _ = pooled_sources(
        model, examples, config_annotations(config), progress=lambda done, n: bar.update(task, completed=done, total=n)
    )
    return (feats, vectors, labels) if labels else None


def _refit_type_head(
    model, previous: SpanTypeHead | None, new, replay, config: FinetuneConfig, repool: bool = True, bar=None
) -> SpanTypeHead:
    """Refit the type head on the original typed sources plus the new ones.

    Continuing moves the encoder, so the original sources are re-pooled from the
    continued encoder where the training data is at hand (a vector from the old
    encoder would not match what the head sees at inference); otherwise, or without
    ``repool`` (cross-fitting's folds, for time), the head's stored training data stands
    in. New sources weigh ``new_label_weight``.
    """
    original = _original_type_data(model, config, bar) if repool else None
    if original is None and previous is not None and getattr(previous, "data_", None):
        feats, vectors, labels = previous.data_
        original = (list(feats), list(vectors), list(labels))
        log.info("type head: refitting on the stored vectors (%s)", "training data not at hand" if repool else "a fold")
    if original is not None:  # the replay articles are among the original sources
        old_feats, old_vectors, old_labels = original
    else:  # neither training data nor stored vectors: the replay articles' typed sources, if any
        old_feats, old_vectors, old_labels, _ = pooled_sources(model, replay)
    new_feats, new_vectors, new_labels, _ = pooled_sources(model, new)
    log.info("type head: %d new typed sources (weight %g)", len(new_labels), config.new_label_weight)
    feats, vectors, labels = [*old_feats, *new_feats], [*old_vectors, *new_vectors], [*old_labels, *new_labels]
    weights = [1.0] * len(old_labels) + [config.new_label_weight] * len(new_labels)
    if not labels:
        return previous
    log.info("type head: refitting on %d typed sources", len(labels))
    return new_type_head(config).fit_features(feats, np.stack(vectors), labels, sample_weight=np.asarray(weights))
