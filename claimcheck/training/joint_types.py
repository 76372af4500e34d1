"""Training the joint type head (``type_head: joint``; the head itself is
:mod:`claimcheck.models.joint_types`).

Each training window carries the typed gold sources whose source lies in its core
(:func:`attach_type_spans`), the batch carries them as piece index rows
(:func:`type_batch`), and :class:`JointTypeLoss` adds their type cross-entropy to the tag
loss, so the encoder learns types with tags. After training, one temperature is fitted
on the validation split's typed sources, run as the model runs
(:func:`calibrate_joint_head`).
"""

from __future__ import annotations

import logging
from typing import Any

import numpy as np
import torch

from claimcheck.data import ATTRIBUTION_TYPES, Attribution, LabelledExample
from claimcheck.models.joint_types import JointTypeHead, article_type_logits, source_piece_spans
from claimcheck.models.tagger import TransformerAttributionModel
from claimcheck.models.type_head import fit_temperature
from claimcheck.models.windows import Window
from claimcheck.text import split_sentences
from claimcheck.training.weak_labels import labelled_sources

log = logging.getLogger(__name__)

Annotations = dict[tuple[str, str], str]


def typed_gold_sources(example: LabelledExample, annotations: Annotations) -> list[tuple[Attribution, str]]:
    """The example's sources with a type: given, else annotated (no rule-made types)."""
    return [(att, label) for _, att, _, label, _ in labelled_sources([example], annotations, use_rules=False)]


def attach_type_spans(windows: list[Window], example: LabelledExample, annotations: Annotations) -> None:
    """Give each of one article's ``windows`` its typed gold sources (``Window.types``): those
    whose source lies in the window's core, as (type index, piece ranges); a source split
    over two windows is left out."""
    sentences = split_sentences(example.text)
    offsets = [np.asarray(w.offsets, dtype=np.int64).reshape(-1, 2) for w in windows]
    for w in windows:
        w.types = []
    for att, label in typed_gold_sources(example, annotations):
        for w, offs in zip(windows, offsets, strict=True):
            spans = source_piece_spans(offs, sentences, att)
            if spans is not None and all(w.core[spans[0] : spans[1]]):
                w.types.append((ATTRIBUTION_TYPES.index(label), *spans))
                break


def type_batch(windows: list[Window]) -> tuple[torch.Tensor, torch.Tensor] | None:
    """The batch's typed sources: (n, 7) rows ``(window, source start, end, cue start, end,
    sentence start, end)`` and (n,) type indices; None when it has none."""
    rows = [(i, *t[1:]) for i, w in enumerate(windows) for t in w.types or []]
    if not rows:
        return None
    labels = [t[0] for w in windows for t in w.types or []]
    return torch.tensor(rows, dtype=torch.long), torch.tensor(labels, dtype=torch.long)


class JointTypeLoss:
    """The tag loss plus ``weight`` times the type cross-entropy of the batch's typed sources,
    read by ``head`` from the encoder's hidden states."""

    def __init__(self, tag_loss, head: JointTypeHead, weight: float):
        self.tag_loss = tag_loss
        self.head = head
        self.weight = weight

    def __call__(
        self, logits: torch.Tensor, batch: dict[str, torch.Tensor], hidden: torch.Tensor | None = None
    ) -> torch.Tensor:
        loss = self.tag_loss(logits, batch, hidden)
        if hidden is None or "type_spans" not in batch:
            return loss
        types = self.head(hidden, batch["type_spans"])
        return loss + self.weight * torch.nn.functional.cross_entropy(types, batch["type_labels"])


def joint_type_logits(
    model: TransformerAttributionModel, examples: list[LabelledExample], annotations: Annotations, chunk: int = 32
) -> tuple[np.ndarray, np.ndarray]:
    """The joint head's untempered logits of the typed gold sources of ``examples``, from
    the article's piece vectors as the model runs, and their type indices."""
    head = model.network.joint_type_head
    typed = [(ex, rows) for ex in examples if (rows := typed_gold_sources(ex, annotations))]
    logits, labels = [np.zeros((0, len(ATTRIBUTION_TYPES)), np.float32)], []
    for b in range(0, len(typed), chunk):  # bounded memory: the piece vectors of a chunk only
        part = typed[b : b + chunk]
        for (ex, rows), enc in zip(part, model.encode([ex.text for ex, _ in part]), strict=True):
            atts = [att for att, _ in rows]
            sentences = split_sentences(ex.text)
            logits.append(article_type_logits(head, enc.piece_offsets, enc.piece_vectors, sentences, atts))
            labels += [ATTRIBUTION_TYPES.index(label) for _, label in rows]
    return np.concatenate(logits), np.asarray(labels, dtype=np.int64)


def calibrate_joint_head(
    model: TransformerAttributionModel,
    validation: list[LabelledExample],
    train: list[LabelledExample],
    annotations: Annotations,
) -> dict[str, Any]:
    """Fit the joint head's temperature on the validation articles' typed sources; where there
    is no validation split, on the training articles' (which the head has learnt, so it comes
    out too confident: logged). Returns what the model card records."""
    examples, split = validation, "validation"
    if not validation:
        log.warning("no validation split: the joint type head's temperature is fitted on training sources")
        examples, split = train, "training"
    logits, index = joint_type_logits(model, examples, annotations)
    head = model.network.joint_type_head
    head.temperature = fit_temperature(logits, index) if len(index) else 1.0
    log.info("joint type head: temperature %.3f on %d %s sources", head.temperature, len(index), split)
    return {"calibrated_on": split, "sources": len(index), "temperature": round(head.temperature, 4)}


def joint_card_paragraph(weight: float, info: dict[str, Any]) -> str:
    """The model card's paragraph on the joint type head ('' for a model without one)."""
    joint = info.get("joint_type_head")
    if not joint:
        return ""
    on = (
        "the validation split's" if joint["calibrated_on"] == "validation" else "the training articles' (no validation)"
    )
    return (
        "\n\nA type head was trained with the encoder (`type_head: joint`, type loss weight\n"
        f"{weight}): one hidden layer over the source's first, last and mean piece vectors, its cue's\n"
        f"mean and its sentence's mean, with temperature {joint['temperature']} fitted on {on}\n"
        f"{joint['sources']} typed sources. The logistic regression is kept beside it."
        + _choice_sentence(joint.get("choice"))
    )


def _choice_sentence(choice: dict[str, Any] | None) -> str:
    if not choice:
        return ""
    other = "linear" if choice["chosen"] == "joint" else "joint"
    return (
        f"\nThe {choice['chosen']} head types this model's sources: its six-kind type macro-F1 on validation\n"
        f"is {choice[choice['chosen']]}, the {other} head's {choice[other]} (column `validation ({other} head)`)."
    )
