"""Wording every output shares (the table, markdown, HTML, the CLI): a count with its noun,
the quote-kind marks and the line that counts quote kinds. Here, not in one of the
renderers, so that none of them imports another for it."""

from __future__ import annotations

#: The table's mark for each quote kind: all the content quoted, some of it, none.
QUOTE_MARKS = {"direct": "“”", "partial": "(“”)", "indirect": "≈"}


def plural(n: int, noun: str) -> str:
    """ "1 claim", "2 claims", "0 claims": a count with its noun (a regular plural)."""
    return f"{n} {noun}{'' if n == 1 else 's'}"


def quote_line(counts: dict[str, int], marks: bool = False) -> str:
    """ "quotes in 3 attributions: 1 direct, 0 partial, 2 indirect" (``marks``: each kind
    followed by the table's mark, which the line explains); "" when no attribution has a
    content (or the report predates quote kinds)."""
    if not any(counts.values()):
        return ""
    kinds = ", ".join(f"{counts.get(k, 0)} {k}" + (f" {m}" if marks else "") for k, m in QUOTE_MARKS.items())
    return f"quotes in {plural(sum(counts.values()), 'attribution')}: {kinds}"
