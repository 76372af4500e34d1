"""Distillation: the teacher's soft tags find the student's pieces by offset, the loss mixes
gold and teacher, and a student trains from a teacher folder with its tags cached."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from claimcheck.data import save_examples
from claimcheck.models.windows import IGNORE, Window
from claimcheck.training.distill import TagLoss, attach_soft_tags, soft_batch


def _dist(b: float, i: float) -> np.ndarray:
    return np.tile(np.array([1 - b - i, b, i], dtype=np.float32), (3, 1))


def test_soft_tags_follow_the_pieces_by_offset():
    starts = np.array([0, 6, 12])
    probs = np.stack([_dist(0.8, 0.1), _dist(0.1, 0.7), _dist(0.0, 0.0)])
    # the student cut "Ortiz" in two (6-8, 8-11) and has a special piece and a context piece
    window = Window(
        [101, 1, 2, 3, 4, 102], [(0, 0), (0, 5), (6, 8), (8, 11), (12, 16), (0, 0)], [False] + [True] * 4 + [False]
    )
    attach_soft_tags([window], (starts, probs))
    assert window.soft[0] is None and window.soft[-1] is None
    assert np.allclose(window.soft[1], probs[0]) and np.allclose(window.soft[2], probs[1])
    assert np.allclose(window.soft[3][:, 1], 0.0) and np.allclose(window.soft[3][:, 2], 0.8)  # B moved to I
    target, mask = soft_batch([window], 6)
    assert mask.tolist() == [[False, True, True, True, True, False]]
    assert torch.allclose(target[0, 1], torch.from_numpy(probs[0]))


def test_the_loss_mixes_gold_and_teacher():
    torch.manual_seed(0)
    logits = torch.randn(2, 4, 3, 3)
    labels = torch.randint(0, 3, (2, 4, 3))
    labels[:, 0] = IGNORE
    batch = {"labels": labels}
    gold = torch.nn.functional.cross_entropy(logits.reshape(-1, 3), labels.reshape(-1), ignore_index=IGNORE)
    assert torch.isclose(TagLoss(0.5)(logits, batch), gold)  # no soft tags in the batch: gold alone
    batch["soft_tags"], batch["soft_mask"] = logits.softmax(-1), torch.ones(2, 4, dtype=torch.bool)
    assert torch.isclose(TagLoss(1.0)(logits, batch), torch.tensor(0.0), atol=1e-6)  # the teacher agrees
    batch["soft_tags"] = torch.full_like(logits, 1 / 3)
    assert TagLoss(1.0)(logits, batch) > 0.01
    assert torch.isclose(TagLoss(0.0)(logits, batch), gold)


def test_a_student_learns_from_a_teacher_folder(tiny_encoder, tmp_path, caplog, monkeypatch):
    from claimcheck.training.config import load_config
    from claimcheck.training.data import teacher_tags
    from claimcheck.training.finetune import finetune
    from claimcheck.training.tagger_config import FinetuneConfig
    from tests.test_tagger import _examples

    torch.set_num_threads(1)
    data = tmp_path / "train.jsonl"
    save_examples(data, _examples())
    teacher = finetune(load_config(_config(tmp_path, tiny_encoder, data, "teacher", []), FinetuneConfig))
    config = load_config(
        _config(tmp_path, tiny_encoder, data, "student", [f"teacher: {teacher}", "distill_weight: 0.5"]),
        FinetuneConfig,
    )
    with caplog.at_level("INFO"):
        first = teacher_tags(config, _examples())
        monkeypatch.setattr("claimcheck.training.data.load_model", _no_teacher_load)
        again = teacher_tags(config, _examples())  # read from the run's cache, the teacher not loaded
        monkeypatch.undo()
    assert sum("running the teacher" in r.getMessage() for r in caplog.records) == 1
    assert all(np.array_equal(a[1], b[1]) for a, b in zip(first, again, strict=True))
    assert all(len(starts) and np.allclose(probs.sum(-1), 1.0, atol=1e-5) for starts, probs in first)

    folder = finetune(config)
    info = json.loads((folder / "config.json").read_text())["training"]
    assert info["config"]["teacher"] == str(teacher)
    assert "Distilled from `teacher`" in (folder / "MODEL_CARD.md").read_text()
    assert np.isfinite([h["train_loss"] for h in info["history"]]).all()


def test_a_warm_started_run_begins_with_the_trained_taggers_network(tiny_encoder, tmp_path):
    """``init_from``: the encoder and tag head of a trained tagger, not the base encoder's
    random head; a fresh joint type head beside them; a tagger built otherwise is refused."""
    from safetensors.torch import load_file

    from claimcheck.errors import ConfigError
    from claimcheck.training.config import load_config
    from claimcheck.training.finetune import finetune
    from claimcheck.training.network import build_network
    from claimcheck.training.tagger_config import FinetuneConfig
    from tests.test_tagger import _examples

    torch.set_num_threads(1)
    data = tmp_path / "train.jsonl"
    save_examples(data, _examples())
    start = finetune(load_config(_config(tmp_path, tiny_encoder, data, "start", []), FinetuneConfig))
    extra = [f"init_from: {start}", "type_head: joint"]
    network, _ = build_network(load_config(_config(tmp_path, tiny_encoder, data, "warm", extra), FinetuneConfig))
    heads = load_file(str(start / "heads.safetensors"))
    assert torch.equal(network.tag_head.weight, heads["tag_head.weight"])
    stored = load_file(str(start / "encoder.safetensors"))
    state = network.encoder.state_dict()
    assert all(torch.equal(state[name].to(torch.float16), value) for name, value in stored.items())
    assert network.joint_type_head is not None
    trainable = [p for p in network.encoder.parameters() if p.requires_grad]
    assert trainable and len(trainable) < len(list(network.encoder.parameters()))  # all but the word embeddings

    warm = finetune(
        load_config(_config(tmp_path, tiny_encoder, data, "warm-run", [f"init_from: {start}"]), FinetuneConfig)
    )
    assert "Started from the trained tagger `start`" in (warm / "MODEL_CARD.md").read_text()

    cold, _ = build_network(load_config(_config(tmp_path, tiny_encoder, data, "cold", []), FinetuneConfig))
    assert not torch.equal(cold.tag_head.weight, heads["tag_head.weight"])
    cased = load_config(_config(tmp_path, tiny_encoder, data, "other", [*extra, "case_features: true"]), FinetuneConfig)
    with pytest.raises(ConfigError, match="case_features False"):
        build_network(cased)


def _no_teacher_load(*_args, **_kwargs):
    raise AssertionError("the teacher was loaded although its soft tags are cached")


def _config(tmp_path, encoder, data, name: str, extra: list[str]) -> str:
    lines = [
        "architecture: tagger.v1",
        f"base_encoder: {encoder}",
        f"train: {data}",
        f"output: {tmp_path / name}",
        "annotations: null",
        "max_length: 32",
        "epochs: 3",
        "batch_size: 4",
        "learning_rate: 0.01",
        "head_learning_rate: 0.01",
        "warmup_ratio: 0.0",
        "finetuning: full",
        "checkpoint_steps: 1000",
        "threads: 1",
        f"checkpoint_dir: {tmp_path / (name + '-checkpoints')}",
        *extra,
    ]
    path = tmp_path / f"{name}.yaml"
    path.write_text("\n".join(lines))
    return str(path)
