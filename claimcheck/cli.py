"""The ``claimcheck`` command: a thin layer over the library."""

from __future__ import annotations

import json
import signal
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from enum import StrEnum
from pathlib import Path
from typing import IO, Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import MofNCompleteColumn, Progress, ProgressColumn, Task, TimeRemainingColumn
from rich.text import Text

from claimcheck.data import ArticleReport, DataError
from claimcheck.files import atomic_write_text, is_stdout, open_output
from claimcheck.formats import print_eval, print_table, render_chunk, to_html, to_json
from claimcheck.io.documents import InputError, decode_article, read_article
from claimcheck.models.registry import ModelError

app = typer.Typer(add_completion=False, no_args_is_help=True, help=__doc__)
err = Console(stderr=True, soft_wrap=True)

ModelOpt = Annotated[str | None, typer.Option("--model", "-m", help="A shipped model name or a model folder.")]


class Format(StrEnum):
    table = "table"
    json = "json"
    jsonl = "jsonl"
    csv = "csv"
    markdown = "markdown"
    html = "html"
    labels = "labels"


def _fail(message: str, code: int = 1) -> typer.Exit:
    err.print(f"[red]claimcheck: error:[/] {message}", highlight=False)
    return typer.Exit(code)


ScoringOpt = Annotated[Path | None, typer.Option("--scoring", help="Sourcing-score weights YAML.")]
RatingsOpt = Annotated[
    list[Path] | None,
    typer.Option("--ratings", help="CSV of outlet ratings adding to or overriding the shipped table."),
]


class Precision(StrEnum):
    auto = "auto"
    fp32 = "fp32"
    bf16 = "bf16"
    int8 = "int8"


PrecisionOpt = Annotated[
    Precision | None,
    typer.Option(
        help="The fine-tuned model's arithmetic: auto (bf16 where the CPU has it), fp32, bf16, int8 (faster, less accurate)."
    ),
]


def _load_checker(
    model: str | None,
    scoring: Path | None = None,
    ratings: list[Path] | None = None,
    precision: Precision | None = None,
):
    from claimcheck.credibility import RatingsError
    from claimcheck.pipeline import Checker

    try:
        return Checker.load(model, scoring=scoring, ratings=ratings or (), precision=precision and precision.value)
    except (ModelError, RatingsError, ValueError, OSError) as e:
        raise _fail(str(e)) from None


class _CheckOutput:
    """Where ``check`` writes: standard output, or ``OUT`` by the rules of
    :mod:`claimcheck.files`, opened at the first write (a run that checks nothing leaves
    ``OUT`` as it was) and, for a regular file, put in place when the run ends."""

    def __init__(self, out: Path | None, fmt: Format, stack: ExitStack):
        self.out, self.fmt, self.stack = out, fmt, stack
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
                self.console = Console() if self.to_stdout else Console(file=fh, width=160)
            for name, report in items:
                print_table(self.console, name, report)
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


