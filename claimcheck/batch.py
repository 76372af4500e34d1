"""Run a checker over an archive: streaming, resumable, one output row per claim.

Example::

    from claimcheck.batch import run_batch

    summary = run_batch("archive/", "claims.parquet", model="baseline")
    print(summary.articles, summary.claims, summary.errors)

Inputs (read lazily, never all into memory): a folder (its ``.txt``/``.html``/``.htm``
files, recursively, sorted; id = the path relative to the folder), a glob pattern
(``"archive/**/*.txt"``; id = the path), a JSONL file (``{"text": ..., "id": ...}`` a line;
id defaults to the line number, from 1), a Parquet file (columns ``text`` and optional
``id``; id defaults to the row index, from 0), or, from Python, an iterable of
``(id, text)`` pairs.

Output by extension, ``.jsonl`` or ``.parquet``, with the columns of :data:`COLUMNS`:
``reasons`` is a list of reason codes (a JSON array in JSONL, ``list<string>`` in
Parquet); ``source``, ``cue``, ``resolved_source``, ``confidence`` and ``score`` are null
where the claim has none.

Crash safety: articles are checked and committed in input order, so the finished ones
are always the first N. Each batch's rows go to the output (JSONL) or to a staging file
beside it (``OUTPUT.staging.jsonl``, for Parquet), its errors to ``OUTPUT.errors.jsonl``,
both fsynced; then one fsynced line is appended to a ledger (``OUTPUT.progress.jsonl``):
N, the key of article N (its path, line number, row index or id) and the byte sizes of
both files. A rerun reads the ledger's last whole line, cuts both files back to those
sizes, checks that article N of the input still has that key and goes on from article
N + 1, so a kill loses at most the batch in flight and the final output equals an
uninterrupted run's. A Parquet output is made from the staging file at the end (written
beside it, fsynced, renamed). Ledger and staging file are removed once the output is
complete. ``OUTPUT.lock`` keeps a second run off the same output.
"""

from __future__ import annotations

import fnmatch
import glob as globlib
import json
import logging
import os
import time
import warnings
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from functools import partial
from itertools import chain, islice
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from filelock import FileLock, Timeout

from claimcheck.files import fsync_dir as _fsync_dir
from claimcheck.files import is_special, resolve_link
from claimcheck.formats import claim_rows
from claimcheck.io.documents import InputError, article_text, decode_article, read_article
from claimcheck.pipeline import Checker, clean_text

if TYPE_CHECKING:
    import pyarrow as pa

#: The output columns, in order.
COLUMNS: tuple[str, ...] = (
    "article_id",
    "claim_index",
    "start",
    "end",
    "text",
    "type",
    "confidence",
    "score",
    "source",
    "cue",
    "resolved_source",
    "reasons",
)
OUTPUT_FORMATS = ("jsonl", "parquet")
ARTICLE_SUFFIXES = frozenset({".txt", ".html", ".htm"})
LEDGER_VERSION = 2
#: Articles per Ray read task (for Parquet, whole row groups of at least this many rows).
CHUNK_ARTICLES = 256
#: JSON bytes read per Parquet row group when the staging file becomes the output
#: (more when one row's line is longer).
STAGING_BLOCK_BYTES = 16 << 20
#: Ray blocks stay small, so that the actor pool shares out a big Parquet row group.
RAY_BLOCK_BYTES = 1 << 20

Progress = Callable[[int, int | None], None]


class BatchError(ValueError):
    """A batch run that cannot start or go on: a bad input, an unknown output extension,
    an output that exists or is in use, a ledger from another run. The message is one line."""


@dataclass(frozen=True)
class Article:
    """One article of the input. ``key`` is what the ledger records; ``id`` is what the
    output calls it. ``error`` is set, and ``text`` ``None``, when it could not be read."""

    key: str
    id: str
    text: str | None
    error: str | None = None


