"""Tests for claimcheck.labeling: the correction loop driven by scripted answers."""

from __future__ import annotations

import io
import json
import os
import select
import signal
import subprocess
import time
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
    result = run_labeling(batch, Script(["", "", "", "", "q"]), console, order="confidence")
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
    result = run_labeling(batch, script, console, order="confidence")
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
    result = run_labeling(batch, script, console, order="confidence")
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
    result = run_labeling(batch, Script([""]), console, order="confidence")
    assert (result.accepted, result.changed, result.deleted, result.remaining) == (1, 2, 1, 0)
    console, out = _console()
    result = run_labeling(batch, Script(["u", "q"]), console, order="confidence")
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


# --------------------------------------------------------------------------- edits, additions, quality

# Made-up article for the edit tests and the terminal session.
TEXT_3 = (
    "Police chief Ana Ruiz told reporters the road would close. "
    "The bridge is old, and experts warned that repairs could take a year. "
    "Traffic was heavy on Monday."
)
TEXT_4 = "A spokeswoman for the city said the plan was final. Two drivers said they would wait."


def _at(text: str, words: str) -> tuple[int, int]:
    start = text.index(words)
    return start, start + len(words)


def _edit_batch() -> list[LabelledExample]:
    def att(text: str, id_: str, source: str, cue: str, content: str, **kw) -> Attribution:
        return Attribution(id=id_, source=[_at(text, source)], cue=[_at(text, cue)], content=[_at(text, content)], **kw)

    return [
        LabelledExample(
            id="r1",
            text=TEXT_3,
            attributions=[
                # cue and content cut short by the model
                att(
                    TEXT_3,
                    "A1",
                    "Police chief Ana Ruiz",
                    "told",
                    "the road",
                    type="named_person",
                    quality=5,
                    confidence=0.2,
                    label_source="predicted",
                ),
                # not an attribution at all, typed unattributed although it has a source
                att(
                    TEXT_3,
                    "A2",
                    "Traffic",
                    "was",
                    "heavy on Monday",
                    type="unattributed",
                    confidence=0.3,
                    label_source="predicted",
                ),
            ],
        ),
        LabelledExample(
            id="r2",
            text=TEXT_4,
            attributions=[
                att(
                    TEXT_4,
                    "A1",
                    "A spokeswoman for the city",
                    "said",
                    "the plan was final",
                    type="anonymous",
                    quality=2,
                    confidence=0.6,
                    label_source="predicted",
                ),
                att(
                    TEXT_4,
                    "A2",
                    "Two drivers",
                    "said",
                    "they would wait",
                    type="unnamed_group",
                    quality=2,
                    confidence=0.7,
                    label_source="predicted",
                ),
            ],
        ),
    ]


@pytest.fixture
def edits(tmp_path: Path) -> Path:
    path = tmp_path / "edits.jsonl"
    save_examples(path, _edit_batch())
    return path


def _text(path: Path, key: str, role: str) -> str:
    ex = next(e for e in load_examples(path) if e.id == key.split("#")[0])
    att = next(a for a in ex.attributions if a.id == key.split("#")[1])
    return att.text_of(role, ex.text)


def test_respan_cue_and_content_then_accept(edits: Path):
    console, out = _console()
    script = Script(["c", "told reporters", "o", "nothing like this", "the road would close", "", "q"])
    result = run_labeling(edits, script, console, order="confidence")
    assert "'nothing like this' is not in the sentence(s) shown" in out.getvalue()
    assert _text(edits, "r1#A1", "cue") == "told reporters"
    assert _text(edits, "r1#A1", "content") == "the road would close"
    assert _atts(edits)["r1#A1"].label_source == "corrected"
    assert (result.accepted, result.changed) == (0, 1)  # a span edit counts as a change


def test_edits_are_undone_one_at_a_time(edits: Path):
    console, _ = _console()
    run_labeling(
        edits, Script(["c", "told reporters", "o", "the road would close", "u", "q"]), console, order="confidence"
    )
    assert _text(edits, "r1#A1", "cue") == "told reporters"
    assert _text(edits, "r1#A1", "content") == "the road"  # the content edit undone, the cue edit kept


def test_add_a_missed_attribution_and_undo_it(edits: Path):
    console, out = _console()
    script = Script(["n", "experts", "warned", "that repairs could take a year", "x", "6", "a", "q"])
    result = run_labeling(edits, script, console, order="confidence")
    assert "'x' is not a type." in out.getvalue()
    added = _atts(edits)["r1#N1"]
    assert (added.type, added.quality, added.label_source) == ("unnamed_group", 2, "corrected")
    assert [_text(edits, "r1#N1", r) for r in ("source", "cue", "content")] == [
        "experts",
        "warned",
        "that repairs could take a year",
    ]
    assert [a.id for a in load_examples(edits)[0].attributions] == ["A1", "N1", "A2"]  # in text order
    assert (result.added, result.accepted, result.total) == (1, 1, 5)

    console, out = _console()
    result = run_labeling(
        edits, Script(["u", "u", "q"]), console, order="confidence"
    )  # undo the accept, then the addition
    assert "r1#N1" not in _atts(edits)
    assert (result.added, result.reviewed, result.total) == (0, 0, 4)


