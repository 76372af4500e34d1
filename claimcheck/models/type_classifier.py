"""The baseline's source-type classifier: hand features + logistic regression.

A scikit-learn ``DictVectorizer`` + ``LogisticRegression``. It is saved as
safetensors (coefficients) plus JSON (feature names, classes, parameters) and
rebuilt on load, so no pickle is ever read.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from safetensors.numpy import load_file, save_file

from claimcheck.lexicons import (
    ANONYMOUS_HEADS,
    DOCUMENT_WORDS,
    GROUP_PRONOUNS,
    GROUP_WORDS,
    ORG_WORDS,
    PERSON_PRONOUNS,
    PRONOUNS,
    PUBLICATION_NAMES,
    RELATIVE_PRONOUNS,
    ROLE_WORDS,
    THING_PRONOUNS,
    TITLES,
    WRITER_PRONOUNS,
    anonymity_marker,
    anonymity_reason,
    looks_anonymous,
)

_WORD = re.compile(r"[\w.&’'-]+")
_DETERMINERS = frozenset({"the", "a", "an", "this", "that", "these", "those", "his", "her", "their", "its", "our"})


@dataclass
class SourceContext:
    """What the type classifier sees of one source."""

    source: str
    cue: str = ""
    antecedent: str | None = None
    sentence: str = ""
    in_quote: bool = False
    sentence_initial: bool = False
    clause: str = ""  # from the source to the cue: ", who requested anonymity ,"


def capitalised(words: list[str], sentence_initial: bool = False) -> list[str]:
    """Capitalised words, not counting determiners or a sentence's first word."""
    if sentence_initial:
        words = words[1:]
    return [w for w in words if w[:1].isupper() and w.lower() not in _DETERMINERS]


def _shape(words: list[str], sentence_initial: bool = False) -> dict[str, float]:
    caps = capitalised(words, sentence_initial)
    feats: dict[str, float] = {
        f"ncap={min(len(caps), 3)}": 1.0,
        f"nwords={min(len(words), 6)}": 1.0,
    }
    if any(w.isupper() and len(w) > 1 for w in words):
        feats["acronym"] = 1.0
    if any(w.lower().rstrip(".") in TITLES for w in words) and caps:
        feats["title+name"] = 1.0
    return feats


def normalise(word: str) -> str:
    """Lower case without a trailing full stop or possessive: "Alliance's" -> "alliance"."""
    return word.lower().rstrip(".").removesuffix("'s").removesuffix("’s")


def _lexicon_features(words: list[str], prefix: str = "") -> dict[str, float]:
    low = [normalise(w) for w in words]
    feats: dict[str, float] = {}
    for name, lex in (
        ("org", ORG_WORDS),
        ("group", GROUP_WORDS),
        ("doc", DOCUMENT_WORDS),
        ("pub", PUBLICATION_NAMES),
        ("role", ROLE_WORDS),
        ("title", TITLES),
    ):
        if any(w in lex for w in low):
            feats[f"{prefix}lex={name}"] = 1.0
    if low:
        feats[f"{prefix}head={low[-1]}"] = 1.0
        feats[f"{prefix}first={low[0]}"] = 1.0
        if low[-1].endswith("s") and not words[-1][:1].isupper():
            feats[f"{prefix}plural_head"] = 1.0
    return feats


def not_an_agent(ctx: SourceContext) -> bool:
    """No word of the source hints at a person, group, organisation, outlet or document
    ("recent developments", "the crisis"): a thing the writer speaks through."""
    words = _WORD.findall(ctx.source)
    low = {normalise(w) for w in words}
    lexicons = ORG_WORDS | GROUP_WORDS | DOCUMENT_WORDS | PUBLICATION_NAMES | ROLE_WORDS | TITLES | ANONYMOUS_HEADS
    return bool(words) and not (low & (lexicons | PRONOUNS)) and not capitalised(words, ctx.sentence_initial)


def withheld(ctx: SourceContext) -> bool:
    """Is the source a person or people the article says it withholds?"""
    words = {normalise(w) for w in _WORD.findall(f"{ctx.source} {ctx.antecedent or ''}")}
    return bool(words & ANONYMOUS_HEADS) and (anonymity_marker(ctx.clause) or anonymity_marker(ctx.source))