@dataclass
class ArticleResult:
    """A checked article: its claim rows as JSONL lines (possibly none), or the error that stopped it."""

    key: str
    id: str
    rows: list[bytes] | None
    error: str | None = None


@dataclass
class BatchSummary:
    """What a run did. ``articles``, ``claims`` and ``errors`` count this run only;
    ``skipped`` counts the articles an earlier, interrupted run had finished."""

    output: Path
    articles: int = 0
    skipped: int = 0
    claims: int = 0
    errors: int = 0
    seconds: float = 0.0
    errors_path: Path | None = None
    total: int | None = None


# --------------------------------------------------------------------------- inputs


def _text_article(key: str, raw_id: Any, text: Any, name: str) -> Article:
    """An article from a JSONL or Parquet value, read with the rules of article files
    (not empty, not binary, HTML reduced to its text), or the error why not."""
    art_id = key if raw_id is None else clean_text(str(raw_id))
    if not isinstance(text, str | bytes):
        return Article(key, art_id, None, f"{name}: no article text (`text` must be a string)")
    try:
        # lone surrogates go here already: Arrow (the Ray path) cannot hold them
        decoded = article_text(clean_text(text), name) if isinstance(text, str) else decode_article(text, name)
        return Article(key, art_id, decoded)
    except InputError as e:
        return Article(key, art_id, None, str(e))


def _jsonl_article(line: bytes, key: str, name: str) -> Article:
    try:
        data = json.loads(line)
    except ValueError as e:  # not JSON, or not UTF-8
        raise InputError(f"{name}: not valid JSON ({e})") from None
    if not isinstance(data, dict):
        raise InputError(f"{name}: expected a JSON object with `text`")
    raw_id = data.get("id")
    if raw_id is not None and (isinstance(raw_id, bool) or not isinstance(raw_id, str | int)):
        raise InputError(f"{name}: `id` must be a string or an integer")
    return _text_article(key, raw_id, data.get("text"), name)


def _file_article(key: str, path: str) -> Article:
    return Article(key, key, read_article(path))


def _walk(root: str, start: str = "", rel: str = "") -> Iterator[str]:
    """The files under ``root`` as paths relative to it, sorted as strings, from ``start``
    on, holding one folder's listing (and its parents') at a time; hidden names skipped."""
    try:
        with os.scandir(os.path.join(root, rel)) as entries:
            names = sorted(
                rel + e.name + ("/" if e.is_dir(follow_symlinks=False) else "")
                for e in entries
                if not e.name.startswith(".")
            )
    except OSError:  # a folder that cannot be read holds no articles
        return
    for path in names:
        if not path.endswith("/"):
            if path >= start:
                yield path
        elif path >= start or start.startswith(path):
            yield from _walk(root, start, path)


def _glob_match(parts: list[str], pattern: list[str]) -> bool:
    """Whether a path's parts match a glob pattern's (``**`` matches any number of folders)."""
    if not pattern:
        return not parts
    if pattern[0] == "**":
        return _glob_match(parts, pattern[1:]) or (bool(parts) and _glob_match(parts[1:], pattern))
    return bool(parts) and fnmatch.fnmatchcase(parts[0], pattern[0]) and _glob_match(parts[1:], pattern[1:])


