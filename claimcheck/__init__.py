"""claimcheck: who stands behind each claim of a news article, and how well it is sourced.

>>> from claimcheck import Checker
>>> report = Checker.load().check("The plan will fail, Jane Doe said.")
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from claimcheck.data import (
    ATTRIBUTION_TYPES,
    ArticleReport,
    Attribution,
    Claim,
    DataError,
    LabelledExample,
    load_examples,
    save_examples,
)
from claimcheck.version import __version__

if TYPE_CHECKING:
    from claimcheck.pipeline import Checker


def __getattr__(name: str) -> Any:
    """``Checker`` is imported on first use: ``import claimcheck`` (and the CLI, which
    prints "Loading model" first) stays light, the model stack comes with the model."""
    if name == "Checker":
        from claimcheck.pipeline import Checker

        globals()["Checker"] = Checker
        return Checker
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "ATTRIBUTION_TYPES",
    "ArticleReport",
    "Attribution",
    "Checker",
    "Claim",
    "DataError",
    "LabelledExample",
    "__version__",
    "load_examples",
    "save_examples",
]
