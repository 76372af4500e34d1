"""Render article reports and eval results: JSON, JSON Lines, CSV, markdown, HTML and terminal tables."""

from __future__ import annotations

import csv
import io
import json
import os
import sys
from collections.abc import Sequence
from typing import Any, TextIO

from rich.console import Console
from rich.table import Table
from rich.text import Text

from claimcheck.data import ROLES, ArticleReport
from claimcheck.wording import QUOTE_MARKS, plural, quote_line

FORMATS = ("table", "json", "jsonl", "csv", "markdown", "html", "labels")
CSV_FIELDS = (
    "path",
    "start",
    "end",
    "type",
    "confidence",
    "score",
    "reasons",
    "source",
    "cue",
    "resolved_source",
    "text",
    "content",
    "quote_kind",
)


def source_and_cue(report: ArticleReport, att) -> str:
    """ "source (= resolved name) / cue" for a claim's attribution, "" when it has none."""
    if att is None:
        return ""
    who = att.text_of("source", report.text)
    if att.resolved_source and att.resolved_source != who:
        who += f" (= {att.resolved_source})"
    cue = att.text_of("cue", report.text)
    return who + (f" / {cue}" if cue else "")


def report_record(report: ArticleReport, path: str | None) -> dict[str, Any]:
    record = report.to_dict()
    if path is not None:
        record = {"path": path, **record}
    return record


def to_json(items: Sequence[tuple[str | None, ArticleReport]]) -> str:
    """A JSON list of records, one per article, also for one article: a script reads one
    shape however many files it passed (``to_jsonl`` gives one record a line)."""
    records = [report_record(r, p) for p, r in items]
    return json.dumps(records, ensure_ascii=False, indent=2) + "\n"


def to_jsonl(items: Sequence[tuple[str | None, ArticleReport]]) -> str:
    return "".join(json.dumps(report_record(r, p), ensure_ascii=False) + "\n" for p, r in items)


def to_labels(items: Sequence[tuple[str | None, ArticleReport]]) -> str:
    """Predictions in the labelled-example format, one article a line (``--format labels``)."""
    return "".join(json.dumps(r.to_example().to_dict(), ensure_ascii=False) + "\n" for _, r in items)


def claim_rows(report: ArticleReport) -> list[dict[str, Any]]:
    """One flat record per claim, in the article's order, typed (``None`` where a value is
    absent): ``claim_index`` (0-based), ``start``, ``end``, ``text``, ``type``, ``confidence``,
    ``score``, ``source`` and ``cue`` (their span text), ``resolved_source``, ``reasons``
    (the reason codes), ``content`` (the attribution's content, its pieces joined by a
    space; the whole of it, also where it runs over several claims) and its ``quote_kind``.
    The CSV format and ``claimcheck batch`` are both built on it."""
    rows = []
    for i, claim in enumerate(report.claims):
        att = report.attribution_of(claim)
        rows.append(
            {
                "claim_index": i,
                "start": claim.start,
                "end": claim.end,
                "text": claim.text,
                "type": claim.type,
                "confidence": claim.confidence,
                "score": claim.score,
                "source": att.text_of("source", report.text) if att and att.source else None,
                "cue": att.text_of("cue", report.text) if att and att.cue else None,
                "resolved_source": att.resolved_source if att else None,
                "reasons": [r.code for r in claim.reasons],
                "content": att.text_of("content", report.text) if att and att.content else None,
                "quote_kind": att.quote_kind if att else None,
            }
        )
    return rows