class BatchInput:
    """An archive to check, in a fixed order. :meth:`keys` walks it cheaply (no article is
    read) and :meth:`read` reads its articles, both from a place that :meth:`keys` gave."""

    kind = ""

    def spec(self) -> dict[str, Any]:
        """What rebuilds this input (see :func:`_input`) and what the ledger records."""
        return {"kind": self.kind, **asdict(self)}

    def count(self) -> int | None:
        """The number of articles, for the progress bar."""
        return sum(1 for _ in self.keys())

    def keys(self, start: Any = None) -> Iterator[tuple[str, Any, bool]]:
        """``(key, place, cut)`` for each article from place ``start`` (``None``: the first)
        on: its ledger key, where :meth:`read` can start, and whether a Ray read task may."""
        raise NotImplementedError

    def _records(self, start: Any) -> Iterator[tuple[str, str, Callable[[], Article]]]:
        """``(key, name, load)`` for each article from ``start`` on."""
        raise NotImplementedError

    def read(self, start: Any, count: int | None = None) -> Iterator[Article]:
        """Up to ``count`` articles from place ``start`` on. Whatever one article raises (an
        undecodable file, JSON nested too deep, HTML the parser fails on) is its error."""
        for key, name, load in islice(self._records(start), count):
            try:
                article = load()
            except Exception as e:
                message = str(e) if isinstance(e, InputError) else f"{name}: cannot be read ({type(e).__name__}: {e})"
                article = Article(key, clean_text(key), None, message)
            yield replace(article, error=clean_text(article.error)) if article.error else article


@dataclass
class FilesInput(BatchInput):
    """A folder's article files (``pattern`` ``None``; ids relative to it), or the files a
    glob pattern matches: ``root`` is the pattern's folder, ``prefix`` that folder as
    written (ids start with it) and ``pattern`` the rest. ``exclude``: paths never read."""

    root: str
    prefix: str = ""
    pattern: str | None = None
    exclude: list[str] = field(default_factory=list)
    kind = "files"

    def keys(self, start: Any = None) -> Iterator[tuple[str, Any, bool]]:
        pattern = self.pattern.split("/") if self.pattern else None
        for rel in _walk(self.root, start or ""):
            if pattern is None:
                wanted = os.path.splitext(rel)[1].lower() in ARTICLE_SUFFIXES
            else:
                wanted = _glob_match(rel.split("/"), pattern) and os.path.join(self.root, rel) not in self.exclude
            if wanted:  # the key is the id: an undecodable file name's bytes become U+FFFD
                yield clean_text(self.prefix + rel), rel, True

    def _records(self, start: Any) -> Iterator[tuple[str, str, Callable[[], Article]]]:
        for key, rel, _ in self.keys(start):
            yield key, key, partial(_file_article, key, os.path.join(self.root, rel))

    def count(self) -> int:
        if n := super().count():
            return n
        if self.pattern is None:
            raise BatchError(f"{self.root}: no .txt, .html or .htm files in this folder")
        raise BatchError(f"{self.prefix}{self.pattern}: matches no files")


@dataclass
class JsonlInput(BatchInput):
    path: str
    kind = "jsonl"

    def _lines(self, start: Any) -> Iterator[tuple[tuple[int, int], bytes]]:
        """``((offset, line number), line)`` for each line that is not blank."""
        offset, first = start or (0, 1)
        with open(self.path, "rb") as fh:
            fh.seek(offset)
            for lineno, line in enumerate(fh, first):
                if line.strip():
                    yield (offset, lineno), line
                offset += len(line)

    def keys(self, start: Any = None) -> Iterator[tuple[str, Any, bool]]:
        return ((str(place[1]), place, True) for place, _ in self._lines(start))

    def _records(self, start: Any) -> Iterator[tuple[str, str, Callable[[], Article]]]:
        for (_, lineno), line in self._lines(start):
            name = f"{self.path}:{lineno}"
            yield str(lineno), name, partial(_jsonl_article, line, str(lineno), name)


