"""Tests for claimcheck.data: round trips, JSONL validation errors, saving and the datasets view."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from claimcheck.data import (
    ArticleReport,
    Attribution,
    Claim,
    DataError,
    LabelledExample,
    Reason,
    Summary,
    iter_examples,
    load_examples,
    save_examples,
    to_dataset,
)

# Made-up article texts, written for these tests.
TEXT = "The ferry to Lornholm will stop in March, harbour master Ida Brenn said. Locals are unhappy."
TEXT2 = "A report by the Tidewater Trust found the pier unsafe.\n\nRepairs will take a year, officials said."


def rng(text: str, sub: str) -> tuple[int, int]:
    start = text.index(sub)
    return start, start + len(sub)


def make_example() -> LabelledExample:
    return LabelledExample(
        id="ferry",
        text=TEXT,
        meta={"publisher": "made-up", "tags": ["transport"], "n": 2},
        attributions=[
            Attribution(
                id="E1",
                source=[rng(TEXT, "harbour master Ida Brenn")],
                cue=[rng(TEXT, "said")],
                content=[rng(TEXT, "The ferry to Lornholm will stop in March")],
                type="named_person",
                quality=4,
                label_source="gold",
            ),
            # a source-less attribution (no type, no quality)
            Attribution(id="E2", cue=[rng(TEXT, "are unhappy")], content=[rng(TEXT, "Locals")]),
        ],
    )


def make_example2() -> LabelledExample:
    return LabelledExample(
        id="pier",
        text=TEXT2,
        attributions=[
            Attribution(
                id="E1",
                source=[rng(TEXT2, "A report by the Tidewater Trust")],
                cue=[rng(TEXT2, "found")],
                content=[rng(TEXT2, "the pier unsafe")],
                type="document",
                quality=3,
            ),
            Attribution(
                id="E2",
                source=[rng(TEXT2, "officials")],
                cue=[rng(TEXT2, "said")],
                content=[rng(TEXT2, "Repairs will take a year")],
                type="anonymous",
                quality=2,
            ),
        ],
    )


@pytest.fixture(scope="module")
def report(checker) -> ArticleReport:
    """A report made by the shipped checker (conftest's session fixture) on made-up text."""
    return checker.check(TEXT2 + " " + TEXT, id="made-up")


# --------------------------------------------------------------------------- round trips


def test_attribution_round_trip_through_model_dump():
    att = Attribution(
        id="A1",
        source=[(30, 34), (10, 20)],  # unsorted on input: stored sorted
        cue=[(21, 25)],
        content=[(40, 50)],
        type="anonymous",
        quality=2,
        confidence=0.5,
        score=0.25,
        reasons=[Reason(code="anonymous", text="Anonymous source", weight=1.5)],
        resolved_source="a spokesperson",
        label_source="model",
        quote_kind="partial",
    )
    assert att.source == [(10, 20), (30, 34)]
    data = json.loads(json.dumps(att.model_dump(mode="json")))
    assert Attribution.model_validate(data) == att


def test_attribution_to_dict_from_dict_round_trip():
    att = make_example().attributions[0]
    assert Attribution.from_dict(att.to_dict()) == att


def test_labelled_example_round_trip():
    ex = make_example()
    data = ex.to_dict()
    # None values are left out of the JSON form
    assert "type" not in data["attributions"][1]
    assert "quality" not in data["attributions"][1]
    assert LabelledExample.from_dict(json.loads(json.dumps(data))) == ex
    assert LabelledExample.from_dict(data) == ex


def test_labelled_example_keeps_discontinuous_ranges():
    text = "Rain, the forecaster said, will come tonight."
    ex = LabelledExample(
        id="rain",
        text=text,
        attributions=[
            Attribution(
                id="E1",
                source=[rng(text, "the forecaster")],
                cue=[rng(text, "said")],
                content=[rng(text, "will come tonight"), rng(text, "Rain")],
            )
        ],
    )
    att = ex.attributions[0]
    assert att.content == [(0, 4), (27, 44)]
    assert att.text_of("content", text) == "Rain will come tonight"
    assert att.extent("content") == (0, 44)
    assert att.extent("cue") == rng(text, "said")
    assert LabelledExample.from_dict(ex.to_dict()) == ex


def test_article_report_round_trip(report: ArticleReport):
    assert report.attributions, "the made-up text should yield at least one attribution"
    assert report.claims
    data = json.loads(report.to_json())
    assert ArticleReport.from_dict(data) == report
    assert ArticleReport.from_dict(report.to_dict()) == report


def test_article_report_without_quote_kinds_still_loads(report: ArticleReport):
    """JSON written before attributions had a quote kind (and the summary its counts)."""
    data = report.to_dict()
    assert [a["quote_kind"] is not None for a in data["attributions"]] == [
        bool(a["content"]) for a in data["attributions"]
    ]
    for att in data["attributions"]:
        del att["quote_kind"]
    del data["summary"]["quote_counts"]
    old = ArticleReport.from_dict(data)
    assert all(a.quote_kind is None for a in old.attributions) and old.summary.quote_counts == {}
    assert ArticleReport.from_dict(old.to_dict()) == old


def test_quote_kind_is_one_of_three():
    with pytest.raises(ValueError, match="quote_kind"):
        Attribution(id="A1", content=[(0, 4)], quote_kind="verbatim")


def test_article_report_offsets_index_text(report: ArticleReport):
    n = len(report.text)
    for att in report.attributions:
        for role in ("source", "cue", "content"):
            for start, end in att.ranges(role):
                assert 0 <= start < end <= n
    for claim in report.claims:
        assert report.text[claim.start : claim.end] == claim.text
    assert report.summary.n_claims == len(report.claims)
    assert sum(report.summary.type_counts.values()) == len(report.claims)


def test_article_report_to_example_is_a_valid_label(report: ArticleReport):
    ex = report.to_example()
    assert ex.id == "made-up"
    assert len(ex.attributions) == len(report.attributions)
    for pred, label in zip(report.attributions, ex.attributions, strict=True):
        # quality from the score on the codebook scale, confidence kept to review the least sure first
        assert label.quality == (None if pred.score is None else round(1 + 4 * pred.score))
        assert label.confidence == pred.confidence and label.label_source == "predicted" and not label.reasons
        assert "quote_kind" not in label.to_dict(), "read from the text, not labelled"
    assert LabelledExample.from_dict(ex.to_dict()) == ex


def test_article_report_rejects_offsets_past_text(report: ArticleReport):
    data = report.to_dict()
    data["attributions"][0]["source"] = [[0, len(report.text) + 5]]
    with pytest.raises(ValueError, match=r"attributions\[0\]\.source\[0\]"):
        ArticleReport.from_dict(data)


def _hand_report() -> ArticleReport:
    """TEXT2 with its two labelled attributions, listed in reverse order, as claims."""
    atts = list(reversed(make_example2().attributions))
    first, second = (s.strip() for s in TEXT2.split("\n\n"))
    claims = [
        Claim(text=first, start=0, end=len(first), type="document", attribution="E1"),
        Claim(text=second, start=TEXT2.index(second), end=len(TEXT2), type="anonymous", attribution="E2"),
        Claim(text=second, start=TEXT2.index(second), end=len(TEXT2), type="unattributed"),
    ]
    summary = Summary(n_claims=3, type_counts={}, sourcing_score=None)
    return ArticleReport(id="pier", text=TEXT2, attributions=atts, claims=claims, summary=summary)


def test_attribution_of_finds_a_claims_attribution_by_id():
    report = _hand_report()
    assert report.attribution_of(report.claims[0]) is report.attributions[1]
    assert report.attribution_of(report.claims[1]) is report.attributions[0]
    assert report.attribution_of(report.claims[2]) is None  # an unattributed claim
    assert report.attribution_of(report.claims[0].model_copy(update={"attribution": "E9"})) is None


def test_attribution_of_follows_changes_to_the_attributions():
    report = _hand_report()
    assert report.attribution_of(report.claims[0]).id == "E1"
    report.attributions.reverse()  # the index built above is out of date now
    assert report.attribution_of(report.claims[0]) is report.attributions[0]
    report.attributions[0].id = "E7"
    assert report.attribution_of(report.claims[0]) is None
    assert report.attribution_of(report.claims[0].model_copy(update={"attribution": "E7"})).id == "E7"
    fewer = report.model_copy(update={"attributions": report.attributions[1:]})
    assert fewer.attribution_of(report.claims[1]) is fewer.attributions[0]


def test_attribution_of_leaves_no_trace_in_the_report_data():
    report, fresh = _hand_report(), _hand_report()
    report.attribution_of(report.claims[0])
    assert report == fresh and report.to_dict() == fresh.to_dict()
    assert ArticleReport.from_dict(report.to_dict()) == report


def test_attribution_of_a_checked_report(report: ArticleReport):
    attributed = [c for c in report.claims if c.attribution]
    assert attributed
    for claim in attributed:
        assert report.attribution_of(claim).id == claim.attribution


# --------------------------------------------------------------------------- validation


def good_line() -> dict:
    return make_example().to_dict()


def write_lines(path: Path, lines: list[str]) -> Path:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def load_error(path: Path) -> str:
    with pytest.raises(DataError) as info:
        load_examples(path)
    message = str(info.value)
    assert "\n" not in message
    return message


def with_change(change) -> str:
    data = copy.deepcopy(good_line())
    change(data)
    return json.dumps(data)


def test_offset_past_text_end(tmp_path: Path):
    n = len(TEXT)

    def change(d):
        d["attributions"][0]["content"] = [[0, 10], [20, n + 1]]

    path = write_lines(tmp_path / "labels.jsonl", [json.dumps(good_line()), with_change(change)])
    message = load_error(path)
    assert f"{path}:2:" in message
    assert "attributions[0].content[1]" in message
    assert str(n + 1) in message


def test_offset_past_text_end_in_second_attribution(tmp_path: Path):
    def change(d):
        d["attributions"][1]["cue"] = [[len(TEXT) - 3, len(TEXT) + 40]]

    path = write_lines(tmp_path / "labels.jsonl", [with_change(change)])
    message = load_error(path)
    assert f"{path}:1:" in message
    assert "attributions[1].cue[0]" in message


def test_unknown_type(tmp_path: Path):
    def change(d):
        d["attributions"][0]["type"] = "celebrity"

    path = write_lines(tmp_path / "labels.jsonl", [with_change(change)])
    message = load_error(path)
    assert f"{path}:1:" in message
    assert "attributions[0].type" in message
    assert "'celebrity'" in message
    assert "named_person" in message  # the allowed types are listed


@pytest.mark.parametrize("quality", [0, 6])
def test_quality_out_of_range(tmp_path: Path, quality: int):
    def change(d):
        d["attributions"][0]["quality"] = quality

    path = write_lines(tmp_path / "labels.jsonl", [json.dumps(good_line()), "", with_change(change)])
    message = load_error(path)
    assert f"{path}:3:" in message
    assert "attributions[0].quality" in message


@pytest.mark.parametrize("bad", [[12, 12], [12, 5], [-1, 4]])
def test_range_end_not_after_start(tmp_path: Path, bad: list[int]):
    def change(d):
        d["attributions"][0]["source"] = [bad]

    path = write_lines(tmp_path / "labels.jsonl", [with_change(change)])
    message = load_error(path)
    assert f"{path}:1:" in message
    assert "attributions[0].source" in message
    assert f"[{bad[0]}, {bad[1]}]" in message


def test_line_not_json(tmp_path: Path):
    path = write_lines(tmp_path / "labels.jsonl", [json.dumps(good_line()), '{"id": "x", "text": '])
    message = load_error(path)
    assert f"{path}:2:" in message
    assert "not valid JSON" in message


def test_line_is_json_list(tmp_path: Path):
    path = write_lines(tmp_path / "labels.jsonl", ["", json.dumps([good_line()])])
    message = load_error(path)
    assert f"{path}:2:" in message
    assert "(line)" in message
    assert "JSON object" in message


def test_missing_required_field(tmp_path: Path):
    data = good_line()
    del data["text"]
    path = write_lines(tmp_path / "labels.jsonl", [json.dumps(data)])
    message = load_error(path)
    assert f"{path}:1:" in message
    assert "text" in message


def test_unknown_field_is_rejected(tmp_path: Path):
    def change(d):
        d["attributions"][0]["speaker"] = "Ida"

    path = write_lines(tmp_path / "labels.jsonl", [with_change(change)])
    message = load_error(path)
    assert f"{path}:1:" in message
    assert "attributions[0].speaker" in message


def test_data_error_is_a_value_error():
    assert issubclass(DataError, ValueError)


def test_blank_lines_are_skipped(tmp_path: Path):
    path = write_lines(
        tmp_path / "labels.jsonl",
        ["", json.dumps(make_example().to_dict()), "   ", "\t", json.dumps(make_example2().to_dict()), ""],
    )
    examples = load_examples(path)
    assert [ex.id for ex in examples] == ["ferry", "pier"]
    assert examples == [make_example(), make_example2()]


def test_errors_are_raised_lazily_by_iter_examples(tmp_path: Path):
    path = write_lines(tmp_path / "labels.jsonl", [json.dumps(good_line()), "[]"])
    it = iter_examples(path)
    assert next(it) == make_example()
    with pytest.raises(DataError, match=":2:"):
        next(it)


# --------------------------------------------------------------------------- saving and datasets


def test_save_then_load_round_trip(tmp_path: Path):
    examples = [make_example(), make_example2(), LabelledExample(id="empty", text="Nothing is attributed here.")]
    path = tmp_path / "sub" / "labels.jsonl"
    save_examples(path, examples)
    assert load_examples(path) == examples
    lines = path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 3
    assert all(isinstance(json.loads(line), dict) for line in lines)
    # no temporary files are left behind
    assert [p.name for p in path.parent.iterdir()] == ["labels.jsonl"]


def test_save_examples_replaces_existing_file(tmp_path: Path):
    path = tmp_path / "labels.jsonl"
    save_examples(path, [make_example(), make_example2()])
    save_examples(path, [make_example2()])
    assert load_examples(path) == [make_example2()]


def test_save_keeps_non_ascii(tmp_path: Path):
    text = "« Le pont fermera », a dit Zoë Müller."
    ex = LabelledExample(
        id="pont",
        text=text,
        attributions=[Attribution(id="E1", source=[rng(text, "Zoë Müller")], content=[rng(text, "Le pont fermera")])],
    )
    path = tmp_path / "labels.jsonl"
    save_examples(path, [ex])
    assert "Zoë Müller" in path.read_text(encoding="utf-8")
    assert load_examples(path) == [ex]


def test_to_dataset_rows():
    from datasets import Dataset

    examples = [make_example(), make_example2(), LabelledExample(id="empty", text="Nothing is attributed here.")]
    ds = to_dataset(examples)
    assert isinstance(ds, Dataset)
    assert ds.num_rows == 3
    assert len(ds) == 3
    assert set(ds.column_names) == {"id", "text", "meta", "attributions"}
    assert ds["id"] == ["ferry", "pier", "empty"]
    first = ds[0]
    assert json.loads(first["meta"]) == {"publisher": "made-up", "tags": ["transport"], "n": 2}
    assert [a["id"] for a in first["attributions"]] == ["E1", "E2"]
    assert first["attributions"][0]["type"] == "named_person"
    assert first["attributions"][0]["quality"] == 4
    assert first["attributions"][1]["type"] is None
    assert first["attributions"][0]["source"] == [list(rng(TEXT, "harbour master Ida Brenn"))]
    assert ds[2]["attributions"] == []
