"""claimcheck: who stands behind each claim of a news article, and how well it is sourced.

>>> from claimcheck import Checker
>>> report = Checker.load().check("The plan will fail, Jane Doe said.")
"""

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
from claimcheck.pipeline import Checker
from claimcheck.version import __version__

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
