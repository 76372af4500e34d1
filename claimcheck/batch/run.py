"""The run: :func:`run_batch` checks an input with the local or the Ray engine and
commits each batch through the ledger."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from functools import partial
from itertools import chain, islice
from pathlib import Path
from typing import Any, Literal

from claimcheck.batch.base import ArticleResult, BatchError, BatchSummary, Progress, _pyarrow_parquet
from claimcheck.batch.checking import check_articles
from claimcheck.batch.fields import renamed
from claimcheck.batch.inputs import BatchInput, ItemsInput, _resume_place, open_input
from claimcheck.batch.ledger import LEDGER_VERSION, _locked, _Writer
from claimcheck.batch.output import output_format
from claimcheck.batch.ray_engine import _run_ray
from claimcheck.files import is_special, resolve_link
from claimcheck.outputs import check_writable, refuse_input_as_output
from claimcheck.pipeline import Checker
from claimcheck.wording import plural


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
    path_fields: Iterable[str] = (),
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
        path_fields: names for the first folders of each article's path, as fields of its
            rows (a folder or glob input; ``["outlet", "date"]`` for ``bbc.co.uk/2024-05-01/x.txt``).
        overwrite: replace a finished output (and start afresh over an unfinished one).
        progress: called as ``progress(done, total)`` at the start and after each batch,
            ``done`` counting articles finished by earlier runs too; ``total`` may be ``None``.

    Raises:
        BatchError: for a bad input or output, an output that exists, or one another run holds.
        OutputError: an output (or a file beside it) that cannot be written or is one of the inputs.
        KeyboardInterrupt: as raised; committed batches are kept and a rerun resumes.
    """
    output, ratings, fmt, src = _open_run(source, output, scoring, ratings, checker, batch_size, engine, path_fields)
    config = _config(checker, model, scoring, ratings, precision)
    header = {"claimcheck_batch": LEDGER_VERSION, "input": src.spec(), "format": fmt, "config": config}
    output.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with _locked(output):
        writer = _Writer(output, fmt, header, overwrite)
        summary = BatchSummary(output=output, skipped=writer.done, total=src.count())
        start = _resume_place(src, writer.done, writer.last)
        writer.open()
        commit = partial(_commit, writer, summary, progress)
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
                _run_local(src, start, commit, checker, batch_size)
            summary.fields = writer.finish(src.fields_schema())
        finally:
            writer.close()
            summary.seconds = round(time.perf_counter() - started, 3)
    summary.errors_path = writer.errors if writer.errors.exists() else None
    return summary


def _open_run(
    source: str | Path | Iterable[tuple[str, str]],
    output: str | Path,
    scoring: str | Path | None,
    ratings: Iterable[str | Path],
    checker: Checker | None,
    batch_size: int,
    engine: str,
    path_fields: Iterable[str],
) -> tuple[Path, list[str | Path], str, BatchInput]:
    """Check the options and open the input, before any file is touched or the model loads:
    the output as a path, the ratings as a list, the output's format and the input. The
    output and the files beside it must be writable and none of the inputs."""
    if batch_size < 1:
        raise BatchError("batch size must be at least 1")
    if engine not in ("local", "ray"):
        raise BatchError(f"unknown engine {engine!r}; use local or ray")
    given = Path(output)
    ratings = list(ratings)
    fmt = output_format(given)
    output = resolve_link(given)  # a symlink is written through: its target is the output
    if fmt == "parquet":
        _pyarrow_parquet()
    if output.is_dir():
        raise BatchError(f"{output}: is a folder; give an output file (.jsonl or .parquet)")
    if is_special(output):  # never replaced nor cut back; a resumable run needs a regular file
        raise BatchError(f"{output}: is not a regular file (a pipe or device); give a file, or stream with check -o")
    beside = [output.with_name(output.name + s) for s in (".progress.jsonl", ".errors.jsonl", ".staging.jsonl")]
    own = [given, *beside]  # named as given in messages
    lock = output.with_name(output.name + ".lock")
    for path in (output, *beside, lock):
        check_writable(path)
    src = open_input(source, exclude=own, path_fields=path_fields)
    refuse_input_as_output(chain(src.paths(), [scoring], ratings), *own, lock)
    if engine == "ray":
        if checker is not None:
            raise BatchError("engine 'ray' loads the model in each worker: pass model=..., not a checker")
        if isinstance(src, ItemsInput):
            raise BatchError("engine 'ray' needs a folder, glob, .jsonl or .parquet input that its workers can read")
    return output, ratings, fmt, src


def _commit(writer: _Writer, summary: BatchSummary, progress: Progress | None, results: list[ArticleResult]) -> None:
    """Commit one batch, count it in the summary and report progress."""
    writer.commit(results)
    for r in results:
        summary.articles += r.error is None
        summary.errors += r.error is not None
        summary.claims += len(r.rows or ())
    if progress:
        progress(writer.state["done"], summary.total)


def _run_local(
    src: BatchInput,
    start: Any,
    commit: Callable[[list[ArticleResult]], None],
    checker: Checker,
    batch_size: int,
) -> None:
    """The ``local`` engine: read and check ``batch_size`` articles at a time in this process."""
    articles = src.read(start)
    while group := list(islice(articles, batch_size)):
        commit(check_articles(checker, group))


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


def summary_lines(summary: BatchSummary, output: str | Path | None = None) -> list[str]:
    """What a run did, for its user: the closing line (articles, claims, errors and speed,
    naming ``output``, by default the summary's own), then the archive fields it had to
    rename, if any."""
    rate = summary.articles / summary.seconds if summary.seconds else 0.0
    where = summary.output if output is None else output
    line = f"{plural(summary.articles, 'article')} checked, {plural(summary.claims, 'claim')} written to {where}"
    if summary.skipped:
        line += f"; {summary.skipped} done by an earlier run"
    line += f"; {plural(summary.errors, 'error')}"
    if summary.errors_path:
        line += f" (see {summary.errors_path})"
    lines = [f"{line}; {summary.seconds:.1f} s, {rate:.1f} articles/s"]
    if moved := renamed(summary.fields):
        names = ", ".join(f"{old} as {new}" for old, new in moved.items())
        lines.append(f"archive fields named like output columns are written as: {names}")
    return lines
