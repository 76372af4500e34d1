"""YAML configs as strict pydantic models, with dotted overrides (``--set a.b=1``).

A relative path in a config (a :data:`ConfigPath` field) is relative to the folder of
the YAML file that holds it, so a config works from any working directory; a path
given in an override (``--set output=runs/mine``) is relative to the working
directory, as any path typed on a command line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, TypeVar

import yaml
from pydantic import AfterValidator, BaseModel, ValidationError, ValidationInfo

from claimcheck.errors import ConfigError

T = TypeVar("T", bound=BaseModel)

__all__ = ["ConfigError", "ConfigPath", "load_config"]


def _resolve(value: Path, info: ValidationInfo) -> Path:
    """``value`` against the validation context's ``base`` folder; an override's (its key in
    the context's ``overridden``) against the working directory. Without a context (a
    config made in code) the path stays as given."""
    context = info.context or {}
    value = value.expanduser()
    if value.is_absolute() or "base" not in context:
        return value
    base = Path.cwd() if info.field_name in context.get("overridden", ()) else context["base"]
    return (base / value).resolve()


#: a file or folder named in a config: relative to the config file's folder
ConfigPath = Annotated[Path, AfterValidator(_resolve)]


def _apply_override(data: dict[str, Any], dotted: str) -> str:
    """Set ``KEY=VALUE`` (VALUE read as YAML) in ``data``; returns the key's last part."""
    key, sep, raw = dotted.partition("=")
    if not sep:
        raise ConfigError(f"override {dotted!r} is not KEY=VALUE")
    node = data
    parts = key.strip().split(".")
    for part in parts[:-1]:
        node = node.setdefault(part, {})
    node[parts[-1]] = yaml.safe_load(raw)
    return parts[-1]


def load_config(path: str | Path, schema: type[T], overrides: list[str] | None = None) -> T:
    """The YAML config at ``path`` validated by ``schema``, ``overrides`` applied first.

    Raises:
        ConfigError: ``PATH: KEY: problem`` for a missing file, an unknown key or a bad value.
    """
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"{path}: no such config file")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as err:
        raise ConfigError(f"{path}: not valid YAML ({' '.join(str(err).split())})") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: expected a mapping of keys to values")
    overridden = {_apply_override(data, item) for item in overrides or []}
    context = {"base": path.parent.resolve(), "overridden": overridden}
    try:
        config = schema.model_validate(data, context=context)
    except ValidationError as err:
        first = err.errors()[0]
        loc = ".".join(str(p) for p in first["loc"])
        raise ConfigError(f"{path}: {loc}: {first['msg']}") from None
    return config
