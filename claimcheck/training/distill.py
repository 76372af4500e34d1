"""Distillation: a teacher tagger's soft tag distributions as a second training target.

The teacher (e.g. ``tagger-large``, MPNet) runs once over the training articles; its
tag distribution of every core piece is kept by the piece's start offset in the
article, so a student with another tokenizer or other window boundaries finds it
again: a student piece that starts where a teacher piece starts takes its
distribution, one that starts inside a teacher piece takes that piece's with the
B mass moved to I (it continues the span). The distributions are cached as
safetensors beside the run's checkpoint, so a resumed run does not run the teacher again.

The loss is the gold tags' cross-entropy mixed with the KL divergence from the
teacher's distributions (softened by a temperature, scaled by its square, as in
Hinton et al. 2015): :class:`TagLoss`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch
from safetensors.numpy import load_file

from claimcheck.data import ROLES, LabelledExample
from claimcheck.files import atomic_write_bytes
from claimcheck.models.tagger import N_TAGS, TransformerAttributionModel, pad_batch
from claimcheck.models.windows import IGNORE, Window
from claimcheck.training.progress import progress_bar

log = logging.getLogger(__name__)

#: one article's soft tags: piece start offsets (n,) and distributions (n, roles, tags)
SoftTags = tuple[np.ndarray, np.ndarray]
B_TAG, I_TAG = 1, 2


@torch.inference_mode()
def teacher_soft_tags(
    teacher: TransformerAttributionModel, examples: list[LabelledExample], temperature: float = 1.0, batch: int = 16
) -> list[SoftTags]:
    """The teacher's tag distribution of every core piece of every article, by start offset."""
    out: list[SoftTags] = []
    with progress_bar() as bar:
        task = bar.add_task("teacher's soft tags", total=len(examples))
        for ex in examples:
            out.append(_article_soft_tags(teacher, ex, temperature, batch))
            bar.advance(task)
    return out


def _article_soft_tags(
    teacher: TransformerAttributionModel, ex: LabelledExample, temperature: float, batch: int
) -> SoftTags:
    """One article's soft tags (the teacher runs under inference mode: see the caller)."""
    windows = teacher.windows(ex.text)
    starts: list[int] = []
    probs: list[np.ndarray] = []
    for b in range(0, len(windows), batch):
        chunk = windows[b : b + batch]
        ids, mask, cases = pad_batch(chunk, teacher.tokenizer.pad_token_id)
        logits, _ = teacher.runtime_network(ids, mask, cases)
        dist = (logits.float() / temperature).softmax(-1).numpy()
        for row, w in enumerate(chunk):
            for k, (core, (s, e)) in enumerate(zip(w.core, w.offsets, strict=True)):
                if core and e > s:
                    starts.append(s)
                    probs.append(dist[row, k])
    return np.asarray(starts, dtype=np.int64), np.stack(probs) if probs else np.zeros((0, len(ROLES), N_TAGS))


def save_soft_tags(path: Path, ids: list[str], soft: list[SoftTags]) -> None:
    tensors = {}
    for i, (starts, probs) in enumerate(soft):
        tensors[f"{i}.starts"], tensors[f"{i}.probs"] = starts, probs.astype(np.float32)
    from safetensors.numpy import save

    atomic_write_bytes(path, save(tensors, metadata={"ids": "\n".join(ids)}))


def load_soft_tags(path: Path, ids: list[str]) -> list[SoftTags] | None:
    """The cached soft tags of exactly these articles, or None."""
    from safetensors import safe_open

    if not path.is_file():
        return None
    with safe_open(str(path), "numpy") as f:
        if (f.metadata() or {}).get("ids") != "\n".join(ids):
            return None
    tensors = load_file(str(path))
    return [(tensors[f"{i}.starts"], tensors[f"{i}.probs"]) for i in range(len(ids))]


def cached_soft_tags(
    load_teacher: Callable[[], TransformerAttributionModel],
    examples: list[LabelledExample],
    cache: Path,
    temperature: float,
) -> list[SoftTags]:
    """:func:`teacher_soft_tags`, read from ``cache`` where it holds these articles; the teacher
    is loaded (``load_teacher()``) only where it must run."""
    ids = [ex.id for ex in examples]
    soft = load_soft_tags(cache, ids)
    if soft is None:
        teacher = load_teacher()
        log.info("running the teacher over %d training articles (once; cached in %s)", len(examples), cache)
        soft = teacher_soft_tags(teacher, examples, temperature)
        cache.parent.mkdir(parents=True, exist_ok=True)
        save_soft_tags(cache, ids, soft)
    return soft


def attach_soft_tags(windows: list[Window], soft: SoftTags) -> None:
    """Give each core piece of one article's ``windows`` the teacher's distribution (see the
    module docstring); pieces the teacher has nothing for keep ``None``."""
    starts, probs = soft
    for w in windows:
        w.soft = []
        for core, (s, e) in zip(w.core, w.offsets, strict=True):
            if not core or e <= s or not len(starts):
                w.soft.append(None)
                continue
            k = int(np.searchsorted(starts, s, side="right")) - 1
            if k < 0:
                w.soft.append(None)
            elif starts[k] == s:
                w.soft.append(probs[k])
            else:  # inside the teacher's piece: a continuation
                moved = probs[k].copy()
                moved[:, I_TAG] += moved[:, B_TAG]
                moved[:, B_TAG] = 0.0
                w.soft.append(moved)


def soft_batch(windows: list[Window], width: int) -> tuple[torch.Tensor, torch.Tensor] | None:
    """The windows' soft tags as (batch, width, roles, tags) and a mask of the pieces that have them."""
    if not any(getattr(w, "soft", None) for w in windows):
        return None
    target = torch.zeros((len(windows), width, len(ROLES), N_TAGS))
    mask = torch.zeros((len(windows), width), dtype=torch.bool)
    for i, w in enumerate(windows):
        for k, dist in enumerate(w.soft or []):
            if dist is not None:
                target[i, k] = torch.from_numpy(np.asarray(dist, dtype=np.float32))
                mask[i, k] = True
    return target, mask


class TagLoss:
    """Cross-entropy on the gold tags, mixed with the KL divergence from a teacher's soft tags
    where the batch has them: ``(1 - w) * CE + w * T^2 * KL`` (``w`` = ``distill_weight``)."""

    def __init__(self, distill_weight: float = 0.0, temperature: float = 1.0):
        self.distill_weight = distill_weight
        self.temperature = temperature
        self.cross_entropy = torch.nn.CrossEntropyLoss(ignore_index=IGNORE)

    def __call__(
        self, logits: torch.Tensor, batch: dict[str, torch.Tensor], hidden: torch.Tensor | None = None
    ) -> torch.Tensor:
        """``hidden``, the encoder's states, is for losses that add a term on them (the joint type
        loss, :class:`claimcheck.training.joint_types.JointTypeLoss`); the tags need only ``logits``."""
        gold = self.cross_entropy(logits.reshape(-1, logits.shape[-1]), batch["labels"].reshape(-1))
        if "soft_tags" not in batch or not self.distill_weight:
            return gold
        mask = batch["soft_mask"]
        if not mask.any():
            return gold
        student = torch.log_softmax(logits[mask] / self.temperature, dim=-1)
        teacher = batch["soft_tags"][mask].clamp_min(1e-8)
        kl = torch.nn.functional.kl_div(student, teacher, reduction="batchmean") / len(ROLES)
        return (1 - self.distill_weight) * gold + self.distill_weight * self.temperature**2 * kl
