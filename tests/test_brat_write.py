"""Tests for claimcheck.io.brat's writer: write_brat_dir -> read_brat_dir round trips, Type/Quality attributes."""

from __future__ import annotations

from pathlib import Path

import pytest

from claimcheck.data import Attribution, DataError, LabelledExample
from claimcheck.io.brat import brat_annotation, read_brat_dir, read_brat_file, write_brat, write_brat_dir

# Made-up articles. Offsets are checked in test_fixture_offsets.
TEXT_A = "Ann Lee, a local baker, said the market\nwill close on Friday. Critics disagree.\n"
TEXT_B = "The report, which was leaked, found rising costs, the agency warned.\n"


def _examples() -> list[LabelledExample]:
    a = LabelledExample(
        id="art-a",
        text=TEXT_A,
        attributions=[
            # discontinuous source and a content that crosses a newline
            Attribution(
                id="a1",
                source=[(0, 7), (9, 22)],
                cue=[(24, 28)],
                content=[(29, 60)],
                type="named_person",
                quality=5,
                confidence=0.4,
            ),
            # no source
            Attribution(id="a2", cue=[(70, 78)], content=[(62, 69)], type="unnamed_group"),
            # no type, no quality
            Attribution(id="a3", source=[(62, 69)], cue=[(70, 78)]),
        ],
    )
    b = LabelledExample(
        id="art-b",
        text=TEXT_B,
        attributions=[
            # discontinuous content: "The report ... found rising costs"
            Attribution(
                id="E7",
                source=[(50, 60)],
                cue=[(61, 67)],
                content=[(0, 10), (30, 48)],
                type="named_organization",
                quality=4,
            ),
        ],
    )
    return [a, b]


def test_fixture_offsets():
    assert TEXT_A[0:7] == "Ann Lee"
    assert TEXT_A[9:22] == "a local baker"
    assert TEXT_A[24:28] == "said"
    assert TEXT_A[29:60] == "the market\nwill close on Friday"
    assert TEXT_A[62:69] == "Critics"
    assert TEXT_A[70:78] == "disagree"
    assert TEXT_B[0:10] == "The report"
    assert TEXT_B[30:48] == "found rising costs"
    assert TEXT_B[50:60] == "the agency"
    assert TEXT_B[61:67] == "warned"


def _spans(att: Attribution) -> tuple:
    return (att.source, att.cue, att.content, att.type, att.quality)


def test_round_trip(tmp_path: Path):
    examples = _examples()
    assert write_brat_dir(examples, tmp_path / "out") == 2
    assert sorted(p.name for p in (tmp_path / "out" / "text").iterdir()) == ["art-a.txt", "art-b.txt"]
    assert sorted(p.name for p in (tmp_path / "out" / "attributions").iterdir()) == [
        "art-a_claimcheck.ann",
        "art-b_claimcheck.ann",
    ]
    back = list(read_brat_dir(tmp_path / "out"))
    assert [ex.id for ex in back] == ["art-a", "art-b"]
    for before, after in zip(examples, back, strict=True):
        assert after.text == before.text
        assert [_spans(a) for a in after.attributions] == [_spans(a) for a in before.attributions]
    # ids that are not BRAT event ids are renumbered; E ids are kept
    assert [a.id for a in back[0].attributions] == ["E1", "E2", "E3"]
    assert [a.id for a in back[1].attributions] == ["E7"]
    assert back[0].meta["annotation"] == "art-a_claimcheck.ann"


def test_dialect_matches_polnear():
    ann = brat_annotation(_examples()[0])
    lines = ann.splitlines()
    assert lines[0] == "T1\tSource 0 7;9 22\tAnn Lee a local baker"
    assert lines[1] == "T2\tCue 24 28\tsaid"
    # the echoed text stays on one line
    assert lines[2] == "T3\tContent 29 60\tthe market will close on Friday"
    assert lines[3] == "T4\tAttribution 24 28\tsaid"
    assert lines[4] == "E1\tAttribution:T4 Source:T1 Cue:T2 Content:T3"
    assert lines[5] == "A1\tType E1 named_person"
    assert lines[6] == "A2\tQuality E1 5"
    assert "E2\tAttribution-no-source:T7 Cue:T5 Content:T6" in lines
    assert "A3\tType E2 unnamed_group" in lines
    assert not any(line.startswith("A") and " E3 " in line for line in lines)


def test_annotator_and_single_write(tmp_path: Path):
    ex = _examples()[1]
    write_brat(ex, tmp_path / "t", tmp_path / "a", annotator="ann3")
    got = read_brat_file(tmp_path / "t" / "art-b.txt", tmp_path / "a" / "art-b_ann3.ann")
    assert [_spans(a) for a in got.attributions] == [_spans(a) for a in ex.attributions]


def test_spanless_attribution_left_out(tmp_path: Path):
    ex = LabelledExample(id="x", text="Hello there.", attributions=[Attribution(id="a1", type="document")])
    write_brat_dir([ex], tmp_path)
    (back,) = read_brat_dir(tmp_path)
    assert back.attributions == []


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("A1\tType E1 famous_person\n", "unknown type 'famous_person'"),
        ("A1\tQuality E1 9\n", "quality '9'"),
        ("A1\tQuality E1 four\n", "quality 'four'"),
        ("A1\tType E1\n", "expected 'Type <event> <value>'"),
        ("A1\tType E9 document\n", "unknown event E9"),
    ],
)
def test_bad_attribute_values(tmp_path: Path, line: str, message: str):
    (tmp_path / "a.txt").write_text(TEXT_B, encoding="utf-8")
    ann = tmp_path / "a.ann"
    ann.write_text("T1\tSource 50 60\tthe agency\nT2\tCue 61 67\twarned\nE1\tSource:T1 Cue:T2\n" + line, "utf-8")
    with pytest.raises(DataError) as info:
        read_brat_file(tmp_path / "a.txt", ann)
    assert f"{ann}:4:" in str(info.value)
    assert message in str(info.value)


def test_other_attributes_ignored(tmp_path: Path):
    (tmp_path / "a.txt").write_text(TEXT_B, encoding="utf-8")
    ann = tmp_path / "a.ann"
    ann.write_text(
        "T1\tSource 50 60\tthe agency\nE1\tSource:T1\nA1\tNegated E1\nA2\tType E1 document\nA3\tQuality E1 2\n", "utf-8"
    )
    att = read_brat_file(tmp_path / "a.txt", ann).attributions[0]
    assert (att.type, att.quality) == ("document", 2)


@pytest.mark.parametrize(
    ("example", "annotator", "message"),
    [
        (LabelledExample(id="a/b", text="x"), "claimcheck", "cannot be used in a file name"),
        (LabelledExample(id="ok", text="x"), "my_name", "may not contain '_'"),
        (LabelledExample(id="ok", text="line one\r\nline two"), "claimcheck", "carriage returns"),
    ],
)
def test_write_refuses(tmp_path: Path, example: LabelledExample, annotator: str, message: str):
    with pytest.raises(DataError, match=message):
        write_brat(example, tmp_path / "t", tmp_path / "a", annotator=annotator)
    assert not (tmp_path / "t").exists()