@dataclass
class ParquetInput(BatchInput):
    """Places are ``(row group, row index)``; a Ray read task starts at a row group."""

    path: str
    kind = "parquet"

    def __post_init__(self) -> None:
        import pyarrow as pa

        pq = _pyarrow_parquet()
        try:
            self.file = pq.ParquetFile(self.path, buffer_size=1 << 20, pre_buffer=False)  # page by page
        except Exception as e:  # pyarrow raises several types for a file that is not Parquet
            raise BatchError(f"{self.path}: cannot read as Parquet ({e})") from None
        schema = self.file.schema_arrow
        if "text" not in schema.names:
            raise BatchError(f"{self.path}: no `text` column (columns: {', '.join(schema.names)})")
        kind = schema.field("text").type
        if kind not in (pa.string(), pa.large_string(), pa.binary(), pa.large_binary()):
            raise BatchError(f"{self.path}: the `text` column holds {kind}, not strings")
        self.columns = ["text", "id"] if "id" in schema.names else ["text"]

    def count(self) -> int:
        return self.file.metadata.num_rows

    def _groups(self, start: Any) -> Iterator[tuple[int, int, int]]:
        """``(row group, its first row index, its rows)`` from the place ``start`` on."""
        group, first = (start or (0, 0))[0], 0
        for i in range(self.file.num_row_groups):
            n = self.file.metadata.row_group(i).num_rows
            if i >= group:
                yield i, first, n
            first += n

    def keys(self, start: Any = None) -> Iterator[tuple[str, Any, bool]]:
        row0 = (start or (0, 0))[1]
        for group, first, n in self._groups(start):
            for row in range(max(first, row0), first + n):
                yield str(row), (group, row), row == first

    def _records(self, start: Any) -> Iterator[tuple[str, str, Callable[[], Article]]]:
        import pyarrow as pa

        row0 = (start or (0, 0))[1]
        groups = list(self._groups(start))
        if not groups:
            return
        row = groups[0][1]
        batches = self.file.iter_batches(CHUNK_ARTICLES, row_groups=[g for g, _, _ in groups], columns=self.columns)
        for batch in batches:
            texts = batch.column("text").cast(pa.large_binary()).to_pylist()  # bytes: no str to encode again
            ids = batch.column("id").to_pylist() if "id" in self.columns else [None] * len(texts)
            for text, raw_id in zip(texts, ids, strict=True):
                if row >= row0:
                    key, name = str(row), f"{self.path}[{row}]"
                    yield key, name, partial(_text_article, key, raw_id, text, name)
                row += 1


class ItemsInput(BatchInput):
    """``(id, text)`` pairs from Python, read once: :meth:`read` goes on where
    :meth:`keys` stopped. The key is the id."""

    kind = "items"

    def __init__(self, items: Iterable[tuple[Any, Any]]):
        self.items = iter(items)

    def spec(self) -> dict[str, Any]:
        return {"kind": self.kind}

    def count(self) -> None:
        return None

    def keys(self, start: Any = None) -> Iterator[tuple[str, Any, bool]]:
        return ((str(i), (i, text), True) for i, text in self.items)

    def _records(self, start: Any) -> Iterator[tuple[str, str, Callable[[], Article]]]:
        for raw_id, text in chain([start], self.items):
            key = str(raw_id)
            yield key, key, partial(_text_article, key, key, text, key)


_INPUTS: dict[str, type[BatchInput]] = {"files": FilesInput, "jsonl": JsonlInput, "parquet": ParquetInput}


def _input(spec: dict[str, Any]) -> BatchInput:
    """The input a :meth:`BatchInput.spec` describes."""
    return _INPUTS[spec["kind"]](**{k: v for k, v in spec.items() if k != "kind"})


