"""The inputs of a batch run: a folder, a glob pattern, a JSONL or Parquet file, or
``(id, text)`` pairs, each walked lazily in a fixed order from a place that a rerun or a
Ray read task can start at; with each article, the archive's fields (:mod:`.fields`)."""

from __future__ import annotations

import fnmatch
import glob as globlib
import json
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field, replace
from functools import partial
from itertools import chain, islice
from pathlib import Path
from typing import TYPE_CHECKING, Any

from claimcheck.batch.base import Article, BatchError, _pyarrow_parquet
from claimcheck.batch.fields import archive_fields, parquet_fields, to_json_values
from claimcheck.io.documents import InputError, article_text, decode_article, read_article
from claimcheck.outputs import refuse_input_as_output
from claimcheck.pipeline import clean_text

if TYPE_CHECKING:
    import pyarrow as pa

ARTICLE_SUFFIXES = frozenset({".txt", ".html", ".htm"})
#: Articles per Ray read task (for Parquet, whole row groups of at least this many rows).
CHUNK_ARTICLES = 256


def _text_article(key: str, raw_id: Any, text: Any, name: str, fields: dict[str, Any] | None = None) -> Article:
    """An article from a JSONL or Parquet value, read with the rules of article files
    (not empty, not binary, HTML reduced to its text), or the error why not."""
    art_id = key if raw_id is None else clean_text(str(raw_id))
    if not isinstance(text, str | bytes):
        return Article(key, art_id, None, f"{name}: no article text (`text` must be a string)")
    try:
        # lone surrogates go here already: Arrow (the Ray path) cannot hold them
        decoded = article_text(clean_text(text), name) if isinstance(text, str) else decode_article(text, name)
        return Article(key, art_id, decoded, fields=fields)
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
    return _text_article(key, raw_id, data.get("text"), name, archive_fields(data, skip=("text", "id")))


def _file_article(key: str, path: str, folders: dict[str, str]) -> Article:
    """An article file, its fields from its folders (``path_fields``) and from its
    sidecar, a JSON object in the file of the same name ending in ``.json``."""
    text = read_article(path)
    sidecar = os.path.splitext(path)[0] + ".json"
    try:
        with open(sidecar, "rb") as fh:
            data = json.load(fh)
    except FileNotFoundError:
        data = {}
    except ValueError as e:  # not JSON, or not UTF-8
        raise InputError(f"{sidecar}: not valid JSON ({e})") from None
    if not isinstance(data, dict):
        raise InputError(f"{sidecar}: expected a JSON object of the article's fields")
    return Article(key, key, text, fields=archive_fields({**folders, **data}))


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

    def fields_schema(self) -> pa.Schema | None:
        """The Arrow types of the archive's fields, where the input declares them
        (Parquet); ``None`` where the run learns them from the values (JSON)."""
        return None

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

    def paths(self) -> Iterator[str]:
        """The files this input reads (none for ``(id, text)`` pairs)."""
        return iter(())

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
    written (ids start with it) and ``pattern`` the rest. ``exclude``: paths never read.
    ``path_fields``: names for the first folders of a path under ``root``
    (``["outlet", "date"]`` for ``bbc.co.uk/2024-05-01/ferry.txt``)."""

    root: str
    prefix: str = ""
    pattern: str | None = None
    exclude: list[str] = field(default_factory=list)
    path_fields: list[str] = field(default_factory=list)
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
            folders = dict(zip(self.path_fields, map(clean_text, rel.split("/")[:-1]), strict=False))
            yield key, key, partial(_file_article, key, os.path.join(self.root, rel), folders)

    def paths(self) -> Iterator[str]:
        return (os.path.join(self.root, rel) for _, rel, _ in self.keys())

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

    def paths(self) -> Iterator[str]:
        return iter([self.path])

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

    def paths(self) -> Iterator[str]:
        return iter([self.path])

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
        try:
            self.fields, self.fill_outlet = parquet_fields(schema, skip=("text", "id"))
        except BatchError as e:
            raise BatchError(f"{self.path}: {e}") from None

    def fields_schema(self) -> pa.Schema:
        return self.fields

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
        for batch in self.file.iter_batches(CHUNK_ARTICLES, row_groups=[g for g, _, _ in groups]):
            texts = batch.column("text").cast(pa.large_binary()).to_pylist()  # bytes: no str to encode again
            ids = batch.column("id").to_pylist() if "id" in batch.schema.names else [None] * len(texts)
            names = [n for n in batch.schema.names if n not in ("text", "id")]
            values = [to_json_values(batch.column(n)) for n in names]
            for i, (text, raw_id) in enumerate(zip(texts, ids, strict=True)):
                if row >= row0:
                    key, name = str(row), f"{self.path}[{row}]"
                    fields = archive_fields({n: v[i] for n, v in zip(names, values, strict=True)}, (), self.fill_outlet)
                    yield key, name, partial(_text_article, key, raw_id, text, name, fields)
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


def open_input(
    source: str | Path | Iterable[tuple[str, str]], exclude: Iterable[Path] = (), path_fields: Iterable[str] = ()
) -> BatchInput:
    """The input for a folder, glob pattern, ``.jsonl`` or ``.parquet`` path, or an
    iterable of ``(id, text)`` pairs. ``exclude``: files never to read (the run's own output):
    an input file that is one of them is refused (:func:`refuse_input_as_output`).
    ``path_fields``: names for the first folders of each file's path (folder and glob only)."""
    path_fields = list(path_fields)
    if any(not name or "/" in name for name in path_fields) or len(set(path_fields)) < len(path_fields):
        raise BatchError(f"path fields {','.join(path_fields)!r}: give distinct names, such as outlet,date")
    if path_fields and (not isinstance(source, str | Path) or Path(source).is_file()):
        raise BatchError("path fields name the folders of a folder or glob input; this input has none")
    if not isinstance(source, str | Path):
        return ItemsInput(source)
    skip = sorted(str(Path(p).resolve()) for p in exclude)
    path = Path(source)
    if path.is_dir():
        return FilesInput(str(path.resolve()), path_fields=path_fields)
    if path.is_file():
        refuse_input_as_output([path], *exclude)
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
        return FilesInput(str(Path(prefix or ".").resolve()), prefix, "/".join(parts[literal:]), skip, path_fields)
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
