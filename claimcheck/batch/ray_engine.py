"""The ``ray`` engine: Ray Data reads the input in chunks and an actor pool checks the
articles, each actor loading the model once; the batches come back in input order."""

from __future__ import annotations

import json
import logging
import os
import warnings
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any

from claimcheck.batch import inputs
from claimcheck.batch.base import Article, ArticleResult, BatchError
from claimcheck.batch.checking import check_articles
from claimcheck.pipeline import Checker

if TYPE_CHECKING:
    import pyarrow as pa

#: Ray blocks stay small, so that the actor pool shares out a big Parquet row group.
RAY_BLOCK_BYTES = 1 << 20


def _article_schema() -> pa.Schema:
    import pyarrow as pa

    return pa.schema(
        [
            ("key", pa.string()),
            ("id", pa.string()),
            ("text", pa.string()),
            ("error", pa.string()),
            ("fields", pa.string()),
        ]
    )


def _result_schema() -> pa.Schema:
    import pyarrow as pa

    return pa.schema(
        [
            ("key", pa.string()),
            ("id", pa.string()),
            ("rows", pa.list_(pa.binary())),
            ("error", pa.string()),
            ("fields", pa.string()),
        ]
    )


def _to_row(item: Article | ArticleResult) -> dict[str, Any]:
    """An article or result as a row of its Ray schema: the archive's fields as JSON text."""
    return {**asdict(item), "fields": None if item.fields is None else json.dumps(item.fields)}


def _from_row(kind: type[Article] | type[ArticleResult], row: dict[str, Any]) -> Any:
    fields = row.pop("fields")
    return kind(**row, fields=None if fields is None else json.loads(fields))


def _ray_chunks(src: inputs.BatchInput, start: Any) -> Iterator[dict[str, str]]:
    """Ray read tasks from place ``start`` on: about :data:`inputs.CHUNK_ARTICLES` articles each,
    as a place and a count (a few bytes, however big the archive)."""
    first, n = start, 0
    for _, place, cut in src.keys(start):
        if n >= inputs.CHUNK_ARTICLES and cut:
            yield {"chunk": json.dumps({"start": first, "count": n})}
            first, n = place, 0
        n += 1
    if n:
        yield {"chunk": json.dumps({"start": first, "count": n})}


def _ray_read(batch: pa.Table, spec: dict[str, Any]) -> Iterator[pa.Table]:
    """Ray read step, on a worker: chunks in, articles out."""
    import pyarrow as pa

    src = inputs._input(spec)
    for chunk in map(json.loads, batch.column("chunk").to_pylist()):
        for article in src.read(chunk["start"], chunk["count"]):
            yield pa.Table.from_pylist([_to_row(article)], schema=_article_schema())


class _RayChecker:
    """Ray actor: loads the checker once, then checks batches of articles."""

    def __init__(self, model: str | Path | None, scoring: str | None, ratings: list[str], precision: str | None):
        self.checker = Checker.load(model, scoring, ratings, precision)

    def __call__(self, batch: pa.Table) -> pa.Table:
        import pyarrow as pa

        results = check_articles(self.checker, [_from_row(Article, row) for row in batch.to_pylist()])
        return pa.Table.from_pylist([_to_row(r) for r in results], schema=_result_schema())


def _cannot_connect(address: str | None, error: BaseException) -> str:
    """Why ``ray.init`` could not join a cluster, and what to set where it wants a token."""
    reason = next((line for line in str(error).splitlines() if line.strip()), type(error).__name__)
    chain, cause = [], error
    while cause is not None and len(chain) < 5:
        chain.append(cause)
        cause = cause.__cause__ or cause.__context__
    # Ray's own error for a missing or wrong token, raised as such or quoted in a RuntimeError's text
    refused = any(type(e).__name__ == "AuthenticationError" or "InvalidAuthToken" in str(e) for e in chain)
    token_set = os.environ.get("RAY_AUTH_MODE", "").lower() == "token"
    where = "in RAY_AUTH_TOKEN, or in a file named by RAY_AUTH_TOKEN_PATH (`ray get-auth-token` on the head prints it)"
    if refused and token_set:
        hint = f"the cluster refused this client's token: put the cluster's token {where}"
    elif refused:
        hint = f"the cluster uses token authentication: set RAY_AUTH_MODE=token and put its token {where}"
    else:
        hint = f"if the cluster uses token authentication (Ray 2.52 and later), set RAY_AUTH_MODE=token and its token {where}"
    return f"cannot connect to the Ray cluster at {address}: {reason}; {hint}; see docs/batch.md"


