"""Quote kinds: does an attribution give its source's own words?

:func:`quote_kind` is the one rule. A content is ``direct`` when every letter and digit of
it lies inside quotation marks, ``partial`` when some do (a quoted phrase in reported
speech), ``indirect`` when none do (reported speech). The marks are read from the text
around the content, not from the content's own edges, so a content that leaves its marks
out, a discontinuous one ("“The bridge,” she said, “is safe.”") and a quotation that opens
in one range and closes in another are all judged alike.

Quotation marks pair within a line: curly “ ” and ‘ ’, straight " and ', and « ». A mark
still open at the end of a line quotes to the line's end, as a quotation running over
several paragraphs opens each and closes only the last. An apostrophe (it's, don’t, the
workers’ union, the '60s) is not a quotation mark, and a closing “ typed for ” closes.
Quotations inside quotations count as quoted.
"""

from __future__ import annotations

import re
from bisect import bisect_right

from claimcheck.data import QuoteKind, Ranges

#: each opening mark and the mark that closes it
_CLOSING = {"“": "”", "‘": "’", '"': '"', "'": "'", "«": "»"}
_MARKS = re.compile("[\"'“”‘’«»\n]")


def _opens(mark: str, before: str, after: str) -> bool:
    """Can ``mark``, between ``before`` and ``after``, open a quotation? A straight single
    quote only at a word's start, and not before a digit (the '60s)."""
    if mark != "'":
        return mark in _CLOSING
    return not before.isalnum() and not after.isspace() and not after.isdigit()


def quoted_spans(text: str) -> list[tuple[int, int]]:
    """The ``[start, end)`` stretches of ``text`` inside quotation marks (the marks left out),
    in order and not overlapping; a quotation within another is part of the outer one."""
    spans: list[tuple[int, int]] = []
    expected: list[str] = []  # the closing mark each open quotation waits for, outermost first
    start = 0
    for m in _MARKS.finditer(text):
        i, mark = m.start(), m.group()
        if mark == "\n":  # the line ends: whatever is open closes here
            if expected:
                spans.append((start, i))
                expected.clear()
            continue
        before = text[i - 1] if i else " "
        after = text[i + 1] if i + 1 < len(text) else " "
        if mark in "'’‘" and before.isalnum() and after.isalnum():
            continue  # an apostrophe inside a word
        if mark == "“" and "”" in expected and not before.isspace() and not after.isalnum():
            mark = "”"  # a closing mark typed as an opening one ("the best in the world“)
        if mark in expected:
            del expected[len(expected) - 1 - expected[::-1].index(mark) :]  # closes it and any left open inside
            if not expected:
                spans.append((start, i))
        elif _opens(mark, before, after):
            if not expected:
                start = i + 1
            expected.append(_CLOSING[mark])
    if expected:
        spans.append((start, len(text)))
    return [(a, b) for a, b in spans if a < b]


def _words(text: str, start: int, end: int) -> int:
    """How many letters and digits ``text[start:end]`` holds."""
    return sum(ch.isalnum() for ch in text[start:end])


def quote_kind(text: str, content: Ranges, quoted: list[tuple[int, int]] | None = None) -> QuoteKind | None:
    """``direct``, ``partial`` or ``indirect`` for the content ranges ``content`` of ``text``
    (see the module's docstring); ``None`` for no content, or one without a letter or digit.

    Args:
        quoted: :func:`quoted_spans` of ``text``, when already found (once per article).
    """
    if quoted is None:
        quoted = quoted_spans(text)
    total = inside = 0
    for s, e in content:
        total += _words(text, s, e)
        k = max(bisect_right(quoted, s, key=lambda q: q[0]) - 1, 0)
        while k < len(quoted) and quoted[k][0] < e:
            a, b = quoted[k]
            inside += _words(text, max(a, s), min(b, e)) if b > s else 0
            k += 1
    if total == 0:
        return None
    return "direct" if inside == total else "partial" if inside else "indirect"