def open_input(source: str | Path | Iterable[tuple[str, str]], exclude: Iterable[Path] = ()) -> BatchInput:
    """The input for a folder, glob pattern, ``.jsonl`` or ``.parquet`` path, or an
    iterable of ``(id, text)`` pairs. ``exclude``: files never to read (the run's own output)."""
    if not isinstance(source, str | Path):
        return ItemsInput(source)
    skip = sorted(str(Path(p).resolve()) for p in exclude)
    path = Path(source)
    if path.is_dir():
        return FilesInput(str(path.resolve()))
    if path.is_file():
        if str(path.resolve()) in skip:
            raise BatchError(f"{path}: is the output (or its ledger) of this run, not an input")
        suffix = path.suffix.lower()
        if suffix == ".jsonl":
            return JsonlInput(str(path.resolve()))
        if suffix == ".parquet":
            return ParquetInput(str(path.resolve()))
        raise BatchError(f"{path}: not a batch input; give a folder, a glob pattern, a .jsonl or a .parquet file")
    if globlib.has_magic(str(source)):
        parts = str(source).split("/")
        literal = next(i for i, part in enumerate(parts) if globlib.has_magic(part))
        prefix = "/".join(parts[:literal]) + "/" if literal else ""
        return FilesInput(str(Path(prefix or ".").resolve()), prefix, "/".join(parts[literal:]), skip)
    raise BatchError(f"{path}: no such file or folder")


def _resume_place(src: BatchInput, done: int, last: str | None) -> Any:
    """Where article number ``done`` (from 0) is, ``None`` past the end; refuses an input
    whose article ``done - 1`` is not the one the ledger names."""
    keys = src.keys()
    if done:
        key = next(islice(keys, done - 1, None), (None,))[0]
        if key != last:
            found = "ends before it" if key is None else f"has {key!r} there"
            raise BatchError(
                f"the input changed since the interrupted run: its ledger ends at article {done}, {last!r}, "
                f"but the input {found}; pass --overwrite to start again"
            )
    return next(keys, (None, None))[1]


# --------------------------------------------------------------------------- checking


def check_articles(checker: Checker, articles: list[Article]) -> list[ArticleResult]:
    """Check articles together; if that fails, one at a time, so one bad article
    becomes an error of its own instead of failing its batch."""
    readable = [i for i, a in enumerate(articles) if a.error is None]
    rows: dict[int, list[bytes]] = {}
    errors = {i: a.error for i, a in enumerate(articles) if a.error is not None}
    if readable:
        texts, ids = [articles[i].text for i in readable], [articles[i].id for i in readable]
        for i, report in zip(readable, checker.check_each(texts, ids, len(readable)), strict=True):
            if isinstance(report, Exception):
                errors[i] = f"{articles[i].id}: the checker failed: {type(report).__name__}: {report}"
            else:
                rows[i] = _rows(articles[i].id, report)
    return [ArticleResult(a.key, a.id, rows.get(i), errors.get(i)) for i, a in enumerate(articles)]


def _rows(article_id: str, report) -> list[bytes]:
    return [_line({"article_id": article_id, **row}) for row in claim_rows(report)]


def _line(record: dict[str, Any]) -> bytes:
    # a lone surrogate (an undecodable name in a checker's error) is written as its \uXXXX escape
    return (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8", "backslashreplace")


# --------------------------------------------------------------------------- ledger and writer


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
        }
        _append(self.log, _line(self.state))

    def finish(self) -> None:
        """Make the output whole, then remove the ledger (and the staging file)."""
        self.close()
        if self.fmt == "parquet":
            _to_parquet(self.staging, self.output, self.state.get("width", 0))
        self.ledger.unlink()
        self.staging.unlink(missing_ok=True)
        if not self.state.get("errors_size"):
            self.errors.unlink()
        _fsync_dir(self.output.parent)

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


def _to_parquet(staging: Path, output: Path, width: int) -> None:
    """Stream the staging JSONL into ``output``: written beside it, fsynced, renamed, and
    the folder fsynced, so that ``output`` only ever appears whole."""
    import pyarrow.json as pj

    pq = _pyarrow_parquet()
    schema = output_schema()
    tmp = output.with_name(f".{output.name}.tmp")
    try:
        with pq.ParquetWriter(tmp, schema) as writer:
            if staging.stat().st_size:  # the JSON reader refuses an empty file
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


