"""The one training loop (claimcheck/training/loop.py) and its checkpoints: a run cut and resumed
ends as an uninterrupted one, a checkpoint written by the code before it resumes, the optimizer's
groups keep their order, and a loss is a hook."""

from __future__ import annotations

import json
import shutil

import pytest
import torch
from safetensors.torch import load_file

from claimcheck.data import save_examples
from tests.test_tagger import _examples


def _config(tmp_path, encoder, name: str, extra: tuple[str, ...] = ()):
    from claimcheck.training.config import load_config
    from claimcheck.training.tagger_config import FinetuneConfig

    data = tmp_path / "train.jsonl"
    save_examples(data, _examples())
    (tmp_path / "validation.txt").write_text("c\n")
    lines = [
        "architecture: tagger.v1",
        f"base_encoder: {encoder}",
        f"train: {data}",
        "validation: validation.txt",
        f"output: {tmp_path / name}",
        f"checkpoint_dir: {tmp_path / (name + '-checkpoints')}",
        "annotations: null",
        "max_length: 32",
        "epochs: 3",
        "batch_size: 1",
        "learning_rate: 0.02",
        "head_learning_rate: 0.02",
        "warmup_ratio: 0.3",
        "finetuning: full",
        "case_features: true",
        "checkpoint_steps: 2",
        "threads: 1",
        *extra,
    ]
    (tmp_path / f"{name}.yaml").write_text("\n".join(lines))
    return load_config(tmp_path / f"{name}.yaml", FinetuneConfig)


class _Cut(Exception):
    pass


def _cut_after(monkeypatch, steps: int) -> None:
    """The run stops as a killed one would: the optimizer's step ``steps + 1`` never happens."""
    real, count = torch.optim.AdamW.step, [0]

    def step(self, *args, **kwargs):
        count[0] += 1
        if count[0] > steps:
            raise _Cut
        return real(self, *args, **kwargs)

    monkeypatch.setattr(torch.optim.AdamW, "step", step)


def _timeless(value):
    if isinstance(value, dict):
        return {k: _timeless(v) for k, v in value.items() if "seconds" not in k and not k.endswith("_per_s")}
    return [_timeless(v) for v in value] if isinstance(value, list) else value


def _trained(folder):
    history = json.loads((folder / "config.json").read_text())["training"]["history"]
    weights = {
        f"{path.name}:{name}": value for path in folder.glob("*.safetensors") for name, value in load_file(path).items()
    }
    return _timeless(history), weights


def test_a_run_cut_twice_ends_as_an_uninterrupted_run(tiny_encoder, tmp_path, monkeypatch, caplog):
    """Before the one loop a resumed run wrote the optimizer's state and the schedule as it had
    loaded them into every later checkpoint, and drew other dropout than the uninterrupted run:
    a second resume replayed the learning rates. Now a run cut twice trains exactly as one never cut."""
    from claimcheck.training.finetune import finetune

    torch.set_num_threads(1)
    whole = _trained(finetune(_config(tmp_path, tiny_encoder, "whole", ("checkpoint_steps: 1",))))
    config = _config(tmp_path, tiny_encoder, "cut", ("checkpoint_steps: 1",))
    for steps in (3, 2):  # cut inside epoch 2, then inside epoch 3 (two training windows: 2 steps an epoch)
        with monkeypatch.context() as m:
            _cut_after(m, steps)
            with pytest.raises(_Cut):
                finetune(config)
    with caplog.at_level("INFO"):
        cut = _trained(finetune(config))
    assert "resuming at epoch 3, step 1" in caplog.text
    assert cut[0] == whole[0] and len(whole[0]) == 3
    assert cut[1].keys() == whole[1].keys()
    assert [name for name in whole[1] if not torch.equal(whole[1][name], cut[1][name])] == []


def _stepped(tmp_path, encoder, steps: int):
    """The config, optimizer and schedule of a tiny network after ``steps`` steps, checkpointed in ``tmp_path``."""
    from claimcheck.training.checkpoints import save_checkpoint
    from claimcheck.training.data import build_windows, collate
    from claimcheck.training.distill import TagLoss
    from claimcheck.training.loop import make_optimizer, seed_everything, train_step
    from claimcheck.training.network import build_network

    config = _config(tmp_path, encoder, "stepped")
    seed_everything(0)
    network, tokenizer = build_network(config)
    optimizer, scheduler = make_optimizer(network, config, 10)
    windows = build_windows(_examples(), tokenizer, config)
    for step in range(steps):
        train_step(
            network,
            collate(windows[step % len(windows) :][:1], tokenizer.pad_token_id),
            TagLoss(),
            optimizer,
            scheduler,
        )
    save_checkpoint(tmp_path / "checkpoint", network, optimizer, scheduler, {"epoch": 0, "step_in_epoch": steps})
    return config, optimizer, scheduler


