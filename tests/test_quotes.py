"""Tests for claimcheck.quotes: direct, partial and indirect quotes, on sentences written for them."""

from __future__ import annotations

import pytest

from claimcheck.quotes import quote_kind, quoted_spans


def ranges(text: str, *pieces: str) -> list[tuple[int, int]]:
    """The ranges of ``pieces`` in ``text``, each found after the one before."""
    out, at = [], 0
    for piece in pieces:
        start = text.index(piece, at)
        out.append((start, start + len(piece)))
        at = start + len(piece)
    return out


@pytest.mark.parametrize(
    ("text", "pieces", "kind"),
    [
        # curly double quotes, the content with or without its marks
        ("“The ferry will run all winter,” Ida Brenn said.", ["“The ferry will run all winter,”"], "direct"),
        ("“The ferry will run all winter,” Ida Brenn said.", ["The ferry will run all winter"], "direct"),
        # straight double quotes, and a content whose closing mark the model left out
        ('"The ferry will run all winter," Ida Brenn said.', ['"The ferry will run all winter'], "direct"),
        # single quotes, curly and straight, and apostrophes inside them
        ("‘We won’t reopen the pier,’ the council said.", ["We won’t reopen the pier"], "direct"),
        ("'We won't reopen the pier,' the council said.", ["We won't reopen the pier"], "direct"),
        ("« Le port restera ouvert », a dit le maire.", ["Le port restera ouvert"], "direct"),
        # reported speech, apostrophes and a plural possessive that close nothing
        ("Ida Brenn said the ferry will run all winter.", ["the ferry will run all winter"], "indirect"),
        ("Brenn said the workers’ union won’t strike.", ["the workers’ union won’t strike"], "indirect"),
        ("Brenn said the workers' union won't strike.", ["the workers' union won't strike"], "indirect"),
        ("In the '60s, Brenn said, the pier was busy.", ["the pier was busy"], "indirect"),
        ("Brenn said Obama‘s plan would fail.", ["Obama‘s plan would fail"], "indirect"),
        # a closing mark typed as an opening one
        ("He called it “the best in the world“ and left.", ["the best in the world"], "direct"),
        ("He called it “the best in the world“ and left.", ["left"], "indirect"),
        # a quoted phrase in reported speech
        ("Brenn called the old timetable “a relic” on Monday.", ["the old timetable “a relic” on Monday"], "partial"),
        # a quotation inside a quotation is quoted
        ("“He told me ‘go home’ twice,” Brenn said.", ["He told me ‘go home’ twice"], "direct"),
        # punctuation outside the marks does not make a direct quote partial
        ("Brenn said: “The pier is closed”.", ["“The pier is closed”."], "direct"),
    ],
)
def test_kinds(text: str, pieces: list[str], kind: str):
    assert quote_kind(text, ranges(text, *pieces)) == kind


def test_discontinuous_contents():
    text = "“The bridge,” Brenn said, “is safe for years.”"
    assert quote_kind(text, ranges(text, "The bridge", "is safe for years.")) == "direct"
    text = "“The bridge is safe,” Brenn said, adding that repairs would wait."
    assert quote_kind(text, ranges(text, "The bridge is safe", "repairs would wait")) == "partial"


def test_a_quotation_opened_in_one_range_and_closed_in_another():
    # the content leaves out the aside inside the quotation: its two ranges share one pair of marks
    text = "“The council’s plan, in short, is a waste of money,” Brenn said."
    assert quote_kind(text, ranges(text, "“The council’s plan", "is a waste of money,”")) == "direct"


def test_quotation_marks_pair_within_a_line():
    # a quotation over two paragraphs opens each and closes only the last
    text = "“The first paragraph of her statement.\n“And the second,” Brenn said."
    assert quote_kind(text, ranges(text, "The first paragraph of her statement.")) == "direct"
    # an unclosed mark quotes to the end of its line, no further
    text = "She shouted “no\nThe council said the pier would close."
    assert quote_kind(text, ranges(text, "the pier would close")) == "indirect"
    assert quoted_spans(text) == [(text.index("no"), text.index("\n"))]


def test_no_content_has_no_kind():
    text = "“Yes,” — Brenn said."
    assert quote_kind(text, []) is None
    assert quote_kind(text, ranges(text, "—")) is None, "nothing to judge: no letter or digit"


def test_spans_found_once_give_the_same_kinds():
    text = "“The ferry will run,” Brenn said. Officials said the fares would rise and called it “fair”."
    contents = [ranges(text, "The ferry will run"), ranges(text, "the fares would rise and called it “fair”")]
    quoted = quoted_spans(text)
    assert [quote_kind(text, c, quoted) for c in contents] == [quote_kind(text, c) for c in contents]
    assert [quote_kind(text, c) for c in contents] == ["direct", "partial"]
