"""Checks on a command's output, made before it loads a model or reads its inputs, so
that a run neither destroys an input nor fails at the end over a path it could never write.

* :func:`refuse_input_as_output`: an output that is one of the inputs (the same file,
  through symlinks and hard links) is refused: writing it would replace the input.
* :func:`check_writable`: the output's folder must exist, or be creatable (writers make
  missing folders), and be writable; nothing is created or truncated by the check.

:func:`check_output` makes both for one output. The writes themselves follow
:mod:`claimcheck.files`; :func:`cannot_write` words a write that fails all the same.
"""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Collection, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from claimcheck.errors import OutputError
from claimcheck.files import is_special, is_stdout, resolve_link

PathLike = str | os.PathLike[str]
STDIN = "standard input"


def _stdin_stat() -> os.stat_result | None:
    """Standard input's file when it is a regular file (``< article.txt``), else ``None``."""
    try:
        st = os.fstat(sys.stdin.fileno())
    except (AttributeError, OSError, ValueError):  # no stdin, or one without a descriptor (tests)
        return None
    return st if stat.S_ISREG(st.st_mode) else None


def _inputs(
    inputs: Iterable[PathLike | None], folder_suffixes: Collection[str]
) -> Iterator[tuple[str, os.stat_result]]:
    """Each input as ``(name, stat)``, links followed: ``-`` is standard input, a folder is
    itself and the files under it that end in one of ``folder_suffixes`` (the files its
    reader reads). Inputs that are ``None`` or missing are passed over: their reader reports them."""
    for item in inputs:
        if item is None:
            continue
        name = os.fspath(item)
        if is_stdout(name):
            if (st := _stdin_stat()) is not None:
                yield STDIN, st
            continue
        try:
            st = os.stat(name)
        except OSError:
            continue
        yield name, st
        if stat.S_ISDIR(st.st_mode) and folder_suffixes:
            for root, _dirs, files in os.walk(name):
                for file in files:
                    if os.path.splitext(file)[1].lower() in folder_suffixes:
                        path = os.path.join(root, file)
                        try:
                            yield path, os.stat(path)
                        except OSError:
                            continue


def refuse_input_as_output(
    inputs: Iterable[PathLike | None], *outputs: PathLike | None, folder_suffixes: Collection[str] = ()
) -> None:
    """Raise :class:`OutputError` if an output is one of ``inputs``: the same file (device
    and inode), also through a symlink or a hard link.

    Args:
        inputs: the files the command reads; ``-`` is standard input (checked where it is a
            regular file), ``None`` is skipped, a folder counts with the files under it that
            end in one of ``folder_suffixes`` (lower case, with the dot).
        outputs: the files (or a folder) the command writes; ``-`` (standard output), ``None``
            and paths that do not exist yet are never an input. A FIFO or a device is
            written through, not replaced: it is refused only when it is literally an input.
    """
    targets: dict[tuple[int, int], tuple[str, os.stat_result]] = {}
    for out in outputs:
        if out is None or is_stdout(out):
            continue
        try:
            st = os.stat(out)
        except OSError:
            continue  # not there yet: no input can be it
        targets.setdefault((st.st_dev, st.st_ino), (os.fspath(out), st))
    if not targets:
        return
    for name, st in _inputs(inputs, folder_suffixes):
        hit = targets.get((st.st_dev, st.st_ino))
        if hit is None:
            continue
        out, out_st = hit
        if is_special(out) and os.path.abspath(out) != os.path.abspath(name):
            continue  # a terminal both read and written, say: writing it destroys nothing
        what = "folder" if stat.S_ISDIR(out_st.st_mode) else "file"
        raise OutputError(f"refusing to write {out}: it is the input {name} (the same {what})")


def _nearest_existing(path: Path) -> Path:
    """``path`` or its closest ancestor that exists (as a name: a dangling link counts)."""
    while not os.path.lexists(path) and path != path.parent:
        path = path.parent
    return path


def check_writable(path: PathLike | None, *, folder: bool = False) -> None:
    """Raise :class:`OutputError` unless ``path`` can be written by the rules of
    :mod:`claimcheck.files`; creates and truncates nothing.

    A regular file is replaced through a temporary file beside it, so what must be
    writable is its folder, or, where folders are still to be made, the closest one that
    exists. A FIFO or a device must itself be writable. ``folder``: the output is a folder
    of files (BRAT labels), which must itself be writable if it exists. ``-`` and ``None``
    pass.
    """
    if path is None or is_stdout(path):
        return
    target = resolve_link(path)  # a symlink is written through: its target is what is written
    if target.is_dir() != folder and target.exists():
        raise OutputError(f"{path}: is a folder, not a file" if not folder else f"{path}: exists and is not a folder")
    if is_special(target):
        if not os.access(target, os.W_OK):
            raise OutputError(f"cannot write {path}: permission denied")
        return
    where = target if folder and target.is_dir() else _nearest_existing(target.parent)
    if str(where) == ".":
        where = Path.cwd()
    if not where.is_dir():
        raise OutputError(f"cannot write {path}: {where} is a file, not a folder")
    if not os.access(where, os.W_OK | os.X_OK):
        raise OutputError(f"cannot write {path}: the folder {where} is not writable")


def check_output(
    output: PathLike | None,
    inputs: Iterable[PathLike | None] = (),
    *,
    folder: bool = False,
    folder_suffixes: Collection[str] = (),
) -> None:
    """Both checks for a command's one output, before it loads or reads anything: that
    ``output`` can be written (:func:`check_writable`) and is none of ``inputs``
    (:func:`refuse_input_as_output`)."""
    check_writable(output, folder=folder)
    refuse_input_as_output(inputs, output, folder_suffixes=folder_suffixes)


@contextmanager
def cannot_write(output: PathLike) -> Iterator[None]:
    """An ``OSError`` in the block (the output is a folder, not permitted, the disk full) as
    :class:`OutputError`: ``OUTPUT: cannot write (REASON)``, one line for the user."""
    try:
        yield
    except OSError as e:
        raise OutputError(f"{os.fspath(output)}: cannot write ({e.strerror or e})") from None
