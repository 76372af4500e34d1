"""The dashboard's figures as flat tables, for people who chart their own: one row per
outlet and month, per outlet and overall, and the most cited sources of each; written as
CSV, and as Parquet where pyarrow is installed."""

from __future__ import annotations

import csv
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from claimcheck.dashboard.aggregate import ROW_FLAGS, Dashboard
from claimcheck.dashboard.counting import GroupStats, TopCounter
from claimcheck.data import ATTRIBUTION_TYPES
from claimcheck.files import open_output

#: The most cited sources written per group.
TOP_SOURCES = 10
#: ``level``: "month" (one outlet in one month), "outlet" (one outlet, all months), "all".
LEVELS = ("month", "outlet", "all")


def aggregate_columns(by: str = "outlet") -> list[str]:
    return [
        "level",
        by,
        "month",
        "articles",
        "articles_unsourced",
        "claims",
        "attributed",
        *(f"claims_{t}" for t in ATTRIBUTION_TYPES),
        *(f"share_{t}" for t in ATTRIBUTION_TYPES),
        "anonymous_share",
        "anonymous_reason_share",
        "scored_claims",
        "score_mean",
        "score_sd",
        "score_q1",
        "score_median",
        "score_q3",
        *(f"flag_{f}" for f in ROW_FLAGS),
    ]


def source_columns(by: str = "outlet") -> list[str]:
    return ["level", by, "month", "rank", "source", "claims", "error"]


def _round(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(value, digits)


def group_record(stats: GroupStats) -> dict[str, Any]:
    """The figures of one group, by the names of :func:`aggregate_columns`."""
    record: dict[str, Any] = {
        "articles": stats.articles,
        "articles_unsourced": stats.articles_unsourced,
        "claims": stats.claims,
        "attributed": stats.attributed,
    }
    record.update({f"claims_{t}": n for t, n in stats.type_counts().items()})
    record.update({f"share_{t}": _round(stats.share(t)) for t in ATTRIBUTION_TYPES})
    record.update(
        anonymous_share=_round(stats.anonymous_share),
        anonymous_reason_share=_round(stats.reason_share),
        scored_claims=stats.score_n,
        score_mean=_round(stats.score_mean),
        score_sd=_round(stats.score_sd),
        score_q1=_round(stats.quantile(0.25)),
        score_median=_round(stats.quantile(0.5)),
        score_q3=_round(stats.quantile(0.75)),
    )
    record.update({f"flag_{f}": stats.flags[f] for f in ROW_FLAGS})
    return record


def aggregate_records(board: Dashboard) -> Iterator[dict[str, Any]]:
    """Per outlet: its months in order, then the outlet; last, everything."""
    months = board.months()
    for outlet in board.outlet_names():
        for month in months:
            if (stats := board.groups.get((outlet, month))) is not None:
                yield {"level": "month", board.by: outlet, "month": month, **group_record(stats)}
        yield {"level": "outlet", board.by: outlet, "month": None, **group_record(board.outlets[outlet])}
    yield {"level": "all", board.by: None, "month": None, **group_record(board.total)}


def _source_records(level: str, by: str, outlet: str | None, month: str | None, counter: TopCounter):
    for rank, (name, n, error) in enumerate(counter.most_common(TOP_SOURCES), start=1):
        yield {"level": level, by: outlet, "month": month, "rank": rank, "source": name, "claims": n, "error": error}


def source_records(board: Dashboard) -> Iterator[dict[str, Any]]:
    """The :data:`TOP_SOURCES` most cited sources per outlet and month, per outlet and overall.
    ``claims`` is exact where ``error`` is 0, else an upper bound that is at most ``error`` too high."""
    months = board.months()
    for outlet in board.outlet_names():
        for month in months:
            if (counter := board.group_sources.get((outlet, month))) is not None:
                yield from _source_records("month", board.by, outlet, month, counter)
        yield from _source_records("outlet", board.by, outlet, None, board.outlet_sources[outlet])
    yield from _source_records("all", board.by, None, None, board.all_sources)


def aggregate_paths(output: str | os.PathLike[str]) -> dict[str, Path]:
    """Where the tables beside ``page.html`` go: ``page.aggregates.csv``, ``page.sources.csv``
    and their ``.parquet`` twins."""
    out = Path(output)
    base = out.with_suffix("") if out.suffix.lower() in (".html", ".htm") else out
    return {
        f"{table}.{ext}": base.with_name(f"{base.name}.{table}.{ext}")
        for table in ("aggregates", "sources")
        for ext in ("csv", "parquet")
    }


def write_tables(board: Dashboard, output: str | os.PathLike[str]) -> list[Path]:
    """Write the aggregates and sources tables beside ``output`` (CSV always, Parquet when
    pyarrow is installed); the paths written."""
    paths = aggregate_paths(output)
    tables = {
        "aggregates": (aggregate_columns(board.by), list(aggregate_records(board))),
        "sources": (source_columns(board.by), list(source_records(board))),
    }
    written = []
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        parquet = False
    else:
        parquet = True
    for name, (columns, records) in tables.items():
        with open_output(paths[f"{name}.csv"], "w", newline="") as fh:
            writer = csv.DictWriter(fh, fieldnames=columns, lineterminator="\n")
            writer.writeheader()
            writer.writerows({k: "" if v is None else v for k, v in r.items()} for r in records)
        written.append(paths[f"{name}.csv"])
        if parquet:
            _write_parquet(paths[f"{name}.parquet"], columns, records)
            written.append(paths[f"{name}.parquet"])
    return written


def _write_parquet(path: Path, columns: list[str], records: list[dict[str, Any]]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    def kind(column: str) -> pa.DataType:
        if column in ("level", "month", "source") or column == columns[1]:
            return pa.string()
        if column.startswith(("share_", "score_", "anonymous_")):
            return pa.float64()
        return pa.int64()

    schema = pa.schema([(c, kind(c)) for c in columns])
    table = pa.Table.from_pylist(records, schema=schema)
    with open_output(path, "wb") as fh:
        pq.write_table(table, fh)
