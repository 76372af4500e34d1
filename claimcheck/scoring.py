"""Sourcing score: the codebook's 1-5 quality scale, explained by its parts.

``quality = base[type] + sum(weight[part] * value[part])``, clipped to [1, 5],
and ``score = (quality - 1) / 4`` in [0, 1]. The parts follow the codebook:
a named person's role or affiliation, a specific document, a reason given for
anonymity, weasel wording, an unresolved pronoun, a distancing cue on a weak
source, corroboration by other independent named sources, and a publication's
outlet rating. Every part present becomes a :class:`Reason` carrying its
contribution. The weights live in YAML (``configs/scoring.yaml``) and can be
fitted to labelled quality (:meth:`SourcingScorer.fit`, ``claimcheck fit-scoring``).
"""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import yaml
from pydantic import BaseModel, ConfigDict, Field

from claimcheck.credibility import OutletRatings, domain_of
from claimcheck.data import Attribution, Reason, atomic_write_text
from claimcheck.errors import ConfigError
from claimcheck.lexicons import (
    DISTANCING_CUES,
    PRONOUNS,
    ROLE_WORDS,
    TITLES,
    WEASEL_SOURCES,
    anonymity_marker,
    anonymity_reason,
)
from claimcheck.text import Sentence, around, sentence_at

DEFAULT_WEIGHTS = Path(__file__).resolve().parent / "resources" / "scoring.yaml"
SCORED_TYPES = ("named_person", "named_organization", "publication", "document", "anonymous", "unnamed_group")
PARTS = (
    "role_or_affiliation",
    "specific_document",
    "anonymity_reason",
    "weasel",
    "unresolved_reference",
    "distancing_cue",
    "corroborated",
    "outlet_rating",
)

REASON_TEXT = {
    "named_with_role": "Named source with a role or affiliation that says why they would know",
    "named_no_role": "Named person, but no role or affiliation is given",
    "named_organization": "Named organisation",
    "publication": "Another publication's reporting",
    "document_specific": "A specific, identifiable document or data set",
    "document_vague": 'A document that is not identified ("a report")',
    "anonymous_with_reason": "Anonymous source; the article gives a reason for anonymity",
    "anonymous_no_reason": "Anonymous source; the article gives no reason for anonymity",
    "unnamed_group": 'Vague group of people ("experts", "critics"), hard to check',
    "weasel": 'Weasel attribution ("some say"), uncheckable',
    "unresolved_reference": "Pronoun or description with no recoverable referent",
    "distancing_cue": 'The cue distances the writer from a weak source ("claimed", "reportedly")',
    "corroborated": "Other independent named sources in the article say the same",
    "outlet_rated": "Outlet rated {rating:.2f} for reliability ({source})",
    "outlet_unrated": "Outlet {name} is not in the ratings table: unrated",
    "unattributed": "No source: the article asserts this itself",
}


def reason(code: str, weight: float = 0.0, **fmt: Any) -> Reason:
    return Reason(code=code, text=REASON_TEXT[code].format(**fmt), weight=round(weight, 3))


class ScoringWeights(BaseModel):
    """The YAML of ``configs/scoring.yaml``: quality points per type and per part."""

    model_config = ConfigDict(extra="forbid")

    version: int = 1
    base: dict[str, float]
    parts: dict[str, float]
    fitted_on: str | None = None
    notes: str | None = Field(default=None)

    def check(self) -> ScoringWeights:
        missing = [t for t in SCORED_TYPES if t not in self.base] + [p for p in PARTS if p not in self.parts]
        unknown = [k for k in self.base if k not in SCORED_TYPES] + [k for k in self.parts if k not in PARTS]
        if missing or unknown:
            raise ConfigError(f"scoring weights: missing {missing}, unknown {unknown}")
        return self

    @classmethod
    def load(cls, path: str | Path = DEFAULT_WEIGHTS) -> ScoringWeights:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        try:
            return cls.model_validate(data).check()
        except ValueError as err:  # pydantic's ValidationError is a ValueError
            raise ConfigError(f"{path}: {err}") from None

    def save(self, path: str | Path) -> None:
        header = "# claimcheck sourcing-score weights (quality points; score = (quality - 1) / 4)\n"
        body = yaml.safe_dump(self.model_dump(exclude_none=True), sort_keys=False, allow_unicode=True)
        atomic_write_text(path, header + body)


