"""Fine-tune the tagger (``tagger.v1``) on PolNeAR-style data: ``claimcheck train``.

The encoder (LoRA adapters, or every weight but the word embeddings) and a BIO head per
role train on encoder windows in the one training loop (:mod:`claimcheck.training.loop`),
evaluated on the validation split after each epoch; the best epoch is kept (key:
``selection_metric``). Then the type head is fitted on the annotated train sources, pooled
from the best encoder, and the model is saved with its figures and model card.
Checkpoints (safetensors + JSON) are written every ``checkpoint_steps`` so an interrupted
run resumes where it stopped; :func:`snapshot` makes a model of an unfinished run.

The parts live in modules of their own: the config (:mod:`~claimcheck.training.tagger_config`),
the data preparation (:mod:`~claimcheck.training.data`), the network
(:mod:`~claimcheck.training.network`), the losses (:mod:`~claimcheck.training.losses`), the
loop and its checkpoints, the figures (:mod:`~claimcheck.training.figures`), the type head's
fit (:mod:`~claimcheck.training.type_head`) and the model card
(:mod:`~claimcheck.training.model_card`).
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from pathlib import Path

import torch

from claimcheck.errors import ConfigError, ModelError
from claimcheck.evaluation.harness import summarize_metrics
from claimcheck.models.registry import load_model, read_config, resolve_model_path, save_model
from claimcheck.models.tagger import TransformerAttributionModel
from claimcheck.training.checkpoints import STATE_FILE, read_progress, restore_best
from claimcheck.training.data import build_windows, config_annotations, dev_data, teacher_tags, training_data
from claimcheck.training.figures import dev_metrics, epoch_record, measure
from claimcheck.training.joint_types import calibrate_joint_head
from claimcheck.training.loop import Run, seed_everything, train
from claimcheck.training.losses import training_loss
from claimcheck.training.model_card import model_card
from claimcheck.training.network import build_network, inference_settings, settings_of
from claimcheck.training.tagger_config import FinetuneConfig, checkpoint_dir
from claimcheck.training.type_head import fit_type_head

__all__ = ["FinetuneConfig", "finetune", "refit_type_head", "snapshot"]

log = logging.getLogger(__name__)


def finetune(config: FinetuneConfig, resume: bool = True) -> Path:
    """Train the tagger (``claimcheck train``): see the module docstring. Resumes from the
    checkpoint in :func:`~claimcheck.training.tagger_config.checkpoint_dir` unless ``resume`` is false."""
    torch.set_num_threads(config.threads)
    seed_everything(config.seed)
    train_articles, validation = training_data(config)
    dev = dev_data(config)
    network, tokenizer = build_network(config)
    settings = settings_of(config)
    windows = build_windows(train_articles, tokenizer, config, teacher_tags(config, train_articles))
    log.info(
        "train %d articles (%d windows), validation %d, dev %d",
        *(len(train_articles), len(windows), len(validation), len(dev)),
    )

    def evaluate(epoch: int, loss: float | None) -> dict:
        model = TransformerAttributionModel(network, tokenizer, None, settings)
        return epoch_record(model, epoch, loss, validation, dev, config)

    run = Run(epochs=config.epochs, patience=config.plateau_patience, work=checkpoint_dir(config))
    loss = training_loss(network, config)
    state = train(network, windows, tokenizer.pad_token_id, loss, config, run, evaluate, resume)
    info = {
        "n_train_articles": len(train_articles),
        "n_train_windows": len(windows),
        "n_validation_articles": len(validation),
    }
    return _finish(network, tokenizer, settings, train_articles, validation, config, state, info, run.work)


def _finish(
    network, tokenizer, settings, train, validation, config: FinetuneConfig, state, info, work: Path | None
) -> Path:
    """Fit the type head on the training articles' typed sources, measure the stored model
    on validation, dev and the gold dev labels, and save it with its model card."""
    model = TransformerAttributionModel(network, tokenizer, None, settings)
    head, counts = fit_type_head(model, train, config)
    model.type_head = head
    training_info = {
        "config": config.model_dump(mode="json"),
        "data_seen": [str(config.train), str(config.annotations)],
        "history": state["history"],
        "best_epoch": state["best"]["epoch"],
        "type_labels": counts,
        **info,
    }
    folder = save_model(model, config.output, extra={"training": training_info}, files={"MODEL_CARD.md": ""})
    stored = load_model(folder)  # figures of the model as stored (float16 encoder weights)
    other_head = None
    if stored.network.joint_type_head is not None:
        training_info["joint_type_head"] = calibrate_joint_head(stored, validation, train, config_annotations(config))
        if validation:
            stored, other_head = choose_type_head(stored, validation)
            training_info["joint_type_head"]["choice"] = other_head["choice"]
    training_info.update(measure(stored, validation, config))
    if other_head is not None:
        training_info["figures"][f"validation ({other_head['name']} head)"] = other_head["figures"]
    card = model_card(config, training_info)
    folder = save_model(stored, config.output, extra={"training": training_info}, files={"MODEL_CARD.md": card})
    if work is not None:
        shutil.rmtree(work, ignore_errors=True)
    return folder


def choose_type_head(model: TransformerAttributionModel, validation) -> tuple[TransformerAttributionModel, dict]:
    """The joint or the linear type head, whichever has the higher six-kind type macro-F1 on
    the validation split (the linear one on a tie: it is the simpler), as a model with that
    head in its settings, and the other head's validation figures."""
    figures = {}
    for head in ("joint", "linear"):
        settings = model.settings.replace(type_head=head)
        candidate = TransformerAttributionModel(model.network, model.tokenizer, model.type_head, settings)
        figures[head] = summarize_metrics(dev_metrics(candidate, validation))
    scores = {head: figures[head].get("types.six_kind_macro_f1") or 0.0 for head in figures}
    chosen = "joint" if scores["joint"] > scores["linear"] else "linear"
    other = "linear" if chosen == "joint" else "joint"
    log.info("type head chosen on validation: %s (six-kind macro-F1 %s)", chosen, scores)
    model.settings = model.settings.replace(type_head=chosen)
    choice = {"chosen": chosen, "by": "validation types.six_kind_macro_f1", **scores}
    return model, {"name": other, "figures": figures[other], "choice": choice}


