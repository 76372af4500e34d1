"""The dashboard's charts, drawn by matplotlib as SVG to put inline in the page.

Each function returns one ``<svg>`` element: no XML prolog, no metadata, text kept as
text (``svg.fonttype: none``: searchable, printable, no embedded glyphs), ids prefixed so
that several charts can share a page, and the same bytes for the same figures
(``svg.hashsalt`` fixed, no date). Labels are plain text: a ``$`` never starts
matplotlib's mathtext, and long names are cut short (the tables beside the charts keep
them whole).

matplotlib is imported on first use: the rest of claimcheck does not pay for it.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Sequence
from html import escape
from typing import Any

from claimcheck.data import ATTRIBUTION_TYPES
from claimcheck.errors import DashboardError
from claimcheck.html import TYPE_COLOURS

#: Paul Tol's "bright" blue and red, for the lines of the monthly panels.
SCORE_COLOUR = "#4477AA"
ANONYMOUS_COLOUR = "#EE6677"
#: Anonymous sources with a reason given, and without: the report's anonymous orange, and a darker shade of it.
REASON_COLOURS = ("#EE8866", "#A35F47")
TEXT_COLOUR = "#1a1a1a"
WIDTH_IN = 7.0
_RC = {
    "svg.fonttype": "none",
    "svg.hashsalt": "claimcheck-dashboard",
    "font.family": "sans-serif",
    "font.size": 9,
    "axes.edgecolor": "#888888",
    "axes.labelcolor": TEXT_COLOUR,
    "text.color": TEXT_COLOUR,
    "xtick.color": TEXT_COLOUR,
    "ytick.color": TEXT_COLOUR,
    "axes.spines.top": False,
    "axes.spines.right": False,
}


def _mpl() -> Any:
    try:
        import matplotlib
        from matplotlib.figure import Figure
    except ImportError:
        raise DashboardError("the dashboard's charts need matplotlib: pip install 'claimcheck[dashboard]'") from None
    return matplotlib, Figure


def label(text: str | None, limit: int = 28) -> str:
    """Plain text for a chart: ``$`` escaped (no mathtext), cut at ``limit`` characters."""
    text = " ".join((text or "").split())
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text.replace("\\", "\\\\").replace("$", r"\$")


def _svg(fig: Any, title: str) -> str:
    """The figure as an inline ``<svg>`` element named ``title``, its ids made unique."""
    matplotlib, _ = _mpl()
    buf = io.StringIO()
    with matplotlib.rc_context(_RC):
        fig.savefig(buf, format="svg", metadata={"Date": None}, bbox_inches="tight", pad_inches=0.05)
    svg = buf.getvalue()
    svg = svg[svg.index("<svg") :]
    svg = re.sub(r"<metadata>.*?</metadata>\s*", "", svg, flags=re.S)
    # ids from the chart itself: unique on the page (titles differ), the same on every run
    prefix = "cc" + hashlib.sha1((title + svg).encode("utf-8")).hexdigest()[:8] + "-"
    ids = set(re.findall(r'\bid="([^"]+)"', svg))
    svg = re.sub(r'\bid="([^"]+)"', lambda m: f'id="{prefix}{m.group(1)}"', svg)
    svg = re.sub(r"url\(#([^)]+)\)", lambda m: f"url(#{prefix}{m.group(1)})" if m.group(1) in ids else m.group(0), svg)
    svg = re.sub(
        r'href="#([^"]+)"', lambda m: f'href="#{prefix}{m.group(1)}"' if m.group(1) in ids else m.group(0), svg
    )
    head = f'<svg class="cc-chart" role="img" aria-label="{escape(title, quote=True)}" '
    return head + svg[len("<svg ") :].rstrip() + "\n"


def _figure(height_in: float) -> Any:
    matplotlib, Figure = _mpl()
    with matplotlib.rc_context(_RC):
        return Figure(figsize=(WIDTH_IN, max(height_in, 1.2)))


def type_shares(
    labels: Sequence[str | None], counts: Sequence[dict[str, int]], title: str, *, horizontal: bool = True
) -> str:
    """100% stacked bars of claims by source type, one bar per label (outlets across,
    or months along)."""
    matplotlib, _ = _mpl()
    n = len(labels)
    fig = _figure(0.32 * n + 1.1 if horizontal else 2.6)
    with matplotlib.rc_context(_RC):
        ax = fig.add_subplot()
        names = [label(x) for x in labels]
        pos = list(range(n))
        start = [0.0] * n
        for t in ATTRIBUTION_TYPES:
            totals = [sum(c.values()) or 1 for c in counts]
            share = [c.get(t, 0) / tot for c, tot in zip(counts, totals, strict=True)]
            kw = {"color": TYPE_COLOURS[t], "edgecolor": "white", "linewidth": 0.5, "label": t.replace("_", " ")}
            if horizontal:
                ax.barh(pos, share, left=start, height=0.7, **kw)
            else:
                ax.bar(pos, share, bottom=start, width=0.8, **kw)
            start = [a + b for a, b in zip(start, share, strict=True)]
        _share_axis(ax, names, pos, horizontal)
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.12 if horizontal else -0.3), ncols=4, frameon=False)
    return _svg(fig, title)


def _share_axis(ax: Any, names: list[str], pos: list[int], horizontal: bool) -> None:
    from matplotlib.ticker import PercentFormatter

    if horizontal:
        ax.set_yticks(pos, names)
        ax.invert_yaxis()
        ax.set_xlim(0, 1)
        ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    else:
        ax.set_xticks(pos, names, rotation=45 if len(names) > 6 else 0, ha="right" if len(names) > 6 else "center")
        ax.set_xlim(-0.6, max(len(names), 6) - 0.4)  # a month or two: bars of a normal width, not the whole axis
        ax.set_ylim(0, 1)
        ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))


def score_ranges(
    labels: Sequence[str | None],
    means: Sequence[float | None],
    quartiles: Sequence[tuple[float | None, float | None, float | None]],
    title: str,
) -> str:
    """Per label, the middle half of the claim scores (first to third quartile) as a bar,
    the median as a tick and the mean as a dot, on the 0-1 scale."""
    matplotlib, _ = _mpl()
    n = len(labels)
    fig = _figure(0.32 * n + 0.9)
    with matplotlib.rc_context(_RC):
        ax = fig.add_subplot()
        pos = list(range(n))
        for i, mean, (q1, med, q3) in zip(pos, means, quartiles, strict=True):
            if q1 is not None and q3 is not None:
                ax.plot([q1, q3], [i, i], color="#BBBBBB", linewidth=7, solid_capstyle="butt", zorder=1)
            if med is not None:
                ax.plot([med, med], [i - 0.3, i + 0.3], color="#555555", linewidth=1.5, zorder=2)
            if mean is not None:
                ax.plot([mean], [i], "o", color=SCORE_COLOUR, markersize=6, zorder=3)
        ax.set_yticks(pos, [label(x) for x in labels])
        ax.invert_yaxis()
        ax.set_xlim(0, 1)
        ax.set_xlabel("sourcing score (0 = uncheckable, 1 = named, with their standing to know)")
        ax.grid(axis="x", color="#EEEEEE")
        ax.set_axisbelow(True)
    return _svg(fig, title)


def anonymous_shares(
    labels: Sequence[str | None], with_reason: Sequence[float], without_reason: Sequence[float], title: str
) -> str:
    """Per label, the share of attributed claims resting on anonymous sources, split into
    those whose article gives a reason for the anonymity and those whose article gives none."""
    matplotlib, _ = _mpl()
    from matplotlib.ticker import PercentFormatter

    n = len(labels)
    fig = _figure(0.32 * n + 1.1)
    with matplotlib.rc_context(_RC):
        ax = fig.add_subplot()
        pos = list(range(n))
        ax.barh(pos, with_reason, height=0.7, color=REASON_COLOURS[0], label="anonymous, reason given")
        ax.barh(
            pos, without_reason, left=with_reason, height=0.7, color=REASON_COLOURS[1], label="anonymous, no reason"
        )
        ax.set_yticks(pos, [label(x) for x in labels])
        ax.invert_yaxis()
        top = max([a + b for a, b in zip(with_reason, without_reason, strict=True)] + [0.05])
        ax.set_xlim(0, min(1.0, top * 1.15))
        ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
        ax.set_xlabel("share of attributed claims")
        ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.25), ncols=2, frameon=False)
    return _svg(fig, title)


def monthly_panels(panels: Sequence[dict[str, Any]], months: Sequence[str], title: str, columns: int = 3) -> str:
    """Small multiples, one panel per outlet, on the same axes: the mean claim score per
    month (line) with its middle half (band), and the share of attributed claims resting on
    anonymous sources (dashed). Each panel is a dict with ``name`` and per month
    ``mean``, ``q1``, ``q3`` and ``anonymous`` (``None`` where the month has no claims)."""
    matplotlib, _ = _mpl()
    rows = -(-len(panels) // columns)
    fig = _figure(1.9 * rows + 0.6)
    x = list(range(len(months)))
    with matplotlib.rc_context(_RC):
        axes = fig.subplots(rows, columns, sharex=True, sharey=True, squeeze=False).ravel()
        for ax, panel in zip(axes, panels, strict=False):
            nan = float("nan")
            mean = [nan if v is None else v for v in panel["mean"]]
            q1 = [nan if v is None else v for v in panel["q1"]]
            q3 = [nan if v is None else v for v in panel["q3"]]
            anon = [nan if v is None else v for v in panel["anonymous"]]
            ax.fill_between(x, q1, q3, color=SCORE_COLOUR, alpha=0.18, linewidth=0)
            ax.plot(x, mean, color=SCORE_COLOUR, marker=".", label="mean sourcing score")
            ax.plot(x, anon, color=ANONYMOUS_COLOUR, linestyle="--", marker=".", label="share anonymous")
            ax.set_title(label(panel["name"], 30), fontsize=9)
            ax.set_ylim(0, 1)
            ax.grid(axis="y", color="#EEEEEE")
        for ax in axes[len(panels) :]:
            ax.set_visible(False)
        for ax in axes[max(0, len(panels) - columns) : len(panels)]:
            ax.tick_params(labelbottom=True)  # the last panel of each column carries the months
        step = max(1, len(months) // 6)
        for ax in axes:
            ax.set_xticks(x[::step], [label(m) for m in months[::step]], rotation=45, ha="right")
        handles, names = axes[0].get_legend_handles_labels()
        fig.legend(handles, names, loc="lower center", ncols=2, frameon=False, bbox_to_anchor=(0.5, 1.0))
    return _svg(fig, title)
