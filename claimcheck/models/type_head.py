"""Type head of the fine-tuned model: logistic regression over a source span's pooled
encoder vector plus the cheap hand features of :func:`source_features`.

The uncased encoder cannot see capitalisation, a strong hint of a named source,
so the hand features (capitalisation, lexicon hits, resolved antecedent) sit
beside its vector. Probabilities are calibrated by one temperature fitted on
out-of-fold logits, so ``confidence`` means what it says. Saved as safetensors
plus JSON; rebuilt on load without pickles.

scikit-learn fits the head (``DictVectorizer``, ``StandardScaler``,
``LogisticRegression``) and is imported only then: importing it costs about a second
of every start-up (it pulls in ``scipy.stats`` and pandas). A fitted head keeps the
arrays those estimators learned and applies them with numpy and ``scipy.sparse``,
which is all their ``transform`` and ``decision_function`` do for this design; the
test suite checks the logits are scikit-learn's to the bit.

:class:`TypeHeadSettings` are the type heads' keys of a tagger folder's ``settings``: which
head types the sources (this one or the joint one, :mod:`claimcheck.models.joint_types`) and
the typing rule on its confidence. Each head saves and loads its own files.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field
from safetensors.numpy import load_file, save_file
from scipy import sparse

from claimcheck.models.source_context import SourceContext, source_features

if TYPE_CHECKING:
    from sklearn.linear_model import LogisticRegression

META_FILE = "type_head.json"
WEIGHTS_FILE = "type_head.safetensors"


class TypeHeadSettings(BaseModel):
    """The type heads' keys of a tagger folder's ``settings`` (unknown keys are refused)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    #: a source with no word of an agent ("recent developments indicate") typed below this
    #: confidence is a thing the writer speaks through: its claim is ``unattributed``
    #: (:func:`claimcheck.models.typing_rules.apply_typing_rules`); None: the rule is off
    thing_below: float | None = Field(default=None, ge=0.0, le=1.0)
    #: which head types the sources: ``linear``, the logistic regression over the source's mean
    #: vector; ``joint``, the head trained with the encoder (:mod:`claimcheck.models.joint_types`)
    type_head: Literal["linear", "joint"] = "linear"


def softmax(logits: np.ndarray, axis: int) -> np.ndarray:
    """``scipy.special.softmax``, the same numpy operations (so the same to the bit), without
    importing ``scipy.special`` (0.2 s of every start-up)."""
    shifted = np.exp(logits - np.max(logits, axis=axis, keepdims=True))
    return shifted / np.sum(shifted, axis=axis, keepdims=True)


def fit_temperature(logits: np.ndarray, index: np.ndarray) -> float:
    """The temperature that minimises the negative log-likelihood of the classes ``index``
    (one per row of ``logits``): one scalar, so the ranking of the classes is unchanged."""
    from scipy.optimize import minimize_scalar
    from scipy.special import log_softmax

    def nll(t: float) -> float:
        return -float(log_softmax(logits / t, axis=1)[np.arange(len(index)), index].mean())

    return float(minimize_scalar(nll, bounds=(0.05, 20.0), method="bounded").x)


