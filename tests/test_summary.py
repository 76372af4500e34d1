from claimcheck.data import Attribution, Claim, Reason
from claimcheck.summary import summarize

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
