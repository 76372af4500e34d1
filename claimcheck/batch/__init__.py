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
``(id, text)`` pairs. The archive's fields (a JSONL object's other members, a Parquet
file's other columns, a sidecar ``NAME.json`` beside an article file, named folders) go
onto every row of their article, typed; see :mod:`claimcheck.batch.fields`.

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

from claimcheck.batch.base import Article, ArticleResult, BatchError, BatchSummary, Progress
from claimcheck.batch.checking import check_articles
from claimcheck.batch.inputs import (
    ARTICLE_SUFFIXES,
    CHUNK_ARTICLES,
    BatchInput,
    FilesInput,
    ItemsInput,
    JsonlInput,
    ParquetInput,
    open_input,
)
from claimcheck.batch.ledger import LEDGER_VERSION, STAGING_BLOCK_BYTES
from claimcheck.batch.output import COLUMNS, OUTPUT_FORMATS, output_format, output_schema
from claimcheck.batch.ray_engine import RAY_BLOCK_BYTES
from claimcheck.batch.run import run_batch, summary_lines

__all__ = [
    "ARTICLE_SUFFIXES",
    "CHUNK_ARTICLES",
    "COLUMNS",
    "LEDGER_VERSION",
    "OUTPUT_FORMATS",
    "RAY_BLOCK_BYTES",
    "STAGING_BLOCK_BYTES",
    "Article",
    "ArticleResult",
    "BatchError",
    "BatchInput",
    "BatchSummary",
    "FilesInput",
    "ItemsInput",
    "JsonlInput",
    "ParquetInput",
    "Progress",
    "check_articles",
    "open_input",
    "output_format",
    "output_schema",
    "run_batch",
    "summary_lines",
]