def test_add_cancelled_with_enter(edits: Path):
    console, _ = _console()
    script = Script(["n", "", "n", "experts", "", "", "", "q"])
    run_labeling(edits, script, console)
    assert script.prompts[1:3] == ["source (Enter to cancel): ", "> "]  # Enter at the source: nothing added
    assert script.prompts[-2] == "type 1-6 (Enter to cancel): "  # Enter at the type: nothing added
    assert "r1#N1" not in _atts(edits)


def test_unattributed_needs_a_type_or_delete(edits: Path):
    console, out = _console()
    # A1 accepted, then A2: 7 is not offered, Enter is refused, d deletes it
    result = run_labeling(edits, Script(["", "7", "", "d", "q"]), console, order="confidence")
    shown = out.getvalue()
    assert "Unknown answer '7'" in shown
    assert "unattributed is for a claim with no source" in shown
    assert "r1#A2" not in _atts(edits)
    assert (result.accepted, result.deleted) == (1, 1)


def test_type_change_sets_the_codebook_quality_unless_set_by_hand(edits: Path):
    console, out = _console()
    # A1 named_person 5 -> anonymous: quality follows (2); A2 deleted;
    # r2#A1 anonymous 2: quality 3 by hand, then named_organization keeps the 3
    run_labeling(edits, Script(["3", "d", "r", "3", "2", "q"]), console, order="confidence")
    atts = _atts(edits)
    assert (atts["r1#A1"].type, atts["r1#A1"].quality) == ("anonymous", 2)
    assert (atts["r2#A1"].type, atts["r2#A1"].quality) == ("named_organization", 3)
    assert "type → anonymous, quality → 2" in out.getvalue()

    # the next session shows the hand-set quality; r2#A2 unnamed_group -> publication: default 4
    console, out = _console()
    run_labeling(edits, Script(["u", "4", "4", "q"]), console, order="confidence")
    assert "quality 3 (by hand)" in out.getvalue()
    atts = _atts(edits)
    assert (atts["r2#A1"].type, atts["r2#A1"].quality) == ("publication", 3)
    assert (atts["r2#A2"].type, atts["r2#A2"].quality) == ("publication", 4)


def test_quality_edit_undone_is_no_longer_by_hand(edits: Path):
    console, out = _console()
    run_labeling(edits, Script(["r", "9", "r", "4", "u", "1", "q"]), console)
    assert "'9' is not a quality; kept." in out.getvalue()
    assert (_atts(edits)["r1#A1"].type, _atts(edits)["r1#A1"].quality) == ("named_person", 5)
    # A1 was named_person already: the type did not change, so neither did the quality


def test_loader_refuses_sourced_unattributed_on_request(edits: Path):
    with pytest.raises(DataError) as caught:
        load_examples(edits, sourced_unattributed=False)
    message = str(caught.value)
    assert message.startswith(f"{edits}:1: attributions[1].type:")
    assert "'unattributed' is for a claim with no source" in message and "'A2'" in message
    assert len(load_examples(edits)) == 2  # allowed by default: the codebook's writer-as-source


def test_loader_accepts_unattributed_without_source(tmp_path: Path):
    path = tmp_path / "ok.jsonl"
    ex = LabelledExample(
        id="z", text=TEXT_3, attributions=[Attribution(id="E1", content=[(0, 5)], type="unattributed")]
    )
    save_examples(path, [ex])
    assert load_examples(path, sourced_unattributed=False)[0].attributions[0].type == "unattributed"


# --------------------------------------------------------------------------- through a terminal


def _as_a_shell_starts_it() -> None:
    """In the child: a controlling terminal, so that Ctrl-C signals, and SIGINT at its default
    as a terminal's shell leaves it (an ignored signal stays ignored across exec, and the
    pytest process may ignore SIGINT after an earlier test)."""
    import fcntl
    import termios

    fcntl.ioctl(0, termios.TIOCSCTTY, 0)
    signal.signal(signal.SIGINT, signal.SIG_DFL)


