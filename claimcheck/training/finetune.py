"""Fine-tune the MiniLM tagger (``tagger.v1``) on PolNeAR-style data.

A plain PyTorch loop over encoder windows: LoRA adapters (``peft``) on the
encoder's linear layers plus a BIO head per role, cross-entropy on the core
pieces of each window. Each epoch is evaluated on dev with ``claimcheck eval``'s
harness and the best epoch is kept (key: ``selection_metric``). Then the type
head is fitted on the annotated train sources, pooled from the best encoder.
Checkpoints (safetensors + JSON) are written every ``checkpoint_steps`` so an
interrupted run resumes where it stopped.
"""

from __future__ import annotations

import json
import logging
import math
import os
import random
import shutil
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

import numpy as np
import torch
from pydantic import BaseModel, ConfigDict
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn
from safetensors.torch import load_file, save_file
from safetensors.torch import save as safetensors_bytes

from claimcheck.data import ROLES, LabelledExample
from claimcheck.errors import ConfigError, ModelError
from claimcheck.evaluation.harness import summarize_metrics
from claimcheck.files import atomic_write_bytes, previous_dir, replace_dir
from claimcheck.io import read_labels
from claimcheck.models.encoders import DEFAULT_ENCODER, describe_encoder, encoder_path
from claimcheck.models.registry import file_sha256, load_model, save_model
from claimcheck.models.source_context import source_features
from claimcheck.models.tagger import (
    FROZEN,
    TaggerNetwork,
    TransformerAttributionModel,
    pad_batch,
)
from claimcheck.models.type_head import SpanTypeHead
from claimcheck.models.windows import IGNORE, Window, label_windows, make_windows
from claimcheck.pipeline import Checker
from claimcheck.training.config import ConfigPath
from claimcheck.training.distill import SoftTags, TagLoss, attach_soft_tags, cached_soft_tags, soft_batch
from claimcheck.training.joint_types import (
    JointTypeLoss,
    attach_type_spans,
    calibrate_joint_head,
    joint_card_paragraph,
    type_batch,
)
from claimcheck.training.weak_labels import labelled_sources, load_annotations

log = logging.getLogger(__name__)


class FinetuneConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    architecture: str = "tagger.v1"
    base_encoder: str = DEFAULT_ENCODER
    train: ConfigPath
    # article ids of ``train`` held out for every choice (epochs, decoding, heads); one per line
    validation: ConfigPath | None = None
    dev: ConfigPath | None = None  # reported beside validation, never used for a choice
    dev_gold: ConfigPath | None = None  # typed dev labels: reported in the model card, never trained on
    annotations: ConfigPath | None = None  # type labels of the training data's sources, by id
    output: ConfigPath
    max_train_articles: int | None = None
    max_dev_articles: int | None = None
    max_length: int = 192
    context_sentences: int = 1
    inference_context_sentences: int | None = None  # context when the model runs (None: as in training)
    epochs: int = 2  # at most; with ``plateau_patience`` training stops earlier
    plateau_patience: int | None = None  # stop after this many epochs without a better validation score
    finetuning: Literal["lora", "full"] = "lora"  # full: every encoder weight but the word embeddings
    case_features: bool = False  # a learnt letter-case embedding added to the input
    decoding: Literal["argmax", "viterbi"] = "argmax"  # viterbi: no I after O
    content_end: Literal["keep", "trim"] = "keep"  # trim: a content's trailing full stop or comma left out
    # tagged attributions the tagger is less sure of are dropped (eval/detection_threshold.py chooses it)
    min_detection: float | None = None
    checkpoint_dir: ConfigPath | None = None  # default ~/.cache/claimcheck/train/<output name>
    batch_size: int = 16
    learning_rate: float = 5e-4
    head_learning_rate: float = 2e-3
    weight_decay: float = 0.01
    warmup_ratio: float = 0.06
    lora_r: int = 16
    lora_alpha: int = 32
    lora_dropout: float = 0.1
    lora_targets: list[str] = ["query", "key", "value", "dense"]
    type_head_C: float = 1.0
    type_head_class_weight: Literal["balanced"] | None = None  # balanced: every type weighs the same
    type_head_dense_weight: float = 1.0  # the encoder vector's weight beside the hand features
    # joint: types also learnt with the encoder by a head over source, cue and sentence
    # (claimcheck/models/joint_types.py); linear or joint is chosen on the validation split
    type_head: Literal["linear", "joint"] = "linear"
    type_loss_weight: float = 0.5  # joint: the type cross-entropy's weight beside the tag loss
    card_notes: ConfigPath | None = None  # a markdown file added to the model card (e.g. experiments)
    selection_metric: str = "spans.mean_exact_f1"
    # continuing on new labels (`claimcheck train --add`)
    replay: ConfigPath | None = None  # original training data to mix in, where it is at hand
    replay_articles: int = 100
    heldout_fraction: float = 0.2
    continue_epochs: int = 4
    heldout_min_articles: int = 5  # with fewer new articles none is held out: all are learnt from
    crossfit_max_steps: int = 150  # then cross-fitting (a fold per article) runs if its training steps fit
    continue_learning_rate: float = 1e-4
    continue_head_learning_rate: float | None = None  # None: scaled as head_learning_rate is to learning_rate
    patience: int = 1
    new_label_weight: float = 3.0
    checkpoint_steps: int = 100
    threads: int = 2
    seed: int = 0
    # distillation: a trained tagger (name or folder) whose soft tags are a second target
    teacher: str | None = None
    distill_weight: float = 0.5  # the KL term's share of the loss, (1 - w) for the gold tags
    distill_temperature: float = 1.0