def _fresh(config):
    from claimcheck.training.loop import make_optimizer
    from claimcheck.training.network import build_network

    network, _ = build_network(config)
    return (network, *make_optimizer(network, config, 10))


def test_a_checkpoint_left_behind_by_a_resume_before_the_one_loop_is_caught_up(tiny_encoder, tmp_path, caplog):
    """The teacher's run was resumed by the code before: its checkpoints hold the schedule and
    step counts of the resume, and no random state. Resumed now, the schedule, the step counts
    and the learning rates are those of the checkpoint's position; the moments load into the
    same parameters."""
    from claimcheck.training.checkpoints import load_checkpoint, parameter_names

    config, optimizer, scheduler = _stepped(tmp_path, tiny_encoder, 5)
    stale = tmp_path / "stale"
    shutil.copytree(tmp_path / "checkpoint", stale)
    meta = json.loads((stale / "state.json").read_text())
    del meta["torch_rng"]
    meta["scheduler"]["last_epoch"] -= 2  # as loaded at an earlier resume, two steps before
    meta["scheduler"]["_step_count"] -= 2
    meta["scalars"] = {k: v - 2 for k, v in meta["scalars"].items()}
    for group in meta["param_groups"]:
        group["lr"] = 0.5
    (stale / "state.json").write_text(json.dumps(meta))

    net, opt, sched = _fresh(config)
    with caplog.at_level("WARNING"):
        progress = load_checkpoint(stale, net, opt, sched, steps_per_epoch=10)
    assert progress == {"epoch": 0, "step_in_epoch": 5} and "2 steps behind" in caplog.text
    assert sched.state_dict() == scheduler.state_dict()
    assert [g["lr"] for g in opt.param_groups] == pytest.approx([g["lr"] for g in optimizer.param_groups])
    saved, loaded = optimizer.state_dict()["state"], opt.state_dict()["state"]
    assert saved.keys() == loaded.keys()
    for pid, st in saved.items():
        assert torch.equal(st["step"], loaded[pid]["step"]) and torch.equal(st["exp_avg"], loaded[pid]["exp_avg"])
    names = parameter_names(net, opt)
    assert [
        n for pid, n in enumerate(names) if pid in loaded and loaded[pid]["exp_avg"].shape != net.get_parameter(n).shape
    ] == []

    net, opt, sched = _fresh(config)
    load_checkpoint(stale, net, opt, sched)  # without the position the schedule stays where it was
    assert sched.last_epoch == 3


def test_the_optimizer_groups_are_the_encoder_then_the_heads_in_the_network_order(tiny_encoder, tmp_path):
    """A saved optimizer state maps to parameters by place: the order is fixed (the teacher's
    checkpoint holds 198 encoder weights, then the tag head's weight and bias and the case embedding)."""
    from claimcheck.training.checkpoints import parameter_names
    from claimcheck.training.loop import make_optimizer
    from claimcheck.training.network import build_network

    config = _config(tmp_path, tiny_encoder, "groups")
    network, _ = build_network(config)
    optimizer, _ = make_optimizer(network, config, 10)
    names = parameter_names(network, optimizer)
    trainable = [n for n, p in network.named_parameters() if p.requires_grad]
    encoder = [n for n in trainable if n.startswith("encoder.")]
    assert names == [*encoder, "tag_head.weight", "tag_head.bias", "case_embedding.weight"]
    assert "encoder.embeddings.word_embeddings.weight" not in names  # frozen, never stored
    assert [len(g["params"]) for g in optimizer.param_groups] == [len(encoder), 3]


def test_a_loss_is_a_hook_the_loop_calls_on_each_batch(tiny_encoder, tmp_path):
    """A new loss term needs no copy of the loop: any ``loss(logits, batch, hidden)`` trains."""
    from claimcheck.training.checkpoints import trainable_state
    from claimcheck.training.data import build_windows
    from claimcheck.training.distill import TagLoss
    from claimcheck.training.loop import Run, train
    from claimcheck.training.network import build_network

    config = _config(tmp_path, tiny_encoder, "hook", ("batch_size: 2",))
    network, tokenizer = build_network(config)
    windows = build_windows(_examples(), tokenizer, config)
    seen, tags = [], TagLoss()

    def hook(logits, batch, hidden):
        seen.append(hidden.shape[0])
        return tags(logits, batch) + 0.0 * hidden.sum()

    before = trainable_state(network)
    run = Run(epochs=2)
    state = train(
        network, windows, tokenizer.pad_token_id, hook, config, run, lambda e, loss: {config.selection_metric: None}
    )
    assert sum(seen) == 2 * len(windows) and len(seen) == 2 * -(-len(windows) // 2)
    assert len(state["history"]) == 2
    assert any(not torch.equal(v, trainable_state(network)[k]) for k, v in before.items())