def output_schema() -> pa.Schema:
    """The Parquet schema of :data:`COLUMNS`."""
    import pyarrow as pa

    return pa.schema(
        [
            ("article_id", pa.string()),
            ("claim_index", pa.int32()),
            ("start", pa.int64()),
            ("end", pa.int64()),
            ("text", pa.string()),
            ("type", pa.string()),
            ("confidence", pa.float64()),
            ("score", pa.float64()),
            ("source", pa.string()),
            ("cue", pa.string()),
            ("resolved_source", pa.string()),
            ("reasons", pa.list_(pa.string())),
        ]
    )


def _pyarrow_parquet():
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise BatchError("Parquet needs pyarrow: pip install 'claimcheck[batch]'") from None
    return pq


def output_format(output: str | Path) -> str:
    suffix = Path(output).suffix.lower().lstrip(".")
    if suffix not in OUTPUT_FORMATS:
        raise BatchError(f"{output}: unknown output extension; use .jsonl or .parquet")
    return suffix


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


# --------------------------------------------------------------------------- the run


def run_batch(
    source: str | Path | Iterable[tuple[str, str]],
    output: str | Path,
    checker: Checker | None = None,
    *,
    model: str | Path | None = None,
    scoring: str | Path | None = None,
    ratings: Iterable[str | Path] = (),
    precision: str | None = None,
    batch_size: int = 16,
    engine: Literal["local", "ray"] = "local",
    address: str | None = None,
    workers: int | None = None,
    cpus_per_worker: float = 1.0,
    overwrite: bool = False,
    progress: Progress | None = None,
) -> BatchSummary:
    """Check every article of ``source`` and write one row per claim to ``output``;
    resume an interrupted run of the same command.

    Args:
        source: a folder, a glob pattern, a ``.jsonl`` or ``.parquet`` file, or ``(id, text)`` pairs.
        output: a ``.jsonl`` or ``.parquet`` file.
        checker: a loaded checker (local engine only); else one is loaded from ``model``,
            ``scoring``, ``ratings`` and ``precision`` (by each Ray worker with ``engine="ray"``).
        batch_size: articles per :meth:`Checker.check_many` call and per ledger commit.
        engine: ``"local"`` (this process) or ``"ray"`` (a Ray Data actor pool).
        address: the Ray cluster to join (default: ``$RAY_ADDRESS``, else start a local one).
        workers: the most Ray workers, each loading the model once (default: the cluster's
            CPUs divided by ``cpus_per_worker``).
        overwrite: replace a finished output (and start afresh over an unfinished one).
        progress: called as ``progress(done, total)`` at the start and after each batch,
            ``done`` counting articles finished by earlier runs too; ``total`` may be ``None``.

    Raises:
        BatchError: for a bad input or output, an output that exists, or one another run holds.
        KeyboardInterrupt: as raised; committed batches are kept and a rerun resumes.
    """
    if batch_size < 1:
        raise BatchError("batch size must be at least 1")
    if engine not in ("local", "ray"):
        raise BatchError(f"unknown engine {engine!r}; use local or ray")
    output = Path(output)
    ratings = list(ratings)
    fmt = output_format(output)
    output = resolve_link(output)  # a symlink is written through: its target is the output
    if fmt == "parquet":
        _pyarrow_parquet()
    if output.is_dir():
        raise BatchError(f"{output}: is a folder; give an output file (.jsonl or .parquet)")
    if is_special(output):  # never replaced nor cut back; a resumable run needs a regular file
        raise BatchError(f"{output}: is not a regular file (a pipe or device); give a file, or stream with check -o")
    own = [output.with_name(output.name + s) for s in ("", ".progress.jsonl", ".errors.jsonl", ".staging.jsonl")]
    src = open_input(source, exclude=own)
    if engine == "ray":
        if checker is not None:
            raise BatchError("engine 'ray' loads the model in each worker: pass model=..., not a checker")
        if isinstance(src, ItemsInput):
            raise BatchError("engine 'ray' needs a folder, glob, .jsonl or .parquet input that its workers can read")
    config = _config(checker, model, scoring, ratings, precision)
    header = {"claimcheck_batch": LEDGER_VERSION, "input": src.spec(), "format": fmt, "config": config}
    output.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with _locked(output):
        writer = _Writer(output, fmt, header, overwrite)
        summary = BatchSummary(output=output, skipped=writer.done, total=src.count())
        start = _resume_place(src, writer.done, writer.last)
        writer.open()

        def commit(results: list[ArticleResult]) -> None:
            writer.commit(results)
            for r in results:
                summary.articles += r.error is None
                summary.errors += r.error is not None
                summary.claims += len(r.rows or ())
            if progress:
                progress(writer.state["done"], summary.total)

        try:
            if progress:
                progress(writer.done, summary.total)
            if start is not None and engine == "ray":
                _run_ray(
                    src,
                    start,
                    commit,
                    batch_size,
                    model,
                    scoring,
                    ratings,
                    precision,
                    address,
                    workers,
                    cpus_per_worker,
                )
            elif start is not None:
                if checker is None:
                    checker = Checker.load(model, scoring, ratings, precision)
                articles = src.read(start)
                while group := list(islice(articles, batch_size)):
                    commit(check_articles(checker, group))
            writer.finish()
        finally:
            writer.close()
            summary.seconds = round(time.perf_counter() - started, 3)
    summary.errors_path = writer.errors if writer.errors.exists() else None
    return summary


