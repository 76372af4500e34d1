"""Sentence and token boundaries with exact character offsets.

A small rule splitter rather than a library: claims must map back to exact
``str`` offsets, news text needs title abbreviations ("Sen.", "U.S.") handled,
and the splitter runs on every article, so it must be fast.
"""

from __future__ import annotations

import itertools
import re
from typing import NamedTuple

_ABBREVIATIONS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "sen",
        "rep",
        "gov",
        "gen",
        "lt",
        "col",
        "sgt",
        "capt",
        "cmdr",
        "adm",
        "st",
        "jr",
        "sr",
        "prof",
        "rev",
        "hon",
        "pres",
        "atty",
        "supt",
        "insp",
        "det",
        "gen",
        "maj",
        "brig",
        "u.s",
        "u.k",
        "u.n",
        "e.u",
        "d.c",
        "n.y",
        "l.a",
        "u.s.a",
        "a.m",
        "p.m",
        "e.g",
        "i.e",
        "etc",
        "vs",
        "v",
        "no",
        "nos",
        "inc",
        "corp",
        "co",
        "ltd",
        "dept",
        "ft",
        "mt",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
    ]
)
# A sentence may end at . ! ? (and closing quotes/brackets after them) followed by
# space and a plausible sentence start; newlines always end a sentence.
_BOUNDARY = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s+[\"'“‘(\[]?[A-Z0-9])|\n+")
_TOKEN = re.compile(r"\w+(?:[’'.\-]\w+)*|[^\w\s]")


class Sentence(NamedTuple):
    start: int
    end: int


class Token(NamedTuple):
    start: int
    end: int
    text: str


def _is_abbreviation(text: str, dot: int) -> bool:
    start = dot  # walk back over the word (and inner dots) before the full stop, in place
    while start > 0 and (text[start - 1].isalnum() or text[start - 1] in "._"):
        start -= 1
    if start == dot:
        return False
    word = text[start:dot].lower().rstrip(".")
    return word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha())


def split_sentences(text: str) -> list[Sentence]:
    """Sentences as ``(start, end)`` offsets, whitespace trimmed, empty ones dropped."""
    cuts = [0]
    for m in _BOUNDARY.finditer(text):
        if m.group().startswith((".",)) and not m.group().startswith("..") and _is_abbreviation(text, m.start()):
            continue
        cuts.append(m.end())
    cuts.append(len(text))
    sentences = []
    for start, end in itertools.pairwise(cuts):
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if end > start:
            sentences.append(Sentence(start, end))
    return sentences


def tokenize(text: str, start: int = 0, end: int | None = None) -> list[Token]:
    """Word and punctuation tokens of ``text[start:end]`` with absolute offsets."""
    end = len(text) if end is None else end
    return [Token(m.start() + start, m.end() + start, m.group()) for m in _TOKEN.finditer(text[start:end])]