@dataclass
class ScoringContext:
    """What the scorer needs of an attribution beyond its type."""

    source: str
    cue: str
    sentence: str
    resolved_source: str | None = None
    content: str = ""
    outlet: Any = None  # OutletRating | None, for publication sources
    corroborated: bool = False


def _has_role(ctx: ScoringContext) -> bool:
    words = re.findall(r"[\w’'-]+", f"{ctx.source} {ctx.resolved_source or ''}".lower())
    return "," in ctx.source or "(" in ctx.source or any(w in ROLE_WORDS or w in TITLES for w in words)


def _is_specific_document(source: str) -> bool:
    words = source.split()
    return bool(re.search(r"\b(1[89]|20)\d\d\b", source)) or any(w[:1].isupper() for w in words[1:])


def part_values(att_type: str, ctx: ScoringContext, base: dict[str, float]) -> dict[str, float]:
    """The value of every scoring part for one attribution (0 when absent)."""
    low = ctx.source.lower().strip()
    values = dict.fromkeys(PARTS, 0.0)
    values["role_or_affiliation"] = float(att_type == "named_person" and _has_role(ctx))
    values["specific_document"] = float(att_type == "document" and _is_specific_document(ctx.source))
    values["anonymity_reason"] = float(
        att_type == "anonymous" and anonymity_marker(ctx.sentence) and anonymity_reason(ctx.sentence)
    )
    values["weasel"] = float(att_type == "unnamed_group" and (not low or low in WEASEL_SOURCES))
    values["unresolved_reference"] = float(low in PRONOUNS and not ctx.resolved_source)
    cue_words = set(re.findall(r"[a-z]+", ctx.cue.lower()))
    values["distancing_cue"] = float(bool(cue_words & DISTANCING_CUES) and base.get(att_type, 5) <= 2)
    values["corroborated"] = float(ctx.corroborated)
    if att_type == "publication" and ctx.outlet is not None and ctx.outlet.rating is not None:
        values["outlet_rating"] = ctx.outlet.rating - 0.5
    return values


_PRIMARY = {
    "named_person": lambda v: "named_with_role" if v["role_or_affiliation"] else "named_no_role",
    "named_organization": lambda v: "named_organization",
    "publication": lambda v: "publication",
    "document": lambda v: "document_specific" if v["specific_document"] else "document_vague",
    "anonymous": lambda v: "anonymous_with_reason" if v["anonymity_reason"] else "anonymous_no_reason",
    "unnamed_group": lambda v: "weasel" if v["weasel"] else "unnamed_group",
}
_PRIMARY_PART = {
    "named_with_role": "role_or_affiliation",
    "document_specific": "specific_document",
    "anonymous_with_reason": "anonymity_reason",
    "weasel": "weasel",
}


