"""Correct predicted attributions one at a time, most uncertain first (behind ``claimcheck label``).

The loop reads a labelled-example JSONL (predictions exported as labels, with
``confidence``), orders every attribution that has a source by ascending
confidence (missing confidence first), and for each one shows its sentence(s)
with the source highlighted and asks for one answer:

* Enter or ``a``: accept; ``1``-``7``: set that type;
* ``s``: fix the source span (type the source's words as they stand in the
  sentence(s) shown; the occurrence nearest the old span is taken), then
  answer again for the same attribution;
* ``d``: not an attribution (delete it); ``u``: undo the last answer;
  ``q``: quit.

After every answer the corrected JSONL is saved in place (reviewed
attributions get ``label_source: "corrected"``) together with a progress
sidecar ``<path>.progress.json``: the reviewed keys
(``article_id#attribution_id``) and an answer log that makes undo work across
sessions. Both writes are atomic, the JSONL first, so an interruption loses
at most the answer being typed; a new run resumes where the last one stopped.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.text import Text

from claimcheck.data import (
    ATTRIBUTION_TYPES,
    Attribution,
    DataError,
    LabelledExample,
    load_examples,
    save_examples,
)
from claimcheck.files import atomic_write_text
from claimcheck.text import split_sentences

CORRECTED = "corrected"
_STYLES = {"source": "bold black on yellow", "cue": "bold cyan", "content": "green"}
_HELP = "Enter/a accept · 1-7 type · s fix source · d delete · u undo · q quit"


@dataclass
class LabelingResult:
    """Counts over every session on this file (the progress sidecar keeps them)."""

    accepted: int
    changed: int
    deleted: int
    remaining: int
    total: int = 0

    @property
    def reviewed(self) -> int:
        return self.accepted + self.changed + self.deleted


def progress_path(path: str | Path) -> Path:
    """The progress sidecar of a JSONL file: ``<path>.progress.json``."""
    path = Path(path)
    return path.with_name(path.name + ".progress.json")


def attribution_key(example: LabelledExample, att: Attribution) -> str:
    return f"{example.id}#{att.id}"


def context_window(text: str, att: Attribution) -> tuple[int, int]:
    """The sentence(s) an attribution touches, as ``(start, end)`` offsets."""
    spans = [r for role in ("source", "cue", "content") for r in att.ranges(role)]
    lo, hi = min(s for s, _ in spans), max(e for _, e in spans)
    touched = [s for s in split_sentences(text) if s.start < hi and s.end > lo]
    if not touched:
        return max(0, lo - 200), min(len(text), hi + 200)
    return min(lo, touched[0].start), max(hi, touched[-1].end)


def find_source(text: str, window: tuple[int, int], words: str, old: tuple[int, int] | None) -> tuple[int, int] | None:
    """The occurrence of ``words`` inside the window nearest the old source (exact case first, then any case)."""
    words = words.strip()
    if not words:
        return None
    lo, hi = window
    anchor = old[0] if old else lo
    for haystack, needle in ((text, words), (text.lower(), words.lower())):
        found = []
        i = haystack.find(needle, lo, hi)
        while i != -1:
            found.append(i)
            i = haystack.find(needle, i + 1, hi)
        if found:
            start = min(found, key=lambda s: (abs(s - anchor), s))
            return start, start + len(needle)
    return None


class _Session:
    def __init__(self, path: Path, console: Console) -> None:
        self.path = path
        self.sidecar = progress_path(path)
        self.console = console
        self.examples = load_examples(path)
        self.by_id: dict[str, LabelledExample] = {}
        for ex in self.examples:
            if ex.id in self.by_id:
                raise DataError(f"{path}: article id {ex.id!r} appears twice; attributions need unique keys")
            self.by_id[ex.id] = ex
        self.rank: dict[str, tuple] = {}
        for a, ex in enumerate(self.examples):
            seen: set[str] = set()
            for b, att in enumerate(ex.attributions):
                if att.id in seen:
                    raise DataError(f"{path}: article {ex.id!r} has two attributions with id {att.id!r}")
                seen.add(att.id)
                if att.source:
                    self.rank[attribution_key(ex, att)] = _rank(att, a, b)
        self.queue = sorted(self.rank, key=self.rank.__getitem__)
        self.reviewed: list[str] = []
        self.log: list[dict[str, Any]] = []
        self.dirty = False
        self._load_progress()
        # keys deleted in an earlier session: reviewed, but no longer in the file
        queued = set(self.queue)
        last_done = {e["key"]: e["action"] for e in self.log if e.get("done")}
        self.gone = [k for k in self.reviewed if k not in queued and last_done.get(k) == "delete"]

    # ------------------------------------------------------------------ state

    def _load_progress(self) -> None:
        if not self.sidecar.exists():
            return
        try:
            data = json.loads(self.sidecar.read_text(encoding="utf-8"))
            reviewed, log = data["reviewed"], data.get("log", [])
            if not isinstance(reviewed, list) or not isinstance(log, list):
                raise TypeError
            for entry in log:
                if not (
                    isinstance(entry.get("key"), str)
                    and isinstance(entry.get("position"), int)
                    and isinstance(entry.get("before"), dict)
                ):
                    raise TypeError
        except (json.JSONDecodeError, KeyError, TypeError, AttributeError):
            raise DataError(f"{self.sidecar}: not a claimcheck progress file (delete it to start over)") from None
        self.reviewed = [str(k) for k in reviewed]
        self.log = log

    def save(self) -> None:
        """The JSONL first, then the sidecar: a crash between them re-shows one corrected item, never loses one."""
        self.dirty = True
        save_examples(self.path, self.examples)
        atomic_write_text(self.sidecar, self._progress_json())
        self.dirty = False

    def _progress_json(self) -> str:
        """``{"file", "reviewed", "log"}`` with one key or log entry a line (readable, diffable)."""

        def dump(v: Any) -> str:
            return json.dumps(v, ensure_ascii=False)

        def block(items: list) -> str:
            return "[]" if not items else "[\n" + ",\n".join(f"  {dump(v)}" for v in items) + "\n ]"

        return f'{{\n "file": {dump(self.path.name)},\n "reviewed": {block(self.reviewed)},\n "log": {block(self.log)}\n}}\n'

    @property
    def total(self) -> int:
        return len(self.queue) + len(self.gone)

    def lookup(self, key: str) -> tuple[LabelledExample, int] | None:
        article_id, _, att_id = key.rpartition("#")
        ex = self.by_id.get(article_id)
        if ex is None:
            return None
        for i, att in enumerate(ex.attributions):
            if att.id == att_id:
                return ex, i
        return None

    def pending(self) -> list[str]:
        done = set(self.reviewed)
        return [k for k in self.queue if k not in done]

    def result(self) -> LabelingResult:
        first: dict[str, dict[str, Any]] = {}
        for entry in self.log:
            first.setdefault(entry["key"], entry["before"])
        accepted = changed = deleted = 0
        counted = set(self.queue) | set(self.gone)
        for key in self.reviewed:
            if key not in counted:
                continue
            found = self.lookup(key)
            if found is None:
                deleted += 1
                continue
            ex, i = found
            now, before = ex.attributions[i], first.get(key)
            if before is not None and (
                now.type != before.get("type")
                or [list(r) for r in now.source] != [list(r) for r in before.get("source", [])]
            ):
                changed += 1
            else:
                accepted += 1
        return LabelingResult(accepted, changed, deleted, len(self.pending()), self.total)

    # ------------------------------------------------------------------ answers

    def record(self, key: str, action: str, done: bool) -> None:
        ex, i = self.lookup(key)  # type: ignore[misc]
        self.log.append(
            {"key": key, "action": action, "done": done, "position": i, "before": ex.attributions[i].to_dict()}
        )

    def finish(self, key: str, action: str, att: Attribution | None) -> None:
        """Apply a final answer (``att`` None deletes) and mark the key reviewed."""
        self.record(key, action, done=True)
        ex, i = self.lookup(key)  # type: ignore[misc]
        if att is None:
            del ex.attributions[i]
        else:
            ex.attributions[i] = att.model_copy(update={"label_source": CORRECTED})
        self.reviewed.append(key)
        self.save()

    def undo(self) -> str | None:
        """Take back the last answer; returns the key to show again."""
        if not self.log:
            return None
        entry = self.log.pop()
        key = entry["key"]
        ex = self.by_id.get(key.rpartition("#")[0])
        if ex is None:  # a stale entry from another file: forget it
            if key in self.reviewed:
                self.reviewed.remove(key)
            self.save()
            return None
        before = Attribution.from_dict(entry["before"])
        found = self.lookup(key)
        if found is None:
            position = min(entry["position"], len(ex.attributions))
            ex.attributions.insert(position, before)
            if key in self.gone:  # deleted in an earlier session: back in the queue
                self.gone.remove(key)
                self.rank[key] = _rank(before, self.examples.index(ex), position)
                self.queue = sorted([*self.queue, key], key=self.rank.__getitem__)
        else:
            ex.attributions[found[1]] = before
        if entry["done"] and key in self.reviewed:
            self.reviewed.remove(key)
        self.save()
        return key

    # ------------------------------------------------------------------ display

    def show(self, key: str, position: int, total: int) -> tuple[int, int]:
        ex, i = self.lookup(key)  # type: ignore[misc]
        att = ex.attributions[i]
        lo, hi = context_window(ex.text, att)
        body = Text(ex.text[lo:hi])
        for role in ("content", "cue", "source"):
            for s, e in att.ranges(role):
                body.stylize(_STYLES[role], max(s, lo) - lo, min(e, hi) - lo)
        conf = "—" if att.confidence is None else f"{att.confidence:.2f}"
        c = self.console
        c.rule(f"[bold]{position}/{total}[/]  {ex.id} · {att.id}")
        c.print(body)
        c.print(Text.assemble(("source  ", "dim"), (att.text_of("source", ex.text), _STYLES["source"])))
        c.print(Text.assemble(("cue     ", "dim"), (att.text_of("cue", ex.text) or "—", _STYLES["cue"])))
        c.print(Text.assemble(("content ", "dim"), (att.text_of("content", ex.text) or "—", _STYLES["content"])))
        c.print(Text.assemble(("type    ", "dim"), (att.type or "—", "bold"), ("   confidence ", "dim"), conf))
        numbered = [f"{n} {t}" for n, t in enumerate(ATTRIBUTION_TYPES, start=1)]
        c.print(Text("  ".join(numbered[:4]) + "\n" + "  ".join(numbered[4:]), style="dim"))
        c.print(Text(_HELP, style="dim"))
        return lo, hi


def _rank(att: Attribution, article: int, index: int) -> tuple:
    """Most uncertain first: missing confidence, then ascending confidence, then file order."""
    return (att.confidence is not None, att.confidence or 0.0, article, index)


def _ask(input_fn: Callable[[str], str], prompt: str) -> str:
    return input_fn(prompt)


def run_labeling(
    path: str | Path, input_fn: Callable[[str], str] = input, console: Console | None = None
) -> LabelingResult:
    """Review the attributions of a labelled JSONL in place; see the module docstring.

    ``input_fn`` is called with a prompt and returns one answer (``input`` by
    default; tests pass a scripted one). KeyboardInterrupt and EOFError from
    it end the loop after saving; the next run resumes.

    Raises:
        DataError: a malformed JSONL or progress file, or duplicate keys.
    """
    path = Path(path)
    console = console or Console(highlight=False)
    session = _Session(path, console)
    pending = session.pending()
    total = session.total
    if not total:
        console.print("No attributions with a source to review.")
        return session.result()
    if len(pending) < total:
        console.print(f"Resuming: {total - len(pending)} of {total} reviewed, {len(pending)} remain.")
    else:
        console.print(f"{total} attributions to review, most uncertain first.")
    current: str | None = None
    try:
        while True:
            if current is None or session.lookup(current) is None or current in session.reviewed:
                pending = session.pending()
                if not pending:
                    console.print(f"All {total} attributions reviewed.")
                    if not session.log or _ask(input_fn, "u to undo the last answer, Enter to finish: ").strip() != "u":
                        break
                    current = session.undo()
                    console.print("undone" if current else "Nothing to undo.")
                    continue
                current = pending[0]
            ex, i = session.lookup(current)  # type: ignore[misc]
            window = session.show(current, total - len(session.pending()) + 1, total)
            answer = _ask(input_fn, "> ").strip().lower()
            if answer in ("", "a"):
                session.finish(current, "accept", ex.attributions[i])
            elif answer.isdigit() and 1 <= int(answer) <= len(ATTRIBUTION_TYPES):
                new_type = ATTRIBUTION_TYPES[int(answer) - 1]
                session.finish(current, "type", ex.attributions[i].model_copy(update={"type": new_type}))
                console.print(f"type → {new_type}")
            elif answer == "s":
                att = ex.attributions[i]
                while True:
                    words = _ask(input_fn, "source text (Enter to keep): ")
                    if not words.strip():
                        break
                    span = find_source(ex.text, window, words, att.extent("source"))
                    if span is None:
                        console.print(f"{words.strip()!r} is not in the sentence(s) shown; type it as it stands there.")
                        continue
                    session.record(current, "source", done=False)
                    ex.attributions[i] = att.model_copy(update={"source": [span]})
                    session.save()
                    console.print(Text.assemble("source → ", (ex.text[span[0] : span[1]], _STYLES["source"])))
                    break
            elif answer == "d":
                session.finish(current, "delete", None)
                console.print("deleted")
            elif answer == "u":
                key = session.undo()
                if key is None:
                    console.print("Nothing to undo.")
                else:
                    console.print("undone")
                    current = key
            elif answer == "q":
                break
            else:
                console.print(f"Unknown answer {answer!r}. {_HELP}")
    except (KeyboardInterrupt, EOFError):
        console.print()
    if session.dirty:  # interrupted while saving: write again
        session.save()
    result = session.result()
    console.print(
        f"accepted {result.accepted}, changed {result.changed}, deleted {result.deleted}; {result.remaining} remain."
    )
    return result
