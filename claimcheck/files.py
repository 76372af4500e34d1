"""Every file write of claimcheck goes through here: one set of rules, so that output
never destroys what it writes to.

* ``-`` is standard output (the CLI's ``-o -``).
* A symlink is written through: the rules below apply to its target, and the link
  stays a link.
* Something that exists and is not a regular file (a FIFO, a character device such as
  ``/dev/null``, a socket) is opened and written directly: no temporary file, no rename,
  which would replace it with a regular file.
* A regular file, or a path that does not exist yet, is written to a temporary file
  beside it, fsynced, renamed over it and the folder fsynced: readers see the old
  content or the whole new one, and a failed write leaves the old file as it was.
  A replaced file keeps its permission bits; a new one gets ``0o644``.
* A folder (a model) is written to a temporary sibling and swapped in with two renames
  (:func:`replace_dir`); a symlinked folder has its target swapped, the link kept.

This module imports nothing from claimcheck, so that every other module may use it. The
checks a command makes before it writes (an output that is one of its inputs, a folder
that is not writable) are in :mod:`claimcheck.outputs`.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import stat
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

STDOUT = "-"
NEW_FILE_MODE = 0o644


def is_stdout(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` is ``-``, standard output."""
    return os.fspath(path) == STDOUT


def resolve_link(path: str | os.PathLike[str]) -> Path:
    """``path`` itself, or where it points if it is a symlink (followed to the end, even
    when the last target does not exist yet): the path a write must go to."""
    path = Path(path)
    return Path(os.path.realpath(path)) if path.is_symlink() else path


def is_special(path: str | os.PathLike[str]) -> bool:
    """Whether ``path`` (a link: its target) exists and is neither a regular file nor a
    folder: a FIFO, a device, a socket. Such a file is written in place, never replaced."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


def fsync_dir(path: str | os.PathLike[str]) -> None:
    """Make a folder's entries (files created, renamed, removed) durable; a no-op where the
    file system or the OS cannot fsync a folder."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def fsync_tree(directory: str | os.PathLike[str]) -> None:
    """fsync every regular file directly in ``directory``, then the folder itself."""
    for entry in os.scandir(directory):
        if entry.is_file(follow_symlinks=False):
            with open(entry.path, "rb") as fh:
                os.fsync(fh.fileno())
    fsync_dir(directory)


@contextlib.contextmanager
def open_output(
    path: str | os.PathLike[str], mode: str = "w", *, encoding: str = "utf-8", newline: str | None = None
) -> Iterator[IO[Any]]:
    """A file object to write ``path`` by the module's rules; ``mode`` is ``"w"`` or ``"wb"``.

    For a regular (or new) file the content lands when the block ends without an
    exception; an exception removes the temporary file and leaves the old one untouched.
    Standard output is flushed, not closed. A FIFO or device is written as the block goes.
    """
    if mode not in ("w", "wb"):
        raise ValueError(f"open_output: mode must be 'w' or 'wb', not {mode!r}")
    binary = mode == "wb"
    text_args: dict[str, Any] = {} if binary else {"encoding": encoding, "newline": newline}
    if is_stdout(path):
        stream: IO[Any] = sys.stdout.buffer if binary else sys.stdout
        try:
            yield stream
        finally:
            stream.flush()
        return
    target = resolve_link(path)
    if target.is_dir():
        raise IsADirectoryError(f"{path}: is a folder, not a file")
    if is_special(target):
        with open(target, mode, **text_args) as fh:
            yield fh
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        keep_mode = stat.S_IMODE(os.stat(target).st_mode)
    except OSError:
        keep_mode = NEW_FILE_MODE
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, mode, **text_args) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, keep_mode)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    fsync_dir(target.parent)


def atomic_write_text(path: str | os.PathLike[str], text: str, *, encoding: str = "utf-8") -> None:
    """Write ``text`` to ``path`` by the module's rules (atomically where it is a regular file)."""
    with open_output(path, "w", encoding=encoding) as fh:
        fh.write(text)


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> None:
    """Write ``data`` to ``path`` by the module's rules (atomically where it is a regular file)."""
    with open_output(path, "wb") as fh:
        fh.write(data)


def previous_dir(directory: str | os.PathLike[str]) -> Path:
    """Where :func:`replace_dir` keeps the folder it replaces while swapping in the new one
    (``.NAME.old`` beside it); a kill between the two renames leaves it there."""
    directory = Path(directory)
    return directory.with_name(f".{directory.name}.old")


@contextlib.contextmanager
def replace_dir(directory: str | os.PathLike[str]) -> Iterator[Path]:
    """A fresh temporary folder to fill; when the block ends without an exception its files
    are fsynced and it replaces ``directory`` (a symlink: its target, the link kept).

    The old folder is renamed to :func:`previous_dir` and the new one into place, then the
    old one is removed. An exception anywhere removes the temporary folder and leaves the
    old one as it was. A process killed between the two renames leaves only ``.NAME.old``,
    which the caller may put back (the model registry does, after checking its hashes).
    """
    target = resolve_link(directory)
    if target.exists() and not target.is_dir():
        raise NotADirectoryError(f"{directory}: exists and is not a folder")
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}."))
    old = previous_dir(target)
    moved = False
    try:
        yield tmp
        fsync_tree(tmp)
        if target.exists():
            shutil.rmtree(old, ignore_errors=True)
            moved = True  # set first: an interrupt right after the rename must still undo it
            target.rename(old)
        tmp.rename(target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        if moved and not target.exists():
            with contextlib.suppress(OSError):  # else the caller's recovery puts it back
                old.rename(target)
        raise
    fsync_dir(target.parent)
    shutil.rmtree(old, ignore_errors=True)  # the replaced folder, or one an earlier kill left
    target.chmod(0o755)
