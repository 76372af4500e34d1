"""The output's columns, its Parquet schema, and its format by extension."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from claimcheck.batch.base import BatchError

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
    "content",
    "quote_kind",
)
OUTPUT_FORMATS = ("jsonl", "parquet")


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
            ("content", pa.string()),
            ("quote_kind", pa.string()),
        ]
    )


def output_format(output: str | Path) -> str:
    suffix = Path(output).suffix.lower().lstrip(".")
    if suffix not in OUTPUT_FORMATS:
        raise BatchError(f"{output}: unknown output extension; use .jsonl or .parquet")
    return suffix
