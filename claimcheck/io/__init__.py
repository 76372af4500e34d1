"""Readers and writers: labelled JSONL, BRAT standoff (PolNeAR), Label Studio JSON, article files."""

from __future__ import annotations

from pathlib import Path

from claimcheck.data import DataError, LabelledExample, load_examples, save_examples
from claimcheck.files import is_stdout
from claimcheck.io.brat import BRAT_SUFFIXES, read_brat_dir, read_brat_file, write_brat, write_brat_dir
from claimcheck.io.documents import InputError, read_article
from claimcheck.io.labelstudio import read_labelstudio, write_labelstudio

LABEL_FORMATS = ("jsonl", "brat", "labelstudio")


def label_format(path: Path, fmt: str | None = None) -> str:
    """The labels format of ``path``: given, else a folder is BRAT, ``.json`` is Label Studio,
    anything else labelled-example JSONL; ``-`` (standard output) is JSONL unless told."""
    if fmt:
        if fmt not in LABEL_FORMATS:
            raise DataError(f"unknown labels format {fmt!r} (known: {', '.join(LABEL_FORMATS)})")
        return fmt
    if is_stdout(path):
        return "jsonl"
    if path.is_dir() or (not path.suffix and not path.exists()):
        return "brat"
    return "labelstudio" if path.suffix.lower() == ".json" else "jsonl"


def read_labels(path: str | Path, fmt: str | None = None) -> list[LabelledExample]:
    path = Path(path)
    fmt = label_format(path, fmt)
    if fmt == "brat":
        return list(read_brat_dir(path))
    if fmt == "labelstudio":
        return read_labelstudio(path)
    return load_examples(path)


def write_labels(path: str | Path, examples: list[LabelledExample], fmt: str | None = None) -> None:
    path = Path(path)
    fmt = label_format(path, fmt)
    if fmt == "brat":
        if is_stdout(path):
            raise DataError("BRAT labels are a folder of files: give a folder, not - (standard output)")
        write_brat_dir(examples, path)
    elif fmt == "labelstudio":
        write_labelstudio(path, examples)
    else:
        save_examples(path, examples)


def convert_labels(
    source: str | Path, output: str | Path, from_format: str | None = None, to_format: str | None = None
) -> tuple[int, int]:
    """Read the labels of ``source`` and write them to ``output`` (formats by the paths unless
    given, as :func:`label_format`); the articles and attributions written."""
    examples = read_labels(source, from_format)
    write_labels(output, examples, to_format)
    return len(examples), sum(len(ex.attributions) for ex in examples)


__all__ = [
    "BRAT_SUFFIXES",
    "LABEL_FORMATS",
    "InputError",
    "convert_labels",
    "read_article",
    "read_brat_dir",
    "read_brat_file",
    "read_labels",
    "read_labelstudio",
    "write_brat",
    "write_brat_dir",
    "write_labels",
    "write_labelstudio",
]
