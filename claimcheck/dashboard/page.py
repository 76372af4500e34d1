"""The dashboard as one self-contained HTML page.

Inline CSS, inline SVG charts (:mod:`claimcheck.dashboard.charts`), a few lines of inline
JavaScript for the outlet filter, and the report's Content-Security-Policy, which forbids
every network request: the page can be mailed or opened offline. Every chart has a table
of its numbers beside it, so a printout keeps them. The only links that leave the page
are to the articles themselves (``http``/``https`` URLs from the rows).
"""

from __future__ import annotations

import html
from collections.abc import Sequence

from claimcheck.dashboard import charts
from claimcheck.dashboard.aggregate import ROW_FLAGS, Dashboard
from claimcheck.dashboard.counting import ArticleFacts, GroupStats
from claimcheck.dashboard.views import OutletView, month_label, outlet_views
from claimcheck.data import ATTRIBUTION_TYPES
from claimcheck.html import OFFLINE_CSP, TYPE_COLOURS, TYPE_DESCRIPTIONS

#: The most cited sources and thinnest articles shown per outlet.
SHOWN_SOURCES = 10
SHOWN_ARTICLES = 10

FLAG_LABELS = {
    "mostly_anonymous": "Mostly anonymous: most attributed claims rest on anonymous sources",
    "mostly_unsourced": "Mostly unsourced: most claims carry no source at all",
    "single_source": "One source: every attributed claim comes from the same source",
    "weasel_words": 'Vague attributions: claims carried by "some say", "critics", "experts"',
    "unresolved_references": "Unresolved: claims rest on a pronoun the checker could not tie to a name",
    "unrated_outlet": "Unrated outlet: cites a publication that is not in the ratings table",
}

CSS = """
:root{color-scheme:light}
body{font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:#1a1a1a;
  background:#fff;margin:0;padding:1.5rem}
main{max-width:78rem;margin:0 auto}
h1{font-size:1.6rem;margin:0 0 .5rem}
h2{font-size:1.3rem;margin:2rem 0 .5rem;border-bottom:2px solid #ddd;padding-bottom:.2rem}
h3{font-size:1.05rem;margin:1.25rem 0 .4rem}
.lede{font-size:1.05rem;margin:.25rem 0 1rem}
.cc-help{background:#f6f6f6;border-radius:6px;padding:.5rem 1rem;margin:1rem 0}
.cc-help li{margin:.2rem 0}
.cc-help .cc-grid{display:grid;grid-template-columns:repeat(auto-fill,minmax(24rem,1fr));gap:0 1.5rem;list-style:none;
  padding-left:.5rem;margin:.2rem 0}
.cc-notes{border-left:4px solid #EE8866;padding:.25rem .75rem;margin:.75rem 0;background:#fff8f4}
.cc-pair{display:grid;grid-template-columns:minmax(0,1fr) minmax(0,1fr);gap:1rem 1.5rem;align-items:start}
@media (max-width:60rem){.cc-pair{grid-template-columns:1fr}}
.cc-figure{margin:0 0 1rem}
.cc-chart{display:block;max-width:min(100%,48rem);height:auto;margin:.25rem 0}
table{border-collapse:collapse;font-size:.85rem;margin:.25rem 0 1rem;width:100%}
caption{text-align:left;font-weight:600;padding:.2rem 0}
th,td{border-bottom:1px solid #e3e3e3;padding:.2rem .45rem;text-align:left;vertical-align:top}
th{background:#f3f3f3}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.swatch{display:inline-block;width:.8rem;height:.8rem;border-radius:2px;border:1px solid #0003;margin-right:.3rem;
  vertical-align:-.05rem}
.cc-filter{position:sticky;top:0;background:#fff;padding:.5rem 0;z-index:2;border-bottom:1px solid #eee}
.cc-filter select{font:inherit;padding:.1rem .3rem}
th.n{white-space:normal}
.cc-outlet{margin-top:1rem}
.cc-figures strong{font-size:1.1rem}
.cc-muted{color:#555}
.nw{white-space:nowrap}
details summary{cursor:pointer;color:#1a4f8a}
code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.9em;overflow-wrap:anywhere}
a{color:#1a4f8a}
footer{margin-top:2rem;color:#555;font-size:.85rem}
@media print{body{padding:0}.cc-filter{display:none}.cc-chart,.swatch{-webkit-print-color-adjust:exact;
  print-color-adjust:exact}.cc-pair{grid-template-columns:1fr}section{break-inside:auto}}
"""

