"""Correct predicted attributions one at a time, most consequential first (behind ``claimcheck label``).

The loop reads a labelled-example JSONL (predictions exported as labels, with
``confidence`` and ``quality``), orders every attribution that has a source
(:class:`ReviewOrder`: by consequence, the default, or by ascending confidence),
and for each one shows its sentence(s) with the source, cue and content
highlighted, its type and quality, and reads one key (no Enter needed):

* Enter or ``a``: accept; ``1``-``6``: set that type and go on (the quality
  follows the type's codebook default unless it was set by hand);
* ``r`` then ``1``-``5``: set the quality by hand;
* ``s``, ``c``, ``o``: re-span the source, cue or content (type its words as
  they stand in the sentence(s) shown; the occurrence nearest the old span is
  taken);
* ``n``: add an attribution the model missed in this article (its source,
  cue and content words, then its type);
* ``d``: not an attribution (delete it); ``u``: undo the last answer or edit;
  ``q``: quit. Ctrl-C also quits, after saving.

``unattributed`` (a claim with no source) is not offered for an attribution
with a source; a prediction of it must be given a type or deleted.

After every answer or edit the corrected JSONL is saved in place (reviewed
attributions get ``label_source: "corrected"``) together with a progress
sidecar ``<path>.progress.json``: the reviewed keys
(``article_id#attribution_id``) and an answer log that makes undo work across
sessions. Both writes are atomic, the JSONL first, so an interruption loses
at most the answer being typed; a new run resumes where the last one stopped.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.text import Text

from claimcheck.data import (
    ATTRIBUTION_TYPES,
    ROLES,
    Attribution,
    DataError,
    LabelledExample,
    load_examples,
    save_examples,
)
from claimcheck.files import atomic_write_text
from claimcheck.keys import KeyFn, default_keys
from claimcheck.outputs import check_output, check_writable
from claimcheck.review_order import (
    ORDER_WORDS,
    ReviewOrder,
    context_window,
    default_quality,
    review_rank,
    why_early,
)

CORRECTED = "corrected"
UNATTRIBUTED = "unattributed"
#: The types a sourced attribution can take, keys 1-6 in the codebook's order.
SOURCE_TYPES: tuple[str, ...] = tuple(t for t in ATTRIBUTION_TYPES if t != UNATTRIBUTED)
ROLE_KEYS = {"s": "source", "c": "cue", "o": "content"}
_STYLES = {"source": "bold black on yellow", "cue": "bold cyan", "content": "green"}
_HELP = "Enter/a accept · 1-6 type · r quality · s/c/o re-span source/cue/content · n add · d delete · u undo · q quit"
# the fields whose change makes an answer count as "changed" rather than "accepted"
_COMPARED = ("type", "quality", *ROLES)

__all__ = ["LabelingResult", "ReviewOrder", "find_span", "progress_path", "run_labeling"]


@dataclass
class LabelingResult:
    """Counts over every session on this file (the progress sidecar keeps them)."""

    accepted: int
    changed: int
    deleted: int
    remaining: int
    total: int = 0
    added: int = 0
    interrupted: bool = False  # ended by Ctrl-C

    @property
    def reviewed(self) -> int:
        return self.accepted + self.changed + self.deleted + self.added

    def summary(self) -> str:
        """One line for the end of a session."""
        return (
            f"reviewed {self.reviewed} of {self.total}: {self.accepted} accepted, {self.changed} changed, "
            f"{self.deleted} deleted, {self.added} added; {self.remaining} remain."
        )


def progress_path(path: str | Path) -> Path:
    """The progress sidecar of a JSONL file: ``<path>.progress.json``."""
    path = Path(path)
    return path.with_name(path.name + ".progress.json")


def attribution_key(example: LabelledExample, att: Attribution) -> str:
    return f"{example.id}#{att.id}"


def find_span(text: str, window: tuple[int, int], words: str, anchor: int | None) -> tuple[int, int] | None:
    """The occurrence of ``words`` inside the window nearest ``anchor`` (exact case first, then any case)."""
    words = words.strip()
    if not words:
        return None
    lo, hi = window
    anchor = lo if anchor is None else anchor
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


# --------------------------------------------------------------------------- the file and its progress


class _Session:
    def __init__(self, path: Path, console: Console, order: ReviewOrder = ReviewOrder.consequence) -> None:
        self.path = path
        self.order = ReviewOrder(order)
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
                    self.rank[attribution_key(ex, att)] = self.rank_of(ex, att, a, b)
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

    def rank_of(self, ex: LabelledExample, att: Attribution, article: int, index: int) -> tuple:
        """The attribution's place in the queue, by the session's order (lowest first)."""
        return review_rank(self.order, ex, att, article, index)

    def _load_progress(self) -> None:
        if not self.sidecar.exists():
            return
        try:
            data = json.loads(self.sidecar.read_text(encoding="utf-8"))
            reviewed, log = data["reviewed"], data.get("log", [])
            if not isinstance(reviewed, list) or not isinstance(log, list):
                raise TypeError
            for entry in log:
                before = entry.get("before")
                if not (
                    isinstance(entry.get("key"), str)
                    and isinstance(entry.get("position"), int)
                    and (isinstance(before, dict) or (before is None and entry.get("action") == "add"))
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

    def get(self, key: str) -> tuple[LabelledExample, Attribution]:
        ex, i = self.lookup(key)  # type: ignore[misc]
        return ex, ex.attributions[i]

    def pending(self) -> list[str]:
        done = set(self.reviewed)
        return [k for k in self.queue if k not in done]

    def hand_quality(self, key: str) -> bool:
        """Was this attribution's quality set by hand (an edit not undone, in any session)?"""
        return any(e["key"] == key and e["action"] == "quality" for e in self.log)

    def result(self) -> LabelingResult:
        first: dict[str, dict[str, Any]] = {}
        for entry in self.log:
            first.setdefault(entry["key"], entry)
        counts = {"accepted": 0, "changed": 0, "deleted": 0, "added": 0}
        counted = set(self.queue) | set(self.gone)
        for key in self.reviewed:
            if key not in counted:
                continue
            found, entry = self.lookup(key), first.get(key)
            if found is None:
                counts["deleted"] += 1
            elif entry is not None and entry["action"] == "add":
                counts["added"] += 1
            else:
                now = found[0].attributions[found[1]].to_dict()
                before = entry["before"] if entry else now
                same = all(_field(now, f) == _field(before, f) for f in _COMPARED)
                counts["accepted" if same else "changed"] += 1
        return LabelingResult(remaining=len(self.pending()), total=self.total, **counts)

    # ------------------------------------------------------------------ answers

    def record(self, key: str, action: str, done: bool) -> None:
        ex, i = self.lookup(key)  # type: ignore[misc]
        self.log.append(
            {"key": key, "action": action, "done": done, "position": i, "before": ex.attributions[i].to_dict()}
        )

    def edit(self, key: str, action: str, update: dict[str, Any]) -> Attribution:
        """Change the attribution without answering for it (it stays the current one)."""
        self.record(key, action, done=False)
        ex, i = self.lookup(key)  # type: ignore[misc]
        ex.attributions[i] = ex.attributions[i].model_copy(update=update)
        self.save()
        return ex.attributions[i]

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

    def add(self, ex: LabelledExample, att: Attribution) -> str:
        """A new attribution, in text order, reviewed at once; returns its key."""
        later = (i for i, a in enumerate(ex.attributions) if _start(a) > _start(att))
        position = next(later, len(ex.attributions))
        ex.attributions.insert(position, att)
        key = attribution_key(ex, att)
        self.rank[key] = self.rank_of(ex, att, self.examples.index(ex), position)
        self.queue = sorted([*self.queue, key], key=self.rank.__getitem__)
        self.log.append({"key": key, "action": "add", "done": True, "position": position, "before": None})
        self.reviewed.append(key)
        self.save()
        return key

    def undo(self) -> str | None:
        """Take back the last answer or edit; returns the key to show again (None: nothing to show)."""
        if not self.log:
            return None
        entry = self.log.pop()
        key = entry["key"]
        ex = self.by_id.get(key.rpartition("#")[0])
        found = self.lookup(key)
        if ex is None or entry["action"] == "add":  # a stale entry from another file, or an addition: drop it
            if ex is not None and found is not None:
                del ex.attributions[found[1]]
                self.queue.remove(key)
                self.rank.pop(key, None)
            if key in self.reviewed:
                self.reviewed.remove(key)
            self.save()
            return None
        before = Attribution.from_dict(entry["before"])
        if found is None:
            position = min(entry["position"], len(ex.attributions))
            ex.attributions.insert(position, before)
            if key in self.gone:  # deleted in an earlier session: back in the queue
                self.gone.remove(key)
                self.rank[key] = self.rank_of(ex, before, self.examples.index(ex), position)
                self.queue = sorted([*self.queue, key], key=self.rank.__getitem__)
        else:
            ex.attributions[found[1]] = before
        if entry["done"] and key in self.reviewed:
            self.reviewed.remove(key)
        self.save()
        return key

    # ------------------------------------------------------------------ display

    def show(self, key: str, position: int, total: int) -> tuple[int, int]:
        ex, att = self.get(key)
        lo, hi = context_window(ex.text, att)
        body = Text(ex.text[lo:hi])
        for role in ("content", "cue", "source"):
            for s, e in att.ranges(role):
                body.stylize(_STYLES[role], max(s, lo) - lo, min(e, hi) - lo)
        c = self.console
        c.rule(f"[bold]{position}/{total}[/]  {ex.id} · {att.id}")
        c.print(body)
        for role in ROLES:
            c.print(Text.assemble((f"{role:<8}", "dim"), (att.text_of(role, ex.text) or "—", _STYLES[role])))
        c.print(self._type_line(key, att))
        if self.order is ReviewOrder.consequence and (why := why_early(ex, att)):
            c.print(Text(f"shown early: {why}", style="bold magenta"))
        numbered = [f"{n} {t}" for n, t in enumerate(SOURCE_TYPES, start=1)]
        c.print(Text("  ".join(numbered[:3]) + "\n" + "  ".join(numbered[3:]), style="dim"))
        c.print(Text(_HELP, style="dim"))
        return lo, hi

    def _type_line(self, key: str, att: Attribution) -> Text:
        conf = "—" if att.confidence is None else f"{att.confidence:.2f}"
        quality = "—" if att.quality is None else f"{att.quality}" + (" (by hand)" if self.hand_quality(key) else "")
        line = Text.assemble(
            ("type    ", "dim"),
            (att.type or "—", "bold"),
            ("   quality ", "dim"),
            quality,
            ("   confidence ", "dim"),
            conf,
        )
        if att.type == UNATTRIBUTED and att.source:
            line.append("\n" + _NO_UNATTRIBUTED, style="bold red")
        return line


