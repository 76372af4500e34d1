"""Tests for the archive's fields in ``claimcheck batch`` (claimcheck.batch.fields): what a
JSONL object, a Parquet row, a sidecar file or a folder says about an article reaches
every row of that article, typed, renamed where it meets an output column. The Ray engine
is compared with the local one in tests/test_batch.py and tests/test_batch_ray_engine.py."""

from __future__ import annotations

import datetime as dt
import json
import math
from decimal import Decimal
from pathlib import Path

import pytest
from typer.testing import CliRunner

from claimcheck.batch import COLUMNS, BatchError, run_batch
from claimcheck.batch import ledger as batch_ledger
from claimcheck.batch.fields import column_name, outlet_of
from claimcheck.io.documents import read_article
from claimcheck.pipeline import Checker

from .test_batch import ARTICLES, Crash, Flaky, expected, read_errors, read_rows

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")


@pytest.fixture(scope="module")
def baseline() -> Checker:
    return Checker.load("baseline")


def with_fields(rows: list[dict], fields: dict[str, dict]) -> list[dict]:
    """Rows as they must be written: each with its article's fields after the claim's columns."""
    return [{**row, **fields.get(row["article_id"], {})} for row in rows]


@pytest.mark.parametrize(
    ("url", "outlet"),
    [
        ("https://www.bbc.co.uk/news/x", "bbc.co.uk"),
        ("https://WWW.BBC.CO.UK:8443/news/x?id=1#top", "bbc.co.uk"),  # case and port
        ("http://news.bbc.co.uk/1/hi", "news.bbc.co.uk"),  # other subdomains stay
        ("https://www2.example.org./a", "example.org"),  # www2., and a trailing dot
        ("www.theguardian.com/uk", "theguardian.com"),  # no scheme
        ("https://editor:secret@www.example.net/a", "example.net"),  # no user
        ("https://www.com/", "www.com"),  # www. only goes where a domain stays
        ("http://192.0.2.7:8080/feed", "192.0.2.7"),
        ("http://[2001:db8::1]:80/x", "2001:db8::1"),
        ("https://localhost/x", "localhost"),
        ("not a url", None),
        ("https:///path-only", None),
        ("", None),
    ],
)
def test_outlet_of_a_url(url: str, outlet: str | None):
    assert outlet_of(url) == outlet


def test_a_field_named_like_a_column_is_renamed_the_same_way_everywhere():
    assert column_name("outlet") == "outlet" and column_name("article_title") == "article_title"
    assert [column_name(c) for c in ("source", "score", "text", "article_id")] == [
        "archive_source",
        "archive_score",
        "archive_text",
        "archive_article_id",
    ]
    # a name that renaming can make is renamed too, so no two fields ever share a column
    assert column_name("archive_source") == "archive_archive_source"
    assert column_name("archive_archive_source") == "archive_archive_archive_source"
    assert column_name("archive_notes") == "archive_notes"
    assert not {column_name(c) for c in COLUMNS} & set(COLUMNS)


# Made-up fields, written for these tests; the texts are tests/test_batch.py's.
ARCHIVE = [
    {
        "id": "h",
        "text": ARTICLES["harbour.txt"],
        "outlet": "Lornholm Post",
        "date": "2024-05-01",
        "url": "https://lornholm.example/h",
        "section": "local",
        "n": 1,
    },
    {
        "id": "p",
        "text": ARTICLES["pier.txt"],
        "url": "https://www.Tidewater-News.example:8443/pier?x=1",
        "date": "2024-05-02",
        "n": 2.5,
        "tags": ["pier", "safety"],
    },
    {
        "id": "z",
        "text": ARTICLES["zoo.txt"],
        "source": "wire",
        "score": 7,
        "archive_source": "desk",
        "article_id": "Z-1",
        "n": "three",
        "extra": {"k": [1]},
    },
]
#: what each article's rows carry: outlet from the url where there is none, collisions renamed
ARCHIVE_FIELDS = {
    "h": {
        "outlet": "Lornholm Post",
        "date": "2024-05-01",
        "url": "https://lornholm.example/h",
        "section": "local",
        "n": 1,
    },
    "p": {
        "url": "https://www.Tidewater-News.example:8443/pier?x=1",
        "date": "2024-05-02",
        "n": 2.5,
        "tags": ["pier", "safety"],
        "outlet": "tidewater-news.example",
    },
    "z": {
        "archive_source": "wire",
        "archive_score": 7,
        "archive_archive_source": "desk",
        "archive_article_id": "Z-1",
        "n": "three",
        "extra": {"k": [1]},
    },
}


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def test_jsonl_fields_reach_every_jsonl_row(baseline: Checker, tmp_path: Path):
    src = write_jsonl(tmp_path / "archive.jsonl", ARCHIVE)
    out = tmp_path / "claims.jsonl"
    summary = run_batch(src, out, baseline, batch_size=2)
    rows = read_rows(out)
    pairs = [(r["id"], r["text"]) for r in ARCHIVE]
    assert rows == with_fields(expected(baseline, pairs), ARCHIVE_FIELDS)
    assert {r["article_id"] for r in rows} == {"h", "p", "z"}
    # the claim's columns first, then the article's fields in the archive's order
    first_z = next(r for r in rows if r["article_id"] == "z")
    assert list(first_z) == [*COLUMNS, *ARCHIVE_FIELDS["z"]]
    assert first_z["source"] != "wire" and first_z["score"] != 7, "the claim's own columns are not overwritten"
    assert summary.fields == [
        "outlet",
        "date",
        "url",
        "section",
        "n",
        "tags",
        "archive_source",
        "archive_score",
        "archive_archive_source",
        "archive_article_id",
        "extra",
    ]


