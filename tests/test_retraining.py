"""The newsroom loop end to end, on a tiny model: check -> export labels -> scripted
corrections -> Label Studio round trip -> train --add -> predictions follow the corrections."""

from __future__ import annotations

import json

import pytest
import torch
from typer.testing import CliRunner

from claimcheck.cli import app
from claimcheck.data import load_examples, save_examples
from claimcheck.io import read_labels, write_labels
from claimcheck.models.registry import list_models, load_model
from tests.test_tagger import ARTICLES, _examples


def _train_tiny(tiny_encoder, root, *extra: str):
    """A tiny tagger trained on the three articles; returns its folder and config file."""
    from claimcheck.training.config import load_config
    from claimcheck.training.finetune import finetune
    from claimcheck.training.tagger_config import FinetuneConfig

    torch.set_num_threads(1)
    data = root / "train.jsonl"
    save_examples(data, _examples())
    config = root / "tiny.yaml"
    config.write_text(
        f"architecture: tagger.v1\nbase_encoder: {tiny_encoder}\ntrain: {data}\noutput: {root / 'model'}\n"
        "annotations: null\nmax_length: 32\nepochs: 120\nbatch_size: 4\nlearning_rate: 0.02\n"
        "head_learning_rate: 0.02\nwarmup_ratio: 0.0\nlora_r: 8\nlora_alpha: 16\nlora_dropout: 0.0\n"
        "checkpoint_steps: 1000\nthreads: 1\n"
        "continue_epochs: 20\ncontinue_learning_rate: 0.005\nheldout_fraction: 0\nnew_label_weight: 5\n"
        + "".join(f"{line}\n" for line in extra)
    )
    return finetune(load_config(config, FinetuneConfig)), config


@pytest.fixture(scope="module")
def tiny_model(tiny_encoder, tmp_path_factory):
    return _train_tiny(tiny_encoder, tmp_path_factory.mktemp("tiny-model"))


@pytest.fixture(scope="module")
def tiny_full_model(tiny_encoder, tmp_path_factory):
    """Fully fine-tuned with a letter-case embedding, as the shipped default."""
    root = tmp_path_factory.mktemp("tiny-full-model")
    return _train_tiny(tiny_encoder, root, "finetuning: full", "case_features: true", "decoding: viterbi")


def _type_of(model, text: str, source: str) -> str | None:
    atts = model.predict([text])[0]
    start = text.index(source)
    hits = [a for a in atts if a.source and a.source[0][0] <= start < a.source[-1][1]]
    return hits[0].type if hits else None


def test_corrections_change_the_model(tiny_model, tmp_path, monkeypatch):
    folder, config = tiny_model
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    for i, text in enumerate(ARTICLES):
        (tmp_path / f"art{i}.txt").write_text(text, encoding="utf-8")
    files = [str(tmp_path / f"art{i}.txt") for i in range(len(ARTICLES))]

    # 1. check and export predictions in the labelled-example format
    result = runner.invoke(app, ["check", *files, "--model", str(folder), "--format", "labels", "--out", "batch.jsonl"])
    assert result.exit_code == 0, result.output
    predicted = load_examples("batch.jsonl")
    assert len(predicted) == 3

    # 2. scripted corrections: a person fixes spans to the gold ones and relabels one source
    gold = {ex.text: ex for ex in _examples()}
    corrected = []
    for ex in predicted:
        fixed = gold[ex.text].model_copy(deep=True, update={"id": ex.id})
        for att in fixed.attributions:
            if fixed.text[att.source[0][0] : att.source[0][1]] == "critics":
                att.type = "anonymous"  # the newsroom's house style
            att.label_source = "corrected"
        corrected.append(fixed)
    before = load_model(folder)
    critics_text = ARTICLES[1]
    assert _type_of(before, critics_text, "critics") != "anonymous"

    # 3. through an annotation tool's format and back
    write_labels("corrections.json", corrected)
    assert [len(e.attributions) for e in read_labels("corrections.json")] == [len(e.attributions) for e in corrected]

    # 4. retrain on the corrections
    result = runner.invoke(
        app, ["train", "--config", str(config), "--add", "corrections.json", "--from", str(folder), "--out", "newsroom"]
    )
    assert result.exit_code == 0, result.output
    after = load_model(tmp_path / "newsroom")
    assert _type_of(after, critics_text, "critics") == "anonymous"
    card = (tmp_path / "newsroom" / "MODEL_CARD.md").read_text()
    assert "corrections.json" in card
    info = json.loads((tmp_path / "newsroom" / "config.json").read_text())["training"]
    assert info["new_labels"]["articles"] == 3 and "corrections.json" in info["data_seen"][-1]

    # 5. listed by `claimcheck models`, though written outside the models folder
    assert str(tmp_path / "newsroom") in [m["path"] for m in list_models()]


