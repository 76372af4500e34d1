"""Sentence and token boundaries with exact character offsets.

A small rule splitter rather than a library: claims must map back to exact
``str`` offsets, news text needs title abbreviations ("Sen.", "U.S.") handled,
and the splitter runs on every article, so it must be fast.
"""

from __future__ import annotations

import bisect
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


def sentence_index(sentences: list[Sentence], pos: int) -> int:
    """Index of the first sentence ending after ``pos``: the one holding ``pos``, or the next
    one when ``pos`` falls between sentences; ``len(sentences)`` past the last.

    ``sentences`` are in order and do not overlap (as :func:`split_sentences` gives them),
    so the search is a bisection.
    """
    return bisect.bisect_right(sentences, pos, key=lambda s: s.end)


def sentence_at(sentences: list[Sentence], pos: int) -> Sentence | None:
    """The sentence holding ``pos``; None when ``pos`` is in no sentence (between two, or
    in the white space before the first or after the last)."""
    k = sentence_index(sentences, pos)
    if k < len(sentences) and sentences[k].start <= pos:
        return sentences[k]
    return None


#: how far either side of a span :func:`around` reaches into its sentence
SENTENCE_REACH = 1_000


def around(sent: Sentence, start: int, end: int, reach: int = SENTENCE_REACH) -> Sentence:
    """The part of ``sent`` within ``reach`` characters of ``[start, end)``.

    The whole sentence in any real article; a bounded slice of a runaway one (a long
    text with no full stop), so that what is looked up per source (anonymity markers,
    open quotes) costs the same in a 10 MB sentence as in a normal one.
    """
    return Sentence(max(sent.start, start - reach), min(sent.end, end + reach))


def span_sentence(sentences: list[Sentence], start: int, end: int) -> Sentence:
    """The sentence a span stands in, the part :func:`around` it; for a span in no sentence
    (in the white space between two), the 200 characters before it. Typing and scoring
    read a source's sentence through this one rule."""
    sent = sentence_at(sentences, start) or Sentence(max(0, start - 200), start + 1)
    return around(sent, start, end)


def tokenize(text: str, start: int = 0, end: int | None = None) -> list[Token]:
    """Word and punctuation tokens of ``text[start:end]`` with absolute offsets."""
    end = len(text) if end is None else end
    return [Token(m.start() + start, m.end() + start, m.group()) for m in _TOKEN.finditer(text[start:end])]


#: A blank line (spaces or tabs allowed on it) and the whitespace after it.
PARAGRAPH_BREAK = re.compile(r"\n[^\S\n]*\n\s*")
_LINE_BREAK = re.compile(r"\n\s*")
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*\s+")
_SPACE = re.compile(r"\s+")


def split_paragraphs(text: str) -> list[tuple[int, int]]:
    """Paragraphs as ``(start, end)`` offsets: the text between blank lines (the paragraph
    break :func:`split_segments` cuts at first), whitespace trimmed, empty ones dropped."""
    breaks = list(PARAGRAPH_BREAK.finditer(text))
    starts = [0] + [m.end() for m in breaks]
    ends = [m.start() for m in breaks] + [len(text)]
    paragraphs = []
    for start, end in zip(starts, ends, strict=True):
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace():
            end -= 1
        if end > start:
            paragraphs.append((start, end))
    return paragraphs


def _last_break(text: str, lo: int, hi: int) -> int | None:
    """The end of the last paragraph break in ``text[lo:hi]``, else of the last line
    break, sentence end or space; None when there is none."""
    for pattern in (PARAGRAPH_BREAK, _LINE_BREAK, _SENTENCE_END, _SPACE):
        last = None
        for last in pattern.finditer(text, lo, hi):  # noqa: B007 (the last match is wanted)
            pass
        if last is not None and last.end() > lo:
            return last.end()
    return None


def split_segments(text: str, max_chars: int, context_chars: int = 0) -> list[tuple[int, int, int]]:
    """Cut ``text`` into consecutive segments of at most ``max_chars`` characters, each
    ``(start, end, view)``: cut after a paragraph break where one lies in the second half
    of the segment, else after a line break, a sentence end or a space, else anywhere.

    ``view <= start`` is where a model's view of the segment begins: up to
    ``context_chars`` earlier, at the start of a line or sentence (``start`` if none).
    The segments cover the text exactly: the first starts at 0, each starts where the
    one before ends, the last ends at ``len(text)``.
    """
    if max_chars < 2:
        raise ValueError("max_chars must be at least 2")
    segments: list[tuple[int, int, int]] = []
    start = 0
    while start < len(text):
        end = len(text)
        if end - start > max_chars:
            end = _last_break(text, start + max_chars // 2, start + max_chars) or start + max_chars
        view = start
        if context_chars and start:
            lo = max(0, start - context_chars)
            # the first line or sentence start in the lead-in window (a line break right at
            # ``start`` gives none: then a sentence end is tried)
            found = (_LINE_BREAK.search(text, lo, start), _SENTENCE_END.search(text, lo, start))
            first = next((m for m in found if m is not None and m.end() < start), None)
            if first is not None:
                view = first.end()
        segments.append((start, end, view))
        start = end
    return segments


#: a first line longer than this is a paragraph, not a headline
HEADLINE_MAX_WORDS = 25


def headline(text: str) -> tuple[int, int] | None:
    """The article's headline as ``(start, end)``: its first line, when the text goes on after a
    line break and the line is short (at most ``HEADLINE_MAX_WORDS`` words); else None."""
    start = len(text) - len(text.lstrip())
    end = text.find("\n", start)
    if end == -1 or not text[end:].strip():
        return None
    line = text[start:end].rstrip()
    return (start, start + len(line)) if line and len(line.split()) <= HEADLINE_MAX_WORDS else None


_APPOSITIVE_MARK = re.compile(r"[,(]")


def split_appositive(mention: str) -> tuple[str, str, str]:
    """A mention cut at its first comma or parenthesis: ``("Dana Whitfield", ",", " the
    city's chief engineer")``; ``(mention, "", "")`` when it has neither."""
    m = _APPOSITIVE_MARK.search(mention)
    return (mention[: m.start()], m.group(), mention[m.end() :]) if m else (mention, "", "")
