"""Tests for the HTML and markdown reports (claimcheck.html, formats.to_html/to_markdown, check --format html|markdown)."""

from __future__ import annotations

import itertools
import math
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from typer.testing import CliRunner

from claimcheck.cli import app
from claimcheck.data import ATTRIBUTION_TYPES, ArticleReport, Attribution, Claim, Reason, Summary
from claimcheck.formats import to_html, to_markdown
from claimcheck.html import render_html, render_html_many

VOID = {"br", "meta", "input", "img", "hr", "link", "wbr"}

# Made-up article text, written for these tests: markup characters, quotes, a pipe,
# a blank line, and a single line break.
TEXT = (
    'Mayor Ana <Lo> & "Co" said the bridge is safe.\n\n'
    "The report, officials said, was 'late' & wrong.\n"
    "It rained | a lot.\n"
)


def at(needle: str, nth: int = 0) -> tuple[int, int]:
    start = -1
    for _ in range(nth + 1):
        start = TEXT.index(needle, start + 1)
    return start, start + len(needle)


def make_report() -> ArticleReport:
    text = TEXT
    s1, s2, s3 = (
        at('Mayor Ana <Lo> & "Co" said the bridge is safe.'),
        at("The report, officials said, was 'late' & wrong."),
        at("It rained | a lot."),
    )
    a1 = Attribution(
        id="A1",
        source=[at('Mayor Ana <Lo> & "Co"')],
        cue=[at("said")],
        content=[at("the bridge is safe")],
        type="named_person",
        confidence=0.9,
        score=0.75,
        reasons=[Reason(code="named_no_role", text='Named person, but no "role" <given>')],
    )
    # discontinuous content; a source in two pieces, one of them in the first paragraph
    # (outside the claim, overlapping A1's source); a cue overlapping the source
    a2 = Attribution(
        id="A2",
        source=[at("Ana <Lo>"), at("officials said")],
        cue=[at("said", 1)],
        content=[at("The report,"), at("was 'late' & wrong")],
        type="unnamed_group",
        score=0.25,
        reasons=[Reason(code="unnamed_group", text="Vague group & co")],
    )
    claims = [
        Claim(text=text[slice(*s1)], start=s1[0], end=s1[1], type="named_person", score=0.75, attribution="A1",
              reasons=a1.reasons),
        Claim(text=text[slice(*s2)], start=s2[0], end=s2[1], type="unnamed_group", score=0.25, attribution="A2",
              reasons=a2.reasons),
        Claim(text=text[slice(*s3)], start=s3[0], end=s3[1], type="unattributed",
              reasons=[Reason(code="unattributed", text="No source")]),
    ]  # fmt: skip
    summary = Summary(
        n_claims=3,
        type_counts={t: sum(c.type == t for c in claims) for t in ATTRIBUTION_TYPES},
        sourcing_score=0.5,
        flags=[Reason(code="weasel_words", text='Vague <sources> & "weasels"')],
    )
    return ArticleReport(id="art<1>", text=text, attributions=[a1, a2], claims=claims, summary=summary)


class Page(HTMLParser):
    """Collects what the tests look at: the article's text, the claims, the marks,
    the legend, every attribute value; and checks that tags nest."""

    def __init__(self, article_id: str = "a0-text"):
        super().__init__(convert_charrefs=True)
        self.article_id = article_id
        self.stack: list[tuple[str, dict[str, str]]] = []
        self.article_depth: int | None = None
        self.text: list[str] = []
        self.claims: list[dict] = []
        self.marks: dict[str, list[str]] = {"src": [], "cue": []}
        self.legend_types: list[str] = []
        self.attr_values: list[str] = []
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = {k: v or "" for k, v in attrs}
        self.tags.append(tag)
        self.attr_values += attrs.values()
        if tag in VOID:
            return
        self.stack.append((tag, attrs))
        if attrs.get("id") == self.article_id:
            self.article_depth = len(self.stack)
        classes = attrs.get("class", "").split()
        if "claim" in classes:
            self.claims.append({**attrs, "text": ""})
        if tag == "li" and "data-type" in attrs and any("cc-legend" in a.get("class", "") for _, a in self.stack):
            self.legend_types.append(attrs["data-type"])

    def handle_startendtag(self, tag, attrs):
        self.tags.append(tag)
        self.attr_values += [v or "" for _, v in attrs]

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        assert self.stack and self.stack[-1][0] == tag, f"</{tag}> closes {self.stack[-1:]}"
        if self.article_depth == len(self.stack):
            self.article_depth = None
        self.stack.pop()

    def handle_data(self, data):
        if self.article_depth is None:
            return
        self.text.append(data)
        for _, attrs in self.stack:
            classes = attrs.get("class", "").split()
            if "claim" in classes:
                self.claims[-1]["text"] += data
            for mark in ("src", "cue"):
                if mark in classes:
                    self.marks[mark].append(data)


