"""Train a model from a YAML config: the entry point of ``claimcheck train``."""

from __future__ import annotations

from pathlib import Path

import yaml

from claimcheck.training.config import ConfigError, load_config


def continue_from_config(
    path: str | Path,
    add: Path,
    start: str | None = None,
    output: Path | None = None,
    overrides: list[str] | None = None,
):
    """Continue a trained tagger on new labels (``--add``); returns the result with before/after figures."""
    from claimcheck.training.continuing import continue_training
    from claimcheck.training.tagger_config import FinetuneConfig

    return continue_training(load_config(path, FinetuneConfig, overrides), add, start, output)


def refit_type_head_from_config(
    path: str | Path, start: str | None = None, output: Path | None = None, overrides: list[str] | None = None
) -> Path:
    """Refit only the type head of a trained tagger (``--type-head-only``); returns the model folder."""
    from claimcheck.training.finetune import refit_type_head
    from claimcheck.training.tagger_config import FinetuneConfig

    return refit_type_head(load_config(path, FinetuneConfig, overrides), start, output)


def snapshot_from_config(path: str | Path, output: Path | None = None, overrides: list[str] | None = None) -> Path:
    """The best epoch so far of an unfinished tagger run as a model folder (``--snapshot``)."""
    from claimcheck.training.finetune import snapshot
    from claimcheck.training.tagger_config import FinetuneConfig

    return snapshot(load_config(path, FinetuneConfig, overrides), output)


def train_from_config(path: str | Path, overrides: list[str] | None = None) -> Path:
    """Train the architecture the config names; returns the model folder written."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"{path}: no such config file")
    architecture = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("architecture")
    if architecture == "baseline.v1":
        from claimcheck.training.baseline import BaselineConfig, train_baseline

        return train_baseline(load_config(path, BaselineConfig, overrides))
    if architecture == "tagger.v1":
        from claimcheck.training.finetune import finetune
        from claimcheck.training.tagger_config import FinetuneConfig

        return finetune(load_config(path, FinetuneConfig, overrides))
    raise ConfigError(f"{path}: architecture: unknown {architecture!r} (known: baseline.v1, tagger.v1)")