SCRIPT = """
(function () {
  var select = document.getElementById('cc-filter');
  if (select) select.addEventListener('change', function () {
    document.querySelectorAll('section.cc-outlet').forEach(function (s) {
      s.hidden = select.value !== '' && s.getAttribute('data-outlet') !== select.value;
    });
  });
  window.addEventListener('beforeprint', function () {
    document.querySelectorAll('details').forEach(function (d) { d.open = true; });
  });
})();
"""


def esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}" if value >= 0.1 or value == 0 else f"{value:.1%}"


def num(value: float | None, digits: int = 2) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def _noun(n: int, word: str) -> str:
    return word if n == 1 else word + "s"


def _type_label(t: str) -> str:
    return t.replace("_", " ")


def table(caption: str, head: Sequence[str], rows: Sequence[Sequence[str]], text_columns: int = 1) -> str:
    """An HTML table; ``head`` and ``rows`` are already escaped HTML. The first
    ``text_columns`` columns are text, the others right-aligned numbers."""

    def cells(values: Sequence[str], tag: str) -> str:
        scope = ' scope="col"' if tag == "th" else ""
        return "".join(
            f"<{tag}{scope}{' class=n' if i >= text_columns else ''}>{v}</{tag}>" for i, v in enumerate(values)
        )

    body = "".join(f"<tr>{cells(r, 'td')}</tr>" for r in rows)
    return (
        f"<table><caption>{esc(caption)}</caption><thead><tr>{cells(head, 'th')}</tr></thead>"
        f"<tbody>{body}</tbody></table>"
    )


def figure(chart: str, numbers: str) -> str:
    """A chart with the table of its numbers under it."""
    return f'<figure class="cc-figure">{chart}{numbers}</figure>'


# ----------------------------------------------------------------- shared tables


def _swatch(t: str) -> str:
    return f'<span class="swatch" style="background:{TYPE_COLOURS[t]}" aria-hidden="true"></span>'


def type_table(caption: str, first: str, labels: Sequence[str], groups: Sequence[GroupStats]) -> str:
    head = [esc(first), "articles", "claims", *(f"{_swatch(t)}{esc(_type_label(t))}" for t in ATTRIBUTION_TYPES)]
    rows = [
        [esc(name), f"{g.articles:,}", f"{g.claims:,}", *(pct(g.share(t)) for t in ATTRIBUTION_TYPES)]
        for name, g in zip(labels, groups, strict=True)
    ]
    return table(caption, head, rows)


def score_table(caption: str, first: str, labels: Sequence[str], groups: Sequence[GroupStats]) -> str:
    head = [esc(first), "scored claims", "mean", "spread (SD)", "lower quartile", "median", "upper quartile"]
    rows = [
        [
            esc(name),
            f"{g.score_n:,}",
            num(g.score_mean),
            num(g.score_sd),
            num(g.quantile(0.25)),
            num(g.quantile(0.5)),
            num(g.quantile(0.75)),
        ]
        for name, g in zip(labels, groups, strict=True)
    ]
    return table(caption, head, rows)


def anonymous_table(caption: str, first: str, labels: Sequence[str], groups: Sequence[GroupStats]) -> str:
    head = [esc(first), "attributed claims", "anonymous", "share anonymous", "reason given", "share with a reason"]
    rows = [
        [
            esc(name),
            f"{g.attributed:,}",
            f"{g.types['anonymous']:,}",
            pct(g.anonymous_share),
            f"{g.anonymous_with_reason:,}",
            pct(g.reason_share),
        ]
        for name, g in zip(labels, groups, strict=True)
    ]
    return table(caption, head, rows)


def flag_table(caption: str, first: str, labels: Sequence[str], groups: Sequence[GroupStats]) -> str:
    head = [
        esc(first),
        "articles",
        *(f"<abbr title='{esc(FLAG_LABELS[f])}'>{esc(_flag_short(f))}</abbr>" for f in ROW_FLAGS),
    ]
    rows = [
        [esc(name), f"{g.articles:,}", *(_count_share(g.flags[f], g.articles) for f in ROW_FLAGS)]
        for name, g in zip(labels, groups, strict=True)
    ]
    return table(caption, head, rows)


def _flag_short(code: str) -> str:
    return FLAG_LABELS[code].split(":")[0].lower()


def _count_share(n: int, total: int) -> str:
    return f"{n:,} ({pct(n / total)})" if total else "–"


# ----------------------------------------------------------------- sections


