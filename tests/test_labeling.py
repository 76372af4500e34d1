"""Tests for claimcheck.labeling: the correction loop driven by scripted answers."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from rich.console import Console

from claimcheck.data import Attribution, DataError, LabelledExample, load_examples, save_examples
from claimcheck.labeling import find_span, progress_path, run_labeling

# Made-up articles; offsets checked in test_fixture_offsets.
TEXT_1 = "Mayor Tom Reed said the bridge will reopen. An aide said the work was late."
TEXT_2 = "Experts warned that prices could rise. The bank agreed, a spokesman said."


def _batch() -> list[LabelledExample]:
    return [
        LabelledExample(
            id="n1",
            text=TEXT_1,
            attributions=[
                Attribution(
                    id="p1", source=[(0, 14)], cue=[(15, 19)], content=[(20, 42)], type="named_person", confidence=0.9
                ),
                Attribution(
                    id="p2", source=[(44, 51)], cue=[(52, 56)], content=[(57, 74)], type="unnamed_group", confidence=0.3
                ),
                # no source: not reviewed
                Attribution(id="p3", cue=[(52, 56)], content=[(57, 74)], confidence=0.01),
            ],
        ),
        LabelledExample(
            id="n2",
            text=TEXT_2,
            attributions=[
                Attribution(
                    id="q1", source=[(0, 7)], cue=[(8, 14)], content=[(15, 37)], type="unnamed_group", confidence=0.6
                ),
                # missing confidence: first in line
                Attribution(id="q2", source=[(39, 47)], cue=[(48, 54)], type="named_organization"),
            ],
        ),
    ]


def test_fixture_offsets():
    assert TEXT_1[0:14] == "Mayor Tom Reed"
    assert TEXT_1[15:19] == "said"
    assert TEXT_1[20:42] == "the bridge will reopen"
    assert TEXT_1[44:51] == "An aide"
    assert TEXT_1[52:56] == "said"
    assert TEXT_1[57:74] == "the work was late"
    assert TEXT_2[0:7] == "Experts"
    assert TEXT_2[8:14] == "warned"
    assert TEXT_2[15:37] == "that prices could rise"
    assert TEXT_2[39:47] == "The bank"
    assert TEXT_2[48:54] == "agreed"


@pytest.fixture
def batch(tmp_path: Path) -> Path:
    path = tmp_path / "batch.jsonl"
    save_examples(path, _batch())
    return path


class Script:
    """A fake input(): hands out answers, records prompts, raises what it is told to."""

    def __init__(self, answers, on_each=None):
        self.answers = list(answers)
        self.prompts: list[str] = []
        self.on_each = on_each

    def __call__(self, prompt: str) -> str:
        self.prompts.append(prompt)
        if self.on_each:
            self.on_each()
        answer = self.answers.pop(0)
        if isinstance(answer, BaseException):
            raise answer
        return answer


def _console() -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    return Console(file=out, width=120, color_system=None), out


def _atts(path: Path) -> dict[str, Attribution]:
    return {f"{ex.id}#{a.id}": a for ex in load_examples(path) for a in ex.attributions}


def _reviewed(path: Path) -> list[str]:
    return json.loads(progress_path(path).read_text(encoding="utf-8"))["reviewed"]


def test_order_is_ascending_confidence_missing_first(batch: Path):
    console, out = _console()
    result = run_labeling(batch, Script(["", "", "", "", "q"]), console)
    assert _reviewed(batch) == ["n2#q2", "n1#p2", "n2#q1", "n1#p1"]
    assert (result.accepted, result.changed, result.deleted, result.remaining, result.total) == (4, 0, 0, 0, 4)
    assert "All 4 attributions reviewed." in out.getvalue()
    atts = _atts(batch)
    assert all(atts[k].label_source == "corrected" for k in _reviewed(batch))
    assert atts["n1#p3"].label_source is None  # no source: not in the queue


def test_display_shows_sentence_cue_content_and_types(batch: Path):
    console, out = _console()
    run_labeling(batch, Script(["q"]), console)
    shown = out.getvalue()
    assert "4 attributions to review" in shown
    assert "The bank agreed, a spokesman said." in shown  # the sentence of n2#q2
    assert "Experts warned" not in shown  # not the other sentence
    assert "named_organization" in shown and "quality —" in shown and "confidence —" in shown
    assert "1 named_person" in shown and "6 unnamed_group" in shown
    assert "unattributed" not in shown  # not offered for an attribution with a source


def test_scripted_session_with_interruption_and_resume(batch: Path):
    saved: list[dict[str, Attribution]] = []
    # answers in queue order: n2#q2, n1#p2, n2#q1, n1#p1
    script = Script(
        [
            "2",  # q2: type -> named_organization (same as predicted: counts as accepted)
            "s",  # p2: fix the source...
            "the mayor",  # ...not in the sentence shown: asked again
            "aide",  # ...now "aide" inside "An aide"
            "3",  # ...then the type: anonymous
            "d",  # q1: delete
            "u",  # undo the delete
            "a",  # q1 again: accept
            KeyboardInterrupt(),  # p1: Ctrl-C
        ],
        on_each=lambda: saved.append(_atts(batch)),
    )
    console, out = _console()
    result = run_labeling(batch, script, console)
    assert "'the mayor' is not in the sentence(s) shown" in out.getvalue()
    assert (result.accepted, result.changed, result.deleted, result.remaining) == (2, 1, 0, 1)

    # saved after every answer: each prompt saw the previous answer on disk
    assert saved[1]["n2#q2"].label_source == "corrected"  # before p2's first answer
    assert saved[4]["n1#p2"].source == [(47, 51)]  # the source fix is on disk before the type answer
    assert saved[4]["n1#p2"].label_source is None
    assert "n2#q1" not in saved[6]  # deleted on disk before the undo
    assert saved[7]["n2#q1"].label_source is None  # undone on disk

    atts = _atts(batch)
    assert atts["n1#p2"].source == [(47, 51)]
    assert TEXT_1[47:51] == "aide"
    assert atts["n1#p2"].type == "anonymous"
    assert atts["n1#p2"].label_source == "corrected"
    assert atts["n2#q1"].label_source == "corrected"
    assert atts["n1#p1"].label_source is None
    assert _reviewed(batch) == ["n2#q2", "n1#p2", "n2#q1"]

    # resume: p1 is left; undo first reaches back into the earlier session (q1's accept)
    console, out = _console()
    script = Script(["u", "4", "d", ""])
    result = run_labeling(batch, script, console)
    shown = out.getvalue()
    assert "Resuming: 3 of 4 reviewed, 1 remain." in shown
    assert shown.index("Mayor Tom Reed said") < shown.index("undone") < shown.index("Experts warned")
    assert _atts(batch)["n2#q1"].type == "publication"
    assert "n1#p1" not in _atts(batch)
    assert "All 4 attributions reviewed." in shown
    assert len(script.prompts) == 4  # u, 4 (q1), d (p1), and Enter at the end
    assert (result.accepted, result.changed, result.deleted, result.remaining) == (1, 2, 1, 0)

    # a third run: everything reviewed, counts kept (the deleted one included); undo brings p1 back
    console, out = _console()
    result = run_labeling(batch, Script([""]), console)
    assert (result.accepted, result.changed, result.deleted, result.remaining) == (1, 2, 1, 0)
    console, out = _console()
    result = run_labeling(batch, Script(["u", "q"]), console)
    assert "Mayor Tom Reed said the bridge will reopen." in out.getvalue()
    assert _atts(batch)["n1#p1"].label_source is None
    assert (result.accepted, result.changed, result.deleted, result.remaining) == (1, 2, 0, 1)


def test_eof_ends_cleanly(batch: Path):
    console, _ = _console()
    result = run_labeling(batch, Script(["a", EOFError()]), console)
    assert result.accepted == 1 and result.remaining == 3
    assert _reviewed(batch) == ["n2#q2"]


def test_unknown_answer_and_empty_undo(batch: Path):
    console, out = _console()
    script = Script(["u", "x", "9", "q"])
    result = run_labeling(batch, script, console)
    text = out.getvalue()
    assert "Nothing to undo." in text
    assert "Unknown answer 'x'" in text and "Unknown answer '9'" in text
    assert result.reviewed == 0 and result.remaining == 4


def test_source_fix_cancelled_with_enter(batch: Path):
    console, _ = _console()
    run_labeling(batch, Script(["s", "", "q"]), console)
    assert _atts(batch)["n2#q2"].source == [(39, 47)]


def test_find_span_takes_nearest_occurrence():
    text = "He said he would go, he said."
    window = (0, len(text))
    assert find_span(text, window, "he", 21) == (21, 23)
    assert find_span(text, window, "he", 8) == (8, 10)
    assert find_span(text, window, "HE WOULD", None) == (8, 16)  # any case when the exact case is missing
    assert find_span(text, (0, 10), "go", None) is None
    assert find_span(text, window, "  ", None) is None


def test_duplicate_keys_refused(tmp_path: Path):
    path = tmp_path / "dup.jsonl"
    ex = _batch()[0]
    ex.attributions[1] = ex.attributions[1].model_copy(update={"id": "p1"})
    save_examples(path, [ex])
    with pytest.raises(DataError, match="two attributions with id 'p1'"):
        run_labeling(path, Script([]), _console()[0])


def test_bad_progress_file(batch: Path):
    progress_path(batch).write_text("{not json", encoding="utf-8")
    with pytest.raises(DataError, match="not a claimcheck progress file"):
        run_labeling(batch, Script([]), _console()[0])