def to_csv(items: Sequence[tuple[str | None, ArticleReport]], header: bool = True) -> str:
    """One row per claim; ``header=False`` leaves out the header line (for rows appended
    to a CSV already started, as ``check`` streams them)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_FIELDS, lineterminator="\n")
    if header:
        writer.writeheader()
    for path, report in items:
        for row in claim_rows(report):
            writer.writerow(
                {
                    "path": path or "",
                    **{k: "" if row[k] is None else row[k] for k in CSV_FIELDS[1:] if k != "reasons"},
                    "reasons": ";".join(row["reasons"]),
                }
            )
    return out.getvalue()


def _md_cell(value: str, limit: int | None = None) -> str:
    """Text for a markdown table cell: one line, pipes and backslashes escaped."""
    value = " ".join(value.split())
    if limit is not None and len(value) > limit:
        value = value[: limit - 1].rstrip() + "…"
    return value.replace("\\", "\\\\").replace("|", "\\|")


def to_markdown(items: Sequence[tuple[str | None, ArticleReport]], claim_chars: int = 100) -> str:
    """A markdown report for tickets: per article a heading, the summary line and a
    table of claims (#, type, score, source / cue, the claim text truncated)."""
    parts = []
    for path, report in items:
        s = report.summary
        shares = ", ".join(f"{t} {n}" for t, n in s.type_counts.items() if n)
        score = "n/a" if s.sourcing_score is None else f"{s.sourcing_score:.2f}"
        lines = [
            f"## {_md_cell(path or report.id or 'article')}",
            "",
            f"**{plural(s.n_claims, 'claim')}** ({shares or 'none'}); sourcing score **{score}**"
            + (f"; {quotes}" if (quotes := quote_line(s.quote_counts)) else ""),
        ]
        if s.flags:
            lines += ["", *(f"- `{f.code}`: {_md_cell(f.text)}" for f in s.flags)]
        lines += ["", "| # | type | score | source / cue | claim |", "|---:|---|---:|---|---|"]
        for i, claim in enumerate(report.claims, start=1):
            who = source_and_cue(report, report.attribution_of(claim))
            score_cell = "" if claim.score is None else f"{claim.score:.2f}"
            lines.append(
                f"| {i} | {claim.type} | {score_cell} | {_md_cell(who)} | {_md_cell(claim.text, claim_chars)} |"
            )
        parts.append("\n".join(lines) + "\n")
    return "\n".join(parts)


#: Formats that ``check`` writes article by article (:func:`render_chunk`); ``json`` (one
#: object or a list) and ``html`` (one page) are rendered whole.
STREAMED_FORMATS = ("jsonl", "csv", "labels", "markdown")


def render_chunk(fmt: str, items: Sequence[tuple[str | None, ArticleReport]], first: bool) -> str:
    """Format ``fmt`` (one of :data:`STREAMED_FORMATS`) for some articles of a longer run:
    the chunks of a run, joined, are the rendering of all its articles at once.
    ``first``: whether these are the first articles written (the CSV header goes with them)."""
    if not items:
        return ""
    if fmt == "jsonl":
        return to_jsonl(items)
    if fmt == "labels":
        return to_labels(items)
    if fmt == "csv":
        return to_csv(items, header=first)
    if fmt == "markdown":
        return ("" if first else "\n") + to_markdown(items)
    raise ValueError(f"format {fmt!r} is not streamed (streamed: {', '.join(STREAMED_FORMATS)})")


def to_html(items: Sequence[tuple[str | None, ArticleReport]]) -> str:
    """One article: its self-contained page; several: one page, a section each."""
    from claimcheck.html import render_html_many

    return render_html_many(items)


_TYPE_STYLE = {
    "named_person": "bold green",
    "named_organization": "green",
    "publication": "cyan",
    "document": "blue",
    "anonymous": "yellow",
    "unnamed_group": "magenta",
    "unattributed": "dim",
}


def table_console(file: TextIO | None = None) -> Console:
    """The console a table is printed on: a terminal's own width; piped or to a file, $COLUMNS
    or else 100 (rich would take the width of whatever terminal stdin or stderr is, or 80)."""
    if (file or sys.stdout).isatty():
        return Console(file=file)
    columns = os.environ.get("COLUMNS", "")
    return Console(file=file, width=int(columns) if columns.isdigit() and int(columns) > 0 else 100)


def print_table(console: Console, path: str | None, report: ArticleReport, verbose: bool = False) -> None:
    """A per-claim table for the terminal that explains itself: each claim's score, its source
    and type (with its quote kind's mark), and under the claim the reason for its score (with
    ``verbose``: the whole claim, never cut, and all its reasons); then the article's summary,
    the marks explained, and its flags.

    Laid out for 80 columns: the type sits under the source rather than in a column of its
    own, so the source column is wide enough that names wrap between words, not truncate."""
    table = Table(title=path or report.id or "article", show_lines=True, expand=True)
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("score", justify="right", no_wrap=True)
    table.add_column("source / cue, type", ratio=2, min_width=18, overflow="fold")
    table.add_column("claim, and why it scores so", ratio=3, min_width=24, overflow="fold")
    for i, claim in enumerate(report.claims, start=1):
        att = report.attribution_of(claim)
        who = Text(source_and_cue(report, att))
        if who:
            who.append("\n")
        who.append(claim.type, style=_TYPE_STYLE.get(claim.type, ""))
        if att and att.quote_kind:
            who.append(f" {QUOTE_MARKS[att.quote_kind]}")
        text = claim.text if verbose or len(claim.text) <= 160 else claim.text[:157] + "..."
        why = Text(text)
        for r in claim.reasons if verbose else claim.reasons[:1]:
            why.append(f"\n→ {r.text}", style="italic")
            if verbose:
                why.append(f" ({r.code})", style="dim")
        table.add_row(str(i), "" if claim.score is None else f"{claim.score:.2f}", who, why)
    console.print(table)
    s = report.summary
    shares = ", ".join(f"{t} {n}" for t, n in s.type_counts.items() if n)
    score = "n/a" if s.sourcing_score is None else f"{s.sourcing_score:.2f}"
    line = Text.assemble((plural(s.n_claims, "claim"), "bold"), f" ({shares or 'none'}); sourcing score {score}")
    if quotes := quote_line(s.quote_counts, marks=True):
        line.append(f"; {quotes}")
    console.print(line)
    if s.flags:
        console.print(Text("flags:", style="bold yellow"))
        flags = Table.grid(padding=(0, 1))  # a hanging indent when a flag wraps
        flags.add_column(no_wrap=True)
        flags.add_column()
        for f in s.flags:
            flags.add_row("  !", Text.assemble((f.code, "yellow"), f": {f.text}"))
        console.print(flags)
    console.print()


def print_eval(console: Console, metrics: dict[str, Any]) -> None:
    """The headline figures of an eval run as tables."""
    spans = Table(title="spans (P / R / F1)")
    spans.add_column("role")
    spans.add_column("exact")
    spans.add_column("overlap")
    for role, m in metrics["spans"].items():
        spans.add_row(
            role,
            *(f"{m[k]['p']:.3f} / {m[k]['r']:.3f} / {m[k]['f1']:.3f}" for k in ("exact", "overlap")),
        )
    console.print(spans)
    if cofenet := metrics.get("cofenet"):
        table = Table(title="CofeNet's spans (P / R / F1)")
        table.add_column("role")
        table.add_column(f"exact, over {cofenet['n_instances']} paragraphs")
        for role in ROLES:
            c = cofenet[role]["exact"]
            table.add_row(role, f"{c['p']:.3f} / {c['r']:.3f} / {c['f1']:.3f}")
        console.print(table)
    summary = Table(title="types, claims, quality, speed")
    summary.add_column("metric")
    summary.add_column("value", justify="right")
    if metrics.get("types"):
        t = metrics["types"]
        summary.add_row("types.accuracy", f"{t['accuracy']:.3f}")
        summary.add_row("types.six_kind_macro_f1 (sources)", f"{t['six_kind_macro_f1']:.3f}")
        summary.add_row("types.macro_f1 (seven types)", f"{t['macro_f1']:.3f}")
        summary.add_row("types.ece", f"{t['ece']:.3f}")
    if metrics.get("claims"):
        c = metrics["claims"]
        summary.add_row("claims.accuracy", f"{c['accuracy']:.3f}")
        summary.add_row("claims.macro_f1", f"{c['macro_f1']:.3f}")
        if c.get("false_attribution_rate") is not None:
            summary.add_row(
                "claims.false_attribution_rate", f"{c['false_attribution_rate']:.3f} (n={c['n_unattributed']})"
            )
    if metrics.get("quality"):
        q = metrics["quality"]
        rho = "n/a" if q["spearman"] is None else f"{q['spearman']:.3f}"
        summary.add_row("quality.spearman", f"{rho} (n={q['n']})")
        if q.get("type_only_spearman") is not None:
            summary.add_row("quality.type_only_spearman", f"{q['type_only_spearman']:.3f}")
    sp = metrics["speed"]
    summary.add_row("speed.articles_per_s", f"{sp['articles_per_s']}")
    summary.add_row("speed.words_per_s", f"{sp['words_per_s']}")
    summary.add_row("n_articles / n_gold_attributions", f"{metrics['n_articles']} / {metrics['n_gold_attributions']}")
    console.print(summary)
