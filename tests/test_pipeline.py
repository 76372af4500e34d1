"""End-to-end behaviour of the shipped checker."""

from __future__ import annotations

import json

import pytest

from claimcheck import ArticleReport, Checker
from tests.conftest import EXAMPLES, REPO, need

OWN_EXAMPLE = REPO / "examples" / "harbor-bridge.txt"


def _claim(report: ArticleReport, startswith: str):
    return next(c for c in report.claims if c.text.startswith(startswith))


@pytest.fixture(scope="module")
def baseline() -> Checker:
    return Checker.load("baseline")


def test_own_example_types_and_scores(baseline: Checker):
    report = baseline.check(OWN_EXAMPLE.read_text(encoding="utf-8"))
    assert _claim(report, "According to a 2024 inspection report").type == "document"
    assert _claim(report, "Two people familiar").type == "anonymous"
    assert _claim(report, "Critics say").type == "unnamed_group"
    assert _claim(report, "The Riverside Herald reported").type == "publication"
    assert _claim(report, "The bridge carried").type == "unattributed"
    assert _claim(report, "Original Source").type == "publication"
    she = _claim(report, "She said crews")
    att = report.attribution_of(she)
    assert she.type == "named_person" and att.resolved_source == "Dana Whitfield"
    assert report.summary.n_claims == len(report.claims)
    assert sum(report.summary.type_counts.values()) == len(report.claims)


def _by_cue(report, text: str, cue: str):
    """The claim whose attribution's cue is ``cue`` (selected by structure, not by quoting the article)."""
    return next(c for c in report.claims if (a := report.attribution_of(c)) and a.text_of("cue", text).lower() == cue)


def _by_source_word(report, text: str, word: str):
    return next(
        c for c in report.claims if (a := report.attribution_of(c)) and word in a.text_of("source", text).lower()
    )


#: sentences of the seed example in which the article speaks for itself (background and analysis)
SEED_OWN_SENTENCES = (7, 9, 12)


def test_seed_example_baseline(baseline: Checker):
    """The foundation's acceptance: the rule baseline on the seed example."""
    path = need(EXAMPLES / "iran-syria-evacuation.txt")
    text = path.read_text(encoding="utf-8")
    report = baseline.check(text)
    rahmati = _by_cue(report, text, "according to")  # the named analyst
    officials = _by_source_word(report, text, "officials")  # the officials who asked not to be named
    credit = _by_cue(report, text, "original source:")
    assert rahmati.type == "named_person"
    assert officials.type == "anonymous"
    assert "anonymous_with_reason" in [r.code for r in officials.reasons]
    assert officials.score < rahmati.score
    assert credit.type == "publication"
    for k in SEED_OWN_SENTENCES:
        assert report.claims[k].type == "unattributed"


def test_seed_example_default_model(checker: Checker):
    """The default (fine-tuned) model: the officials' claim is anonymous with its reason and
    scores below the named analyst's; the credit line is rated from the outlet table."""
    path = need(EXAMPLES / "iran-syria-evacuation.txt")
    text = path.read_text(encoding="utf-8")
    report = checker.check(text)
    rahmati = _by_cue(report, text, "according to")
    officials = _by_source_word(report, text, "officials")
    credit = _by_cue(report, text, "original source:")
    assert (rahmati.type, officials.type, credit.type) == ("named_person", "anonymous", "publication")
    assert "anonymous_with_reason" in [r.code for r in officials.reasons]
    assert officials.score < rahmati.score
    rated = [r for r in credit.reasons if r.code == "outlet_rated"]
    assert rated and "0.90" in rated[0].text
    assert report.claims[SEED_OWN_SENTENCES[0]].type == "unattributed"


def test_every_attribution_with_content_has_a_quote_kind(baseline: Checker):
    # made-up sentences: a direct quote, reported speech, and reported speech quoting a phrase
    text = (
        "“The ferry will run all winter,” harbour master Ida Brenn said on Monday. "
        "Officials said the timetable would change in March. "
        "The council called the old schedule “a relic” in a statement.\n"
    )
    report = baseline.check(text)
    kinds = {a.text_of("source", text): a.quote_kind for a in report.attributions}
    assert kinds == {"harbour master Ida Brenn": "direct", "Officials": "indirect", "The council": "partial"}
    assert report.summary.quote_counts == {"direct": 1, "partial": 1, "indirect": 1}
    assert ArticleReport.from_dict(json.loads(report.to_json())) == report


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
    for report, text in zip(many, texts, strict=True):
        one = checker.check(text)
        assert [(a.source, a.cue, a.content, a.type) for a in report.attributions] == [
            (a.source, a.cue, a.content, a.type) for a in one.attributions
        ]
        for a, b in zip(report.attributions, one.attributions, strict=True):
            assert a.confidence == pytest.approx(b.confidence, abs=1e-3)


def test_precision_is_chosen_at_load():
    from claimcheck import Checker

    with pytest.raises(ValueError, match="use one of"):
        Checker.load(precision="fp8")
    with pytest.raises(ValueError, match="no precision setting"):
        Checker.load("baseline", precision="int8")
    fast = Checker.load(precision="int8")
    assert fast.model.precision == "int8"
    report = fast.check("Mayor Ann Ortiz said the bridge will reopen in May. The council met on Tuesday.")
    assert report.claims[0].type == "named_person" and report.claims[0].attribution


def test_check_each_gives_a_failing_article_its_exception_in_place():
    from claimcheck import Checker

    class FailsOnBoom:
        architecture = "test"

        def predict(self, texts):
            if any("boom" in t for t in texts):
                raise RuntimeError("the model fell over")
            return [[] for _ in texts]

    checker = Checker(FailsOnBoom())
    out = checker.check_each(["Ann said so.", "boom", "Bob said no."], ids=["a", "b", "c"])
    assert [type(r).__name__ for r in out] == ["ArticleReport", "RuntimeError", "ArticleReport"]
    assert out[0].id == "a" and out[2].id == "c"
