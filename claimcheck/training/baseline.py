"""Fit the rule baseline on PolNeAR-style training data.

The cue lexicon is learnt, not written: every word that annotators marked as
(part of) a cue at least ``cue_min_count`` times, and as a cue in at least
``cue_min_precision`` of its occurrences. The type classifier learns from the
labels of :mod:`training.weak_labels`.
"""

from __future__ import annotations

import logging
from collections import Counter
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from claimcheck.data import LabelledExample
from claimcheck.errors import DataError
from claimcheck.io import read_labels
from claimcheck.models.baseline import BaselineModel
from claimcheck.models.registry import save_model
from claimcheck.models.rules import NOT_CUES
from claimcheck.models.type_classifier import TypeClassifier
from claimcheck.text import tokenize
from claimcheck.training.config import ConfigPath
from claimcheck.training.weak_labels import load_annotations, typed_sources

log = logging.getLogger(__name__)


class BaselineConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    architecture: str = "baseline.v1"
    train: ConfigPath
    annotations: ConfigPath | None = None  # type labels of the training data's sources, by id
    dev_gold: ConfigPath | None = None  # typed dev labels: figures recorded with the model, never trained on
    output: ConfigPath
    cue_min_count: int = 5
    cue_min_precision: float = 0.3
    rule_labels: bool = False  # also train on rule-made labels (measured worse on dev)
    C: float = 3.0
    seed: int = 0


def learn_cue_words(examples: list[LabelledExample], min_count: int, min_precision: float) -> list[str]:
    as_cue: Counter[str] = Counter()
    seen: Counter[str] = Counter()
    for ex in examples:
        cue_chars = {i for a in ex.attributions for s, e in a.cue for i in range(s, e)}
        for tok in tokenize(ex.text):
            if not tok.text[0].isalpha():
                continue
            word = tok.text.lower()
            seen[word] += 1
            if tok.start in cue_chars:
                as_cue[word] += 1
    # adverbs and auxiliaries ride along inside cues ("has also said") but are
    # not cues themselves; "according" is matched as "according to" by the rules
    return sorted(
        w
        for w, n in as_cue.items()
        if n >= min_count and n / seen[w] >= min_precision and w not in NOT_CUES and not w.endswith("ly")
    )


def fit_baseline(config: BaselineConfig) -> BaselineModel:
    examples = read_labels(config.train)
    cue_words = learn_cue_words(examples, config.cue_min_count, config.cue_min_precision)
    annotations = load_annotations(config.annotations) if config.annotations else {}
    contexts, labels, origins = typed_sources(examples, annotations, use_rules=config.rule_labels)
    log.info("cue words: %d; typed sources: %s", len(cue_words), dict(Counter(origins)))
    if not labels:
        raise DataError(
            f"{config.train}: no typed sources to learn types from: give types in the data, "
            "name an `annotations` file in the config, or set `rule_labels: true`"
        )
    classifier = TypeClassifier(C=config.C).fit(contexts, labels)
    return BaselineModel(cue_words, classifier)


def train_baseline(config: BaselineConfig) -> Path:
    model = fit_baseline(config)
    training = {"config": config.model_dump(mode="json"), "data_seen": [str(config.train), str(config.annotations)]}
    if config.dev_gold and Path(config.dev_gold).exists():
        from claimcheck.evaluation.harness import evaluate, summarize_metrics
        from claimcheck.pipeline import Checker

        training["dev_gold"] = summarize_metrics(evaluate(Checker(model), read_labels(config.dev_gold)))
    return save_model(model, config.output, extra={"training": training})