class Terminal:
    """`claimcheck label` in a pseudo-terminal, as a person types at it."""

    def __init__(self, path: Path):
        import sys

        master, slave = os.openpty()
        env = {
            **os.environ,
            "PYTHONPATH": str(Path(__file__).resolve().parents[1]),
            "TERM": "dumb",
            "NO_COLOR": "1",
            "COLUMNS": "200",
            "OMP_NUM_THREADS": "1",
        }
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "claimcheck", "label", str(path), "--order", "confidence"],
            stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True,
            preexec_fn=_as_a_shell_starts_it,
        )  # fmt: skip
        os.close(slave)
        self.master, self.out, self.seen = master, "", 0

    def expect(self, pattern: str, timeout: float = 30.0) -> str:
        """Read until ``pattern`` appears after what was matched before; returns the text up to it."""
        deadline = time.monotonic() + timeout
        while (i := self.out.find(pattern, self.seen)) == -1:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.master], [], [], left)[0]:
                raise AssertionError(f"no {pattern!r} within {timeout}s; the terminal shows:\n{self.out[-1500:]}")
            try:
                chunk = os.read(self.master, 4096)
            except OSError:  # the program ended
                chunk = b""
            if not chunk:
                raise AssertionError(f"ended before {pattern!r}; the terminal shows:\n{self.out[-1500:]}")
            self.out += chunk.decode("utf-8", "replace").replace("\r\n", "\n")
        before, self.seen = self.out[self.seen : i], i + len(pattern)
        return before

    def type(self, keys: str, then: str) -> str:
        """Send keys (no Enter unless given) and wait for the next prompt."""
        os.write(self.master, keys.encode())
        return self.expect(then)

    def finish(self, timeout: float = 30.0) -> int:
        # read while waiting: a child whose output fills the terminal's buffer blocks until it is read
        deadline = time.monotonic() + timeout
        while self.proc.poll() is None and time.monotonic() < deadline:
            if select.select([self.master], [], [], 0.2)[0]:
                try:
                    self.out += os.read(self.master, 4096).decode("utf-8", "replace").replace("\r\n", "\n")
                except OSError:
                    break
        try:  # a read that fails (EIO: the child closed the terminal) may come just before it exits
            code = self.proc.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            raise AssertionError(f"still running after {timeout} s; its output ends:\n{self.out[-1500:]}") from None
        while select.select([self.master], [], [], 0.2)[0]:
            try:
                chunk = os.read(self.master, 4096)
            except OSError:
                break
            if not chunk:
                break
            self.out += chunk.decode("utf-8", "replace").replace("\r\n", "\n")
        os.close(self.master)
        return code


@pytest.mark.skipif(not hasattr(os, "openpty"), reason="needs a POSIX pseudo-terminal")
def test_a_session_typed_at_a_terminal(edits: Path):
    term = Terminal(edits)
    try:
        term.expect("4 attributions to review")
        term.expect("> ")  # r1#A1
        term.type("c", then="cue text (Enter to keep): ")  # one key, no Enter
        term.type("told reporters\r", then="> ")
        term.type("o", then="content text (Enter to keep): ")
        term.type("the road would close\r", then="> ")
        term.type("n", then="source (Enter to cancel): ")
        term.type("experts\r", then="cue (Enter for none): ")
        term.type("warned\r", then="content (Enter for none): ")
        term.type("that repairs could take a year\r", then="type 1-6 (Enter to cancel): ")
        assert "added N1" in term.type("6", then="> ")
        term.type("r", then="quality 1-5 (Enter to keep): ")
        assert "quality 4 (by hand)" in term.type("4", then="> ")
        shown = term.type("\r", then="> ")  # Enter accepts r1#A1; r1#A2 comes next
        assert "Traffic was heavy on Monday." in shown and "3/5" in shown
        assert "Unknown answer '7'" in term.type("7", then="> ")
        assert "unattributed is for a claim with no source" in term.type("\r", then="> ")
        assert "deleted" in term.type("d", then="> ")  # r2#A1 next
        assert "type → named_organization, quality → 4" in term.type("2", then="> ")
        os.write(term.master, b"\x03")  # Ctrl-C at r2#A2
        code = term.finish()
    finally:
        if term.proc.poll() is None:
            term.proc.kill()
    tail = term.out[term.seen :]
    assert code == 130, term.out[-1500:]
    summary = [line for line in tail.splitlines() if "reviewed" in line]
    assert summary == [
        f"reviewed 4 of 5: 0 accepted, 2 changed, 1 deleted, 1 added; 1 remain. Corrections are in {edits}."
    ], tail
    assert "Traceback" not in term.out and "Aborted" not in term.out

    atts = _atts(edits)
    assert set(atts) == {"r1#A1", "r1#N1", "r2#A1", "r2#A2"}
    assert (_text(edits, "r1#A1", "cue"), _text(edits, "r1#A1", "content")) == (
        "told reporters",
        "the road would close",
    )
    assert (atts["r1#A1"].type, atts["r1#A1"].quality, atts["r1#A1"].label_source) == ("named_person", 4, "corrected")
    assert [_text(edits, "r1#N1", r) for r in ("source", "cue", "content")] == [
        "experts",
        "warned",
        "that repairs could take a year",
    ]
    assert (atts["r1#N1"].type, atts["r1#N1"].quality) == ("unnamed_group", 2)
    assert (atts["r2#A1"].type, atts["r2#A1"].quality, atts["r2#A1"].label_source) == (
        "named_organization",
        4,
        "corrected",
    )
    assert atts["r2#A2"].label_source == "predicted"  # Ctrl-C lost nothing and changed nothing more


