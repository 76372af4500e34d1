"""Label Studio JSON for span labelling: export examples as tasks, import annotations back.

One task per article. Each piece of a span is a ``labels`` region of the
``role`` control (Source, Cue or Content); the pieces of one attribution are
linked by ``relation`` results from the cue (``cue -> source`` labelled
``source``, ``cue -> content`` labelled ``content``; the later pieces of a
discontinuous span hang on its first piece, labelled ``continues``; with no
cue, ``source -> content``). The attribution type and quality are per-region
results (``choices`` of the ``type`` control, ``rating`` of the ``quality``
control) on the first source region (on the cue, then the content, where there
is no source): they carry that region's ``id`` and repeat its ``start``,
``end`` and ``text``, which is how Label Studio attaches per-region answers.
A prediction's confidence goes in each of its regions' ``value.score``.

The labelling config that matches this JSON is ``configs/label-studio.xml``.

Offsets are Python ``str`` indices. Label Studio's come from JavaScript strings
and may count UTF-16 code units, which differ only after characters outside
the Basic Multilingual Plane (emoji); the importer accepts either where the
region's ``text`` tells which one was meant. The exporter writes Python
indices.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal

from pydantic import ValidationError

from claimcheck.data import ATTRIBUTION_TYPES, ROLES, Attribution, DataError, LabelledExample
from claimcheck.files import atomic_write_text

#: Names shared with ``configs/label-studio.xml``.
ROLE_CONTROL = "role"
TYPE_CONTROL = "type"
QUALITY_CONTROL = "quality"
TEXT_OBJECT = "text"
TEXT_FIELD = "text"  # the task data key: <Text value="$text">
ROLE_LABELS = {"source": "Source", "cue": "Cue", "content": "Content"}
RELATION_LABELS = ("source", "content", "continues")
MAX_RATING = 5

_LABEL_ROLES = {v: k for k, v in ROLE_LABELS.items()}

Use = Literal["annotations", "predictions"]


# --------------------------------------------------------------------------- export


def _region(rid: str, text: str, start: int, end: int, label: str, score: float | None) -> dict[str, Any]:
    value: dict[str, Any] = {"start": start, "end": end, "text": text[start:end], "labels": [label]}
    if score is not None:
        value["score"] = score
    return {
        "id": rid,
        "from_name": ROLE_CONTROL,
        "to_name": TEXT_OBJECT,
        "type": "labels",
        "value": value,
    }


def _relation(from_id: str, to_id: str, label: str) -> dict[str, Any]:
    return {"type": "relation", "from_id": from_id, "to_id": to_id, "direction": "right", "labels": [label]}


def _per_region(region: dict[str, Any], control: str, kind: str, answer: dict[str, Any]) -> dict[str, Any]:
    value = {k: region["value"][k] for k in ("start", "end", "text")}
    value.update(answer)
    return {"id": region["id"], "from_name": control, "to_name": TEXT_OBJECT, "type": kind, "value": value}


def _attribution_results(att: Attribution, prefix: str, text: str) -> list[dict[str, Any]]:
    regions: dict[str, list[dict[str, Any]]] = {}
    for role in ROLES:
        regions[role] = [
            _region(f"{prefix}-{role}-{j}", text, s, e, ROLE_LABELS[role], att.confidence)
            for j, (s, e) in enumerate(att.ranges(role))
        ]
    results = [r for role in ROLES for r in regions[role]]
    hub = regions["cue"][0] if regions["cue"] else None
    for role in ROLES:
        pieces = regions[role]
        if not pieces:
            continue
        if hub is not None and role != "cue":
            results.append(_relation(hub["id"], pieces[0]["id"], role))
        results.extend(_relation(pieces[0]["id"], p["id"], "continues") for p in pieces[1:])
    if hub is None and regions["source"] and regions["content"]:
        results.append(_relation(regions["source"][0]["id"], regions["content"][0]["id"], "content"))
    carrier = next((regions[r][0] for r in ("source", "cue", "content") if regions[r]), None)
    if carrier is not None:
        if att.type is not None:
            results.append(_per_region(carrier, TYPE_CONTROL, "choices", {"choices": [att.type]}))
        if att.quality is not None:
            results.append(_per_region(carrier, QUALITY_CONTROL, "rating", {"rating": att.quality}))
    return results


def to_labelstudio(
    examples: Iterable[LabelledExample], use: Use = "annotations", model_version: str | None = None
) -> list[dict[str, Any]]:
    """Label Studio tasks, one per article, the attributions under ``use``.

    ``data`` holds ``text``, ``id`` and (when not empty) ``meta``. Attributions
    with no span are left out. With ``use="predictions"`` the prediction's
    ``score`` is the lowest attribution confidence, so Label Studio can sort
    tasks most uncertain first.
    """
    if use not in ("annotations", "predictions"):
        raise ValueError(f"use must be 'annotations' or 'predictions', not {use!r}")
    tasks = []
    for ex in examples:
        results: list[dict[str, Any]] = []
        seen: set[str] = set()
        for i, att in enumerate(ex.attributions):
            prefix = att.id if att.id not in seen else f"{att.id}~{i}"
            seen.add(prefix)
            results.extend(_attribution_results(att, prefix, ex.text))
        entry: dict[str, Any] = {"result": results}
        if use == "predictions":
            if model_version is not None:
                entry["model_version"] = model_version
            confidences = [a.confidence for a in ex.attributions if a.confidence is not None]
            if confidences:
                entry["score"] = min(confidences)
        data: dict[str, Any] = {TEXT_FIELD: ex.text, "id": ex.id}
        if ex.meta:
            data["meta"] = ex.meta
        tasks.append({"data": data, use: [entry]})
    return tasks


def write_labelstudio(
    path: str | Path, examples: Iterable[LabelledExample], use: Use = "annotations", model_version: str | None = None
) -> None:
    """Write tasks as a Label Studio JSON import file (atomically)."""
    tasks = to_labelstudio(examples, use=use, model_version=model_version)
    atomic_write_text(path, json.dumps(tasks, ensure_ascii=False, indent=1) + "\n")


# --------------------------------------------------------------------------- import


class _Regions:
    """The span regions of one annotation: id -> (role, ranges), plus the per-region answers."""

    def __init__(self) -> None:
        self.role: dict[str, str] = {}
        self.ranges: dict[str, list[tuple[int, int]]] = {}
        self.order: list[str] = []
        self.type: dict[str, str] = {}
        self.quality: dict[str, int] = {}
        self.score: dict[str, float] = {}
        self.links: dict[str, set[str]] = {}


def _utf16_to_index(text: str, unit: int) -> int | None:
    """The ``str`` index at a UTF-16 offset, or None if the offset falls inside a surrogate pair."""
    units = 0
    for i, ch in enumerate(text):
        if units == unit:
            return i
        units += 2 if ord(ch) > 0xFFFF else 1
        if units > unit:
            return None
    return len(text) if units == unit else None


def _offsets(value: dict[str, Any], text: str, where: str) -> tuple[int, int]:
    start, end = value.get("start"), value.get("end")
    for name, v in (("start", start), ("end", end)):
        if not isinstance(v, int) or isinstance(v, bool):
            raise DataError(f"{where}.value.{name}: expected a whole number of characters, got {v!r}")
    assert isinstance(start, int) and isinstance(end, int)
    if not 0 <= start < end:
        raise DataError(f"{where}.value: range [{start}, {end}] must have 0 <= start < end")
    said = value.get("text")
    if end > len(text) or (isinstance(said, str) and text[start:end] != said):
        # Label Studio counts UTF-16 code units: accept those offsets where the region's text confirms them
        s16, e16 = _utf16_to_index(text, start), _utf16_to_index(text, end)
        if isinstance(said, str) and s16 is not None and e16 is not None and text[s16:e16] == said:
            return s16, e16
        if end > len(text):
            raise DataError(f"{where}.value.end: {end} is beyond the text's {len(text)} characters")
        raise DataError(f"{where}.value.text: {said!r} is not the text at [{start}, {end}] ({text[start:end]!r})")
    return start, end


def _one_label(value: dict[str, Any], key: str, where: str) -> Any:
    got = value.get(key)
    if not isinstance(got, list) or len(got) != 1:
        raise DataError(f"{where}.value.{key}: expected a list of one value, got {got!r}")
    return got[0]


def _read_results(result: Any, text: str, where: str) -> _Regions:
    if not isinstance(result, list):
        raise DataError(f"{where}.result: expected a list of results")
    regions = _Regions()
    answers: list[tuple[str, dict[str, Any]]] = []
    relations: list[tuple[str, dict[str, Any]]] = []
    for k, item in enumerate(result):
        here = f"{where}.result[{k}]"
        if not isinstance(item, dict):
            raise DataError(f"{here}: expected a JSON object")
        kind = item.get("type")
        if kind == "relation":
            relations.append((here, item))
            continue
        value = item.get("value")
        if kind in ("labels", "choices", "rating") and not isinstance(value, dict):
            raise DataError(f"{here}.value: expected a JSON object")
        rid = item.get("id")
        if kind == "labels" and item.get("from_name") == ROLE_CONTROL:
            if not isinstance(rid, str) or not rid:
                raise DataError(f"{here}.id: a region needs a string id")
            label = _one_label(value, "labels", here)
            if label not in _LABEL_ROLES:
                raise DataError(
                    f"{here}.value.labels: unknown label {label!r}; expected one of {', '.join(ROLE_LABELS.values())}"
                )
            if rid in regions.role:
                raise DataError(f"{here}.id: region id {rid!r} is used twice")
            regions.role[rid] = _LABEL_ROLES[label]
            regions.ranges[rid] = [_offsets(value, text, here)]
            regions.order.append(rid)
            regions.links[rid] = set()
            score = value.get("score", item.get("score"))
            if isinstance(score, int | float) and not isinstance(score, bool):
                if not 0.0 <= score <= 1.0:
                    raise DataError(f"{here}.value.score: {score} is not between 0 and 1")
                regions.score[rid] = float(score)
        elif item.get("from_name") in (TYPE_CONTROL, QUALITY_CONTROL) and kind in ("choices", "rating"):
            answers.append((here, item))
    for here, item in answers:
        rid = item.get("id")
        if rid not in regions.role:
            raise DataError(f"{here}.id: per-region {item['from_name']} refers to no Source/Cue/Content region {rid!r}")
        value = item["value"]
        if item["from_name"] == TYPE_CONTROL:
            if item["type"] != "choices":
                raise DataError(f"{here}.type: the type control gives 'choices', not {item['type']!r}")
            choice = _one_label(value, "choices", here)
            if choice not in ATTRIBUTION_TYPES:
                raise DataError(
                    f"{here}.value.choices: unknown type {choice!r}; expected one of {', '.join(ATTRIBUTION_TYPES)}"
                )
            regions.type[rid] = choice
        else:
            if item["type"] == "rating":
                rating = value.get("rating")
            else:  # quality as Choices "1".."5"
                rating = _one_label(value, "choices", here)
                rating = int(rating) if isinstance(rating, str) and rating.isascii() and rating.isdigit() else rating
            if not isinstance(rating, int) or isinstance(rating, bool) or not 1 <= rating <= MAX_RATING:
                raise DataError(f"{here}.value: quality {rating!r} is not a whole number from 1 to {MAX_RATING}")
            regions.quality[rid] = rating
    for here, item in relations:
        a, b = item.get("from_id"), item.get("to_id")
        for name, rid in (("from_id", a), ("to_id", b)):
            if rid not in regions.role:
                raise DataError(f"{here}.{name}: relation refers to no Source/Cue/Content region {rid!r}")
        assert isinstance(a, str) and isinstance(b, str)
        regions.links[a].add(b)
        regions.links[b].add(a)
    return regions


def _component(start: Iterable[str], links: dict[str, set[str]], allowed) -> list[str]:
    seen: list[str] = []
    stack = list(start)
    done: set[str] = set()
    while stack:
        rid = stack.pop()
        if rid in done:
            continue
        done.add(rid)
        seen.append(rid)
        stack.extend(n for n in links[rid] if n not in done and allowed(n))
    return seen


def _group(regions: _Regions) -> list[list[str]]:
    """Attributions as lists of region ids.

    Cue regions linked to each other are one (discontinuous) cue; each cue
    makes an attribution with every Source/Content region it reaches without
    passing another cue (so a source shared by two cues belongs to both).
    Source/Content regions that no cue reaches make cueless attributions, one
    per linked group.
    """
    is_cue = lambda rid: regions.role[rid] == "cue"  # noqa: E731
    groups: list[list[str]] = []
    reached: set[str] = set()
    cues_done: set[str] = set()
    for rid in regions.order:
        if not is_cue(rid) or rid in cues_done:
            continue
        cue = _component([rid], regions.links, is_cue)
        cues_done.update(cue)
        members = _component(cue, regions.links, lambda n, cue=cue: n in cue or not is_cue(n))
        reached.update(members)
        groups.append(members)
    for rid in regions.order:
        if rid in reached or is_cue(rid):
            continue
        members = _component([rid], regions.links, lambda n: not is_cue(n))
        reached.update(members)
        groups.append(members)
    rank = {rid: i for i, rid in enumerate(regions.order)}
    return sorted((sorted(g, key=rank.__getitem__) for g in groups), key=lambda g: rank[g[0]])


def _attribution_id(members: list[str], regions: _Regions, used: set[str]) -> str:
    """The exporter's id where the region ids carry it (``<id>-<role>-<n>``), else ``ls<n>``."""
    prefixes = set()
    for rid in members:
        head, _, tail = rid.rpartition("-")
        base, _, role = head.rpartition("-")
        if not (tail.isdigit() and role in ROLES and base):
            break
        prefixes.add(base.split("~", 1)[0])
    else:
        if len(prefixes) == 1 and (candidate := prefixes.pop()) not in used:
            return candidate
    n = len(used) + 1
    while f"ls{n}" in used:
        n += 1
    return f"ls{n}"