# --------------------------------------------------------------------------- data


def build_windows(
    examples: list[LabelledExample], tokenizer, config: FinetuneConfig, soft: list[SoftTags] | None = None
) -> list[Window]:
    """Every article's windows with their gold tags (and, where given, a teacher's soft tags;
    with ``type_head: joint``, the typed gold sources)."""
    windows = []
    annotations = config_annotations(config) if config.type_head == "joint" else None
    for i, ex in enumerate(examples):
        ws = make_windows(tokenizer, ex.text, config.max_length, config.context_sentences)
        label_windows(ws, ex.attributions)
        if soft is not None:
            attach_soft_tags(ws, soft[i])
        if annotations is not None:
            attach_type_spans(ws, ex, annotations)
        windows.extend(ws)
    return windows


def teacher_tags(config: FinetuneConfig, examples: list[LabelledExample]) -> list[SoftTags] | None:
    """The config's teacher's soft tags of ``examples`` (run once, then read from the run's cache)."""
    if config.teacher is None:
        return None
    teacher = load_model(os.path.expanduser(config.teacher))
    if not isinstance(teacher, TransformerAttributionModel):
        raise ConfigError(f"teacher {config.teacher!r}: a tagger.v1 model is needed to distil from")
    cache = checkpoint_dir(config) / f"teacher-soft-tags-T{config.distill_temperature:g}.safetensors"
    return cached_soft_tags(teacher, examples, cache, config.distill_temperature)


def collate(windows: list[Window], pad_id: int) -> dict[str, torch.Tensor]:
    ids, mask, cases = pad_batch(windows, pad_id)
    labels = torch.full((len(windows), ids.shape[1], len(ROLES)), IGNORE, dtype=torch.long)
    for i, w in enumerate(windows):
        for r, role in enumerate(ROLES):
            labels[i, : len(w.input_ids), r] = torch.tensor(w.labels[role])
    batch = {"input_ids": ids, "attention_mask": mask, "case_ids": cases, "labels": labels}
    soft = soft_batch(windows, ids.shape[1])
    if soft is not None:
        batch["soft_tags"], batch["soft_mask"] = soft
    types = type_batch(windows)
    if types is not None:
        batch["type_spans"], batch["type_labels"] = types
    return batch


# --------------------------------------------------------------------------- model


def train_step(network: TaggerNetwork, batch: dict[str, torch.Tensor], loss_fn, optimizer, scheduler=None) -> float:
    """One optimisation step on a collated batch; ``loss_fn(logits, batch, hidden)`` (a
    :class:`~claimcheck.training.distill.TagLoss`, or a loss built on one) gives the loss,
    which is returned."""
    logits, hidden = network(batch["input_ids"], batch["attention_mask"], batch.get("case_ids"))
    loss = loss_fn(logits, batch, hidden)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(network.parameters(), 1.0)
    optimizer.step()
    if scheduler is not None:
        scheduler.step()
    optimizer.zero_grad()
    return loss.item()