def test_jsonl_fields_reach_every_parquet_row_typed_by_their_values(baseline: Checker, tmp_path: Path):
    src = write_jsonl(tmp_path / "archive.jsonl", ARCHIVE)
    out = tmp_path / "claims.parquet"
    summary = run_batch(src, out, baseline, batch_size=2)
    table = pq.read_table(out)
    assert table.column_names == [*COLUMNS, *summary.fields]
    types = {f.name: f.type for f in table.schema}
    assert types["section"] == types["url"] == types["archive_source"] == pa.string()
    assert types["archive_score"] == pa.int64()
    assert types["tags"] == pa.list_(pa.string())
    # n is 1, 2.5 and "three": mixed, so each value is kept as JSON text (and says so)
    assert types["n"] == types["extra"] == pa.string()
    assert table.schema.field("n").metadata == {b"encoding": b"json"}
    rows = table.to_pylist()
    json_columns = ("n", "extra")
    fields = {
        art: {k: json.dumps(v) if k in json_columns else v for k, v in values.items()}
        for art, values in ARCHIVE_FIELDS.items()
    }
    missing = dict.fromkeys(summary.fields)
    pairs = [(r["id"], r["text"]) for r in ARCHIVE]
    assert rows == [{**row, **missing, **fields[row["article_id"]]} for row in expected(baseline, pairs)]
    assert {json.loads(r["n"]) for r in rows} == {1, 2.5, "three"}


def test_ints_and_floats_make_a_float_column(baseline: Checker, tmp_path: Path):
    records = [
        {"id": "a", "text": ARTICLES["zoo.txt"], "words": 120, "flag": True, "note": None},
        {"id": "b", "text": ARTICLES["bridge.txt"], "words": 98.5, "flag": False},
    ]
    out = tmp_path / "claims.parquet"
    run_batch(write_jsonl(tmp_path / "a.jsonl", records), out, baseline)
    table = pq.read_table(out)
    assert (table.schema.field("words").type, table.schema.field("flag").type) == (pa.float64(), pa.bool_())
    assert table.schema.field("note").type == pa.string(), "a field never seen with a value is a string column"
    by_article = {r["article_id"]: (r["words"], r["flag"], r["note"]) for r in table.to_pylist()}
    assert by_article == {"a": (120.0, True, None), "b": (98.5, False, None)}


def typed_archive() -> pa.Table:
    """Four articles with typed columns of the kinds a news archive holds."""
    n = 4
    texts = [ARTICLES[k] for k in ("harbour.txt", "pier.txt", "zoo.txt", "bridge.txt")]
    return pa.table(
        {
            "id": [f"d{i}" for i in range(n)],
            "text": texts,
            "date": pa.array([dt.date(2024, 5, 1 + i) for i in range(n)], pa.date32()),
            "published": pa.array(
                [dt.datetime(2024, 5, 1, 9, 30, i, 123456, tzinfo=dt.UTC) for i in range(n)], pa.timestamp("us", "UTC")
            ),
            "score": pa.array([3, None, -2, 7], pa.int16()),  # an output column's name: archive_score
            "section": pa.array(["local", "local", "nature", None]).dictionary_encode(),
            "authors": pa.array([["K. Vos"], [], ["A. Li", "B. Ode"], None], pa.list_(pa.string())),
            "place": pa.array(
                [{"town": "Lornholm", "lat": 57.1}] * n, pa.struct([("town", pa.string()), ("lat", pa.float64())])
            ),
            "price": pa.array([Decimal("1.50"), Decimal("0.00"), None, Decimal("12.25")], pa.decimal128(6, 2)),
            "ratio": pa.array([0.5, math.nan, None, 1.0], pa.float32()),
            "url": ["https://www.lornholm.example/a", "http://tidewater.example:81/b", None, "not a url"],
        }
    )


