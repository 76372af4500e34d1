"""The runner under ``claimcheck check``: article files read as they are reached and
checked several at a time, each result given back, in the files' order, once its batch
is done.

Articles are checked ``articles_per_call`` at a time (one ``Checker.check_each`` call,
so the model fills its batches across articles), and a batch is cut early when its
text passes ``chars_per_call``. Standard input and other non-regular files (a FIFO)
may be slow to arrive: what is read before them is checked first, so no finished
article waits on them.
"""

from __future__ import annotations

import stat
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from claimcheck.data import ArticleReport
from claimcheck.errors import InputError
from claimcheck.io.documents import decode_article, read_article

#: articles per checker call by default: enough to fill the model's batches of windows
ARTICLES_PER_CALL = 8
#: a batch is cut once its texts pass this many characters (memory stays bounded)
CHARS_PER_CALL = 200_000


@dataclass
class Checked:
    """One input's outcome: its report, or the one-line reason it has none."""

    name: str
    report: ArticleReport | None = None
    error: str | None = None


def article_id(name: str) -> str:
    """The id a file's report carries: its stem; ``stdin`` for ``-``."""
    return "stdin" if name == "-" else Path(name).stem


def read_named(name: str) -> str:
    """The article of a file name, ``-`` being standard input. Raises :class:`InputError`."""
    if name == "-":
        return decode_article(sys.stdin.buffer.read(), "<stdin>")
    return read_article(name)


def _may_be_slow(name: str) -> bool:
    """Standard input, a FIFO or a device: it may take a while to arrive."""
    if name == "-":
        return True
    try:
        return not stat.S_ISREG(Path(name).stat().st_mode)
    except OSError:
        return False  # reading it fails at once, with its own error


def check_files(
    names: Iterable[str],
    load: Callable[[], Any],
    *,
    articles_per_call: int = ARTICLES_PER_CALL,
    chars_per_call: int = CHARS_PER_CALL,
    batch_size: int = 16,
    read: Callable[[str], str] = read_named,
) -> Iterator[Checked]:
    """Check article files; see the module docstring.

    ``load()`` gives the :class:`~claimcheck.pipeline.Checker`, called at the first readable
    file (nothing is loaded for inputs that all fail to read). An unreadable file or an
    article the checker fails on is a :class:`Checked` with an ``error``; it costs no
    other article. ``batch_size`` is the checker's own (segments of a very long article).
    """
    if articles_per_call < 1:
        raise ValueError(f"articles_per_call must be at least 1, not {articles_per_call}")
    checker = None
    chunk: list[tuple[str, str | None, str | None]] = []  # name, text, read error: in the files' order

    def run() -> Iterator[Checked]:
        readable = [(name, text) for name, text, _ in chunk if text is not None]
        texts, ids = [t for _, t in readable], [article_id(n) for n, _ in readable]
        reports = iter(checker.check_each(texts, ids=ids, batch_size=batch_size) if readable else [])
        for name, text, error in chunk:
            report = next(reports) if text is not None else None
            if error is not None:
                yield Checked(name, error=error)
            elif isinstance(report, Exception):
                yield Checked(name, error=f"{name}: cannot be checked ({report!r})")
            else:
                yield Checked(name, report=report)
        chunk.clear()

    for name in names:
        if chunk and _may_be_slow(name):
            yield from run()
        try:
            text = read(name)
        except InputError as err:
            chunk.append((name, None, str(err)))
            if checker is None:
                yield from run()  # nothing read yet to wait for: say it at once
            continue
        if checker is None:
            checker = load()
        chunk.append((name, text, None))
        if (
            sum(t is not None for _, t, _ in chunk) >= articles_per_call
            or sum(len(t or "") for _, t, _ in chunk) >= chars_per_call
        ):
            yield from run()
    if chunk:
        yield from run()
