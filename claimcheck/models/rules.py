"""Transparent attribution rules: cue lexicon + surface patterns.

Finds source, cue and content spans sentence by sentence:

* ``According to SOURCE, CONTENT`` and ``CONTENT, according to SOURCE``;
* ``SOURCE [also/has] CUE [that] CONTENT`` (``told X that``);
* ``"CONTENT," SOURCE CUE`` and ``"CONTENT," CUE SOURCE``;
* credit lines: ``Original Source: www.example.com`` and ``CITY (Reuters) -``.

No parser is shipped (none is available offline), so noun phrases are found
from punctuation, capitalisation and stop words.
"""

from __future__ import annotations

from claimcheck.models.credit_lines import RawAttribution, credit_lines
from claimcheck.models.phrases import PUNCT_STOP, is_word, np_backward
from claimcheck.text import Sentence, Token, tokenize

_AUX = frozenset(
    [
        "has",
        "have",
        "had",
        "also",
        "previously",
        "later",
        "then",
        "again",
        "once",
        "repeatedly",
        "publicly",
        "privately",
        "recently",
        "is",
        "was",
        "were",
        "been",
        "would",
        "will",
        "did",
        "does",
        "do",
        "not",
        "never",
        "first",
        "further",
        "just",
        "even",
        "already",
        "often",
        "still",
        "initially",
        "earlier",
        "separately",
        "reportedly",
    ]
)
_SUBJECT_PRONOUNS = frozenset({"i", "we", "he", "she", "they", "you"})
_PREPOSITIONS = frozenset({"with", "of", "by", "from", "about", "into", "over", "under"})
#: words that may sit inside a cue span but never head one
NOT_CUES = _AUX | {"according", "to", "that", "in", "of", "for", "on", "a", "the"}
_OBJECT_CUES = frozenset({"told", "tells", "tell", "telling", "informed", "assured", "warned", "reminded"})
_QUOTES_OPEN = frozenset({"“", '"', "‘"})
_QUOTES_CLOSE = frozenset({"”", '"', "’"})


def _np_forward(toks: list[Token], start: int, appositive: bool = True) -> tuple[int, int] | None:
    """Token range [start, j) of a noun phrase starting at ``start`` (inverted ``said Trump``);
    with ``appositive``, a ", a spokeswoman for ..." after a name belongs to it."""
    j = start
    while j < len(toks) and j - start < 14:
        tok = toks[j]
        if tok.text == "." and j + 1 < len(toks) and j > start and len(toks[j - 1].text) <= 4:
            j += 1
            continue
        if (
            appositive
            and tok.text == ","
            and j + 1 < len(toks)
            and toks[j + 1].text.lower() in {"the", "a", "an", "who"}
            and toks[j - 1].text[:1].isupper()
        ):
            j += 1  # appositive: "said Jane Doe, a spokeswoman for ..."
            continue
        if tok.text in PUNCT_STOP or tok.text in {".", "!", "?"}:
            break
        if tok.text.lower() in {"that", "when", "while", "because", "but", "if", "after", "before", "in", "on"}:
            break
        j += 1
    return (start, j) if j > start else None


def _span(toks: list[Token], i: int, j: int) -> tuple[int, int]:
    return toks[i].start, toks[j - 1].end


def _quote_depth(toks: list[Token], i: int) -> int:
    """How many quotations are open before token ``i`` of the sentence."""
    depth = 0
    for tok in toks[:i]:
        if tok.text == "“" or (tok.text == '"' and depth == 0):
            depth += 1
        elif tok.text in {"”", '"'} and depth > 0:
            depth -= 1
    return depth


def _content_forward(toks: list[Token], i: int) -> tuple[int, int] | None:
    """Content from token ``i`` to the end of the sentence (or of the quotation the cue
    sits in), minus final punctuation."""
    inside_quote = _quote_depth(toks, i) > 0
    while i < len(toks) and toks[i].text.lower() in {"that", ",", ":", "—", "–"}:
        i += 1
    j = len(toks)
    if inside_quote:
        j = next((n for n in range(i, len(toks)) if toks[n].text in {"”", '"'}), j)
    while j > i and toks[j - 1].text in {".", ",", ";", ":"}:
        j -= 1
    if j - i < 2:
        return None
    return _span(toks, i, j)


