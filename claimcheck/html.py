"""Render an :class:`~claimcheck.data.ArticleReport` as one self-contained HTML page.

The page has no external resources (inline CSS, a little inline JavaScript, an
inline SVG chart) and a Content-Security-Policy that forbids network access, so
it can be mailed, attached to a ticket or opened offline.

The article text is rebuilt from character offsets: the text is split at every
claim, source, cue and paragraph boundary, and each piece is written exactly
once, so the text content of the article element equals ``report.text``.
Paragraph breaks (blank lines) become ``<p>`` elements, other line breaks
``<br>``; the whitespace itself stays in the document.
"""

from __future__ import annotations

import html
import re
from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from itertools import pairwise
from typing import TypeVar

from claimcheck.data import ATTRIBUTION_TYPES, ArticleReport, Attribution, Claim
from claimcheck.text import PARAGRAPH_BREAK
from claimcheck.wording import plural, quote_line

#: One colour per type from Paul Tol's "light" scheme (https://personal.sron.nl/~pault/,
#: made for fills under black text and distinct for colour-blind readers); unattributed
#: takes the scheme's pale grey. Claims are filled with it, with a darker shade of it as
#: the bottom border. (Okabe-Ito's blue and sky blue, tinted, made named person and
#: document hard to tell apart; the type is also written after each claim.)
TYPE_COLOURS: dict[str, str] = {
    "named_person": "#77AADD",  # light blue
    "named_organization": "#44BB99",  # mint
    "anonymous": "#EE8866",  # orange
    "publication": "#FFAABB",  # pink
    "document": "#BBCC33",  # pear
    "unnamed_group": "#EEDD88",  # light yellow
    "unattributed": "#DDDDDD",  # pale grey
}

TYPE_DESCRIPTIONS: dict[str, str] = {
    "named_person": "a person named in the article",
    "named_organization": "a named organisation, agency, company or government",
    "anonymous": "specific people whose identity the article withholds",
    "publication": "another news outlet or its reporting",
    "document": "a report, study, poll, filing, letter or other document",
    "unnamed_group": "a vague group: experts, critics, some residents",
    "unattributed": "no source: the article asserts it itself",
}

QUOTE_TEXT: dict[str, str] = {
    "direct": "direct: the source's own words, all in quotation marks",
    "partial": "partial: reported speech with some words quoted",
    "indirect": "indirect: reported speech, nothing quoted",
}

#: For pages that never talk to a server.
OFFLINE_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:; base-uri 'none'"
)


def _shade(colour: str, k: float = 0.6) -> str:
    """``colour`` darkened (each channel times ``k``): borders and bar outlines."""
    return "#" + "".join(f"{round(int(colour[i : i + 2], 16) * k):02x}" for i in (1, 3, 5))


def _type_css() -> str:
    rules = []
    for t, colour in TYPE_COLOURS.items():
        rules.append(f".t-{t}{{background:{colour};border-bottom-color:{_shade(colour)}}}")
        rules.append(f".swatch.t-{t}{{background:{colour};border-color:{_shade(colour)}}}")
    return "\n".join(rules)