def build_network(config: FinetuneConfig) -> tuple[TaggerNetwork, Any]:
    """The network to train: LoRA adapters on the base encoder, or (``finetuning: full``)
    the whole encoder but its word embeddings, which stay as shipped."""
    from transformers import AutoModel, AutoTokenizer

    base = encoder_path(config.base_encoder)
    tokenizer = AutoTokenizer.from_pretrained(str(base))
    encoder = AutoModel.from_pretrained(str(base))
    joint = config.type_head == "joint"
    if config.finetuning == "full":
        for name, param in encoder.named_parameters():
            param.requires_grad_(name not in FROZEN)
        return TaggerNetwork(encoder, case_features=config.case_features, joint_types=joint), tokenizer
    from peft import LoraConfig, get_peft_model

    lora = LoraConfig(
        r=config.lora_r,
        lora_alpha=config.lora_alpha,
        lora_dropout=config.lora_dropout,
        target_modules=config.lora_targets,
        bias="none",
    )
    return TaggerNetwork(
        get_peft_model(encoder, lora), case_features=config.case_features, joint_types=joint
    ), tokenizer


def inference_context(config: FinetuneConfig) -> int:
    """Sentences of context before each window when the model runs; training may use more."""
    if config.inference_context_sentences is None:
        return config.context_sentences
    return config.inference_context_sentences


def inference_settings(config: FinetuneConfig) -> dict[str, Any]:
    """The settings of how a trained model runs that can change after training (chosen on validation)."""
    return {
        "context_sentences": inference_context(config),
        "train_context_sentences": config.context_sentences,
        **({"min_detection": config.min_detection} if config.min_detection is not None else {}),
    }


def settings_of(config: FinetuneConfig) -> dict[str, Any]:
    return {
        "base_encoder": config.base_encoder,
        "base_sha256": file_sha256(encoder_path(config.base_encoder) / "model.safetensors"),
        "max_length": config.max_length,
        **inference_settings(config),
        "roles": list(ROLES),
        "tags": ["O", "B", "I"],
        "precision": "auto",
        "finetuning": config.finetuning,
        "case_features": config.case_features,
        "decoding": config.decoding,
        "content_end": config.content_end,
        **({"type_head": "joint"} if config.type_head == "joint" else {}),
    }


def trainable_state(network: TaggerNetwork) -> dict[str, torch.Tensor]:
    return {n: p.detach().clone().contiguous() for n, p in network.named_parameters() if p.requires_grad}


# --------------------------------------------------------------------------- checkpoints


def save_checkpoint(path: Path, network, optimizer, scheduler, progress: dict[str, Any]) -> None:
    """Trainable weights and optimizer moments as safetensors, the rest as JSON; the folder is
    swapped in whole (:func:`claimcheck.files.replace_dir`), so a kill keeps the last one."""
    with replace_dir(path) as tmp:
        save_file(trainable_state(network), str(tmp / "weights.safetensors"))
        opt = optimizer.state_dict()
        tensors, scalars = {}, {}
        for pid, st in opt["state"].items():
            for k, v in st.items():
                if torch.is_tensor(v) and v.dim() > 0:
                    tensors[f"{pid}.{k}"] = v.contiguous()
                else:
                    scalars[f"{pid}.{k}"] = float(v)
        save_file(tensors, str(tmp / "optimizer.safetensors"))
        meta = {
            "param_groups": opt["param_groups"],
            "scalars": scalars,
            "scheduler": scheduler.state_dict(),
            **progress,
        }
        (tmp / "state.json").write_text(json.dumps(meta), encoding="utf-8")


def save_best(path: Path, network) -> None:
    """The best epoch's trainable weights, written atomically (a kill keeps the previous best)."""
    atomic_write_bytes(path, safetensors_bytes(trainable_state(network)))


