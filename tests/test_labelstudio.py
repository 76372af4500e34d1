"""Tests for claimcheck.io.labelstudio: export -> import round trips, the labelling config, bad input."""

from __future__ import annotations

import copy
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from claimcheck.data import ATTRIBUTION_TYPES, Attribution, DataError, LabelledExample
from claimcheck.io import labelstudio as ls
from claimcheck.io.labelstudio import from_labelstudio, read_labelstudio, to_labelstudio, write_labelstudio

CONFIG = Path(__file__).resolve().parents[1] / "configs" / "label-studio.xml"

# Made-up articles. Offsets are checked in test_fixture_offsets.
TEXT_A = "Ann Lee, a local baker, said the market will close on Friday. Critics disagree.\n"
TEXT_B = "The report, which was leaked, found rising costs, the agency warned."


def _examples() -> list[LabelledExample]:
    return [
        LabelledExample(
            id="art-a",
            text=TEXT_A,
            meta={"publisher": "made-up-news"},
            attributions=[
                Attribution(
                    id="a1",
                    source=[(0, 7)],
                    cue=[(24, 28)],
                    content=[(29, 60)],
                    type="named_person",
                    quality=5,
                    confidence=0.75,
                ),
                # no source: type and quality ride on the cue
                Attribution(id="a2", cue=[(70, 78)], content=[(62, 69)], type="unnamed_group", quality=2),
                # source and content, no cue, no type
                Attribution(id="a3", source=[(62, 69)], content=[(70, 78)]),
            ],
        ),
        LabelledExample(
            id="art-b",
            text=TEXT_B,
            attributions=[
                # discontinuous content and a two-piece source
                Attribution(
                    id="b1",
                    source=[(50, 53), (54, 60)],
                    cue=[(61, 67)],
                    content=[(0, 10), (30, 48)],
                    type="named_organization",
                    quality=4,
                    confidence=0.2,
                ),
                # only a content span
                Attribution(id="b2", content=[(12, 28)], type="document"),
            ],
        ),
        LabelledExample(id="art-c", text="Nothing is attributed here."),
    ]


def test_fixture_offsets():
    assert TEXT_A[0:7] == "Ann Lee"
    assert TEXT_A[24:28] == "said"
    assert TEXT_A[29:60] == "the market will close on Friday"
    assert TEXT_A[62:69] == "Critics"
    assert TEXT_A[70:78] == "disagree"
    assert TEXT_B[0:10] == "The report"
    assert TEXT_B[12:28] == "which was leaked"
    assert TEXT_B[30:48] == "found rising costs"
    assert TEXT_B[50:60] == "the agency"
    assert TEXT_B[61:67] == "warned"


def _key(att: Attribution) -> tuple:
    return (att.id, att.source, att.cue, att.content, att.type, att.quality, att.confidence)


@pytest.mark.parametrize("use", ["annotations", "predictions"])
def test_round_trip(use: str):
    examples = _examples()
    tasks = to_labelstudio(examples, use=use)
    assert all(set(t) == {"data", use} for t in tasks)
    # through JSON, as a file would go
    back = from_labelstudio(json.loads(json.dumps(tasks)), use=use)
    assert [ex.id for ex in back] == ["art-a", "art-b", "art-c"]
    for before, after in zip(examples, back, strict=True):
        assert after.text == before.text
        assert after.meta == before.meta
        assert sorted(map(_key, after.attributions)) == sorted(map(_key, before.attributions))


def test_task_shape():
    task = to_labelstudio(_examples()[:1])[0]
    assert task["data"] == {"text": TEXT_A, "id": "art-a", "meta": {"publisher": "made-up-news"}}
    result = task["annotations"][0]["result"]
    regions = {r["id"]: r for r in result if r["type"] == "labels"}
    source = regions["a1-source-0"]
    assert source == {
        "id": "a1-source-0",
        "from_name": "role",
        "to_name": "text",
        "type": "labels",
        "value": {"start": 0, "end": 7, "text": "Ann Lee", "labels": ["Source"], "score": 0.75},
    }
    relations = [r for r in result if r["type"] == "relation"]
    assert {
        "type": "relation",
        "from_id": "a1-cue-0",
        "to_id": "a1-source-0",
        "direction": "right",
        "labels": ["source"],
    } in relations
    assert {
        "type": "relation",
        "from_id": "a1-cue-0",
        "to_id": "a1-content-0",
        "direction": "right",
        "labels": ["content"],
    } in relations
    # per-region answers carry the region's id and offsets
    choices = [r for r in result if r["type"] == "choices" and r["id"] == "a1-source-0"]
    assert choices == [
        {
            "id": "a1-source-0",
            "from_name": "type",
            "to_name": "text",
            "type": "choices",
            "value": {"start": 0, "end": 7, "text": "Ann Lee", "choices": ["named_person"]},
        }
    ]
    rating = [r for r in result if r["type"] == "rating" and r["id"] == "a1-source-0"]
    assert rating[0]["from_name"] == "quality"
    assert rating[0]["value"]["rating"] == 5
    # no source: the type sits on the cue region
    assert any(r["type"] == "choices" and r["id"] == "a2-cue-0" for r in result)


