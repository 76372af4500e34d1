"""eval/quote_kinds.py: the gold contents' quote kinds and their agreement with paired predictions,
on an article written for this test (the script's run over the validation split is reported,
not asserted)."""

from __future__ import annotations

from claimcheck.data import ArticleReport, Attribution, LabelledExample, Summary
from claimcheck.quotes import quote_kind
from eval.quote_kinds import quote_agreement

TEXT = (
    "“The pier will close in May,” harbour master Ida Brenn said. "
    "Officials said the fares would rise. "
    "The council called the timetable “a relic”. "
    "A report found rust."
)


def at(needle: str) -> list[tuple[int, int]]:
    start = TEXT.index(needle)
    return [(start, start + len(needle))]


def att(i: int, source: str, content: str | None) -> Attribution:
    return Attribution(id=f"A{i}", source=at(source), content=at(content) if content else [])


def test_kinds_of_gold_contents_and_agreement_with_paired_predictions():
    gold = LabelledExample(
        id="g",
        text=TEXT,
        attributions=[
            att(1, "harbour master Ida Brenn", "The pier will close in May"),  # direct
            att(2, "Officials", "the fares would rise"),  # indirect
            att(3, "The council", "the timetable “a relic”"),  # partial
            att(4, "A report", "rust"),  # indirect, missed by the model
            att(5, "Ida Brenn", None),  # no content: left out
        ],
    )
    predicted = [
        att(1, "harbour master Ida Brenn", "“The pier will close in May,”"),  # direct: agrees
        att(2, "Officials", "the fares would rise"),  # indirect: agrees
        att(3, "The council", "“a relic”"),  # direct where the gold is partial
    ]
    for a in predicted:
        a.quote_kind = quote_kind(TEXT, a.content)
    summary = Summary(n_claims=0, type_counts={}, sourcing_score=None)
    report = ArticleReport(id="g", text=TEXT, attributions=predicted, claims=[], summary=summary)
    result = quote_agreement([gold], [report])
    assert result["gold_kinds"] == {"direct": 1, "partial": 1, "indirect": 2}
    assert result["gold_contents"] == 4 and result["gold_shares"]["indirect"] == 0.5
    assert (result["paired"], result["unpaired"]) == (3, 1)
    assert result["agreement"] == round(2 / 3, 4)
    assert result["confusion"]["partial"] == {"direct": 1, "partial": 0, "indirect": 0}
    assert 0 < result["kappa"] < 1
