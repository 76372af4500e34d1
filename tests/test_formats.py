"""Tests for the editor's outputs of claimcheck.formats: the terminal table, CSV and markdown,
on reports built by hand (the checker's last steps, no model)."""

from __future__ import annotations

import csv
import io

from rich.console import Console

from claimcheck.data import ArticleReport, Attribution, Reason
from claimcheck.formats import print_table, to_csv, to_markdown
from claimcheck.pipeline import make_claims
from claimcheck.quotes import quote_kind
from claimcheck.summary import summarize
from claimcheck.text import split_sentences
from claimcheck.wording import plural

# Made-up article text, written for these tests: a first sentence longer than the table's cut.
LONG = (
    "Harbour master Ida Brenn said the ferry to Lornholm will stop in March, and that the winter "
    "timetable, which the council drew up with the island's boat operators after two years of "
    "complaints from residents and shopkeepers, will not return before next spring at the earliest. "
    "The weather was mild."
)


def span(text: str, needle: str) -> list[tuple[int, int]]:
    start = text.index(needle)
    return [(start, start + len(needle))]


def report_of(text: str, atts: list[Attribution]) -> ArticleReport:
    for att in atts:
        att.quote_kind = quote_kind(text, att.content)
    sentences = split_sentences(text)
    claims = make_claims(text, sentences, atts)
    return ArticleReport(id="t", text=text, attributions=atts, claims=claims, summary=summarize(text, claims, atts))


def brenn(text: str, content: str) -> Attribution:
    return Attribution(
        id="A1",
        source=span(text, "Harbour master Ida Brenn"),
        cue=span(text, "said"),
        content=span(text, content),
        type="named_person",
        confidence=0.9,
        score=1.0,
        reasons=[Reason(code="named_with_role", text="Named source with a role", weight=5.0)],
    )


def long_report() -> ArticleReport:
    return report_of(LONG, [brenn(LONG, LONG[LONG.index("the ferry") : LONG.index(" The weather") - 1])])


def table(report: ArticleReport, verbose: bool = False) -> str:
    console = Console(file=io.StringIO(), width=100)
    print_table(console, "t.txt", report, verbose=verbose)
    return console.file.getvalue()


def column(output: str, index: int) -> str:
    """The text of a rich table's column, its wrapped lines joined."""
    cells = [line.split("│")[index] for line in output.splitlines() if line.count("│") > index]
    return " ".join(" ".join(cells).split())


def test_verbose_table_shows_each_claim_whole():
    claim = long_report().claims[0].text
    assert len(claim) > 160
    assert "..." in column(table(long_report()), 4), "the plain table still cuts long claims"
    claims = column(table(long_report(), verbose=True), 4)
    assert " ".join(claim.split()) in claims and "..." not in claims


def test_one_claim_is_not_claims():
    text = "Harbour master Ida Brenn said the ferry will stop."
    report = report_of(text, [brenn(text, "the ferry will stop")])
    assert report.summary.n_claims == 1
    assert "1 claim (" in table(report) and "1 claims" not in table(report)
    assert "**1 claim**" in to_markdown([("t.txt", report)])
    assert "2 claims" in table(long_report())
    assert [plural(n, "error") for n in (0, 1, 2)] == ["0 errors", "1 error", "2 errors"]


def test_csv_has_the_claim_and_its_attribution_content():
    report = long_report()
    rows = list(csv.DictReader(io.StringIO(to_csv([("t.txt", report)]))))
    assert [r["text"] for r in rows] == [c.text for c in report.claims]
    assert rows[0]["content"] == report.attributions[0].text_of("content", LONG)
    assert rows[1]["content"] == "", "an unattributed claim has no content"


# Made-up: a direct quote, reported speech, a quoted phrase in reported speech, an own sentence.
QUOTES = (
    "“The ferry will run all winter,” harbour master Ida Brenn said. "
    "Officials said the timetable would change. "
    "The council called the old schedule “a relic” in a letter. "
    "The weather was mild."
)


def quotes_report() -> ArticleReport:
    def att(i: int, source: str, cue: str, content: str) -> Attribution:
        return Attribution(
            id=f"A{i}",
            source=span(QUOTES, source),
            cue=span(QUOTES, cue),
            content=span(QUOTES, content),
            type="named_organization",
            score=0.75,
        )

    return report_of(
        QUOTES,
        [
            att(1, "harbour master Ida Brenn", "said", "The ferry will run all winter"),
            att(2, "Officials", "said the", "the timetable would change"),
            att(3, "The council", "called", "the old schedule “a relic” in a letter"),
        ],
    )


def test_csv_quote_kind_column():
    rows = list(csv.DictReader(io.StringIO(to_csv([("t.txt", quotes_report())]))))
    assert [r["quote_kind"] for r in rows] == ["direct", "indirect", "partial", ""]


def test_table_marks_each_quote_kind_and_counts_them():
    out = table(quotes_report())
    who = [cell for cell in (line.split("│")[3].strip() for line in out.splitlines() if line.count("│") > 3)]
    marks = [line.split()[-1] for line in who if line.startswith(("named_organization", "unattributed"))]
    assert marks == ["“”", "≈", "(“”)", "unattributed"]
    assert "quotes in 3 attributions: 1 direct “”, 1 partial (“”), 1 indirect ≈" in " ".join(out.split())
    assert "quotes in 3 attributions: 1 direct, 1 partial, 1 indirect" in to_markdown([("t.txt", quotes_report())])