def test_prediction_score_is_lowest_confidence():
    tasks = to_labelstudio(_examples(), use="predictions", model_version="v1")
    assert tasks[1]["predictions"][0]["score"] == 0.2
    assert tasks[1]["predictions"][0]["model_version"] == "v1"
    assert "score" not in tasks[2]["predictions"][0]


def _task(result: list, text: str = TEXT_A) -> dict:
    return {"data": {"text": text, "id": "x"}, "annotations": [{"result": result}]}


def _labels(rid: str, start: int, end: int, label: str, text: str = TEXT_A) -> dict:
    value = {"start": start, "end": end, "text": text[start:end], "labels": [label]}
    return {"id": rid, "from_name": "role", "to_name": "text", "type": "labels", "value": value}


def _rel(a: str, b: str) -> dict:
    return {"type": "relation", "from_id": a, "to_id": b, "direction": "right", "labels": []}


def test_hand_made_annotation_groups_by_cue():
    """Label Studio ids are random; a source linked to two cues belongs to both; a cue-less pair stands alone."""
    result = [
        _labels("Qa", 0, 7, "Source"),
        _labels("Qb", 24, 28, "Cue"),
        _labels("Qc", 29, 40, "Content"),
        _labels("Qd", 41, 60, "Content"),
        _labels("Qe", 62, 69, "Content"),
        _labels("Qf", 70, 78, "Cue"),
        _rel("Qb", "Qa"),
        _rel("Qb", "Qc"),
        _rel("Qc", "Qd"),  # second piece of a discontinuous content
        _rel("Qa", "Qf"),  # the same source for the second cue
        _rel("Qf", "Qe"),
        {"id": "Qa", "from_name": "type", "to_name": "text", "type": "choices", "value": {"choices": ["anonymous"]}},
        {"id": "Qf", "from_name": "quality", "to_name": "text", "type": "rating", "value": {"rating": 3}},
        {"id": "Qz", "from_name": "notes", "to_name": "text", "type": "textarea", "value": {"text": ["ignored"]}},
    ]
    (ex,) = from_labelstudio([_task(result)])
    first, second = ex.attributions
    assert (first.source, first.cue, first.content) == ([(0, 7)], [(24, 28)], [(29, 40), (41, 60)])
    assert (second.source, second.cue, second.content) == ([(0, 7)], [(70, 78)], [(62, 69)])
    assert first.type == second.type == "anonymous"
    assert (first.quality, second.quality) == (None, 3)
    assert [a.id for a in ex.attributions] == ["ls1", "ls2"]
    assert all(a.confidence is None for a in ex.attributions)


def test_unlabelled_and_cancelled_tasks_skipped():
    tasks = [
        {"data": {"text": "No annotations yet."}},
        {"data": {"text": "Skipped."}, "annotations": [{"was_cancelled": True, "result": []}]},
        {"id": 12, "data": {"text": "Done, nothing found."}, "annotations": [{"result": []}]},
    ]
    examples = from_labelstudio(tasks)
    assert [(ex.id, ex.attributions) for ex in examples] == [("12", [])]


def test_utf16_offsets_accepted():
    text = "🙂 Bob said so."
    # Label Studio (JavaScript) counts the emoji as two units: "Bob" is [3, 6) there, [2, 5) in Python
    result = [
        _labels("r1", 3, 6, "Source", text) | {"value": {"start": 3, "end": 6, "text": "Bob", "labels": ["Source"]}}
    ]
    (ex,) = from_labelstudio([_task(result, text)])
    assert ex.attributions[0].source == [(2, 5)]


def test_file_round_trip(tmp_path: Path):
    path = tmp_path / "tasks.json"
    write_labelstudio(path, _examples())
    assert isinstance(json.loads(path.read_text(encoding="utf-8")), list)
    back = read_labelstudio(path)
    assert sorted(map(_key, back[1].attributions)) == sorted(map(_key, _examples()[1].attributions))


def test_config_matches_exporter():
    root = ET.parse(CONFIG).getroot()
    assert root.tag == "View"
    (text,) = root.iter("Text")
    assert text.get("name") == ls.TEXT_OBJECT
    assert text.get("value") == f"${ls.TEXT_FIELD}"
    (labels,) = root.iter("Labels")
    assert labels.get("name") == ls.ROLE_CONTROL
    assert labels.get("toName") == ls.TEXT_OBJECT
    assert [lab.get("value") for lab in labels.iter("Label")] == list(ls.ROLE_LABELS.values())
    (relations,) = root.iter("Relations")
    assert [r.get("value") for r in relations.iter("Relation")] == list(ls.RELATION_LABELS)
    (choices,) = root.iter("Choices")
    assert choices.get("name") == ls.TYPE_CONTROL
    assert choices.get("toName") == ls.TEXT_OBJECT
    assert choices.get("perRegion") == "true"
    assert tuple(c.get("value") for c in choices.iter("Choice")) == ATTRIBUTION_TYPES
    (rating,) = root.iter("Rating")
    assert rating.get("name") == ls.QUALITY_CONTROL
    assert rating.get("toName") == ls.TEXT_OBJECT
    assert rating.get("perRegion") == "true"
    assert int(rating.get("maxRating")) == ls.MAX_RATING == 5

    # and every name the exporter writes is one the config declares
    tasks = to_labelstudio(_examples())
    controls = {labels.get("name"): "labels", choices.get("name"): "choices", rating.get("name"): "rating"}
    for task in tasks:
        assert set(task["data"]) - {"id", "meta"} == {text.get("value")[1:]}
        for r in task["annotations"][0]["result"]:
            if r["type"] == "relation":
                assert set(r["labels"]) <= set(ls.RELATION_LABELS)
                continue
            assert controls[r["from_name"]] == r["type"]
            assert r["to_name"] == text.get("name")


