"""What a batch run passes between its parts: the articles read, the results checked,
the summary returned, and the one error type a run raises."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from claimcheck.errors import BatchError

Progress = Callable[[int, int | None], None]


@dataclass(frozen=True)
class Article:
    """One article of the input. ``key`` is what the ledger records; ``id`` is what the
    output calls it. ``error`` is set, and ``text`` ``None``, when it could not be read.
    ``fields``: the archive's fields for its rows (see :mod:`claimcheck.batch.fields`)."""

    key: str
    id: str
    text: str | None
    error: str | None = None
    fields: dict[str, Any] | None = None


@dataclass
class ArticleResult:
    """A checked article: its claim rows as JSONL lines (possibly none), or the error that
    stopped it; ``fields`` as the article had them (the run learns their types from them)."""

    key: str
    id: str
    rows: list[bytes] | None
    error: str | None = None
    fields: dict[str, Any] | None = None


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
    #: the archive's fields in the output, as columns named (see :mod:`claimcheck.batch.fields`)
    fields: list[str] = field(default_factory=list)


def _pyarrow_parquet():
    try:
        import pyarrow.parquet as pq
    except ImportError:
        raise BatchError("Parquet needs pyarrow: pip install 'claimcheck[batch]'") from None
    return pq
