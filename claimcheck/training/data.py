"""Data preparation for the tagger's training: the articles of each split, their windows with
the targets (gold tags, a teacher's soft tags, typed sources) and batches of them.

The training loop (:mod:`claimcheck.training.loop`) sees only windows and :func:`collate`'s
batches; what a batch holds decides which loss terms apply (``soft_tags``: distillation,
``type_spans``: the joint type head).
"""

from __future__ import annotations

import os
from pathlib import Path

import torch

from claimcheck.data import ROLES, LabelledExample
from claimcheck.errors import ConfigError
from claimcheck.io import read_labels
from claimcheck.models.registry import load_model
from claimcheck.models.tagger import TransformerAttributionModel, pad_batch
from claimcheck.models.windows import IGNORE, Window, label_windows, make_windows
from claimcheck.training.distill import SoftTags, attach_soft_tags, cached_soft_tags, soft_batch
from claimcheck.training.joint_types import attach_type_spans, type_batch
from claimcheck.training.tagger_config import FinetuneConfig, checkpoint_dir
from claimcheck.training.weak_labels import load_annotations


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


def config_annotations(config: FinetuneConfig) -> dict[tuple[str, str], str]:
    """The config's type annotations of the training data (none where the config names none)."""
    return load_annotations(config.annotations) if config.annotations else {}


def training_data(config: FinetuneConfig) -> tuple[list[LabelledExample], list[LabelledExample]]:
    """The training articles and the validation articles, the latter with their annotated types."""
    train, validation = split_validation(read_labels(config.train), config)
    return train[: config.max_train_articles], with_annotated_types(validation, config_annotations(config))


def dev_data(config: FinetuneConfig, missing_ok: bool = False) -> list[LabelledExample]:
    """The config's ``dev`` articles (PolNeAR dev), reported beside validation; with ``missing_ok``
    none where the file is not at hand (continuing, on a machine without the training data)."""
    if config.dev is None or (missing_ok and not Path(config.dev).exists()):
        return []
    return read_labels(config.dev)[: config.max_dev_articles]


def teacher_tags(config: FinetuneConfig, examples: list[LabelledExample]) -> list[SoftTags] | None:
    """The config's teacher's soft tags of ``examples`` (run once, then read from the run's cache)."""
    if config.teacher is None:
        return None

    def load_teacher() -> TransformerAttributionModel:
        teacher = load_model(os.path.expanduser(config.teacher))
        if not isinstance(teacher, TransformerAttributionModel):
            raise ConfigError(f"teacher {config.teacher!r}: a tagger.v1 model is needed to distil from")
        return teacher

    cache = checkpoint_dir(config) / f"teacher-soft-tags-T{config.distill_temperature:g}.safetensors"
    return cached_soft_tags(load_teacher, examples, cache, config.distill_temperature)


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


def collate(windows: list[Window], pad_id: int) -> dict[str, torch.Tensor]:
    """A batch: piece ids, attention mask, case ids and gold tags, padded to the longest window;
    with the teacher's soft tags and the typed sources where the windows carry them."""
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