def source_features(ctx: SourceContext) -> dict[str, float]:
    """Features of a source span: words, capitalisation, lexicon hits, antecedent."""
    words = _WORD.findall(ctx.source)
    low = [w.lower() for w in words]
    feats: dict[str, float] = {f"w={w}": 1.0 for w in low}
    feats.update(_shape(words, ctx.sentence_initial))
    feats.update(_lexicon_features(words))
    if (
        len(low) == 1
        and low[0] in PERSON_PRONOUNS | GROUP_PRONOUNS | THING_PRONOUNS | WRITER_PRONOUNS | RELATIVE_PRONOUNS
    ):
        kind = next(
            k
            for k, lex in (
                ("person", PERSON_PRONOUNS),
                ("group", GROUP_PRONOUNS),
                ("thing", THING_PRONOUNS),
                ("writer", WRITER_PRONOUNS),
                ("relative", RELATIVE_PRONOUNS),
            )
            if low[0] in lex
        )
        feats[f"pronoun={kind}"] = 1.0
        if kind == "writer":
            feats[f"writer_in_quote={ctx.in_quote}"] = 1.0
    if ctx.antecedent:
        ant = _WORD.findall(ctx.antecedent)
        feats.update({f"ant_{k}": v for k, v in _shape(ant).items()})
        feats.update(_lexicon_features(ant, prefix="ant_"))
    elif low and low[0] in PERSON_PRONOUNS | GROUP_PRONOUNS | THING_PRONOUNS | RELATIVE_PRONOUNS:
        feats["unresolved"] = 1.0
    if anonymity_marker(ctx.source) or anonymity_marker(ctx.sentence):
        feats["anon_marker"] = 1.0
    if looks_anonymous(ctx.source):
        feats["anon_shape"] = 1.0
    if not_an_agent(ctx):
        feats["no_agent_hint"] = 1.0
    if withheld(ctx):
        feats["anon_clause"] = 1.0
    if anonymity_reason(ctx.sentence):
        feats["anon_reason"] = 1.0
    if re.search(r"\.(com|org|net|co\.\w\w|gov)\b|^www\.", ctx.source, re.IGNORECASE):
        feats["domain"] = 1.0
    if ctx.cue:
        feats[f"cue={ctx.cue.lower().split()[-1]}"] = 1.0
    return feats


class TypeClassifier:
    """Logistic regression over :func:`source_features`; ``fit``/``predict_proba``."""

    def __init__(self, C: float = 1.0, max_iter: int = 2000):
        self.C = C
        self.max_iter = max_iter

    def fit(self, contexts: list[SourceContext], labels: list[str]) -> TypeClassifier:
        # scikit-learn is imported here and in load, not with the module: the fine-tuned
        # model imports this module for its features, and sklearn costs ~1 s of start-up
        from sklearn.feature_extraction import DictVectorizer
        from sklearn.linear_model import LogisticRegression

        self.vectorizer_ = DictVectorizer()
        x = self.vectorizer_.fit_transform([source_features(c) for c in contexts])
        self.model_ = LogisticRegression(C=self.C, max_iter=self.max_iter)
        self.model_.fit(x, labels)
        return self

    @property
    def classes_(self) -> list[str]:
        return [str(c) for c in self.model_.classes_]

    def predict_proba(self, contexts: list[SourceContext]) -> np.ndarray:
        if not contexts:
            return np.zeros((0, len(self.classes_)))
        x = self.vectorizer_.transform([source_features(c) for c in contexts])
        return self.model_.predict_proba(x)

    def predict(self, contexts: list[SourceContext]) -> list[tuple[str, float]]:
        """(type, probability) for each context."""
        proba = self.predict_proba(contexts)
        classes = self.classes_
        return [(classes[int(i)], float(p[i])) for p, i in zip(proba, proba.argmax(axis=1), strict=True)]

    # -- persistence -------------------------------------------------------------

    def save(self, directory: Path) -> list[str]:
        directory.mkdir(parents=True, exist_ok=True)
        save_file(
            {"coef": np.ascontiguousarray(self.model_.coef_), "intercept": self.model_.intercept_},
            str(directory / "type_classifier.safetensors"),
        )
        meta = {
            "C": self.C,
            "max_iter": self.max_iter,
            "classes": self.classes_,
            "features": list(self.vectorizer_.feature_names_),
        }
        (directory / "type_classifier.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
        return ["type_classifier.safetensors", "type_classifier.json"]

    @classmethod
    def load(cls, directory: Path) -> TypeClassifier:
        from sklearn.feature_extraction import DictVectorizer
        from sklearn.linear_model import LogisticRegression

        meta = json.loads((directory / "type_classifier.json").read_text(encoding="utf-8"))
        weights = load_file(str(directory / "type_classifier.safetensors"))
        clf = cls(C=meta["C"], max_iter=meta["max_iter"])
        clf.vectorizer_ = DictVectorizer()
        clf.vectorizer_.feature_names_ = meta["features"]
        clf.vectorizer_.vocabulary_ = {f: i for i, f in enumerate(meta["features"])}
        clf.model_ = LogisticRegression(C=meta["C"], max_iter=meta["max_iter"])
        clf.model_.classes_ = np.array(meta["classes"])
        clf.model_.coef_ = weights["coef"]
        clf.model_.intercept_ = weights["intercept"]
        return clf
