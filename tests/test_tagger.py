"""The fine-tuned model's code path on a tiny randomly initialised BERT: train on three
hand-written articles until the loss falls, save, reload, get identical output."""

from __future__ import annotations

import json
import shutil

import pytest
import torch

from claimcheck.data import Attribution, LabelledExample, save_examples
from claimcheck.models.linking import link
from claimcheck.models.registry import load_model
from claimcheck.text import split_sentences

ARTICLES = [
    "Mayor Ann Ortiz said the bridge will reopen in May. The council met on Tuesday.",
    "The plan is late, critics said. Officials, who asked not to be named, said costs rose.",
    "According to the Riverside Herald, the toll will rise. Tom Reyes told reporters that it would not.",
]


def _att(text: str, i: int, source: str, cue: str, content: str, type_: str) -> Attribution:
    def rng(s: str) -> list[tuple[int, int]]:
        start = text.index(s)
        return [(start, start + len(s))]

    return Attribution(id=f"E{i}", source=rng(source), cue=rng(cue), content=rng(content), type=type_)


def _examples() -> list[LabelledExample]:
    a, b, c = ARTICLES
    return [
        LabelledExample(
            id="a",
            text=a,
            attributions=[_att(a, 1, "Mayor Ann Ortiz", "said", "the bridge will reopen in May", "named_person")],
        ),
        LabelledExample(
            id="b",
            text=b,
            attributions=[
                _att(b, 1, "critics", "said", "The plan is late", "unnamed_group"),
                _att(b, 2, "Officials, who asked not to be named,", " said costs", "costs rose", "anonymous"),
            ],
        ),
        LabelledExample(
            id="c",
            text=c,
            attributions=[
                _att(c, 1, "the Riverside Herald", "According to", "the toll will rise", "publication"),
                _att(c, 2, "Tom Reyes", "told", "it would not", "named_person"),
            ],
        ),
    ]


def test_link_picks_nearest_source_and_content():
    text = "Ann said the plan works. Bob disagreed."
    sentences = split_sentences(text)
    spans = {"source": [(0, 3), (25, 28)], "cue": [(4, 8)], "content": [(9, 23)]}
    assert link(sentences, spans) == [([(0, 3)], (4, 8), [(9, 23)])]


FULL = ["finetuning: full", "case_features: true", "decoding: viterbi", "content_end: trim"]


@pytest.mark.parametrize(
    ("encoder", "variant"),
    [("tiny_encoder", []), ("tiny_encoder", FULL), ("tiny_mpnet", FULL)],
    ids=["lora", "full-case-viterbi", "mpnet-full-case-viterbi"],
)
def test_overfit_save_reload(request, tmp_path, caplog, encoder, variant):
    from claimcheck.training.config import load_config
    from claimcheck.training.finetune import finetune
    from claimcheck.training.tagger_config import FinetuneConfig

    tiny_encoder = request.getfixturevalue(encoder)
    torch.set_num_threads(1)
    data = tmp_path / "train.jsonl"
    save_examples(data, _examples())
    config_file = tmp_path / "tiny.yaml"
    config_file.write_text(
        "\n".join(
            [
                "architecture: tagger.v1",
                f"base_encoder: {tiny_encoder}",
                f"train: {data}",
                f"dev: {data}",
                f"output: {tmp_path / 'model'}",
                "annotations: null",
                "max_length: 32",
                "epochs: 120",
                "batch_size: 4",
                "learning_rate: 0.02",
                "head_learning_rate: 0.02",
                "warmup_ratio: 0.0",
                "lora_r: 8",
                "lora_alpha: 16",
                "lora_dropout: 0.0",
                "checkpoint_steps: 1000",
                "threads: 1",
                f"checkpoint_dir: {tmp_path / 'checkpoints'}",
                *variant,
            ]
        )
    )
    config = load_config(config_file, FinetuneConfig)
    with caplog.at_level("INFO"):
        folder = finetune(config)
    info = json.loads((folder / "config.json").read_text())["training"]
    losses = [h["train_loss"] for h in info["history"]]
    assert losses[-1] < losses[0] / 2, losses
    assert info["history"][-1]["dev"]["cue.overlap_f1"] > 0.5  # it learnt the training articles
    weights = "encoder.safetensors" if variant else "adapter_model.safetensors"
    assert (folder / "MODEL_CARD.md").is_file() and (folder / weights).is_file()
    assert not (tmp_path / "checkpoints").exists()  # removed once the model is saved

    model = load_model(folder)
    again = load_model(shutil.copytree(folder, tmp_path / "copy"))
    first = [[a.model_dump() for a in atts] for atts in model.predict(ARTICLES)]
    assert first == [[a.model_dump() for a in atts] for atts in again.predict(ARTICLES)]
    for atts in first:
        for a in atts:
            if a["source"]:
                assert a["type"] is not None and 0.0 <= a["confidence"] <= 1.0

    # precision int8, chosen at load: a quantised copy runs, the model's own network stays fp32
    assert model.precision == "auto"
    model = load_model(folder, precision="int8")
    assert model.precision == "int8"
    quantised = [[a.model_dump() for a in atts] for atts in model.predict(ARTICLES)]
    assert model.runtime_network is not model.network
    assert not any(type(m) is torch.nn.Linear for m in model.runtime_network.encoder.modules())
    assert any(type(m) is torch.nn.Linear for m in model.network.encoder.modules())
    assert len(quantised) == len(ARTICLES)
    assert all(a["type"] is not None for atts in quantised for a in atts if a["source"])


