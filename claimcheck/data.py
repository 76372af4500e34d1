"""The data model: labelled examples, attributions, claims and article reports.

Every span is a list of ``[start, end)`` character ranges into the article text
(Python ``str`` indices), so discontinuous PolNeAR spans survive unchanged. The
same :class:`Attribution` is used for labels and predictions: a prediction's
``to_dict()`` is a valid label once a person has corrected it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from functools import cached_property
from pathlib import Path
from typing import Any, Literal, get_args

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from claimcheck.errors import DataError

# re-exported: the old home of the atomic writer, still imported from here by scripts
from claimcheck.files import atomic_write_text as atomic_write_text
from claimcheck.files import open_output

AttributionType = Literal[
    "named_person",
    "named_organization",
    "anonymous",
    "publication",
    "document",
    "unnamed_group",
    "unattributed",
]
#: The seven codebook types, in the codebook's order.
ATTRIBUTION_TYPES: tuple[str, ...] = get_args(AttributionType)
#: The types whose source is named: the claims an editor can check against someone.
NAMED_TYPES: frozenset[str] = frozenset({"named_person", "named_organization", "publication", "document"})
ROLES: tuple[str, ...] = ("source", "cue", "content")
#: Whether a content is the source's own words: all of it in quotation marks, some of it,
#: or none (reported speech); decided by :func:`claimcheck.quotes.quote_kind`.
QuoteKind = Literal["direct", "partial", "indirect"]
QUOTE_KINDS: tuple[str, ...] = get_args(QuoteKind)

Ranges = list[tuple[int, int]]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=False)


class Reason(_Model):
    """Why a claim got its sourcing score: a stable code and a sentence for people."""

    code: str
    text: str
    weight: float = 0.0


class Attribution(_Model):
    """A source, cue and content, with the type of the source.

    Labels carry ``type``/``quality``; predictions add ``quote_kind``, ``confidence``,
    ``score``, ``reasons`` and ``resolved_source``.
    """

    id: str
    source: Ranges = Field(default_factory=list)
    cue: Ranges = Field(default_factory=list)
    content: Ranges = Field(default_factory=list)
    quote_kind: QuoteKind | None = None
    type: AttributionType | None = None
    quality: int | None = Field(default=None, ge=1, le=5)
    confidence: float | None = Field(default=None, ge=0.0, le=1.0)
    score: float | None = Field(default=None, ge=0.0, le=1.0)
    reasons: list[Reason] = Field(default_factory=list)
    resolved_source: str | None = None
    label_source: str | None = None

    @field_validator("source", "cue", "content")
    @classmethod
    def _ranges_ordered(cls, value: Ranges) -> Ranges:
        for start, end in value:
            if start < 0 or end <= start:
                raise ValueError(f"range [{start}, {end}] must have 0 <= start < end")
        return sorted(value)

    def to_dict(self) -> dict[str, Any]:
        data = self.model_dump(mode="json", exclude_none=True)
        if not data["reasons"]:
            del data["reasons"]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Attribution:
        return cls.model_validate(data)

    def ranges(self, role: str) -> Ranges:
        return getattr(self, role)

    def text_of(self, role: str, text: str) -> str:
        """The role's characters, pieces joined by a space."""
        return " ".join(text[s:e] for s, e in self.ranges(role))

    def extent(self, role: str) -> tuple[int, int] | None:
        ranges = self.ranges(role)
        if not ranges:
            return None
        return min(s for s, _ in ranges), max(e for _, e in ranges)


def reading_order(att: Attribution) -> tuple[int, int]:
    """Where an attribution starts for the reader: its source's first range, else its cue's,
    else its content's."""
    return (att.source or att.cue or att.content)[0]


def number_attributions(attributions: list[Attribution]) -> list[Attribution]:
    """Sort ``attributions`` in reading order (in place, stable) and number them A1, A2, …"""
    attributions.sort(key=reading_order)
    for k, att in enumerate(attributions):
        att.id = f"A{k + 1}"
    return attributions


def _check_offsets(text: str, attributions: Iterable[Attribution]) -> None:
    n = len(text)
    for i, att in enumerate(attributions):
        for role in ROLES:
            for j, (_, end) in enumerate(att.ranges(role)):
                if end > n:
                    raise ValueError(f"attributions[{i}].{role}[{j}]: end {end} is beyond the text's {n} characters")


class LabelledExample(_Model):
    """One article with its labelled attributions: a line of the labelled-example JSONL."""

    id: str
    text: str
    meta: dict[str, Any] = Field(default_factory=dict)
    attributions: list[Attribution] = Field(default_factory=list)

    @model_validator(mode="after")
    def _offsets_inside_text(self) -> LabelledExample:
        _check_offsets(self.text, self.attributions)
        return self

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "text": self.text,
            "meta": self.meta,
            "attributions": [a.to_dict() for a in self.attributions],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LabelledExample:
        return cls.model_validate(data)


class Claim(_Model):
    """A sentence of the article, typed and scored through its attribution."""

    text: str
    start: int
    end: int
    type: AttributionType
    confidence: float | None = None
    score: float | None = None
    reasons: list[Reason] = Field(default_factory=list)
    attribution: str | None = None


class Summary(_Model):
    """Article-level view: what the claims rest on, and what an editor should look at."""

    n_claims: int
    type_counts: dict[str, int]
    type_shares: dict[str, float] = Field(default_factory=dict)
    sourcing_score: float | None
    named_sources: dict[str, int] = Field(default_factory=dict)  # source name -> claims it carries
    quote_counts: dict[str, int] = Field(default_factory=dict)  # quote kind -> attributions with a content
    flags: list[Reason] = Field(default_factory=list)


