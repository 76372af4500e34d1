"""The transparent baseline: cue lexicon + rules for spans, a linear type classifier.

Fitted by ``training/baseline.py`` on PolNeAR train: the cue lexicon is the set
of words annotated as cues often enough, and the type classifier learns from
labelled source spans.
"""

from __future__ import annotations

import bisect
import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, NonNegativeInt

from claimcheck.data import Attribution
from claimcheck.errors import ConfigError
from claimcheck.models.coreference import resolve
from claimcheck.models.registry import Precision, register
from claimcheck.models.rules import RawAttribution, RuleAttributionFinder
from claimcheck.models.type_classifier import SourceContext, TypeClassifier, not_an_agent, withheld
from claimcheck.text import Sentence, around, split_sentences

_RULE_TYPES = {"credit_line": "publication", "wire": "publication"}
_RULE_CONFIDENCE = 0.97
_THING_MAX_CONFIDENCE = 0.5


def in_quotation(text: str, pos: int, sentence: Sentence) -> bool:
    """Is ``pos`` inside a quotation that opened in the same sentence?"""
    before = text[sentence.start : pos]
    curly = before.count("“") - before.count("”")
    straight = before.count('"') % 2
    return curly > 0 or straight == 1


def sentence_at(sentences: list[Sentence], pos: int) -> Sentence:
    """The sentence holding ``pos`` (sentences in order: found by bisection)."""
    k = bisect.bisect_right(sentences, pos, key=lambda s: s.start) - 1
    if k >= 0 and pos < sentences[k].end:
        return sentences[k]
    return Sentence(max(0, pos - 200), pos + 1)


def source_context(text: str, sentences: list[Sentence], att: Attribution) -> SourceContext:
    """Build the classifier's view of an attribution's source."""
    start = att.source[0][0]
    sent = around(sentence_at(sentences, start), start, att.source[-1][1])
    source = att.text_of("source", text)
    cue_start = att.cue[0][0] if att.cue else start
    clause = text[att.source[-1][1] : cue_start] if cue_start > start else ""
    if source.lower() in {"who", "which"}:
        # a relative clause is the source's own description: "who requested anonymity"
        clause = text[att.source[-1][1] : sent.end].split(",")[0]
    return SourceContext(
        clause=clause,
        source=source,
        cue=att.text_of("cue", text),
        antecedent=resolve(text, start, source),
        sentence=text[sent.start : sent.end],
        in_quote=in_quotation(text, start, sent),
        sentence_initial=not text[sent.start : start].strip(" \"“‘'"),
    )


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
        sentences = split_sentences(text)
        raws: list[RawAttribution] = self._finder.find(text, sentences)
        raws.sort(key=lambda r: (r.source or r.cue or r.content)[0])
        atts = [Attribution(id=f"A{i + 1}", source=r.source, cue=r.cue, content=r.content) for i, r in enumerate(raws)]
        contexts = [source_context(text, sentences, a) for a in atts]
        predictions = self.type_classifier.predict(contexts)
        for att, raw, ctx, (label, prob) in zip(atts, raws, contexts, predictions, strict=True):
            if raw.kind in _RULE_TYPES:
                label, prob = _RULE_TYPES[raw.kind], _RULE_CONFIDENCE
            elif withheld(ctx):
                # the codebook's own case: "officials who requested anonymity" is anonymous
                label, prob = "anonymous", _RULE_CONFIDENCE
            elif prob < _THING_MAX_CONFIDENCE and not_an_agent(ctx):
                # "recent developments indicate": a thing the writer speaks through
                label = "unattributed"
            att.type = label
            att.confidence = round(prob, 4)
            att.resolved_source = ctx.antecedent
        return atts

    def predict(self, texts: list[str]) -> list[list[Attribution]]:
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
