"""claimcheck.dashboard: claim rows added up per outlet and month, the page and its tables.

The fixture below is written by hand for these tests (made-up outlets, people and
articles); every expected number is worked out by hand in the comments beside it.
"""

from __future__ import annotations

import csv
import json
import random
import re
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

import pytest
from typer.testing import CliRunner

from claimcheck.cli import app
from claimcheck.dashboard import (
    TopCounter,
    aggregate,
    article_flags,
    build_dashboard,
    month_of,
    read_rows,
)
from claimcheck.dashboard.aggregate import ClaimFacts, source_name
from claimcheck.errors import DashboardError

pytest.importorskip("matplotlib", reason="the dashboard's charts need matplotlib (pip install -e '.[dashboard]')")


def claim(article: str, type_: str, score: float | None, source: str | None, reasons: list[str], **extra) -> dict:
    return {
        "article_id": article,
        "type": type_,
        "score": score,
        "source": source,
        "resolved_source": extra.pop("resolved_source", None),
        "reasons": reasons,
        "text": "A sentence.",
        **extra,
    }


HARBOUR_MAY_1 = {"outlet": "Harbour Times", "date": "2024-05-02", "url": "https://harbour.example/h1"}
HARBOUR_MAY_2 = {"outlet": "Harbour Times", "date": "2024-05-20T08:00:00Z", "title": "Pier to close"}
HARBOUR_JUNE = {"outlet": "Harbour Times", "date": "2024-06-01"}
VALLEY = {"url": "https://www.valleypost.example/news/1", "date": "2024-06-15"}  # outlet from the URL

ROWS = [
    # h1: 3 attributed (2 anonymous: mostly_anonymous), score (1 + 0.5 + 0.25) / 3
    claim("h1", "named_person", 1.0, "Ida Brenn, the harbour master", ["named_with_role"], **HARBOUR_MAY_1),
    claim("h1", "anonymous", 0.5, "a city official", ["anonymous_with_reason"], **HARBOUR_MAY_1),
    claim("h1", "anonymous", 0.25, "two aides", ["anonymous_no_reason"], **HARBOUR_MAY_1),
    claim("h1", "unattributed", None, None, ["unattributed"], **HARBOUR_MAY_1),
    # h2: three claims, all Ida Brenn (one through "she"): single_source; score 0.75
    claim("h2", "named_person", 0.75, "Ida Brenn", ["named_no_role"], **HARBOUR_MAY_2),
    claim("h2", "named_person", 0.75, "Ida Brenn", ["named_no_role"], **HARBOUR_MAY_2),
    claim("h2", "named_person", 0.75, "she", ["named_no_role"], resolved_source="Ida Brenn", **HARBOUR_MAY_2),
    # h3: 3 of 4 unattributed (mostly_unsourced), "Some say" (weasel_words); score 0
    claim("h3", "unnamed_group", 0.0, "Some", ["weasel"], **HARBOUR_JUNE),
    claim("h3", "unattributed", None, None, ["unattributed"], **HARBOUR_JUNE),
    claim("h3", "unattributed", None, None, ["unattributed"], **HARBOUR_JUNE),
    claim("h3", "unattributed", None, None, ["unattributed"], **HARBOUR_JUNE),
    # v1: no flags; score (0.75 + 1.0) / 2
    claim("v1", "named_organization", 0.75, "the Port Authority", ["named_organization"], **VALLEY),
    claim("v1", "document", 1.0, "a 2023 audit", ["document_specific"], **VALLEY),
    # v2: cites no one (unsourced, no score, not ranked)
    claim("v2", "unattributed", None, None, ["unattributed"], **{**VALLEY, "url": "https://valleypost.example/2"}),
]


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def write_csv(path: Path, rows: list[dict]) -> Path:
    """As `claimcheck check --format csv` writes: `path` for the id, reasons joined by `;`, empty for missing."""
    fields = ["path", "type", "score", "reasons", "source", "resolved_source", "outlet", "date", "url", "title"]
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        for r in rows:
            out = {k: r.get(k) for k in fields}
            out["path"], out["reasons"] = r["article_id"], ";".join(r["reasons"])
            writer.writerow({k: "" if v is None else v for k, v in out.items()})
    return path


