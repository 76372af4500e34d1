"""The losses the training loop (:mod:`claimcheck.training.loop`) minimises, as hooks.

A loss is any callable ``loss(logits, batch, hidden) -> tensor``: ``logits`` are the tag
head's (batch, pieces, roles, tags), ``batch`` is :func:`~claimcheck.training.data.collate`'s
dict, ``hidden`` the encoder's last states (batch, pieces, width). Each term reads what it
needs from the batch and leaves a batch without its targets alone:

* the tags: gold cross-entropy, mixed with the KL divergence from a teacher's soft tags where
  the batch has them (:class:`~claimcheck.training.distill.TagLoss`, ``distill_weight``);
* the types: the joint type head's cross-entropy on the batch's typed sources, added to the
  tag loss it wraps (:class:`~claimcheck.training.joint_types.JointTypeLoss`, ``type_loss_weight``).

A new term is a new hook wrapping the others, chosen here from the config; the loop stays as it is.
"""

from __future__ import annotations

from collections.abc import Callable

import torch

from claimcheck.models.tagger import TaggerNetwork
from claimcheck.training.distill import TagLoss
from claimcheck.training.joint_types import JointTypeLoss
from claimcheck.training.tagger_config import FinetuneConfig

LossFn = Callable[[torch.Tensor, dict[str, torch.Tensor], torch.Tensor | None], torch.Tensor]


def training_loss(network: TaggerNetwork, config: FinetuneConfig) -> LossFn:
    """The loss of a run of ``config`` on ``network``: the tags (distilled where the config names
    a teacher), plus the joint type head's term where the network has the head."""
    loss: LossFn = TagLoss(config.distill_weight if config.teacher else 0.0, config.distill_temperature)
    if network.joint_type_head is not None:
        loss = JointTypeLoss(loss, network.joint_type_head, config.type_loss_weight)
    return loss
