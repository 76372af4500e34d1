"""Fitting the linear type head (:class:`~claimcheck.models.type_head.SpanTypeHead`) of a trained
tagger: the typed sources of the training articles, pooled from the fine-tuned encoder.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

import numpy as np

from claimcheck.data import LabelledExample
from claimcheck.models.source_context import source_features
from claimcheck.models.tagger import TransformerAttributionModel
from claimcheck.models.type_head import SpanTypeHead
from claimcheck.training.data import config_annotations
from claimcheck.training.tagger_config import FinetuneConfig
from claimcheck.training.weak_labels import labelled_sources


def pooled_sources(
    model: TransformerAttributionModel,
    examples: list[LabelledExample],
    annotations: dict[tuple[str, str], str] | None = None,
    chunk_articles: int = 32,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[list[dict[str, float]], list[np.ndarray], list[str], list[str]]:
    """The typed sources of ``examples`` (given types, or ``annotations``) as type-head
    inputs: hand features, the vector pooled from ``model``'s encoder over the source
    span, label, and how the label was made. ``progress(done, total)`` counts articles."""
    rows = list(labelled_sources(examples, annotations or {}, use_rules=False))
    by_article: dict[int, list[int]] = {}
    for i, (ex, *_) in enumerate(rows):
        by_article.setdefault(id(ex), []).append(i)
    vectors: list[np.ndarray] = [np.empty(0)] * len(rows)
    groups = list(by_article.values())
    for b in range(0, len(groups), chunk_articles):  # bounded memory: piece vectors of a chunk only
        chunk = groups[b : b + chunk_articles]
        for indices, encoded in zip(chunk, model.encode([rows[g[0]][0].text for g in chunk]), strict=True):
            for i in indices:
                vectors[i] = model.pool(encoded, rows[i][1].source)
        if progress is not None:
            progress(b + len(chunk), len(groups))
    feats = [source_features(ctx) for _, _, ctx, _, _ in rows]
    return feats, vectors, [r[3] for r in rows], [r[4] for r in rows]


def fit_type_head(
    model: TransformerAttributionModel, examples: list[LabelledExample], config: FinetuneConfig
) -> tuple[SpanTypeHead, dict[str, int]]:
    """Fit the type head on the typed sources of ``examples`` (given or annotated types),
    each pooled from the fine-tuned encoder over its gold span."""
    feats, vectors, labels, origins = pooled_sources(model, examples, config_annotations(config))
    counts = dict(Counter(origins))
    head = new_type_head(config).fit_features(feats, np.stack(vectors), labels)
    return head, counts


def new_type_head(config: FinetuneConfig) -> SpanTypeHead:
    """An unfitted type head with the config's settings."""
    return SpanTypeHead(
        C=config.type_head_C,
        dense_weight=config.type_head_dense_weight,
        class_weight=config.type_head_class_weight,
        seed=config.seed,
    )