def _config(checker: Checker | None, model, scoring, ratings, precision) -> dict[str, Any]:
    """What decides the output besides the input, recorded so that a rerun with another
    model does not mix two models' rows in one file."""
    from claimcheck.models.registry import resolve_model_path

    return {
        "model": None if checker is not None else str(resolve_model_path(model).resolve()),
        "scoring": None if scoring is None else str(Path(scoring).resolve()),
        "ratings": sorted(str(Path(r).resolve()) for r in ratings) or None,
        "precision": precision,
    }


# --------------------------------------------------------------------------- Ray


def _article_schema() -> pa.Schema:
    import pyarrow as pa

    return pa.schema([("key", pa.string()), ("id", pa.string()), ("text", pa.string()), ("error", pa.string())])


def _result_schema() -> pa.Schema:
    import pyarrow as pa

    return pa.schema(
        [("key", pa.string()), ("id", pa.string()), ("rows", pa.list_(pa.binary())), ("error", pa.string())]
    )


def _ray_chunks(src: BatchInput, start: Any) -> Iterator[dict[str, str]]:
    """Ray read tasks from place ``start`` on: about :data:`CHUNK_ARTICLES` articles each,
    as a place and a count (a few bytes, however big the archive)."""
    first, n = start, 0
    for _, place, cut in src.keys(start):
        if n >= CHUNK_ARTICLES and cut:
            yield {"chunk": json.dumps({"start": first, "count": n})}
            first, n = place, 0
        n += 1
    if n:
        yield {"chunk": json.dumps({"start": first, "count": n})}


def _ray_read(batch: pa.Table, spec: dict[str, Any]) -> Iterator[pa.Table]:
    """Ray read step, on a worker: chunks in, articles out."""
    import pyarrow as pa

    src = _input(spec)
    for chunk in map(json.loads, batch.column("chunk").to_pylist()):
        for article in src.read(chunk["start"], chunk["count"]):
            yield pa.Table.from_pylist([asdict(article)], schema=_article_schema())


class _RayChecker:
    """Ray actor: loads the checker once, then checks batches of articles."""

    def __init__(self, model: str | Path | None, scoring: str | None, ratings: list[str], precision: str | None):
        self.checker = Checker.load(model, scoring, ratings, precision)

    def __call__(self, batch: pa.Table) -> pa.Table:
        import pyarrow as pa

        results = check_articles(self.checker, [Article(**row) for row in batch.to_pylist()])
        return pa.Table.from_pylist([asdict(r) for r in results], schema=_result_schema())


