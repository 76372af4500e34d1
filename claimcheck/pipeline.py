"""The checker: article text in, :class:`~claimcheck.data.ArticleReport` out.

Example::

    from claimcheck import Checker

    checker = Checker.load()            # the shipped default model
    report = checker.check(article_text)
    for claim in report.claims:
        print(claim.type, claim.score, claim.text[:60])
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

from claimcheck.credibility import OutletRatings
from claimcheck.data import ArticleReport, Attribution, Claim
from claimcheck.models.registry import AttributionModel, load_model
from claimcheck.scoring import ScoringWeights, SourcingScorer, reason
from claimcheck.summary import summarize
from claimcheck.text import Sentence, split_sentences


def _overlap(ranges: list[tuple[int, int]], start: int, end: int) -> int:
    return sum(max(0, min(e, end) - max(s, start)) for s, e in ranges)


def claim_attribution(atts: list[Attribution], sent: Sentence) -> Attribution | None:
    """The attribution a sentence takes: the sourced one whose content covers most of
    it; failing that, a content-less one (a credit line) whose source is in it."""
    best, best_cover = None, 0
    for att in atts:
        if not att.source or att.type is None:
            continue
        cover = _overlap(att.content, sent.start, sent.end)
        if cover > best_cover:
            best, best_cover = att, cover
    if best is not None:
        return best
    for att in atts:
        if att.source and not att.content and att.type and _overlap(att.source, sent.start, sent.end):
            return att
    return None


class Checker:
    """Finds, types and scores the attributions of news articles.

    Args:
        model: an attribution model (see :mod:`claimcheck.models.registry`).
        scorer: the sourcing scorer; the shipped weights and outlet ratings by default.
    """

    def __init__(self, model: AttributionModel, scorer: SourcingScorer | None = None):
        self.model = model
        self.scorer = scorer or SourcingScorer()

    @classmethod
    def load(
        cls,
        model: str | Path | None = None,
        scoring: str | Path | None = None,
        ratings: Iterable[str | Path] = (),
    ) -> Checker:
        """Load a shipped model by name (default: the shipped default) or a model folder.

        Args:
            scoring: a scoring-weights YAML (default: the shipped ``scoring.yaml``).
            ratings: CSV files of outlet ratings that add to or override the shipped table.
        """
        weights = ScoringWeights.load(scoring) if scoring else None
        return cls(load_model(model), SourcingScorer(weights, OutletRatings.load(*ratings)))

    def check(self, text: str, id: str | None = None) -> ArticleReport:
        return self.check_many([text], ids=[id])[0]

    def check_many(
        self,
        texts: Iterable[str],
        ids: Iterable[str | None] | None = None,
        batch_size: int = 16,
        progress: Callable[[int], None] | None = None,
    ) -> list[ArticleReport]:
        """Check many articles, ``batch_size`` at a time; ``progress(n)`` after each batch."""
        texts = list(texts)
        ids = list(ids) if ids is not None else [None] * len(texts)
        reports: list[ArticleReport] = []
        for i in range(0, len(texts), batch_size):
            batch = texts[i : i + batch_size]
            predictions = self.model.predict(batch)
            for text, atts, art_id in zip(batch, predictions, ids[i : i + batch_size], strict=True):
                reports.append(self._report(text, atts, art_id))
            if progress:
                progress(len(batch))
        return reports

    def _report(self, text: str, atts: list[Attribution], art_id: str | None) -> ArticleReport:
        sentences = split_sentences(text)
        self.scorer.score_article(text, sentences, atts)
        claims = []
        for sent in sentences:
            att = claim_attribution(atts, sent)
            claims.append(
                Claim(
                    text=text[sent.start : sent.end],
                    start=sent.start,
                    end=sent.end,
                    type=att.type if att else "unattributed",
                    confidence=att.confidence if att else None,
                    score=att.score if att else None,
                    reasons=list(att.reasons) if att else [reason("unattributed")],
                    attribution=att.id if att else None,
                )
            )
        return ArticleReport(
            id=art_id, text=text, attributions=atts, claims=claims, summary=summarize(text, claims, atts)
        )
