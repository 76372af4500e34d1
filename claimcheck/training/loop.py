"""The one training loop of the tagger: training (``claimcheck train``), continuing on new labels
(``train --add``, each cross-fitting fold too) and snapshots share it.

:func:`train` runs epochs over a list of windows: AdamW over the parameter groups the
network itself gives (:func:`parameter_groups`), linear warm-up and decay, gradient
clipping, a checkpoint every ``checkpoint_steps`` and at each epoch's end (with resume),
an evaluation after each epoch that keeps the best weights, plateau stopping, and a
progress bar with the time left. What differs between training and continuing is a
:class:`Run`: how many epochs, which learning rates, how patient, and where checkpoints go.

The loss is a hook, ``loss(logits, batch, hidden) -> tensor`` (:mod:`claimcheck.training.losses`):
a new loss term is a new hook, never a copy of the loop.
"""

from __future__ import annotations

import contextlib
import json
import logging
import math
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from rich.progress import Progress

from claimcheck.models.tagger import TaggerNetwork
from claimcheck.models.windows import Window
from claimcheck.training.checkpoints import (
    find_checkpoint,
    load_checkpoint,
    load_trainable,
    restore_best,
    save_best,
    save_checkpoint,
    trainable_state,
)
from claimcheck.training.data import collate
from claimcheck.training.losses import LossFn
from claimcheck.training.progress import progress_bar
from claimcheck.training.tagger_config import FinetuneConfig, learning_rates

log = logging.getLogger(__name__)

#: an epoch's record from the network after it, given the epoch (from 1) and its running loss;
#: the record holds the config's ``selection_metric`` (None: no split to choose on)
Evaluate = Callable[[int, float | None], dict[str, Any]]


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def parameter_groups(network: TaggerNetwork) -> tuple[list[torch.nn.Parameter], list[torch.nn.Parameter]]:
    """The trainable weights of the encoder, and all the others (tag head, case embedding, joint
    type head), each in the network's own order: a saved optimizer state maps to them by place."""
    encoder = {id(p) for p in network.encoder.parameters()}
    trainable = [p for p in network.parameters() if p.requires_grad]
    return [p for p in trainable if id(p) in encoder], [p for p in trainable if id(p) not in encoder]


def make_optimizer(network: TaggerNetwork, config: FinetuneConfig, total_steps: int, continuing: bool = False):
    """The optimizer of every run (``continuing``: at :func:`learning_rates`' continuing rates):
    AdamW over every trainable weight, the encoder's at its rate and the others at the heads',
    with linear warm-up (``warmup_ratio`` of ``total_steps``) and decay."""
    from transformers import get_linear_schedule_with_warmup

    enc_rate, head_rate = learning_rates(config, continuing)
    encoder, heads = parameter_groups(network)
    optimizer = torch.optim.AdamW(
        [{"params": encoder, "lr": enc_rate}, {"params": heads, "lr": head_rate}], weight_decay=config.weight_decay
    )
    scheduler = get_linear_schedule_with_warmup(optimizer, int(total_steps * config.warmup_ratio), total_steps)
    return optimizer, scheduler


def train_step(
    network: TaggerNetwork, batch: dict[str, torch.Tensor], loss_fn: LossFn, optimizer, scheduler=None
) -> float:
    """One optimisation step on a collated batch: the loss hook's loss, gradients clipped to norm 1."""
    logits, hidden = network(batch["input_ids"], batch["attention_mask"], batch.get("case_ids"))
    loss = loss_fn(logits, batch, hidden)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(network.parameters(), 1.0)
    optimizer.step()
    if scheduler is not None:
        scheduler.step()
    optimizer.zero_grad()
    return loss.item()


@dataclass
class Run:
    """What differs between training, continuing and a cross-fitting fold."""

    epochs: int
    #: at :func:`learning_rates`' continuing rates
    continuing: bool = False
    #: stop once this many epochs passed without a better score (None: run every epoch)
    patience: int | None = None
    #: checkpoints and the best weights go here, and a run resumes from here (None: the best
    #: weights are kept in memory and nothing is written)
    work: Path | None = None
    #: the progress bar's name of the run
    label: str = "training"


@dataclass
class _Loop:
    """The loop's working parts, made once per :func:`train`."""

    network: TaggerNetwork
    windows: list[Window]
    pad_id: int
    loss_fn: LossFn
    config: FinetuneConfig
    run: Run
    steps: int
    optimizer: Any = None
    scheduler: Any = None
    state: dict[str, Any] = field(default_factory=lambda: {"epoch": 0, "step_in_epoch": 0, "best": None, "history": []})
    best: dict[str, torch.Tensor] | None = None  # in memory, where the run has no work folder

    @property
    def checkpoint(self) -> Path | None:
        return self.run.work / "checkpoint" if self.run.work is not None else None