def _one_value(values: dict[str, Any], members: list[str], what: str, where: str) -> Any:
    found = {values[rid] for rid in members if rid in values}
    if len(found) > 1:
        raise DataError(f"{where}: one attribution has several {what} values: {sorted(found)}")
    return found.pop() if found else None


def _annotation(task: dict[str, Any], use: Use, where: str) -> tuple[dict[str, Any] | None, str]:
    entries = task.get(use)
    if entries is None:
        return None, where
    if not isinstance(entries, list):
        raise DataError(f"{where}.{use}: expected a list")
    for j, entry in enumerate(entries):
        if not isinstance(entry, dict):
            raise DataError(f"{where}.{use}[{j}]: expected a JSON object")
        if entry.get("was_cancelled"):
            continue
        return entry, f"{where}.{use}[{j}]"
    return None, where


def from_labelstudio(tasks: Iterable[Any], use: Use = "annotations") -> list[LabelledExample]:
    """Labelled examples from Label Studio tasks (the first non-cancelled entry of ``use``).

    Tasks without such an entry (not labelled yet) are skipped. The article id
    is ``data.id``, else the Label Studio task ``id``. Attributions keep the
    exporter's ids where the region ids carry them.

    Raises:
        DataError: naming the task index and the field, for bad offsets,
            unknown labels, types or ratings, and dangling relations.
    """
    if use not in ("annotations", "predictions"):
        raise ValueError(f"use must be 'annotations' or 'predictions', not {use!r}")
    examples = []
    for i, task in enumerate(tasks):
        where = f"tasks[{i}]"
        if not isinstance(task, dict):
            raise DataError(f"{where}: expected a JSON object")
        data = task.get("data")
        if not isinstance(data, dict):
            raise DataError(f"{where}.data: expected a JSON object")
        text = data.get(TEXT_FIELD)
        if not isinstance(text, str):
            raise DataError(f"{where}.data.{TEXT_FIELD}: expected the article text as a string")
        entry, at = _annotation(task, use, where)
        if entry is None:
            continue
        regions = _read_results(entry.get("result", []), text, at)
        attributions = []
        used: set[str] = set()
        for members in _group(regions):
            spans: dict[str, list[tuple[int, int]]] = {role: [] for role in ROLES}
            for rid in members:
                spans[regions.role[rid]].extend(regions.ranges[rid])
            aid = _attribution_id(members, regions, used)
            used.add(aid)
            try:
                attributions.append(
                    Attribution(
                        id=aid,
                        **{role: sorted(set(r)) for role, r in spans.items()},
                        type=_one_value(regions.type, members, "type", at),
                        quality=_one_value(regions.quality, members, "quality", at),
                        confidence=min((regions.score[r] for r in members if r in regions.score), default=None),
                    )
                )
            except ValidationError as err:
                raise DataError(f"{at}: attribution {aid}: {err.errors()[0]['msg']}") from None
        article_id = data.get("id", task.get("id", f"task{i}"))
        meta = data.get("meta", {})
        if not isinstance(meta, dict):
            raise DataError(f"{where}.data.meta: expected a JSON object")
        try:
            examples.append(LabelledExample(id=str(article_id), text=text, meta=meta, attributions=attributions))
        except ValidationError as err:
            raise DataError(f"{where}: {err.errors()[0]['msg']}") from None
    return examples


def read_labelstudio(path: str | Path, use: Use = "annotations") -> list[LabelledExample]:
    """Read a Label Studio JSON export (a list of tasks, or one task)."""
    path = Path(path)
    try:
        tasks = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as err:
        raise DataError(f"{path}: not valid JSON ({err.msg}, line {err.lineno})") from None
    if isinstance(tasks, dict):
        tasks = [tasks]
    if not isinstance(tasks, list):
        raise DataError(f"{path}: expected a JSON list of tasks")
    try:
        return from_labelstudio(tasks, use=use)
    except DataError as err:
        raise DataError(f"{path}: {err}") from None