def test_parquet_fields_keep_their_types(baseline: Checker, tmp_path: Path):
    table = typed_archive()
    src = tmp_path / "archive.parquet"
    pq.write_table(table, src, row_group_size=3)
    out = tmp_path / "claims.parquet"
    summary = run_batch(src, out, baseline, batch_size=3)
    got = pq.read_table(out)
    names = ["date", "published", "archive_score", "section", "authors", "place", "price", "ratio", "url", "outlet"]
    assert summary.fields == names and got.column_names == [*COLUMNS, *names]
    for name, column in zip(names[:-1], [c for c in table.column_names if c not in ("id", "text")], strict=True):
        assert got.schema.field(name).type == table.schema.field(column).type, name
    assert got.schema.field("outlet").type == pa.string()
    # every claim row carries its article's values, exactly
    inputs = {f"d{i}": row for i, row in enumerate(table.drop_columns(["id", "text"]).to_pylist())}
    for row in got.to_pylist():
        want = inputs[row["article_id"]]
        assert row["date"] == want["date"] and row["published"] == want["published"]
        assert row["archive_score"] == want["score"] and row["section"] == want["section"]
        assert (row["authors"], row["place"], row["price"]) == (want["authors"], want["place"], want["price"])
        assert row["ratio"] == want["ratio"] or (math.isnan(row["ratio"]) and math.isnan(want["ratio"]))
    outlets = {r["article_id"]: r["outlet"] for r in got.to_pylist()}
    assert outlets == {"d0": "lornholm.example", "d1": "tidewater.example", "d2": None, "d3": None}
    assert len({r["article_id"] for r in got.to_pylist()}) == 4


def test_parquet_fields_in_jsonl_rows_are_json_values(baseline: Checker, tmp_path: Path):
    src = tmp_path / "archive.parquet"
    pq.write_table(typed_archive(), src)
    out = tmp_path / "claims.jsonl"
    run_batch(src, out, baseline)
    row = next(r for r in read_rows(out) if r["article_id"] == "d0")
    assert row["date"] == "2024-05-01"
    assert row["published"] == "2024-05-01 09:30:00.123456Z"
    assert (row["archive_score"], row["section"], row["price"]) == (3, "local", "1.50")
    assert row["place"] == {"town": "Lornholm", "lat": 57.1} and row["authors"] == ["K. Vos"]
    assert row["outlet"] == "lornholm.example"


def test_a_parquet_column_that_cannot_travel_is_refused_by_name(baseline: Checker, tmp_path: Path):
    src = tmp_path / "archive.parquet"
    pq.write_table(pa.table({"text": ["A text, the mayor said."], "thumb": pa.array([b"\x89PNG"], pa.binary())}), src)
    with pytest.raises(BatchError, match="the column `thumb` holds binary, which batch cannot carry"):
        run_batch(src, tmp_path / "claims.parquet", baseline)
    assert not (tmp_path / "claims.parquet").exists()


def test_an_outlet_column_is_filled_from_urls_where_it_is_null(baseline: Checker, tmp_path: Path):
    src = tmp_path / "archive.parquet"
    table = pa.table(
        {
            "text": [ARTICLES["zoo.txt"], ARTICLES["bridge.txt"]],
            "outlet": ["Zoo Weekly", None],
            "url": ["https://zoo.example/a", "https://www.bridges.example/b"],
        }
    )
    pq.write_table(table, src)
    run_batch(src, tmp_path / "claims.parquet", baseline)
    outlets = {r["article_id"]: r["outlet"] for r in read_rows(tmp_path / "claims.parquet")}
    assert outlets == {"0": "Zoo Weekly", "1": "bridges.example"}


