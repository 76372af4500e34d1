"""The transparent baseline: cue lexicon + rules for spans, a linear type classifier.

Fitted by ``training/baseline.py`` on PolNeAR train: the cue lexicon is the set
of words annotated as cues often enough, and the type classifier learns from
labelled source spans.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, NonNegativeInt

from claimcheck.data import Attribution, number_attributions, reading_order
from claimcheck.document import as_document
from claimcheck.errors import ConfigError
from claimcheck.models.registry import Precision, register
from claimcheck.models.rules import RawAttribution, RuleAttributionFinder
from claimcheck.models.source_context import source_context
from claimcheck.models.type_classifier import TypeClassifier
from claimcheck.models.typing_rules import apply_typing_rules

_RULE_CONFIDENCE = 0.97
_THING_MAX_CONFIDENCE = 0.5


class BaselineSettings(BaseModel):
    """The ``settings`` of a ``baseline.v1`` folder's config.json."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    n_cue_words: NonNegativeInt


@register("baseline.v1")
class BaselineModel:
    """Rules find the spans; a logistic regression types each source."""

    architecture = "baseline.v1"
    settings_schema = BaselineSettings

    def __init__(self, cue_words: list[str], type_classifier: TypeClassifier):
        self.cue_words = sorted(cue_words)
        self.type_classifier = type_classifier
        self._finder = RuleAttributionFinder(set(cue_words))

    def predict_one(self, text: str) -> list[Attribution]:
        doc = as_document(text)
        text, sentences = doc, doc.sentences  # the document is its text, sentences split once
        raws: list[RawAttribution] = self._finder.find(text, sentences)
        found = sorted(
            ((Attribution(id="", source=r.source, cue=r.cue, content=r.content), r) for r in raws),
            key=lambda pair: reading_order(pair[0]),
        )
        atts, raws = number_attributions([att for att, _ in found]), [raw for _, raw in found]
        contexts = [source_context(text, sentences, a) for a in atts]
        predictions = self.type_classifier.predict(contexts)
        for att, raw, ctx, (label, prob) in zip(atts, raws, contexts, predictions, strict=True):
            label, prob = apply_typing_rules(
                raw.kind, ctx, label, prob, anonymous_confidence=_RULE_CONFIDENCE, thing_below=_THING_MAX_CONFIDENCE
            )
            att.type = label
            att.confidence = round(prob, 4)
            att.resolved_source = ctx.antecedent
        return atts

    def predict(self, texts: Sequence[str]) -> list[list[Attribution]]:
        return [self.predict_one(t) for t in texts]

    def save_files(self, directory: Path) -> dict[str, Any]:
        (directory / "cues.json").write_text(json.dumps(self.cue_words, indent=0), encoding="utf-8")
        self.type_classifier.save(directory)
        return {"n_cue_words": len(self.cue_words)}

    @classmethod
    def from_files(
        cls, directory: Path, settings: BaselineSettings, precision: Precision | None = None
    ) -> BaselineModel:
        if precision is not None:
            raise ConfigError(f"the {cls.architecture} model has no precision setting (it runs no network)")
        cues = json.loads((directory / "cues.json").read_text(encoding="utf-8"))
        return cls(cues, TypeClassifier.load(directory))