def _content_start(toks: list[Token], k: int) -> int:
    """Where the content of the cue ``toks[k]`` starts: after it, or after the short object
    of a cue that takes one ("told reporters that ...")."""
    cue_end = k + 1
    if toks[k].text.lower() in _OBJECT_CUES:
        obj = cue_end
        while obj < len(toks) and obj - cue_end < 5 and toks[obj].text.lower() not in {"that", ",", ":"} | _QUOTES_OPEN:
            obj += 1
        if obj < len(toks) and obj - cue_end < 5:
            return obj
    return cue_end


def _content_backward(toks: list[Token], end: int) -> tuple[int, int] | None:
    """Content from the start of the sentence to token ``end`` (a comma or quote)."""
    i = 0
    j = end
    while j > i and toks[j - 1].text in {",", ";", ":"}:
        j -= 1
    if j - i < 2:
        return None
    return _span(toks, i, j)


def _speech_content(toks: list[Token], k: int, src_i: int, src_j: int) -> tuple[int, int] | None:
    """The content of the cue ``toks[k]`` whose source is ``toks[src_i:src_j]``."""
    content_start = _content_start(toks, k)
    content = None
    if (
        src_i > 1
        and toks[src_i - 1].text in {",", "”", '"'}
        and not any(t.text.lower() == "according" for t in toks[:src_i])
    ):
        # "CONTENT, officials announced on Tuesday": the content comes first
        content = _content_backward(toks, src_i - 1)
    content = content or _content_forward(toks, content_start)
    if (
        content
        and src_j - src_i == 1
        and toks[src_i].text.lower() in {"who", "which"}
        and src_i > 0
        and toks[src_i - 1].text == ","
    ):
        # ", who requested anonymity due to ..., confirmed": the clause ends at its comma
        close = next((t for t in toks[content_start:] if t.text == ","), None)
        if close is not None:
            content = (content[0], close.start)
    if content is None and src_i > 0 and toks[src_i - 1].text in {",", "”", '"'} | _QUOTES_CLOSE:
        # "CONTENT," SOURCE said.
        back = src_i - 1
        while back > 0 and toks[back].text in {",", "”", '"', "’"}:
            back -= 1
        content = _content_backward(toks, back + 2)
    return content