CSS = (
    """
:root{color-scheme:light}
body{font:16px/1.6 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;color:#1a1a1a;
  background:#fff;margin:0;padding:1.5rem}
main{max-width:52rem;margin:0 auto}
h1{font-size:1.5rem;margin:0 0 .75rem}
h2{font-size:1.2rem;margin:1.5rem 0 .5rem}
h3{font-size:1rem;margin:1rem 0 .4rem}
.cc-report+.cc-report{border-top:2px solid #ddd;margin-top:2rem;padding-top:.5rem}
.cc-summary .figures{margin:.25rem 0 .5rem}
.cc-summary .figures strong{font-size:1.15rem}
.cc-chart{display:block;max-width:100%;height:auto}
.cc-chart text{font:12px system-ui,sans-serif;fill:#1a1a1a}
.cc-flags{margin:.25rem 0;padding-left:1.25rem}
.cc-noflags{color:#555;margin:.25rem 0}
.cc-marks{font-size:.9rem;margin:.25rem 0 1rem}
.cc-legend{list-style:none;padding:0;margin:.25rem 0 .5rem;display:grid;grid-template-columns:repeat(auto-fill,minmax(17rem,1fr));
  gap:.25rem 1rem;font-size:.9rem}
.cc-legend li{display:flex;gap:.4rem;align-items:baseline}
.swatch{display:inline-block;width:.9rem;height:.9rem;border-radius:2px;flex:none;position:relative;top:.1rem;
  border:1px solid #0003}
code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:.9em}
.cc-article{font-size:1.05rem;line-height:1.9}
.cc-article p{margin:0 0 1rem}
.claim{border-bottom:3px solid;border-radius:2px;padding:1px 0;cursor:pointer;
  -webkit-box-decoration-break:clone;box-decoration-break:clone}
.claim[data-badge]::after{content:attr(data-badge);display:inline-block;margin-left:.3em;padding:0 .3em;
  border:1px solid #555;border-radius:3px;background:#fff;color:#1a1a1a;font:600 .75rem/1.4 system-ui,sans-serif;
  white-space:nowrap;vertical-align:.1em}
.claim:hover{filter:brightness(.95)}
.claim:focus{outline:none}
.claim:focus-visible,.claim.active{outline:2px solid #1a1a1a;outline-offset:1px}
.src{font-weight:700;text-decoration:underline solid 2px;text-underline-offset:3px}
.cue{font-style:italic;text-decoration:underline dotted 2px;text-underline-offset:3px}
.src.cue{text-decoration-style:double}
.src.linked,.cue.linked{background:#ffffffb3;box-shadow:0 0 0 1px #1a1a1a}
.cc-pop{position:absolute;z-index:10;max-width:26rem;background:#fff;color:#1a1a1a;border:1px solid #888;border-radius:6px;
  box-shadow:0 4px 16px #0003;padding:.5rem .75rem;font-size:.9rem;line-height:1.4}
.cc-pop[hidden]{display:none}
.cc-pop p{margin:.2rem 0}
.cc-pop dl{display:grid;grid-template-columns:auto 1fr;gap:.1rem .6rem;margin:.3rem 0}
.cc-pop dt{font-weight:600}
.cc-pop dd{margin:0}
.cc-pop ul{margin:.3rem 0;padding-left:1.1rem}
.cc-pop .close{float:right;border:0;background:none;font-size:1.1rem;cursor:pointer;line-height:1}
.cc-hint{color:#555;font-size:.85rem;margin:0 0 .75rem}
@media print{.claim,.swatch,.cc-chart{-webkit-print-color-adjust:exact;print-color-adjust:exact}
  .cc-hint,.cc-pop{display:none}}
"""
    + _type_css()
    + "\n"
)

#: Popover behaviour, by event delegation so that it also works for fragments
#: inserted later (the service's page).
SCRIPT = """
(function () {
  if (window.ccPopover) return;
  var current = null;
  function pop() { return document.getElementById('cc-pop'); }
  function linked(el, on) {
    var id = el.id;
    document.querySelectorAll('[data-src~="' + id + '"],[data-cue~="' + id + '"]').forEach(function (s) {
      s.classList.toggle('linked', on);
    });
  }
  function hide() {
    var p = pop();
    if (p) p.hidden = true;
    if (current) {
      current.classList.remove('active');
      current.setAttribute('aria-expanded', 'false');
      current.removeAttribute('aria-describedby');
      linked(current, false);
    }
    current = null;
  }
  function show(el) {
    var p = pop();
    if (!p) return;
    if (current && current !== el) hide();
    var d = document.getElementById(el.getAttribute('data-details'));
    p.innerHTML = '<button type="button" class="close" aria-label="Close details">\\u00d7</button>' +
      (d ? d.innerHTML : '');
    p.hidden = false;
    var r = el.getBoundingClientRect();
    var width = document.documentElement.clientWidth;
    var left = Math.max(8, Math.min(window.scrollX + r.left, window.scrollX + width - p.offsetWidth - 8));
    p.style.left = left + 'px';
    p.style.top = (window.scrollY + r.bottom + 6) + 'px';
    current = el;
    el.classList.add('active');
    el.setAttribute('aria-expanded', 'true');
    el.setAttribute('aria-describedby', 'cc-pop');
    linked(el, true);
  }
  function claimOf(node) { return node && node.closest ? node.closest('.claim') : null; }
  document.addEventListener('focusin', function (e) {
    var c = claimOf(e.target);
    if (c) show(c);
  });
  document.addEventListener('focusout', function (e) {
    var to = e.relatedTarget;
    if (!claimOf(to) && !(to && to.closest && to.closest('#cc-pop'))) hide();
  });
  document.addEventListener('click', function (e) {
    var c = claimOf(e.target);
    if (c) { show(c); c.focus(); return; }
    if (e.target.closest && e.target.closest('#cc-pop .close')) {
      var back = current; hide(); if (back) back.focus(); return;
    }
    if (!(e.target.closest && e.target.closest('#cc-pop'))) hide();
  });
  document.addEventListener('keydown', function (e) {
    if (e.key === 'Escape') { hide(); return; }
    var c = claimOf(e.target);
    if (c && (e.key === 'Enter' || e.key === ' ')) {
      e.preventDefault();
      if (current === c) hide(); else show(c);
    }
  });
  window.ccPopover = { show: show, hide: hide };
})();
"""


