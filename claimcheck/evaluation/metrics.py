"""Evaluation metrics for attribution predictions against labelled examples.

Pure functions that return dicts (nothing is printed). Every precision, recall,
F1, accuracy and rank correlation comes from scikit-learn or scipy; this module
only builds the label vectors they are called on.

``gold`` and ``pred`` are parallel lists: gold items are
:class:`claimcheck.data.LabelledExample`-like and predictions are
:class:`claimcheck.data.ArticleReport`-like (anything with ``.text``,
``.attributions`` and ``.claims``).
"""

from __future__ import annotations

import re
import warnings
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Sequence
from itertools import groupby
from typing import Any, NamedTuple

import numpy as np
from scipy.stats import spearmanr
from sklearn.metrics import (
    accuracy_score,
    classification_report,
    confusion_matrix,
    f1_score,
    precision_recall_fscore_support,
)

from claimcheck.data import ATTRIBUTION_TYPES, ROLES
from claimcheck.pipeline import claim_attributions
from claimcheck.text import split_paragraphs, split_sentences, tokenize

UNATTRIBUTED = "unattributed"
N_BINS = 10
#: Characters trimmed from both edges of every range before spans are compared.
TRIM_CHARS = frozenset(" \t\n\r\f\v\u00a0" + "\"'“”‘’«»" + ".,;:!?()[]—–-")

Span = frozenset[int]


def _r(value: float) -> float:
    return round(float(value), 4)


# --------------------------------------------------------------------------- spans


def span_chars(ranges: Iterable[Sequence[int]], text: str) -> Span:
    """Character indices covered by ``ranges``, each range trimmed of edge quotes, punctuation and space."""
    chars: set[int] = set()
    for start, end in ranges:
        start, end = max(0, int(start)), min(len(text), int(end))
        while start < end and (text[start] in TRIM_CHARS or text[start].isspace()):
            start += 1
        while end > start and (text[end - 1] in TRIM_CHARS or text[end - 1].isspace()):
            end -= 1
        chars.update(range(start, end))
    return frozenset(chars)


def match_spans(gold: Sequence[Span], pred: Sequence[Span]) -> list[tuple[int, int]]:
    """Greedy one-to-one matching of overlapping spans, largest overlap first.

    Ties are broken by gold index, then prediction index. Returns ``(gold_index,
    pred_index)`` pairs sorted by gold index.
    """
    candidates = []
    for i, g in enumerate(gold):
        for j, p in enumerate(pred):
            overlap = len(g & p)
            if overlap:
                candidates.append((-overlap, i, j))
    candidates.sort()
    used_gold: set[int] = set()
    used_pred: set[int] = set()
    pairs = []
    for _, i, j in candidates:
        if i in used_gold or j in used_pred:
            continue
        used_gold.add(i)
        used_pred.add(j)
        pairs.append((i, j))
    return sorted(pairs)


def _role_spans(example: Any, role: str) -> list[Span]:
    """Non-empty, deduplicated span_chars of one role, in attribution order."""
    spans: list[Span] = []
    seen: set[Span] = set()
    for att in example.attributions:
        span = span_chars(getattr(att, role), example.text)
        if span and span not in seen:
            seen.add(span)
            spans.append(span)
    return spans


def _prf(y_true: list[int], y_pred: list[int]) -> dict[str, float]:
    if not y_true:  # no spans on either side: nothing to score
        return {"p": 0.0, "r": 0.0, "f1": 0.0}
    p, r, f1, _ = precision_recall_fscore_support(y_true, y_pred, average="binary", pos_label=1, zero_division=0)
    return {"p": _r(p), "r": _r(r), "f1": _r(f1)}


def span_scores(gold: Sequence[Any], pred: Sequence[Any]) -> dict[str, dict[str, dict[str, float]]]:
    """Exact and overlap span P/R/F1 for each role (source, cue, content)."""
    _check_parallel(gold, pred)
    result: dict[str, dict[str, dict[str, float]]] = {}
    for role in ROLES:
        vectors = {"exact": ([], []), "overlap": ([], [])}
        for g_ex, p_ex in zip(gold, pred, strict=False):
            g_spans, p_spans = _role_spans(g_ex, role), _role_spans(p_ex, role)
            pairs = match_spans(g_spans, p_spans)
            n_unmatched = (len(g_spans) - len(pairs), len(p_spans) - len(pairs))
            for mode, (y_true, y_pred) in vectors.items():
                for i, j in pairs:
                    if mode == "overlap" or g_spans[i] == p_spans[j]:
                        y_true.append(1)
                        y_pred.append(1)
                    else:  # an inexact match is both a miss and a false alarm
                        y_true.extend([1, 0])
                        y_pred.extend([0, 1])
                y_true.extend([1] * n_unmatched[0] + [0] * n_unmatched[1])
                y_pred.extend([0] * n_unmatched[0] + [1] * n_unmatched[1])
        result[role] = {mode: _prf(*vectors[mode]) for mode in ("exact", "overlap")}
    return result


