"""Continue a trained tagger on new labels (``claimcheck train --add``): a newsroom's
corrections, learnt while the model is held close to where it started."""

from __future__ import annotations

import json
import logging
import math
import random
import time
from pathlib import Path
from typing import Any

import numpy as np
import torch
from pydantic import BaseModel, ConfigDict

from claimcheck.data import LabelledExample
from claimcheck.errors import DataError, ModelError
from claimcheck.evaluation.harness import summarize_metrics
from claimcheck.io import read_labels
from claimcheck.models.encoders import encoder_path
from claimcheck.models.registry import remember_model, save_model
from claimcheck.models.tagger import (
    ENCODER_FILE,
    FROZEN,
    TaggerNetwork,
    TransformerAttributionModel,
    load_encoder_weights,
    load_heads,
)
from claimcheck.models.type_head import SpanTypeHead
from claimcheck.models.windows import Window
from claimcheck.training.distill import TagLoss
from claimcheck.training.finetune import (
    FinetuneConfig,
    build_windows,
    collate,
    config_annotations,
    dev_metrics,
    lookup,
    make_optimizer,
    new_type_head,
    pooled_sources,
    seed_everything,
    train_step,
    trainable_state,
)

log = logging.getLogger(__name__)


class ContinueResult(BaseModel):
    model_config = ConfigDict(arbitrary_types_allowed=True)

    folder: Path
    before: dict[str, Any]
    after: dict[str, Any]


def _network_from(folder: Path, settings: dict[str, Any]) -> tuple[TaggerNetwork, Any]:
    """A trainable network from a saved tagger: the base encoder with the model's adapter, or
    the stored fine-tuned encoder (all weights trainable but the word embeddings)."""
    from transformers import AutoModel, AutoTokenizer

    base = encoder_path(settings["base_encoder"])
    tokenizer = AutoTokenizer.from_pretrained(str(base))
    if (folder / "adapter_config.json").is_file():
        from peft import PeftModel

        encoder = PeftModel.from_pretrained(AutoModel.from_pretrained(str(base)), str(folder), is_trainable=True)
    else:
        encoder = AutoModel.from_pretrained(str(base))
        load_encoder_weights(encoder, folder / ENCODER_FILE)
        for name, param in encoder.named_parameters():
            param.requires_grad_(name not in FROZEN)
    network = TaggerNetwork(encoder, case_features=bool(settings.get("case_features")))
    load_heads(network, folder / "heads.safetensors")
    return network, tokenizer


def _figures(model, examples: list[LabelledExample]) -> dict[str, Any]:
    return summarize_metrics(dev_metrics(model, examples)) if examples else {}


def _split_new(new: list[LabelledExample], config: FinetuneConfig) -> tuple[list, list]:
    """The new articles' training part and held-out part (``heldout_fraction``, seeded)."""
    order = list(range(len(new)))
    random.Random(config.seed).shuffle(order)
    n_held = max(1, round(len(new) * config.heldout_fraction)) if len(new) > 1 and config.heldout_fraction > 0 else 0
    heldout = [new[i] for i in order[:n_held]]
    return [new[i] for i in order[n_held:]] or heldout, heldout


def _replay_sample(config: FinetuneConfig) -> list[LabelledExample]:
    """A seeded sample of the original training data, where it is at hand."""
    if not (config.replay and Path(config.replay).exists()):
        return []
    pool = read_labels(config.replay)
    return random.Random(config.seed).sample(pool, min(config.replay_articles, len(pool)))


def _continue_epochs(network, tokenizer, settings, windows: list[Window], heldout, config: FinetuneConfig) -> list:
    """Train with training's optimizer at the small continuing rates, with early stopping on the
    held-out part; leaves the network at its best epoch and returns the history."""
    steps = math.ceil(len(windows) / config.batch_size) * config.continue_epochs
    optimizer, scheduler = make_optimizer(network, config, steps, continuing=True)
    loss_fn = TagLoss()
    best_state, best_score, stale, history = trainable_state(network), None, 0, []
    for epoch in range(config.continue_epochs):
        network.train()
        random.Random(config.seed + epoch).shuffle(windows)
        for b in range(0, len(windows), config.batch_size):
            batch = collate(windows[b : b + config.batch_size], tokenizer.pad_token_id)
            train_step(network, batch, loss_fn, optimizer, scheduler)
        network.eval()
        probe = TransformerAttributionModel(network, tokenizer, None, settings)
        score = lookup(dev_metrics(probe, heldout), config.selection_metric) if heldout else float(epoch)
        history.append({"epoch": epoch + 1, config.selection_metric: score})
        if best_score is None or score > best_score:
            best_state, best_score, stale = trainable_state(network), score, 0
        else:
            stale += 1
            if stale > config.patience:
                break
    params = dict(network.named_parameters())
    with torch.no_grad():
        for n, v in best_state.items():
            params[n].copy_(v)
    network.eval()
    return history