def _run_ray(
    src: BatchInput,
    start: Any,
    commit: Callable[[list[ArticleResult]], None],
    batch_size: int,
    model: str | Path | None,
    scoring: str | Path | None,
    ratings: Iterable[str | Path],
    precision: str | None,
    address: str | None,
    workers: int | None,
    cpus_per_worker: float,
) -> None:
    try:
        import ray
        import ray.data
        import ray.exceptions
    except ImportError:
        raise BatchError("engine 'ray' needs Ray: pip install 'claimcheck[ray]'") from None
    chunks = list(_ray_chunks(src, start))
    started = False
    if ray.is_initialized():
        if address:
            warnings.warn(f"Ray is already initialised in this process: address {address!r} is ignored", stacklevel=3)
    else:
        address = address or os.environ.get("RAY_ADDRESS") or None
        kwargs: dict[str, Any] = {"address": address, "logging_level": logging.WARNING}
        if address is None:  # a local cluster, started here and stopped at the end
            kwargs["include_dashboard"] = False
        ray.init(**kwargs)
        started = True
    ctx = ray.data.DataContext.get_current()
    saved = (ctx.execution_options.preserve_order, ctx.enable_progress_bars, ctx.target_max_block_size)
    # quiet Ray Data's per-run notices (and the one that says its progress bars are off)
    loggers = {name: logging.getLogger(name) for name in ("ray.data", "ray.data._internal.progress")}
    levels = {name: logger.level for name, logger in loggers.items()}
    try:
        ctx.execution_options.preserve_order = True  # rows in input order, as the ledger needs
        ctx.enable_progress_bars = False  # the caller shows progress
        ctx.target_max_block_size = RAY_BLOCK_BYTES
        loggers["ray.data"].setLevel(logging.WARNING)
        loggers["ray.data._internal.progress"].setLevel(logging.ERROR)
        if workers is None:
            workers = max(1, int(ray.cluster_resources().get("CPU", 1) // cpus_per_worker))
        ds = ray.data.from_items(chunks, override_num_blocks=len(chunks))
        # Reading is light next to the model: it asks for no CPU (the actors may hold them all),
        # with one read task at a time per 8 workers.
        readers = ray.data.TaskPoolStrategy(size=-(-workers // 8))
        ds = ds.map_batches(
            _ray_read, batch_size=1, batch_format="pyarrow", num_cpus=0, compute=readers, fn_kwargs={"spec": src.spec()}
        )
        ds = ds.map_batches(
            _RayChecker,
            fn_constructor_kwargs={
                # a model folder travels as an absolute path, a model name as it is
                "model": str(Path(model).resolve()) if model is not None and Path(model).is_dir() else model,
                "scoring": None if scoring is None else str(Path(scoring).resolve()),
                "ratings": [str(Path(r).resolve()) for r in ratings],
                "precision": precision,
            },
            batch_size=batch_size,
            batch_format="pyarrow",
            # as many workers as fit, up to `workers`: a smaller cluster still runs
            compute=ray.data.ActorPoolStrategy(min_size=1, max_size=workers),
            num_cpus=cpus_per_worker,
        )
        try:
            for batch in ds.iter_batches(batch_size=batch_size, batch_format="pyarrow"):
                commit([ArticleResult(**row) for row in batch.to_pylist()])
        except ray.exceptions.RayError as e:  # e.g. a worker that cannot load the model
            first = next((line for line in str(e).splitlines() if line.strip()), type(e).__name__)
            raise BatchError(f"the Ray pipeline failed: {first} (finished batches are saved; a rerun resumes)") from e
    finally:
        ctx.execution_options.preserve_order, ctx.enable_progress_bars, ctx.target_max_block_size = saved
        for name, logger in loggers.items():
            logger.setLevel(levels[name])
        if started:
            ray.shutdown()
