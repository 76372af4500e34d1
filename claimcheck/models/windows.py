"""Cut articles into encoder windows and turn spans into per-role BIO tags.

A window is a run of whole sentences (its *core*) that fits ``max_length``
word pieces, preceded by up to ``context_sentences`` sentences of context so
that a pronoun source sees what it refers to. Every character of the article
is core in exactly one window, so nothing is truncated or predicted twice; a
sentence too long for one window is split across several.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from claimcheck.data import ROLES, Attribution
from claimcheck.text import Sentence, split_sentences

#: BIO tags of one role
O, B, I = 0, 1, 2  # noqa: E741
IGNORE = -100


@dataclass
class Window:
    input_ids: list[int]
    offsets: list[tuple[int, int]]  # character span of every piece ((0, 0) for specials)
    core: list[bool]  # pieces whose predictions count
    labels: dict[str, list[int]] = field(default_factory=dict)  # role -> BIO (IGNORE outside core)
    case_ids: list[int] = field(default_factory=list)  # the piece's letter case (see :func:`case_ids`)
    soft: list | None = None  # training only: a teacher's tag distribution per piece (claimcheck.training.distill)
    #: training only: the typed gold sources whose source lies in the core, as piece index ranges
    #: (type index, source start, end, cue start, end, sentence start, end) (claimcheck.training.joint_types)
    types: list[tuple[int, ...]] | None = None


#: letter case of a word piece, which the uncased encoder cannot see: special/no letters,
#: lower case, capitalised, all capitals ("FBI", "AP")
CASE_NONE, CASE_LOWER, CASE_TITLE, CASE_UPPER = 0, 1, 2, 3
N_CASES = 4


def case_ids(text: str, offsets: list[tuple[int, int]]) -> list[int]:
    """The case class of every piece, read off the original text at its offsets."""
    out = []
    for s, e in offsets:
        piece = text[s:e]
        letters = [ch for ch in piece if ch.isalpha()]
        if not letters:
            out.append(CASE_NONE)
        elif all(ch.isupper() for ch in letters):
            word_start = s == 0 or not text[s - 1].isalnum()
            # one capital letter alone is a capitalised word ("I", "A"), two or more are an acronym
            whole = len(letters) > 1 or (e < len(text) and text[e : e + 1].isupper())
            out.append(CASE_UPPER if whole else CASE_TITLE if word_start else CASE_LOWER)
        elif letters[0].isupper():
            out.append(CASE_TITLE)
        else:
            out.append(CASE_LOWER)
    return out


def _pieces(tokenizer, text: str, start: int, end: int) -> tuple[list[int], list[tuple[int, int]]]:
    # verbose=False: a sentence longer than the encoder's 512 pieces is no error here (it is
    # cut into windows below), so no "will result in indexing errors" warning for the user
    enc = tokenizer(text[start:end], add_special_tokens=False, return_offsets_mapping=True, verbose=False)
    return enc["input_ids"], [(s + start, e + start) for s, e in enc["offset_mapping"]]


def make_windows(
    tokenizer, text: str, max_length: int = 256, context_sentences: int = 2, sentences: list[Sentence] | None = None
) -> list[Window]:
    """Windows covering the whole text; see the module docstring. ``sentences``: the text's,
    when the caller has split it already (a :class:`~claimcheck.document.Document`)."""
    budget = max_length - 2  # [CLS] ... [SEP]
    sentences = split_sentences(text) if sentences is None else sentences
    pieces = [_pieces(tokenizer, text, s.start, s.end) for s in sentences]
    # split over-long sentences into chunks of at most budget // 2 pieces
    units: list[tuple[list[int], list[tuple[int, int]]]] = []
    for ids, offs in pieces:
        step = max(1, budget // 2)
        for i in range(0, max(1, len(ids)), step):
            if ids[i : i + step]:
                units.append((ids[i : i + step], offs[i : i + step]))
    windows: list[Window] = []
    i = 0
    while i < len(units):
        core_ids, core_offs = list(units[i][0]), list(units[i][1])
        j = i + 1
        while j < len(units) and len(core_ids) + len(units[j][0]) <= budget * 3 // 4:
            core_ids += units[j][0]
            core_offs += units[j][1]
            j += 1
        ctx_ids: list[int] = []
        ctx_offs: list[tuple[int, int]] = []
        for k in range(i - 1, max(-1, i - 1 - context_sentences), -1):
            if len(ctx_ids) + len(units[k][0]) + len(core_ids) > budget:
                break
            ctx_ids = units[k][0] + ctx_ids
            ctx_offs = units[k][1] + ctx_offs
        ids = [tokenizer.cls_token_id, *ctx_ids, *core_ids, tokenizer.sep_token_id]
        offsets = [(0, 0), *ctx_offs, *core_offs, (0, 0)]
        core = [False] * (1 + len(ctx_ids)) + [True] * len(core_ids) + [False]
        windows.append(Window(ids, offsets, core, case_ids=case_ids(text, offsets)))
        i = j
    return windows


def label_windows(windows: list[Window], attributions: list[Attribution]) -> None:
    """Set each window's per-role BIO labels from gold attributions (outer spans win)."""
    for role in ROLES:
        spans = sorted(((s, e) for att in attributions for s, e in att.ranges(role)), key=lambda r: r[0] - r[1])
        for win in windows:
            tags = [O] * len(win.input_ids)
            painted = [False] * len(win.input_ids)
            for s, e in spans:
                inside = [n for n, (ps, pe) in enumerate(win.offsets) if pe > ps and ps < e and pe > s]
                if not inside or any(painted[n] for n in inside):
                    continue
                for k, n in enumerate(inside):
                    tags[n] = B if k == 0 else I
                    painted[n] = True
            win.labels[role] = [t if c else IGNORE for t, c in zip(tags, win.core, strict=True)]


