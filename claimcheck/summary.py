"""The article summary: type shares, the sourcing score, named sources, quote kinds and editor flags.

The article's ``sourcing_score`` is the mean score of its attributed claims
(claims the article asserts itself have no sourcing score); ``None`` when no
claim is attributed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

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


def source_name(resolved: str | None, source: str) -> str:
    """The name a source goes by: its antecedent, or its words before an appositive."""
    return resolved or split_appositive(source)[0].strip()


def _source_name(att: Attribution, text: str) -> str:
    return source_name(att.resolved_source, att.text_of("source", text))


def is_weasel(reason_codes: Iterable[str], who: str) -> bool:
    """A claim carried by a vague or weasel group ("some say", "critics", "experts"), not by
    a group the story pins down ("jurors in Virginia", "prosecutors") nor a place; ``who``
    is the source's antecedent, else its words."""
    codes = set(reason_codes)
    return "weasel" in codes or ("unnamed_group" in codes and is_vague_group(who))


def claim_flags(types: Sequence[str], names: Sequence[str], weasel: int, unresolved: int) -> list[tuple[str, dict]]:
    """The flags an article's claims raise, as ``(code, figures for its text)``: ``types`` of
    every claim, ``names`` the source names of the attributed ones (in order), ``weasel`` and
    ``unresolved`` how many attributed claims rest on a weasel group or an unresolved pronoun.
    The one statement of these rules (the summary and the dashboard both use it)."""
    n = len(types)
    attributed = sum(t != "unattributed" for t in types)
    anonymous = sum(t == "anonymous" for t in types)
    flags: list[tuple[str, dict]] = []
    if attributed and anonymous >= 2 and anonymous * 2 > attributed:
        flags.append(("mostly_anonymous", {"n": anonymous, "total": attributed}))
    if n >= 4 and (n - attributed) * 2 > n:
        flags.append(("mostly_unsourced", {"n": n - attributed, "total": n}))
    if attributed >= 3 and len({name.lower() for name in names}) == 1:
        flags.append(("single_source", {"name": names[0]}))
    if weasel:
        flags.append(("weasel_words", {"n": weasel}))
    if unresolved:
        flags.append(("unresolved_references", {"n": unresolved}))
    return flags


def summarize(text: str, claims: list[Claim], atts: list[Attribution]) -> Summary:
    by_id = {a.id: a for a in atts}
    counts = Counter(c.type for c in claims)
    n = len(claims)
    attributed = [c for c in claims if c.type != "unattributed"]
    scores = [c.score for c in attributed if c.score is not None]
    named = Counter(
        _source_name(by_id[c.attribution], text) for c in attributed if c.attribution and c.type in NAMED_TYPES
    )
    sourced = [(c, by_id[c.attribution]) for c in attributed if c.attribution]
    weasel = sum(
        is_weasel((r.code for r in c.reasons), att.resolved_source or att.text_of("source", text)) for c, att in sourced
    )
    unresolved = sum(r.code == "unresolved_reference" for c in attributed for r in c.reasons)
    names = [_source_name(att, text) for _, att in sourced]
    flags = [
        flag(code, **figures) for code, figures in claim_flags([c.type for c in claims], names, weasel, unresolved)
    ]
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
