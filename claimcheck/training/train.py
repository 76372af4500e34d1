"""Train a model from a YAML config: the entry point of ``claimcheck train``.

The config's ``architecture`` picks the entry of :data:`claimcheck.models.registry.ARCHITECTURES`,
which names the config schema, the trainer and the further operations (continuing on
new labels, refitting the type head, a snapshot of an unfinished run).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from claimcheck.models.registry import ModelError, architecture_entry, import_object
from claimcheck.training.config import ConfigError, load_config


def _entry_and_config(path: str | Path, overrides: list[str] | None, operation: str | None = None):
    """The architecture entry the config names, the config read through its schema, and
    the function that does ``operation`` (training itself when None)."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"{path}: no such config file")
    name = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("architecture")
    try:
        entry = architecture_entry(name, f"{path}: architecture")
    except ModelError as err:
        raise ConfigError(str(err)) from None
    target = entry.train if operation is None else entry.operations.get(operation)
    if entry.config is None or target is None:
        what = "training" if operation is None else operation.replace("_", " ")
        raise ConfigError(f"{path}: architecture {name} has no {what}")
    return load_config(path, import_object(entry.config), overrides), import_object(target)


def train_from_config(path: str | Path, overrides: list[str] | None = None) -> Path:
    """Train the architecture the config names; returns the model folder written."""
    config, train = _entry_and_config(path, overrides)
    return train(config)


def continue_from_config(
    path: str | Path,
    add: Path,
    start: str | None = None,
    output: Path | None = None,
    overrides: list[str] | None = None,
) -> Any:
    """Continue a trained model on new labels (``--add``); returns the result with before/after figures."""
    config, run = _entry_and_config(path, overrides, "continue")
    return run(config, add, start, output)


def refit_type_head_from_config(
    path: str | Path, start: str | None = None, output: Path | None = None, overrides: list[str] | None = None
) -> Path:
    """Refit only the type head of a trained model (``--type-head-only``); returns the model folder."""
    config, run = _entry_and_config(path, overrides, "refit_types")
    return run(config, start, output)


def snapshot_from_config(path: str | Path, output: Path | None = None, overrides: list[str] | None = None) -> Path:
    """The best epoch so far of an unfinished run as a model folder (``--snapshot``)."""
    config, run = _entry_and_config(path, overrides, "snapshot")
    return run(config, output)
