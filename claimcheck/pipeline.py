"""The checker: article text in, :class:`~claimcheck.data.ArticleReport` out.

Example::

    from claimcheck import Checker

    checker = Checker.load()            # the shipped default model
    report = checker.check(article_text)
    for claim in report.claims:
        print(claim.type, claim.score, claim.text[:60])
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import NamedTuple

from claimcheck.credibility import OutletRatings
from claimcheck.data import ArticleReport, Attribution, Claim, number_attributions
from claimcheck.document import Document
from claimcheck.models.registry import AttributionModel, Precision, load_model
from claimcheck.quotes import quote_kind
from claimcheck.scoring import ScoringWeights, SourcingScorer, reason
from claimcheck.summary import summarize
from claimcheck.text import Sentence, split_segments

#: texts longer than this are run through the model in segments of at most this many
#: characters (cut at paragraph, line or sentence breaks): the model's memory and its
#: per-text linking stay bounded; shorter texts, every real article, go in whole
SEGMENT_CHARS = 40_000
#: characters before a segment that the model also sees (from a line or sentence start),
#: so that pronouns find their antecedents and the first sentence has its context
SEGMENT_CONTEXT_CHARS = 2_500
#: the most characters one ``model.predict`` call gets when texts are long (the tagger
#: keeps a vector per word piece of the call: about 1.5 MB per 1,000 characters)
CALL_CHARS = 120_000

_SURROGATE = re.compile("[\ud800-\udfff]")


def clean_text(text: str) -> str:
    """``text`` with lone surrogates (which no encoder or JSON writer accepts) replaced
    by U+FFFD, one character for one, so every offset stays the same."""
    if not isinstance(text, str):
        raise TypeError(f"article text must be str, not {type(text).__name__} (decode bytes with decode_article)")
    return _SURROGATE.sub("\ufffd", text)


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


def claim_attributions(atts: list[Attribution], sentences: list[Sentence]) -> list[Attribution | None]:
    """:func:`claim_attribution` for every sentence at once (sentences in order, not
    overlapping): each attribution is offered only to the sentences its ranges touch,
    found by bisection, so a long article costs n log n instead of sentences x attributions."""
    starts = [s.start for s in sentences]
    ends = [s.end for s in sentences]

    def touched(ranges: list[tuple[int, int]]) -> set[int]:
        out: set[int] = set()
        for start, end in ranges:
            out.update(range(bisect.bisect_right(ends, start), bisect.bisect_left(starts, end)))
        return out

    by_content: list[list[Attribution]] = [[] for _ in sentences]
    by_source: list[list[Attribution]] = [[] for _ in sentences]
    for att in atts:  # in order, so each sentence's candidates keep the attributions' order
        if not att.source or att.type is None:
            continue
        for k in touched(att.content):
            by_content[k].append(att)
        if not att.content:
            for k in touched(att.source):
                by_source[k].append(att)
    return [
        claim_attribution(content, sent) or claim_attribution(source, sent)
        for sent, content, source in zip(sentences, by_content, by_source, strict=True)
    ]


def make_claims(text: str, sentences: list[Sentence], atts: list[Attribution]) -> list[Claim]:
    """A claim for every sentence, typed and scored through the attribution it takes
    (:func:`claim_attributions`); ``unattributed`` where it takes none."""
    claims = []
    for sent, att in zip(sentences, claim_attributions(atts, sentences), strict=True):
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
    return claims


def _anchor(att: Attribution) -> int:
    """Where an attribution stands: its cue, else its source, else its content."""
    return (att.cue or att.source or att.content)[0][0]


def _shifted(att: Attribution, by: int) -> Attribution:
    moved = {role: [(s + by, e + by) for s, e in att.ranges(role)] for role in ("source", "cue", "content")}
    return att.model_copy(update=moved)


class _Piece(NamedTuple):
    """What one ``model.predict`` call gets of a text: ``text[view:end]``, of which the
    attributions anchored before ``keep`` belong to the segment before (``view`` to
    ``keep`` is lead-in context)."""

    text_index: int
    view: int
    keep: int
    end: int


def _pieces(index: int, text: str) -> list[_Piece]:
    if len(text) <= SEGMENT_CHARS:
        return [_Piece(index, 0, 0, len(text))]
    return [
        _Piece(index, view, start, end)
        for start, end, view in split_segments(text, SEGMENT_CHARS, SEGMENT_CONTEXT_CHARS)
    ]


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
        precision: Precision | str | None = None,
    ) -> Checker:
        """Load a shipped model by name (default: the shipped default) or a model folder.

        Args:
            scoring: a scoring-weights YAML (default: the shipped ``scoring.yaml``).
            ratings: CSV files of outlet ratings that add to or override the shipped table.
            precision: the fine-tuned model's arithmetic, a :class:`~claimcheck.models.registry.Precision`
                (default: the model's own setting, ``auto``: bf16 where the CPU has it); the
                baseline, which runs no network, refuses any.

        Raises:
            ClaimcheckError: a model, scoring file, ratings file or precision that cannot be used.
        """
        weights = ScoringWeights.load(scoring) if scoring else None
        loaded = load_model(model, precision=precision)
        return cls(loaded, SourcingScorer(weights, OutletRatings.load(*ratings)))

    def check(self, text: str, id: str | None = None) -> ArticleReport:
        return self.check_many([text], ids=[id])[0]

    def check_many(
        self,
        texts: Iterable[str],
        ids: Iterable[str | None] | None = None,
        batch_size: int = 16,
        progress: Callable[[int], None] | None = None,
    ) -> list[ArticleReport]:
        """Check many articles, ``batch_size`` at a time; ``progress(n)`` after each batch.

        Any text is accepted: empty, binary-looking, right-to-left, megabytes long. Lone
        surrogates become U+FFFD in the report's text (see :func:`clean_text`); texts
        over :data:`SEGMENT_CHARS` go through the model in segments.
        """
        texts = [clean_text(t) for t in texts]
        ids = list(ids) if ids is not None else [None] * len(texts)
        if len(ids) != len(texts):
            raise ValueError(f"{len(ids)} ids for {len(texts)} texts")
        if any(i is not None and not isinstance(i, str) for i in ids):
            raise TypeError("article ids must be str or None")  # before the model's work, not after
        ids = [None if i is None else clean_text(i) for i in ids]  # ids are written out as UTF-8 too
        docs = [Document(text, art_id) for text, art_id in zip(texts, ids, strict=True)]
        reports: list[ArticleReport] = []
        for i in range(0, len(docs), batch_size):
            batch = docs[i : i + batch_size]
            predictions = self._predict(batch, batch_size)
            for doc, atts in zip(batch, predictions, strict=True):
                reports.append(self._report(doc, atts))
            if progress:
                progress(len(batch))
        return reports

    def check_each(
        self, texts: Iterable[str], ids: Iterable[str | None] | None = None, batch_size: int = 16
    ) -> list[ArticleReport | Exception]:
        """:meth:`check_many`, except that an article the checker fails on gives its exception
        in its place instead of failing the others: a failing call is retried one article at a time."""
        texts = list(texts)
        ids = list(ids) if ids is not None else [None] * len(texts)
        try:
            return list(self.check_many(texts, ids, batch_size))
        except Exception:
            out: list[ArticleReport | Exception] = []
            for text, art_id in zip(texts, ids, strict=True):
                try:
                    out.append(self.check(text, art_id))
                except Exception as e:
                    out.append(e)
            return out

    def _predict(self, docs: list[Document], batch_size: int) -> list[list[Attribution]]:
        """``model.predict`` over the documents, long ones cut into segments whose
        attributions are shifted back to the whole text's offsets and numbered anew."""
        pieces = [piece for n, doc in enumerate(docs) for piece in _pieces(n, doc.text)]
        if len(pieces) == len(docs):  # nothing to cut: one call, as always
            return self.model.predict(docs)
        found: list[list[Attribution]] = [[] for _ in docs]
        call: list[_Piece] = []

        def run() -> None:
            views = [docs[p.text_index].text[p.view : p.end] for p in call]
            for piece, atts in zip(call, self.model.predict(views), strict=True):
                shifted = (_shifted(a, piece.view) if piece.view else a for a in atts)
                found[piece.text_index].extend(a for a in shifted if _anchor(a) >= piece.keep)
            call.clear()

        for piece in pieces:
            if call and (
                len(call) >= batch_size or sum(p.end - p.view for p in call) + piece.end - piece.view > CALL_CHARS
            ):
                run()
            call.append(piece)
        run()
        for atts in found:
            number_attributions(atts)
        return found

    def _report(self, doc: Document, atts: list[Attribution]) -> ArticleReport:
        for att in atts:
            att.quote_kind = quote_kind(doc, att.content, doc.quoted)
        self.scorer.score_article(doc, doc.sentences, atts)
        claims = make_claims(doc, doc.sentences, atts)
        return ArticleReport(
            id=doc.id, text=doc.text, attributions=atts, claims=claims, summary=summarize(doc, claims, atts)
        )
