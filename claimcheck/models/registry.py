"""One small registry of model architectures and the model-folder format.

A model is a folder of plain files: ``config.json`` (architecture name, the
claimcheck version that wrote it, a SHA-256 for every other file) plus the
architecture's own safetensors/JSON files. Folders are written to a temporary
sibling and renamed into place (:func:`claimcheck.files.replace_dir`), so a crash never
leaves half a model.

The config's ``settings`` are the architecture's own, read through its
``settings_schema`` (a pydantic model that refuses unknown keys), on save and on load.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import warnings
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, ClassVar, Protocol

from pydantic import BaseModel, ValidationError

from claimcheck.data import Attribution
from claimcheck.errors import ConfigError, ModelError
from claimcheck.files import file_sha256, previous_dir, replace_dir, resolve_link
from claimcheck.models.encoders import missing_encoder

MODELS_DIR = Path(__file__).resolve().parent.parent / "resources" / "models"
DEFAULT_MODEL = "tagger"


class Precision(StrEnum):
    """The arithmetic of a model that runs a network (chosen when the model is loaded).

    ``auto``: bfloat16 where the CPU has it (AVX512-BF16 or AMX), else fp32; ``int8``:
    quantised linear layers, about 1.5x faster on CPU at a measured accuracy cost.
    """

    auto = "auto"
    fp32 = "fp32"
    bf16 = "bf16"
    int8 = "int8"


def parse_precision(value: Precision | str | None) -> Precision | None:
    """``value`` as a :class:`Precision` (``None`` stays ``None``: the model's own setting).

    Raises:
        ConfigError: for a value that is not one of the precisions.
    """
    if value is None:
        return None
    try:
        return Precision(value)
    except ValueError:
        raise ConfigError(f"precision {value!r}: use one of {', '.join(Precision)}") from None


class AttributionModel(Protocol):
    """What an architecture implements to be saved, loaded and run by claimcheck."""

    architecture: str
    #: the schema of the folder's ``config.json`` ``settings`` (with ``extra="forbid"``)
    settings_schema: ClassVar[type[BaseModel]]

    def predict(self, texts: Sequence[str]) -> list[list[Attribution]]:
        """The attributions of each article, numbered in reading order (texts or documents)."""
        ...

    def save_files(self, directory: Path) -> dict[str, Any]:
        """Write the model's files into ``directory``; returns its ``settings``."""
        ...

    @classmethod
    def from_files(cls, directory: Path, settings: Any, precision: Precision | None = None) -> AttributionModel:
        """The model of a verified folder, its ``settings`` validated by ``settings_schema``;
        ``precision`` overrides the folder's own (an architecture without a network refuses
        any). Raises :class:`ModelError` or :class:`~claimcheck.errors.ConfigError`."""
        ...


REGISTRY: dict[str, type] = {}


@dataclass(frozen=True)
class Architecture:
    """What claimcheck knows of an architecture, by dotted ``module:name`` paths imported on
    first use (the transformer pulls in torch; training code sits above the models).

    ``model`` is the model class (its ``settings_schema`` reads the folder's settings),
    ``config`` the training config's schema, ``train`` the function that trains from it
    (None: ``claimcheck train`` cannot train it);
    ``operations`` the further training commands it supports (``continue``: more labels,
    ``refit_types``: the type head alone, ``snapshot``: an unfinished run's best epoch),
    each a function of the config. Adding an architecture is one entry here and its modules;
    nothing else in claimcheck switches on architecture names.
    """

    model: str
    config: str | None = None
    train: str | None = None
    operations: dict[str, str] = field(default_factory=dict)


ARCHITECTURES: dict[str, Architecture] = {
    "baseline.v1": Architecture(
        model="claimcheck.models.baseline:BaselineModel",
        config="claimcheck.training.baseline:BaselineConfig",
        train="claimcheck.training.baseline:train_baseline",
    ),
    "tagger.v1": Architecture(
        model="claimcheck.models.tagger:TransformerAttributionModel",
        config="claimcheck.training.tagger_config:FinetuneConfig",
        train="claimcheck.training.finetune:finetune",
        operations={
            "continue": "claimcheck.training.continuing:continue_training",
            "refit_types": "claimcheck.training.finetune:refit_type_head",
            "snapshot": "claimcheck.training.finetune:snapshot",
        },
    ),
}


def import_object(path: str) -> Any:
    """The object a ``module:name`` path names."""
    module, _, name = path.partition(":")
    return getattr(importlib.import_module(module), name)


def architecture_entry(name: object, where: str = "") -> Architecture:
    """The entry of an architecture by name. Raises :class:`ModelError` naming the known ones."""
    if not isinstance(name, str) or name not in ARCHITECTURES:
        known = ", ".join(sorted(ARCHITECTURES))
        raise ModelError(f"{where}{': ' if where else ''}unknown architecture {name!r} (known: {known})")
    return ARCHITECTURES[name]


def architecture_class(name: object, where: str = "") -> type:
    """The model class of an architecture, its module imported on first use."""
    entry = architecture_entry(name, where)
    return REGISTRY.get(name) or import_object(entry.model)  # type: ignore[arg-type]


def register(name: str):
    """Class decorator: make an architecture loadable under a versioned name."""

    def deco(cls: type) -> type:
        REGISTRY[name] = cls
        cls.architecture = name
        ARCHITECTURES.setdefault(name, Architecture(model=f"{cls.__module__}:{cls.__qualname__}"))
        return cls

    return deco


def resolve_model_path(model: str | Path | None) -> Path:
    """A model folder from a name or path: a folder path, a shipped model ("baseline"), or a
    model in the user's models folder; ``None`` is the user's default, else the shipped one."""
    from claimcheck.settings import load_settings

    settings = load_settings()
    if model is None:
        model = settings.default_model or DEFAULT_MODEL
    candidate = Path(model).expanduser()
    if candidate.is_dir() or recover_model_folder(candidate):
        return candidate
    for root in (MODELS_DIR, settings.models_path):
        if (root / str(model)).is_dir() or recover_model_folder(root / str(model)):
            return root / str(model)
    available = ", ".join(m["name"] for m in list_models()) or "none"
    raise ModelError(f"no model {str(model)!r}: not a folder, not a shipped or user model ({available})")


def _found(model: str | Path) -> Path | None:
    """The folder ``model`` names (:func:`resolve_model_path`), resolved; None where there is none."""
    try:
        return resolve_model_path(model).resolve()
    except ModelError:
        return None


def _candidate_folders(settings) -> Iterator[tuple[str, Path]]:
    """``(origin, folder)`` of every model folder to list: shipped, in the models folder,
    recorded in the settings, and the default where it is a folder elsewhere."""
    for origin, root in (("shipped", MODELS_DIR), ("user", settings.models_path)):
        if root.is_dir():  # dot folders are save_model's temporary and previous folders, not models
            yield from ((origin, p) for p in sorted(root.iterdir()) if p.is_dir() and not p.name.startswith("."))
    for recorded in [*settings.trained_models, settings.default_model]:
        if recorded and Path(recorded).expanduser().is_dir():
            yield "user", Path(recorded).expanduser()


def shipped_models() -> list[str]:
    """The names of the models shipped inside the package."""
    if not MODELS_DIR.is_dir():
        return []
    return sorted(p.name for p in MODELS_DIR.iterdir() if (p / "config.json").is_file())


def heldout_kind(method: str | None) -> str:
    """How the held-out figures of a model continued on corrections were made (its
    ``training.check.method``), in words: ``cross-fitted`` or ``held out``."""
    return "cross-fitted" if method == "crossfit" else "held out"


def recorded_figures(config: dict[str, Any]) -> tuple[dict[str, Any] | None, str]:
    """The headline figures recorded with a model (its ``config.json``) and what they were
    measured on, in words: ``gold dev``, the gold dev labels. A model continued on
    corrections (``training.continued_from``) has its own: the corrected articles held out
    from it, ``held out (N)`` or ``cross-fitted (N)`` (``training.heldout``; in a folder
    written before that key, ``training.after.heldout``), else, without a held-out check,
    the config's dev articles, ``dev (N)`` (``training.after.dev``). (A continued model
    once kept a copy of one of the two under ``dev_gold``, which is no gold dev figure.)
    Gold dev figures measured on the model as it is (a type head refitted after
    continuing) come first. ``(None, "")`` where nothing was recorded."""
    training = config.get("training", {})
    if "continued_from" not in training or "dev_gold" in (training.get("figures") or {}):
        gold = training.get("dev_gold") or config.get("dev_gold")
        return (gold, "gold dev") if gold else (None, "")
    after, articles = training.get("after") or {}, training.get("articles") or {}
    if heldout := training.get("heldout", after.get("heldout")):
        kind = heldout_kind((training.get("check") or {}).get("method"))
        return heldout, f"{kind} ({articles.get('heldout', '?')})"
    if dev := after.get("dev"):
        return dev, f"dev ({articles.get('dev', '?')})"
    return None, ""


def list_models() -> list[dict[str, Any]]:
    """Installed models: the shipped ones, those in the user's models folder and those
    recorded by ``claimcheck train --add`` elsewhere, with their architecture and the
    figures recorded with them (``figures``, measured on ``figures_on``: see
    :func:`recorded_figures`); ``needs`` says what to install first where a model's base
    encoder is not there (a large encoder assembled by command). ``default`` marks the
    folder the default model resolves to, however it was named (a name, a relative or an
    absolute path)."""
    from claimcheck.settings import load_settings

    settings = load_settings()
    default = _found(settings.default_model or DEFAULT_MODEL)
    out, seen = [], set()
    for origin, folder in _candidate_folders(settings):
        real = folder.resolve()
        if real in seen or not (folder / "config.json").is_file():
            continue
        seen.add(real)
        try:
            config = read_config(folder)
        except ModelError:
            continue
        figures, figures_on = recorded_figures(config)
        out.append(
            {
                "name": folder.name,
                "origin": origin,
                "path": str(folder),
                "architecture": config.get("architecture"),
                "default": real == default,
                "figures": figures,
                "figures_on": figures_on,
                "trained_on": config.get("training", {}).get("data_seen"),
                "needs": missing_encoder(str(config.get("settings", {}).get("base_encoder", ""))),
            }
        )
    return out


def _setting_for(model: str) -> str:
    """How the settings name a model: its name where it is found by name in the shipped or
    the user's models folder, else its folder's absolute path (valid from any directory)."""
    from claimcheck.settings import load_settings

    folder = resolve_model_path(model)
    roots = (MODELS_DIR, load_settings().models_path)
    if any(folder == root / model for root in roots) and not Path(model).expanduser().is_dir():
        return model
    return str(folder.expanduser().resolve())


def set_default_model(model: str | None) -> str | None:
    """Make ``model`` (a name or folder) the default of every command; ``None`` goes back to
    the shipped default. Returns what the settings now hold.

    Raises:
        ModelError: for a name that is no model (nothing is saved).
    """
    from claimcheck.settings import load_settings, save_settings

    value = None if model is None else _setting_for(model)
    settings = load_settings()
    settings.default_model = value
    save_settings(settings)
    return value


def remember_model(folder: str | Path) -> None:
    """Record a model folder written outside the user's models folder in the settings, so that
    ``claimcheck models`` lists it (a folder inside is listed anyway)."""
    from claimcheck.settings import load_settings, save_settings

    settings = load_settings()
    real = Path(folder).expanduser().resolve()
    if real.parent == settings.models_path.resolve() or str(real) in settings.trained_models:
        return
    settings.trained_models.append(str(real))
    save_settings(settings)


def save_model(
    model: AttributionModel,
    directory: str | Path,
    extra: dict[str, Any] | None = None,
    files: dict[str, str] | None = None,
) -> Path:
    """Write ``model`` as a model folder, atomically replacing ``directory``;
    ``files`` adds text files (a model card) by name.

    The folder is written in full to a temporary sibling (``.NAME.XXXX``), fsynced, then
    the old folder is renamed to ``.NAME.old`` and the new one to ``NAME``
    (:func:`claimcheck.files.replace_dir`; a symlinked folder has its target replaced and
    stays a link). An error anywhere (in ``save_files`` too) removes the temporary folder
    and leaves the old one as it was; a process killed between the two renames leaves
    ``.NAME.old``, which :func:`resolve_model_path` puts back on the next load.
    """
    from claimcheck.version import __version__

    directory = Path(directory)
    with replace_dir(directory) as tmp:
        settings = model.save_files(tmp)
        architecture = REGISTRY.get(model.architecture)
        if architecture is not None:  # a model must not write settings it cannot read back
            validate_settings(architecture, settings, f"{directory}: model {model.architecture}")
        for name, content in (files or {}).items():
            (tmp / name).write_text(content, encoding="utf-8")
        files = {p.name: file_sha256(p) for p in sorted(tmp.iterdir()) if p.is_file()}
        config = {
            "architecture": model.architecture,
            "claimcheck_version": __version__,
            "settings": settings,
            "files": files,
            **(extra or {}),
        }
        (tmp / "config.json").write_text(json.dumps(config, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return directory


def verify_files(directory: Path, config: dict[str, Any] | None = None) -> dict[str, Any]:
    """The folder's config, after checking every file it lists against its SHA-256.

    Raises:
        ModelError: naming the folder and the first file that is missing or differs.
    """
    config = read_config(directory) if config is None else config
    for name, digest in config.get("files", {}).items():
        path = directory / name
        if not path.is_file():
            raise ModelError(f"{directory}: model file {name} is missing")
        if file_sha256(path) != digest:
            raise ModelError(f"{directory}: model file {name} is corrupt (hash mismatch)")
    return config


def recover_model_folder(directory: Path) -> bool:
    """Put back a model folder that a killed :func:`save_model` left as ``.NAME.old``.

    Only when ``directory`` is missing and ``.NAME.old`` is a complete model (every file
    matches its hash). Returns whether ``directory`` is now there.
    """
    old = previous_dir(resolve_link(directory))
    if directory.exists() or not (old / "config.json").is_file():
        return directory.is_dir()
    try:
        verify_files(old)
    except ModelError:
        return False
    restored = False
    with contextlib.suppress(OSError):  # someone else put it back: use what is there
        old.rename(resolve_link(directory))
        restored = True
    if restored:
        warnings.warn(
            f"model folder {directory} was restored from {old.name}, left by an interrupted save", stacklevel=2
        )
    return directory.is_dir()


def read_config(directory: Path) -> dict[str, Any]:
    path = directory / "config.json"
    if not path.is_file():
        raise ModelError(f"{directory}: not a claimcheck model (no config.json)")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as err:
        raise ModelError(f"{path}: corrupt config ({err.msg})") from None


def validate_settings(architecture: type, settings: Any, where: str) -> BaseModel:
    """``settings`` read through the architecture's ``settings_schema``.

    Raises:
        ModelError: ``WHERE: settings.KEY: ...`` for an unknown key (naming the known ones),
            a missing one or a value of the wrong kind.
    """
    schema: type[BaseModel] = architecture.settings_schema
    try:
        return schema.model_validate(settings)
    except ValidationError as err:
        first = err.errors()[0]
        loc = ".".join(str(p) for p in ("settings", *first["loc"]))
        if first["type"] == "extra_forbidden":
            known = ", ".join(schema.model_fields)
            message = f"unknown key for {architecture.architecture} (known: {known})"
        else:
            message = first["msg"]
        raise ModelError(f"{where}: {loc}: {message}") from None


def load_model(model: str | Path | None = None, precision: Precision | str | None = None) -> AttributionModel:
    """Load a model folder after checking every file against its recorded hash.

    Args:
        model: a model name or folder (see :func:`resolve_model_path`).
        precision: the arithmetic of a model that runs a network (default: the folder's
            own setting, ``auto``); a model without a network refuses any.

    Raises:
        ModelError: a missing, corrupt or unknown model, or settings its schema refuses.
        ConfigError: a precision that is not one of :class:`Precision`, or one the model
            cannot take.
    """
    from packaging.version import Version

    from claimcheck.version import __version__

    precision = parse_precision(precision)
    directory = resolve_model_path(model)
    config = verify_files(directory)
    architecture = architecture_class(config.get("architecture"), str(directory))
    written_by = config.get("claimcheck_version", "0")
    if Version(written_by) > Version(__version__):
        warnings.warn(
            f"model {directory} was written by claimcheck {written_by}, newer than this {__version__}",
            stacklevel=2,
        )
    settings = validate_settings(architecture, config.get("settings", {}), str(directory / "config.json"))
    return architecture.from_files(directory, settings, precision)
