"""``claimcheck check``: articles in, reports out (:func:`claimcheck.report_writer.write_reports`)."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from claimcheck.cli.common import (
    ModelOpt,
    PrecisionOpt,
    RatingsOpt,
    ScoringOpt,
    app,
    err,
    examples,
    fail,
    load_checker,
)
from claimcheck.outputs import check_output
from claimcheck.report_writer import to_stdout, write_reports
from claimcheck.runner import Checked


class Format(StrEnum):
    table = "table"
    json = "json"
    jsonl = "jsonl"
    csv = "csv"
    markdown = "markdown"
    html = "html"
    labels = "labels"


@app.command(
    epilog=examples(
        "claimcheck check article.txt",
        "claimcheck check article.txt --verbose",
        "claimcheck check a.txt b.html --format json -o reports.json",
        "cat article.txt | claimcheck check - --format markdown",
    )
)
def check(
    files: Annotated[
        list[str], typer.Argument(metavar="FILE", help="Article files (.txt or .html), or - for standard input.")
    ],
    fmt: Annotated[
        Format,
        typer.Option(
            "--format",
            "-f",
            metavar="FORMAT",
            help=(
                "table (for people), json (a list, one report per file), jsonl (one report a line), "
                "csv (one row per claim), markdown, html, or labels (predictions to correct with 'claimcheck label')."
            ),
        ),
    ] = Format.table,
    model: ModelOpt = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", metavar="FILE", help="Write to this file instead of stdout (- is stdout)."),
    ] = None,
    batch_size: Annotated[
        int,
        typer.Option(
            min=1,
            metavar="N",
            help="Segments of a very long article the model reads at once: more is faster, uses more memory.",
        ),
    ] = 16,
    scoring: ScoringOpt = None,
    ratings: RatingsOpt = None,
    precision: PrecisionOpt = None,
    verbose: Annotated[
        bool,
        typer.Option(
            "--verbose", "-v", help="In the table, every reason for each claim's score, not just the top one."
        ),
    ] = False,
) -> None:
    """Find who stands behind each claim of the articles, and score the sourcing.

    The table gives each claim's score, source and type, and the main reason for its score (--verbose: all reasons); then the article's sourcing score and flags. Articles are checked up to 8 at a time; each batch's results are written as soon as it is done.
    """
    check_output(out, [*files, scoring, *(ratings or ())])
    # the streamed output itself shows progress on a terminal; a bar there would garble it
    quiet = len(files) < 2 or (to_stdout(out) and sys.stdout.isatty())
    columns = (SpinnerColumn(), TextColumn("checking"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    bar = Progress(
        *columns,
        console=err,
        transient=True,
        disable=quiet or not err.is_terminal,
        redirect_stdout=False,
        redirect_stderr=False,
    )
    task = bar.add_task("checking", total=len(files))

    def load() -> Any:
        checker = load_checker(model, scoring, ratings, precision)
        bar.start()  # after the model's "Loading model" spinner, a live display too
        return checker

    def on_checked(item: Checked) -> None:
        if item.report is None:
            err.print(f"[red]claimcheck: error:[/] {escape(item.error or item.name)}", highlight=False)
        bar.advance(task)

    try:
        written = write_reports(
            files, out, fmt.value, load, verbose=verbose, batch_size=batch_size, on_checked=on_checked
        )
    finally:
        bar.stop()
    if written.interrupted:
        raise fail(escape(written.interrupted_line()), 130)
    if written.failed:
        raise typer.Exit(1)