def test_checkpoint_round_trip(tiny_encoder, tmp_path):
    from transformers import get_linear_schedule_with_warmup

    from claimcheck.training.checkpoints import load_checkpoint, save_checkpoint, trainable_state
    from claimcheck.training.network import build_network
    from claimcheck.training.tagger_config import FinetuneConfig

    config = FinetuneConfig(base_encoder=str(tiny_encoder), train=tmp_path, output=tmp_path / "m", lora_r=2)
    network, _ = build_network(config)
    params = [p for p in network.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=0.01)
    scheduler = get_linear_schedule_with_warmup(optimizer, 1, 10)
    loss = sum(p.sum() for p in params)
    loss.backward()
    optimizer.step()
    scheduler.step()
    save_checkpoint(tmp_path / "ck", network, optimizer, scheduler, {"epoch": 1, "step_in_epoch": 3})

    network2, _ = build_network(config)
    optimizer2 = torch.optim.AdamW([p for p in network2.parameters() if p.requires_grad], lr=0.01)
    scheduler2 = get_linear_schedule_with_warmup(optimizer2, 1, 10)
    meta = load_checkpoint(tmp_path / "ck", network2, optimizer2, scheduler2)
    assert meta["step_in_epoch"] == 3 and scheduler2.state_dict() == scheduler.state_dict()
    for k, v in trainable_state(network).items():
        assert torch.equal(v, trainable_state(network2)[k])
    s1, s2 = optimizer.state_dict()["state"], optimizer2.state_dict()["state"]
    assert all(torch.equal(s1[i]["exp_avg"], s2[i]["exp_avg"]) for i in s1)


def test_content_interrupted_by_its_source_gets_both_parts():
    from claimcheck.models.linking import join_split_content

    text = '"The plan works," she said. "It will pass."\n\n"Fine," he said.\n"Other."'
    sentences = split_sentences(text)
    spans = {
        "source": [(18, 21), (52, 54)],
        "cue": [(22, 26), (55, 59)],
        "content": [(0, 17), (28, 43), (45, 52), (61, 69)],
    }
    groups = join_split_content(text, link(sentences, spans), spans["content"])
    assert groups[0] == ([(18, 21)], (22, 26), [(0, 17), (28, 43)])
    assert groups[1] == ([(52, 54)], (55, 59), [(45, 52)])  # the next quote is on another line

    text = "The plan, she said, will pass. Bob said nothing."
    spans = {"source": [(10, 13), (31, 34)], "cue": [(14, 18), (35, 39)], "content": [(0, 8), (20, 29), (40, 47)]}
    groups = join_split_content(text, link(split_sentences(text), spans), spans["content"])
    assert groups[0] == ([(10, 13)], (14, 18), [(0, 8), (20, 29)])
    assert groups[1] == ([(31, 34)], (35, 39), [(40, 47)])