def piece_rows(offsets: np.ndarray, ranges: list[tuple[int, int]]) -> np.ndarray:
    """Indices of the pieces (``(pieces, 2)`` character offsets) that overlap ``ranges``;
    special pieces, which cover no character, are never in."""
    starts, ends = offsets[:, 0], offsets[:, 1]
    inside = np.zeros(len(starts), dtype=bool)
    for range_start, range_end in ranges:
        inside |= (starts < range_end) & (ends > range_start)
    return np.flatnonzero(inside & (ends > starts))


def decode_spans(tags: list[int], offsets: list[tuple[int, int]], core: list[bool]) -> list[tuple[int, int, bool]]:
    """Character spans ``(start, end, continued)`` from one role's BIO tags over the core
    pieces of a window; ``continued`` when the span opens with I (it may carry on a span
    from the window before: see :func:`merge_continued`)."""
    spans: list[tuple[int, int, bool]] = []
    current: list | None = None
    for tag, (s, e), is_core in zip(tags, offsets, core, strict=True):
        if not is_core or e <= s:
            tag = O
        if tag == B or (tag == I and current is None):
            if current:
                spans.append(tuple(current))
            current = [s, e, tag == I]
        elif tag == I and current is not None:
            current[1] = e
        else:
            if current:
                spans.append(tuple(current))
            current = None
    if current:
        spans.append(tuple(current))
    return spans


def merge_continued(text: str, spans: list[tuple[int, int, bool]]) -> list[tuple[int, int]]:
    """Join a span that opens with I to the span just before it when only space lies between."""
    merged: list[list[int]] = []
    for s, e, continued in sorted(spans):
        if continued and merged and not text[merged[-1][1] : s].strip():
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    return [(s, e) for s, e in merged]


def snap_to_words(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Grow spans that cut a word to the whole word, drop spans with no letter or digit
    (a lone comma), and merge the spans that then overlap."""
    out: list[list[int]] = []
    for s, e in sorted(spans):
        while s > 0 and text[s - 1].isalnum() and text[s].isalnum():
            s -= 1
        while e < len(text) and text[e - 1].isalnum() and text[e].isalnum():
            e += 1
        if not any(ch.isalnum() for ch in text[s:e]):
            continue
        if out and s < out[-1][1]:
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e])
    return [(s, e) for s, e in out]


#: roles whose fragments :func:`bridge_fragments` joins (cues stay apart: two cues are two attributions)
BRIDGED_ROLES = ("source", "content")
_SENTENCE_BREAK = re.compile(r"[.!?;:\n]")
_WORD = re.compile(r"\w+")


def bridge_fragments(
    text: str, spans: dict[str, list[tuple[int, int]]], max_words: int = 2
) -> dict[str, list[tuple[int, int]]]:
    """Join a source's or content's fragments: spans of one role at most ``max_words``
    words apart, with no sentence break and no span of another role between them.

    The tagger decides piece by piece, so a long content now and then loses a word
    or two in the middle ("the mayor's [plan] to close the bridge") and comes out as
    two spans, of which the linker would keep one.
    """
    out = dict(spans)
    for role in BRIDGED_ROLES:
        others = [span for r, role_spans in spans.items() if r != role for span in role_spans]
        joined: list[tuple[int, int]] = []
        for start, end in sorted(spans.get(role, [])):
            if joined:
                gap_start = joined[-1][1]
                gap = text[gap_start:start]
                between = any(s < start and e > gap_start for s, e in others)
                if len(_WORD.findall(gap)) <= max_words and not _SENTENCE_BREAK.search(gap) and not between:
                    joined[-1] = (joined[-1][0], max(end, joined[-1][1]))
                    continue
            joined.append((start, end))
        out[role] = joined
    return out


_TRAILING = ".,;:"


def trim_trailing_punctuation(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Drop a full stop, comma, semicolon or colon that ends a span right after a word.

    PolNeAR's contents stop before the sentence's own punctuation ("... Donald Trump" + ".")
    but keep a closing quotation mark with what it closes; the tagger often takes the
    full stop along, which costs the exact end match.
    """
    out = []
    for start, end in spans:
        while end - start > 1 and text[end - 1] in _TRAILING and text[end - 2].isalnum():
            end -= 1
        out.append((start, end))
    return out