# --------------------------------------------------------------------------- CofeNet spans

_WORD = re.compile(r"\w")
#: A span as CofeNet counts it: ``(paragraph, first token, last token)``, token indices in the article.
TokenSpan = tuple[int, int, int]


class _Tokens(NamedTuple):
    """The tokens of one text: their offsets, whether each is a word, and its paragraph."""

    starts: list[int]
    ends: list[int]
    is_word: list[bool]
    paragraph: list[int]


def _tokens(text: str) -> _Tokens:
    """``tokenize``'s tokens of ``text``, each marked as a word or a punctuation mark, with its paragraph."""
    para_starts = [start for start, _ in split_paragraphs(text)]
    tokens = tokenize(text)
    return _Tokens(
        [t.start for t in tokens],
        [t.end for t in tokens],
        [bool(_WORD.match(t.text)) for t in tokens],
        [bisect_right(para_starts, t.start) - 1 for t in tokens],
    )


def token_spans(ranges: Iterable[Sequence[int]], tokens: _Tokens) -> set[TokenSpan]:
    """CofeNet's spans of ``ranges``: each range cut where a paragraph ends, each piece as
    the first to last word it overlaps (the first to last punctuation mark where it
    overlaps no word, as a cue ':' does); a piece over no token gives none."""
    spans: set[TokenSpan] = set()
    for start, end in ranges:
        first = bisect_right(tokens.ends, start)  # the first token ending after ``start``
        last = bisect_left(tokens.starts, end) - 1  # the last token starting before ``end``
        for para, run in groupby(range(first, last + 1), key=tokens.paragraph.__getitem__):
            piece = list(run)
            words = [k for k in piece if tokens.is_word[k]] or piece
            spans.add((para, words[0], words[-1]))
    return spans


def cofenet_span_scores(gold: Sequence[Any], pred: Sequence[Any]) -> dict[str, Any]:
    """Exact span P/R/F1 per role as CofeNet (Wang et al., COLING 2022) scores PolNeAR.

    Each paragraph of an article (text between blank lines) is one instance. Every span
    of a role is cut at paragraph boundaries and into its ranges, so a content over two
    paragraphs, or in two pieces, is two spans. Spans are compared on tokens
    (``claimcheck.text.tokenize``): a span is the first and last word it overlaps
    (punctuation marks only where it holds no word), and two spans match when their
    first and last tokens are the same, so spaces, punctuation and part-words at the
    edges do not count but a missing word does. Identical
    spans within an article count once. A gold span with a prediction of the same tokens
    is a true positive, the rest of either side a miss or a false alarm; counts are
    summed over all instances of all articles (micro-average). ``n_instances``: the
    paragraphs.
    """
    _check_parallel(gold, pred)
    vectors: dict[str, tuple[list[int], list[int]]] = {role: ([], []) for role in ROLES}
    for g_ex, p_ex in zip(gold, pred, strict=True):
        g_tokens = _tokens(g_ex.text)
        p_tokens = g_tokens if p_ex.text == g_ex.text else _tokens(p_ex.text)
        for role, (y_true, y_pred) in vectors.items():
            g = set().union(*(token_spans(getattr(att, role), g_tokens) for att in g_ex.attributions))
            p = set().union(*(token_spans(getattr(att, role), p_tokens) for att in p_ex.attributions))
            hits, misses, false_alarms = len(g & p), len(g - p), len(p - g)
            y_true.extend([1] * (hits + misses) + [0] * false_alarms)
            y_pred.extend([1] * hits + [0] * misses + [1] * false_alarms)
    result: dict[str, Any] = {role: {"exact": _prf(*vectors[role])} for role in ROLES}
    result["n_instances"] = sum(len(split_paragraphs(ex.text)) for ex in gold)
    return result


# --------------------------------------------------------------------------- pairing


def pair_attributions(gold_ex: Any, pred_report: Any) -> list[tuple[Any, Any | None]]:
    """Pair each gold attribution with at most one predicted attribution.

    First a greedy one-to-one matching on source spans (largest overlap first);
    gold attributions left unpaired are then matched on content spans against the
    predictions not yet used. Returns ``(gold_att, pred_att or None)`` in gold order.
    """
    g_atts, p_atts = list(gold_ex.attributions), list(pred_report.attributions)
    paired: dict[int, int] = {}
    for role in ("source", "content"):
        g_idx = [i for i in range(len(g_atts)) if i not in paired]
        used = set(paired.values())
        p_idx = [j for j in range(len(p_atts)) if j not in used]
        g_spans = [span_chars(getattr(g_atts[i], role), gold_ex.text) for i in g_idx]
        p_spans = [span_chars(getattr(p_atts[j], role), pred_report.text) for j in p_idx]
        for a, b in match_spans(g_spans, p_spans):
            paired[g_idx[a]] = p_idx[b]
    return [(att, p_atts[paired[i]] if i in paired else None) for i, att in enumerate(g_atts)]