def test_a_quotation_continued_after_a_long_cue_joins_unless_another_cue_lies_between():
    from claimcheck.models.linking import MAX_SPLIT_GAP, join_split_content

    def spans_of(text: str, source: list[str], cue: list[str], content: list[str]) -> dict:
        def at(s: str) -> tuple[int, int]:
            return (text.index(s), text.index(s) + len(s))

        return {"source": [at(s) for s in source], "cue": [at(c) for c in cue], "content": [at(c) for c in content]}

    text = '"The levy is fair," Ortiz said of the harbour fees at a packed meeting on Monday night. "It stays."'
    spans = spans_of(text, ["Ortiz"], ["said"], ['"The levy is fair,"', '"It stays."'])
    assert len(text[text.index("said") : text.index('"It')]) > MAX_SPLIT_GAP  # beyond the plain rule
    groups = join_split_content(text, link(split_sentences(text), spans), spans["content"])
    assert groups[0][2] == spans["content"]

    text = '"The levy is fair," Ortiz said, as Reyes warned that costs rose. "It goes."'
    spans = spans_of(text, ["Ortiz", "Reyes"], ["said", "warned"], ['"The levy is fair,"', "costs rose", '"It goes."'])
    groups = join_split_content(text, link(split_sentences(text), spans), spans["content"])
    assert groups[0][2] == [spans["content"][0]]  # another cue lies between: not Ortiz's for sure
    assert groups[1][2] == [spans["content"][1]]


def test_merge_lora_equals_peft_merge(tiny_encoder, tmp_path):
    """Loading merges the adapter without importing peft; the weights must be peft's own merge."""
    from peft import LoraConfig, PeftModel, get_peft_model
    from transformers import AutoModel

    from claimcheck.models.tuned_encoder import merge_lora

    torch.manual_seed(1)
    config = LoraConfig(r=4, lora_alpha=8, target_modules=["query", "key", "value", "dense"], init_lora_weights=False)
    get_peft_model(AutoModel.from_pretrained(str(tiny_encoder)), config).save_pretrained(str(tmp_path))
    by_peft = PeftModel.from_pretrained(AutoModel.from_pretrained(str(tiny_encoder)), str(tmp_path)).merge_and_unload()
    ours = AutoModel.from_pretrained(str(tiny_encoder))
    merge_lora(ours, tmp_path)
    expected, got = by_peft.state_dict(), ours.state_dict()
    assert expected.keys() == got.keys()
    assert any(not torch.equal(v, AutoModel.from_pretrained(str(tiny_encoder)).state_dict()[k]) for k, v in got.items())
    for key, value in expected.items():
        torch.testing.assert_close(got[key], value, msg=key)


def test_snapshot_of_an_unfinished_run_then_resume(tiny_encoder, tmp_path, monkeypatch, caplog):
    """A run cut after its first epoch: the snapshot is a complete model folder, the
    checkpoint stays, and the same run carries on from its second epoch."""
    import claimcheck.training.finetune as ft
    from claimcheck.training.config import load_config

    torch.set_num_threads(1)
    data = tmp_path / "train.jsonl"
    save_examples(data, _examples())
    (tmp_path / "validation.txt").write_text("# held out\nc\n")
    (tmp_path / "notes.md").write_text("## Encoder comparison\n\nLoRA against full fine-tuning.\n")
    lines = [
        "card_notes: notes.md",
        "architecture: tagger.v1",
        f"base_encoder: {tiny_encoder}",
        "train: train.jsonl",
        "validation: validation.txt",
        "output: model",
        "checkpoint_dir: checkpoints",
        "annotations: null",
        "max_length: 32",
        "batch_size: 4",
        "learning_rate: 0.02",
        "head_learning_rate: 0.02",
        "finetuning: full",
        "case_features: true",
        "decoding: viterbi",
        "threads: 1",
    ]
    (tmp_path / "run.yaml").write_text("\n".join([*lines, "epochs: 1"]))
    (tmp_path / "run2.yaml").write_text("\n".join([*lines, "epochs: 2"]))
    cut = load_config(tmp_path / "run.yaml", ft.FinetuneConfig)
    with monkeypatch.context() as m:  # the session ends after epoch 1, before the model is saved
        m.setattr(ft, "_finish", lambda *args, **kwargs: None)
        ft.finetune(cut)
    assert (tmp_path / "checkpoints" / "best.safetensors").is_file()

    snap = ft.snapshot(cut, tmp_path / "snap")
    info = json.loads((snap / "config.json").read_text())["training"]
    assert info["snapshot"] == {"epochs_done": 1, "of": 1} and info["n_validation_articles"] == 1
    card = (snap / "MODEL_CARD.md").read_text()
    assert "snapshot after 1 epoch(s)" in card and "## Encoder comparison" in card  # the config's notes
    assert "C=1.0, encoder vector weight 1.0, unweighted" in card
    model = load_model(snap)
    assert len(model.predict(ARTICLES)) == len(ARTICLES)
    assert (tmp_path / "checkpoints" / "checkpoint").is_dir(), "the snapshot leaves the run's checkpoint"

    with caplog.at_level("INFO"):
        folder = ft.finetune(load_config(tmp_path / "run2.yaml", ft.FinetuneConfig))
    assert "resuming at epoch 2" in caplog.text
    history = json.loads((folder / "config.json").read_text())["training"]["history"]
    assert [h["epoch"] for h in history] == [1, 2]
    assert 0 < history[0]["train_seconds"] < history[1]["train_seconds"]  # wall time summed over the resume


