"""A run's checkpoint and its best weights, so that an interrupted run resumes where it stopped.

The checkpoint is a folder of three files, swapped in whole (:func:`claimcheck.files.replace_dir`):

* ``weights.safetensors``: the trainable weights, by parameter name;
* ``optimizer.safetensors``: AdamW's moments, as ``<index>.<name>`` where ``index`` is the
  parameter's place in the optimizer's groups (:func:`claimcheck.training.loop.parameter_groups`
  fixes that order, so a saved state loads into the same parameters);
* ``state.json``: the optimizer's groups and scalar state (``scalars``, the step counts), the
  schedule (``scheduler``), the run's progress (``epoch`` and ``step_in_epoch`` done, ``best``,
  ``history``, ``running_loss``, ``train_seconds``) and, since the one training loop, the random
  generator's state (``torch_rng``), so that a resumed run draws the dropout an uninterrupted one
  would. A checkpoint without it resumes as before, with the generator as seeded.

``best.safetensors`` beside the folder holds the best epoch's trainable weights.
"""

from __future__ import annotations

import base64
import json
import logging
from pathlib import Path
from typing import Any

import numpy as np
import torch
from safetensors.torch import load_file, save_file
from safetensors.torch import save as safetensors_bytes

from claimcheck.files import atomic_write_bytes, previous_dir, replace_dir

log = logging.getLogger(__name__)

#: keys of ``state.json`` that hold the optimizer and the schedule, not the run's progress
OPTIMIZER_KEYS = ("param_groups", "scalars", "scheduler", "torch_rng")
STATE_FILE = "state.json"


def trainable_state(network: torch.nn.Module) -> dict[str, torch.Tensor]:
    """Copies of the weights that train, by name."""
    return {n: p.detach().clone().contiguous() for n, p in network.named_parameters() if p.requires_grad}


def load_trainable(network: torch.nn.Module, weights: dict[str, torch.Tensor]) -> None:
    """Put saved weights (:func:`trainable_state`, a checkpoint, the best epoch) back into ``network``."""
    params = dict(network.named_parameters())
    with torch.no_grad():
        for name, value in weights.items():
            params[name].copy_(value)


def parameter_names(network: torch.nn.Module, optimizer) -> list[str]:
    """The names of the optimizer's parameters by their index in its state (``<index>.<name>``
    in ``optimizer.safetensors``)."""
    by_id = {id(p): name for name, p in network.named_parameters()}
    return [by_id[id(p)] for group in optimizer.param_groups for p in group["params"]]


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
        run = {k: v for k, v in progress.items() if k not in OPTIMIZER_KEYS}
        meta = {
            "param_groups": opt["param_groups"],
            "scalars": scalars,
            "scheduler": scheduler.state_dict(),
            **run,
            "torch_rng": base64.b64encode(torch.get_rng_state().numpy().tobytes()).decode("ascii"),
        }
        (tmp / STATE_FILE).write_text(json.dumps(meta), encoding="utf-8")


def save_best(path: Path, network) -> None:
    """The best epoch's trainable weights, written atomically (a kill keeps the previous best)."""
    atomic_write_bytes(path, safetensors_bytes(trainable_state(network)))


def restore_best(network: torch.nn.Module, path: Path) -> None:
    """The best epoch's weights back into ``network``, left in eval mode."""
    load_trainable(network, load_file(str(path)))
    network.eval()


def read_progress(path: Path) -> dict[str, Any]:
    """A checkpoint's progress (epoch, step, best, history, ...), without the optimizer's state."""
    meta = json.loads((path / STATE_FILE).read_text(encoding="utf-8"))
    return {k: v for k, v in meta.items() if k not in OPTIMIZER_KEYS}


def find_checkpoint(path: Path) -> Path | None:
    """The checkpoint folder, put back first where a kill fell between :func:`replace_dir`'s two renames."""
    if not path.is_dir() and previous_dir(path).is_dir():
        previous_dir(path).rename(path)
    return path if path.is_dir() else None


def load_checkpoint(path: Path, network, optimizer, scheduler, steps_per_epoch: int | None = None) -> dict[str, Any]:
    """Load a checkpoint into the network, optimizer and schedule; returns the run's progress.

    With ``steps_per_epoch``, a schedule and step counts left behind the checkpoint's position
    are caught up with it (:func:`_catch_up`).
    """
    load_trainable(network, load_file(str(path / "weights.safetensors")))
    meta = json.loads((path / STATE_FILE).read_text(encoding="utf-8"))
    lag = 0
    if steps_per_epoch is not None:
        lag = _catch_up(meta, meta["epoch"] * steps_per_epoch + meta["step_in_epoch"])
    state: dict[int, dict[str, Any]] = {}
    for key, v in load_file(str(path / "optimizer.safetensors")).items():
        pid, k = key.split(".", 1)
        state.setdefault(int(pid), {})[k] = v
    for key, v in meta["scalars"].items():
        pid, k = key.split(".", 1)
        state.setdefault(int(pid), {})[k] = torch.tensor(v)
    optimizer.load_state_dict({"state": state, "param_groups": meta["param_groups"]})
    scheduler.load_state_dict(meta["scheduler"])
    if lag:
        for group, rate in zip(optimizer.param_groups, scheduler.lr_lambdas, strict=True):
            group["lr"] = group["initial_lr"] * rate(scheduler.last_epoch)
        scheduler._last_lr = [group["lr"] for group in optimizer.param_groups]
    if "torch_rng" in meta:
        rng = np.frombuffer(base64.b64decode(meta["torch_rng"]), dtype=np.uint8).copy()
        torch.set_rng_state(torch.from_numpy(rng))
    return {k: v for k, v in meta.items() if k not in OPTIMIZER_KEYS}


def _catch_up(meta: dict[str, Any], steps_done: int) -> int:
    """Move a schedule and step counts left behind ``steps_done`` on to it; returns by how many steps.

    Before the one training loop, a resumed run wrote the optimizer's and the schedule's state
    as it had loaded them into every later checkpoint (the loaded state overrode the fresh
    one), while the weights and moments moved on: resuming such a checkpoint would replay the
    learning-rate schedule from the first resume. Every step moves the schedule and the step
    count of each weight with a gradient, so both are moved on by the lag.
    """
    lag = steps_done - meta["scheduler"]["last_epoch"]
    if lag <= 0:
        return 0
    log.warning("the checkpoint's schedule is %d steps behind its position (step %d): caught up", lag, steps_done)
    meta["scheduler"]["last_epoch"] += lag
    meta["scheduler"]["_step_count"] = meta["scheduler"].get("_step_count", 0) + lag
    for key in meta["scalars"]:
        if key.endswith(".step"):
            meta["scalars"][key] += lag
    return lag
