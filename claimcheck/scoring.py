"""Sourcing score: the codebook's 1-5 quality scale, with the reasons that set it.

The score of an attribution is ``(quality - 1) / 4`` in [0, 1]. Quality starts
from the source's type and specificity, then adjusts for distancing cues, as
the codebook says. Every step adds a :class:`Reason`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from claimcheck.data import Attribution, Reason
from claimcheck.lexicons import (
    DISTANCING_CUES,
    PRONOUNS,
    ROLE_WORDS,
    TITLES,
    WEASEL_SOURCES,
    anonymity_marker,
    anonymity_reason,
)

REASON_TEXT = {
    "named_with_role": "Named source with a role or affiliation that says why they would know",
    "named_no_role": "Named person, but no role or affiliation is given",
    "named_organization": "Named organisation",
    "publication": "Another publication's reporting",
    "document_specific": "A specific, identifiable document or data set",
    "document_vague": 'A document that is not identified ("a report")',
    "anonymous_with_reason": "Anonymous source; the article gives a reason for anonymity",
    "anonymous_no_reason": "Anonymous source; the article gives no reason for anonymity",
    "unnamed_group": 'Vague group of people ("experts", "critics"), hard to check',
    "weasel": 'Weasel attribution ("some say"), uncheckable',
    "unresolved_reference": "Pronoun or description with no recoverable referent",
    "distancing_cue": 'The cue distances the writer from the claim ("claimed", "reportedly")',
    "unattributed": "No source: the article asserts this itself",
}


def reason(code: str, weight: float = 0.0) -> Reason:
    return Reason(code=code, text=REASON_TEXT[code], weight=weight)


@dataclass
class ScoringContext:
    """What the scorer needs of an attribution beyond its type."""

    source: str
    cue: str
    sentence: str
    resolved_source: str | None = None


def _has_role(ctx: ScoringContext) -> bool:
    words = re.findall(r"[\w’'-]+", f"{ctx.source} {ctx.resolved_source or ''}".lower())
    return "," in ctx.source or "(" in ctx.source or any(w in ROLE_WORDS or w in TITLES for w in words)


def _is_specific_document(source: str) -> bool:
    words = source.split()
    return bool(re.search(r"\b(1[89]|20)\d\d\b", source)) or any(w[:1].isupper() for w in words[1:])


class RuleScorer:
    """Sourcing quality from the codebook's table (the ``rules.v1`` scorer)."""

    def quality(self, att_type: str | None, ctx: ScoringContext) -> tuple[int | None, list[Reason]]:
        if att_type in (None, "unattributed"):
            return None, [reason("unattributed")]
        low_source = ctx.source.lower().strip()
        if low_source in PRONOUNS and not ctx.resolved_source:
            q, reasons = 1, [reason("unresolved_reference")]
        elif att_type == "named_person":
            q, reasons = (5, [reason("named_with_role")]) if _has_role(ctx) else (4, [reason("named_no_role")])
        elif att_type == "named_organization":
            q, reasons = 4, [reason("named_organization")]
        elif att_type == "publication":
            q, reasons = 4, [reason("publication")]
        elif att_type == "document":
            specific = _is_specific_document(ctx.source)
            q, reasons = (5, [reason("document_specific")]) if specific else (3, [reason("document_vague")])
        elif att_type == "anonymous":
            explained = anonymity_marker(ctx.sentence) and anonymity_reason(ctx.sentence)
            q = 3 if explained else 2
            reasons = [reason("anonymous_with_reason" if explained else "anonymous_no_reason")]
        else:  # unnamed_group
            weasel = not low_source or low_source in WEASEL_SOURCES
            q, reasons = (1, [reason("weasel")]) if weasel else (2, [reason("unnamed_group")])
        cue_words = set(re.findall(r"[a-z]+", ctx.cue.lower()))
        if q <= 2 and cue_words & DISTANCING_CUES:
            q = max(1, q - 1)
            reasons.append(reason("distancing_cue", -1.0))
        return q, reasons

    def score(self, att: Attribution, ctx: ScoringContext) -> tuple[float | None, list[Reason]]:
        q, reasons = self.quality(att.type, ctx)
        reasons[0].weight = float(q) if q is not None else 0.0
        return (None if q is None else (q - 1) / 4), reasons