_NO_UNATTRIBUTED = "unattributed is for a claim with no source: pick a type 1-6, or d if this is not an attribution."


def _field(data: dict[str, Any], name: str) -> Any:
    value = data.get(name)
    return [list(r) for r in value] if name in ROLES and value else value


def _start(att: Attribution) -> int:
    return min((s for role in ROLES for s, _ in att.ranges(role)), default=0)


def _new_id(ex: LabelledExample, known_keys: list[str]) -> str:
    """``N1``, ``N2``, ...: an id no attribution of the article has, nor had (a deleted one's key stays in the log)."""
    ids = {a.id for a in ex.attributions} | {k.rpartition("#")[2] for k in known_keys if k.rpartition("#")[0] == ex.id}
    return next(f"N{n}" for n in range(1, len(ids) + 2) if f"N{n}" not in ids)


# --------------------------------------------------------------------------- the loop


class _Loop:
    """One answer a step: pick the attribution, show it, read a key, act on it."""

    def __init__(self, session: _Session, console: Console, keys: KeyFn, lines: KeyFn) -> None:
        self.session, self.console, self.keys, self.lines = session, console, keys, lines
        self.current: str | None = None

    def run(self) -> None:
        while (key := self._next()) is not None:
            s = self.session
            window = s.show(key, s.total - len(s.pending()) + 1, s.total)
            if not self._answer(key, self.keys("> ").strip().lower(), window):
                return

    def _next(self) -> str | None:
        """The attribution to show: the current one while unanswered, else the next; None to stop."""
        s = self.session
        while self.current is None or s.lookup(self.current) is None or self.current in s.reviewed:
            pending = s.pending()
            if pending:
                self.current = pending[0]
                break
            self.console.print(f"All {s.total} attributions reviewed.")
            if not s.log or self.keys("u to undo the last answer, Enter to finish: ").strip().lower() != "u":
                return None
            self._undo(self.current)
        return self.current

    def _answer(self, key: str, answer: str, window: tuple[int, int]) -> bool:
        """Act on one key; False to quit."""
        if answer == "q":
            return False
        if answer.isdigit() and 1 <= int(answer) <= len(SOURCE_TYPES):
            self._set_type(key, SOURCE_TYPES[int(answer) - 1])
        elif answer in ("", "a"):
            self._accept(key)
        elif answer in ROLE_KEYS:
            self._respan(key, ROLE_KEYS[answer], window)
        elif answer == "n":
            self._add(key, window)
        elif answer in ("r", "d", "u"):
            {"r": self._quality, "d": self._delete, "u": self._undo}[answer](key)
        else:
            self.console.print(f"Unknown answer {answer!r}. {_HELP}")
        return True

    def _accept(self, key: str) -> None:
        att = self.session.get(key)[1]
        if att.type == UNATTRIBUTED and att.source:
            self.console.print(_NO_UNATTRIBUTED)
            return
        self.session.finish(key, "accept", att)

    def _set_type(self, key: str, new_type: str) -> None:
        att = self.session.get(key)[1]
        update: dict[str, Any] = {"type": new_type}
        if new_type != att.type and not self.session.hand_quality(key):
            update["quality"] = default_quality(new_type)
        self.session.finish(key, "type", att.model_copy(update=update))
        note = f", quality → {update['quality']}" if "quality" in update else ""
        self.console.print(f"type → {new_type}{note}")

    def _quality(self, key: str) -> None:
        answer = self.keys("quality 1-5 (Enter to keep): ").strip()
        if answer in {"1", "2", "3", "4", "5"}:
            self.session.edit(key, "quality", {"quality": int(answer)})
            self.console.print(f"quality → {answer}")
        elif answer:
            self.console.print(f"{answer!r} is not a quality; kept.")

    def _respan(self, key: str, role: str, window: tuple[int, int]) -> None:
        ex, att = self.session.get(key)
        old = att.extent(role) or att.extent("source")
        span = self._ask_span(ex.text, window, f"{role} text (Enter to keep): ", old and old[0])
        if span is not None:
            self.session.edit(key, role, {role: [span]})
            self.console.print(Text.assemble(f"{role} → ", (ex.text[span[0] : span[1]], _STYLES[role])))

    def _ask_span(self, text: str, window: tuple[int, int], prompt: str, anchor: int | None) -> tuple[int, int] | None:
        """Words typed by the user as a span inside the window; None when they answer Enter."""
        while True:
            words = self.lines(prompt)
            if not words.strip():
                return None
            span = find_span(text, window, words, anchor)
            if span is not None:
                return span
            self.console.print(f"{words.strip()!r} is not in the sentence(s) shown; type it as it stands there.")

    def _add(self, key: str, window: tuple[int, int]) -> None:
        """A missed attribution in this article: its words (searched in the whole article), then a type."""
        ex = self.session.get(key)[0]
        whole = (0, len(ex.text))
        self.console.print("New attribution: type each part's words as they stand in the article.")
        source = self._ask_span(ex.text, whole, "source (Enter to cancel): ", window[0])
        if source is None:
            return
        cue = self._ask_span(ex.text, whole, "cue (Enter for none): ", source[0])
        content = self._ask_span(ex.text, whole, "content (Enter for none): ", (cue or source)[0])
        while (answer := self.keys("type 1-6 (Enter to cancel): ").strip()) not in {"", "1", "2", "3", "4", "5", "6"}:
            self.console.print(f"{answer!r} is not a type.")
        if not answer:
            return
        att_type = SOURCE_TYPES[int(answer) - 1]
        att = Attribution(
            id=_new_id(ex, [*self.session.reviewed, *(e["key"] for e in self.session.log)]),
            source=[source],
            cue=[cue] if cue else [],
            content=[content] if content else [],
            type=att_type,
            quality=default_quality(att_type),
            label_source=CORRECTED,
        )
        self.session.add(ex, att)
        self.console.print(f"added {att.id}: {att_type}, quality {att.quality}")

    def _delete(self, key: str) -> None:
        self.session.finish(key, "delete", None)
        self.console.print("deleted")

    def _undo(self, key: str | None) -> None:
        if not self.session.log:
            self.console.print("Nothing to undo.")
            return
        shown = self.session.undo()
        self.console.print("undone")
        if shown is not None:
            self.current = shown


