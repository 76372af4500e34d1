from claimcheck.data import Attribution, Claim, Reason
from claimcheck.pipeline import claim_attributions
from claimcheck.summary import summarize
from claimcheck.text import split_sentences
from tests.conftest import REPO
from tests.test_scoring import hand_scored

TEXT = "Officials said A. Aides said B. Ann Ortiz, the mayor, said C. Plain D. Some say E."


def _att(i, source, type_, reasons):
    s = TEXT.index(source)
    return Attribution(id=f"A{i}", source=[(s, s + len(source))], type=type_, score=0.25, reasons=reasons)


def _claim(text, type_, att):
    s = TEXT.index(text)
    return Claim(
        text=text,
        start=s,
        end=s + len(text),
        type=type_,
        score=att.score if att else None,
        reasons=att.reasons if att else [],
        attribution=att.id if att else None,
    )


def test_flags_shares_and_named_sources():
    anon = [Reason(code="anonymous_no_reason", text="x")]
    a1 = _att(1, "Officials", "anonymous", anon)
    a2 = _att(2, "Aides", "anonymous", anon)
    a3 = _att(3, "Ann Ortiz, the mayor", "named_person", [Reason(code="named_with_role", text="x")])
    a4 = _att(4, "Some", "unnamed_group", [Reason(code="weasel", text="x")])
    claims = [
        _claim("Officials said A.", "anonymous", a1),
        _claim("Aides said B.", "anonymous", a2),
        _claim("Ann Ortiz, the mayor, said C.", "named_person", a3),
        _claim("Plain D.", "unattributed", None),
        _claim("Some say E.", "unnamed_group", a4),
    ]
    summary = summarize(TEXT, claims, [a1, a2, a3, a4])
    assert summary.n_claims == 5
    assert summary.type_shares["anonymous"] == 0.4 and sum(summary.type_counts.values()) == 5
    assert summary.named_sources == {"Ann Ortiz": 1}
    assert summary.sourcing_score == 0.25
    codes = [f.code for f in summary.flags]
    assert "weasel_words" in codes and "mostly_anonymous" not in codes  # 2 of 4 is not most
    summary = summarize(TEXT, claims[:2] + claims[3:4], [a1, a2])
    assert [f.code for f in summary.flags][:1] == ["mostly_anonymous"]


def test_empty_article_summary():
    summary = summarize("", [], [])
    assert summary.n_claims == 0 and summary.sourcing_score is None and summary.flags == []


def _summary_of(text: str, specs: list[tuple]):
    """The summary of a hand-built, scored report (the checker's last steps, no model)."""
    atts = hand_scored(text, specs)
    sentences = split_sentences(text)
    claims = [
        Claim(
            text=text[s.start : s.end],
            start=s.start,
            end=s.end,
            type=a.type if a else "unattributed",
            score=a.score if a else None,
            reasons=list(a.reasons) if a else [],
            attribution=a.id if a else None,
        )
        for s, a in zip(sentences, claim_attributions(atts, sentences), strict=True)
    ]
    return summarize(text, claims, atts)


TRIAL = (
    "Prosecutors said the treasurer moved the club's money into three shell firms. "
    "Jurors in Virginia said the bank records settled it. "
    "Such schemes are spreading in the US, observers say. "
    "Critics say the sentence is too light. "
    "Many people say the club should have noticed sooner. "
    "The club's news agency Associated Press feed said the verdict came on Friday."
)


def test_weasel_words_only_for_vague_groups_and_outlet_aliases_are_rated():
    summary = _summary_of(
        TRIAL,
        [
            ("unnamed_group", "Prosecutors", "said", "the treasurer moved the club's money into three shell firms"),
            ("unnamed_group", "Jurors in Virginia", ("said", 1), "the bank records settled it"),
            ("unnamed_group", "observers", ("say", 0), "Such schemes are spreading in the US"),
            ("unnamed_group", "Critics", ("say", 1), "the sentence is too light"),
            ("unnamed_group", "Many people", ("say", 2), "the club should have noticed sooner"),
            ("publication", "news agency Associated Press", ("said", 2), "the verdict came on Friday"),
        ],
    )
    flags = {f.code: f for f in summary.flags}
    assert flags["weasel_words"].text.endswith("carry 3 claim(s)")  # observers, Critics, Many people
    assert "unrated_outlet" not in flags


def test_a_relay_does_not_raise_the_article_score():
    text = (
        "Prosecutor Russ Megan said the verdict brings relief to every family involved. "
        "The Lakeside Courier quoted Megan as saying the verdict brings relief to every family involved."
    )
    summary = _summary_of(
        text,
        [
            ("named_person", "Prosecutor Russ Megan", "said", "the verdict brings relief to every family involved"),
            (
                "publication",
                "The Lakeside Courier",
                "quoted",
                "Megan as saying the verdict brings relief to every family involved",
            ),
        ],
    )
    # role 5 -> 1.0 and an unrated outlet 4 -> 0.75; a relay counted as corroboration gave 1.0 for both
    assert summary.sourcing_score == 0.875


def test_harbor_example_with_the_shipped_model(checker):
    """On the project's own example, a role given once holds for "She" (codebook: 5), and
    the weasel flag counts the vague groups "Critics" and "Some residents" only."""
    text = (REPO / "examples" / "harbor-bridge.txt").read_text(encoding="utf-8")
    report = checker.check(text)
    she = next(a for a in report.attributions if a.text_of("source", text) == "She")
    assert she.type == "named_person" and she.resolved_source == "Dana Whitfield"
    assert (she.score, [r.code for r in she.reasons]) == (1.0, ["named_with_role"])
    weasels = [
        a.text_of("source", text)
        for a in report.attributions
        if {r.code for r in a.reasons} & {"weasel", "unnamed_group"}
    ]
    assert sorted(weasels) == ["Critics", "Some residents"]