def _good() -> list[dict]:
    return to_labelstudio(_examples())


def _result(tasks: list[dict], i: int) -> list[dict]:
    return tasks[i]["annotations"][0]["result"]


def _bad(mutate) -> str:
    tasks = copy.deepcopy(_good())
    mutate(tasks)
    with pytest.raises(DataError) as info:
        from_labelstudio(tasks)
    return str(info.value)


def test_bad_offsets():
    def beyond(tasks):
        r = _result(tasks, 1)[0]
        r["value"].update(end=400, text="x")

    msg = _bad(beyond)
    assert msg.startswith("tasks[1].annotations[0].result[0].value.end:")
    assert "beyond" in msg

    def reversed_(tasks):
        _result(tasks, 0)[0]["value"].update(start=7, end=3)

    assert _bad(reversed_).startswith("tasks[0].annotations[0].result[0].value:")

    def not_int(tasks):
        _result(tasks, 0)[0]["value"]["start"] = "0"

    assert _bad(not_int).startswith("tasks[0].annotations[0].result[0].value.start:")

    def wrong_text(tasks):
        _result(tasks, 0)[0]["value"]["text"] = "Somebody"

    assert "value.text: 'Somebody' is not the text at [0, 7]" in _bad(wrong_text)


def test_unknown_label_type_quality():
    def label(tasks):
        _result(tasks, 0)[0]["value"]["labels"] = ["Speaker"]

    msg = _bad(label)
    assert msg.startswith("tasks[0].annotations[0].result[0].value.labels:")
    assert "unknown label 'Speaker'" in msg

    def type_(tasks):
        for r in _result(tasks, 1):
            if r["type"] == "choices":
                r["value"]["choices"] = ["celebrity"]
                break

    msg = _bad(type_)
    assert msg.startswith("tasks[1].annotations[0].result[")
    assert "value.choices: unknown type 'celebrity'" in msg

    def rating(tasks):
        for r in _result(tasks, 0):
            if r["type"] == "rating":
                r["value"]["rating"] = 7
                break

    assert "quality 7 is not a whole number from 1 to 5" in _bad(rating)


def test_dangling_references():
    def relation(tasks):
        _result(tasks, 0).append(_rel("a1-cue-0", "nowhere"))

    msg = _bad(relation)
    assert msg.startswith("tasks[0].annotations[0].result[")
    assert ".to_id: relation refers to no Source/Cue/Content region 'nowhere'" in msg

    def choice(tasks):
        _result(tasks, 0).append(
            {
                "id": "ghost",
                "from_name": "type",
                "to_name": "text",
                "type": "choices",
                "value": {"choices": ["document"]},
            }
        )

    assert "per-region type refers to no Source/Cue/Content region 'ghost'" in _bad(choice)


def test_conflicting_types_in_one_attribution():
    def conflict(tasks):
        _result(tasks, 1).append(
            {
                "id": "b1-cue-0",
                "from_name": "type",
                "to_name": "text",
                "type": "choices",
                "value": {"choices": ["document"]},
            }
        )

    assert "several type values" in _bad(conflict)


def test_bad_task_structure():
    with pytest.raises(DataError, match=r"^tasks\[0\]\.data\.text:"):
        from_labelstudio([{"data": {"body": "x"}, "annotations": []}])
    with pytest.raises(DataError, match=r"^tasks\[1\]: expected a JSON object"):
        from_labelstudio([_good()[2], "oops"])
    with pytest.raises(DataError, match=r"^tasks\[0\]\.annotations\[0\]\.result: expected a list"):
        from_labelstudio([{"data": {"text": "x"}, "annotations": [{"result": {}}]}])


def test_read_errors_name_the_file(tmp_path: Path):
    path = tmp_path / "bad.json"
    path.write_text("[{", encoding="utf-8")
    with pytest.raises(DataError, match=r"bad\.json: not valid JSON"):
        read_labelstudio(path)
    path.write_text(json.dumps([{"data": {}}]), encoding="utf-8")
    with pytest.raises(DataError, match=r"bad\.json: tasks\[0\]\.data\.text"):
        read_labelstudio(path)
