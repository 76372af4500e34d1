"""Making and measuring models: ``claimcheck eval`` (:mod:`claimcheck.evaluation.harness`),
``claimcheck train`` (:mod:`claimcheck.training.train`) and ``claimcheck fit-scoring``
(:mod:`claimcheck.training.fit_scoring`). Each imports its library inside the command:
training code (torch, transformers, scikit-learn) is not loaded for the other commands."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import Progress

from claimcheck.cli.common import ModelOpt, PrecisionOpt, RatingsOpt, ScoringOpt, app, err, examples, load_checker
from claimcheck.files import is_stdout
from claimcheck.formats import print_eval
from claimcheck.io import BRAT_SUFFIXES, read_labels
from claimcheck.listings import before_after_table
from claimcheck.outputs import check_output


@app.command(
    "eval",
    epilog=examples(
        "claimcheck eval labels.jsonl",
        "claimcheck eval polnear/ --model baseline -o metrics.json",
    ),
)
def evaluate(
    data: Annotated[Path, typer.Argument(metavar="DATA", help="Labelled JSONL file or PolNeAR-style folder.")],
    model: ModelOpt = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", "-o", metavar="FILE", help="Write the metrics JSON here (- is stdout; the tables go to stderr)."
        ),
    ] = None,
    batch_size: Annotated[
        int,
        typer.Option(min=1, metavar="N", help="Articles the model reads at once: more is faster, uses more memory."),
    ] = 16,
    scoring: ScoringOpt = None,
    ratings: RatingsOpt = None,
    precision: PrecisionOpt = None,
) -> None:
    """Score a model on labelled articles: spans, types, claims, quality, speed."""
    from claimcheck.evaluation.harness import evaluate as run_eval
    from claimcheck.evaluation.harness import write_metrics

    check_output(out, [data, scoring, *(ratings or ())], folder_suffixes=BRAT_SUFFIXES)
    labelled = read_labels(data)
    checker = load_checker(model, scoring, ratings, precision)
    with Progress(console=err, transient=True) as progress:
        task = progress.add_task("evaluating", total=len(labelled))
        metrics = run_eval(checker, labelled, batch_size, progress=lambda n: progress.advance(task, n))
    if out:
        write_metrics(out, metrics, data)
    print_eval(err if out and is_stdout(out) else Console(), metrics)


@app.command(
    epilog=examples(
        "claimcheck train -c configs/baseline.yaml",
        "claimcheck train -c configs/baseline.yaml --set C=2.0",
        "claimcheck train -c configs/tagger.yaml --add batch.jsonl -o ~/models/mine",
        "claimcheck train -c configs/tagger.yaml --snapshot -o ~/models/best-so-far",
    )
)
def train(
    config: Annotated[
        Path, typer.Option("--config", "-c", metavar="FILE", help="A YAML training config (see configs/).")
    ],
    overrides: Annotated[
        list[str] | None,
        typer.Option("--set", metavar="KEY=VALUE", help="Override a config key, e.g. --set C=2.0; may be repeated."),
    ] = None,
    add: Annotated[
        Path | None,
        typer.Option(
            "--add", metavar="LABELS", help="New labels (JSONL, Label Studio .json or BRAT folder) to continue on."
        ),
    ] = None,
    start: Annotated[
        str | None,
        typer.Option("--from", metavar="NAME", help="The model to continue from (default: the default model)."),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", "-o", metavar="FOLDER", help="Where to write the new model (with --add or --type-head-only)."
        ),
    ] = None,
    type_head_only: Annotated[
        bool,
        typer.Option(
            "--type-head-only",
            help="Refit only the type head of --from (default: the config's output) on the config's type labels; "
            "the config's inference settings (context, min_detection) are applied and the figures renewed.",
        ),
    ] = False,
    snapshot: Annotated[
        bool,
        typer.Option(
            "--snapshot",
            help="Save the best epoch so far of an unfinished run as a model (to --out or the config's output); "
            "the run's checkpoint stays, and the same train command carries on from it.",
        ),
    ] = False,
) -> None:
    """Train a model from a config, or continue one on new labels (--add), and write its model folder."""
    import logging

    from claimcheck.training.train import (
        continue_from_config,
        refit_type_head_from_config,
        snapshot_from_config,
        train_from_config,
    )

    logging.basicConfig(level=logging.INFO, format="%(message)s")
    if snapshot:
        folder = snapshot_from_config(config, out, overrides)
    elif type_head_only:
        folder = refit_type_head_from_config(config, start, out, overrides)
    elif add is None:
        folder = train_from_config(config, overrides)
    else:
        from claimcheck.training.continuing import SHOWN

        result = continue_from_config(config, add, start, out, overrides)
        folder = result.folder
        console = Console()
        console.print(before_after_table(result.rows(SHOWN)))
        console.print(result.check["note"], highlight=False, markup=False)
    err.print(f"model written to {folder}")


@app.command(
    "fit-scoring",
    epilog=examples(
        "claimcheck fit-scoring labels.jsonl",
        "claimcheck fit-scoring labels.jsonl -o weights.yaml --alpha 0.5",
        "claimcheck check article.txt --scoring weights.yaml",
    ),
)
def fit_scoring(
    data: Annotated[
        Path, typer.Argument(metavar="DATA", help="Labelled JSONL with a quality (1-5) on each attribution.")
    ],
    out: Annotated[
        Path, typer.Option("--out", "-o", metavar="FILE", help="Where to write the fitted weights YAML (- is stdout).")
    ] = Path("scoring.fitted.yaml"),
    model: ModelOpt = None,
    alpha: Annotated[float, typer.Option(metavar="ALPHA", help="Ridge regularisation strength.")] = 1.0,
) -> None:
    """Fit the sourcing-score weights to labelled quality; prints cross-validated Spearman."""
    from claimcheck.training.fit_scoring import fit_scoring_file

    check_output(out, [data], folder_suffixes=BRAT_SUFFIXES)
    result = fit_scoring_file(data, out, lambda: load_checker(model), alpha=alpha)
    err.print(result.summary())
    if not is_stdout(out):
        err.print(f"weights written to {out}; use them with --scoring {out}")