def snapshot(config: FinetuneConfig, output: Path | None = None) -> Path:
    """The best epoch so far of an unfinished run, as a complete model folder (type head
    fitted, figures measured, model card written), while the run's checkpoint stays where
    it is: ``claimcheck train`` with the same config carries on from it afterwards.

    For a run of hours that a session cannot finish: each session ends in a usable model.
    """
    torch.set_num_threads(config.threads)
    seed_everything(config.seed)
    work = checkpoint_dir(config)
    if not (work / "checkpoint" / STATE_FILE).is_file() or not (work / "best.safetensors").is_file():
        raise ConfigError(f"{work}: no finished epoch of this config's run to take a snapshot of")
    state = read_progress(work / "checkpoint")
    train, validation = training_data(config)
    network, tokenizer = build_network(config)
    restore_best(network, work / "best.safetensors")
    info = {
        "n_train_articles": len(train),
        "n_train_windows": len(build_windows(train, tokenizer, config)),
        "n_validation_articles": len(validation),
        "snapshot": {"epochs_done": state["epoch"], "of": config.epochs},
    }
    target = config.model_copy(update={"output": output}) if output else config
    return _finish(network, tokenizer, settings_of(config), train, validation, target, state, info, None)


def refit_type_head(config: FinetuneConfig, start: str | Path | None = None, output: Path | None = None) -> Path:
    """Refit only the type head of a trained tagger (``claimcheck train --type-head-only``).

    For new type annotations of the training data, or new inference settings chosen on
    validation: the encoder and tag head stay as they are, the config's settings of how
    the model runs (:func:`inference_settings`: context, detection threshold) replace the
    model's own, the head is fitted as at the end of training (same data, same fit), and
    the figures and the model card are renewed. Writes to ``output``, by default over the
    model it starts from (atomically).
    """
    torch.set_num_threads(config.threads)
    start_dir = resolve_model_path(str(start) if start else str(config.output))
    model = load_model(start_dir)
    if not isinstance(model, TransformerAttributionModel):
        raise ModelError(f"{start_dir}: refitting the type head needs a tagger.v1 model")
    info = read_config(start_dir).get("training", {})
    rank = model.settings.encoder_rank
    model.settings = model.settings.replace(**inference_settings(config))
    scratch = None
    if model.settings.encoder_rank != rank:  # head and figures of the encoder as it will be stored
        scratch = Path(tempfile.mkdtemp(prefix="claimcheck-rank-"))  # the model it starts from stays whole
        model = load_model(save_model(model, scratch / "model", extra={"training": info}))
    train, validation = training_data(config)
    head, counts = fit_type_head(model, train, config)
    model.type_head = head
    info["type_labels"] = counts
    info.update(measure(model, validation, config))
    card_file = start_dir / "MODEL_CARD.md"
    if {"history", "best_epoch", "n_train_articles"} <= set(info):
        card = model_card(config, info)
    else:
        card = card_file.read_text(encoding="utf-8") if card_file.is_file() else ""
    files = {"MODEL_CARD.md": card} if card else None
    folder = save_model(model, output or start_dir, extra={"training": info}, files=files)
    if scratch is not None:
        shutil.rmtree(scratch, ignore_errors=True)
    return folder