def test_bad_new_labels_stop_before_training(tiny_model, tmp_path):
    _, config = tiny_model
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "x", "text": "abc", "attributions": [{"id": "E1", "source": [[0, 99]]}]}\n')
    result = CliRunner().invoke(app, ["train", "--config", str(config), "--add", str(bad)])
    assert result.exit_code == 1
    assert "bad.jsonl:1: attributions[0].source[0]" in result.stderr


def test_type_head_refit_repools_the_original_sources(tiny_model, tmp_path):
    """After continuing, the original sources are pooled again from the moved encoder where
    the training data is at hand; without it the head's stored vectors stand in."""
    import numpy as np

    from claimcheck.training.config import load_config
    from claimcheck.training.continuing import _refit_type_head
    from claimcheck.training.tagger_config import FinetuneConfig
    from claimcheck.training.type_head import pooled_sources

    folder, config_path = tiny_model
    config = load_config(config_path, FinetuneConfig)
    model = load_model(folder)
    stored_labels, stored_vectors = model.type_head.data_[2], model.type_head.data_[1]
    with torch.no_grad():  # stand-in for continued training: the encoder moves
        torch.manual_seed(0)
        for param in model.network.encoder.parameters():
            param.add_(0.02 * torch.randn_like(param))
    new = _examples()[:1]
    n = len(stored_labels)

    repooled = _refit_type_head(model, model.type_head, new, [], config)
    _, vectors, labels, _ = pooled_sources(model, load_examples(config.train))
    assert repooled.data_[2][:n] == labels == stored_labels
    np.testing.assert_allclose(repooled.data_[1][:n], np.stack(vectors), atol=1e-5)
    assert not np.allclose(repooled.data_[1][:n], stored_vectors, atol=1e-3)
    assert len(repooled.data_[2]) == n + len(pooled_sources(model, new)[2])

    elsewhere = config.model_copy(update={"train": tmp_path / "not-here.jsonl"})
    stored = _refit_type_head(model, model.type_head, new, [], elsewhere)
    np.testing.assert_array_equal(stored.data_[1][:n], stored_vectors)