def make_folder(root: Path) -> None:
    """An archive laid out as outlet/date/article, with sidecars beside some articles."""
    files = {
        "lornholm-post/2024-05-01/harbour.txt": ARTICLES["harbour.txt"],
        "lornholm-post/2024-05-01/harbour.json": json.dumps(
            {"url": "https://www.lornholm.example/h", "section": "local", "date": "2024-05-01T09:00"}
        ),
        "tidewater/2024-05-02/pier.txt": ARTICLES["pier.txt"],
        "zoo.txt": ARTICLES["zoo.txt"],
        "zoo.json": json.dumps({"url": "http://zoo.example/otters", "score": 5}),
        "tidewater/2024-05-03/bridge.txt": ARTICLES["bridge.txt"],
        "tidewater/2024-05-03/bridge.json": "[1, 2]",
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")


def test_folder_fields_come_from_the_path_and_the_sidecars(baseline: Checker, tmp_path: Path):
    make_folder(tmp_path / "arch")
    out = tmp_path / "claims.jsonl"
    summary = run_batch(tmp_path / "arch", out, baseline, path_fields=["outlet", "date"])
    ids = ["lornholm-post/2024-05-01/harbour.txt", "tidewater/2024-05-02/pier.txt", "zoo.txt"]
    fields = {
        # the sidecar's date wins over the folder's; the folder's outlet stands, so none from the url
        ids[0]: {
            "outlet": "lornholm-post",
            "date": "2024-05-01T09:00",
            "url": "https://www.lornholm.example/h",
            "section": "local",
        },
        ids[1]: {"outlet": "tidewater", "date": "2024-05-02"},
        # not deep enough for the names: only the sidecar, its outlet from the url
        ids[2]: {"url": "http://zoo.example/otters", "archive_score": 5, "outlet": "zoo.example"},
    }
    pairs = [(i, read_article(tmp_path / "arch" / i)) for i in sorted(ids)]
    assert read_rows(out) == with_fields(expected(baseline, pairs), fields)
    errors = read_errors(out)
    assert [e["article_id"] for e in errors] == ["tidewater/2024-05-03/bridge.txt"]
    assert "bridge.json: expected a JSON object of the article's fields" in errors[0]["error"]
    assert summary.articles == 3

    # a glob's folders count from its first folder with a wildcard
    glob_out = tmp_path / "glob.parquet"
    run_batch(f"{tmp_path}/arch/*/*/*.txt", glob_out, baseline, path_fields=["outlet", "day"])
    got = {(r["outlet"], r["day"], r["date"]) for r in read_rows(glob_out)}
    assert got == {("lornholm-post", "2024-05-01", "2024-05-01T09:00"), ("tidewater", "2024-05-02", None)}


def test_path_fields_need_a_folder_and_names(baseline: Checker, tmp_path: Path):
    src = write_jsonl(tmp_path / "a.jsonl", ARCHIVE[:1])
    with pytest.raises(BatchError, match="folder or glob input"):
        run_batch(src, tmp_path / "claims.jsonl", baseline, path_fields=["outlet"])
    with pytest.raises(BatchError, match="distinct names"):
        run_batch(tmp_path, tmp_path / "claims.jsonl", baseline, path_fields=["outlet", "outlet"])
    with pytest.raises(BatchError, match="distinct names"):
        run_batch(tmp_path, tmp_path / "claims.jsonl", baseline, path_fields=["outlet", ""])


def test_a_resumed_run_keeps_the_fields_seen_before_the_crash(baseline: Checker, tmp_path: Path):
    """The first two articles alone carry ``words``; the run crashes after committing them.
    The field's column must still be in the Parquet output the resumed run makes."""
    records = [
        {"id": "a", "text": ARTICLES["harbour.txt"], "words": 120, "outlet": "Post"},
        {"id": "b", "text": ARTICLES["pier.txt"], "words": 80},
        {"id": "c", "text": ARTICLES["zoo.txt"], "outlet": "Zoo Weekly", "lead": True},
        {"id": "d", "text": ARTICLES["bridge.txt"], "url": "https://www.bridges.example/d"},
    ]
    src = write_jsonl(tmp_path / "a.jsonl", records)
    reference, out = tmp_path / "reference.parquet", tmp_path / "claims.parquet"
    run_batch(src, reference, baseline, batch_size=2)
    with pytest.raises(Crash):
        run_batch(src, out, Flaky(baseline, crash_on=2), batch_size=2)
    summary = run_batch(src, out, baseline, batch_size=2)
    assert summary.skipped == 2
    assert pq.read_table(out).equals(pq.read_table(reference))
    assert pq.read_table(out).column_names == [*COLUMNS, "words", "outlet", "lead", "url"]
    assert {r["article_id"]: r["words"] for r in read_rows(out)} == {"a": 120, "b": 80, "c": None, "d": None}


def test_the_parquet_output_is_written_a_block_of_rows_at_a_time(
    baseline: Checker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    src = write_jsonl(tmp_path / "archive.jsonl", ARCHIVE)
    whole, blocks = tmp_path / "whole.parquet", tmp_path / "blocks.parquet"
    run_batch(src, whole, baseline)
    monkeypatch.setattr(batch_ledger, "FIELDS_BLOCK_ROWS", 3)
    run_batch(src, blocks, baseline)
    n = len(read_rows(whole))
    assert n > 3 and pq.ParquetFile(blocks).num_row_groups == -(-n // 3)
    assert pq.read_table(blocks).equals(pq.read_table(whole))


def test_cli_path_fields_and_the_renamed_fields(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    from claimcheck.cli import app

    monkeypatch.chdir(tmp_path)
    make_folder(tmp_path / "arch")
    args = ["batch", "arch", "out.parquet", "-m", "baseline", "--path-fields", "outlet,date"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "3 articles checked" in result.stderr and "1 error" in result.stderr
    assert "archive fields named like output columns are written as: score as archive_score" in result.stderr
    rows = read_rows(tmp_path / "out.parquet")
    assert {r["outlet"] for r in rows} == {"lornholm-post", "tidewater", "zoo.example"}
