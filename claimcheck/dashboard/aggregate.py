"""Aggregate claim rows while reading them: per outlet and month, per outlet, and overall.

The rows of an article must come together, one after another, as ``claimcheck batch``
writes them: an article ends where the next article id begins. Its outlet, month, URL and
title are those of its first row. The outlet is the row's ``outlet`` (or the column named
by ``by``); where that is missing and ``by`` is ``outlet``, the domain of the row's ``url``
(``https://www.harbourtimes.example/2024/ferry`` -> ``harbourtimes.example``). The month is
the ``YYYY-MM`` of the row's ``date`` (an ISO date or date-time string, or a Parquet date or
timestamp).

What is kept while reading, whatever the number of rows: one :class:`GroupStats` per
outlet and month; a :class:`TopCounter` of cited sources per outlet and month (at most
``2 * GROUP_SOURCES`` names), per outlet (``2 * OUTLET_SOURCES``) and overall
(``2 * ALL_SOURCES``); the :data:`THIN_PER_OUTLET` thinnest articles per outlet and
:data:`THIN_ALL` overall; and the claims of the one article being read.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from claimcheck.credibility import outlet_of
from claimcheck.dashboard.counting import ArticleFacts, GroupStats, Thinnest, TopCounter
from claimcheck.data import NAMED_TYPES
from claimcheck.summary import claim_flags, is_weasel
from claimcheck.summary import source_name as summary_source_name

#: Names kept per counter of cited sources (see :class:`TopCounter`).
GROUP_SOURCES = 200
OUTLET_SOURCES = 5_000
ALL_SOURCES = 20_000
#: Thinnest articles kept per outlet, and overall.
THIN_PER_OUTLET = 10
THIN_ALL = 20
#: The article flags that can be told from claim rows, in the order of
#: :func:`claimcheck.summary.summarize`. ``low_rated_outlet`` needs the outlet's rating,
#: which the rows do not carry.
ROW_FLAGS = (
    "mostly_anonymous",
    "mostly_unsourced",
    "single_source",
    "weasel_words",
    "unresolved_references",
    "unrated_outlet",
)
#: Columns the dashboard reads, besides the group column.
COLUMNS = frozenset(
    {"article_id", "path", "type", "score", "source", "resolved_source", "reasons", "date", "url", "title", "outlet"}
)

_MONTH = re.compile(r"\s*(\d{4})[-/.](\d{1,2})(?!\d)")

Key = tuple[str | None, str | None]


class ClaimFacts(NamedTuple):
    """What the article flags need of one claim."""

    type: str
    score: float | None
    name: str  # the source's name (its antecedent, or its words before an appositive)
    who: str  # the words a vague group is judged by
    reasons: Sequence[str]


def source_name(row: dict[str, Any]) -> str:
    """The name a claim's source goes by, as the article summary counts it."""
    resolved = row.get("resolved_source")
    return summary_source_name(str(resolved) if resolved else None, str(row.get("source") or ""))


def month_of(value: Any) -> str | None:
    """``YYYY-MM`` of a date value, ``None`` when it has none or it cannot be read."""
    if isinstance(value, dt.date):  # a datetime is a date too
        return f"{value.year:04d}-{value.month:02d}"
    if isinstance(value, str) and (m := _MONTH.match(value)) and 1 <= int(m.group(2)) <= 12:
        return f"{m.group(1)}-{int(m.group(2)):02d}"
    return None


def article_flags(claims: Sequence[ClaimFacts]) -> list[str]:
    """The flags of an article, from its claims, by :func:`claimcheck.summary.claim_flags`,
    the rules the article summary uses (those rows allow: see :data:`ROW_FLAGS`)."""
    attributed = [c for c in claims if c.type != "unattributed"]
    weasel = sum(is_weasel(c.reasons, c.who) for c in attributed)
    unresolved = sum("unresolved_reference" in c.reasons for c in attributed)
    flags = [
        code for code, _ in claim_flags([c.type for c in claims], [c.name for c in attributed], weasel, unresolved)
    ]
    if any("outlet_unrated" in c.reasons for c in claims):
        flags.append("unrated_outlet")
    return flags


@dataclass
class Dashboard:
    """What the rows add up to; :func:`aggregate` makes it.

    ``groups`` holds the figures per ``(outlet, month)``; ``outlets`` per outlet, all months
    together; ``total`` everything. ``None`` stands for "no outlet" or "no month".
    ``columns`` names the optional columns (``outlet``/``by``, ``url``, ``date``, ``title``)
    that gave a value on at least one article.
    """

    by: str
    rows: int = 0
    articles: int = 0
    groups: dict[Key, GroupStats] = field(default_factory=dict)
    outlets: dict[str | None, GroupStats] = field(default_factory=dict)
    total: GroupStats = field(default_factory=GroupStats)
    group_sources: dict[Key, TopCounter] = field(default_factory=dict)
    outlet_sources: dict[str | None, TopCounter] = field(default_factory=dict)
    all_sources: TopCounter = field(default_factory=lambda: TopCounter(ALL_SOURCES))
    thinnest: dict[str | None, Thinnest] = field(default_factory=dict)
    all_thinnest: Thinnest = field(default_factory=lambda: Thinnest(THIN_ALL))
    columns: set[str] = field(default_factory=set)
    undated_values: int = 0  # articles whose date was given but could not be read

    def outlet_names(self) -> list[str | None]:
        """Outlets by number of claims, most first (then by name); no outlet last."""
        return sorted(self.outlets, key=lambda o: (o is None, -self.outlets[o].claims, o or ""))

    def months(self) -> list[str | None]:
        """Months in order; no month last."""
        found = {m for _, m in self.groups}
        return sorted(found, key=lambda m: (m is None, m or ""))

    @property
    def has_outlets(self) -> bool:
        return any(o is not None for o in self.outlets)

    @property
    def has_months(self) -> bool:
        return any(m is not None for _, m in self.groups)