def train(
    network: TaggerNetwork,
    windows: list[Window],
    pad_id: int,
    loss_fn: LossFn,
    config: FinetuneConfig,
    run: Run,
    evaluate: Evaluate,
    resume: bool = True,
    bar: Progress | None = None,
) -> dict[str, Any]:
    """Train ``network`` on ``windows`` (see the module docstring) and leave it at its best epoch,
    in eval mode. Returns the run's state: ``history`` (``evaluate``'s records, with the training
    seconds), ``best`` (epoch and score) and ``epoch`` (epochs done)."""
    steps = math.ceil(len(windows) / config.batch_size)
    loop = _Loop(network, windows, pad_id, loss_fn, config, run, steps)
    loop.optimizer, loop.scheduler = make_optimizer(network, config, steps * run.epochs, run.continuing)
    if resume and loop.checkpoint is not None and find_checkpoint(loop.checkpoint) is not None:
        loop.state = load_checkpoint(loop.checkpoint, network, loop.optimizer, loop.scheduler, steps)
        log.info("resuming at epoch %d, step %d", loop.state["epoch"] + 1, loop.state["step_in_epoch"])
    if run.work is not None:
        run.work.mkdir(parents=True, exist_ok=True)
    own_bar = bar is None
    bar = bar or progress_bar()
    with bar if own_bar else contextlib.nullcontext():  # a bar given by the caller is the caller's to enter
        done = loop.state["epoch"] * steps + loop.state["step_in_epoch"]
        task = bar.add_task(run.label, total=steps * run.epochs, completed=done)
        for epoch in range(loop.state["epoch"], run.epochs):
            if _plateaued(loop.state, run.patience):
                break
            running = _train_epoch(loop, epoch, bar, task)
            _end_epoch(loop, epoch, running, evaluate)
        bar.update(task, completed=steps * run.epochs)  # plateau stopping skips the rest
    if run.work is not None:
        restore_best(network, run.work / "best.safetensors")
    elif loop.best is not None:
        load_trainable(network, loop.best)
    network.eval()
    return loop.state


def _plateaued(state: dict[str, Any], patience: int | None) -> bool:
    """Has the score not improved for ``patience`` epochs?"""
    if patience is None or not state["best"] or state["best"]["score"] is None:
        return False
    return state["epoch"] - state["best"]["epoch"] >= patience


def _train_epoch(loop: _Loop, epoch: int, bar: Progress, task) -> float | None:
    """One epoch's steps (from where a resumed run stopped), checkpointing every
    ``checkpoint_steps``; returns the running loss (smoothed over the epoch's steps)."""
    config, state, network = loop.config, loop.state, loop.network
    order = list(range(len(loop.windows)))
    random.Random(config.seed + epoch).shuffle(order)
    network.train()
    running = state.get("running_loss") if state["step_in_epoch"] else None
    trained, t0 = state.get("train_seconds", 0.0), time.perf_counter()  # wall time of the steps, resumes summed
    for step in range(state["step_in_epoch"], loop.steps):
        picked = [loop.windows[i] for i in order[step * config.batch_size : (step + 1) * config.batch_size]]
        batch = collate(picked, loop.pad_id)
        loss = train_step(network, batch, loop.loss_fn, loop.optimizer, loop.scheduler)
        running = loss if running is None else 0.95 * running + 0.05 * loss
        where = f"{loop.run.label}: epoch {epoch + 1}/{loop.run.epochs}, loss {running:.3f}"
        bar.update(task, advance=1, description=where)
        if loop.checkpoint is not None and (step + 1) % config.checkpoint_steps == 0:
            progress = {**state, "epoch": epoch, "step_in_epoch": step + 1, "running_loss": running}
            progress["train_seconds"] = trained + time.perf_counter() - t0
            save_checkpoint(loop.checkpoint, network, loop.optimizer, loop.scheduler, progress)
    network.eval()
    state["train_seconds"] = trained + time.perf_counter() - t0
    return running


def _end_epoch(loop: _Loop, epoch: int, running: float | None, evaluate: Evaluate) -> None:
    """Evaluate the epoch, keep its weights if they are the best so far, checkpoint."""
    state = loop.state
    record = evaluate(epoch + 1, running)
    record["train_seconds"] = round(state["train_seconds"], 3)
    score = record[loop.config.selection_metric]
    if state["best"] is None or score is None or score > state["best"]["score"]:
        if loop.run.work is not None:
            save_best(loop.run.work / "best.safetensors", loop.network)
        else:
            loop.best = trainable_state(loop.network)
        state["best"] = {"epoch": epoch + 1, "score": score}
    state["history"].append(record)
    log.info("epoch %d: %s", epoch + 1, json.dumps(record))
    state.update(epoch=epoch + 1, step_in_epoch=0)
    if loop.checkpoint is not None:
        save_checkpoint(loop.checkpoint, loop.network, loop.optimizer, loop.scheduler, state)
