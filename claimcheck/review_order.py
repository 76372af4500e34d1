"""Which attributions ``claimcheck label`` shows first: the most consequential mistakes
(:func:`consequence_rank`, the default) or the least confident (:func:`confidence_rank`)."""

from __future__ import annotations

import functools
import re
from enum import StrEnum

from claimcheck.data import ROLES, Attribution, LabelledExample
from claimcheck.lexicons import SPEECH_VERBS
from claimcheck.text import headline, split_sentences


class ReviewOrder(StrEnum):
    """The order ``claimcheck label`` shows attributions in."""

    consequence = "consequence"  # the mistakes that cost most first: see consequence_rank
    confidence = "confidence"  # least confident first: see confidence_rank


ORDER_WORDS = {ReviewOrder.consequence: "most consequential first", ReviewOrder.confidence: "least confident first"}


@functools.cache
def default_quality(att_type: str | None) -> int | None:
    """The codebook's quality of a bare source of this type: the shipped scoring weights' ``base``
    (``claimcheck/resources/scoring.yaml``); None for ``unattributed`` or no type."""
    from claimcheck.scoring import ScoringWeights

    base = ScoringWeights.load().base
    if att_type not in base:
        return None
    return min(5, max(1, round(base[att_type])))


def context_window(text: str, att: Attribution) -> tuple[int, int]:
    """The sentence(s) an attribution touches, as ``(start, end)`` offsets."""
    spans = [r for role in ROLES for r in att.ranges(role)]
    lo, hi = min(s for s, _ in spans), max(e for _, e in spans)
    touched = [s for s in split_sentences(text) if s.start < hi and s.end > lo]
    if not touched:
        return max(0, lo - 200), min(len(text), hi + 200)
    return min(lo, touched[0].start), max(hi, touched[-1].end)


def confidence_rank(att: Attribution, article: int, index: int) -> tuple:
    """Most uncertain first: missing confidence, then ascending confidence, then file order."""
    return (att.confidence is not None, att.confidence or 0.0, article, index)


_QUOTE_MARKS = re.compile('["\u201c\u201d\u00ab\u00bb\u2018]')  # not ’, which is also an apostrophe


def unsupported(ex: LabelledExample, att: Attribution) -> bool:
    """Whether the sentence(s) of a sourced attribution hold neither a quotation mark nor a
    speech verb: nothing in the text says anyone spoke or wrote, so the source is likely false."""
    lo, hi = context_window(ex.text, att)
    words = re.findall(r"[a-z]+", ex.text[lo:hi].lower())
    return not _QUOTE_MARKS.search(ex.text, lo, hi) and SPEECH_VERBS.isdisjoint(words)


def in_headline(ex: LabelledExample, att: Attribution) -> bool:
    """Whether the attribution's source lies in the article's headline (:func:`~claimcheck.text.headline`)."""
    line = headline(ex.text)
    return line is not None and any(line[0] <= s < line[1] for s, _ in att.ranges("source"))


def score_weight(att: Attribution) -> int:
    """How much the attribution lifts its claim's score above an unattributed claim's: its
    quality less 1 (the type's codebook quality where none is given)."""
    return (att.quality or default_quality(att.type) or 1) - 1


def consequence_rank(ex: LabelledExample, att: Attribution, article: int, index: int) -> tuple:
    """The mistakes that cost most first.

    1. sources whose sentence holds no quotation mark and no speech verb (:func:`unsupported`),
       most confident first: a confident false source is the costliest mistake, and the one a
       least-confident-first order shows last;
    2. headline sources, which readers see first;
    3. the others.

    Within 2 and 3, the types that move the score most first (:func:`score_weight`), then the
    least confident (missing confidence first); file order last.
    """
    confidence = att.confidence
    if unsupported(ex, att):
        return (0, -(confidence or 0.0), -score_weight(att), article, index)
    tier = 1 if in_headline(ex, att) else 2
    return (tier, -score_weight(att), -1.0 if confidence is None else confidence, article, index)


def why_early(ex: LabelledExample, att: Attribution) -> str | None:
    """Why the consequence order shows an attribution ahead of the others, in words."""
    if unsupported(ex, att):
        return "no quotation mark and no speech verb in its sentence"
    return "a headline source" if in_headline(ex, att) else None


def review_rank(order: ReviewOrder, ex: LabelledExample, att: Attribution, article: int, index: int) -> tuple:
    """The attribution's place in the queue by ``order`` (lowest first)."""
    if order is ReviewOrder.confidence:
        return confidence_rank(att, article, index)
    return consequence_rank(ex, att, article, index)