@app.command()
def check(
    files: Annotated[list[str], typer.Argument(help="Article files (.txt or .html), or - for standard input.")],
    fmt: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.table,
    model: ModelOpt = None,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Write to this file instead of stdout (- is stdout).")
    ] = None,
    batch_size: Annotated[int, typer.Option(min=1)] = 16,
    scoring: ScoringOpt = None,
    ratings: RatingsOpt = None,
    precision: PrecisionOpt = None,
) -> None:
    """Find who stands behind each claim of the articles, and score the sourcing."""
    failed = 0
    interrupted = False
    whole: list[tuple[str, ArticleReport]] = []  # json and html are rendered at the end
    try:
        with ExitStack() as stack, _sigterm_interrupts():
            output = _CheckOutput(out, fmt, stack)
            # the streamed output itself shows progress on a terminal; a bar there would garble it
            quiet = len(files) < 2 or (output.to_stdout and sys.stdout.isatty())
            progress = stack.enter_context(
                Progress(console=err, transient=True, disable=quiet, redirect_stdout=False, redirect_stderr=False)
            )
            task = progress.add_task("checking", total=len(files))
            checker = None
            chunk: list[tuple[str, str]] = []

            def run_chunk() -> None:
                """Check the articles read so far and write them: finished files are output at once."""
                nonlocal failed
                ids = [Path(n).stem if n != "-" else "stdin" for n, _ in chunk]
                # one article the checker fails on must not cost the others
                reports = checker.check_each([t for _, t in chunk], ids=ids, batch_size=batch_size)
                done = []
                for (name, _), report in zip(chunk, reports, strict=True):
                    if isinstance(report, Exception):
                        message = escape(f"{name}: cannot be checked ({report!r})")
                        err.print(f"[red]claimcheck: error:[/] {message}", highlight=False)
                        failed += 1
                    else:
                        done.append((name, report))
                if fmt in (Format.json, Format.html):
                    whole.extend(done)
                else:
                    output.write(done)
                progress.advance(task, len(chunk))
                chunk.clear()

            try:
                for name in files:  # read as they are reached: a slow input holds back no finished file
                    try:
                        text = decode_article(sys.stdin.buffer.read(), "<stdin>") if name == "-" else read_article(name)
                    except InputError as e:
                        err.print(f"[red]claimcheck: error:[/] {e}", highlight=False)
                        failed += 1
                        progress.advance(task)
                        continue
                    if checker is None:
                        checker = _load_checker(model, scoring, ratings, precision)
                    chunk.append((name, text))
                    if len(chunk) == batch_size:
                        run_chunk()
                if chunk:
                    run_chunk()
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


@app.command()
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
    batch_size: Annotated[int, typer.Option(min=1, help="Articles per model call and per saved batch.")] = 16,
    engine: Annotated[Engine, typer.Option(help="local: this process; ray: a Ray Data actor pool.")] = Engine.local,
    address: Annotated[
        str | None, typer.Option(help="Ray cluster to join (default: $RAY_ADDRESS, else start a local one).")
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option(min=1, help="Most Ray workers, each loading the model once (default: CPUs / --cpus-per-worker)."),
    ] = None,
    cpus_per_worker: Annotated[float, typer.Option(min=0.01, help="CPUs each Ray worker asks for.")] = 1.0,
    overwrite: Annotated[bool, typer.Option("--overwrite", help="Replace a finished OUTPUT.")] = False,
) -> None:
    """Check an archive of articles into one row per claim; an interrupted run resumes when rerun."""
    from claimcheck.batch import run_batch
    from claimcheck.credibility import RatingsError

    columns = (*Progress.get_default_columns()[:-1], MofNCompleteColumn(), _RateColumn(), TimeRemainingColumn())
    with Progress(*columns, console=err, transient=True) as progress:
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
                precision=precision and precision.value,
                batch_size=batch_size,
                engine=engine.value,
                address=address,
                workers=workers,
                cpus_per_worker=cpus_per_worker,
                overwrite=overwrite,
                progress=on_progress,
            )
        except KeyboardInterrupt:
            raise _fail("interrupted; finished batches are saved: rerun the same command to resume", 130) from None
        except (ModelError, RatingsError, ValueError, OSError) as e:  # BatchError is a ValueError
            raise _fail(escape(str(e))) from None
    rate = summary.articles / summary.seconds if summary.seconds else 0.0
    line = f"{summary.articles} articles checked, {summary.claims} claims written to {output}"
    if summary.skipped:
        line += f"; {summary.skipped} done by an earlier run"
    line += f"; {summary.errors} errors"
    if summary.errors_path:
        line += f" (see {summary.errors_path})"
    err.print(escape(f"{line}; {summary.seconds:.1f} s, {rate:.1f} articles/s"), highlight=False)