def write_parquet(path: Path, rows: list[dict]) -> Path:
    pa = pytest.importorskip("pyarrow")
    import pyarrow.parquet as pq

    keys = ["article_id", "type", "score", "source", "resolved_source", "reasons", "outlet", "date", "url", "title"]
    table = pa.Table.from_pylist([{k: r.get(k) for k in keys} for r in rows])
    pq.write_table(table, path, row_group_size=3)  # several row groups
    return path


@pytest.fixture
def rows_file(tmp_path: Path) -> Path:
    return write_jsonl(tmp_path / "claims.jsonl", ROWS)


def test_figures_per_outlet_and_month_match_the_hand_count(rows_file: Path):
    board = aggregate(read_rows([rows_file]))
    assert (board.rows, board.articles) == (14, 5)
    assert board.outlet_names() == ["Harbour Times", "valleypost.example"]  # 11 claims, then 3
    assert board.months() == ["2024-05", "2024-06"]

    may = board.groups[("Harbour Times", "2024-05")]
    assert (may.articles, may.claims, may.attributed) == (2, 7, 6)
    assert may.type_counts()["named_person"] == 4 and may.share("named_person") == pytest.approx(4 / 7)
    assert may.anonymous_share == pytest.approx(2 / 6)  # of the attributed claims
    assert may.reason_share == pytest.approx(1 / 2)  # one of the two anonymous claims gives a reason
    # scores 1, .5, .25, .75, .75, .75: mean 4/6; squared deviations 1/9 + 1/36 + 25/144 + 3/144 = 1/3, / 5
    assert may.score_mean == pytest.approx(4 / 6)
    assert may.score_sd == pytest.approx((1 / 15) ** 0.5)
    # sorted .25 .5 .75 .75 .75 1 (indices 0-5): positions 1.25 (.5 to .75), 2.5 and 3.75 (.75 to .75)
    assert may.quantile(0.25) == pytest.approx(0.5625)
    assert may.quantile(0.5) == pytest.approx(0.75)
    assert may.quantile(0.75) == pytest.approx(0.75)
    harbour_q = board.outlets["Harbour Times"]  # with June's 0: 0 .25 .5 .75 .75 .75 1, position 4.5
    assert harbour_q.quantile(0.75) == pytest.approx(0.75) and harbour_q.quantile(0.25) == pytest.approx(0.375)
    assert dict(may.flags) == {"mostly_anonymous": 1, "single_source": 1}
    assert board.group_sources[("Harbour Times", "2024-05")].most_common(5) == [("Ida Brenn", 4, 0)]

    june = board.groups[("Harbour Times", "2024-06")]
    assert (june.claims, june.score_n, june.score_mean, june.score_sd) == (4, 1, 0.0, None)
    assert june.anonymous_share == 0.0 and june.reason_share is None
    assert dict(june.flags) == {"mostly_unsourced": 1, "weasel_words": 1}

    valley = board.groups[("valleypost.example", "2024-06")]
    assert (valley.articles, valley.claims, valley.articles_unsourced) == (2, 3, 1)
    assert valley.score_mean == pytest.approx(0.875)

    harbour = board.outlets["Harbour Times"]
    assert (harbour.articles, harbour.claims, harbour.score_n) == (3, 11, 7)
    assert harbour.score_mean == pytest.approx(4 / 7)
    total = board.total
    assert (total.articles, total.claims, total.score_n, total.articles_unsourced) == (5, 14, 9, 1)
    assert total.score_mean == pytest.approx(5.75 / 9)
    assert board.all_sources.most_common(3) == [
        ("Ida Brenn", 4, 0),
        ("a 2023 audit", 1, 0),
        ("the Port Authority", 1, 0),
    ]

    # thinnest first: h3 (0), h1 (0.583), h2 (0.75), v1 (0.875); v2 has no score
    assert [a.article_id for a in board.all_thinnest.articles()] == ["h3", "h1", "h2", "v1"]
    h1 = board.all_thinnest.articles()[1]
    assert (h1.url, h1.month, h1.claims, h1.attributed, h1.flags) == (
        "https://harbour.example/h1",
        "2024-05",
        4,
        3,
        ("mostly_anonymous",),
    )
    assert h1.score == pytest.approx(1.75 / 3)


