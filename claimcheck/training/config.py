"""YAML configs as strict pydantic models, with dotted overrides (``--set a.b=1``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

T = TypeVar("T", bound=BaseModel)


class ConfigError(ValueError):
    """A config file that does not match its schema; the message names the key."""


def _apply_override(data: dict[str, Any], dotted: str) -> None:
    key, sep, raw = dotted.partition("=")
    if not sep:
        raise ConfigError(f"override {dotted!r} is not KEY=VALUE")
    node = data
    parts = key.strip().split(".")
    for part in parts[:-1]:
        node = node.setdefault(part, {})
    node[parts[-1]] = yaml.safe_load(raw)


def load_config(path: str | Path, schema: type[T], overrides: list[str] | None = None) -> T:
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"{path}: no such config file")
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    for item in overrides or []:
        _apply_override(data, item)
    base = path.parent
    try:
        config = schema.model_validate(data, context={"base": base})
    except ValidationError as err:
        first = err.errors()[0]
        loc = ".".join(str(p) for p in first["loc"])
        raise ConfigError(f"{path}: {loc}: {first['msg']}") from None
    return config
