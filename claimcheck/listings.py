"""The terminal tables of the commands that list or compare models: the installed models
with the figures recorded with them (``claimcheck models``), the base encoders
(``claimcheck encoders``) and a continued model's figures before and after
(``claimcheck train --add``). Each function builds a rich table from the library's plain
records; printing it is the caller's job."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from rich.table import Table

#: the figures of ``claimcheck models``: a column's title and the keys it reads, the first present
MODEL_FIGURES = (
    ("source F1", ("source.exact_f1",)),
    ("type F1", ("types.six_kind_macro_f1", "types.macro_f1")),
    ("claim F1", ("claims.macro_f1",)),
)
#: what ``claimcheck models`` says under its table
MODELS_NOTE = (
    "Figures recorded with each model: source span exact F1, type macro-F1 over the six kinds of source,\n"
    "claim macro-F1; on the gold dev labels, or for a model continued on corrections, on the corrected\n"
    "articles held out from it (cross-fitted where too few), else on its config's dev articles.\n"
    "* the default model (set it with: claimcheck models default NAME)"
)


def figure(figures: dict[str, Any] | None, keys: Sequence[str]) -> str:
    """The first of ``keys`` that ``figures`` holds as a number, to three places; ``-`` for none."""
    figures = figures or {}
    value = next((figures[k] for k in keys if isinstance(figures.get(k), float | int)), None)
    return "-" if value is None else f"{value:.3f}"


def models_table(models: Iterable[dict[str, Any]]) -> Table:
    """The models of :func:`claimcheck.models.registry.list_models`, one a row: the default's
    star, name, architecture, the recorded figures and what they were measured on, and
    where the model lies."""
    table = Table(title="claimcheck models")
    for col in ("", "name", "architecture"):
        table.add_column(col, no_wrap=True)
    for title, _ in MODEL_FIGURES:
        table.add_column(title, justify="right")
    table.add_column("figures on")
    table.add_column("where", overflow="fold")  # a user model's path wraps, not cut: --model takes it
    for m in models:
        where = "shipped" if m["origin"] == "shipped" else m["path"]
        table.add_row(
            "*" if m["default"] else "",
            m["name"],
            m["architecture"] or "?",
            *(figure(m["figures"], keys) for _, keys in MODEL_FIGURES),
            m["figures_on"],
            where + (" (not ready: see below)" if m["needs"] else ""),
        )
    return table


def not_ready(models: Iterable[dict[str, Any]]) -> list[str]:
    """A line under the models table for each model that is not ready: what it needs first."""
    return [f"{m['name']} needs its base encoder; {m['needs']}" for m in models if m["needs"]]


def encoders_table(encoders: Iterable[dict[str, Any]]) -> Table:
    """The encoders of :func:`claimcheck.models.encoders.list_encoders`, one a row."""
    table = Table(title="claimcheck encoders")
    for col in ("name", "installed"):
        table.add_column(col, no_wrap=True)
    table.add_column("where", overflow="fold")
    for row in encoders:
        table.add_row(str(row["name"]), "yes" if row["installed"] else "no", str(row["where"]))
    return table


def before_after_table(rows: Iterable[Sequence[Any]]) -> Table:
    """``(data, metric, before, after)`` rows (:meth:`ContinueResult.rows
    <claimcheck.training.continuing.ContinueResult.rows>`) as the before / after table."""
    table = Table(title="before / after")
    for col in ("data", "metric", "before", "after"):
        table.add_column(col)
    for row in rows:
        table.add_row(*(str(cell) for cell in row))
    return table