@pytest.mark.parametrize("url", ["https://www.bücher.example/a", "http://192.0.2.7:8080/feed", "news.bbc.co.uk/x"])
def test_outlet_from_the_url_is_the_one_batch_writes(url: str):
    """A row without an outlet is grouped under its URL's outlet by the rule that ``claimcheck
    batch`` fills the outlet field with (the dashboard once read "cher.example" and no outlet
    for an address)."""
    from claimcheck.batch.fields import archive_fields

    board = aggregate([claim("a1", "named_person", 1.0, "Ida Brenn", ["named_no_role"], url=url)])
    assert list(board.outlets) == [archive_fields({"url": url})["outlet"]]


def test_jsonl_csv_and_parquet_give_the_same_figures(tmp_path: Path):
    from claimcheck.dashboard.tables import aggregate_records, source_records

    files = [
        write_jsonl(tmp_path / "r.jsonl", ROWS),
        write_csv(tmp_path / "r.csv", ROWS),
        write_parquet(tmp_path / "r.parquet", ROWS),
    ]
    results = []
    for f in files:
        board = aggregate(read_rows([f]))
        results.append((list(aggregate_records(board)), list(source_records(board))))
    assert results[0] == results[1] == results[2]
    assert results[0][0][0]["claims"] == 7


def test_parquet_is_read_a_batch_at_a_time(tmp_path: Path, monkeypatch):
    import claimcheck.dashboard.rows as rows_module

    path = write_parquet(tmp_path / "r.parquet", ROWS)
    seen = []
    import pyarrow.parquet as pq

    original = pq.ParquetFile.iter_batches

    def spy(self, *args, **kwargs):
        seen.append((kwargs.get("batch_size"), tuple(kwargs.get("columns") or ())))
        return original(self, *args, **kwargs)

    monkeypatch.setattr(pq.ParquetFile, "iter_batches", spy)
    monkeypatch.setattr(rows_module, "PARQUET_BATCH_ROWS", 4)
    board = aggregate(read_rows([path], columns={"article_id", "type", "score", "reasons", "outlet", "date"}))
    assert board.total.claims == 14
    assert seen and seen[0][0] == 4
    assert "source" not in seen[0][1]  # columns the caller does not use are never read


def test_tables_beside_the_page_hold_the_same_numbers(rows_file: Path, tmp_path: Path):
    out = tmp_path / "out" / "sourcing.html"
    result = build_dashboard([rows_file], out)
    names = sorted(p.name for p in result.tables)
    assert "sourcing.aggregates.csv" in names and "sourcing.sources.csv" in names
    with (tmp_path / "out" / "sourcing.aggregates.csv").open(encoding="utf-8") as fh:
        table = list(csv.DictReader(fh))
    levels = [(r["level"], r["outlet"], r["month"]) for r in table]
    assert levels == [
        ("month", "Harbour Times", "2024-05"),
        ("month", "Harbour Times", "2024-06"),
        ("outlet", "Harbour Times", ""),
        ("month", "valleypost.example", "2024-06"),
        ("outlet", "valleypost.example", ""),
        ("all", "", ""),
    ]
    may = table[0]
    assert (may["claims"], may["claims_anonymous"], may["anonymous_reason_share"], may["score_q1"]) == (
        "7",
        "2",
        "0.5",
        "0.5625",
    )
    assert (may["flag_mostly_anonymous"], may["flag_single_source"], may["share_named_person"]) == ("1", "1", "0.5714")
    if any(p.suffix == ".parquet" for p in result.tables):
        import pyarrow.parquet as pq

        parquet = pq.read_table(tmp_path / "out" / "sourcing.aggregates.parquet").to_pylist()
        assert parquet[0]["score_q1"] == 0.5625 and parquet[0]["claims"] == 7 and parquet[-1]["outlet"] is None
    with (tmp_path / "out" / "sourcing.sources.csv").open(encoding="utf-8") as fh:
        sources = list(csv.DictReader(fh))
    assert {
        "level": "all",
        "outlet": "",
        "month": "",
        "rank": "1",
        "source": "Ida Brenn",
        "claims": "4",
        "error": "0",
    } in sources