# --------------------------------------------------------------------------- types


def _label_order(labels: Iterable[str]) -> list[str]:
    present = set(labels)
    known = [t for t in ATTRIBUTION_TYPES if t in present]
    return known + sorted(present - set(known))


def _per_class(y_true: list[str], y_pred: list[str], labels: list[str]) -> dict[str, dict[str, float]]:
    report = classification_report(y_true, y_pred, labels=labels, output_dict=True, zero_division=0)
    return {
        label: {
            "precision": _r(report[label]["precision"]),
            "recall": _r(report[label]["recall"]),
            "f1": _r(report[label]["f1-score"]),
            "support": int(report[label]["support"]),
        }
        for label in labels
    }


def calibration(confidence: Sequence[float], correct: Sequence[bool], n_bins: int = N_BINS) -> dict[str, Any]:
    """Expected calibration error and reliability table over equal-width bins.

    Bins are ``(lo, hi]`` except the first, ``[0, hi]`` (the binning of
    ``sklearn.calibration.calibration_curve``). ECE is the mean over bins of
    ``|accuracy - mean confidence|`` weighted by the bin's share of items.
    """
    conf = np.clip(np.asarray(confidence, dtype=float), 0.0, 1.0)
    hit = np.asarray(correct, dtype=float)
    if conf.size == 0:
        return {"ece": 0.0, "reliability": []}
    edges = np.linspace(0.0, 1.0, n_bins + 1)
    bin_ids = np.searchsorted(edges[1:-1], conf)
    counts = np.bincount(bin_ids, minlength=n_bins)
    conf_sums = np.bincount(bin_ids, weights=conf, minlength=n_bins)
    hit_sums = np.bincount(bin_ids, weights=hit, minlength=n_bins)
    nonzero = counts > 0
    mean_conf = conf_sums[nonzero] / counts[nonzero]
    accuracy = hit_sums[nonzero] / counts[nonzero]
    ece = float(np.sum(counts[nonzero] / conf.size * np.abs(accuracy - mean_conf)))
    reliability = [
        {
            "bin_lo": _r(edges[b]),
            "bin_hi": _r(edges[b + 1]),
            "n": int(counts[b]),
            "mean_confidence": _r(mc),
            "accuracy": _r(acc),
        }
        for b, mc, acc in zip(np.flatnonzero(nonzero), mean_conf, accuracy, strict=False)
    ]
    return {"ece": _r(ece), "reliability": reliability}


#: the six kinds of source: every type but ``unattributed``
SOURCE_KINDS = [t for t in ATTRIBUTION_TYPES if t != UNATTRIBUTED]


def type_scores(gold: Sequence[Any], pred: Sequence[Any]) -> dict[str, Any] | None:
    """Source-type classification over paired gold attributions that have a type.

    An unpaired gold attribution, or one paired with an untyped prediction, is
    predicted ``"unattributed"`` with confidence 0. None if no gold type exists.
    ``six_kind_macro_f1``: the macro-F1 over the six kinds of source (every type but
    ``unattributed``; those present in gold or predictions), where a missed attribution
    counts against its kind's recall: the
    headline type figure, since ``unattributed`` sources (the writer's "I") are rare.
    """
    _check_parallel(gold, pred)
    y_true: list[str] = []
    y_pred: list[str] = []
    confidence: list[float] = []
    for g_ex, p_ex in zip(gold, pred, strict=False):
        for g_att, p_att in pair_attributions(g_ex, p_ex):
            if g_att.type is None:
                continue
            y_true.append(g_att.type)
            y_pred.append(p_att.type if p_att is not None and p_att.type is not None else UNATTRIBUTED)
            conf = p_att.confidence if p_att is not None else None
            confidence.append(float(conf) if conf is not None else 0.0)
    if not y_true:
        return None
    labels = _label_order(y_true + y_pred)
    kinds = [k for k in labels if k in SOURCE_KINDS]  # the kinds of source present, gold or predicted
    matrix = confusion_matrix(y_true, y_pred, labels=labels)
    cal = calibration(confidence, [t == p for t, p in zip(y_true, y_pred, strict=False)])
    return {
        "n": len(y_true),
        "accuracy": _r(accuracy_score(y_true, y_pred)),
        "macro_f1": _r(f1_score(y_true, y_pred, labels=labels, average="macro", zero_division=0)),
        "six_kind_macro_f1": _r(f1_score(y_true, y_pred, labels=kinds, average="macro", zero_division=0)),
        "per_class": _per_class(y_true, y_pred, labels),
        "confusion": {g: {p: int(matrix[a, b]) for b, p in enumerate(labels)} for a, g in enumerate(labels)},
        "ece": cal["ece"],
        "reliability": cal["reliability"],
    }