class SourcingScorer:
    """Scores attributions from weighted parts; :meth:`fit` learns the weights.

    A scikit-learn estimator by contract (``sklearn.base.clone`` and ``get_params`` work):
    ``__init__`` only stores its arguments, :meth:`fit` sets ``weights_`` and returns the
    scorer; :meth:`from_file` reads weights from a YAML. ``get_params``/``set_params`` are
    written here rather than inherited from ``BaseEstimator``: importing ``sklearn.base``
    costs the CLI's start-up over a second.

    Args:
        weights: quality points per type and part; the starting point before :meth:`fit`
            (default: the shipped YAML, read at first use).
        ratings: outlet ratings for publication sources (default: the shipped table, read
            at first use).
        alpha: :meth:`fit`'s ridge regularisation strength.
    """

    def __init__(self, weights: ScoringWeights | None = None, ratings: OutletRatings | None = None, alpha: float = 1.0):
        self.weights = weights
        self.ratings = ratings
        self.alpha = alpha

    @classmethod
    def from_file(cls, path: str | Path = DEFAULT_WEIGHTS, ratings: OutletRatings | None = None) -> SourcingScorer:
        """A scorer with the weights of a YAML file (see ``configs/scoring.yaml``)."""
        return cls(ScoringWeights.load(path), ratings)

    # -- the scikit-learn estimator protocol ---------------------------------------------

    @classmethod
    def _get_param_names(cls) -> list[str]:
        return [p for p in inspect.signature(cls.__init__).parameters if p != "self"]

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """The constructor's arguments as given (``deep`` is accepted for scikit-learn)."""
        return {name: getattr(self, name) for name in self._get_param_names()}

    def set_params(self, **params: Any) -> SourcingScorer:
        unknown = set(params) - set(self._get_param_names())
        if unknown:
            raise ValueError(f"SourcingScorer has no parameters {sorted(unknown)}")
        for name, value in params.items():
            setattr(self, name, value)
        return self

    # -- what scoring uses -----------------------------------------------------------------

    @property
    def active_weights(self) -> ScoringWeights:
        """The weights scoring uses: the fitted ``weights_``, else ``weights``, else the
        shipped YAML (read once, at first use)."""
        fitted = getattr(self, "weights_", None)
        if fitted is not None:
            return fitted
        if self.weights is not None:
            return self.weights
        if getattr(self, "_shipped_weights", None) is None:
            self._shipped_weights = ScoringWeights.load()
        return self._shipped_weights

    @property
    def active_ratings(self) -> OutletRatings:
        """The outlet ratings scoring uses: ``ratings``, else the shipped table (read at first use)."""
        if self.ratings is not None:
            return self.ratings
        if getattr(self, "_shipped_ratings", None) is None:
            self._shipped_ratings = OutletRatings.load()
        return self._shipped_ratings

    # -- one attribution -----------------------------------------------------------------

    def quality(self, att_type: str | None, ctx: ScoringContext) -> tuple[float | None, list[Reason]]:
        if att_type not in SCORED_TYPES:
            return None, [reason("unattributed")]
        w = self.active_weights
        values = part_values(att_type, ctx, w.base)
        primary = _PRIMARY[att_type](values)
        q = w.base[att_type]
        reasons = [reason(primary, q + (w.parts[_PRIMARY_PART[primary]] if primary in _PRIMARY_PART else 0.0))]
        for part in ("unresolved_reference", "distancing_cue", "corroborated"):
            if values[part]:
                reasons.append(reason(part, w.parts[part] * values[part]))
        if att_type == "publication":
            outlet = ctx.outlet
            if outlet is not None and outlet.rating is not None:
                reasons.append(
                    reason(
                        "outlet_rated",
                        w.parts["outlet_rating"] * values["outlet_rating"],
                        rating=outlet.rating,
                        source=outlet.rating_source,
                    )
                )
            else:
                reasons.append(reason("outlet_unrated", name=outlet.name if outlet else repr(ctx.source)))
        q += sum(w.parts[p] * v for p, v in values.items())
        return float(np.clip(q, 1.0, 5.0)), reasons

    def score(self, att: Attribution, ctx: ScoringContext) -> tuple[float | None, list[Reason]]:
        q, reasons = self.quality(att.type, ctx)
        return (None if q is None else round((q - 1) / 4, 4)), reasons

    def type_only_score(self, att: Attribution) -> float | None:
        """The score a lookup of the type alone would give (the baseline to beat)."""
        if att.type not in SCORED_TYPES:
            return None
        return (self.active_weights.base[att.type] - 1) / 4

    # -- an article ------------------------------------------------------------------------

    def contexts(self, text: str, sentences: list[Sentence], atts: list[Attribution]) -> list[ScoringContext | None]:
        """Scoring contexts for the attributions of one article (None where no source)."""
        home = next(
            (domain_of(a.text_of("source", text)) for a in atts if a.source and _is_domain(a.text_of("source", text))),
            None,
        )
        out: list[ScoringContext | None] = []
        for att in atts:
            if not att.source:
                out.append(None)
                continue
            start = att.source[0][0]
            sent = sentence_at(sentences, start) or Sentence(0, len(text))
            sent = around(sent, start, att.source[-1][1])
            source = att.text_of("source", text)
            outlet = None
            if att.type == "publication":
                outlet = self.active_ratings.lookup_name(att.resolved_source or source, home_domain=home)
                if outlet is None and _is_domain(source):
                    outlet = self.active_ratings.lookup_domain(source)
            out.append(
                ScoringContext(
                    source=source,
                    cue=att.text_of("cue", text),
                    sentence=text[sent.start : sent.end],
                    resolved_source=att.resolved_source,
                    content=att.text_of("content", text),
                    outlet=outlet,
                )
            )
        _mark_corroboration(atts, out)
        return out

    def score_article(self, text: str, sentences: list[Sentence], atts: list[Attribution]) -> None:
        """Set ``score`` and ``reasons`` on every attribution with a source."""
        for att, ctx in zip(atts, self.contexts(text, sentences, atts), strict=True):
            if ctx is not None:
                att.score, att.reasons = self.score(att, ctx)

    # -- fitting -------------------------------------------------------------------------

    def design_row(self, att_type: str, ctx: ScoringContext) -> np.ndarray:
        values = part_values(att_type, ctx, self.active_weights.base)
        onehot = [float(att_type == t) for t in SCORED_TYPES]
        return np.array(onehot + [values[p] for p in PARTS])

    def fit(self, types: list[str], contexts: list[ScoringContext], quality: list[int]) -> SourcingScorer:
        """Fit base and part weights to labelled quality into ``weights_`` (ridge regression
        with ``alpha``, no intercept: the type one-hots are the intercepts)."""
        from sklearn.linear_model import Ridge

        vars(self).pop("weights_", None)  # a refit starts from the given weights, not the last fit's
        x = np.stack([self.design_row(t, c) for t, c in zip(types, contexts, strict=True)])
        model = Ridge(alpha=self.alpha, fit_intercept=False).fit(x, np.asarray(quality, dtype=float))
        coef = model.coef_.round(3).tolist()
        self.weights_ = ScoringWeights(
            base=dict(zip(SCORED_TYPES, coef[: len(SCORED_TYPES)], strict=True)),
            parts=dict(zip(PARTS, coef[len(SCORED_TYPES) :], strict=True)),
            fitted_on=f"{len(quality)} labelled attributions",
        ).check()
        return self