class SpanTypeHead:
    """``fit(contexts, vectors, labels)`` / ``predict_proba(contexts, vectors)``.

    A fitted head holds ``classes_``, ``features_`` (the hand features' column names),
    ``mean_`` and ``scale_`` (the vectors' standardisation), ``coef_``, ``intercept_``
    and ``temperature_``.
    """

    def __init__(
        self,
        C: float = 1.0,
        dense_weight: float = 1.0,
        class_weight: str | None = None,
        max_iter: int = 3000,
        seed: int = 0,
    ):
        self.C = C
        self.dense_weight = dense_weight
        self.class_weight = class_weight  # "balanced": each type weighs as much in the fit
        self.max_iter = max_iter
        self.seed = seed

    def _model(self) -> LogisticRegression:
        from sklearn.linear_model import LogisticRegression

        return LogisticRegression(C=self.C, class_weight=self.class_weight, max_iter=self.max_iter)

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
        from sklearn.feature_extraction import DictVectorizer
        from sklearn.model_selection import StratifiedKFold, cross_val_predict
        from sklearn.preprocessing import StandardScaler

        vectorizer, scaler = DictVectorizer(), StandardScaler()
        hand = vectorizer.fit_transform(feats)
        dense = scaler.fit_transform(vectors)
        x = sparse.hstack([sparse.csr_matrix(dense * self.dense_weight), hand]).tocsr()
        y = np.asarray(labels)
        w = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight, dtype=float)
        model = self._model().fit(x, y, sample_weight=w)
        self.features_ = [str(f) for f in vectorizer.feature_names_]
        self.mean_, self.scale_ = scaler.mean_, scaler.scale_
        self.coef_, self.intercept_ = model.coef_, model.intercept_
        self.classes_ = [str(c) for c in model.classes_]
        self.data_ = (list(feats), np.asarray(vectors, dtype=np.float32), [str(v) for v in y])
        # temperature from out-of-fold logits: one scalar, so ranking is unchanged
        n_splits = int(min(5, np.bincount(np.unique(y, return_inverse=True)[1]).min()))
        if n_splits >= 2:
            folds = StratifiedKFold(n_splits=n_splits, shuffle=True, random_state=self.seed)
            logits = cross_val_predict(
                self._model(), x, y, cv=folds, method="decision_function", params={"sample_weight": w}
            )
            self.temperature_ = fit_temperature(logits, np.searchsorted(model.classes_, y))
        else:
            self.temperature_ = 1.0
        return self

    def decision_function(self, feats: list[dict[str, float]], vectors: np.ndarray) -> np.ndarray:
        """The logits (rows: sources, columns: ``classes_``), as the fitted estimators give them:
        the vectors standardised in their own float type (as ``StandardScaler`` does) and
        weighted, the hand features as ``DictVectorizer`` columns (unknown ones dropped)."""
        dense = np.array(vectors, dtype=np.result_type(np.asarray(vectors).dtype, np.float32), copy=True)
        dense -= self.mean_.astype(dense.dtype)
        dense /= self.scale_.astype(dense.dtype)
        column = {f: i for i, f in enumerate(self.features_)}
        hand = np.zeros((len(feats), len(column)))
        for row, f in enumerate(feats):
            for name, value in f.items():
                if name in column:
                    hand[row, column[name]] += value
        # sparse, as in fitting: the sums run in the same order, so the logits are the same to the bit
        x = sparse.hstack([sparse.csr_matrix(dense * self.dense_weight), sparse.csr_matrix(hand)]).tocsr()
        return x @ self.coef_.T + self.intercept_

    def predict_proba(self, contexts: list[SourceContext], vectors: np.ndarray) -> np.ndarray:
        if not contexts:
            return np.zeros((0, len(self.classes_)))
        logits = self.decision_function([source_features(c) for c in contexts], vectors)
        return softmax(logits / self.temperature_, axis=1)

    def save(self, directory: Path) -> None:
        save_file(
            {
                "coef": np.ascontiguousarray(self.coef_),
                "intercept": np.ascontiguousarray(self.intercept_),
                "scaler_mean": np.ascontiguousarray(self.mean_),
                "scaler_scale": np.ascontiguousarray(self.scale_),
            },
            str(directory / WEIGHTS_FILE),
        )
        meta = {
            "C": self.C,
            "dense_weight": self.dense_weight,
            "class_weight": self.class_weight,
            "temperature": self.temperature_,
            "classes": self.classes_,
            "features": self.features_,
        }
        (directory / META_FILE).write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
        if getattr(self, "data_", None):
            feats, vectors, labels = self.data_
            save_file({"vectors": vectors.astype(np.float32)}, str(directory / "type_head_data.safetensors"))
            data = {"labels": labels, "features": feats}
            (directory / "type_head_data.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")

    @staticmethod
    def saved_in(directory: Path) -> bool:
        """Does the model folder hold a linear type head?"""
        return (directory / META_FILE).is_file()

    @classmethod
    def load(cls, directory: Path) -> SpanTypeHead:
        meta = json.loads((directory / META_FILE).read_text(encoding="utf-8"))
        w = load_file(str(directory / WEIGHTS_FILE))
        head = cls(C=meta["C"], dense_weight=meta["dense_weight"], class_weight=meta.get("class_weight"))
        head.temperature_ = meta["temperature"]
        head.classes_ = list(meta["classes"])
        head.features_ = list(meta["features"])
        head.mean_, head.scale_ = w["scaler_mean"], w["scaler_scale"]
        head.coef_, head.intercept_ = w["coef"], w["intercept"]
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