def _esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def _label(type_: str) -> str:
    return type_.replace("_", " ")


def _fmt(score: float | None) -> str:
    return "n/a" if score is None else f"{score:.2f}"


def _truncate(text: str, n: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


# ----------------------------------------------------------------- summary


def _chart(report: ArticleReport, prefix: str) -> str:
    s = report.summary
    total = s.n_claims or 1
    row, label_w, bar_w, value_w = 22, 140, 250, 80
    width, height = label_w + bar_w + value_w, row * len(ATTRIBUTION_TYPES) + 4
    parts = [
        f'<svg class="cc-chart" role="img" aria-labelledby="{prefix}-chart-title" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}">',
        f'<title id="{prefix}-chart-title">Share of claims by type</title>',
    ]
    for i, t in enumerate(ATTRIBUTION_TYPES):
        n = s.type_counts.get(t, 0)
        share = n / total
        y = i * row + 2
        colour = TYPE_COLOURS[t]
        parts.append(
            f'<g data-type="{t}"><title>{_esc(_label(t))}: {n} of {plural(s.n_claims, "claim")}</title>'
            f'<text x="{label_w - 6}" y="{y + 14}" text-anchor="end">{_esc(_label(t))}</text>'
            f'<rect x="{label_w}" y="{y + 3}" width="{bar_w}" height="14" fill="#f0f0f0"/>'
            f'<rect x="{label_w}" y="{y + 3}" width="{share * bar_w:.1f}" height="14" fill="{colour}" '
            f'stroke="{_shade(colour)}"/>'
            f'<text x="{label_w + bar_w + 6}" y="{y + 14}">{n} · {share:.0%}</text></g>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _summary(report: ArticleReport, prefix: str) -> str:
    s = report.summary
    count, noun = plural(s.n_claims, "claim").split(" ", 1)
    flags = (
        '<ul class="cc-flags">'
        + "".join(f"<li><code>{_esc(f.code)}</code> {_esc(f.text)}</li>" for f in s.flags)
        + "</ul>"
        if s.flags
        else '<p class="cc-noflags">No flags.</p>'
    )
    return (
        '<section class="cc-summary" aria-label="Summary">'
        f'<p class="figures"><strong>{count}</strong> {noun} · sourcing score '
        f"<strong>{_fmt(s.sourcing_score)}</strong>"
        + (f" · {_esc(quotes)}" if (quotes := quote_line(s.quote_counts)) else "")
        + "</p>"
        f"{_chart(report, prefix)}"
        f"<h3>Flags</h3>{flags}</section>"
    )


def legend() -> str:
    """The seven types with their colours, and the source and cue marks."""
    items = "".join(
        f'<li data-type="{t}"><span class="swatch t-{t}" aria-hidden="true"></span>'
        f"<span><code>{t}</code>: {_esc(TYPE_DESCRIPTIONS[t])}</span></li>"
        for t in ATTRIBUTION_TYPES
    )
    marks = (
        '<p class="cc-marks"><span class="src">source</span>: who is cited (bold, underlined) · '
        '<span class="cue">cue</span>: the attributing words (italic, dotted underline) · '
        "after each sourced claim, its type and sourcing score</p>"
    )
    return (
        f'<div class="cc-legend-box"><h3>Legend</h3><ul class="cc-legend" aria-label="Legend">{items}</ul>{marks}</div>'
    )


# ----------------------------------------------------------------- article


def _details(claim: Claim, i: int, att: Attribution | None, text: str) -> str:
    rows = []
    if att is not None:
        source = att.text_of("source", text)
        if att.resolved_source and att.resolved_source != source:
            source += f" (= {att.resolved_source})"
        rows.append(("Source", source))
        rows.append(("Cue", att.text_of("cue", text)))
        if att.quote_kind:
            rows.append(("Quote", QUOTE_TEXT[att.quote_kind]))
    if claim.confidence is not None:
        rows.append(("Confidence", f"{claim.confidence:.2f}"))
    dl = "".join(f"<dt>{_esc(k)}</dt><dd>{_esc(v) or '—'}</dd>" for k, v in rows)
    reasons = "".join(f"<li><code>{_esc(r.code)}</code> {_esc(r.text)}</li>" for r in claim.reasons)
    return (
        f'<p><span class="swatch t-{claim.type}" aria-hidden="true"></span> <strong>Claim {i}: '
        f"{_esc(_label(claim.type))}</strong> · score <strong>{_fmt(claim.score)}</strong></p>"
        + (f"<dl>{dl}</dl>" if dl else "")
        + (f'<ul class="reasons">{reasons}</ul>' if reasons else "")
    )


def _title_attr(claim: Claim, att: Attribution | None, text: str) -> str:
    lines = [f"{_label(claim.type)} · score {_fmt(claim.score)}"]
    if att is not None:
        who = att.text_of("source", text)
        if att.resolved_source and att.resolved_source != who:
            who += f" (= {att.resolved_source})"
        cue = att.text_of("cue", text)
        lines.append(f"source: {who}" + (f" · cue: {cue}" if cue else ""))
        if att.quote_kind:
            lines.append(f"quote: {QUOTE_TEXT[att.quote_kind]}")
    lines += [f"{r.code}: {r.text}" for r in claim.reasons]
    return "\n".join(lines)


#: A claim as shown: its start and end (clipped to the text and to the claim before it),
#: its number from 1 in the report's order, and the claim.
_Shown = tuple[int, int, int, Claim]
#: Where source and cue marks open and close: offset -> [(role, claim element id)].
_Marks = dict[int, list[tuple[str, str]]]
_Span = TypeVar("_Span", bound=tuple)


def _article(report: ArticleReport, prefix: str) -> tuple[str, str]:
    """The article markup and the hidden per-claim details."""
    text = report.text
    atts = report.attribution_of  # claim -> its attribution
    claims = _shown_claims(report, len(text))
    seps = _paragraph_breaks(text, claims)
    opens, closes = _role_marks(claims, atts, prefix, len(text))
    markup = _markup(text, claims, seps, opens, closes, prefix, atts)
    details = "".join(
        f'<div id="{prefix}-d{i}">{_details(claim, i, atts(claim), text)}</div>' for _, _, i, claim in claims
    )
    return markup, details


def _shown_claims(report: ArticleReport, n: int) -> list[_Shown]:
    """The claims, sorted; an overlapping claim is clipped to where the previous one ends,
    and one left empty is not shown."""
    claims: list[_Shown] = []
    last = 0
    for i, claim in sorted(enumerate(report.claims, start=1), key=lambda x: (x[1].start, x[1].end)):
        start, end = max(claim.start, last, 0), min(claim.end, n)
        if start < end:
            claims.append((start, end, i, claim))
            last = end
    return claims


def _covering(spans: Sequence[_Span], starts: list[int], pos: int) -> _Span | None:
    """The span of ``spans`` (sorted, not overlapping; ``starts`` their starts) that holds ``pos``, or ``None``."""
    k = bisect_right(starts, pos) - 1
    return spans[k] if k >= 0 and spans[k][1] > pos else None


def _paragraph_breaks(text: str, claims: list[_Shown]) -> list[tuple[int, int]]:
    """Paragraph breaks: blank-line runs and the text's edges, unless inside a claim;
    touching runs merged."""
    n, starts = len(text), [c[0] for c in claims]
    seps: list[tuple[int, int]] = []
    candidates = [(m.start(), m.end()) for m in PARAGRAPH_BREAK.finditer(text)]
    if m := re.match(r"\s+", text):
        candidates.insert(0, (0, m.end()))
    if m := re.search(r"\s+\Z", text):
        candidates.append((m.start(), n))
    for a, b in candidates:
        k = bisect_right(starts, b - 1) - 1
        if k >= 0 and claims[k][1] > a:  # the run touches a claim
            continue
        if seps and a <= seps[-1][1]:
            seps[-1] = (seps[-1][0], max(b, seps[-1][1]))
        else:
            seps.append((a, b))
    return seps


def _role_marks(
    claims: list[_Shown], atts: Callable[[Claim], Attribution | None], prefix: str, n: int
) -> tuple[_Marks, _Marks]:
    """Where the source and cue marks of each shown claim's attribution open and close."""
    opens: _Marks = defaultdict(list)
    closes: _Marks = defaultdict(list)
    for _, _, i, claim in claims:
        att = atts(claim)
        if att is None:
            continue
        for role in ("source", "cue"):
            for s, e in att.ranges(role):
                s, e = max(0, s), min(n, e)
                if s < e:
                    opens[s].append((role, f"{prefix}-c{i}"))
                    closes[e].append((role, f"{prefix}-c{i}"))
    return opens, closes


def _markup(
    text: str,
    claims: list[_Shown],
    seps: list[tuple[int, int]],
    opens: _Marks,
    closes: _Marks,
    prefix: str,
    atts: Callable[[Claim], Attribution | None],
) -> str:
    """The article as paragraphs, cut at every claim, mark and break boundary: each piece
    inside its claim's span, with the source and cue marks that cover it."""
    claim_starts, sep_starts = [c[0] for c in claims], [a for a, _ in seps]
    points = sorted({0, len(text), *opens, *closes, *(x for c in claims for x in c[:2]), *(x for s in seps for x in s)})
    out: list[str] = []
    active: Counter[tuple[str, str]] = Counter()
    in_p = False
    open_claim: int | None = None
    for a, b in pairwise(points):
        for key in closes.get(a, ()):
            active[key] -= 1
            if active[key] <= 0:
                del active[key]  # keeps the per-piece scan short on long articles
        for key in opens.get(a, ()):
            active[key] += 1
        piece = text[a:b]
        if _covering(seps, sep_starts, a) is not None:
            if open_claim is not None:
                out.append("</span>")
                open_claim = None
            if in_p:
                out.append("</p>")
                in_p = False
            out.append(_esc(piece))
            continue
        if not in_p:
            out.append("<p>")
            in_p = True
        found = _covering(claims, claim_starts, a)
        idx = found[2] if found else None
        if idx != open_claim:
            if open_claim is not None:
                out.append("</span>")
            if found is not None:
                out.append(_claim_open(found[3], idx, prefix, atts(found[3]), text))
            open_claim = idx
        out.append(_role_span(_esc(piece).replace("\n", "<br>\n"), active))
    if open_claim is not None:
        out.append("</span>")
    if in_p:
        out.append("</p>")
    return "".join(out)


def _role_span(body: str, active: Counter[tuple[str, str]]) -> str:
    """``body`` inside a span that names the claims whose source or cue covers it, if any."""
    roles = {role: sorted({cid for (r, cid), k in active.items() if k > 0 and r == role}) for role in ("source", "cue")}
    if roles["source"] or roles["cue"]:
        classes = " ".join(c for c, role in (("src", "source"), ("cue", "cue")) if roles[role])
        data = "".join(
            f' data-{c}="{" ".join(roles[role])}"' for c, role in (("src", "source"), ("cue", "cue")) if roles[role]
        )
        body = f'<span class="{classes}"{data}>{body}</span>'
    return body


def badge(claim: Claim) -> str | None:
    """What is written after an attributed claim, so that a printout or a screenshot keeps
    it and colour is never the only sign of the type: "named person 0.75". ``None`` for an
    unattributed claim (no source, no score): its lack of a badge sets it apart."""
    if claim.type == "unattributed":
        return None
    return _label(claim.type) + ("" if claim.score is None else f" {claim.score:.2f}")


def _claim_open(claim: Claim, i: int, prefix: str, att: Attribution | None, text: str) -> str:
    aria = f"Claim {i}: {_label(claim.type)}, score {_fmt(claim.score)}. {_truncate(claim.text, 120)}"
    shown = badge(claim)
    return (
        f'<span class="claim t-{claim.type}" id="{prefix}-c{i}" data-claim="{i}" data-type="{claim.type}" '
        f'data-score="{"" if claim.score is None else claim.score}" data-details="{prefix}-d{i}" tabindex="0" '
        + ("" if shown is None else f'data-badge="{_esc(shown)}" ')
        + f'role="button" aria-expanded="false" aria-label="{_esc(aria)}" title="{_esc(_title_attr(claim, att, text))}">'
    )


# ----------------------------------------------------------------- pages


def render_fragment(
    report: ArticleReport, prefix: str = "a0", heading: str | None = None, with_legend: bool = True
) -> str:
    """One article's section: summary, legend, highlighted text; for a page that
    carries :data:`CSS`, :data:`SCRIPT` and a ``#cc-pop`` element (see :func:`render_page`).

    Args:
        prefix: makes element ids unique when a page holds several articles.
        heading: an ``<h2>`` above the article, if given.
    """
    body, details = _article(report, prefix)
    return (
        f'<section class="cc-report" id="{prefix}" data-article="{_esc(report.id or "")}">'
        + (f"<h2>{_esc(heading)}</h2>" if heading else "")
        + _summary(report, prefix)
        + (legend() if with_legend else "")
        + '<p class="cc-hint">Each sourced sentence ends with its type and score. Hover over it, or focus it '
        "with Tab and press Enter, for its source, cue and reasons.</p>"
        + f'<div class="cc-article" id="{prefix}-text">{body}</div>'
        + f'<div class="cc-details" hidden>{details}</div>'
        + "</section>"
    )


def render_page(body: str, title: str, csp: str = OFFLINE_CSP) -> str:
    """A complete page around ``body`` with the shared CSS, popover and script."""
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{_esc(csp)}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_esc(title)}</title><style>{CSS}</style></head>\n"
        f"<body><main>{body}</main>"
        '<div id="cc-pop" class="cc-pop" role="dialog" aria-label="Claim details" tabindex="-1" hidden></div>'
        f"<script>{SCRIPT}</script></body></html>\n"
    )


def render_html(report: ArticleReport, title: str | None = None) -> str:
    """The report as one self-contained HTML page.

    Args:
        report: what :meth:`claimcheck.Checker.check` returned.
        title: the page heading; the report's id by default.
    """
    title = title or report.id or "claimcheck report"
    return render_page(f"<h1>{_esc(title)}</h1>" + render_fragment(report), f"claimcheck: {title}")


def render_html_many(items: Sequence[tuple[str | None, ArticleReport]], title: str | None = None) -> str:
    """Several reports on one self-contained page, one section each, headed by the
    path (or the report's id); the legend once at the top."""
    if len(items) == 1:
        path, report = items[0]
        return render_html(report, title=title or path)
    title = title or f"claimcheck report: {len(items)} articles"
    sections = "".join(
        render_fragment(report, prefix=f"a{k}", heading=path or report.id or f"article {k + 1}", with_legend=False)
        for k, (path, report) in enumerate(items)
    )
    return render_page(f"<h1>{_esc(title)}</h1>{legend()}{sections}", title)
