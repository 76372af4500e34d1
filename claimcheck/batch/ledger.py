"""The ledger and the writer: how a run commits its batches durably, resumes after a
kill, makes the final output whole, and keeps a second run off the same output.

All of the run's fsync calls are here (:func:`_fsync_dir`, :func:`_append` and the
rename in :func:`_to_parquet`)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any

from filelock import FileLock, Timeout

from claimcheck.batch.base import ArticleResult, BatchError, _pyarrow_parquet
from claimcheck.batch.checking import _line
from claimcheck.batch.fields import field_array, kinds_schema, merge_kinds
from claimcheck.batch.output import output_schema
from claimcheck.files import fsync_dir as _fsync_dir

if TYPE_CHECKING:
    import pyarrow as pa

#: 3: rows gained the ``content`` and ``quote_kind`` columns; 4: rows carry the archive's fields, and the
#: ledger their JSON kinds. An older run's rows are of another shape, so its ledger is not resumed (a JSONL
#: output is refused, a Parquet run starts afresh)
LEDGER_VERSION = 4
#: JSON bytes read per Parquet row group when the staging file becomes the output
#: (more when one row's line is longer).
STAGING_BLOCK_BYTES = 16 << 20
#: Rows per Parquet row group when the rows carry archive fields (read in Python, not by Arrow's JSON reader).
FIELDS_BLOCK_ROWS = 8192


def _append(fh, data: bytes) -> int:
    """Append and fsync; the file's size afterwards."""
    if data:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())
    return fh.tell()


def _read_ledger(path: Path) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    """The ledger's header and last entry (``{}`` if none), read a line at a time. A torn
    last line (a crash while it was written) is cut off; a ledger without a readable
    header is no ledger."""
    if not path.exists():
        return None, {}
    header, last, good = None, {}, 0
    with path.open("rb") as fh:
        for line in fh:
            try:
                record = json.loads(line) if line.endswith(b"\n") else None
            except ValueError:
                record = None
            if not isinstance(record, dict):
                break
            header, last = (record, {}) if header is None else (header, record)
            good += len(line)
    if good < path.stat().st_size:
        os.truncate(path, good)
    if header is None or header.get("claimcheck_batch") != LEDGER_VERSION:
        return None, {}
    return header, last


class _Writer:
    """Commits batches: the rows go to the output (JSONL) or to its staging file (Parquet),
    the errors to the errors file, then one line to the ledger; each fsynced."""

    def __init__(self, output: Path, fmt: str, header: dict[str, Any], overwrite: bool):
        """Checks that the run may write ``output``; touches nothing but a torn ledger line."""
        self.output, self.fmt, self.header = output, fmt, header
        self.ledger = output.with_name(output.name + ".progress.jsonl")
        self.errors = output.with_name(output.name + ".errors.jsonl")
        self.staging = output.with_name(output.name + ".staging.jsonl")
        self.target = self.staging if fmt == "parquet" else output
        if overwrite:
            self._remove_all()
        old, self.state = _read_ledger(self.ledger)
        if old is None and output.exists():
            raise BatchError(f"{output} exists (a finished run); pass --overwrite to replace it")
        for key in ("input", "format", "config") if self.state else ():  # nothing committed: any options
            if old[key] != header[key] and not (key == "config" and _configs_agree(old[key], header[key])):
                raise BatchError(
                    f"{self.ledger} belongs to a run with {key} {old[key]!r}, not {header[key]!r}; "
                    "rerun that command to resume it, or pass --overwrite to start again"
                )
        self.done: int = self.state.get("done", 0)
        self.last: str | None = self.state.get("last")

    def open(self) -> None:
        """Start afresh, or cut the files back to the last commit (dropping what the batch
        in flight wrote), and open them."""
        if not self.state:
            self._remove_all()
        files = {self.target: self.state.get("size", 0), self.errors: self.state.get("errors_size", 0)}
        for path, size in files.items():
            have = path.stat().st_size if path.exists() else 0
            if have < size:
                raise BatchError(
                    f"{path} is shorter than its ledger records (changed outside this run); "
                    "pass --overwrite to start again"
                )
            if have > size:
                os.truncate(path, size)
        self.out, self.err, self.log = (path.open("ab") for path in (self.target, self.errors, self.ledger))
        if not self.state:
            _append(self.log, _line(self.header))
        _fsync_dir(self.output.parent)  # the files just made

    def commit(self, results: list[ArticleResult]) -> None:
        """Write a batch's rows and errors, then record it in the ledger: the commit point."""
        rows = [row for r in results for row in r.rows or ()]
        errors = [_line({"article_id": r.id, "error": r.error}) for r in results if r.error is not None]
        self.state = {
            "done": self.state.get("done", 0) + len(results),
            "last": results[-1].key,
            "size": _append(self.out, b"".join(rows)),
            "errors_size": _append(self.err, b"".join(errors)),
            "width": max([self.state.get("width", 0), *map(len, rows)]),  # the longest row's line
            "fields": self.kinds(results),  # the JSON kinds of the archive's fields in the rows so far
        }
        _append(self.log, _line(self.state))

    def kinds(self, results: list[ArticleResult]) -> dict[str, str]:
        """The kinds of the archive's fields so far, widened by those of a batch's rows."""
        kinds = self.state.get("fields", {})
        for r in results:
            if r.rows and r.fields:
                kinds = merge_kinds(kinds, r.fields)
        return kinds

    def finish(self, declared: pa.Schema | None) -> list[str]:
        """Make the output whole, then remove the ledger (and the staging file); the
        columns of the archive's fields. ``declared``: their types where the input declares
        them (:meth:`BatchInput.fields_schema`), else the kinds the rows had."""
        self.close()
        kinds = self.state.get("fields", {})
        if self.fmt == "parquet":
            fields = declared if declared is not None else kinds_schema(kinds)
            _to_parquet(self.staging, self.output, self.state.get("width", 0), fields)
        self.ledger.unlink()
        self.staging.unlink(missing_ok=True)
        if not self.state.get("errors_size"):
            self.errors.unlink()
        _fsync_dir(self.output.parent)
        return declared.names if declared is not None else list(kinds)

    def close(self) -> None:
        """Release the files without finishing (a rerun resumes)."""
        for fh in (self.out, self.err, self.log):
            fh.close()

    def _remove_all(self) -> None:
        for path in (self.output, self.ledger, self.errors, self.staging):
            path.unlink(missing_ok=True)


