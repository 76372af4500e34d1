"""How an archive is sourced: claim rows added up per outlet and month, as one page.

Example::

    from claimcheck.dashboard import build_dashboard

    result = build_dashboard(["claims.parquet"], "sourcing.html")
    print(result.rows, result.articles, result.outlets, result.tables)

``claimcheck batch`` writes the rows (JSONL or Parquet; ``claimcheck check --format csv``
writes CSV). They are read one at a time and added up as they are read
(:mod:`~claimcheck.dashboard.aggregate`), so memory stays flat however many rows there
are. The page (:mod:`~claimcheck.dashboard.page`) is self-contained: charts as inline
SVG drawn by matplotlib, a table of numbers beside each, nothing fetched. The figures are
also written as tables beside it (:mod:`~claimcheck.dashboard.tables`):
``sourcing.aggregates.csv`` and ``sourcing.sources.csv``, and the same as ``.parquet``
where pyarrow is installed.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from claimcheck.dashboard.aggregate import (
    ROW_FLAGS,
    Aggregator,
    Dashboard,
    aggregate,
    article_flags,
    month_of,
)
from claimcheck.dashboard.counting import ArticleFacts, GroupStats, Thinnest, TopCounter
from claimcheck.dashboard.page import render_dashboard
from claimcheck.dashboard.rows import LARGE_INPUT_BYTES, ProgressFn, check_inputs, inputs_size, read_rows
from claimcheck.dashboard.tables import aggregate_columns, aggregate_paths, write_tables
from claimcheck.dashboard.views import TOP_OUTLETS
from claimcheck.errors import DashboardError
from claimcheck.files import atomic_write_text
from claimcheck.outputs import check_output
from claimcheck.wording import plural

#: Column names the tables use for themselves; the grouping column cannot be one of them.
_RESERVED = frozenset(aggregate_columns("outlet")) - {"outlet"} | {"rank", "source", "error"}


@dataclass
class DashboardResult:
    """What :func:`build_dashboard` did."""

    page: Path
    rows: int
    articles: int
    outlets: int
    months: int
    tables: list[Path] = field(default_factory=list)

    def summary(self, by: str = "outlet") -> str:
        """One line for its user: what was added up (groups named ``by``) and the files written."""
        written = ", ".join(str(p) for p in [self.page, *self.tables])
        counts = f"{plural(self.outlets, by)}, {plural(self.months, 'month')}"
        return f"{plural(self.rows, 'claim')} of {plural(self.articles, 'article')} ({counts}): {written}"


def build_dashboard(
    rows: Sequence[str | os.PathLike[str]],
    output: str | os.PathLike[str],
    *,
    by: str = "outlet",
    top: int = TOP_OUTLETS,
    title: str = "How the archive is sourced",
    tables: bool = True,
    progress: ProgressFn | None = None,
) -> DashboardResult:
    """Read claim rows, add them up and write the page (and the tables beside it).

    Args:
        rows: ``.jsonl``, ``.csv`` or ``.parquet`` files of claim rows, read in order.
        output: the page to write (``sourcing.html``); written atomically.
        by: the column that groups articles: ``outlet`` (from the URL's domain where
            missing), or any other (``section``, ``author``).
        top: the outlets the page shows one by one; the others are shown together
            (the tables have every one).
        tables: also write the aggregate tables beside the page (:func:`aggregate_paths`).
        progress: called now and then with ``(bytes_done, bytes_total, rows_done)``.

    Raises:
        DashboardError: a missing, empty or unreadable rows file, rows of the wrong shape.
        OutputError: an output that cannot be written or is one of the inputs.
    """
    if by in _RESERVED:
        raise DashboardError(f"--by {by}: that name is taken by a column of the tables; group by another column")
    if top < 1:
        raise DashboardError("top must be at least 1")
    check_inputs(rows)
    outputs = [Path(output), *(aggregate_paths(output).values() if tables else ())]
    for path in outputs:
        check_output(path, rows)
    board = aggregate(read_rows(rows, progress, columns=Aggregator.columns(by)), by=by)
    written = write_tables(board, output) if tables else []
    page = render_dashboard(board, [os.fspath(r) for r in rows], title, top, [p.name for p in written])
    atomic_write_text(output, page)
    return DashboardResult(
        page=Path(output),
        rows=board.rows,
        articles=board.articles,
        outlets=sum(1 for o in board.outlets if o is not None),
        months=sum(1 for m in board.months() if m is not None),
        tables=written,
    )


__all__ = [
    "LARGE_INPUT_BYTES",
    "ROW_FLAGS",
    "TOP_OUTLETS",
    "Aggregator",
    "ArticleFacts",
    "Dashboard",
    "DashboardError",
    "DashboardResult",
    "GroupStats",
    "Thinnest",
    "TopCounter",
    "aggregate",
    "aggregate_paths",
    "article_flags",
    "build_dashboard",
    "inputs_size",
    "month_of",
    "read_rows",
    "render_dashboard",
    "write_tables",
]