def test_article_flags_follow_the_article_summary():
    """The flags told from rows agree with claimcheck.summary on real reports (self-written articles)."""
    from claimcheck.formats import claim_rows
    from claimcheck.pipeline import Checker

    checker = Checker.load("baseline")
    articles = [
        "A senior official, who spoke on condition of anonymity, said talks had stalled. Two aides said the deal "
        "was off. Officials said more would follow.",
        "Some say the bridge is unsafe. Critics say it is too old. The bridge was built in 1911. It carries cars.",
        "Mayor Lena Fairweather said the pier would open. She said it would cost little. She added it was safe.",
        "The council met on Monday. The budget passed. Roads will be repaired. Taxes will not rise.",
    ]
    compared = 0
    for text in articles:
        report = checker.check(text)
        expected = [f.code for f in report.summary.flags if f.code != "low_rated_outlet"]
        rows = claim_rows(report)
        facts = [
            ClaimFacts(
                r["type"],
                r["score"],
                source_name(r) if r["type"] != "unattributed" else "",
                r["resolved_source"] or r["source"] or "",
                r["reasons"],
            )
            for r in rows
        ]
        assert article_flags(facts) == expected, text
        compared += bool(expected)
    assert compared >= 3  # the articles do raise flags


@pytest.mark.parametrize(
    ("value", "month"),
    [
        ("2024-05-02", "2024-05"),
        ("2024-5-2", "2024-05"),
        ("2024/11/30 10:00", "2024-11"),
        ("2024-05-20T08:00:00Z", "2024-05"),
        ("2024-13-01", None),
        ("May 2024", None),
        ("", None),
        (None, None),
        (20240502, None),
    ],
)
def test_month_of_strings(value, month):
    assert month_of(value) == month


def test_month_of_dates():
    import datetime as dt

    assert month_of(dt.date(2023, 1, 31)) == "2023-01"
    assert month_of(dt.datetime(2023, 12, 1, 23, 59, tzinfo=dt.UTC)) == "2023-12"


def test_top_counter_is_bounded_and_its_counts_are_bounds():
    rng = random.Random(7)
    # a few heavy sources among many rare ones
    stream = [
        f"heavy{rng.randrange(5)}" if rng.random() < 0.3 else f"rare{rng.randrange(20_000)}" for _ in range(60_000)
    ]
    exact = Counter(stream)
    top = TopCounter(capacity=50)
    for name in stream:
        top.add(name)
        assert len(top.counts) <= 100
    assert top.floor > 0  # it did have to drop names
    for name, count, error in top.most_common(50):
        assert count - error <= exact[name] <= count, name
    assert {n for n, _, _ in top.most_common(5)} == {f"heavy{i}" for i in range(5)}
    for name, n in exact.items():  # a name seen more often than the floor is never missing
        if n > top.floor:
            assert name in top.counts


def test_top_counter_merge_keeps_bounds():
    a, b = TopCounter(2), TopCounter(2)
    for name in "xxxxyz" + "uvw":
        a.add(name)
    for name in "yyyx":
        b.add(name)
    merged = a.merge(b)
    exact = Counter("xxxxyz" + "uvw" + "yyyx")
    for name, count, error in merged.most_common(10):
        assert count - error <= exact[name] <= count


def test_rows_without_outlet_or_date_make_one_group_and_the_page_says_so(tmp_path: Path):
    bare = [{k: v for k, v in r.items() if k not in ("outlet", "date", "url", "title")} for r in ROWS]
    out = tmp_path / "page.html"
    result = build_dashboard([write_jsonl(tmp_path / "bare.jsonl", bare)], out)
    assert (result.outlets, result.months, result.articles) == (0, 0, 5)
    page = out.read_text(encoding="utf-8")
    assert "all articles" in page
    assert "no <code>outlet</code> (nor <code>url</code>) column" in page
    assert "no month-by-month breakdown" in page
    assert 'id="months"' not in page and 'id="compare"' not in page


def test_group_by_another_column(tmp_path: Path):
    desks = [{**r, "section": "metro" if r["article_id"].startswith("h") else "business"} for r in ROWS]
    out = tmp_path / "desks.html"
    build_dashboard([write_jsonl(tmp_path / "d.jsonl", desks)], out, by="section")
    with (tmp_path / "desks.aggregates.csv").open(encoding="utf-8") as fh:
        table = list(csv.DictReader(fh))
    assert [(r["section"], r["claims"]) for r in table if r["level"] == "outlet"] == [
        ("metro", "11"),
        ("business", "3"),
    ]
    assert "Sections compared" in out.read_text(encoding="utf-8")