def _join(ray: Any, address: str | None) -> bool:
    """Join the cluster at ``address`` (else ``$RAY_ADDRESS``, else a local one started here)
    unless Ray is initialised in this process already; whether this call started it."""
    if ray.is_initialized():
        if address:
            warnings.warn(f"Ray is already initialised in this process: address {address!r} is ignored", stacklevel=4)
        return False
    address = address or os.environ.get("RAY_ADDRESS") or None
    kwargs: dict[str, Any] = {"address": address, "logging_level": logging.WARNING}
    if address is None:  # a local cluster, started here and stopped at the end
        kwargs["include_dashboard"] = False
    refused = getattr(ray.exceptions, "AuthenticationError", ConnectionError)  # Ray 2.52 and later
    try:
        ray.init(**kwargs)
    except (ConnectionError, refused) as e:
        raise BatchError(_cannot_connect(address, e)) from e
    return True


def _run_ray(
    src: inputs.BatchInput,
    start: Any,
    commit: Callable[[list[ArticleResult]], None],
    batch_size: int,
    model: str | Path | None,
    scoring: str | Path | None,
    ratings: Iterable[str | Path],
    precision: str | None,
    address: str | None,
    workers: int | None,
    cpus_per_worker: float,
) -> None:
    try:
        import ray
        import ray.data
        import ray.exceptions
    except ImportError:
        raise BatchError("engine 'ray' needs Ray: pip install 'claimcheck[ray]'") from None
    chunks = list(_ray_chunks(src, start))
    started = _join(ray, address)
    ctx = ray.data.DataContext.get_current()
    saved = (ctx.execution_options.preserve_order, ctx.enable_progress_bars, ctx.target_max_block_size)
    # quiet Ray Data's per-run notices (and the one that says its progress bars are off)
    loggers = {name: logging.getLogger(name) for name in ("ray.data", "ray.data._internal.progress")}
    levels = {name: logger.level for name, logger in loggers.items()}
    try:
        ctx.execution_options.preserve_order = True  # rows in input order, as the ledger needs
        ctx.enable_progress_bars = False  # the caller shows progress
        ctx.target_max_block_size = RAY_BLOCK_BYTES
        loggers["ray.data"].setLevel(logging.WARNING)
        loggers["ray.data._internal.progress"].setLevel(logging.ERROR)
        if workers is None:
            workers = max(1, int(ray.cluster_resources().get("CPU", 1) // cpus_per_worker))
        ds = ray.data.from_items(chunks, override_num_blocks=len(chunks))
        # Reading is light next to the model: it asks for no CPU (the actors may hold them all),
        # with one read task at a time per 8 workers.
        readers = ray.data.TaskPoolStrategy(size=-(-workers // 8))
        ds = ds.map_batches(
            _ray_read, batch_size=1, batch_format="pyarrow", num_cpus=0, compute=readers, fn_kwargs={"spec": src.spec()}
        )
        ds = ds.map_batches(
            _RayChecker,
            fn_constructor_kwargs={
                # a model folder travels as an absolute path, a model name as it is
                "model": str(Path(model).resolve()) if model is not None and Path(model).is_dir() else model,
                "scoring": None if scoring is None else str(Path(scoring).resolve()),
                "ratings": [str(Path(r).resolve()) for r in ratings],
                "precision": precision,
            },
            batch_size=batch_size,
            batch_format="pyarrow",
            # as many workers as fit, up to `workers`: a smaller cluster still runs
            compute=ray.data.ActorPoolStrategy(min_size=1, max_size=workers),
            num_cpus=cpus_per_worker,
        )
        try:
            for batch in ds.iter_batches(batch_size=batch_size, batch_format="pyarrow"):
                commit([_from_row(ArticleResult, row) for row in batch.to_pylist()])
        except ray.exceptions.RayError as e:  # e.g. a worker that cannot load the model
            first = next((line for line in str(e).splitlines() if line.strip()), type(e).__name__)
            raise BatchError(f"the Ray pipeline failed: {first} (finished batches are saved; a rerun resumes)") from e
    finally:
        ctx.execution_options.preserve_order, ctx.enable_progress_bars, ctx.target_max_block_size = saved
        for name, logger in loggers.items():
            logger.setLevel(levels[name])
        if started:
            ray.shutdown()