def test_added_id_never_reuses_a_deleted_one(tmp_path: Path):
    path = tmp_path / "n.jsonl"
    ex = _edit_batch()[0]
    ex.attributions[1] = ex.attributions[1].model_copy(update={"id": "N1", "confidence": 0.1})
    save_examples(path, [ex])
    console, _ = _console()
    result = run_labeling(path, Script(["d", "n", "experts", "", "", "6", "q"]), console)  # N1 first: deleted
    atts = _atts(path)
    assert "r1#N2" in atts and "r1#N1" not in atts
    assert (result.deleted, result.added, result.total) == (1, 1, 3)


# --------------------------------------------------------------------------- review order by consequence

# Made-up article: a headline source, a named source, a confident false source (no quotation, no
# speech verb in its sentence) and an anonymous one.
TEXT_5 = (
    "Bridge will reopen in May, aides say\n\n"
    "The bridge will reopen in May, Mayor Tom Reed said. "
    "The council, a body of nine, voted on Tuesday. "
    "An aide said the work was late."
)


def _consequence_batch() -> list[LabelledExample]:
    def att(id_: str, source: str, cue: str | None, content: str, **kw) -> Attribution:
        cues = [_at(TEXT_5, cue)] if cue else []
        return Attribution(id=id_, source=[_at(TEXT_5, source)], cue=cues, content=[_at(TEXT_5, content)], **kw)

    return [
        LabelledExample(
            id="c1",
            text=TEXT_5,
            attributions=[
                att("H1", "aides", "say", "Bridge will reopen in May", type="unnamed_group", quality=2, confidence=0.5),
                att(
                    "P1",
                    "Mayor Tom Reed",
                    "said",
                    "The bridge will reopen",
                    type="named_person",
                    quality=4,
                    confidence=0.6,
                ),
                att(
                    "F1", "The council", None, "voted on Tuesday", type="named_organization", quality=4, confidence=0.99
                ),
                att("P2", "An aide", "said", "the work was late", type="anonymous", quality=2, confidence=0.3),
            ],
        )
    ]


@pytest.fixture
def consequence_batch(tmp_path: Path) -> Path:
    path = tmp_path / "consequence.jsonl"
    save_examples(path, _consequence_batch())
    return path


def test_default_order_puts_the_confident_false_source_first(consequence_batch: Path):
    """Issue 19: least confident first showed the 0.99-confident false source last. By consequence:
    unsupported sources (most confident first), headline sources, then the types that move the
    score most."""
    console, out = _console()
    run_labeling(consequence_batch, Script(["", "", "", "", "q"]), console)
    assert _reviewed(consequence_batch) == ["c1#F1", "c1#H1", "c1#P1", "c1#P2"]
    shown = out.getvalue()
    assert "4 attributions to review, most consequential first." in shown
    assert "shown early: no quotation mark and no speech verb in its sentence" in shown
    assert "shown early: a headline source" in shown


def test_confidence_order_is_still_there(consequence_batch: Path):
    console, out = _console()
    run_labeling(consequence_batch, Script(["", "", "", "", "q"]), console, order="confidence")
    assert _reviewed(consequence_batch) == ["c1#P2", "c1#H1", "c1#P1", "c1#F1"]
    assert "least confident first" in out.getvalue() and "shown early" not in out.getvalue()


def test_label_command_takes_the_order(consequence_batch: Path):
    from typer.testing import CliRunner

    from claimcheck.cli import app

    runner = CliRunner()
    result = runner.invoke(app, ["label", str(consequence_batch), "--order", "confidence"], input="q\n")
    assert result.exit_code == 0, result.output
    assert "least confident first" in result.stdout and "c1 · P2" in result.stdout
    assert "c1 · F1" in runner.invoke(app, ["label", str(consequence_batch)], input="q\n").stdout
    assert runner.invoke(app, ["label", str(consequence_batch), "--order", "random"]).exit_code == 2
