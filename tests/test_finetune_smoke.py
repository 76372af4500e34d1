"""Smoke test of the real training path: MiniLM + LoRA on a few PolNeAR train articles,
one epoch (configs/finetune-smoke.yaml), then the model loads and checks an article."""

from __future__ import annotations

import json

import torch
from typer.testing import CliRunner

from claimcheck.cli import app
from claimcheck.models.registry import load_model
from claimcheck.training.config import load_config
from claimcheck.training.finetune import finetune
from claimcheck.training.tagger_config import FinetuneConfig
from tests.conftest import POLNEAR, REPO, need


def test_finetune_smoke(tmp_path, monkeypatch):
    need(POLNEAR / "train")
    torch.set_num_threads(1)
    monkeypatch.chdir(tmp_path)  # the config's paths are relative to the config file, not the working directory
    config = load_config(REPO / "configs" / "finetune-smoke.yaml", FinetuneConfig, [f"output={tmp_path / 'smoke'}"])
    folder = finetune(config)
    info = json.loads((folder / "config.json").read_text())["training"]
    assert info["n_train_articles"] == 12 and len(info["history"]) == 1
    assert info["type_labels"].get("annotated", 0) > 0  # the type head learnt from annotated train sources
    model = load_model(folder)
    atts = model.predict(["Mayor Ann Ortiz said the bridge will reopen in May."])[0]
    assert all(a.type is None or 0 <= a.confidence <= 1 for a in atts)

    # refitting only the type head (train --type-head-only) keeps the adapter and the tags,
    # stores the head's training data and renews the model card
    text = "Officials, who asked not to be named, said the talks failed. Ann Ortiz said so too."
    first = [a.model_dump() for a in model.predict([text])[0]]
    result = CliRunner().invoke(
        app,
        [
            "train",
            *("--config", str(REPO / "configs" / "finetune-smoke.yaml"), "--set", f"output={folder}"),
            *("--type-head-only", "--out", str(tmp_path / "refit")),
        ],
    )
    assert result.exit_code == 0, result.output
    refit = tmp_path / "refit"
    assert (refit / "adapter_model.safetensors").is_file() and (refit / "type_head_data.safetensors").is_file()
    again = load_model(refit)
    assert [a.model_dump() for a in again.predict([text])[0]] == first
    assert again.type_head.data_ is not None
    assert "sources of the training articles typed by hand" in (refit / "MODEL_CARD.md").read_text()

    # the type head's settings are chosen on a validation split (two typed validation articles here)
    from eval.type_head_grid import GRID
    from eval.type_head_grid import main as grid

    ids = (REPO / "configs" / "splits" / "polnear-validation.txt").read_text().split("\n")
    (tmp_path / "held.txt").write_text("\n".join([i for i in ids if i and not i.startswith("#")][:2]))
    smoke = str(REPO / "configs" / "finetune-smoke.yaml")
    grid(
        ["--config", smoke, "--set", "validation=held.txt", "--model", str(refit), "--threads", "1", "--out", "g.jsonl"]
    )
    lines = [json.loads(line) for line in (tmp_path / "g.jsonl").read_text().splitlines()]
    assert len(lines) == len(GRID["type_head_C"]) * len(GRID["type_head_class_weight"]) * len(
        GRID["type_head_dense_weight"]
    )
    assert all(0 <= line["types.macro_f1"] <= 1 and line["types.per_class"] for line in lines)
