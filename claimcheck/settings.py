"""User settings: which model is the default, and where trained models are kept.

Read from ``$CLAIMCHECK_CONFIG`` or ``~/.config/claimcheck/config.yaml``::

    default_model: newsroom-2026-11      # a model name or folder; unset = the shipped default
    models_dir: ~/claimcheck-models      # where `claimcheck train --add` writes new models
    trained_models: [/srv/models/newsroom-v2]   # written by `train --add --out` elsewhere (recorded)
"""

from __future__ import annotations

import os
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict

from claimcheck.data import atomic_write_text


class Settings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    default_model: str | None = None
    models_dir: Path = Path("~/.local/share/claimcheck/models")
    # model folders that `claimcheck train --add` wrote outside ``models_dir``, so that they are listed
    trained_models: list[str] = []

    @property
    def models_path(self) -> Path:
        return self.models_dir.expanduser()


def settings_path() -> Path:
    return Path(os.environ.get("CLAIMCHECK_CONFIG", "~/.config/claimcheck/config.yaml")).expanduser()


def load_settings() -> Settings:
    path = settings_path()
    if not path.is_file():
        return Settings()
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    try:
        return Settings.model_validate(data)
    except ValueError as err:
        raise ValueError(f"{path}: {err}") from None


def save_settings(settings: Settings) -> Path:
    path = settings_path()
    data = settings.model_dump(mode="json", exclude_defaults=True)
    atomic_write_text(path, yaml.safe_dump(data, sort_keys=False))
    return path
