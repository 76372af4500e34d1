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
  A replaced file keeps its permission bits; a new one gets those of any newly created
  file (``0o666`` less the umask: ``0o644`` under the usual ``022``), never a temporary
  file's private ``0o600``.
* A folder (a model) is written to a temporary sibling and swapped in with two renames
  (:func:`replace_dir`); a symlinked folder has its target swapped, the link kept. Its
  files and the folder take the modes of a newly created file and folder, whatever wrote
  them (safetensors writes ``0o600``): a service account reads a model its trainer wrote.

This module imports nothing from claimcheck, so that every other module may use it. The
checks a command makes before it writes (an output that is one of its inputs, a folder
that is not writable) are in :mod:`claimcheck.outputs`.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
import shutil
import stat
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

STDOUT = "-"


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


def new_temp_file(folder: str | os.PathLike[str], name: str) -> tuple[int, str]:
    """A new hidden file ``.NAME.XXXXXXXX.tmp`` in ``folder``, open for writing: ``(fd, path)``.

    Created as any new file is (``0o666`` less the umask, or as the folder's default ACL
    says), unlike :func:`tempfile.mkstemp`'s ``0o600``: renamed into place, it is an
    ordinary file that others may read where the umask lets them.
    """
    flags = os.O_RDWR | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        path = os.path.join(folder, f".{name}.{secrets.token_hex(4)}.tmp")
        try:
            return os.open(path, flags, 0o666), path
        except FileExistsError:
            continue
    raise FileExistsError(f"{folder}: no free temporary name for {name}")


def creation_modes(folder: str | os.PathLike[str]) -> tuple[int, int]:
    """The permission bits of a file and of a folder newly created in ``folder`` (the umask,
    and a default ACL where there is one, applied): found by creating one of each."""
    fd, probe = new_temp_file(folder, "mode-probe")
    try:
        file_mode = stat.S_IMODE(os.fstat(fd).st_mode)
    finally:
        os.close(fd)
        os.unlink(probe)
    os.mkdir(probe, 0o777)
    try:
        dir_mode = stat.S_IMODE(os.stat(probe).st_mode)
    finally:
        os.rmdir(probe)
    return file_mode, dir_mode


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
        keep_mode: int | None = stat.S_IMODE(os.stat(target).st_mode)
    except OSError:
        keep_mode = None  # a new file: the mode the temporary file was created with
    fd, tmp = new_temp_file(target.parent, target.name)
    try:
        with os.fdopen(fd, mode, **text_args) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        if keep_mode is not None:
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
        file_mode, dir_mode = creation_modes(tmp)
        for entry in os.scandir(tmp):  # whatever wrote them: the modes of ordinary new files
            if entry.is_file(follow_symlinks=False):
                os.chmod(entry.path, file_mode)
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
    target.chmod(dir_mode)  # mkdtemp made it private


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file's bytes, read a megabyte at a time."""
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
