"""Checking a batch of articles, and the JSON lines its rows and errors are written as."""

from __future__ import annotations

import json
from typing import Any

from claimcheck.batch.base import Article, ArticleResult
from claimcheck.formats import claim_rows
from claimcheck.pipeline import Checker


def check_articles(checker: Checker, articles: list[Article]) -> list[ArticleResult]:
    """Check articles together; if that fails, one at a time, so one bad article
    becomes an error of its own instead of failing its batch."""
    readable = [i for i, a in enumerate(articles) if a.error is None]
    rows: dict[int, list[bytes]] = {}
    errors = {i: a.error for i, a in enumerate(articles) if a.error is not None}
    if readable:
        texts, ids = [articles[i].text for i in readable], [articles[i].id for i in readable]
        for i, report in zip(readable, checker.check_each(texts, ids, len(readable)), strict=True):
            if isinstance(report, Exception):
                errors[i] = f"{articles[i].id}: the checker failed: {type(report).__name__}: {report}"
            else:
                rows[i] = _rows(articles[i].id, report, articles[i].fields or {})
    return [ArticleResult(a.key, a.id, rows.get(i), errors.get(i), a.fields) for i, a in enumerate(articles)]


def _rows(article_id: str, report, fields: dict[str, Any]) -> list[bytes]:
    """The claim rows, each with the article's fields after the claim's columns."""
    return [_line({"article_id": article_id, **row, **fields}) for row in claim_rows(report)]


def _line(record: dict[str, Any]) -> bytes:
    # a lone surrogate (an undecodable name in a checker's error) is written as its \uXXXX escape
    return (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8", "backslashreplace")
