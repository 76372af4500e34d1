"""What every command of the ``claimcheck`` command shares: the app, its help rendering and
its one error handler, the stderr console, and the options several commands take."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer
from click import Context
from rich.console import Console
from rich.markup import escape
from typer.core import TyperCommand, TyperGroup, TyperOption

from claimcheck.errors import ClaimcheckError
from claimcheck.models.registry import DEFAULT_MODEL, Precision
from claimcheck.version import __version__


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


class Group(TyperGroup):
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
            raise fail(escape(str(e)), getattr(e, "exit_code", 1)) from None


class App(typer.Typer):
    """A typer app whose commands render their help through :func:`_help_params`."""

    def command(self, *args: Any, cls: type[TyperCommand] | None = None, **kwargs: Any) -> Any:
        return super().command(*args, cls=cls or _Command, **kwargs)


def examples(*lines: str) -> str:
    """A help epilog of example command lines. The leading newline keeps their indent:
    typer dedents help text the way inspect.cleandoc does."""
    return "\nExamples:\n" + "\n".join(f"  {line}" for line in lines)


app = App(
    cls=Group,
    add_completion=False,
    no_args_is_help=True,
    help="Find who stands behind each claim of a news article, and score how well it is sourced.",
    epilog=examples(
        "claimcheck check article.txt",
        "claimcheck check article.txt --verbose",
        "claimcheck check --help",
    ),
)
#: where every command writes what is not its output: errors, progress, closing lines
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


def fail(message: str, code: int = 1) -> typer.Exit:
    """Print ``message`` (rich markup escaped by the caller) as one line; the exit to raise."""
    one_line = " ".join(line.strip() for line in message.splitlines() if line.strip())
    err.print(f"[red]claimcheck: error:[/] {one_line}", highlight=False)
    return typer.Exit(code)


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
def status(message: str) -> Iterator[None]:
    """``message`` beside a spinner on stderr while the block runs, on a terminal only
    (a pipe or a log file gets nothing)."""
    if not err.is_terminal:
        yield
        return
    with err.status(escape(message)):
        yield


def load_checker(
    model: str | None,
    scoring: Path | None = None,
    ratings: list[Path] | None = None,
    precision: Precision | None = None,
):
    """The :class:`~claimcheck.pipeline.Checker` of the model options, loaded beside a spinner."""
    from claimcheck.pipeline import Checker

    with status(f"Loading model {model} …" if model else "Loading model …"):  # torch alone takes a second
        return Checker.load(model, scoring=scoring, ratings=ratings or (), precision=precision)