def test_only_the_top_outlets_get_their_own_section(tmp_path: Path):
    out = tmp_path / "page.html"
    build_dashboard([write_jsonl(tmp_path / "r.jsonl", ROWS)], out, top=1)
    page = out.read_text(encoding="utf-8")
    assert "<h2>Harbour Times</h2>" in page and "<h2>valleypost.example</h2>" in page  # one "other" is shown by name
    assert page.count('class="cc-outlet" data-outlet="o0"') == 1 and 'data-outlet="other"' in page


# ----------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("", "no claim rows (the file is empty)"),
        ("\n\n", "no claim rows (the file is empty)"),
        ('{"id": "a1", "text": "An article."}\n', "these are not claim rows (no 'type' or 'article_id' column)"),
        ('{"article_id": "a", "type": "rumour", "score": 0.5, "reasons": []}\n', ":1: unknown claim type 'rumour'"),
        (
            '{"article_id": "a", "type": "anonymous", "score": "high", "reasons": []}\n',
            "the score 'high' is not a number",
        ),
        ('{"article_id": "a", "type": "anonymous", "score": 7, "reasons": []}\n', "is not between 0 and 1"),
        ('{"article_id": "a", "type": "anonymous"}\nnot json\n', ":2: not valid JSON"),
        ("[1, 2]\n", ":1: not a JSON object"),
    ],
)
def test_rows_of_the_wrong_shape_are_refused(tmp_path: Path, content: str, message: str):
    path = tmp_path / "rows.jsonl"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(DashboardError, match=None) as err:
        build_dashboard([path], tmp_path / "page.html")
    assert message in str(err.value) and str(path) in str(err.value)
    assert not (tmp_path / "page.html").exists()


def test_missing_files_folders_and_unknown_extensions_are_refused(tmp_path: Path, rows_file: Path):
    for bad, message in [
        (tmp_path / "nope.jsonl", "no such file"),
        (tmp_path, "is a folder"),
        (tmp_path / "rows.txt", "unknown extension"),
    ]:
        if bad.suffix == ".txt":
            bad.write_text("x", encoding="utf-8")
        with pytest.raises(DashboardError, match=message):
            build_dashboard([rows_file, bad], tmp_path / "page.html")
    with pytest.raises(DashboardError, match="no claim rows given"):
        build_dashboard([], tmp_path / "page.html")


def test_the_page_never_replaces_its_input(rows_file: Path):
    from claimcheck.errors import OutputError

    with pytest.raises(OutputError, match="it is the input"):
        build_dashboard([rows_file], rows_file, tables=False)


