"""The ``claimcheck`` command: a thin layer over the library. Each command parses its
arguments, calls a library function and says what it did; the work is the library's.

* :mod:`~claimcheck.cli.common`: the app, its help and error handling, the shared options
* :mod:`~claimcheck.cli.check`: ``check``
* :mod:`~claimcheck.cli.batch`: ``batch``
* :mod:`~claimcheck.cli.labels`: ``convert``, ``label``
* :mod:`~claimcheck.cli.training`: ``eval``, ``train``, ``fit-scoring``
* :mod:`~claimcheck.cli.serve`: ``serve``
* :mod:`~claimcheck.cli.dashboard`: ``dashboard``
* :mod:`~claimcheck.cli.models`: ``models``, ``encoders``

The modules are imported below in the order ``claimcheck --help`` lists their commands.
Heavy libraries (torch, transformers, scikit-learn, pandas) are imported inside the
commands that need them, so that ``claimcheck check`` starts quickly.
"""

from __future__ import annotations

from claimcheck.cli.common import app

# the order of the help, not the alphabet's
# isort: off
from claimcheck.cli import check, batch, labels, training, serve, dashboard, models  # noqa: F401
# isort: on


def main() -> None:
    app()


__all__ = ["app", "main"]