def _how_to_read(board: Dashboard) -> str:
    types = "".join(
        f"<li>{_swatch(t)}<strong>{esc(_type_label(t))}</strong>: {esc(TYPE_DESCRIPTIONS[t])}</li>"
        for t in ATTRIBUTION_TYPES
    )
    flags = "".join(f"<li>{esc(FLAG_LABELS[f])}</li>" for f in ROW_FLAGS)
    return (
        '<section class="cc-help" id="how-to-read"><h2>How to read this</h2><ul>'
        "<li>Every sentence of an article is a <strong>claim</strong>. A claim is <em>attributed</em> when the "
        "article says who stands behind it (someone said it, a report found it); otherwise the article asserts "
        "it itself (<em>unattributed</em>).</li>"
        f'<li><strong>Source types</strong>: who stands behind a claim.<ul class="cc-grid">{types}</ul></li>'
        "<li><strong>Sourcing score</strong>, 0 to 1, for each attributed claim: 1 is a named source with their "
        "standing to know (a role, an affiliation) or a specific document; 0.75 a named person without a role, a "
        "named organisation or publication; 0.5 a vague document, or an anonymous source whose anonymity the "
        "article explains; 0.25 an anonymous source with no reason given, or a vague group; 0 a weasel "
        '("some say") or a pronoun with no one behind it. The <em>mean</em> is the average over claims; the '
        "<em>spread</em> is the standard deviation, and the middle half of the claims lies between the lower and "
        "upper quartiles (the grey bars in the charts).</li>"
        "<li><strong>Anonymous sources</strong> are counted as a share of attributed claims. A <em>reason is "
        "given</em> when the article says why the source is not named (\u201cwho spoke on condition of anonymity "
        "because the talks are private\u201d).</li>"
        f'<li><strong>Flags</strong> are warnings about whole articles, counted per article:<ul class="cc-grid">{flags}</ul></li>'
        "<li><strong>Most thinly sourced articles</strong>: the articles with the lowest mean score of their "
        "attributed claims. Articles that cite no one at all have no score; they are counted as "
        "<em>unsourced</em> instead.</li>"
        "<li>These are a checker's readings of the text, not an editor's: use them to find where to look, then "
        "read the articles.</li>"
        f"</ul>{_notes(board)}</section>"
    )


def _notes(board: Dashboard) -> str:
    notes = []
    if not board.has_outlets:
        notes.append(
            f"The rows carry no <code>{esc(board.by)}</code>"
            + (" (nor <code>url</code>)" if board.by == "outlet" else "")
            + " column, so all articles are shown as one group."
        )
    elif None in board.outlets:
        notes.append(
            f"{board.outlets[None].articles:,} articles have no {esc(board.by)}: shown as “no {esc(board.by)}”."
        )
    if not board.has_months:
        notes.append("The rows carry no readable <code>date</code> column, so there is no month-by-month breakdown.")
    elif any(m is None for _, m in board.groups):
        undated = sum(g.articles for (_, m), g in board.groups.items() if m is None)
        notes.append(f"{undated:,} articles have no readable date: their months are shown as “no date”.")
    if board.undated_values:
        notes.append(f"{board.undated_values:,} articles gave a date that could not be read (not YYYY-MM-DD).")
    notes.append(
        "The <em>low-rated outlet</em> flag of single-article reports is not shown: the rows do not carry the "
        "outlet ratings it needs."
    )
    return (
        '<div class="cc-notes"><p><strong>About these data</strong></p><ul>'
        + "".join(f"<li>{n}</li>" for n in notes)
        + "</ul></div>"
    )


def _compare(board: Dashboard, views: list[OutletView]) -> str:
    by = board.by
    names = [v.name for v in views]
    groups = [v.total for v in views]
    anon_with = [g.anonymous_with_reason / g.attributed if g.attributed else 0.0 for g in groups]
    anon_without = [
        (g.types["anonymous"] - g.anonymous_with_reason) / g.attributed if g.attributed else 0.0 for g in groups
    ]
    quartiles = [(g.quantile(0.25), g.quantile(0.5), g.quantile(0.75)) for g in groups]
    return (
        f'<section id="compare"><h2>{esc(by.capitalize())}s compared</h2>'
        "<h3>What the claims rest on</h3>"
        + figure(
            charts.type_shares(names, [g.type_counts() for g in groups], f"Share of claims by source type, per {by}"),
            type_table(f"Share of claims by source type, per {by}", by, names, groups),
        )
        + "<h3>How well the claims are sourced</h3>"
        + figure(
            charts.score_ranges(names, [g.score_mean for g in groups], quartiles, f"Sourcing score per {by}"),
            score_table(f"Sourcing score of attributed claims, per {by}", by, names, groups),
        )
        + "<h3>Anonymous sources, and whether a reason is given</h3>"
        + figure(
            charts.anonymous_shares(names, anon_with, anon_without, f"Anonymous sources per {by}"),
            anonymous_table(f"Anonymous sources, per {by}", by, names, groups),
        )
        + "<h3>Flags raised</h3>"
        + flag_table(f"Articles raising each flag, per {by}", by, names, groups)
        + "</section>"
    )


