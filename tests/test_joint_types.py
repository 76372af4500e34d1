"""The joint type head (``type_head: joint``): pooling, the typed sources on the windows, the
loss and its gradient, a tiny model that learns the types of its training text and reloads
the same, and a model without the head left as it was."""

from __future__ import annotations

import json
import logging
import shutil

import numpy as np
import pytest
import torch

from claimcheck.data import ATTRIBUTION_TYPES, save_examples
from claimcheck.models.joint_types import WEIGHTS_FILE, JointTypeHead, pool_spans
from claimcheck.models.registry import load_model
from claimcheck.training.distill import TagLoss
from claimcheck.training.joint_types import JointTypeLoss, calibrate_joint_head, joint_type_logits
from tests.test_tagger import ARTICLES, _examples


def test_pooling_picks_the_right_pieces():
    hidden = torch.arange(2 * 6 * 2, dtype=torch.float32).reshape(2, 6, 2)
    # window 1: source pieces 2-3, cue piece 4, sentence 1-5; window 0: source piece 1, no cue
    spans = torch.tensor([[1, 2, 4, 4, 5, 1, 6], [0, 1, 2, 0, 0, 0, 3]])
    pooled = pool_spans(hidden, spans)
    w1, w0 = hidden[1], hidden[0]
    first = torch.cat([w1[2], w1[3], w1[2:4].mean(0), w1[4], w1[1:6].mean(0)])
    second = torch.cat([w0[1], w0[1], w0[1], torch.zeros(2), w0[0:3].mean(0)])
    assert torch.equal(pooled[0], first) and torch.equal(pooled[1], second)


def _config(tmp_path, encoder, extra: list[str]):
    from claimcheck.training.config import load_config
    from claimcheck.training.tagger_config import FinetuneConfig

    data = tmp_path / "train.jsonl"
    save_examples(data, _examples())
    lines = [
        "architecture: tagger.v1",
        f"base_encoder: {encoder}",
        f"train: {data}",
        f"output: {tmp_path / 'model'}",
        "annotations: null",
        "max_length: 32",
        "context_sentences: 1",
        "batch_size: 4",
        "warmup_ratio: 0.0",
        "finetuning: full",
        "case_features: true",
        "decoding: viterbi",
        "checkpoint_steps: 1000",
        "threads: 1",
        f"checkpoint_dir: {tmp_path / 'checkpoints'}",
        *extra,
    ]
    (tmp_path / "tiny.yaml").write_text("\n".join(lines))
    return load_config(tmp_path / "tiny.yaml", FinetuneConfig)


def test_each_typed_source_sits_on_the_window_whose_core_holds_it(tiny_encoder, tmp_path):
    from claimcheck.text import split_sentences
    from claimcheck.training.data import build_windows
    from claimcheck.training.network import build_network

    config = _config(tmp_path, tiny_encoder, ["type_head: joint"]).model_copy(update={"max_length": 24})
    _, tokenizer = build_network(config)
    for ex in _examples():
        windows = build_windows([ex], tokenizer, config)
        assert len(windows) == 2  # the second's context holds the first's sources: they count once
        found = [(w, t) for w in windows for t in w.types]
        assert len(found) == len(ex.attributions)  # each source once, in the window whose core holds it
        for (w, (type_index, s0, s1, c0, c1, t0, t1)), att in zip(found, ex.attributions, strict=True):
            assert ATTRIBUTION_TYPES[type_index] == att.type and all(w.core[s0:s1])
            assert _pieces_text(ex.text, w, s0, s1) == att.text_of("source", ex.text)
            assert att.text_of("cue", ex.text).strip() in _pieces_text(ex.text, w, c0, c1)
            sentence = next(s for s in split_sentences(ex.text) if s.start <= att.source[0][0] < s.end)
            assert _pieces_text(ex.text, w, t0, t1) == ex.text[sentence.start : sentence.end]


def _pieces_text(text: str, window, start: int, end: int) -> str:
    """The text from the window's piece ``start`` to the end of piece ``end - 1``."""
    return text[window.offsets[start][0] : window.offsets[end - 1][1]]


def test_the_loss_adds_the_type_term_and_its_gradient_reaches_the_encoder(tiny_encoder, tmp_path):
    from claimcheck.training.data import build_windows, collate
    from claimcheck.training.network import build_network

    torch.manual_seed(0)
    config = _config(tmp_path, tiny_encoder, ["type_head: joint"])
    network, tokenizer = build_network(config)
    batch = collate(build_windows(_examples(), tokenizer, config), tokenizer.pad_token_id)
    assert batch["type_spans"].shape == (5, 7) and batch["type_labels"].shape == (5,)
    network.eval()  # no dropout: the terms compare exactly
    logits, hidden = network(batch["input_ids"], batch["attention_mask"], batch["case_ids"])
    tags = TagLoss()(logits, batch)
    joint = JointTypeLoss(TagLoss(), network.joint_type_head, 0.5)(logits, batch, hidden)
    types = torch.nn.functional.cross_entropy(
        network.joint_type_head(hidden, batch["type_spans"]), batch["type_labels"]
    )
    assert torch.isclose(joint, tags + 0.5 * types)
    (joint - tags).backward()  # the type term alone
    query = network.encoder.encoder.layer[0].attention.self.query.weight
    assert query.grad is not None and query.grad.abs().sum() > 0
    assert network.tag_head.weight.grad is None or not network.tag_head.weight.grad.any()


