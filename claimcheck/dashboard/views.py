"""What the page shows per outlet: the largest outlets one by one, the rest together."""

from __future__ import annotations

from dataclasses import dataclass, field

from claimcheck.dashboard.aggregate import Dashboard
from claimcheck.dashboard.counting import GroupStats, Thinnest, TopCounter

#: The outlets the page shows one by one (the others as one group); the tables written
#: beside the page have them all.
TOP_OUTLETS = 12


@dataclass
class OutletView:
    """One outlet (or several together) as the page shows it."""

    name: str
    key: str  # for the page's filter: unique, plain
    total: GroupStats
    months: dict[str | None, GroupStats] = field(default_factory=dict)
    sources: TopCounter = field(default_factory=lambda: TopCounter(1))
    thinnest: Thinnest = field(default_factory=lambda: Thinnest(1))
    members: int = 1


def _merge_months(parts: list[dict[str | None, GroupStats]]) -> dict[str | None, GroupStats]:
    merged: dict[str | None, GroupStats] = {}
    for months in parts:
        for month, stats in months.items():
            merged[month] = merged[month].merge(stats) if month in merged else stats
    return merged


def outlet_views(board: Dashboard, top: int = TOP_OUTLETS) -> list[OutletView]:
    """The ``top`` outlets with the most claims, one view each, then one view of all the
    others together (when there are any)."""
    names = board.outlet_names()
    by_outlet: dict[str | None, dict[str | None, GroupStats]] = {o: {} for o in names}
    for (outlet, month), stats in board.groups.items():
        by_outlet[outlet][month] = stats
    views = []
    for i, outlet in enumerate(names[:top]):
        views.append(
            OutletView(
                name=outlet_label(board, outlet),
                key=f"o{i}",
                total=board.outlets[outlet],
                months=by_outlet[outlet],
                sources=board.outlet_sources[outlet],
                thinnest=board.thinnest[outlet],
            )
        )
    rest = names[top:]
    if rest:
        total, sources, thinnest = GroupStats(), TopCounter(1), Thinnest(1)
        for outlet in rest:
            total = total.merge(board.outlets[outlet])
            sources = sources.merge(board.outlet_sources[outlet])
            thinnest = thinnest.merge(board.thinnest[outlet])
        views.append(
            OutletView(
                name=f"the {len(rest)} other {board.by}s" if len(rest) > 1 else outlet_label(board, rest[0]),
                key="other",
                total=total,
                months=_merge_months([by_outlet[o] for o in rest]),
                sources=sources,
                thinnest=thinnest,
                members=len(rest),
            )
        )
    return views


def outlet_label(board: Dashboard, outlet: str | None) -> str:
    if outlet is not None:
        return outlet
    return f"no {board.by}" if board.has_outlets else "all articles"


def month_label(month: str | None) -> str:
    return "no date" if month is None else month