class Aggregator:
    """Takes claim rows one at a time (:meth:`add`) and gives the :class:`Dashboard` (:meth:`finish`).

    Args:
        by: the column that groups articles (``outlet``; any other column, ``section`` say,
            works the same way, without the fallback to the URL's domain).
    """

    def __init__(self, by: str = "outlet") -> None:
        self.by = by
        self.result = Dashboard(by=by)
        self._article: str | None = None
        self._facts: dict[str, Any] = {}
        self._claims: list[ClaimFacts] = []
        self._stats: GroupStats = GroupStats()
        self._sources: tuple[TopCounter, ...] = ()

    @staticmethod
    def columns(by: str = "outlet") -> frozenset[str]:
        """The columns the aggregator reads (of a Parquet file, only these are read)."""
        return COLUMNS | {by}

    def add(self, row: dict[str, Any]) -> None:
        """One claim row, with ``article_id``, ``type``, ``score`` and ``reasons`` as
        :func:`claimcheck.dashboard.rows.read_rows` gives them."""
        if row["article_id"] != self._article:
            self._close_article()
            self._open_article(row)
        self.result.rows += 1
        type_, score, reasons = row["type"], row["score"], row["reasons"]
        self._stats.add_claim(type_, score, type_ == "anonymous" and "anonymous_with_reason" in reasons)
        name = source_name(row) if type_ != "unattributed" else ""
        if name and type_ in NAMED_TYPES:
            for counter in self._sources:
                counter.add(name)
        who = str(row.get("resolved_source") or row.get("source") or "")
        self._claims.append(ClaimFacts(type_, score, name, who, reasons))

    def finish(self) -> Dashboard:
        self._close_article()
        result = self.result
        for (outlet, _), stats in result.groups.items():
            result.outlets[outlet] = result.outlets[outlet].merge(stats) if outlet in result.outlets else stats
        for stats in result.outlets.values():
            result.total = result.total.merge(stats)
        return result

    def _open_article(self, row: dict[str, Any]) -> None:
        result = self.result
        self._article = row["article_id"]
        outlet, url, title = (_text(row.get(c)) for c in (self.by, "url", "title"))
        date = row.get("date")
        month = month_of(date)
        if date is not None and date != "" and month is None:
            result.undated_values += 1
        result.columns.update(c for c, v in ((self.by, outlet), ("url", url), ("date", month), ("title", title)) if v)
        if outlet is None and self.by == "outlet" and url:
            outlet = outlet_of(url)
        key = (outlet, month)
        self._facts = {"outlet": outlet, "month": month, "url": url, "title": title}
        self._stats = result.groups.setdefault(key, GroupStats())
        if key not in result.group_sources:
            result.group_sources[key] = TopCounter(GROUP_SOURCES)
            result.outlet_sources.setdefault(outlet, TopCounter(OUTLET_SOURCES))
            result.thinnest.setdefault(outlet, Thinnest(THIN_PER_OUTLET))
        self._sources = (result.group_sources[key], result.outlet_sources[outlet], result.all_sources)
        self._claims = []

    def _close_article(self) -> None:
        if self._article is None:
            return
        claims = self._claims
        attributed = sum(1 for c in claims if c.type != "unattributed")
        scores = [c.score for c in claims if c.type != "unattributed" and c.score is not None]
        flags = article_flags(claims)
        stats = self._stats
        stats.articles += 1
        stats.flags.update(flags)
        if not attributed:
            stats.articles_unsourced += 1
        self.result.articles += 1
        facts = ArticleFacts(
            article_id=self._article,
            claims=len(claims),
            attributed=attributed,
            score=sum(scores) / len(scores) if scores else None,
            flags=tuple(flags),
            **self._facts,
        )
        self.result.thinnest[facts.outlet].add(facts)
        self.result.all_thinnest.add(facts)
        self._article = None


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def aggregate(rows: Iterable[dict[str, Any]], by: str = "outlet") -> Dashboard:
    """Add up claim rows (as :func:`claimcheck.dashboard.rows.read_rows` gives them)."""
    aggregator = Aggregator(by)
    for row in rows:
        aggregator.add(row)
    return aggregator.finish()