class ArticleReport(_Model):
    """What the checker says about one article."""

    id: str | None = None
    text: str
    attributions: list[Attribution]
    claims: list[Claim]
    summary: Summary

    @model_validator(mode="after")
    def _offsets_inside_text(self) -> ArticleReport:
        _check_offsets(self.text, self.attributions)
        return self

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json")

    def to_json(self, **kwargs: Any) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, **kwargs)

    def attribution_of(self, claim: Claim) -> Attribution | None:
        """The attribution a claim takes (``claim.attribution`` is its id); None for an
        unattributed claim or an id that names none of the report's attributions."""
        if claim.attribution is None:
            return None
        for first in (True, False):
            k = self._positions.get(claim.attribution)
            if k is not None and k < len(self.attributions) and self.attributions[k].id == claim.attribution:
                return self.attributions[k]
            if first:  # attributions changed since the index was built: build it again
                self.__dict__.pop("_positions", None)
        return None

    @cached_property
    def _positions(self) -> dict[str, int]:
        """Attribution id -> its index in ``attributions`` (built once, on first use;
        not a field: never dumped or compared)."""
        return {a.id: k for k, a in enumerate(self.attributions)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ArticleReport:
        return cls.model_validate(data)

    def to_example(self) -> LabelledExample:
        """The report as a labelled example, ready to be corrected and fed back as labels:
        predicted spans and type, the type's confidence (to review the least sure first),
        quality from the score (``round(1 + 4 * score)``), ``label_source: "predicted"``."""
        atts = [
            Attribution(
                id=a.id,
                source=a.source,
                cue=a.cue,
                content=a.content,
                type=a.type,
                quality=None if a.score is None else round(1 + 4 * a.score),
                confidence=a.confidence,
                label_source="predicted",
            )
            for a in self.attributions
        ]
        return LabelledExample(id=self.id or "article", text=self.text, attributions=atts)


# --------------------------------------------------------------------------- I/O


def _format_error(path: Path | str, lineno: int, err: ValidationError | ValueError) -> str:
    if isinstance(err, ValidationError):
        first = err.errors()[0]
        loc = ".".join(str(p) if not isinstance(p, int) else f"[{p}]" for p in first["loc"])
        loc = loc.replace(".[", "[")
        msg = first["msg"].removeprefix("Value error, ")
        if not loc and re.match(r"attributions\[\d+\]", msg):
            loc, _, msg = msg.partition(": ")  # offset errors found after field validation
        if first["type"] == "literal_error":
            msg = f"unknown type {first['input']!r}; expected one of {', '.join(ATTRIBUTION_TYPES)}"
        return f"{path}:{lineno}: {loc or '(line)'}: {msg}"
    return f"{path}:{lineno}: {err}"


def iter_examples(path: str | Path, *, sourced_unattributed: bool = True) -> Iterator[LabelledExample]:
    """Yield validated examples from a labelled JSONL file.

    ``sourced_unattributed=False`` also refuses an attribution that has a source
    but the type ``unattributed`` (the codebook's type for a claim with no
    source). It is allowed by default because the codebook gives the writer as
    source ("I", "we") that type, and the gold labels and the models do so.

    Raises:
        DataError: on the first malformed line, naming file, line and field.
    """
    path = Path(path)
    with path.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, start=1):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
            except json.JSONDecodeError as err:
                raise DataError(f"{path}:{lineno}: not valid JSON ({err.msg})") from None
            if not isinstance(data, dict):
                raise DataError(f"{path}:{lineno}: (line): expected a JSON object")
            try:
                example = LabelledExample.model_validate(data)
            except ValidationError as err:
                raise DataError(_format_error(path, lineno, err)) from None
            if not sourced_unattributed:
                _refuse_sourced_unattributed(example, f"{path}:{lineno}")
            yield example


def _refuse_sourced_unattributed(example: LabelledExample, where: str) -> None:
    for i, att in enumerate(example.attributions):
        if att.type == "unattributed" and att.source:
            raise DataError(
                f"{where}: attributions[{i}].type: 'unattributed' is for a claim with no source, "
                f"but attribution {att.id!r} has a source; give it a source type or drop the source"
            )


def load_examples(path: str | Path, *, sourced_unattributed: bool = True) -> list[LabelledExample]:
    return list(iter_examples(path, sourced_unattributed=sourced_unattributed))


def save_examples(path: str | Path, examples: Iterable[LabelledExample]) -> None:
    """Write labelled-example JSONL by the rules of :mod:`claimcheck.files` (``-``: stdout)."""
    with open_output(path) as fh:
        for ex in examples:
            fh.write(json.dumps(ex.to_dict(), ensure_ascii=False) + "\n")


def to_dataset(examples: Iterable[LabelledExample]):  # -> datasets.Dataset
    """Labelled examples as a Hugging Face ``datasets.Dataset`` (for training)."""
    from datasets import Dataset

    rows = [ex.to_dict() for ex in examples]
    for row in rows:
        row["meta"] = json.dumps(row.get("meta", {}), ensure_ascii=False)
        for att in row["attributions"]:
            att.setdefault("type", None)
            att.setdefault("quality", None)
            att.setdefault("label_source", None)
            for key in ("quote_kind", "confidence", "score", "reasons", "resolved_source"):
                att.pop(key, None)
    return Dataset.from_list(rows)