def _configs_agree(old: dict[str, Any], new: dict[str, Any]) -> bool:
    """A checker passed in from Python has no recorded model name: do not compare it."""
    return all(old.get(k) == new.get(k) or old.get(k) is None or new.get(k) is None for k in {*old, *new})


def _rows_table(lines: list[bytes], fields: pa.Schema) -> pa.Table:
    """Rows as a table of the output's columns and the archive's fields (see :func:`field_array`)."""
    import pyarrow as pa

    rows = [json.loads(line) for line in lines]
    table = pa.Table.from_pylist(rows, schema=output_schema())
    for field in fields:
        table = table.append_column(field, field_array([r.get(field.name) for r in rows], field))
    return table


def _to_parquet(staging: Path, output: Path, width: int, fields: pa.Schema) -> None:
    """Stream the staging JSONL into ``output``: written beside it, fsynced, renamed, and
    the folder fsynced, so that ``output`` only ever appears whole. Rows without archive
    fields go through Arrow's JSON reader; with them, a block of lines at a time through
    :func:`_rows_table`, which casts each field back to its type."""
    import pyarrow as pa
    import pyarrow.json as pj

    pq = _pyarrow_parquet()
    schema = output_schema()
    tmp = output.with_name(f".{output.name}.tmp")
    try:
        with pq.ParquetWriter(tmp, pa.schema([*schema, *fields])) as writer:
            if len(fields):
                with staging.open("rb") as fh:
                    while block := list(islice(fh, FIELDS_BLOCK_ROWS)):
                        writer.write_table(_rows_table(block, fields))
            elif staging.stat().st_size:  # the JSON reader refuses an empty file
                reader = pj.open_json(
                    staging,
                    read_options=pj.ReadOptions(block_size=max(STAGING_BLOCK_BYTES, width)),
                    parse_options=pj.ParseOptions(explicit_schema=schema, unexpected_field_behavior="error"),
                )
                for batch in reader:  # one row group each
                    writer.write_batch(batch)
        with tmp.open("rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, output)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_dir(output.parent)


@contextmanager
def _locked(output: Path) -> Iterator[None]:
    """Hold ``OUTPUT.lock`` for the run, so that a second run on the same output stops."""
    lock = FileLock(f"{output}.lock", timeout=0)
    try:
        lock.acquire()
    except Timeout:
        raise BatchError(f"another run is writing {output} (it holds {output}.lock); wait for it to end") from None
    try:
        yield
    finally:
        Path(lock.lock_file).unlink(missing_ok=True)  # while still held
        lock.release()