def test_cli_writes_the_page_and_reports_errors_in_one_line(rows_file: Path, tmp_path: Path):
    runner = CliRunner()
    out = tmp_path / "page.html"
    result = runner.invoke(app, ["dashboard", str(rows_file), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.is_file() and (tmp_path / "page.aggregates.csv").is_file()
    assert "14 claims of 5 articles (2 outlets, 2 months)" in result.output
    missing = runner.invoke(app, ["dashboard", str(tmp_path / "gone.jsonl"), "-o", str(out)])
    assert missing.exit_code == 1 and "gone.jsonl: no such file" in missing.output
    assert "Traceback" not in missing.output
    no_tables = runner.invoke(app, ["dashboard", str(rows_file), "-o", str(tmp_path / "only.html"), "--no-tables"])
    assert no_tables.exit_code == 0 and not (tmp_path / "only.aggregates.csv").exists()


# ----------------------------------------------------------------- the page


class _Links(HTMLParser):
    """Every URL-bearing attribute, element names, scripts and event handlers of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.urls: list[tuple[str, str, str, str]] = []  # (tag, attribute, value, class)
        self.tags: Counter[str] = Counter()
        self.handlers: list[str] = []
        self.text: list[str] = []
        self.csp: str | None = None

    def handle_starttag(self, tag, attrs):
        self.tags[tag] += 1
        values = dict(attrs)
        if tag == "meta" and values.get("http-equiv") == "Content-Security-Policy":
            self.csp = values.get("content")
        for name, value in attrs:
            if name in ("src", "href", "xlink:href", "action", "data", "poster", "srcset"):
                self.urls.append((tag, name, value or "", values.get("class") or ""))
            if name.startswith("on"):
                self.handlers.append(name)

    def handle_data(self, data):
        self.text.append(data)


def parse(page: str) -> _Links:
    parser = _Links()
    parser.feed(page)
    return parser


def test_the_page_is_self_contained(rows_file: Path, tmp_path: Path):
    out = tmp_path / "page.html"
    build_dashboard([rows_file], out)
    page = out.read_text(encoding="utf-8")
    found = parse(page)
    external = [u for u in found.urls if u[2].lower().startswith(("http:", "https:", "//"))]
    # the articles with a URL among the thinnest, each in its outlet's list and the overall one
    assert Counter(external) == {
        ("a", "href", "https://harbour.example/h1", "cc-article-link"): 2,
        ("a", "href", "https://www.valleypost.example/news/1", "cc-article-link"): 2,
    }
    assert all(u[2].startswith("#") for u in found.urls if u[0] != "a")  # SVG references stay inside the page
    assert found.csp is not None and found.csp.startswith("default-src 'none';")  # the browser fetches nothing
    assert found.tags["link"] == 0 and found.tags["img"] == 0 and found.tags["iframe"] == 0
    assert "@import" not in page and "url(http" not in page
    assert found.tags["svg"] >= 5 and found.tags["table"] >= 5
    # every chart's ids are its own
    ids = re.findall(r'\sid="([^"]+)"', page)
    assert len(ids) == len(set(ids))


HOSTILE_OUTLET = '<script>alert("outlet")</script> & $\\alpha$ Times'
HOSTILE_SOURCE = '"><img src=x onerror=alert`1`> $x^$'
SHORT_HOSTILE = "$x^$ <b>&"  # short enough to be a chart label whole; `$x^$` is broken mathtext


def test_hostile_names_are_escaped_everywhere(tmp_path: Path):
    rows = [
        claim("<b>x</b>", "named_person", 0.75, HOSTILE_SOURCE, ["named_no_role"], outlet=HOSTILE_OUTLET,
              date="2024-01-02", url="javascript:alert(1)", title="<i>title</i>"),
        claim("y", "named_person", 0.75, HOSTILE_SOURCE, ["named_no_role"], outlet=SHORT_HOSTILE, date="2024-02-02"),
    ]  # fmt: skip
    out = tmp_path / "page.html"
    build_dashboard([write_jsonl(tmp_path / "r.jsonl", rows)], out)
    page = out.read_text(encoding="utf-8")
    found = parse(page)
    assert found.tags["script"] == 1 and found.tags["img"] == 0 and found.tags["b"] == 0 and found.tags["i"] == 0
    assert found.handlers == []
    assert not any("javascript:" in u[2] for u in found.urls)
    text = "".join(found.text)
    assert HOSTILE_OUTLET in text and '"><img src=x onerror=alert`1`>' in text and "<i>title</i>" in text
    # in the charts too: the label is SVG text, its `$` a plain character, not mathtext
    chart_text = re.findall(r"<text[^>]*>([^<]*)</text>", page)
    assert "$x^$ &lt;b&gt;&amp;" in chart_text
    with (tmp_path / "page.aggregates.csv").open(encoding="utf-8") as fh:
        assert HOSTILE_OUTLET in {r["outlet"] for r in csv.DictReader(fh)}


def test_progress_is_reported_in_bytes_from_the_start_to_the_end(tmp_path: Path, monkeypatch):
    import claimcheck.dashboard.rows as rows_module

    monkeypatch.setattr(rows_module, "PROGRESS_EVERY", 5)
    first = write_jsonl(tmp_path / "a.jsonl", ROWS)
    second = write_csv(tmp_path / "b.csv", ROWS)
    total = first.stat().st_size + second.stat().st_size
    calls = []
    board = aggregate(read_rows([first, second], progress=lambda *a: calls.append(a)))
    assert calls[0] == (0, total, 0)  # the bar knows its length before the first row
    assert calls[-1] == (total, total, 28) and board.rows == 28
    assert (first.stat().st_size, total, 14) in calls  # the end of the first file
    done = [c[0] for c in calls]
    assert done == sorted(done) and all(c[1] == total for c in calls)
    assert len(calls) > 4  # every 5 rows, not only at the ends


def test_the_page_is_the_same_on_every_run(rows_file: Path, tmp_path: Path):
    first, second = tmp_path / "one.html", tmp_path / "two.html"
    build_dashboard([rows_file], first, tables=False)
    build_dashboard([rows_file], second, tables=False)
    assert first.read_bytes() == second.read_bytes()  # no dates, no ids counted across calls