@pytest.mark.parametrize("kind", ["tiny_model", "tiny_full_model"], ids=["lora", "full-case"])
def test_every_trainable_weight_moves_in_a_continue_step(request, kind: str):
    """Continuing builds training's optimizer: every weight the loss reaches moves, the case
    embedding too (it used to be left out, its gradient piling up). Only the encoder's pooler,
    which the tagger does not use, gets no gradient."""
    from transformers import AutoTokenizer

    from claimcheck.models.encoders import encoder_path
    from claimcheck.models.registry import read_config
    from claimcheck.models.tagger import TaggerSettings
    from claimcheck.training.checkpoints import trainable_state
    from claimcheck.training.config import load_config
    from claimcheck.training.continuing import _continue_epochs
    from claimcheck.training.data import build_windows, collate
    from claimcheck.training.distill import TagLoss
    from claimcheck.training.network import network_from
    from claimcheck.training.tagger_config import FinetuneConfig

    folder, config_path = request.getfixturevalue(kind)
    config = load_config(config_path, FinetuneConfig).model_copy(
        update={"continue_epochs": 1, "batch_size": 2, "warmup_ratio": 0.5}
    )
    settings = TaggerSettings.model_validate(read_config(folder)["settings"])
    network = network_from(folder, settings)
    tokenizer = AutoTokenizer.from_pretrained(str(encoder_path(settings.base_encoder)))
    windows = build_windows(_examples(), tokenizer, config)[:6]  # three steps: one of warm-up at rate 0
    batch = collate(windows, tokenizer.pad_token_id)
    TagLoss()(network(batch["input_ids"], batch["attention_mask"], batch["case_ids"])[0], batch).backward()
    reached = {name for name, p in network.named_parameters() if p.grad is not None}
    network.zero_grad(set_to_none=True)
    start = trainable_state(network)
    assert ("case_embedding.weight" in reached) == (kind == "tiny_full_model")
    assert {name.split(".pooler.")[0] for name in set(start) - reached} <= {"encoder", "encoder.base_model.model"}
    _continue_epochs(network, tokenizer, settings, windows, [], config)
    after = trainable_state(network)
    assert [name for name in reached if torch.equal(start[name], after[name])] == []


def test_continuing_rates_and_warm_up_come_from_the_config(tiny_full_model):
    from claimcheck.models.registry import read_config
    from claimcheck.models.tagger import TaggerSettings
    from claimcheck.training.config import load_config
    from claimcheck.training.loop import make_optimizer
    from claimcheck.training.network import network_from
    from claimcheck.training.tagger_config import FinetuneConfig

    folder, config_path = tiny_full_model
    rates = {"learning_rate": 1e-3, "head_learning_rate": 4e-3, "continue_learning_rate": 1e-4, "warmup_ratio": 0.1}
    config = load_config(config_path, FinetuneConfig).model_copy(update=rates)
    network = network_from(folder, TaggerSettings.model_validate(read_config(folder)["settings"]))
    optimizer, _ = make_optimizer(network, config, 100, continuing=True)
    assert [g["initial_lr"] for g in optimizer.param_groups] == pytest.approx([1e-4, 4e-4])  # heads x4, as in training
    assert [g["lr"] for g in optimizer.param_groups] == [0.0, 0.0]  # ten steps of warm-up ahead
    config = config.model_copy(update={"continue_head_learning_rate": 1e-3})
    optimizer, _ = make_optimizer(network, config, 100, continuing=True)
    assert [g["initial_lr"] for g in optimizer.param_groups] == pytest.approx([1e-4, 1e-3])


# --------------------------------------------------------------------------- few corrected articles


def _corrections(tmp_path, ids: tuple[str, ...]):
    """Corrected labels of some of the three articles: gold spans, and the newsroom's house style
    (critics are anonymous)."""
    corrected = []
    for ex in _examples():
        if ex.id in ids:
            for att in ex.attributions:
                att.label_source = "corrected"
                if ex.text[att.source[0][0] : att.source[0][1]] == "critics":
                    att.type = "anonymous"
            corrected.append(ex)
    path = tmp_path / "corrections.jsonl"
    save_examples(path, corrected)
    return path