def run_labeling(
    path: str | Path,
    input_fn: KeyFn | None = None,
    console: Console | None = None,
    key_fn: KeyFn | None = None,
    order: ReviewOrder | str = ReviewOrder.consequence,
) -> LabelingResult:
    """Review the attributions of a labelled JSONL in place; see the module docstring.

    ``key_fn`` reads one answer key (a single key on a terminal, a line from a
    pipe); ``input_fn`` reads typed words (``input`` by default). Tests pass one
    scripted function as ``input_fn``, which then serves both. ``order``: which
    attributions come first (:class:`ReviewOrder`). KeyboardInterrupt
    (the result says ``interrupted``) and EOFError end the loop after saving;
    the next run resumes.

    Raises:
        DataError: a malformed JSONL or progress file, or duplicate keys.
        OutputError: a file that cannot be saved, or a progress file that is the JSONL itself.
    """
    console = console or Console(highlight=False)
    check_writable(path)  # saved in place after every answer: fail now, not at the first answer
    check_output(progress_path(path), [path])
    session = _Session(Path(path), console, ReviewOrder(order))
    total, pending = session.total, len(session.pending())
    if not total:
        console.print("No attributions with a source to review.")
        return session.result()
    if pending < total:
        console.print(f"Resuming: {total - pending} of {total} reviewed, {pending} remain.")
    else:
        console.print(f"{total} attributions to review, {ORDER_WORDS[session.order]}.")
    keys = key_fn or input_fn or default_keys()
    interrupted = False
    try:
        _Loop(session, console, keys, input_fn or input).run()
    except KeyboardInterrupt:
        interrupted = True
        console.print()
    except EOFError:
        console.print()
    if session.dirty:  # interrupted while saving: write again
        session.save()
    result = session.result()
    result.interrupted = interrupted
    return result
