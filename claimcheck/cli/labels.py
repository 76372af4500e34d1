"""Labels: ``claimcheck convert`` between label formats (:mod:`claimcheck.io`), ``claimcheck label``
to correct predictions (:mod:`claimcheck.labeling`)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from claimcheck.cli.common import app, err, examples
from claimcheck.io import BRAT_SUFFIXES, convert_labels, label_format
from claimcheck.labeling import ReviewOrder
from claimcheck.outputs import check_output


@app.command(
    epilog=examples(
        "claimcheck convert polnear/ labels.jsonl",
        "claimcheck convert labels.jsonl tasks.json",
        "claimcheck convert export.json brat/ --from labelstudio --to brat",
    )
)
def convert(
    source: Annotated[
        Path, typer.Argument(metavar="SOURCE", help="Labels: a BRAT folder, a Label Studio .json or a labelled .jsonl.")
    ],
    output: Annotated[
        Path, typer.Argument(metavar="OUTPUT", help="Where to write: a folder (BRAT), .json (Label Studio) or .jsonl.")
    ],
    from_format: Annotated[
        str | None,
        typer.Option("--from", metavar="FORMAT", help="jsonl, brat or labelstudio (default: by the path)."),
    ] = None,
    to_format: Annotated[
        str | None, typer.Option("--to", metavar="FORMAT", help="jsonl, brat or labelstudio (default: by the path).")
    ] = None,
) -> None:
    """Convert labels between labelled-example JSONL, BRAT standoff (PolNeAR) and Label Studio JSON."""
    check_output(output, [source], folder=label_format(output, to_format) == "brat", folder_suffixes=BRAT_SUFFIXES)
    articles, attributions = convert_labels(source, output, from_format, to_format)
    err.print(f"wrote {articles} articles, {attributions} attributions to {output}")


@app.command(
    epilog=examples(
        "claimcheck check articles/*.txt --format labels -o batch.jsonl",
        "claimcheck label batch.jsonl",
    )
)
def label(
    batch: Annotated[
        Path, typer.Argument(metavar="BATCH", help="Predictions to correct (from 'claimcheck check --format labels').")
    ],
    order: Annotated[
        ReviewOrder,
        typer.Option(
            help="consequence: confident sources with no quotation or speech verb in their sentence, then headline "
            "sources, then the types that move the score most; confidence: least confident first."
        ),
    ] = ReviewOrder.consequence,
) -> None:
    """Correct predictions claim by claim, the costliest mistakes first (--order), one key per answer; saves after
    every answer and resumes. Ctrl-C stops (exit 130) after saving."""
    from claimcheck.labeling import run_labeling

    try:
        result = run_labeling(batch, order=order)
    except KeyboardInterrupt:  # before the first answer: nothing to save
        err.print("interrupted; nothing changed.")
        raise typer.Exit(130) from None
    err.print(f"{result.summary()} Corrections are in {batch}.", highlight=False, markup=False)
    if result.interrupted:
        raise typer.Exit(130)