def parse(page: str, article_id: str = "a0-text") -> Page:
    parser = Page(article_id)
    parser.feed(page)
    parser.close()
    assert not parser.stack, f"unclosed tags: {parser.stack}"
    return parser


def test_visible_text_is_the_article_text():
    report = make_report()
    page = render_html(report)
    parsed = parse(page)
    assert "".join(parsed.text) == TEXT  # nothing lost, nothing duplicated
    assert page.count("<p>") >= 2  # the blank line is a paragraph break
    assert "<br>" in page  # the single line break


def test_claims_have_type_class_score_and_are_focusable():
    report = make_report()
    parsed = parse(render_html(report))
    assert [c["data-type"] for c in parsed.claims] == [c.type for c in report.claims]
    for el, claim in zip(parsed.claims, report.claims, strict=True):
        assert el["class"].split() == ["claim", f"t-{claim.type}"]
        assert el["data-score"] == ("" if claim.score is None else str(claim.score))
        assert el["tabindex"] == "0"
        assert el["aria-label"].startswith(f"Claim {report.claims.index(claim) + 1}:")
        assert claim.type.replace("_", " ") in el["title"]
        assert el["text"] == claim.text
    assert 'Named person, but no "role" <given>' in parsed.claims[0]["title"]  # reasons on hover


def test_each_sourced_claim_shows_its_type_and_score_without_hovering():
    """Written after the claim by CSS from ``data-badge``: printed and in screenshots, yet not
    part of the article's text (which stays exactly the input, and copies as it)."""
    report = make_report()
    page = render_html(report)
    parsed = parse(page)
    assert [c.get("data-badge") for c in parsed.claims] == ["named person 0.75", "unnamed group 0.25", None]
    assert ".claim[data-badge]::after{content:attr(data-badge)" in page
    assert "print-color-adjust:exact" in page  # the type colours are printed too
    assert "".join(parsed.text) == TEXT


def test_quote_kind_in_details_title_and_summary():
    report = make_report()
    report.attributions[0].quote_kind = "partial"
    report.summary.quote_counts = {"direct": 0, "partial": 1, "indirect": 1}
    page = render_html(report)
    parsed = parse(page)
    assert "quote: partial" in parsed.claims[0]["title"] and "quote:" not in parsed.claims[1]["title"]
    assert "<dt>Quote</dt><dd>partial: reported speech with some words quoted</dd>" in page
    assert "· quotes in 2 attributions: 0 direct, 1 partial, 1 indirect</p>" in page


def test_one_claim_in_the_summary():
    report = make_report()
    report.summary.n_claims = 1
    assert "<strong>1</strong> claim ·" in render_html(report)


# Machado, Oliveira and Fernandes (2009), severity 1, in linear RGB
CVD = {
    "normal vision": ((1, 0, 0), (0, 1, 0), (0, 0, 1)),
    "protanopia": ((0.152286, 1.052583, -0.204868), (0.114503, 0.786281, 0.099216), (-0.003882, -0.048116, 1.051998)),
    "deuteranopia": ((0.367322, 0.860646, -0.227968), (0.280085, 0.672501, 0.047413), (-0.01182, 0.04294, 0.968881)),
    "tritanopia": ((1.255528, -0.076749, -0.178779), (-0.078411, 0.930809, 0.147602), (0.004733, 0.691367, 0.3039)),
}


