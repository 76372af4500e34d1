"""The network a run trains, and the settings a trained model is saved with.

Two ways in: a network from a training config (:func:`build_network`: fresh, or warm-started
from a trained tagger, ``init_from``), and the network of a saved tagger, made trainable
again to continue it (:func:`network_from`).
Both load the base encoder the same way, as :func:`claimcheck.models.encoders.encoder_path`
finds it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from torch import nn

from claimcheck.data import ROLES
from claimcheck.errors import ConfigError
from claimcheck.models.decoding import TAGS
from claimcheck.models.encoders import encoder_path
from claimcheck.models.registry import file_sha256, read_config, resolve_model_path
from claimcheck.models.tagger import TaggerNetwork, TaggerSettings, load_heads
from claimcheck.models.tuned_encoder import FROZEN, EncoderSettings, has_adapter, load_stored_weights
from claimcheck.training.tagger_config import FinetuneConfig


def _base_encoder(name: str) -> nn.Module:
    from transformers import AutoModel

    return AutoModel.from_pretrained(str(encoder_path(name)))


def _train_all_but_frozen(encoder: nn.Module) -> None:
    """Full fine-tuning: every encoder weight trains but the word embeddings (:data:`FROZEN`)."""
    for name, param in encoder.named_parameters():
        param.requires_grad_(name not in FROZEN)


def build_network(config: FinetuneConfig) -> tuple[TaggerNetwork, Any]:
    """The network to train and its tokenizer: LoRA adapters on the base encoder, or
    (``finetuning: full``) the whole encoder but its word embeddings, which stay as shipped;
    with ``init_from``, the trained tagger's network (:func:`warm_start`)."""
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(encoder_path(config.base_encoder)))
    joint = config.type_head == "joint"
    if config.init_from is not None:
        return warm_start(config), tokenizer
    encoder = _base_encoder(config.base_encoder)
    if config.finetuning == "full":
        _train_all_but_frozen(encoder)
        return TaggerNetwork(encoder, case_features=config.case_features, joint_types=joint), tokenizer
    from peft import LoraConfig, get_peft_model

    lora = LoraConfig(
        r=config.lora_r,
        lora_alpha=config.lora_alpha,
        lora_dropout=config.lora_dropout,
        target_modules=config.lora_targets,
        bias="none",
    )
    return TaggerNetwork(
        get_peft_model(encoder, lora), case_features=config.case_features, joint_types=joint
    ), tokenizer


def warm_start(config: FinetuneConfig) -> TaggerNetwork:
    """The trainable network of the tagger ``init_from`` names, which must be built as the
    config builds one (the same base encoder, fine-tuning and case embedding); a joint type
    head, where the config has one, starts fresh."""
    folder = resolve_model_path(os.path.expanduser(config.init_from))
    stored = read_config(folder)
    if stored.get("architecture") != "tagger.v1":
        raise ConfigError(
            f"init_from {config.init_from!r}: a tagger.v1 model is needed, not {stored.get('architecture')}"
        )
    settings = TaggerSettings.model_validate(stored["settings"])
    wanted = {
        "base_encoder": config.base_encoder,
        "finetuning": config.finetuning,
        "case_features": config.case_features,
    }
    differ = [
        f"{k} {getattr(settings, k)!r} (the config: {v!r})" for k, v in wanted.items() if getattr(settings, k) != v
    ]
    if differ:
        raise ConfigError(f"init_from {config.init_from!r} is built otherwise: {', '.join(differ)}")
    return network_from(folder, settings, joint_types=config.type_head == "joint")


def network_from(folder: Path, settings: EncoderSettings, joint_types: bool = False) -> TaggerNetwork:
    """A trainable network from a saved tagger: the base encoder with the model's adapter, or
    the stored fine-tuned encoder (all weights trainable but the word embeddings); with
    ``joint_types``, a fresh joint type head beside it."""
    if has_adapter(folder):
        from peft import PeftModel

        encoder = PeftModel.from_pretrained(_base_encoder(settings.base_encoder), str(folder), is_trainable=True)
    else:
        encoder = _base_encoder(settings.base_encoder)
        load_stored_weights(encoder, folder)
        _train_all_but_frozen(encoder)
    network = TaggerNetwork(encoder, case_features=settings.case_features, joint_types=joint_types)
    load_heads(network, folder)
    return network


def trained_parts(network: TaggerNetwork) -> str:
    """What a run trains, in words."""
    encoder = (
        "the LoRA adapter" if hasattr(network.encoder, "peft_config") else "the whole encoder but its word embeddings"
    )
    case = ", the letter-case embedding" if network.case_embedding is not None else ""
    return f"{encoder}{case} and the tag head"


def inference_context(config: FinetuneConfig) -> int:
    """Sentences of context before each window when the model runs; training may use more."""
    if config.inference_context_sentences is None:
        return config.context_sentences
    return config.inference_context_sentences


def inference_settings(config: FinetuneConfig) -> dict[str, Any]:
    """The settings of how a trained model runs, and is stored, that can change after training
    (chosen on validation)."""
    return {
        "context_sentences": inference_context(config),
        "train_context_sentences": config.context_sentences,
        **({"min_detection": config.min_detection} if config.min_detection is not None else {}),
        **({"encoder_rank": config.encoder_rank} if config.encoder_rank is not None else {}),
    }


def settings_of(config: FinetuneConfig) -> TaggerSettings:
    """The settings of the model folder a run writes."""
    settings = {
        "base_encoder": config.base_encoder,
        "base_sha256": file_sha256(encoder_path(config.base_encoder) / "model.safetensors"),
        "max_length": config.max_length,
        **inference_settings(config),
        "roles": list(ROLES),
        "tags": list(TAGS),
        "precision": "auto",
        "finetuning": config.finetuning,
        "case_features": config.case_features,
        "decoding": config.decoding,
        "content_end": config.content_end,
        **({"type_head": "joint"} if config.type_head == "joint" else {}),
    }
    return TaggerSettings.model_validate(settings)