def _is_domain(source: str) -> bool:
    return " " not in source.strip() and domain_of(source) is not None


_WORD = re.compile(r"[a-z0-9]+")
_STOP = frozenset(
    ["the", "a", "an", "of", "to", "in", "and", "that", "is", "was", "for", "on", "it", "he", "she", "they", "said"]
)
_NAMED = {"named_person", "named_organization", "publication", "document"}


def _words(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.lower()) if w not in _STOP}


#: how many attributions either side :func:`_mark_corroboration` compares one with: every
#: pair in any real article (PolNeAR's most attributed has 196 sources), a bounded number
#: in a book-length text, which would otherwise cost attributions squared
CORROBORATION_REACH = 200


def _mark_corroboration(atts: list[Attribution], contexts: list[ScoringContext | None]) -> None:
    """A claim is corroborated when another attribution with a different named source,
    not nested in it, carries much the same content (Jaccard of content words >= 0.5),
    looking up to :data:`CORROBORATION_REACH` attributions either side."""
    items = [
        (a, c, _words(c.content), (c.resolved_source or c.source).lower())
        for a, c in zip(atts, contexts, strict=True)
        if c is not None and a.type in _NAMED and c.content
    ]
    for i, (ai, ci, wi, si) in enumerate(items):
        if len(wi) < 4:
            continue
        for j in range(max(0, i - CORROBORATION_REACH), min(len(items), i + CORROBORATION_REACH + 1)):
            aj, _, wj, sj = items[j]
            # Jaccard >= 0.5 needs the smaller set at least half the larger: a cheap test first
            if i == j or si == sj or len(wj) < 4 or 2 * min(len(wi), len(wj)) < max(len(wi), len(wj)):
                continue
            if len(wi & wj) / len(wi | wj) >= 0.5 and not _nested(ai, aj) and not _nested(aj, ai):
                ci.corroborated = True
                break


def _nested(outer: Attribution, inner: Attribution) -> bool:
    """Is ``inner`` said inside ``outer``'s content ("the report says officials said ...")?"""
    return any(s <= ins and ine <= e for s, e in outer.content for ins, ine in inner.source)
