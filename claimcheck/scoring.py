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
from claimcheck.data import NAMED_TYPES, Attribution, Reason, atomic_write_text
from claimcheck.errors import ConfigError
from claimcheck.lexicons import (
    DISTANCING_CUES,
    DOCUMENT_WORDS,
    FUNCTION_WORDS,
    GROUP_WORDS,
    HONORIFICS,
    NAME_PARTICLES,
    ORG_WORDS,
    PRONOUNS,
    RELATIVE_PRONOUNS,
    ROLE_NOUNS,
    ROLE_WORDS,
    TITLES,
    WEASEL_SOURCES,
    anonymity_marker,
    anonymity_reason,
    is_vague_group,
)
from claimcheck.text import Sentence, span_sentence, split_appositive

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
    "specific_group": 'Unnamed group of people that the story pins down ("jurors", "residents of Lakeview"), '
    "not named individually",
    "weasel": 'Weasel attribution ("some say"), uncheckable',
    "unresolved_reference": "Pronoun or description the checker could not tie to a name in the article",
    "distancing_cue": 'The cue distances the writer from a weak source ("claimed", "reportedly")',
    "corroborated": "Other independent named sources in the article say the same (not a relay of this source)",
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
    #: the role is given at another mention of the same person ("She" after "Dana
    #: Whitfield, the city's chief engineer")
    role_in_article: bool = False
    #: offsets of ``sentence`` in the article, when known (corroboration uses them)
    span: tuple[int, int] | None = None


_ROLE_TOKEN = re.compile(r"[\w’'.-]+")
_NOT_ROLE = FUNCTION_WORDS | PRONOUNS | GROUP_WORDS | NAME_PARTICLES | HONORIFICS
_NOT_APPOSITIVE = RELATIVE_PRONOUNS | {"and", "or", "but", "as", "said", "says"}


def mention_has_role(mention: str) -> bool:
    """Does a mention of a person give a role or an affiliation?

    An appositive or a parenthesis ("Dana Whitfield, the city's chief engineer",
    "Ann Ortiz (D-Ohio)"), a title or role word ("Sen. Ortiz", "economist Lena
    Holm"), any lower-case descriptor ("harbour master Ida Brenn"), an
    affiliation ("Ida Brenn of the Port Authority", "Apple's Tim Cook"). Not a
    courtesy title ("Ms. Brenn"), a name particle ("al-Farsi"), a relative clause
    ("officials, who") or joined names ("Clinton and Kaine").
    """
    main, sep, rest = split_appositive(mention)
    if sep == "(" and re.search(r"[A-Za-z]", rest):
        return True
    if sep == ",":
        first = re.findall(r"[\w’'-]+", rest)
        # "Ortiz, 45," is an age and "officials, who ..." a relative clause, not a role
        if first and first[0].lower() not in _NOT_APPOSITIVE and not first[0][0].isdigit():
            return True
    tokens = _ROLE_TOKEN.findall(main)
    for i, tok in enumerate(tokens):
        word = tok.strip(".").lower()
        bare = re.sub(r"[’']s$", "", word)
        if bare in HONORIFICS:
            continue
        if bare in TITLES or bare in ROLE_WORDS or bare in ROLE_NOUNS:
            return True
        if tok[:1].islower() and bare not in _NOT_ROLE and not re.match(r"[a-z]+-[A-Z]", tok):
            return True  # a descriptor: "harbour master", "local resident"
        if word in {"of", "at", "from"} and i + 1 < len(tokens):
            nxt = tokens[i + 2] if tokens[i + 1].lower() == "the" and i + 2 < len(tokens) else tokens[i + 1]
            if nxt[:1].isupper():
                return True  # "of the Port Authority"
        if re.search(r"[’']s$", tok) and tok[:1].isupper() and i + 1 < len(tokens):
            return True  # "Apple's Tim Cook"
    return False


def _has_role(ctx: ScoringContext) -> bool:
    return ctx.role_in_article or any(mention_has_role(m) for m in (ctx.source, ctx.resolved_source) if m)


def _is_pronoun(source: str) -> bool:
    """A pronoun source; "US" or "IT" in capitals is a name, not "us" or "it"."""
    stripped = source.strip()
    return stripped.lower() in PRONOUNS and not (len(stripped) > 1 and stripped.isupper())


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
    values["unresolved_reference"] = float(_is_pronoun(ctx.source) and not ctx.resolved_source)
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