def _over_time(board: Dashboard, views: list[OutletView]) -> str:
    months = [m for m in board.months() if m is not None]
    panels = []
    for v in views:
        stats = [v.months.get(m) for m in months]
        panels.append(
            {
                "name": v.name,
                "mean": [g.score_mean if g else None for g in stats],
                "q1": [g.quantile(0.25) if g else None for g in stats],
                "q3": [g.quantile(0.75) if g else None for g in stats],
                "anonymous": [g.anonymous_share if g else None for g in stats],
            }
        )
    columns = 1 if len(views) == 1 else 2 if len(views) <= 4 else 3
    chart = charts.monthly_panels(
        panels, months, f"Mean sourcing score and share anonymous per month, per {board.by}", columns
    )
    return (
        '<section id="months"><h2>Month by month</h2>'
        f"<p>Each panel is one {esc(board.by)}, on the same scale. The solid line is the mean sourcing score of the "
        "month's attributed claims, the shaded band the middle half of them; the dashed line is the share of "
        "attributed claims resting on anonymous sources. The tables of each month are in the sections below.</p>"
        f"{chart}</section>"
    )


def _month_table(view: OutletView, months: list[str | None]) -> str:
    head = [
        "month",
        "articles",
        "claims",
        "attributed",
        "mean score",
        "spread (SD)",
        "share anonymous",
        "share with a reason",
        *(f"{_swatch(t)}{esc(_type_label(t))}" for t in ATTRIBUTION_TYPES),
    ]
    rows = []
    for m in months:
        g = view.months.get(m)
        if g is None:
            continue
        rows.append(
            [
                f'<span class="nw">{esc(month_label(m))}</span>',
                f"{g.articles:,}",
                f"{g.claims:,}",
                f"{g.attributed:,}",
                num(g.score_mean),
                num(g.score_sd),
                pct(g.anonymous_share),
                pct(g.reason_share),
                *(pct(g.share(t)) for t in ATTRIBUTION_TYPES),
            ]
        )
    return table(f"{view.name}: month by month", head, rows)


def _sources_table(view: OutletView) -> str:
    top = view.sources.most_common(SHOWN_SOURCES)
    if not top:
        return '<p class="cc-muted">No named sources.</p>'
    approximate = any(e for _, _, e in top)
    rows = [[esc(name), f"{n:,}" if not e else f"{n - e:,}–{n:,}"] for name, n, e in top]
    note = (
        '<p class="cc-muted">So many different sources were cited that only the most frequent were counted to the '
        "end: a range gives the lowest and highest the count can be.</p>"
        if approximate
        else ""
    )
    return table(f"{view.name}: most cited named sources", ["source", "claims"], rows) + note


def article_link(article: ArticleFacts) -> str:
    """The article's title (or id), linked to its URL where that is an http(s) URL; any
    other scheme (``javascript:``) is shown, never linked."""
    shown = esc(article.title or article.article_id)
    for url in (article.url, article.article_id):
        if url and url.lower().startswith(("http://", "https://")):
            return f'<a class="cc-article-link" href="{esc(url)}" rel="noopener noreferrer">{shown}</a>'
    return shown if article.title else f"<code>{shown}</code>"


def _thinnest_table(view: OutletView, caption: str) -> str:
    articles = view.thinnest.articles()[:SHOWN_ARTICLES]
    if not articles:
        return '<p class="cc-muted">No article has a scored claim.</p>'
    rows = [
        [
            article_link(a) + (f' <span class="cc-muted">(<code>{esc(a.article_id)}</code>)</span>' if a.title else ""),
            esc(month_label(a.month)),
            esc(", ".join(_flag_short(f) for f in a.flags)) or "–",
            num(a.score),
            f"{a.attributed} of {a.claims}",
        ]
        for a in articles
    ]
    head = ["article", "month", "flags", "mean score", "attributed claims"]
    return table(caption, head, rows, text_columns=3)


