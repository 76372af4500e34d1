"""A fully fine-tuned encoder stored as its low-rank change from the base: exact where the
change is of low rank, small on disk, and loaded back into the same network."""

from __future__ import annotations

import numpy as np
import torch

from claimcheck.models.lowrank import apply_delta, delta_factors


def _tiny(folder):
    from transformers import AutoModel

    return AutoModel.from_pretrained(str(folder))


def _tune(encoder, rank: int = 2, seed: int = 0) -> None:
    """Change every attention and feed-forward matrix by a rank-``rank`` update, and one bias."""
    generator = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, param in encoder.named_parameters():
            if param.dim() == 2 and "embeddings" not in name:
                up = torch.randn(param.shape[0], rank, generator=generator) * 0.05
                param += up @ torch.randn(rank, param.shape[1], generator=generator)
        encoder.encoder.layer[0].output.dense.bias += 0.1


def test_a_low_rank_change_comes_back_whole(tiny_encoder):
    base, tuned = _tiny(tiny_encoder), _tiny(tiny_encoder)
    _tune(tuned)
    delta = delta_factors(base.state_dict(), tuned.state_dict(), rank=4)
    assert "embeddings.word_embeddings.weight" not in delta  # unchanged: comes from the base
    assert "encoder.layer.0.attention.self.query.weight.up" in delta
    assert "encoder.layer.0.output.dense.bias" in delta  # vectors are stored whole
    restored = _tiny(tiny_encoder)
    apply_delta(restored, delta)
    for name, value in tuned.state_dict().items():
        assert torch.allclose(restored.state_dict()[name], value, atol=2e-3), name


def test_a_lower_rank_than_the_change_loses_some_of_it(tiny_encoder):
    base, tuned = _tiny(tiny_encoder), _tiny(tiny_encoder)
    _tune(tuned, rank=8)
    name = "encoder.layer.1.intermediate.dense.weight"
    errors = []
    for rank in (1, 4, 8):
        restored = _tiny(tiny_encoder)
        apply_delta(restored, delta_factors(base.state_dict(), tuned.state_dict(), rank))
        errors.append(float((restored.state_dict()[name] - tuned.state_dict()[name]).norm()))
    assert errors[0] > errors[1] > errors[2] and errors[2] < 0.01


def test_a_tagger_saved_with_encoder_rank_stores_the_change_and_loads_it(tiny_encoder, tmp_path):
    from transformers import AutoTokenizer

    from claimcheck.models.registry import load_model, save_model
    from claimcheck.models.tagger import TaggerNetwork, TransformerAttributionModel
    from claimcheck.models.tuned_encoder import ENCODER_DELTA_FILE, ENCODER_FILE

    torch.manual_seed(0)
    encoder = _tiny(tiny_encoder)
    _tune(encoder)
    network = TaggerNetwork(encoder, case_features=True)
    settings = {
        "base_encoder": str(tiny_encoder),
        "max_length": 32,
        "context_sentences": 0,
        "finetuning": "full",
        "case_features": True,
        "encoder_rank": 4,
    }
    model = TransformerAttributionModel(network, AutoTokenizer.from_pretrained(str(tiny_encoder)), None, settings)
    folder = save_model(model, tmp_path / "small")
    assert (folder / ENCODER_DELTA_FILE).is_file() and not (folder / ENCODER_FILE).exists()
    loaded = load_model(folder)
    text = "Mayor Ann Ortiz said the bridge will reopen in May."
    ids = torch.tensor([loaded.tokenizer(text)["input_ids"]])
    mask = torch.ones_like(ids)
    with torch.no_grad():
        ours, _ = model.network(ids, mask)
        theirs, _ = loaded.network(ids, mask)
    assert torch.allclose(ours, theirs, atol=1e-2)

    # continuing training starts from the same encoder (it used to look for encoder.safetensors)
    from claimcheck.training.network import network_from

    trainable = network_from(folder, loaded.settings).encoder.state_dict()
    for name, value in loaded.network.encoder.state_dict().items():
        assert torch.equal(trainable[name], value), name


def test_refitting_with_encoder_rank_stores_a_trained_tagger_small(tiny_encoder, tmp_path):
    """``--type-head-only --set encoder_rank=R``: how ``tagger-large`` is made from the teacher."""
    from claimcheck.models.registry import load_model
    from claimcheck.models.tuned_encoder import ENCODER_DELTA_FILE, ENCODER_FILE
    from claimcheck.training.finetune import finetune, refit_type_head
    from claimcheck.training.type_head import fit_type_head
    from tests.test_joint_types import _config
    from tests.test_tagger import _examples

    config = _config(tmp_path, tiny_encoder, ["epochs: 1"])
    full = finetune(config)
    assert (full / ENCODER_FILE).is_file()
    small = refit_type_head(config.model_copy(update={"encoder_rank": 4}), full, tmp_path / "small")
    assert (small / ENCODER_DELTA_FILE).is_file() and not (small / ENCODER_FILE).exists()
    stored = load_model(small)
    assert stored.settings.encoder_rank == 4
    # the head was fitted on the encoder as stored, not on the full one it started from
    refitted, _ = fit_type_head(stored, _examples(), config)
    vectors = stored.type_head.data_[1]
    assert np.allclose(vectors, refitted.data_[1], atol=1e-4)
    assert not np.allclose(vectors, load_model(full).type_head.data_[1], atol=1e-4)