def test_a_request_for_anonymity_is_no_claim_of_its_own():
    from claimcheck.lexicons import withholding_request

    assert withholding_request("requested anonymity because the talks were private")
    assert withholding_request("spoke on condition of anonymity because")
    assert withholding_request("asked that his name be withheld")
    assert not withholding_request("requested a recount in three counties")
    assert not withholding_request("said the plan would fail")


def test_detection_probability_is_the_logistic_mean_of_the_roles_present():
    import numpy as np

    from claimcheck.models.tagger import _Encoded, detection_probability

    offsets = np.array([[0, 4], [5, 9], [10, 14], [15, 19]])
    probs = np.array([[0.9, 0.0, 0.0], [0.0, 0.5, 0.0], [0.0, 0.0, 0.99], [0.0, 0.0, 0.01]], dtype=np.float32)
    enc = _Encoded(spans={}, piece_offsets=offsets, piece_vectors=np.zeros((4, 2)), piece_role_probs=probs)
    # source piece 0.9, cue piece 0.5, content two pieces with mean 0.5: logits ln 9, 0, 0
    assert detection_probability(enc, [(0, 4)], (5, 9), [(10, 19)]) == pytest.approx(1 / (1 + 9 ** (-1 / 3)))
    # no source and no content: the cue alone
    assert detection_probability(enc, [], (5, 9), []) == pytest.approx(0.5)
    assert detection_probability(enc, [(0, 4)], (5, 9), []) == pytest.approx(0.75)


def test_a_detection_threshold_drops_the_least_sure_attributions():
    from claimcheck.models.registry import load_model

    text = (
        "Mayor Ann Ortiz said the bridge will reopen in May. The figures point to a long winter for traders.\n\n"
        "Officials, who asked not to be named, said the repairs cost more than planned."
    )
    model = load_model("tagger")
    everything = model.predict([text])[0]
    model.settings = model.settings.replace(min_detection=0.0)
    assert [a.model_dump() for a in model.predict([text])[0]] == [a.model_dump() for a in everything]
    model.settings = model.settings.replace(min_detection=1.0)
    assert not [a for a in model.predict([text])[0] if a.cue]  # every tagged attribution is below certainty


def test_card_notes_take_one_file_or_a_list_in_order(tmp_path):
    """A config's notes go into the model card in the order listed, each path relative to
    the config; one path alone still works, as older configs have it."""
    from claimcheck.training.config import load_config
    from claimcheck.training.model_card import _notes
    from claimcheck.training.tagger_config import FinetuneConfig

    (tmp_path / "cards").mkdir()
    (tmp_path / "cards" / "a.md").write_text("## Encoder comparison\n")
    (tmp_path / "cards" / "b.md").write_text("## Teacher and students\n")
    base = "train: t.jsonl\noutput: model\n"
    (tmp_path / "one.yaml").write_text(base + "card_notes: cards/a.md\n")
    (tmp_path / "two.yaml").write_text(base + "card_notes: [cards/b.md, cards/a.md]\n")
    one = _notes(load_config(tmp_path / "one.yaml", FinetuneConfig))
    two = _notes(load_config(tmp_path / "two.yaml", FinetuneConfig))
    assert one.strip() == "## Encoder comparison"
    assert two.index("## Teacher and students") < two.index("## Encoder comparison")
