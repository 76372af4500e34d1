"""The counters the dashboard keeps while it reads: a bounded counter of sources, a
bounded list of the thinnest articles, and the figures of one group of claims.

Each is small and of a size fixed in advance, whatever the number of rows: memory grows
with the number of groups (outlets times months), never with the rows.
"""

from __future__ import annotations

import heapq
import math
from collections import Counter
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Any

from claimcheck.data import ATTRIBUTION_TYPES


class TopCounter:
    """Counts of keys (source names), holding at most ``2 * capacity`` of them.

    Exact until more than ``2 * capacity`` different keys have been seen. Then the
    ``capacity`` largest counts are kept and the rest dropped, and ``floor`` records the
    largest count dropped: any key not in the counter was seen at most ``floor`` times.
    A key first seen after a drop starts at ``floor + 1`` with an error of ``floor``, as
    in the Space-Saving algorithm (Metwally, Agrawal and El Abbadi, 2005), so every count
    is an upper bound and ``count - error`` a lower bound; a key seen more than ``floor``
    times is never missing. Dropping half at a time keeps the cost per key constant.

    Example::

        top = TopCounter(capacity=2)
        for name in ["Ida Brenn", "Ida Brenn", "the FBI"]:
            top.add(name)
        top.most_common(1)  # [("Ida Brenn", 2, 0)]
    """

    __slots__ = ("capacity", "counts", "errors", "floor")

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity
        self.counts: dict[str, int] = {}
        self.errors: dict[str, int] = {}
        self.floor = 0

    def add(self, key: str, n: int = 1) -> None:
        counts = self.counts
        if key in counts:
            counts[key] += n
            return
        if len(counts) >= 2 * self.capacity:
            self._prune()
        counts[key] = self.floor + n
        if self.floor:
            self.errors[key] = self.floor

    def _prune(self) -> None:
        ranked = sorted(self.counts.items(), key=itemgetter(1), reverse=True)
        kept, dropped = ranked[: self.capacity], ranked[self.capacity :]
        if dropped:
            self.floor = max(self.floor, dropped[0][1])
        self.counts = dict(kept)
        self.errors = {k: e for k, e in self.errors.items() if k in self.counts}

    def merge(self, other: TopCounter) -> TopCounter:
        """A new counter of both (``capacity`` the larger); a key one of them lacks may have
        been seen up to that one's ``floor`` times, which its error then includes."""
        merged = TopCounter(max(self.capacity, other.capacity))
        for key in self.counts.keys() | other.counts.keys():
            a, ea = (self.counts[key], self.errors.get(key, 0)) if key in self.counts else (self.floor, self.floor)
            b, eb = (other.counts[key], other.errors.get(key, 0)) if key in other.counts else (other.floor, other.floor)
            merged.counts[key] = a + b
            if ea + eb:
                merged.errors[key] = ea + eb
        merged.floor = self.floor + other.floor
        if len(merged.counts) > 2 * merged.capacity:
            merged._prune()
        return merged

    def most_common(self, k: int) -> list[tuple[str, int, int]]:
        """The ``k`` largest as ``(key, count, error)``, by count, then by key."""
        top = heapq.nsmallest(k, self.counts.items(), key=lambda kv: (-kv[1], kv[0]))
        return [(key, n, self.errors.get(key, 0)) for key, n in top]


@dataclass(frozen=True)
class ArticleFacts:
    """One finished article, as the list of thinnest articles keeps it."""

    article_id: str
    outlet: str | None
    month: str | None
    url: str | None
    title: str | None
    claims: int
    attributed: int
    score: float | None
    flags: tuple[str, ...]


