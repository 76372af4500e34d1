"""Training configs: strict keys, and paths relative to the config file, not the working directory."""

from __future__ import annotations

from pathlib import Path

import pytest

from claimcheck.errors import ClaimcheckError, ConfigError, DataError
from claimcheck.training.baseline import BaselineConfig
from claimcheck.training.config import load_config
from claimcheck.training.tagger_config import FinetuneConfig
from claimcheck.training.weak_labels import load_annotations
from tests.conftest import REPO, SHARED


def test_relative_paths_resolve_against_the_config_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    folder = tmp_path / "project" / "configs"
    folder.mkdir(parents=True)
    config = folder / "mine.yaml"
    config.write_text(
        "train: ../data/train.jsonl\n"
        "annotations: labels.jsonl\n"
        f"dev_gold: {tmp_path / 'gold.jsonl'}\n"
        "output: ~/models/mine\n",
        encoding="utf-8",
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    loaded = load_config("../project/configs/mine.yaml", BaselineConfig, ["cue_min_count=2"])
    assert loaded.train == tmp_path / "project" / "data" / "train.jsonl"
    assert loaded.annotations == folder / "labels.jsonl"
    assert loaded.dev_gold == tmp_path / "gold.jsonl"  # absolute: as written
    assert loaded.output == Path.home() / "models" / "mine"
    assert loaded.cue_min_count == 2

    # a path given on the command line (--set) is the working directory's, as any typed path
    again = load_config(config, BaselineConfig, ["output=runs/new"])
    assert again.output == elsewhere / "runs" / "new"
    assert again.train == loaded.train

    # a config made in code keeps its paths as given
    assert BaselineConfig(train=Path("t"), output=Path("o")).train == Path("t")


@pytest.mark.parametrize(
    ("name", "schema", "output"),
    [
        ("baseline.yaml", BaselineConfig, REPO / "claimcheck" / "resources" / "models" / "baseline"),
        ("tagger.yaml", FinetuneConfig, REPO / "claimcheck" / "resources" / "models" / "tagger"),
        ("tagger-lora.yaml", FinetuneConfig, REPO / "claimcheck" / "resources" / "models" / "tagger-lora"),
        ("finetune-smoke.yaml", FinetuneConfig, REPO / "runs" / "smoke"),
        ("experiments/lora-validation.yaml", FinetuneConfig, REPO / "runs" / "lora-validation"),
    ],
)
def test_shipped_configs_name_the_same_files_from_any_working_directory(
    name: str, schema, output: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.chdir(tmp_path)
    config = load_config(REPO / "configs" / name, schema)
    assert config.train == (SHARED / "data" / "polnear" / "train").resolve()
    assert config.annotations == REPO / "training" / "labels" / "polnear-train-types.jsonl"
    assert config.annotations.is_file()
    assert config.output == output
    if schema is FinetuneConfig:
        assert config.dev == (SHARED / "data" / "polnear" / "dev").resolve()


def test_annotations_have_no_default_and_a_missing_file_is_named(tmp_path: Path):
    config = tmp_path / "c.yaml"
    config.write_text("train: t\noutput: o\n", encoding="utf-8")
    assert load_config(config, BaselineConfig).annotations is None
    assert load_config(config, FinetuneConfig).annotations is None
    with pytest.raises(DataError, match=r"missing\.jsonl: no such annotations file"):
        load_annotations(tmp_path / "missing.jsonl")
    (tmp_path / "bad.jsonl").write_text('{"article": "a", "type": "anonymous"}\n', encoding="utf-8")
    with pytest.raises(DataError, match=r"bad\.jsonl:1: expected a JSON object with article, attribution and type"):
        load_annotations(tmp_path / "bad.jsonl")


def test_config_errors_name_the_file_and_key(tmp_path: Path):
    config = tmp_path / "c.yaml"
    config.write_text("train: t\noutput: o\ncolour: blue\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"c\.yaml: colour: Extra inputs are not permitted") as info:
        load_config(config, BaselineConfig)
    assert isinstance(info.value, ClaimcheckError)
    config.write_text("train: [unclosed\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"c\.yaml: not valid YAML"):
        load_config(config, BaselineConfig)
    config.write_text("- a list\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"c\.yaml: expected a mapping"):
        load_config(config, BaselineConfig)
