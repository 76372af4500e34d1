"""Type head of the fine-tuned model: logistic regression over a source span's pooled
encoder vector plus the cheap hand features of :func:`source_features`.

The uncased encoder cannot see capitalisation, a strong hint of a named source,
so the hand features (capitalisation, lexicon hits, resolved antecedent) sit
beside its vector. Probabilities are calibrated by one temperature fitted on
out-of-fold logits, so ``confidence`` means what it says. Saved as safetensors
plus JSON; rebuilt on load without pickles.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from safetensors.numpy import load_file, save_file
from scipy import sparse
from scipy.optimize import minimize_scalar
from scipy.special import log_softmax, softmax
from sklearn.feature_extraction import DictVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.preprocessing import StandardScaler

from claimcheck.models.source_context import SourceContext, source_features


class SpanTypeHead:
    """``fit(contexts, vectors, labels)`` / ``predict_proba(contexts, vectors)``."""

    def __init__(self, C: float = 1.0, dense_weight: float = 1.0, max_iter: int = 3000, seed: int = 0):
        self.C = C
        self.dense_weight = dense_weight
        self.max_iter = max_iter
        self.seed = seed

    def _design(self, feats: list[dict[str, float]], vectors: np.ndarray, fit: bool = False):
        if fit:
            self.vectorizer_ = DictVectorizer()
            self.scaler_ = StandardScaler()
            hand = self.vectorizer_.fit_transform(feats)
            dense = self.scaler_.fit_transform(vectors)
        else:
            hand = self.vectorizer_.transform(feats)
            dense = self.scaler_.transform(vectors)
        return sparse.hstack([sparse.csr_matrix(dense * self.dense_weight), hand]).tocsr()

    def _model(self) -> LogisticRegression:
        return LogisticRegression(C=self.C, max_iter=self.max_iter)

    def fit(self, contexts: list[SourceContext], vectors: np.ndarray, labels: list[str]) -> SpanTypeHead:
        return self.fit_features([source_features(c) for c in contexts], vectors, labels)

    def fit_features(
        self,
        feats: list[dict[str, float]],
        vectors: np.ndarray,
        labels: list[str],
        sample_weight: np.ndarray | None = None,
    ) -> SpanTypeHead:
        """Fit on precomputed hand features; the training data is kept (``data_``) and saved
        with the head, so a newsroom can later refit it with its own labels added."""
        x = self._design(feats, vectors, fit=True)
        y = np.asarray(labels)
        w = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight, dtype=float)
        self.model_ = self._model().fit(x, y, sample_weight=w)
        self.data_ = (list(feats), np.asarray(vectors, dtype=np.float32), [str(v) for v in y])
        # temperature from out-of-fold logits: one scalar, so ranking is unchanged
        n_splits = int(min(5, np.bincount(np.unique(y, return_inverse=True)[1]).min()))
        if n_splits >= 2:
            folds = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=self.seed)
            logits = cross_val_predict(
                self._model(), x, y, cv=folds, method="decision_function", params={"sample_weight": w}
            )
            index = np.searchsorted(self.model_.classes_, y)

            def nll(t: float) -> float:
                return -float(log_softmax(logits / t, axis=1)[np.arange(len(y)), index].mean())

            self.temperature_ = float(minimize_scalar(nll, bounds=(0.05, 20.0), method="bounded").x)
        else:
            self.temperature_ = 1.0
        return self

    @property
    def classes_(self) -> list[str]:
        return [str(c) for c in self.model_.classes_]

    def predict_proba(self, contexts: list[SourceContext], vectors: np.ndarray) -> np.ndarray:
        if not contexts:
            return np.zeros((0, len(self.classes_)))
        feats = [source_features(c) for c in contexts]
        logits = self.model_.decision_function(self._design(feats, vectors))
        return softmax(logits / self.temperature_, axis=1)

    def save(self, directory: Path) -> None:
        save_file(
            {
                "coef": np.ascontiguousarray(self.model_.coef_),
                "intercept": self.model_.intercept_,
                "scaler_mean": self.scaler_.mean_,
                "scaler_scale": self.scaler_.scale_,
            },
            str(directory / "type_head.safetensors"),
        )
        meta = {
            "C": self.C,
            "dense_weight": self.dense_weight,
            "temperature": self.temperature_,
            "classes": self.classes_,
            "features": list(self.vectorizer_.feature_names_),
        }
        (directory / "type_head.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
        if getattr(self, "data_", None):
            feats, vectors, labels = self.data_
            save_file({"vectors": vectors.astype(np.float32)}, str(directory / "type_head_data.safetensors"))
            data = {"labels": labels, "features": feats}
            (directory / "type_head_data.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, directory: Path) -> SpanTypeHead:
        meta = json.loads((directory / "type_head.json").read_text(encoding="utf-8"))
        w = load_file(str(directory / "type_head.safetensors"))
        head = cls(C=meta["C"], dense_weight=meta["dense_weight"])
        head.temperature_ = meta["temperature"]
        head.vectorizer_ = DictVectorizer()
        head.vectorizer_.feature_names_ = meta["features"]
        head.vectorizer_.vocabulary_ = {f: i for i, f in enumerate(meta["features"])}
        head.scaler_ = StandardScaler()
        head.scaler_.mean_, head.scaler_.scale_ = w["scaler_mean"], w["scaler_scale"]
        head.scaler_.n_features_in_ = len(w["scaler_mean"])
        head.model_ = head._model()
        head.model_.classes_ = np.array(meta["classes"])
        head.model_.coef_, head.model_.intercept_ = w["coef"], w["intercept"]
        if (directory / "type_head_data.json").is_file():
            head._data_dir = directory  # read when a refit asks for it, not at every start-up
        return head

    @property
    def data_(self) -> tuple[list[dict[str, float]], np.ndarray, list[str]] | None:
        """The head's training data (features, vectors, labels), read from its folder on first use."""
        if self.__dict__.get("_data") is None and self.__dict__.get("_data_dir") is not None:
            directory = self._data_dir
            data = json.loads((directory / "type_head_data.json").read_text(encoding="utf-8"))
            vectors = load_file(str(directory / "type_head_data.safetensors"))["vectors"].astype(np.float32)
            self._data = (data["features"], vectors, data["labels"])
        return self.__dict__.get("_data")

    @data_.setter
    def data_(self, value: tuple[list[dict[str, float]], np.ndarray, list[str]]) -> None:
        self._data = value