def load_checkpoint(path: Path, network, optimizer, scheduler) -> dict[str, Any]:
    weights = load_file(str(path / "weights.safetensors"))
    params = dict(network.named_parameters())
    with torch.no_grad():
        for n, v in weights.items():
            params[n].copy_(v)
    meta = json.loads((path / "state.json").read_text(encoding="utf-8"))
    tensors = load_file(str(path / "optimizer.safetensors"))
    state: dict[int, dict[str, Any]] = {}
    for key, v in tensors.items():
        pid, k = key.split(".", 1)
        state.setdefault(int(pid), {})[k] = v
    for key, v in meta["scalars"].items():
        pid, k = key.split(".", 1)
        state.setdefault(int(pid), {})[k] = torch.tensor(v)
    optimizer.load_state_dict({"state": state, "param_groups": meta["param_groups"]})
    scheduler.load_state_dict(meta["scheduler"])
    return meta


# --------------------------------------------------------------------------- evaluation


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
    value: Any = metrics
    for part in dotted.split("."):
        value = value[part]
    return float(value)


# --------------------------------------------------------------------------- type head


def pooled_sources(
    model: TransformerAttributionModel,
    examples: list[LabelledExample],
    annotations: dict[tuple[str, str], str] | None = None,
    chunk_articles: int = 32,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[list[dict[str, float]], list[np.ndarray], list[str], list[str]]:
    """The typed sources of ``examples`` (given types, or ``annotations``) as type-head
    inputs: hand features, the vector pooled from ``model``'s encoder over the source
    span, label, and how the label was made. ``progress(done, total)`` counts articles."""
    rows = list(labelled_sources(examples, annotations or {}, use_rules=False))
    by_article: dict[int, list[int]] = {}
    for i, (ex, *_) in enumerate(rows):
        by_article.setdefault(id(ex), []).append(i)
    vectors: list[np.ndarray] = [np.empty(0)] * len(rows)
    groups = list(by_article.values())
    for b in range(0, len(groups), chunk_articles):  # bounded memory: piece vectors of a chunk only
        chunk = groups[b : b + chunk_articles]
        for indices, encoded in zip(chunk, model.encode([rows[g[0]][0].text for g in chunk]), strict=True):
            for i in indices:
                vectors[i] = model.pool(encoded, rows[i][1].source)
        if progress is not None:
            progress(b + len(chunk), len(groups))
    feats = [source_features(ctx) for _, _, ctx, _, _ in rows]
    return feats, vectors, [r[3] for r in rows], [r[4] for r in rows]


def config_annotations(config: FinetuneConfig) -> dict[tuple[str, str], str]:
    """The config's type annotations of the training data (none where the config names none)."""
    return load_annotations(config.annotations) if config.annotations else {}


def fit_type_head(
    model: TransformerAttributionModel, examples: list[LabelledExample], config: FinetuneConfig
) -> tuple[SpanTypeHead, dict[str, int]]:
    """Fit the type head on the typed sources of ``examples`` (given or annotated types),
    each pooled from the fine-tuned encoder over its gold span."""
    feats, vectors, labels, origins = pooled_sources(model, examples, config_annotations(config))
    counts = dict(Counter(origins))
    head = new_type_head(config).fit_features(feats, np.stack(vectors), labels)
    return head, counts


def new_type_head(config: FinetuneConfig) -> SpanTypeHead:
    """An unfitted type head with the config's settings."""
    return SpanTypeHead(
        C=config.type_head_C,
        dense_weight=config.type_head_dense_weight,
        class_weight=config.type_head_class_weight,
        seed=config.seed,
    )


# --------------------------------------------------------------------------- model card


def _encoder_sentence(config: FinetuneConfig) -> str:
    encoder = describe_encoder(config.base_encoder)
    if config.finetuning == "full":
        return (
            f"A {encoder}, fully fine-tuned (all weights but the word embeddings,\n"
            "which stay as shipped and are not stored; the rest stored in float16)"
        )
    return f"A {encoder} with LoRA adapters\n(r={config.lora_r}, alpha={config.lora_alpha}, on {', '.join(config.lora_targets)})"


#: the span figures followed epoch by epoch (types need the type head, fitted once at the end)
CURVE_KEYS = ("spans.mean_exact_f1", "source.exact_f1", "cue.exact_f1", "content.exact_f1")


def _curves(history: list[dict[str, Any]]) -> str:
    head = (
        "| epoch | train loss | " + " | ".join(f"validation {k}" for k in CURVE_KEYS) + " | dev spans.mean_exact_f1 |"
    )
    rows = [head, "|" + "---|" * (len(CURVE_KEYS) + 3)]
    for h in history:
        val, dev = h.get("validation") or h.get("dev") or {}, h.get("dev") or {}
        cells = [str(val.get(k, "")) for k in CURVE_KEYS]
        loss = f"{h['train_loss']:.4f}" if h.get("train_loss") is not None else ""
        rows.append(f"| {h['epoch']} | {loss} | " + " | ".join(cells) + f" | {dev.get('spans.mean_exact_f1', '')} |")
    return "\n".join(rows)


def _figures_table(figures: dict[str, dict[str, Any]]) -> str:
    names = list(figures)
    keys = [k for k in dict.fromkeys(k for f in figures.values() for k in f) if k != "articles_per_s"]
    rows = ["| metric | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
    rows += [f"| {k} | " + " | ".join(str(figures[n].get(k, "")) for n in names) + " |" for k in keys]
    return "\n".join(rows)


def _by_class_table(by_class: dict[str, dict[str, dict[str, float]]]) -> str:
    names = list(by_class)
    classes = list(dict.fromkeys(c for v in by_class.values() for c in v))
    rows = ["| type | " + " | ".join(f"{n} F1 (n)" for n in names) + " |", "|---|" + "---|" * len(names)]
    for c in classes:
        cells = [
            f"{by_class[n][c]['f1']} ({by_class[n][c].get('support', '')})" if c in by_class[n] else "" for n in names
        ]
        rows.append(f"| {c} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


def _shown(path: Path | None) -> str:
    """A path as the card shows it: relative to where training ran (no home folders in a shipped card)."""
    return os.path.relpath(path) if path is not None else "none"


def _type_head_sentence(config: FinetuneConfig) -> str:
    weighting = "every type weighing the same" if config.type_head_class_weight == "balanced" else "unweighted"
    return f"C={config.type_head_C}, encoder vector weight {config.type_head_dense_weight}, {weighting}"


def _distill_sentence(config: FinetuneConfig) -> str:
    if config.teacher is None:
        return ""
    return (
        f"Distilled from `{Path(config.teacher).name}`: the loss mixes the gold tags' cross-entropy with the KL\n"
        f"divergence from the teacher's tag distributions (weight {config.distill_weight}, "
        f"temperature {config.distill_temperature}).\n\n"
    )


def _notes(config: FinetuneConfig) -> str:
    if config.card_notes is None:
        return ""
    return "\n" + config.card_notes.read_text(encoding="utf-8").strip() + "\n"


def model_card(config: FinetuneConfig, info: dict[str, Any]) -> str:
    figures = info.get("figures") or ({"dev_gold": info["dev_gold"]} if info.get("dev_gold") else {})
    context = f"the preceding text as context, up to {config.context_sentences} sentence(s)"
    return f"""# claimcheck {config.architecture}

{_encoder_sentence(config)}, and a BIO head per role (source, cue, content){
        " with a learnt letter-case embedding added to the input" if config.case_features else ""
    }; tags decoded by {"constrained Viterbi (no I after O)" if config.decoding == "viterbi" else "argmax"}{
        f"; a tagged attribution whose detection probability is below {config.min_detection} is dropped"
        if config.min_detection is not None
        else ""
    }.
Trained on `{_shown(config.train)}` ({info["n_train_articles"]} articles, {info["n_train_windows"]} windows of
at most {config.max_length} word pieces with {context}; {inference_context(config)} sentence(s) when it runs),
batch {config.batch_size}, learning rate {config.learning_rate} (head {config.head_learning_rate}), seed {config.seed},
{f"snapshot after {info['snapshot']['epochs_done']} epoch(s) of a run of " if info.get("snapshot") else ""}at most {
        config.epochs
    } epoch(s){
        f", stopped after {config.plateau_patience} epoch(s) without a better validation score"
        if config.plateau_patience
        else ""
    }. Best epoch by validation `{config.selection_metric}`: {info["best_epoch"]}.

{
        _distill_sentence(config)
    }**Model selection.** Every choice (epochs, decoding, heads, settings) is made on the validation
split: {info.get("n_validation_articles", 0)} PolNeAR train articles held out by id (`{_shown(config.validation)}`),
never trained on. PolNeAR dev and the gold dev labels (`{_shown(config.dev_gold)}`) are reported only,
never used for a choice or for training. Validation types are scored on the annotated sources of
the validation articles.

The type head is a logistic regression over the source span's mean encoder vector
plus hand features (capitalisation, lexicon hits, resolved antecedent, anonymity
phrasing) ({_type_head_sentence(config)}), with one temperature fitted on out-of-fold
logits for calibration. Type labels: {info["type_labels"]} (`annotated`: `{_shown(config.annotations)}`,
sources of the training articles typed by hand by the codebook; `sample` in the file says how each was picked).{
        joint_card_paragraph(config.type_loss_weight, info)
    }

## Learning curves

{_curves(info["history"])}

## Figures of the stored model

{_figures_table(figures)}

## Types by class

{_by_class_table(info.get("by_class") or {})}

Measured with `claimcheck eval` on {config.threads} CPU threads.
{_notes(config)}
## Limits

- Trained on US political news from 2015-2016 (PolNeAR); other domains and house
  styles will do worse until retrained on their own labels.
- Attributions are linked by proximity (nearest source and content around each
  cue); a content spanning more than one neighbouring sentence is cut.
- Nested attributions of the same role (a content inside a content) keep only the outer one.
"""


# --------------------------------------------------------------------------- loop


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def read_ids(path: Path) -> list[str]:
    """Article ids, one per line (``#`` comments and blank lines skipped)."""
    lines = (line.split("#", 1)[0].strip() for line in Path(path).read_text(encoding="utf-8").splitlines())
    return [line for line in lines if line]


def split_validation(
    examples: list[LabelledExample], config: FinetuneConfig
) -> tuple[list[LabelledExample], list[LabelledExample]]:
    """Training and validation articles: the config's validation ids are held out of training."""
    if config.validation is None:
        return examples, []
    held = set(read_ids(config.validation))
    validation = [ex for ex in examples if ex.id in held]
    missing = held - {ex.id for ex in validation}
    if missing and config.max_train_articles is None:
        raise ValueError(f"{config.validation}: {len(missing)} validation ids are not in {config.train}")
    return [ex for ex in examples if ex.id not in held], validation


def with_annotated_types(examples: list[LabelledExample], annotations: dict[tuple[str, str], str]):
    """Copies of ``examples`` whose sources carry their annotated type (others stay untyped),
    so that validation articles are scored on types too."""
    out = []
    for ex in examples:
        atts = [a.model_copy(update={"type": annotations.get((ex.id, a.id), a.type)}) for a in ex.attributions]
        out.append(ex.model_copy(update={"attributions": atts}))
    return out


def training_data(config: FinetuneConfig) -> tuple[list[LabelledExample], list[LabelledExample]]:
    """The training articles and the validation articles, the latter with their annotated types."""
    train, validation = split_validation(read_labels(config.train), config)
    return train[: config.max_train_articles], with_annotated_types(validation, config_annotations(config))


def checkpoint_dir(config: FinetuneConfig) -> Path:
    """Where checkpoints live: outside the work tree, where a later session finds them."""
    if config.checkpoint_dir is not None:
        return config.checkpoint_dir
    return Path.home() / ".cache" / "claimcheck" / "train" / Path(config.output).name


def learning_rates(config: FinetuneConfig, continuing: bool = False) -> tuple[float, float]:
    """The encoder's and the heads' learning rates: training's, or (``continuing``) the small
    continuing rate, with the heads' scaled from it as in training unless the config sets it."""
    if not continuing:
        return config.learning_rate, config.head_learning_rate
    head = config.continue_head_learning_rate
    if head is None:
        head = config.continue_learning_rate * config.head_learning_rate / config.learning_rate
    return config.continue_learning_rate, head


def make_optimizer(network: TaggerNetwork, config: FinetuneConfig, total_steps: int, continuing: bool = False):
    """The optimizer of training and of continuing (``continuing``: at :func:`learning_rates`'
    continuing rates): AdamW over every trainable weight, the encoder's at its rate and all
    the others (tag head, case embedding) at the heads', with linear warm-up
    (``warmup_ratio`` of ``total_steps``) and decay."""
    from transformers import get_linear_schedule_with_warmup

    encoder = {id(p) for p in network.encoder.parameters()}
    trainable = [p for p in network.parameters() if p.requires_grad]
    enc_rate, head_rate = learning_rates(config, continuing)
    optimizer = torch.optim.AdamW(
        [
            {"params": [p for p in trainable if id(p) in encoder], "lr": enc_rate},
            {"params": [p for p in trainable if id(p) not in encoder], "lr": head_rate},
        ],
        weight_decay=config.weight_decay,
    )
    scheduler = get_linear_schedule_with_warmup(optimizer, int(total_steps * config.warmup_ratio), total_steps)
    return optimizer, scheduler


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TextColumn("loss {task.fields[loss]:.4f}"),
        TimeRemainingColumn(),
    )


def _epoch_record(model, epoch: int, loss: float | None, validation, dev, config: FinetuneConfig) -> dict[str, Any]:
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


def finetune(config: FinetuneConfig, resume: bool = True) -> Path:
    """Train the tagger (``claimcheck train``): see the module docstring. Resumes from the
    checkpoint in :func:`checkpoint_dir` unless ``resume`` is false."""
    torch.set_num_threads(config.threads)
    seed_everything(config.seed)
    train, validation = training_data(config)
    dev = read_labels(config.dev)[: config.max_dev_articles] if config.dev else []
    network, tokenizer = build_network(config)
    settings = settings_of(config)
    windows = build_windows(train, tokenizer, config, teacher_tags(config, train))
    log.info(
        "train %d articles (%d windows), validation %d, dev %d", len(train), len(windows), len(validation), len(dev)
    )
    steps_per_epoch = math.ceil(len(windows) / config.batch_size)
    optimizer, scheduler = make_optimizer(network, config, steps_per_epoch * config.epochs)

    work = checkpoint_dir(config)
    checkpoint = work / "checkpoint"
    state: dict[str, Any] = {"epoch": 0, "step_in_epoch": 0, "best": None, "history": []}
    if resume and not checkpoint.is_dir() and previous_dir(checkpoint).is_dir():
        previous_dir(checkpoint).rename(checkpoint)  # a kill between save_checkpoint's two renames
    if resume and checkpoint.is_dir():
        state = load_checkpoint(checkpoint, network, optimizer, scheduler)
        log.info("resuming at epoch %d, step %d", state["epoch"] + 1, state["step_in_epoch"])
    work.mkdir(parents=True, exist_ok=True)
    loss_fn = TagLoss(config.distill_weight if config.teacher else 0.0, config.distill_temperature)
    if network.joint_type_head is not None:
        loss_fn = JointTypeLoss(loss_fn, network.joint_type_head, config.type_loss_weight)
    with _progress() as progress:
        for epoch in range(state["epoch"], config.epochs):
            if _plateaued(state, config):
                break
            order = list(range(len(windows)))
            random.Random(config.seed + epoch).shuffle(order)
            task = progress.add_task(f"epoch {epoch + 1}/{config.epochs}", total=steps_per_epoch, loss=0.0)
            progress.update(task, completed=state["step_in_epoch"])
            network.train()
            running = state.get("running_loss") if state["step_in_epoch"] else None
            trained, t0 = state.get("train_seconds", 0.0), time.perf_counter()  # wall time of the steps, resumes summed
            for step in range(state["step_in_epoch"], steps_per_epoch):
                picked = [windows[i] for i in order[step * config.batch_size : (step + 1) * config.batch_size]]
                loss = train_step(network, collate(picked, tokenizer.pad_token_id), loss_fn, optimizer, scheduler)
                running = loss if running is None else 0.95 * running + 0.05 * loss
                progress.update(task, advance=1, loss=running)
                if (step + 1) % config.checkpoint_steps == 0:
                    progress_state = {**state, "epoch": epoch, "step_in_epoch": step + 1, "running_loss": running}
                    progress_state["train_seconds"] = trained + time.perf_counter() - t0
                    save_checkpoint(checkpoint, network, optimizer, scheduler, progress_state)
            network.eval()
            state["train_seconds"] = trained + time.perf_counter() - t0
            model = TransformerAttributionModel(network, tokenizer, None, settings)
            record = _epoch_record(model, epoch + 1, running, validation, dev, config)
            record["train_seconds"] = round(state["train_seconds"], 3)
            score = record[config.selection_metric]
            if state["best"] is None or score is None or score > state["best"]["score"]:
                save_best(work / "best.safetensors", network)
                state["best"] = {"epoch": epoch + 1, "score": score}
            state["history"].append(record)
            log.info("epoch %d: %s", epoch + 1, json.dumps(record))
            state.update(epoch=epoch + 1, step_in_epoch=0)
            save_checkpoint(checkpoint, network, optimizer, scheduler, state)
    _restore(network, work / "best.safetensors")
    info = {"n_train_articles": len(train), "n_train_windows": len(windows), "n_validation_articles": len(validation)}
    return _finish(network, tokenizer, settings, train, validation, config, state, info, work)


def _plateaued(state: dict[str, Any], config: FinetuneConfig) -> bool:
    """Has the validation score not improved for ``plateau_patience`` epochs?"""
    if config.plateau_patience is None or not state["best"] or state["best"]["score"] is None:
        return False
    return state["epoch"] - state["best"]["epoch"] >= config.plateau_patience


def _restore(network: TaggerNetwork, path: Path) -> None:
    best = load_file(str(path))
    params = dict(network.named_parameters())
    with torch.no_grad():
        for n, v in best.items():
            params[n].copy_(v)
    network.eval()


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
    if stored.network.joint_type_head is not None:
        training_info["joint_type_head"] = calibrate_joint_head(stored, validation, train, config_annotations(config))
    training_info.update(measure(stored, validation, config))
    if stored.network.joint_type_head is not None and validation:  # the choice of head is made on validation
        settings = {**stored.settings, "type_head": "linear"}
        linear = TransformerAttributionModel(stored.network, stored.tokenizer, stored.type_head, settings)
        training_info["figures"]["validation (linear head)"] = summarize_metrics(dev_metrics(linear, validation))
    card = model_card(config, training_info)
    folder = save_model(stored, config.output, extra={"training": training_info}, files={"MODEL_CARD.md": card})
    if work is not None:
        shutil.rmtree(work, ignore_errors=True)
    return folder


def snapshot(config: FinetuneConfig, output: Path | None = None) -> Path:
    """The best epoch so far of an unfinished run, as a complete model folder (type head
    fitted, figures measured, model card written), while the run's checkpoint stays where
    it is: ``claimcheck train`` with the same config carries on from it afterwards.

    For a run of hours that a session cannot finish: each session ends in a usable model.
    """
    torch.set_num_threads(config.threads)
    seed_everything(config.seed)
    work = checkpoint_dir(config)
    state_file = work / "checkpoint" / "state.json"
    if not state_file.is_file() or not (work / "best.safetensors").is_file():
        raise ConfigError(f"{work}: no finished epoch of this config's run to take a snapshot of")
    state = json.loads(state_file.read_text(encoding="utf-8"))
    train, validation = training_data(config)
    network, tokenizer = build_network(config)
    _restore(network, work / "best.safetensors")
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
    from claimcheck.models.registry import load_model, read_config, resolve_model_path

    torch.set_num_threads(config.threads)
    start_dir = resolve_model_path(str(start) if start else str(config.output))
    model = load_model(start_dir)
    if not isinstance(model, TransformerAttributionModel):
        raise ModelError(f"{start_dir}: refitting the type head needs a tagger.v1 model")
    info = read_config(start_dir).get("training", {})
    model.settings = {**model.settings, **inference_settings(config)}
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
    return save_model(model, output or start_dir, extra={"training": info}, files=files)