def seen_as(colour: str, vision: str) -> tuple[float, float, float]:
    """CIELAB (D65) of an sRGB colour as a reader with ``vision`` sees it."""
    srgb = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    rgb = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in srgb]
    rgb = [min(1.0, max(0.0, sum(m * c for m, c in zip(row, rgb, strict=True)))) for row in CVD[vision]]
    xyz = [
        sum(m * c for m, c in zip(row, rgb, strict=True)) / white
        for row, white in zip(
            ((0.4124, 0.3576, 0.1805), (0.2126, 0.7152, 0.0722), (0.0193, 0.1192, 0.9505)),
            (0.95047, 1.0, 1.08883),
            strict=True,
        )
    ]
    f = [t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116 for t in xyz]
    return 116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])


@pytest.mark.parametrize("vision", list(CVD))
def test_claim_colours_stay_apart_for_colour_blind_readers(vision: str):
    """Every two types' claim fills, as the page draws them, differ by at least 10 CIELAB units
    (clearly seen side by side) under simulated protanopia, deuteranopia and tritanopia; and
    by 20 in normal vision, where blue and sky blue once made named person and document alike."""
    page = render_html(make_report())
    fills = {t: re.search(rf"\.t-{t}\{{background:(#[0-9a-fA-F]{{6}})", page).group(1) for t in ATTRIBUTION_TYPES}
    least = 20 if vision == "normal vision" else 10
    for a, b in itertools.combinations(ATTRIBUTION_TYPES, 2):
        gap = math.dist(seen_as(fills[a], vision), seen_as(fills[b], vision))
        assert gap >= least, f"{a} {fills[a]} and {b} {fills[b]}: {gap:.1f} apart in {vision}"


def test_source_and_cue_marks_with_discontinuous_and_overlapping_spans():
    parsed = parse(render_html(make_report()))
    src, cue = "".join(parsed.marks["src"]), "".join(parsed.marks["cue"])
    assert 'Mayor Ana <Lo> & "Co"' in src
    assert "officials said" in src
    assert cue.count("said") == 2  # both cues, one inside a source


def test_details_panel_for_each_claim():
    page = render_html(make_report())
    for i in (1, 2, 3):
        assert f'data-details="a0-d{i}"' in page
        assert f'<div id="a0-d{i}">' in page
    assert 'id="cc-pop"' in page


def test_legend_lists_the_seven_types():
    parsed = parse(render_html(make_report()))
    assert parsed.legend_types == list(ATTRIBUTION_TYPES)


def test_summary_chart_and_flags():
    page = render_html(make_report())
    assert "<svg" in page and page.count('<g data-type="') == 7
    assert "sourcing score <strong>0.50</strong>" in page
    assert "<code>weasel_words</code> Vague &lt;sources&gt; &amp; &quot;weasels&quot;" in page


def test_no_flags_says_so():
    report = make_report()
    report.summary.flags = []
    assert "No flags." in render_html(report)


def test_self_contained():
    page = render_html(make_report())
    parsed = parse(page)
    assert "http://" not in page and "https://" not in page
    assert not any(re.match(r"\s*(https?:)?//", v) for v in parsed.attr_values)
    assert "url(" not in page
    assert "link" not in parsed.tags and "img" not in parsed.tags
    assert "Content-Security-Policy" in page


def test_special_characters_are_escaped():
    page = render_html(make_report(), title='Title <b> & "q"')
    assert "<Lo>" not in page and "&lt;Lo&gt;" in page
    assert "<b>" not in page and "<given>" not in page
    assert "Title &lt;b&gt; &amp; &quot;q&quot;" in page
    assert 'data-article="art&lt;1&gt;"' in page


