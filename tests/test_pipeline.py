"""End-to-end behaviour of the shipped checker."""

from __future__ import annotations

import json

from claimcheck import ArticleReport, Checker
from tests.conftest import EXAMPLES, REPO, need

OWN_EXAMPLE = REPO / "examples" / "harbor-bridge.txt"


def _claim(report: ArticleReport, startswith: str):
    return next(c for c in report.claims if c.text.startswith(startswith))


def test_own_example_types_and_scores(checker: Checker):
    report = checker.check(OWN_EXAMPLE.read_text(encoding="utf-8"))
    assert _claim(report, "According to a 2024 inspection report").type == "document"
    assert _claim(report, "Two people familiar").type == "anonymous"
    assert _claim(report, "Critics say").type == "unnamed_group"
    assert _claim(report, "The Riverside Herald reported").type == "publication"
    assert _claim(report, "The bridge carried").type == "unattributed"
    assert _claim(report, "Original Source").type == "publication"
    she = _claim(report, "She said crews")
    att = next(a for a in report.attributions if a.id == she.attribution)
    assert she.type == "named_person" and att.resolved_source == "Dana Whitfield"
    assert report.summary.n_claims == len(report.claims)
    assert sum(report.summary.type_counts.values()) == len(report.claims)


def test_seed_example_acceptance(checker: Checker):
    path = need(EXAMPLES / "iran-syria-evacuation.txt")
    report = checker.check(path.read_text(encoding="utf-8"))
    rahmati = _claim(report, "According to Iranian analyst Mehdi Rahmati")
    officials = _claim(report, "Regional and Iranian officials")
    credit = _claim(report, "Original Source:")
    assert rahmati.type == "named_person"
    assert officials.type == "anonymous"
    assert "anonymous_with_reason" in [r.code for r in officials.reasons]
    assert officials.score < rahmati.score
    assert credit.type == "publication"
    for background in ("Iran has been a crucial ally", "The withdrawal of Iranian", "This development merits"):
        assert _claim(report, background).type == "unattributed"


def test_report_round_trips_through_json(checker: Checker):
    report = checker.check(OWN_EXAMPLE.read_text(encoding="utf-8"), id="harbor")
    again = ArticleReport.from_dict(json.loads(report.to_json()))
    assert again == report
    for att in report.attributions:
        for role in ("source", "cue", "content"):
            for s, e in att.ranges(role):
                assert 0 <= s < e <= len(report.text)


def test_check_many_matches_check(checker: Checker):
    texts = ["Ann Ortiz said the bridge will reopen.", "Critics say the plan failed.", "No sources here."]
    many = checker.check_many(texts, batch_size=2)
    assert [r.to_dict() for r in many] == [checker.check(t).to_dict() for t in texts]