class Thinnest:
    """The ``k`` articles with the lowest article sourcing score (the mean score of their
    scored claims); on a tie, the larger share of unattributed claims first, then the
    article read first. Articles without any scored claim are not ranked."""

    __slots__ = ("_heap", "_seq", "k")

    def __init__(self, k: int) -> None:
        self.k = k
        self._heap: list[tuple[Any, ...]] = []  # a max-heap by rank, through negation
        self._seq = 0

    def add(self, article: ArticleFacts) -> None:
        if article.score is None:
            return
        self._seq += 1
        unattributed = 1 - article.attributed / article.claims
        item = (-article.score, unattributed, -self._seq, article)
        if len(self._heap) < self.k:
            heapq.heappush(self._heap, item)
        elif item[:3] > self._heap[0][:3]:
            heapq.heapreplace(self._heap, item)

    def articles(self) -> list[ArticleFacts]:
        return [item[3] for item in sorted(self._heap, key=lambda i: i[:3], reverse=True)]

    def merge(self, other: Thinnest) -> Thinnest:
        """Both lists' articles, the ``k`` thinnest kept (ties: this one's first)."""
        merged = Thinnest(max(self.k, other.k))
        for article in [*self.articles(), *other.articles()]:
            merged.add(article)
        return merged


@dataclass
class GroupStats:
    """The figures of one group of claims (an outlet in a month, an outlet, everything).

    ``scores`` counts each claim score rounded to three decimals: quartiles come from it
    exactly to that precision, in at most 1,001 entries; the mean and spread come from the
    exact sums.
    """

    articles: int = 0
    claims: int = 0
    types: Counter[str] = field(default_factory=Counter)
    anonymous_with_reason: int = 0
    score_n: int = 0
    score_sum: float = 0.0
    score_sumsq: float = 0.0
    scores: Counter[float] = field(default_factory=Counter)
    flags: Counter[str] = field(default_factory=Counter)
    articles_unsourced: int = 0

    def add_claim(self, type_: str, score: float | None, reason_given: bool) -> None:
        self.claims += 1
        self.types[type_] += 1
        if reason_given:
            self.anonymous_with_reason += 1
        if score is not None:
            self.score_n += 1
            self.score_sum += score
            self.score_sumsq += score * score
            self.scores[round(score, 3)] += 1

    def merge(self, other: GroupStats) -> GroupStats:
        """A new group holding both."""
        return GroupStats(
            articles=self.articles + other.articles,
            claims=self.claims + other.claims,
            types=self.types + other.types,
            anonymous_with_reason=self.anonymous_with_reason + other.anonymous_with_reason,
            score_n=self.score_n + other.score_n,
            score_sum=self.score_sum + other.score_sum,
            score_sumsq=self.score_sumsq + other.score_sumsq,
            scores=self.scores + other.scores,
            flags=self.flags + other.flags,
            articles_unsourced=self.articles_unsourced + other.articles_unsourced,
        )

    @property
    def attributed(self) -> int:
        return self.claims - self.types["unattributed"]

    def share(self, type_: str) -> float | None:
        """The share of all claims of this type."""
        return self.types[type_] / self.claims if self.claims else None

    @property
    def anonymous_share(self) -> float | None:
        """The share of attributed claims that rest on an anonymous source."""
        return self.types["anonymous"] / self.attributed if self.attributed else None

    @property
    def reason_share(self) -> float | None:
        """Of the claims resting on an anonymous source, the share whose article says why
        the source is anonymous (the reason code ``anonymous_with_reason``)."""
        return self.anonymous_with_reason / self.types["anonymous"] if self.types["anonymous"] else None

    @property
    def score_mean(self) -> float | None:
        return self.score_sum / self.score_n if self.score_n else None

    @property
    def score_sd(self) -> float | None:
        """The sample standard deviation of the claim scores (``None`` under two scores)."""
        if self.score_n < 2:
            return None
        var = (self.score_sumsq - self.score_sum * self.score_sum / self.score_n) / (self.score_n - 1)
        return math.sqrt(max(var, 0.0))

    def quantile(self, q: float) -> float | None:
        """The ``q`` quantile of the scores, interpolated between neighbours as numpy's
        default (``linear``) does."""
        if not self.score_n:
            return None
        pos = (self.score_n - 1) * q
        lo_i, hi_i = math.floor(pos), math.ceil(pos)
        lo = hi = None
        seen = 0
        for value in sorted(self.scores):
            seen += self.scores[value]
            if lo is None and seen > lo_i:
                lo = value
            if seen > hi_i:
                hi = value
                break
        assert lo is not None and hi is not None
        return lo + (hi - lo) * (pos - lo_i)

    def type_counts(self) -> dict[str, int]:
        return {t: self.types[t] for t in ATTRIBUTION_TYPES}