def continue_training(
    config: FinetuneConfig, add: Path, start: str | Path | None = None, output: Path | None = None
) -> ContinueResult:
    """Continue training a tagger on new labels (``claimcheck train --add``).

    The new articles are split into a training part and a held-out part
    (``heldout_fraction``). The model is held close to where it started: only the
    adapter (or, for a fully fine-tuned model, the encoder) and heads train, at a small
    learning rate, mixed with a replay sample of the original training data where
    ``replay`` is at hand, with early stopping on the held-out part; the type head is
    refitted on its stored training data plus the new typed sources (weighted
    ``new_label_weight``).
    """
    from claimcheck.models.registry import load_model, read_config, resolve_model_path

    torch.set_num_threads(config.threads)
    seed_everything(config.seed)
    new = read_labels(add)  # validation errors stop here, before any training
    if not new:
        raise DataError(f"{add}: no labelled articles")
    start_dir = resolve_model_path(start)
    start_config = read_config(start_dir)
    if start_config.get("architecture") != "tagger.v1":
        raise ModelError(f"{start_dir}: continuing needs a tagger.v1 model, not {start_config.get('architecture')}")
    train_new, heldout = _split_new(new, config)
    dev = read_labels(config.dev)[: config.max_dev_articles] if config.dev and Path(config.dev).exists() else []

    before_model = load_model(start_dir)
    before = {"heldout": _figures(before_model, heldout), "dev": _figures(before_model, dev)}
    log.info("before: %s", json.dumps(before))

    network, tokenizer = _network_from(start_dir, start_config["settings"])
    settings = dict(start_config["settings"])
    replay = _replay_sample(config)
    copies = max(1, round(config.new_label_weight))
    # windows cut as the start model cuts them when it runs: continuing tunes it for that
    cut = config.model_copy(
        update={"max_length": settings["max_length"], "context_sentences": settings["context_sentences"]}
    )
    windows = build_windows(train_new, tokenizer, cut) * copies + build_windows(replay, tokenizer, cut)
    log.info(
        "continue: %d new articles (x%d), %d replay, %d held out", len(train_new), copies, len(replay), len(heldout)
    )
    history = _continue_epochs(network, tokenizer, settings, windows, heldout, config)
    model = TransformerAttributionModel(network, tokenizer, None, settings)
    model.type_head = _refit_type_head(model, before_model.type_head, train_new, replay, config)

    after = {"heldout": _figures(model, heldout), "dev": _figures(model, dev)}
    log.info("after: %s", json.dumps(after))
    info = {
        "continued_from": str(start_dir),
        "data_seen": [*start_config.get("training", {}).get("data_seen", []), str(add)],
        "new_labels": {"path": str(add), "articles": len(new), "train": len(train_new), "heldout": len(heldout)},
        "replay": {"path": str(config.replay) if replay else None, "articles": len(replay)},
        "history": history,
        "before": before,
        "after": after,
        "dev_gold": after["dev"] or after["heldout"],
    }
    if output is None:
        from claimcheck.settings import load_settings

        output = load_settings().models_path / f"{start_dir.name}-{Path(add).stem}-{time.strftime('%Y%m%d-%H%M%S')}"
    folder = save_model(model, output, extra={"training": info}, files={"MODEL_CARD.md": continue_card(info)})
    remember_model(folder)  # listed by `claimcheck models` wherever --out put it
    return ContinueResult(folder=folder, before=before, after=after)


def _original_type_data(
    model: TransformerAttributionModel, config: FinetuneConfig
) -> tuple[list[dict[str, float]], list[np.ndarray], list[str]] | None:
    """The start model's typed training sources (given types or ``annotations``) re-pooled
    from ``model``'s continued encoder, where the original training data is at hand."""
    if not Path(config.train).exists():
        return None
    examples = read_labels(config.train)[: config.max_train_articles]
    feats, vectors, labels, _ = pooled_sources(model, examples, config_annotations(config))
    return (feats, vectors, labels) if labels else None


def _refit_type_head(model, previous: SpanTypeHead | None, new, replay, config: FinetuneConfig) -> SpanTypeHead:
    """Refit the type head on the original typed sources plus the new ones.

    Continuing moves the encoder, so the original sources are re-pooled from the
    continued encoder where the training data is at hand (a vector from the old
    encoder would not match what the head sees at inference); otherwise the head's
    stored training data stands in. New sources weigh ``new_label_weight``.
    """
    original = _original_type_data(model, config)
    if original is None and previous is not None and getattr(previous, "data_", None):
        feats, vectors, labels = previous.data_
        original = (list(feats), list(vectors), list(labels))
        log.info("type head: original training data not at hand; refitting on the stored vectors")
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


def continue_card(info: dict[str, Any]) -> str:
    def rows(figs: dict[str, Any]) -> str:
        keys = sorted(set(figs.get("before", {})) | set(figs.get("after", {})))
        return "\n".join(f"| {k} | {figs['before'].get(k, '')} | {figs['after'].get(k, '')} |" for k in keys)

    parts = []
    for split in ("heldout", "dev"):
        figs = {"before": info["before"][split], "after": info["after"][split]}
        if figs["before"] or figs["after"]:
            parts.append(f"### {split}\n\n| metric | before | after |\n|---|---|---|\n{rows(figs)}\n")
    nl = info["new_labels"]
    return f"""# claimcheck tagger.v1, continued on new labels

Continued from `{info["continued_from"]}` on `{nl["path"]}` ({nl["articles"]} articles:
{nl["train"]} trained on, {nl["heldout"]} held out), with {info["replay"]["articles"]} replay
articles of the original training data ({info["replay"]["path"] or "not at hand"}).
Adapter and heads only, small learning rate, early stopping on the held-out part.

Data this model has seen: {", ".join(f"`{d}`" for d in info["data_seen"])}.

## Before / after

{chr(10).join(parts)}
"""
