"""Training the baseline: a small fit on PolNeAR train, saved and reloaded."""

from __future__ import annotations

import pytest

from claimcheck.errors import DataError
from claimcheck.models.registry import load_model
from claimcheck.training.baseline import BaselineConfig, train_baseline
from claimcheck.training.config import load_config
from claimcheck.training.weak_labels import load_annotations
from tests.conftest import POLNEAR, REPO, need


def test_annotation_file_is_valid():
    labels = load_annotations(REPO / "training" / "labels" / "polnear-train-types.jsonl")
    assert len(labels) >= 1000


def test_fit_save_reload(tmp_path):
    train = need(POLNEAR / "train")
    # a few dozen articles: copy nothing, point at a subset through a labelled file
    from claimcheck.data import save_examples
    from claimcheck.io.brat import read_brat_dir

    subset = [ex for _, ex in zip(range(60), read_brat_dir(train), strict=False)]
    save_examples(tmp_path / "train.jsonl", subset)
    config_file = tmp_path / "baseline.yaml"
    config_file.write_text(
        f"architecture: baseline.v1\ntrain: {tmp_path / 'train.jsonl'}\noutput: {tmp_path / 'model'}\n"
    )
    with pytest.raises(DataError, match="no typed sources to learn types from"):
        train_baseline(load_config(config_file, BaselineConfig, overrides=["cue_min_count=2"]))
    annotations = f"annotations={REPO / 'training' / 'labels' / 'polnear-train-types.jsonl'}"
    config = load_config(config_file, BaselineConfig, overrides=["cue_min_count=2", annotations])
    folder = train_baseline(config)
    model = load_model(folder)
    assert "said" in model.cue_words
    atts = model.predict(["Ann Ortiz said the bridge will reopen."])[0]
    assert atts and atts[0].type is not None and 0 <= atts[0].confidence <= 1
