"""Tests for claimcheck.io.brat on a tiny hand-made BRAT folder (and the real PolNeAR dev set when present)."""

from __future__ import annotations

from pathlib import Path

import pytest

from claimcheck.data import DataError, LabelledExample
from claimcheck.io.brat import read_brat_dir, read_brat_file

POLNEAR_DEV = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "polnear" / "dev"

# A made-up article. Offsets (checked in test_fixture_offsets):
#   "Jane Doe" 0-8, "said" 9-13, "the mayor" 14-23, "will quit soon" 37-51,
#   "The plan\nwas leaked" 53-72, "aides" 74-79, "said" 80-84, "It" 86-88, "was criticised" 89-103
TEXT = "Jane Doe said the mayor, who is new, will quit soon.\nThe plan\nwas leaked, aides said.\nIt was criticised.\n"

ANN1 = (
    # the E line comes before the T lines it refers to
    "E1\tAttribution:T4 Source:T1 Cue:T2 Content:T3\n"
    "T1\tSource 0 8\tJane Doe\n"
    "T2\tCue 9 13\tsaid\n"
    "T3\tContent 14 23;37 51\tthe mayor will quit soon\n"
    "T4\tAttribution 9 13\tsaid\n"
    # a span whose text holds a newline: the second line is a continuation line
    "T5\tContent 53 72\tThe plan\n"
    "was leaked\n"
    "T6\tSource 74 79\taides\n"
    "T7\tCue 80 84\tsaid\n"
    "T8\tAttribution 80 84\tsaid\n"
    "E2\tAttribution:T8 Content:T5 Cue:T7 Source:T6\n"
    "T9\tCue 89 103\twas criticised\n"
    "T10\tContent 86 88\tIt\n"
    "T11\tAttribution-no-source 89 103\twas criticised\n"
    "E3\tAttribution-no-source:T11 Content:T10 Cue:T9\n"
    "#1\tAnnotatorNotes T1\ta made-up note\n"
)

# A second annotator's file for the same article: must be ignored.
ANN2 = "T1\tSource 74 79\taides\nT2\tCue 80 84\tsaid\nT3\tContent 0 51\tJane...\nE1\tSource:T1 Cue:T2 Content:T3\n"

TEXT_B = "Prices rose again, the bureau reported.\n"
ANN_B = "T1\tContent 0 17\tPrices rose again\nT2\tSource 19 29\tthe bureau\nT3\tCue 30 38\treported\nE1\tContent:T1 Source:T2 Cue:T3\n"

METADATA = (
    "compartment\tfilename\tlevel\tpublisher\tpublication_date\tauthor\ttitle\tcredit\twire\n"
    "dev\tart1\tNone\tmadeup-times\t2016-10-01\tA. Writer\tMayor to quit\tNone\tNone\n"
    "dev\tart2\tNone\tmadeup-post\t2016-10-02\tB. Writer\tPrices rise\tAP\tTrue\n"
)


@pytest.fixture
def brat_dir(tmp_path: Path) -> Path:
    root = tmp_path / "dev"
    (root / "text").mkdir(parents=True)
    (root / "attributions").mkdir()
    (root / "text" / "art1.txt").write_text(TEXT, encoding="utf-8")
    (root / "text" / "art2.txt").write_text(TEXT_B, encoding="utf-8")
    (root / "text" / "art3.txt").write_text("No annotation file for this one.\n", encoding="utf-8")
    (root / "attributions" / "art1_ann2.ann").write_text(ANN2, encoding="utf-8")
    (root / "attributions" / "art1_ann1.ann").write_text(ANN1, encoding="utf-8")
    (root / "attributions" / "art2_ann7.ann").write_text(ANN_B, encoding="utf-8")
    (tmp_path / "metadata.tsv").write_text(METADATA, encoding="utf-8")
    return root


def test_fixture_offsets():
    for sub, (s, e) in {
        "Jane Doe": (0, 8),
        "the mayor": (14, 23),
        "will quit soon": (37, 51),
        "The plan\nwas leaked": (53, 72),
        "aides": (74, 79),
        "It": (86, 88),
        "was criticised": (89, 103),
    }.items():
        assert TEXT[s:e] == sub
    assert TEXT[9:13] == TEXT[80:84] == "said"


def test_read_brat_dir_articles(brat_dir: Path):
    examples = list(read_brat_dir(brat_dir))
    # art3 has no .ann file and is skipped
    assert [ex.id for ex in examples] == ["art1", "art2"]
    assert all(isinstance(ex, LabelledExample) for ex in examples)
    assert examples[0].text == TEXT
    assert examples[1].text == TEXT_B


def test_first_annotator_in_sorted_order_wins(brat_dir: Path):
    ex = next(read_brat_dir(brat_dir))
    assert ex.meta["annotation"] == "art1_ann1.ann"
    assert [a.id for a in ex.attributions] == ["E1", "E2", "E3"]