@pytest.mark.parametrize(
    "spans",
    [
        [(0, 20), (10, 30)],  # overlapping claims
        [(0, 30), (5, 10)],  # a claim inside another
        [(0, len(TEXT))],  # a claim across the paragraph break
        [],  # no claims
    ],
)
def test_odd_claims_lose_and_duplicate_nothing(spans):
    claims = [Claim(text=TEXT[s:e], start=s, end=e, type="unattributed") for s, e in spans]
    report = ArticleReport(
        text=TEXT,
        attributions=[],
        claims=claims,
        summary=Summary(n_claims=len(claims), type_counts={t: 0 for t in ATTRIBUTION_TYPES}, sourcing_score=None),
    )
    parsed = parse(render_html(report))
    assert "".join(parsed.text) == TEXT


def test_leading_and_trailing_whitespace_kept():
    text = "\n\n  Officials said it rained.  \n\n\n"
    s = text.index("Officials")
    e = text.index(".") + 1
    report = ArticleReport(
        text=text,
        attributions=[],
        claims=[Claim(text=text[s:e], start=s, end=e, type="unattributed")],
        summary=Summary(n_claims=1, type_counts={t: 0 for t in ATTRIBUTION_TYPES}, sourcing_score=None),
    )
    assert "".join(parse(render_html(report)).text) == text


def test_several_articles_on_one_page():
    report = make_report()
    page = to_html([("one.txt", report), ("two.txt", report)])
    assert page.count("<!DOCTYPE html>") == 1
    assert page.count('class="cc-report"') == 2
    assert 'id="a1-c2"' in page and "<h2>two.txt</h2>" in page
    assert page.count('class="cc-legend"') == 1
    assert "".join(parse(page, "a1-text").text) == TEXT
    assert to_html([("one.txt", report)]) == render_html_many([("one.txt", report)])


def unescaped_pipes(line: str) -> int:
    return len(re.findall(r"(?<!\\)\|", line))


def test_markdown_escapes_pipes():
    report = make_report()
    md = to_markdown([("a|b.txt", report)])
    lines = md.splitlines()
    assert lines[0] == "## a\\|b.txt"
    rows = [line for line in lines if line.startswith("| ")]
    assert len(rows) == 1 + len(report.claims)
    assert all(unescaped_pipes(row) == 6 for row in rows)
    assert "It rained \\| a lot." in md
    assert "**3 claims**" in md and "sourcing score **0.50**" in md
    assert "- `weasel_words`:" in md


def test_markdown_truncates_long_claims():
    report = make_report()
    report.claims[0].text = "word " * 100
    row = next(line for line in to_markdown([(None, report)]).splitlines() if line.startswith("| 1 "))
    assert row.endswith("… |") and len(row) < 200


# ----------------------------------------------------------------- the CLI

# Made-up article texts, written for these tests.
ARTICLE_A = (
    "According to Mayor Lena Fairweather, the ferry terminal will open in June. The old pier was built in 1911.\n"
)
ARTICLE_B = "Critics say the terminal is too small. A council report found the costs had doubled.\n"


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.txt").write_text(ARTICLE_A, encoding="utf-8")
    (tmp_path / "b.txt").write_text(ARTICLE_B, encoding="utf-8")
    return tmp_path


def test_cli_html_to_file(work: Path):
    result = CliRunner().invoke(app, ["check", "a.txt", "--format", "html", "-o", "out.html"])
    assert result.exit_code == 0, result.output
    page = (work / "out.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    parsed = parse(page)
    assert "".join(parsed.text) == ARTICLE_A
    assert parsed.claims and parsed.claims[0]["data-type"] == "named_person"


def test_cli_html_two_files_to_stdout(work: Path):
    result = CliRunner().invoke(app, ["check", "a.txt", "b.txt", "-f", "html"])
    assert result.exit_code == 0, result.output
    assert result.stdout.count('class="cc-report"') == 2


def test_cli_markdown(work: Path):
    result = CliRunner().invoke(app, ["check", "a.txt", "b.txt", "--format", "markdown"])
    assert result.exit_code == 0, result.output
    assert "## a.txt" in result.stdout and "## b.txt" in result.stdout
    assert result.stdout.count("| # | type | score | source / cue | claim |") == 2
