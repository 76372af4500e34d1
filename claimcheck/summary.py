"""The article summary: type shares, the sourcing score, named sources, quote kinds and editor flags.

The article's ``sourcing_score`` is the mean score of its attributed claims
(claims the article asserts itself have no sourcing score); ``None`` when no
claim is attributed.
"""

from __future__ import annotations

from collections import Counter

from claimcheck.data import ATTRIBUTION_TYPES, NAMED_TYPES, QUOTE_KINDS, Attribution, Claim, Reason, Summary
from claimcheck.lexicons import is_vague_group
from claimcheck.text import split_appositive

FLAG_TEXT = {
    "mostly_anonymous": "Most attributed claims rest on anonymous sources ({n} of {total})",
    "mostly_unsourced": "Most claims carry no source: the article asserts them itself ({n} of {total})",
    "single_source": "All attributed claims come from one source: {name}",
    "weasel_words": 'Vague or weasel attributions ("some say", "critics", "experts") carry {n} claim(s)',
    "unresolved_references": "{n} claim(s) rest on a pronoun the checker could not tie to a name",
    "low_rated_outlet": "Cites an outlet rated below 0.4 for reliability: {names}",
    "unrated_outlet": "Cites outlets that are not in the ratings table: {names}",
}


def flag(code: str, **fmt) -> Reason:
    return Reason(code=code, text=FLAG_TEXT[code].format(**fmt))


def _source_name(att: Attribution, text: str) -> str:
    """The name a source goes by: its antecedent, or its words before an appositive."""
    return att.resolved_source or split_appositive(att.text_of("source", text))[0].strip()


def _is_weasel(claim: Claim, att: Attribution, text: str) -> bool:
    """A claim carried by a vague or weasel group ("some say", "critics", "experts"), not by
    a group the story pins down ("jurors in Virginia", "prosecutors") nor a place."""
    codes = {r.code for r in claim.reasons}
    if "weasel" in codes:
        return True
    return "unnamed_group" in codes and is_vague_group(att.resolved_source or att.text_of("source", text))


def summarize(text: str, claims: list[Claim], atts: list[Attribution]) -> Summary:
    by_id = {a.id: a for a in atts}
    counts = Counter(c.type for c in claims)
    n = len(claims)
    attributed = [c for c in claims if c.type != "unattributed"]
    scores = [c.score for c in attributed if c.score is not None]
    named = Counter(
        _source_name(by_id[c.attribution], text) for c in attributed if c.attribution and c.type in NAMED_TYPES
    )
    flags: list[Reason] = []
    anonymous = counts.get("anonymous", 0)
    if attributed and anonymous >= 2 and anonymous * 2 > len(attributed):
        flags.append(flag("mostly_anonymous", n=anonymous, total=len(attributed)))
    if n >= 4 and counts.get("unattributed", 0) * 2 > n:
        flags.append(flag("mostly_unsourced", n=counts["unattributed"], total=n))
    sources = {_source_name(by_id[c.attribution], text).lower() for c in attributed if c.attribution}
    if len(attributed) >= 3 and len(sources) == 1:
        flags.append(flag("single_source", name=_source_name(by_id[attributed[0].attribution], text)))
    reason_codes = Counter(r.code for c in attributed for r in c.reasons)
    weasel = sum(1 for c in attributed if c.attribution and _is_weasel(c, by_id[c.attribution], text))
    if weasel:
        flags.append(flag("weasel_words", n=weasel))
    if reason_codes["unresolved_reference"]:
        flags.append(flag("unresolved_references", n=reason_codes["unresolved_reference"]))
    low, unrated = set(), set()
    for att in atts:
        for r in att.reasons:
            if r.code == "outlet_unrated":
                unrated.add(_source_name(att, text))
            elif r.code == "outlet_rated" and att.score is not None and r.weight < -0.2:
                low.add(_source_name(att, text))
    if low:
        flags.append(flag("low_rated_outlet", names=", ".join(sorted(low))))
    if unrated:
        flags.append(flag("unrated_outlet", names=", ".join(sorted(unrated))))
    return Summary(
        n_claims=n,
        type_counts={t: counts.get(t, 0) for t in ATTRIBUTION_TYPES},
        type_shares={t: round(counts.get(t, 0) / n, 4) if n else 0.0 for t in ATTRIBUTION_TYPES},
        sourcing_score=round(sum(scores) / len(scores), 4) if scores else None,
        named_sources=dict(named.most_common()),
        quote_counts=quote_counts(atts),
        flags=flags,
    )


def quote_counts(atts: list[Attribution]) -> dict[str, int]:
    """How many of the attributions give their content as a direct, partial or indirect quote."""
    counts = Counter(a.quote_kind for a in atts if a.quote_kind)
    return {k: counts.get(k, 0) for k in QUOTE_KINDS}
