"""What every report must satisfy, whatever the text: used by the hardening and
property tests (and by their child processes, so no pytest here)."""

from __future__ import annotations

import json
import math

from claimcheck.data import ATTRIBUTION_TYPES, QUOTE_KINDS, ROLES, ArticleReport
from claimcheck.pipeline import clean_text
from claimcheck.quotes import quote_kind, quoted_spans


def _unit(value: float | None, what: str) -> None:
    assert value is None or (math.isfinite(value) and 0.0 <= value <= 1.0), f"{what} = {value!r} is not in [0, 1]"


def check_report(report: ArticleReport, text: str, round_trip: bool = True) -> None:
    """Assert the invariants of ``report`` for the article ``text``.

    Offsets are Python ``str`` indices into ``report.text`` (which is ``text`` with lone
    surrogates replaced, one character for one); every span lies inside it, claims are
    in order without overlap and each is its own ``text[start:end]``; types are the
    codebook's; confidences and scores are in [0, 1] or None; every attribution has the
    quote kind of its content; the summary agrees with the claims and attributions; and
    the report survives JSON (``round_trip``).
    """
    assert report.text == clean_text(text) and len(report.text) == len(text)
    n = len(report.text)
    ids = [a.id for a in report.attributions]
    assert len(set(ids)) == len(ids), "attribution ids repeat"
    by_id = {a.id: a for a in report.attributions}
    quoted = quoted_spans(report.text)
    for att in report.attributions:
        assert att.quote_kind == quote_kind(report.text, att.content, quoted), f"{att.id}.quote_kind"
        assert att.type is None or att.type in ATTRIBUTION_TYPES, att.type
        _unit(att.confidence, f"{att.id}.confidence")
        _unit(att.score, f"{att.id}.score")
        assert att.source or att.cue or att.content, f"{att.id} has no span at all"
        for role in ROLES:
            ranges = att.ranges(role)
            assert ranges == sorted(ranges), f"{att.id}.{role} out of order"
            for start, end in ranges:
                assert 0 <= start < end <= n, f"{att.id}.{role} [{start}, {end}) outside the text of {n}"
        for r in att.reasons:
            assert r.code and r.text and math.isfinite(r.weight)
    previous_end = 0
    for claim in report.claims:
        assert 0 <= claim.start <= claim.end <= n, (claim.start, claim.end, n)
        assert claim.start >= previous_end, "claims overlap or are out of order"
        previous_end = claim.end
        assert report.text[claim.start : claim.end] == claim.text
        assert claim.text and claim.text == claim.text.strip(), "claims are trimmed, never empty"
        assert claim.type in ATTRIBUTION_TYPES, claim.type
        _unit(claim.confidence, "claim.confidence")
        _unit(claim.score, "claim.score")
        if claim.attribution is None:
            assert claim.type == "unattributed" and claim.score is None
        else:
            att = by_id[claim.attribution]
            assert (claim.type, claim.score, claim.confidence) == (att.type, att.score, att.confidence)
    summary = report.summary
    assert summary.n_claims == len(report.claims)
    assert set(summary.type_counts) == set(ATTRIBUTION_TYPES)
    assert sum(summary.type_counts.values()) == len(report.claims)
    for share in summary.type_shares.values():
        _unit(share, "type share")
    if report.claims:
        assert abs(sum(summary.type_shares.values()) - 1.0) < 0.01
    _unit(summary.sourcing_score, "sourcing_score")
    assert all(isinstance(v, int) and v > 0 for v in summary.named_sources.values())
    assert list(summary.quote_counts) == list(QUOTE_KINDS)
    assert sum(summary.quote_counts.values()) == sum(a.quote_kind is not None for a in report.attributions)
    if round_trip:
        encoded = report.to_json().encode("utf-8")  # fails on a lone surrogate
        assert ArticleReport.from_dict(json.loads(encoded)) == report
