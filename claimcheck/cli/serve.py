"""``claimcheck serve``: the checker over HTTP (:mod:`claimcheck.serve`)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape

from claimcheck.cli.common import ModelOpt, PrecisionOpt, RatingsOpt, ScoringOpt, app, err, examples, fail, load_checker


@app.command(
    epilog=examples(
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
        raise fail(f"the service needs the serve extra ({e.name} is missing): {hint}") from None
    folder = resolve_model_path(model)
    # a server's log is read later, on a terminal or not: these lines are printed either way
    # (uvicorn then says "Uvicorn running on ..." once it listens)
    err.print(escape(f"claimcheck serve: loading model {folder.name} from {folder} …"), highlight=False)
    start = time.perf_counter()
    checker = load_checker(model, scoring, ratings, precision)
    err.print(
        escape(
            f"claimcheck serve: model {folder.name} ({checker.model.architecture}) loaded in "
            f"{time.perf_counter() - start:.1f} s; starting the server on http://{host}:{port}"
        ),
        highlight=False,
    )
    uvicorn.run(create_app(checker, max_bytes=max_bytes), host=host, port=port)
