"""``claimcheck batch``: an archive checked into one row per claim (:func:`claimcheck.batch.run_batch`)."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import MofNCompleteColumn, Progress, ProgressColumn, Task, TimeRemainingColumn
from rich.text import Text

from claimcheck.cli.common import ModelOpt, PrecisionOpt, RatingsOpt, ScoringOpt, app, err, examples, fail


class Engine(StrEnum):
    local = "local"
    ray = "ray"


class _RateColumn(ProgressColumn):
    """Articles per second."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text("" if speed is None else f"{speed:.1f} articles/s", style="progress.data.speed")


@app.command(
    epilog=examples(
        "claimcheck batch archive/ claims.parquet",
        "claimcheck batch 'archive/**/*.txt' claims.jsonl --batch-size 32",
        "claimcheck batch articles.jsonl claims.parquet --engine ray --workers 8",
        "claimcheck batch archive/ claims.parquet --path-fields outlet,date",
    )
)
def batch(
    source: Annotated[
        str,
        typer.Argument(
            metavar="INPUT",
            help="A folder of .txt/.html articles, a quoted glob ('archive/**/*.txt'), a .jsonl or a .parquet file.",
        ),
    ],
    output: Annotated[Path, typer.Argument(metavar="OUTPUT", help="One row per claim: a .jsonl or .parquet file.")],
    model: ModelOpt = None,
    scoring: ScoringOpt = None,
    ratings: RatingsOpt = None,
    precision: PrecisionOpt = None,
    batch_size: Annotated[
        int, typer.Option(min=1, metavar="N", help="Articles per model call and per saved batch.")
    ] = 16,
    engine: Annotated[
        Engine, typer.Option(metavar="ENGINE", help="local: this process; ray: a Ray Data actor pool.")
    ] = Engine.local,
    address: Annotated[
        str | None,
        typer.Option(metavar="ADDRESS", help="Ray cluster to join (default: $RAY_ADDRESS, else start a local one)."),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            min=1,
            metavar="N",
            help="Most Ray workers, each loading the model once (default: CPUs / --cpus-per-worker).",
        ),
    ] = None,
    cpus_per_worker: Annotated[
        float, typer.Option(min=0.01, metavar="CPUS", help="CPUs each Ray worker asks for.")
    ] = 1.0,
    path_fields: Annotated[
        str | None,
        typer.Option(
            metavar="NAMES",
            help="A folder input's first folders as fields of its rows: outlet,date for outlet/2024-05-01/x.txt.",
        ),
    ] = None,
    overwrite: Annotated[bool, typer.Option("--overwrite", help="Replace a finished OUTPUT.")] = False,
) -> None:
    """Check an archive of articles into one row per claim; an interrupted run resumes when rerun."""
    from claimcheck.batch import run_batch, summary_lines

    columns = (*Progress.get_default_columns()[:-1], MofNCompleteColumn(), _RateColumn(), TimeRemainingColumn())
    # on a stderr that is no terminal the bar draws nothing (rich would still end it with a blank line)
    with Progress(*columns, console=err, transient=True, disable=not err.is_terminal) as progress:
        task = progress.add_task("checking", total=None, start=False)

        def on_progress(done: int, total: int | None) -> None:
            if not progress.tasks[0].started:  # the first call: articles done by an earlier run
                progress.update(task, total=total, completed=done)
                progress.start_task(task)
            else:
                progress.update(task, completed=done)

        try:
            summary = run_batch(
                source,
                output,
                model=model,
                scoring=scoring,
                ratings=ratings or (),
                precision=precision,
                batch_size=batch_size,
                engine=engine.value,
                address=address,
                workers=workers,
                cpus_per_worker=cpus_per_worker,
                path_fields=path_fields.split(",") if path_fields else (),
                overwrite=overwrite,
                progress=on_progress,
            )
        except KeyboardInterrupt:
            raise fail("interrupted; finished batches are saved: rerun the same command to resume", 130) from None
    for line in summary_lines(summary, output):
        err.print(escape(line), highlight=False)