def test_ranges_exact(brat_dir: Path):
    ex = next(read_brat_dir(brat_dir))
    e1, e2, e3 = ex.attributions

    # discontinuous content, E line before its T lines
    assert e1.source == [(0, 8)]
    assert e1.cue == [(9, 13)]
    assert e1.content == [(14, 23), (37, 51)]
    assert e1.text_of("content", TEXT) == "the mayor will quit soon"

    # a span text with a newline (continuation line in the .ann file)
    assert e2.source == [(74, 79)]
    assert e2.cue == [(80, 84)]
    assert e2.content == [(53, 72)]
    assert e2.text_of("content", TEXT) == "The plan\nwas leaked"

    # Attribution-no-source: no source span, cue and content kept
    assert e3.source == []
    assert e3.cue == [(89, 103)]
    assert e3.content == [(86, 88)]

    # labels from BRAT carry no type or quality
    assert all(a.type is None and a.quality is None for a in ex.attributions)


def test_metadata_from_parent_folder(brat_dir: Path):
    ex1, ex2 = read_brat_dir(brat_dir)
    assert ex1.meta == {
        "publisher": "madeup-times",
        "publication_date": "2016-10-01",
        "title": "Mayor to quit",
        "credit": "None",
        "wire": "None",
        "corpus": "PolNeAR",
        "annotation": "art1_ann1.ann",
    }
    assert ex2.meta["publisher"] == "madeup-post"
    assert ex2.meta["credit"] == "AP"
    assert ex2.meta["annotation"] == "art2_ann7.ann"
    assert ex2.attributions[0].source == [(19, 29)]
    assert ex2.attributions[0].content == [(0, 17)]


def test_without_metadata(brat_dir: Path):
    (brat_dir.parent / "metadata.tsv").unlink()
    ex = next(read_brat_dir(brat_dir))
    assert ex.meta == {"corpus": "PolNeAR", "annotation": "art1_ann1.ann"}


def test_read_brat_file_directly(brat_dir: Path):
    ex = read_brat_file(brat_dir / "text" / "art1.txt", brat_dir / "attributions" / "art1_ann2.ann", {"x": "y"})
    assert ex.meta == {"x": "y", "corpus": "PolNeAR", "annotation": "art1_ann2.ann"}
    assert len(ex.attributions) == 1
    assert ex.attributions[0].source == [(74, 79)]
    assert ex.attributions[0].content == [(0, 51)]


def test_event_without_spans_is_dropped(tmp_path: Path):
    (tmp_path / "a.txt").write_text(TEXT_B, encoding="utf-8")
    ann = tmp_path / "a.ann"
    ann.write_text(
        "T1\tAttribution 30 38\treported\nE1\tAttribution:T1\n" + ANN_B.replace("E1", "E2"), encoding="utf-8"
    )
    ex = read_brat_file(tmp_path / "a.txt", ann)
    assert [a.id for a in ex.attributions] == ["E2"]


def test_unknown_span_reference(tmp_path: Path):
    (tmp_path / "a.txt").write_text(TEXT_B, encoding="utf-8")
    ann = tmp_path / "a.ann"
    ann.write_text("T1\tSource 19 29\tthe bureau\nE1\tSource:T1 Cue:T9\n", encoding="utf-8")
    with pytest.raises(DataError) as info:
        read_brat_file(tmp_path / "a.txt", ann)
    assert f"{ann}:2:" in str(info.value)
    assert "T9" in str(info.value)


def test_span_past_text_end(tmp_path: Path):
    (tmp_path / "a.txt").write_text(TEXT_B, encoding="utf-8")
    ann = tmp_path / "a.ann"
    ann.write_text("T1\tSource 19 29\tthe bureau\nT2\tContent 0 400\tx\nE1\tSource:T1 Content:T2\n", encoding="utf-8")
    with pytest.raises(DataError) as info:
        read_brat_file(tmp_path / "a.txt", ann)
    assert str(ann) in str(info.value)
    assert "attributions[0].content[0]" in str(info.value)


def test_bad_folder_without_text_dir(tmp_path: Path):
    (tmp_path / "attributions").mkdir()
    with pytest.raises(DataError, match="not a BRAT directory"):
        list(read_brat_dir(tmp_path))


def test_bad_folder_without_attributions_dir(tmp_path: Path):
    (tmp_path / "text").mkdir()
    with pytest.raises(DataError, match="not a BRAT directory"):
        list(read_brat_dir(tmp_path))


def test_missing_folder(tmp_path: Path):
    with pytest.raises(DataError) as info:
        list(read_brat_dir(tmp_path / "nowhere"))
    assert str(tmp_path / "nowhere") in str(info.value)


def test_real_polnear_dev():
    if not POLNEAR_DEV.is_dir():
        pytest.skip("../shared/data/polnear not present")
    examples = list(read_brat_dir(POLNEAR_DEV))
    assert len(examples) == 84
    assert len({ex.id for ex in examples}) == 84
    n_att = 0
    for ex in examples:
        n = len(ex.text)
        assert ex.meta.get("publisher"), ex.id
        for att in ex.attributions:
            n_att += 1
            for role in ("source", "cue", "content"):
                for start, end in att.ranges(role):
                    assert 0 <= start < end <= n, (ex.id, att.id, role, start, end)
    assert n_att > 2000