def _primary(att_type: str, ctx: ScoringContext, values: dict[str, float]) -> str:
    code = _PRIMARY[att_type](values)
    if code == "unnamed_group" and not is_vague_group(ctx.resolved_source or ctx.source):
        return "specific_group"  # "jurors in Virginia": an unnamed group, but no weasel
    return code


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
        primary = _primary(att_type, ctx, values)
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
            sent = span_sentence(sentences, start, att.source[-1][1])
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
                    span=(sent.start, sent.end),
                )
            )
        _mark_roles(text, atts, out)
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
_NAME_TOKEN = re.compile(r"[A-Z][\w’'.-]*|[a-z]+-[A-Z][\w’'-]*")
_GENERIC = TITLES | HONORIFICS | ROLE_WORDS | GROUP_WORDS | DOCUMENT_WORDS | ORG_WORDS | FUNCTION_WORDS | PRONOUNS


def _words(text: str) -> set[str]:
    return {w for w in _WORD.findall(text.lower()) if w not in _STOP}


def name_tokens(att_type: str | None, mention: str) -> list[str]:
    """The words that identify a source, as written: a person's surname ("McGuire" of
    "prosecutor Russell McGuire"), an organisation's or outlet's proper words ("FBI",
    "Associated", "Press"); no titles, roles or generic words."""
    main = re.split(r"[,(]", mention, maxsplit=1)[0]
    tokens = []
    for tok in _NAME_TOKEN.findall(main):
        tok = re.sub(r"[’']s$", "", tok).strip(".")
        low = tok.lower()
        if tok and (low not in _GENERIC or (tok.isupper() and len(tok) > 1 and low not in PRONOUNS)):
            tokens.append(tok)
    if att_type == "named_person":
        return tokens[-1:]
    return tokens


def _identity(att_type: str | None, ctx: ScoringContext) -> frozenset[str]:
    """Keys that two mentions of the same source share: name tokens, an outlet's domain,
    else the whole lower-cased source."""
    mention = ctx.resolved_source or ctx.source
    keys = {t.lower() for t in name_tokens(att_type, mention)}
    if ctx.outlet is not None:
        keys.add(f"domain:{ctx.outlet.domain}")
    return frozenset(keys or {mention.lower().strip()})


def _mark_roles(text: str, atts: list[Attribution], contexts: list[ScoringContext | None]) -> None:
    """A named person whose role the article gives at one mention has it at every mention:
    "She said ..." or "Whitfield said ..." after "Dana Whitfield, the city's chief engineer"
    (a source or any other mention in the text, see :func:`_roles_in_text`)."""
    people = [
        (c, _identity(a.type, c))
        for a, c in zip(atts, contexts, strict=True)
        if c is not None and a.type == "named_person"
    ]
    with_role = {k for c, keys in people if _has_role(c) for k in keys}
    surnames = {
        t
        for c, keys in people
        if not keys & with_role
        for t in name_tokens("named_person", c.resolved_source or c.source)
    }
    with_role |= {t.lower() for t in _roles_in_text(text, surnames)}
    for c, keys in people:
        c.role_in_article = bool(keys & with_role)


_ROLE_LEXICON = (TITLES | ROLE_WORDS | ROLE_NOUNS) - HONORIFICS
_ROLE_VERBS = (
    r"heads|headed|leads|led|runs|ran|directs|chairs|manages|oversees|teaches|taught|works|worked|"
    r"serves|served|represents|represented|founded|owns|is|was|has been|had been"
)
_APPOSITIVE = re.compile(
    rf"\s*(?:,\s+(?:(?:the|a|an|his|her|their|its)\s|who\s+(?:{_ROLE_VERBS})\b|[A-Z][\w-]*[’']s\s)|\(\s*[A-Z]{{1,2}}-)"
)
_IN_TITLES = frozenset({"of", "for", "the"})  # "Secretary of State Jon Husted"
_END_OF_SENTENCE = re.compile(r"[.!?;:,\"“”)]$")


def _roles_in_text(text: str, surnames: set[str]) -> set[str]:
    """The surnames that some mention in ``text`` gives a role: a role word before the name
    ("Republican nominee Donald Trump", "harbour master Ida Brenn") or an appositive after
    it ("Luis Rubio, who heads ...", "Ann Ortiz, the mayor", "Ann Ortiz (D-Ohio)").
    One pass over the text, whatever the number of names."""
    if not surnames:
        return set()
    found: set[str] = set()
    names = "|".join(re.escape(n) for n in sorted(surnames, key=len, reverse=True))
    for m in re.finditer(rf"(?<![\w-])({names})(?![\w-])", text):
        if m.group(1) in found:
            continue
        if _APPOSITIVE.match(text, m.end()) or _role_before(text[max(0, m.start() - 120) : m.start()]):
            found.add(m.group(1))
    return found


