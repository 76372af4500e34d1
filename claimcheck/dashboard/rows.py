"""Read claim rows (``claimcheck batch`` output, or ``check --format csv``) one at a time.

Three formats, by extension: ``.jsonl`` (one JSON object a line), ``.csv`` (a header
line, then one claim a line; empty cells are missing values) and ``.parquet`` (read a
batch of :data:`PARQUET_BATCH_ROWS` rows at a time, never a whole row group, so a file
written with huge row groups still streams). Every row comes out as a plain dict with
the same value types whatever the format: ``reasons`` a list of codes, ``score`` a float
or ``None``, other missing values ``None``.

Nothing is kept once a row has been handed on, so memory does not grow with the file.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import math
import os
import re
from collections.abc import Callable, Collection, Iterator, Sequence
from pathlib import Path
from typing import Any

from claimcheck.data import ATTRIBUTION_TYPES
from claimcheck.errors import DashboardError

ROW_FORMATS = ("jsonl", "csv", "parquet")
#: Rows per Parquet read: small enough that a batch of dicts stays a few megabytes.
PARQUET_BATCH_ROWS = 8192
#: Inputs from this size on get a progress bar in the CLI (smaller ones are read in a few seconds).
LARGE_INPUT_BYTES = 32 * 1024 * 1024
#: How often (in rows) the reader reports progress.
PROGRESS_EVERY = 20_000
#: The columns a claim row must have (``path`` stands for ``article_id`` in ``check --format csv``).
REQUIRED = ("type",)
ID_COLUMNS = ("article_id", "path")
_TYPES = frozenset(ATTRIBUTION_TYPES)
_REASON_CODE = re.compile(r"[a-z][a-z_]*")

#: ``progress(bytes_done, bytes_total, rows_done)``; Parquet bytes are counted in
#: proportion to the rows read.
ProgressFn = Callable[[int, int, int], None]


def row_format(path: str | os.PathLike[str]) -> str:
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix not in ROW_FORMATS:
        raise DashboardError(f"{path}: unknown extension; claim rows are .jsonl, .csv or .parquet")
    return suffix


def inputs_size(paths: Sequence[str | os.PathLike[str]]) -> int:
    """The bytes of all ``paths`` (missing ones count 0: :func:`read_rows` reports them)."""
    total = 0
    for path in paths:
        with contextlib.suppress(OSError):
            total += os.path.getsize(path)
    return total


def check_inputs(paths: Sequence[str | os.PathLike[str]]) -> None:
    """Fail before anything is read: no inputs, a missing file, a folder, an unknown extension."""
    if not paths:
        raise DashboardError("no claim rows given")
    for path in paths:
        if not os.path.exists(path):
            raise DashboardError(f"{path}: no such file")
        if os.path.isdir(path):
            raise DashboardError(f"{path}: is a folder; give the rows file `claimcheck batch` wrote")
        row_format(path)


def read_rows(
    paths: Sequence[str | os.PathLike[str]],
    progress: ProgressFn | None = None,
    columns: Collection[str] | None = None,
) -> Iterator[dict[str, Any]]:
    """Every claim row of every file, in order, checked for shape.

    ``columns``: the columns the caller uses; Parquet reads only those (the others, claim
    text and content above all, are never decoded). JSONL and CSV rows keep all theirs.

    Raises:
        DashboardError: a missing or empty file, a line that is not a JSON object, or rows
            that are not claim rows (no ``type`` or article id column, an unknown type,
            a score that is not a number).
    """
    check_inputs(paths)
    total = inputs_size(paths)
    done_bytes = rows = 0
    if progress is not None:
        progress(0, total, 0)
    for path in paths:
        name = os.fspath(path)
        size = os.path.getsize(path)
        fmt = row_format(path)
        reader = (
            _parquet_rows(name, columns) if fmt == "parquet" else {"jsonl": _jsonl_rows, "csv": _csv_rows}[fmt](name)
        )
        seen = 0
        for where, fraction, row in reader:
            if seen == 0:
                _check_columns(name, row)
            seen += 1
            rows += 1
            yield _checked(name, where, row)
            if progress is not None and rows % PROGRESS_EVERY == 0:
                progress(done_bytes + int(size * fraction), total, rows)
        if seen == 0:
            raise DashboardError(f"{name}: no claim rows (the file is empty)")
        done_bytes += size
        if progress is not None:
            progress(done_bytes, total, rows)


def _check_columns(name: str, row: dict[str, Any]) -> None:
    missing = [c for c in REQUIRED if c not in row]
    if not any(c in row for c in ID_COLUMNS):
        missing.append("article_id")
    if missing:
        raise DashboardError(
            f"{name}: these are not claim rows (no {' or '.join(repr(c) for c in missing)} column); "
            "make them with `claimcheck batch ARCHIVE ROWS.jsonl`"
        )


def _checked(name: str, where: str, row: dict[str, Any]) -> dict[str, Any]:
    """The row with ``article_id``, ``score`` and ``reasons`` in their one form; an error for a bad value."""
    if row.get("type") not in _TYPES:
        raise DashboardError(f"{name}:{where}: unknown claim type {row.get('type')!r}")
    score = row.get("score")
    if isinstance(score, float) and math.isnan(score):
        score = None  # how pandas writes a missing number
    if score is not None and not isinstance(score, float):
        if isinstance(score, bool) or not isinstance(score, int | str):
            raise DashboardError(f"{name}:{where}: the score {score!r} is not a number")
        try:
            score = float(score)
        except ValueError:
            raise DashboardError(f"{name}:{where}: the score {score!r} is not a number") from None
    if score is not None and not 0.0 <= score <= 1.0:
        raise DashboardError(f"{name}:{where}: the score {score!r} is not between 0 and 1")
    row["score"] = score
    article = row.get("article_id", row.get("path"))
    if article is None or article == "":
        raise DashboardError(f"{name}:{where}: the row has no article id")
    row["article_id"] = str(article)
    row["reasons"] = _reasons(row.get("reasons"))
    return row


def _reasons(value: Any) -> list[str]:
    """Reason codes from a list (JSONL, Parquet), a JSON array or a ``;``-joined string (CSV)."""
    if value is None:
        return []
    if isinstance(value, str):
        return _REASON_CODE.findall(value)
    return [str(v) for v in value]


# ----------------------------------------------------------------- formats


def _jsonl_rows(name: str) -> Iterator[tuple[str, float, dict[str, Any]]]:
    size = os.path.getsize(name) or 1
    offset = 0
    with open(name, "rb") as fh:
        for number, line in enumerate(fh, start=1):
            offset += len(line)
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except ValueError as e:
                raise DashboardError(f"{name}:{number}: not valid JSON ({e})") from None
            if not isinstance(row, dict):
                raise DashboardError(f"{name}:{number}: not a JSON object, so not a claim row")
            yield str(number), offset / size, row


def _csv_rows(name: str) -> Iterator[tuple[str, float, dict[str, Any]]]:
    size = os.path.getsize(name) or 1
    with open(name, "rb") as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
        try:
            reader = csv.DictReader(text)
            for row in reader:
                yield str(reader.line_num), raw.tell() / size, {k: (v if v != "" else None) for k, v in row.items()}
        except UnicodeDecodeError as e:
            raise DashboardError(f"{name}: not UTF-8 text ({e.reason})") from None
        except csv.Error as e:
            raise DashboardError(f"{name}: not a CSV file ({e})") from None


def _parquet_rows(name: str, columns: Collection[str] | None) -> Iterator[tuple[str, float, dict[str, Any]]]:
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise DashboardError("reading Parquet needs pyarrow: pip install 'claimcheck[batch]'") from None
    try:
        pf = pq.ParquetFile(name)
    except (pa.ArrowException, OSError) as e:
        raise DashboardError(f"{name}: not a Parquet file ({e})") from None
    total = pf.metadata.num_rows or 1
    names = pf.schema_arrow.names
    wanted = names if columns is None else [c for c in names if c in columns]
    index = 0
    for batch in pf.iter_batches(batch_size=PARQUET_BATCH_ROWS, columns=wanted):
        for row in batch.to_pylist():
            yield str(index), (index + 1) / total, row
            index += 1
