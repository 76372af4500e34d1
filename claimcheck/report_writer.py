"""Where ``claimcheck check`` writes its reports: :func:`write_reports` runs
:func:`claimcheck.runner.check_files` and writes each report as its batch is done.

The streamed formats (:data:`~claimcheck.formats.STREAMED_FORMATS`) and the table are
written, and flushed, article by article; ``json`` and ``html`` are rendered whole at the
end. The output is standard output, or a file written by the rules of
:mod:`claimcheck.files`: opened at the first write (a run that checks nothing leaves it as
it was) and, for a regular file, put in place when the run ends. Ctrl-C, or SIGTERM in the
main thread, stops the run with what is finished written.
"""

from __future__ import annotations

import signal
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from rich.console import Console

from claimcheck.data import ArticleReport
from claimcheck.files import is_stdout, open_output
from claimcheck.formats import print_table, render_chunk, table_console, to_html, to_json
from claimcheck.outputs import cannot_write
from claimcheck.runner import Checked, check_files

#: formats rendered whole, at the end of the run
WHOLE_FORMATS = {"json": to_json, "html": to_html}

Items = list[tuple[str, ArticleReport]]


def to_stdout(out: Path | None) -> bool:
    """Whether reports for ``out`` go to standard output (no ``out``, or ``-``)."""
    return out is None or is_stdout(out)


class ReportOutput:
    """One run's output: ``fmt`` (a name of :data:`claimcheck.formats.FORMATS`) to ``out``,
    a file opened (in ``stack``) at the first write."""

    def __init__(self, out: Path | None, fmt: str, stack: ExitStack, verbose: bool = False):
        self.out, self.fmt, self.stack, self.verbose = out, fmt, stack, verbose
        self.to_stdout = to_stdout(out)
        self.fh: IO[str] | None = None
        self.console: Console | None = None
        #: the articles written so far
        self.articles = 0

    def _file(self) -> IO[str]:
        if self.fh is None:
            self.fh = sys.stdout if self.to_stdout else self.stack.enter_context(open_output(self.out))
        return self.fh

    def write(self, items: Items) -> None:
        """Write finished articles of a streamed format (or the table) and flush them."""
        if not items:
            return
        fh = self._file()
        if self.fmt == "table":
            if self.console is None:
                self.console = table_console(None if self.to_stdout else fh)
            for name, report in items:
                print_table(self.console, name, report, self.verbose)
        else:
            fh.write(render_chunk(self.fmt, items, first=self.articles == 0))
        fh.flush()
        self.articles += len(items)

    def write_whole(self, items: Items) -> None:
        """Write a format rendered whole (json, html)."""
        if items:
            self._file().write(WHOLE_FORMATS[self.fmt](items))
            self.articles = len(items)


def _raise_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


@contextmanager
def sigterm_interrupts() -> Iterator[None]:
    """SIGTERM (``timeout``, ``kill``) stops the block the way Ctrl-C does, so that what is
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


@dataclass
class Written:
    """What :func:`write_reports` did: ``articles`` written to ``where``, ``failed`` inputs
    (unreadable, or the checker failed on them), and whether it was ``interrupted``."""

    articles: int
    failed: int
    interrupted: bool
    where: str

    def interrupted_line(self) -> str:
        """What an interrupted run says it kept."""
        n = self.articles
        return f"interrupted; the {n} finished article{'s' * (n != 1)} are written to {self.where}"


def write_reports(
    files: Iterable[str],
    out: Path | None,
    fmt: str,
    load: Callable[[], Any],
    *,
    verbose: bool = False,
    batch_size: int = 16,
    on_checked: Callable[[Checked], None] | None = None,
) -> Written:
    """Check ``files`` (``-`` is standard input) and write their reports in ``fmt`` to
    ``out`` (``None`` or ``-``: standard output); see the module docstring.

    Args:
        load: gives the :class:`~claimcheck.pipeline.Checker`, called at the first readable file.
        verbose: the table gives every reason of each claim.
        batch_size: the checker's own (segments of a very long article).
        on_checked: called with each input's outcome, in the files' order, once it is written
            (or, for json and html, kept for the end); a failed one carries its ``error``.

    Raises:
        OutputError: the output cannot be written (a folder, no permission, no space).
    """
    failed, interrupted = 0, False
    whole: Items = []  # json and html are rendered at the end
    with cannot_write("standard output" if out is None else out), ExitStack() as stack, sigterm_interrupts():
        output = ReportOutput(out, fmt, stack, verbose)
        try:
            for item in check_files(files, load, batch_size=batch_size):
                if item.report is None:
                    failed += 1
                elif fmt in WHOLE_FORMATS:
                    whole.append((item.name, item.report))
                else:
                    output.write([(item.name, item.report)])
                if on_checked:
                    on_checked(item)
        except KeyboardInterrupt:
            interrupted = True
        output.write_whole(whole)  # on an interrupt too: the files finished so far
    where = "standard output" if output.to_stdout else str(out)
    return Written(articles=output.articles, failed=failed, interrupted=interrupted, where=where)