# --------------------------------------------------------------------------- claims


def claim_scores(gold: Sequence[Any], pred: Sequence[Any]) -> dict[str, Any] | None:
    """Per-sentence claim types over articles whose sourced gold attributions are all typed.

    The predicted type of a sentence is that of the report's claim at its offsets
    (``report.claims``, what the checker outputs; ``unattributed`` where the report has no
    claim there). The gold type is the type of the attribution the checker's own rule
    (:func:`claimcheck.pipeline.claim_attributions`) gives the sentence among the gold
    attributions. Sentences come from ``split_sentences`` on the gold text, as the
    checker's claims do. Macro-F1 and per-class scores are over all seven codebook types.
    None if no article qualifies.
    """
    _check_parallel(gold, pred)
    y_true: list[str] = []
    y_pred: list[str] = []
    for g_ex, p_ex in zip(gold, pred, strict=False):
        if any(att.source and att.type is None for att in g_ex.attributions):
            continue
        typed = any(att.type for att in g_ex.attributions)
        if not typed and getattr(g_ex, "meta", {}).get("types") != "complete":
            continue  # an untyped article (e.g. plain PolNeAR) says nothing about claim types
        sentences = split_sentences(g_ex.text)
        predicted = {(claim.start, claim.end): claim.type for claim in p_ex.claims}
        for sentence, att in zip(sentences, claim_attributions(list(g_ex.attributions), sentences), strict=True):
            y_true.append(att.type if att is not None else UNATTRIBUTED)
            y_pred.append(predicted.get((sentence.start, sentence.end), UNATTRIBUTED))
    if not y_true:
        return None
    labels = list(ATTRIBUTION_TYPES)
    own = [p for t, p in zip(y_true, y_pred, strict=True) if t == UNATTRIBUTED]
    return {
        "n": len(y_true),
        "accuracy": _r(accuracy_score(y_true, y_pred)),
        "macro_f1": _r(f1_score(y_true, y_pred, labels=labels, average="macro", zero_division=0)),
        "per_class": _per_class(y_true, y_pred, labels),
        # the article's own sentences that the checker gives a source: a false attribution
        "false_attribution_rate": _r(sum(p != UNATTRIBUTED for p in own) / len(own)) if own else None,
        "n_unattributed": len(own),
    }


# --------------------------------------------------------------------------- quality


def quality_scores(
    gold: Sequence[Any],
    pred: Sequence[Any],
    score_fn: Callable[[Any], float | None] | None = None,
) -> dict[str, Any] | None:
    """Spearman correlation of gold ``quality`` with the paired prediction's score.

    ``score_fn(pred_att)`` replaces ``pred_att.score`` (e.g. for a baseline).
    Pairs with no prediction or no score are left out. None if fewer than 3
    pairs; ``"spearman"`` is None when undefined (a constant side).
    """
    _check_parallel(gold, pred)
    get_score = score_fn if score_fn is not None else (lambda att: att.score)
    qualities: list[float] = []
    scores: list[float] = []
    for g_ex, p_ex in zip(gold, pred, strict=False):
        for g_att, p_att in pair_attributions(g_ex, p_ex):
            if g_att.quality is None or p_att is None:
                continue
            score = get_score(p_att)
            if score is None:
                continue
            qualities.append(float(g_att.quality))
            scores.append(float(score))
    if len(qualities) < 3:
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # constant input: result is nan, reported as None
        rho = float(spearmanr(qualities, scores).statistic)
    return {"spearman": None if np.isnan(rho) else _r(rho), "n": len(qualities)}


# --------------------------------------------------------------------------- all


def _check_parallel(gold: Sequence[Any], pred: Sequence[Any]) -> None:
    if len(gold) != len(pred):
        raise ValueError(f"gold has {len(gold)} articles but predictions have {len(pred)}")


def evaluate_predictions(gold: Sequence[Any], pred: Sequence[Any]) -> dict[str, Any]:
    """All metrics: spans (also by CofeNet's definition), types, claims and quality (None where not computable)."""
    _check_parallel(gold, pred)
    return {
        "spans": span_scores(gold, pred),
        "cofenet": cofenet_span_scores(gold, pred),
        "types": type_scores(gold, pred),
        "claims": claim_scores(gold, pred),
        "quality": quality_scores(gold, pred),
        "n_articles": len(gold),
        "n_gold_attributions": sum(len(ex.attributions) for ex in gold),
    }