@app.command()
def convert(
    source: Annotated[Path, typer.Argument(help="Labels: a BRAT folder, a Label Studio .json or a labelled .jsonl.")],
    output: Annotated[Path, typer.Argument(help="Where to write: a folder (BRAT), .json (Label Studio) or .jsonl.")],
    from_format: Annotated[
        str | None, typer.Option("--from", help="jsonl | brat | labelstudio (default: by path)")
    ] = None,
    to_format: Annotated[str | None, typer.Option("--to", help="jsonl | brat | labelstudio (default: by path)")] = None,
) -> None:
    """Convert labels between labelled-example JSONL, BRAT standoff (PolNeAR) and Label Studio JSON."""
    from claimcheck.io import read_labels, write_labels

    try:
        examples = read_labels(source, from_format)
        write_labels(output, examples, to_format)
    except (DataError, OSError) as e:
        raise _fail(str(e)) from None
    n_att = sum(len(ex.attributions) for ex in examples)
    err.print(f"wrote {len(examples)} articles, {n_att} attributions to {output}")


@app.command()
def label(
    batch: Annotated[Path, typer.Argument(help="Predictions to correct (from `check --format labels`).")],
) -> None:
    """Correct predictions claim by claim, least confident first; saves after every answer and resumes."""
    from claimcheck.labeling import run_labeling

    try:
        result = run_labeling(batch)
    except (DataError, OSError) as e:
        raise _fail(str(e)) from None
    err.print(
        f"reviewed {result.reviewed} of {result.total}: {result.accepted} accepted, {result.changed} changed, "
        f"{result.deleted} deleted; {result.remaining} remain. Corrections are in {batch}."
    )


@app.command("eval")
def evaluate(
    data: Annotated[Path, typer.Argument(help="Labelled JSONL file or PolNeAR-style folder.")],
    model: ModelOpt = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Write the metrics JSON here (- is stdout; the tables go to stderr)."),
    ] = None,
    batch_size: Annotated[int, typer.Option(min=1)] = 16,
    scoring: ScoringOpt = None,
    ratings: RatingsOpt = None,
    precision: PrecisionOpt = None,
) -> None:
    """Score a model on labelled articles: spans, types, claims, quality, speed."""
    from claimcheck.evaluation.harness import evaluate as run_eval
    from claimcheck.evaluation.harness import load_eval_data

    try:
        examples = load_eval_data(data)
    except (DataError, OSError) as e:
        raise _fail(str(e)) from None
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


@app.command()
def train(
    config: Annotated[Path, typer.Option("--config", "-c", help="A YAML training config (see configs/).")],
    overrides: Annotated[list[str] | None, typer.Option("--set", help="Override a config key: --set C=2.0")] = None,
    add: Annotated[
        Path | None, typer.Option("--add", help="New labels (JSONL, Label Studio .json or BRAT folder) to continue on.")
    ] = None,
    start: Annotated[
        str | None, typer.Option("--from", help="The model to continue from (default: the default).")
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Where to write the new model (with --add or --type-head-only).")
    ] = None,
    type_head_only: Annotated[
        bool,
        typer.Option(
            "--type-head-only",
            help="Refit only the type head of --from (default: the config's output) on the config's type labels.",
        ),
    ] = False,
) -> None:
    """Train a model from a config, or continue one on new labels (--add), and write its model folder."""
    import logging

    from claimcheck.training.config import ConfigError
    from claimcheck.training.train import continue_from_config, refit_type_head_from_config, train_from_config

    logging.basicConfig(level=logging.INFO, format="%(message)s")
    try:
        if type_head_only:
            folder = refit_type_head_from_config(config, start, out, overrides)
        elif add is None:
            folder = train_from_config(config, overrides)
        else:
            result = continue_from_config(config, add, start, out, overrides)
            folder = result.folder
            _print_before_after(result.before, result.after)
    except (ConfigError, DataError, ModelError, ValueError) as e:
        raise _fail(str(e)) from None
    err.print(f"model written to {folder}")


