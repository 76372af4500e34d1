"""``claimcheck dashboard``: claim rows added up into one page (:func:`claimcheck.dashboard.build_dashboard`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn

from claimcheck.cli.common import app, err, examples


@app.command(
    epilog=examples(
        "claimcheck dashboard claims.parquet -o sourcing.html",
        "claimcheck dashboard 2023.jsonl 2024.jsonl -o desks.html --by section",
    )
)
def dashboard(
    rows: Annotated[list[Path], typer.Argument(metavar="ROWS", help="Claim rows: .jsonl/.parquet of batch, .csv.")],
    output: Annotated[
        Path, typer.Option("--output", "-o", metavar="PAGE", help="The page; its tables are written beside it.")
    ],
    by: Annotated[str, typer.Option(metavar="COLUMN", help="The column that groups articles.")] = "outlet",
    top: Annotated[int, typer.Option(min=1, metavar="N", help="Outlets shown one by one; the rest together.")] = 12,
    title: Annotated[str, typer.Option(help="The page's title.")] = "How the archive is sourced",
    no_tables: Annotated[bool, typer.Option("--no-tables", help="Write the page only.")] = False,
) -> None:
    """Add up claim rows per outlet and month into one self-contained HTML page."""
    from claimcheck.dashboard import LARGE_INPUT_BYTES, build_dashboard, inputs_size

    columns = (TextColumn("reading rows"), BarColumn(), TaskProgressColumn(), TextColumn("{task.fields[n]:,} rows"))
    small = inputs_size(rows) < LARGE_INPUT_BYTES
    with Progress(
        *columns, TimeRemainingColumn(), console=err, transient=True, disable=small or not err.is_terminal
    ) as bar:
        task = bar.add_task("rows", total=None, n=0)
        result = build_dashboard(
            rows, output, by=by, top=top, title=title, tables=not no_tables,
            progress=lambda done, total, n: bar.update(task, completed=done, total=total, n=n),
        )  # fmt: skip
    err.print(escape(result.summary(by)), highlight=False)