class RuleAttributionFinder:
    """Finds attributions in sentences with a cue lexicon and surface patterns."""

    def __init__(self, cue_words: set[str] | frozenset[str]):
        self.cue_words = frozenset(w.lower() for w in cue_words)

    def find(self, text: str, sentences: list[Sentence]) -> list[RawAttribution]:
        found = credit_lines(text)
        taken = {r.cue[0] for r in found if r.cue}
        credited = {r.source[0] for r in found if r.source and r.kind == "credit_line"}
        for sent in sentences:
            for raw in self._in_sentence(text, sent):
                if raw.cue and raw.cue[0] in taken:
                    continue
                if raw.source and raw.source[0] in credited:
                    continue
                taken.add(raw.cue[0])
                found.append(raw)
        return found

    # -- sentences -------------------------------------------------------------------

    def _in_sentence(self, text: str, sent: Sentence) -> list[RawAttribution]:
        toks = tokenize(text, sent.start, sent.end)
        out: list[RawAttribution] = []
        n = len(toks)
        k = 0
        while k < n:
            low = toks[k].text.lower()
            if low == "according" and k + 1 < n and toks[k + 1].text.lower() == "to":
                raw = self._according_to(toks, k)
                if raw:
                    out.append(raw)
                k += 2
                continue
            if low in self.cue_words and is_word(toks[k]):
                raw = self._speech(toks, k)
                if raw:
                    out.append(raw)
                    # one speech attribution per clause: skip to the end of its content
                    k += 1
                    continue
            k += 1
        return out

    def _according_to(self, toks: list[Token], k: int) -> RawAttribution | None:
        # "According to Jane Doe, the plan failed": the comma ends the source
        np = _np_forward(toks, k + 2, appositive=k > 0)
        if not np:
            return None
        cue = [_span(toks, k, k + 2)]
        source = [_span(toks, *np)]
        after = np[1]
        if after < len(toks) and toks[after].text == ",":
            content = _content_forward(toks, after + 1)
            if k > 0 and (content is None or toks[k - 1].text == ","):
                content = _content_backward(toks, k) or content
        else:
            content = _content_backward(toks, k) if k > 1 else None
        return RawAttribution(source=source, cue=cue, content=[content] if content else [], kind="according_to")

    def _speech(self, toks: list[Token], k: int) -> RawAttribution | None:
        """The attribution of the speech cue ``toks[k]``: a speaker before it ("Jones said"),
        a clause between speaker and cue ("Jones, who ..., said") or a speaker after it
        ("..., said Jones")."""
        # the cue's auxiliaries ("has said") belong to the cue
        j = k - 1
        while j >= 0 and toks[j].text.lower() in _AUX:
            j -= 1
        cue_start = j + 1
        src_j = j + 1
        if j >= 0 and toks[j].text == ")":
            # "Sen. Ted Cruz (R-Texas) said": the parenthesis belongs to the source
            opening = next((i for i in range(j - 1, max(-1, j - 12), -1) if toks[i].text == "("), None)
            if opening is not None and opening > 0:
                j = opening - 1
        if j >= 0 and is_word(toks[j]):
            return self._speaker_before(toks, k, j, src_j, cue_start)
        if j >= 0 and toks[j].text in {",", "”", '"', "’"}:
            return self._speaker_apart(toks, k, j, cue_start)
        return None

    def _speaker_before(self, toks: list[Token], k: int, j: int, src_j: int, cue_start: int) -> RawAttribution | None:
        """A speaker just before the cue ("Jones said ..."): the noun phrase that ends at
        ``toks[j]`` (the source ends at ``src_j``), its content after the cue or before the speaker."""
        np = np_backward(toks, j + 1)
        if np is None:
            return None
        src_i = np[0]
        if src_j - src_i > 1 and toks[src_j - 1].text.lower() in _SUBJECT_PRONOUNS:
            src_i = src_j - 1  # "the corrosion we found": the pronoun is the source
        if src_i > 0 and toks[src_i - 1].text.lower() in _PREPOSITIONS:
            return None  # "with the process ordered from ...": an object, not a speaker
        content = _speech_content(toks, k, src_i, src_j)
        if content is None:
            return None
        return RawAttribution(
            source=[_span(toks, src_i, src_j)], cue=[_span(toks, cue_start, k + 1)], content=[content]
        )

    def _speaker_apart(self, toks: list[Token], k: int, j: int, cue_start: int) -> RawAttribution | None:
        """A comma or quote at ``toks[j]`` before the cue: either an appositive/relative clause
        between speaker and cue, or an inverted '..., said Trump'."""
        cue_end = k + 1
        comma = self._appositive_start(toks, j)
        if comma is not None:
            np = np_backward(toks, comma)
            if np is None:
                return None
            src_i = np[0]
            src_j = comma if toks[comma + 1].text.lower() in {"who", "which"} else j
            content = _content_forward(toks, cue_end)
            if content is None:
                return None
            return RawAttribution(
                source=[_span(toks, src_i, src_j)], cue=[_span(toks, cue_start, cue_end)], content=[content]
            )
        np = _np_forward(toks, cue_end)
        if np is None:
            return None
        content = _content_backward(toks, j + 1)
        if content is None:
            return None
        return RawAttribution(source=[_span(toks, *np)], cue=[_span(toks, k, cue_end)], content=[content])

    @staticmethod
    def _appositive_start(toks: list[Token], comma: int) -> int | None:
        """Index of the comma opening an appositive/relative clause that ends at ``comma``."""
        if toks[comma].text != ",":
            return None
        for i in range(comma - 1, max(-1, comma - 25), -1):
            if toks[i].text in {",", "(", "“", '"'}:
                if (
                    toks[i].text == ","
                    and i + 1 < comma
                    and toks[i + 1].text.lower() in {"who", "which", "a", "an", "the", "whose"}
                    and i > 0
                    and is_word(toks[i - 1])
                ):
                    return i
                return None
        return None