@pytest.fixture(scope="module")
def joint_model(tiny_encoder, tmp_path_factory):
    """A tiny fully fine-tuned tagger with the joint type head, trained on articles a and b
    (c is the validation split)."""
    from claimcheck.training.finetune import finetune

    torch.set_num_threads(1)
    tmp_path = tmp_path_factory.mktemp("joint")
    (tmp_path / "validation.txt").write_text("c\n")
    extra = [
        "type_head: joint",
        "type_loss_weight: 1.0",
        f"validation: {tmp_path / 'validation.txt'}",
        "epochs: 60",
        "learning_rate: 0.01",
        "head_learning_rate: 0.01",
    ]
    return finetune(_config(tmp_path, tiny_encoder, extra))


def test_a_joint_model_learns_its_training_types_and_reloads_the_same(joint_model, tmp_path, caplog):
    folder = joint_model
    saved = json.loads((folder / "config.json").read_text())
    info = saved["training"]
    assert (folder / WEIGHTS_FILE).is_file()
    assert info["joint_type_head"]["calibrated_on"] == "validation" and info["joint_type_head"]["sources"] == 2
    # the head is chosen on validation by six-kind macro-F1; the other head's figures stand beside
    choice = info["joint_type_head"]["choice"]
    chosen, other = choice["chosen"], ("linear" if choice["chosen"] == "joint" else "joint")
    assert saved["settings"]["type_head"] == chosen
    assert (chosen == "joint") == (choice["joint"] > choice["linear"])
    assert info["figures"]["validation"]["types.six_kind_macro_f1"] == choice[chosen]
    assert info["figures"][f"validation ({other} head)"]["types.six_kind_macro_f1"] == choice[other]
    card = (folder / "MODEL_CARD.md").read_text()
    assert "`type_head: joint`, type loss weight" in card and f"The {chosen} head types" in card

    model = load_model(folder)
    assert isinstance(model.network.joint_type_head, JointTypeHead)
    model.settings = model.settings.replace(type_head="joint")  # whichever validation chose
    train = _examples()[:2]
    logits, labels = joint_type_logits(model, train, {})
    assert [ATTRIBUTION_TYPES[i] for i in logits.argmax(1)] == [ATTRIBUTION_TYPES[i] for i in labels]
    # the training record rounds it to three decimals
    assert model.network.joint_type_head.temperature == pytest.approx(info["joint_type_head"]["temperature"], abs=1e-3)

    again = load_model(shutil.copytree(folder, tmp_path / "copy"))
    again.settings = model.settings
    first = [[a.model_dump() for a in atts] for atts in model.predict(ARTICLES)]
    assert first == [[a.model_dump() for a in atts] for atts in again.predict(ARTICLES)]
    gold = {(ex.id, a.source[0]): a.type for ex in train for a in ex.attributions}
    typed = [(ex.id, a) for ex, atts in zip(_examples(), first, strict=True) for a in atts if a["source"]]
    matched = [(gold[(i, tuple(a["source"][0]))], a["type"]) for i, a in typed if (i, tuple(a["source"][0])) in gold]
    assert matched and all(want == got for want, got in matched)  # the sources it finds are typed right

    with caplog.at_level(logging.WARNING):
        calibration = calibrate_joint_head(model, [], train, {})
    assert calibration["calibrated_on"] == "training" and "no validation split" in caplog.text


def test_the_linear_head_of_a_joint_model_is_the_linear_model(joint_model):
    """``type_head: linear`` in a joint folder types as a model without the joint head does."""
    model = load_model(joint_model)
    model.settings = model.settings.replace(type_head="linear")
    linear = [[a.model_dump() for a in atts] for atts in model.predict(ARTICLES)]
    model.network.joint_type_head = None
    stored = {k: v for k, v in model.settings.stored().items() if k != "type_head"}
    model.settings = type(model.settings).model_validate(stored)
    assert linear == [[a.model_dump() for a in atts] for atts in model.predict(ARTICLES)]


def test_a_model_without_the_joint_head_is_as_before(tiny_encoder, tmp_path):
    from claimcheck.models.tagger import TaggerNetwork
    from claimcheck.training.data import build_windows, collate
    from claimcheck.training.network import build_network, settings_of

    config = _config(tmp_path, tiny_encoder, [])
    assert config.type_head == "linear"
    network, tokenizer = build_network(config)
    assert network.joint_type_head is None
    plain = TaggerNetwork(network.encoder, case_features=True)
    assert [n for n, _ in network.named_parameters()] == [n for n, _ in plain.named_parameters()]
    assert "type_head" not in settings_of(config).stored()
    windows = build_windows(_examples(), tokenizer, config)
    assert all(w.types is None for w in windows)
    assert not {"type_spans", "type_labels"} & set(collate(windows, tokenizer.pad_token_id))

    shipped = load_model("tagger")
    assert shipped.network.joint_type_head is None and "type_head" not in shipped.settings.stored()
    assert not (shipped.source_dir / WEIGHTS_FILE).exists()
    assert np.all([a.type for a in shipped.predict([ARTICLES[0]])[0] if a.source])