def _print_before_after(before: dict, after: dict) -> None:
    from rich.table import Table

    table = Table(title="before / after")
    for col in ("data", "metric", "before", "after"):
        table.add_column(col)
    for split in ("heldout", "dev"):
        for key in sorted(set(before.get(split, {})) | set(after.get(split, {}))):
            table.add_row(split, key, str(before[split].get(key, "")), str(after[split].get(key, "")))
    Console().print(table)


@app.command("fit-scoring")
def fit_scoring(
    data: Annotated[Path, typer.Argument(help="Labelled JSONL with `quality` on attributions.")],
    out: Annotated[
        Path, typer.Option("--out", "-o", help="Where to write the fitted weights YAML (- is stdout).")
    ] = Path("scoring.fitted.yaml"),
    model: ModelOpt = None,
    alpha: Annotated[float, typer.Option(help="Ridge regularisation strength.")] = 1.0,
) -> None:
    """Fit the sourcing-score weights to labelled quality; prints cross-validated Spearman."""
    from claimcheck.evaluation.harness import load_eval_data
    from claimcheck.training.fit_scoring import fit_scoring as fit

    try:
        examples = load_eval_data(data)
        result = fit(_load_checker(model), examples, alpha=alpha)
    except (DataError, ValueError, OSError) as e:
        raise _fail(str(e)) from None
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


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Address to bind; 0.0.0.0 exposes it to the network.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535)] = 8000,
    model: ModelOpt = None,
    max_bytes: Annotated[int, typer.Option(min=1, help="Largest request body accepted (413 above).")] = 1_000_000,
    scoring: ScoringOpt = None,
    ratings: RatingsOpt = None,
    precision: PrecisionOpt = None,
) -> None:
    """Serve the checker over HTTP (JSON API and a page to paste an article into)."""
    try:
        import uvicorn

        from claimcheck.serve import create_app
    except ImportError as e:
        hint = "pip install 'claimcheck[serve]'"
        raise _fail(f"the service needs the serve extra ({e.name} is missing): {hint}") from None
    checker = _load_checker(model, scoring, ratings, precision)
    uvicorn.run(create_app(checker, max_bytes=max_bytes), host=host, port=port)


models_app = typer.Typer(no_args_is_help=True, help="Installed and trained models.")
app.add_typer(models_app, name="models")


@models_app.command("list")
def models_list() -> None:
    """Show the shipped and trained models, their dev figures, and which is the default."""
    from rich.table import Table

    from claimcheck.models.registry import list_models

    table = Table(title="claimcheck models")
    for col in ("", "name", "architecture", "origin", "source exact F1", "type macro-F1", "claim macro-F1", "path"):
        table.add_column(col)
    for m in list_models():
        dev = m["dev"] or {}

        def fig(key: str, dev: dict = dev) -> str:
            return f"{dev[key]:.3f}" if isinstance(dev.get(key), float | int) else "-"

        table.add_row(
            "*" if m["default"] else "",
            m["name"],
            m["architecture"] or "?",
            m["origin"],
            fig("source.exact_f1"),
            fig("types.macro_f1"),
            fig("claims.macro_f1"),
            m["path"],
        )
    Console().print(table)
    err.print("* the default model (set it with `claimcheck models default NAME`)")


@models_app.command("default")
def models_default(
    name: Annotated[str | None, typer.Argument(help="A model name or folder; omit with --reset.")] = None,
    reset: Annotated[bool, typer.Option("--reset", help="Go back to the shipped default.")] = False,
) -> None:
    """Set the model that `check`, `eval` and `serve` use when no --model is given."""
    from claimcheck.models.registry import resolve_model_path
    from claimcheck.settings import load_settings, save_settings

    settings = load_settings()
    if reset:
        settings.default_model = None
    elif name:
        try:
            resolve_model_path(name)
        except ModelError as e:
            raise _fail(str(e)) from None
        settings.default_model = name
    else:
        raise _fail("give a model name, or --reset")
    path = save_settings(settings)
    err.print(f"default model: {settings.default_model or 'the shipped default'} (in {path})")


def main() -> None:
    app()