def _outlet_section(board: Dashboard, view: OutletView, months: list[str | None]) -> str:
    g = view.total
    anonymous = f"<strong>{pct(g.anonymous_share)}</strong> of attributed claims anonymous" + (
        f", a reason given for <strong>{pct(g.reason_share)}</strong> of them" if g.types["anonymous"] else ""
    )
    figures = (
        f'<p class="cc-figures"><strong>{g.articles:,}</strong> {_noun(g.articles, "article")} · '
        f"<strong>{g.claims:,}</strong> {_noun(g.claims, 'claim')} · "
        f"mean sourcing score <strong>{num(g.score_mean)}</strong> (spread {num(g.score_sd)}) · {anonymous} · "
        f"<strong>{g.articles_unsourced:,}</strong> {_noun(g.articles_unsourced, 'article')} citing no one</p>"
    )
    dated = [m for m in months if m in view.months]
    monthly = ""
    if board.has_months and dated:
        chart = charts.type_shares(
            [month_label(m) for m in dated],
            [view.months[m].type_counts() for m in dated],
            f"{view.name}: share of claims by source type, per month",
            horizontal=False,
        )
        monthly = "<h3>Month by month</h3>" + figure(
            chart, f"<details open><summary>The numbers</summary>{_month_table(view, dated)}</details>"
        )
    return (
        f'<section class="cc-outlet" data-outlet="{esc(view.key)}"><h2>{esc(view.name)}</h2>{figures}{monthly}'
        '<div class="cc-pair"><div><h3>Most cited sources</h3>'
        f"{_sources_table(view)}</div><div><h3>Flags raised</h3>"
        + flag_rows(view)
        + "</div></div><h3>Most thinly sourced articles</h3>"
        + _thinnest_table(view, f"{view.name}: the articles with the lowest mean sourcing score")
        + "</section>"
    )


def flag_rows(view: OutletView) -> str:
    g = view.total
    rows = [[esc(FLAG_LABELS[f]), _count_share(g.flags[f], g.articles)] for f in ROW_FLAGS]
    return table(f"{view.name}: articles raising each flag", ["flag", "articles"], rows)


def _filter(board: Dashboard, views: list[OutletView]) -> str:
    if len(views) < 2:
        return ""
    options = "".join(f'<option value="{esc(v.key)}">{esc(v.name)}</option>' for v in views)
    return (
        f'<div class="cc-filter"><label for="cc-filter">Show the sections of: </label>'
        f'<select id="cc-filter"><option value="">every {esc(board.by)}</option>{options}</select></div>'
    )


def _lede(board: Dashboard, sources: Sequence[str]) -> str:
    dated = [m for m in board.months() if m is not None]
    span = f", {dated[0]} to {dated[-1]}" if dated else ""
    outlets = [o for o in board.outlets if o is not None]
    many = f" from {len(outlets):,} {esc(board.by)}s" if outlets else ""
    read = ", ".join(f"<code>{esc(s)}</code>" for s in sources)
    return (
        f'<p class="lede"><strong>{board.total.claims:,}</strong> claims in <strong>{board.articles:,}</strong> '
        f"articles{many}{span}. Read from {read}.</p>"
    )


def render_dashboard(
    board: Dashboard,
    sources: Sequence[str] = (),
    title: str = "How the archive is sourced",
    top: int = 12,
    tables: Sequence[str] = (),
) -> str:
    """The whole page.

    Args:
        board: what :func:`claimcheck.dashboard.aggregate` added up.
        sources: the rows files, named in the page.
        top: the outlets shown one by one; the rest are shown together.
        tables: the aggregate tables written beside the page, named in its footer.
    """
    from claimcheck.version import __version__

    views = outlet_views(board, top)
    months = board.months()
    body = [f"<h1>{esc(title)}</h1>", _lede(board, sources), _how_to_read(board), _filter(board, views)]
    if len(views) > 1:
        body.append(_compare(board, views))
    if board.has_months:
        body.append(_over_time(board, views))
    body += [_outlet_section(board, v, months) for v in views]
    if len(views) > 1 and len(board.outlets) > 1:
        body.append(
            '<section class="cc-outlet" data-outlet="all"><h2>All articles</h2>'
            + _thinnest_table(
                OutletView(name="all", key="all", total=board.total, thinnest=board.all_thinnest),
                "The most thinly sourced articles of the whole archive",
            )
            + "</section>"
        )
    written = ", ".join(f"<code>{esc(t)}</code>" for t in tables)
    body.append(
        f"<footer><p>Made by claimcheck {esc(__version__)} from {board.rows:,} claim rows."
        + (f" The numbers of every group, for charting your own: {written}." if written else "")
        + "</p></footer>"
    )
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{esc(OFFLINE_CSP)}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)}</title><style>{CSS}</style></head>\n"
        f"<body><main>{''.join(body)}</main><script>{SCRIPT}</script></body></html>\n"
    )
