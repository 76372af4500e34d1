"""One key from the terminal, no Enter needed: the answers of ``claimcheck label``."""

from __future__ import annotations

import os
import select
import sys
from collections.abc import Callable

KeyFn = Callable[[str], str]


def read_key(prompt: str) -> str:
    """One key from the terminal, no Enter needed ("" for Enter itself).

    Ctrl-C raises KeyboardInterrupt, Ctrl-D EOFError. Keys typed ahead stay
    queued for the next read; an escape sequence (an arrow key) comes back whole.
    """
    sys.stdout.write(prompt)
    sys.stdout.flush()
    try:
        import termios
        import tty
    except ImportError:  # Windows: click (shipped with typer) has the equivalent
        import click

        return _key_answer(click.getchar())
    fd = sys.stdin.fileno()
    old = termios.tcgetattr(fd)
    try:
        tty.setcbreak(fd, termios.TCSANOW)  # no echo, no line buffering; Ctrl-C still signals
        data = os.read(fd, 1)
        if data == b"\x1b":
            while select.select([fd], [], [], 0.05)[0]:
                data += os.read(fd, 16)
        elif data and data[0] >= 0xC0:  # the rest of a UTF-8 character
            data += os.read(fd, 1 if data[0] < 0xE0 else 2 if data[0] < 0xF0 else 3)
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, old)
    return _key_answer(data.decode("utf-8", "replace"))


def _key_answer(ch: str) -> str:
    if ch in ("", "\x04"):
        sys.stdout.write("\n")
        raise EOFError
    if ch == "\x03":
        raise KeyboardInterrupt
    answer = "" if ch in ("\r", "\n") else ch
    sys.stdout.write((answer if answer.isprintable() else repr(answer)) + "\n")
    sys.stdout.flush()
    return answer


def default_keys() -> KeyFn:
    """Single keys on a terminal; a line per answer when the answers come from a pipe."""
    return read_key if sys.stdin.isatty() else input
