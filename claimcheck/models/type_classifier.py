"""The baseline's source-type classifier: logistic regression over the hand features
of :func:`claimcheck.models.source_context.source_features`.

A scikit-learn ``DictVectorizer`` + ``LogisticRegression``. It is saved as
safetensors (coefficients) plus JSON (feature names, classes, parameters) and
rebuilt on load, so no pickle is ever read.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from safetensors.numpy import load_file, save_file

from claimcheck.models.source_context import SourceContext, source_features


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