def test_two_corrected_articles_are_both_learnt_from_and_cross_fitted(tiny_full_model, tmp_path, monkeypatch):
    """Issue 19: holding one of two corrected articles out left its corrections unlearnt. Now both
    are learnt from, the held-out figures are cross-fitted, and the figures on the corrected
    articles themselves show whether the corrections were learnt; accuracy, never speed."""
    folder, config = tiny_full_model
    monkeypatch.chdir(tmp_path)
    add = _corrections(tmp_path, ("b", "c"))
    args = ["train", "-c", str(config), "--add", str(add), "--from", str(folder), "-o", "newsroom"]
    result = CliRunner().invoke(app, [*args, "--set", "crossfit_max_steps=1000"])
    assert result.exit_code == 0, result.output
    info = json.loads((tmp_path / "newsroom" / "config.json").read_text())["training"]
    assert (info["new_labels"]["train"], info["new_labels"]["heldout"]) == (2, 0)
    assert info["check"]["method"] == "crossfit" and info["check"]["folds"] == 2
    assert set(info["before"]) == set(info["after"]) == {"learnt", "heldout", "dev"}
    assert info["after"]["learnt"]["types.accuracy"] > info["before"]["learnt"]["types.accuracy"]
    assert _type_of(load_model(tmp_path / "newsroom"), ARTICLES[1], "critics") == "anonymous"
    shown = " ".join(result.stdout.split())
    assert "corrected, learnt from (2)" in shown and "corrected, cross-fitted (2)" in shown
    assert "cross-fitted: each article scored by a model continued the same way without it" in shown
    assert "articles_per_s" not in result.stdout and "articles_per_s" not in json.dumps(info["after"])
    assert "fold 2/2" in result.stderr and "training: epoch 20/20" in result.stderr  # the progress bar
    card = (tmp_path / "newsroom" / "MODEL_CARD.md").read_text()
    assert "the whole encoder but its word embeddings, the letter-case embedding and the tag head" in card
    assert "Adapter" not in card and "### corrected, cross-fitted (2)" in card
    # listed with its cross-fitted figures, called so (they were once stored as `dev_gold`)
    assert "dev_gold" not in info and info["heldout"] == info["after"]["heldout"]
    listed = next(m for m in list_models() if m["path"] == str(tmp_path / "newsroom"))
    assert (listed["figures"], listed["figures_on"]) == (info["after"]["heldout"], "cross-fitted (2)")


def test_without_room_for_cross_fitting_it_says_no_held_out_check_was_made(tiny_model, tmp_path, monkeypatch):
    folder, config = tiny_model
    monkeypatch.chdir(tmp_path)
    add = _corrections(tmp_path, ("b", "c"))
    args = ["train", "-c", str(config), "--add", str(add), "--from", str(folder), "-o", "newsroom"]
    result = CliRunner().invoke(app, [*args, "--set", "crossfit_max_steps=10"])
    assert result.exit_code == 0, result.output
    shown = " ".join(result.stdout.split())
    assert "No held-out check was made: cross-fitting would take" in shown
    assert "over crossfit_max_steps (10)" in shown and "corrected, learnt from (2)" in shown
    assert "held out" not in shown.replace("held-out", "")
    card = (tmp_path / "newsroom" / "MODEL_CARD.md").read_text()
    assert "the LoRA adapter and the tag head" in card and "No held-out check was made" in card


def test_articles_are_held_out_only_from_five_on(tiny_model):
    from claimcheck.training.config import load_config
    from claimcheck.training.continuing import _split_new
    from claimcheck.training.tagger_config import FinetuneConfig

    config = load_config(tiny_model[1], FinetuneConfig).model_copy(update={"heldout_fraction": 0.2})
    many = [ex.model_copy(update={"id": f"{ex.id}{i}"}) for i in range(2) for ex in _examples()]
    assert [len(part) for part in _split_new(many[:4], config)] == [4, 0]
    assert [len(part) for part in _split_new(many[:5], config)] == [4, 1]
    assert [len(part) for part in _split_new(many[:5], config.model_copy(update={"heldout_min_articles": 6}))] == [5, 0]
    from claimcheck.training.continuing import _plan_check

    assert _plan_check(many[:5], many[:1], [[0]] * 4, [], config)["method"] == "heldout"
    one = _plan_check(many[:1], [], [[0]], [], config)
    assert one["method"] == "none" and "one corrected article leaves none to hold out" in one["note"]