def _role_before(left: str) -> bool:
    """Walk back over the name ("Donald", "Mr.") to the word before it: a role word?"""
    for tok in reversed(left.split()):
        word = tok.strip(".,’'\"“”()").lower()
        abbreviation = tok.endswith(".") and len(word) <= 4 and word in TITLES | HONORIFICS  # "Sen.", "Mr."
        if _END_OF_SENTENCE.search(tok) and not abbreviation:
            return False  # the name starts a sentence or follows a clause ("The mayor. Brenn said")
        if word in _ROLE_LEXICON:
            return True
        if not (tok[:1].isupper() or word in HONORIFICS or word in NAME_PARTICLES or word in _IN_TITLES):
            return False  # "said", "with": not part of the name or its title
    return False


#: how many attributions either side :func:`_mark_corroboration` compares one with: every
#: pair in any real article (PolNeAR's most attributed has 196 sources), a bounded number
#: in a book-length text, which would otherwise cost attributions squared
CORROBORATION_REACH = 200


def _mark_corroboration(atts: list[Attribution], contexts: list[ScoringContext | None]) -> None:
    """A claim is corroborated when another attribution with a different named source,
    independent of it, carries much the same content (Jaccard of content words >= 0.5),
    looking up to :data:`CORROBORATION_REACH` attributions either side.

    Not independent: the same source under another mention ("prosecutor Russell McGuire"
    and "McGuire"; "AP" and "The Associated Press"), one said inside the other's content
    ("the report says officials said ..."), the same words of the article (overlapping
    content), or a relay: one names the other where it reports the content ("AP quoted
    McGuire as saying ..." is McGuire's word passed on, one source, not two).
    """
    items = [
        _Said(a, c, _words(c.content), _identity(a.type, c), name_tokens(a.type, c.resolved_source or c.source))
        for a, c in zip(atts, contexts, strict=True)
        if c is not None and a.type in NAMED_TYPES and c.content
    ]
    for i, one in enumerate(items):
        if len(one.words) < 4:
            continue
        for j in range(max(0, i - CORROBORATION_REACH), min(len(items), i + CORROBORATION_REACH + 1)):
            other = items[j]
            wi, wj = one.words, other.words
            # Jaccard >= 0.5 needs the smaller set at least half the larger: a cheap test first
            if i == j or one.keys & other.keys or len(wj) < 4 or 2 * min(len(wi), len(wj)) < max(len(wi), len(wj)):
                continue
            if len(wi & wj) / len(wi | wj) >= 0.5 and _independent(one, other):
                one.ctx.corroborated = True
                break


@dataclass
class _Said:
    """One attribution as corroboration compares it."""

    att: Attribution
    ctx: ScoringContext
    words: set[str]  # content words
    keys: frozenset[str]  # identity of the source
    names: list[str]  # the source's name tokens as written


def _independent(one: _Said, other: _Said) -> bool:
    a1, a2 = one.att, other.att
    if _nested(a1, a2) or _nested(a2, a1) or _overlap(a1.content, a2.content):
        return False
    return not (_relays(one, other) or _relays(other, one))


def _overlap(spans: list[tuple[int, int]], others: list[tuple[int, int]]) -> bool:
    return any(s < oe and os < e for s, e in spans for os, oe in others)


_RELAY_CUE = re.compile(r"\bquot(?:ed|es|ing)\b|\bas (?:saying|telling|writing)\b|\bcit(?:ed|es|ing)\b", re.IGNORECASE)


def _relays(one: _Said, other: _Said) -> bool:
    """Does ``one`` pass on ``other``'s words, naming it in its content or, when ``other``
    stands in another sentence, in its own sentence ("AP quoted McGuire as saying ...")?"""
    if _RELAY_CUE.search(f"{one.ctx.cue} {one.ctx.content}"):
        return True  # "AP quoted her as saying ...": someone's words passed on, whoever "her" is
    region, span = one.ctx.content, one.ctx.span
    if span is not None and other.att.source and not span[0] <= other.att.source[0][0] < span[1]:
        region += "\n" + one.ctx.sentence
    return any(re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", region) for name in other.names)


def _nested(outer: Attribution, inner: Attribution) -> bool:
    """Is ``inner`` said inside ``outer``'s content ("the report says officials said ...")?"""
    return any(s <= ins and ine <= e for s, e in outer.content for ins, ine in inner.source)
