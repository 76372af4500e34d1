"""The tagger's encoder part: a base encoder (found by :mod:`claimcheck.models.encoders`), what
fine-tuning changed in it, and the settings of how it reads an article (:class:`EncoderSettings`).

What fine-tuning changed is stored in the model folder in one of three ways, chosen by the
settings: a LoRA adapter (``adapter_config.json``, ``adapter_model.safetensors``; merged into
the base encoder on load), the full weights but the frozen word embeddings
(``encoder.safetensors``), or their low-rank change from the base
(``encoder_delta.safetensors``, :mod:`claimcheck.models.lowrank`). :func:`save_encoder` and
:func:`load_tuned_encoder` are the part's one way in and out of the folder.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import warnings
from pathlib import Path
from typing import Any, Literal

import torch
from pydantic import BaseModel, ConfigDict, PositiveInt
from safetensors.torch import load_file, save_file
from torch import nn

from claimcheck.errors import ModelError
from claimcheck.files import file_sha256
from claimcheck.models.bert import load_bert
from claimcheck.models.encoders import encoder_path
from claimcheck.models.lowrank import apply_delta, delta_factors
from claimcheck.models.registry import Precision
from claimcheck.models.wordpieces import load_wordpieces

ENCODER_FILE = "encoder.safetensors"
#: a fully fine-tuned encoder stored as its low-rank change from the base (``encoder_rank``)
ENCODER_DELTA_FILE = "encoder_delta.safetensors"
#: a LoRA adapter, as ``peft`` saves it
ADAPTER_FILES = ("adapter_config.json", "adapter_model.safetensors")
#: the input word embeddings stay frozen in full fine-tuning and are not stored: they come
#: from the base encoder package, which keeps a fully fine-tuned model folder small
FROZEN = ("embeddings.word_embeddings.weight",)


class EncoderSettings(BaseModel):
    """The encoder part's keys of a tagger folder's ``settings`` (unknown keys are refused)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    base_encoder: str
    #: SHA-256 of the base encoder's weights the model was trained on (checked on load)
    base_sha256: str | None = None
    max_length: PositiveInt
    #: sentences of context before each window when the model runs
    context_sentences: int
    #: ... and when it was trained (recorded only)
    train_context_sentences: int | None = None
    #: the folder's default arithmetic; ``load_model(precision=...)`` overrides it
    precision: Precision = Precision.auto
    #: ``lora``: an adapter merged into the base encoder; ``full``: stored encoder weights
    finetuning: Literal["lora", "full"] = "lora"
    #: a learnt letter-case embedding added to the input (stored with the tag head)
    case_features: bool = False
    #: a fully fine-tuned encoder stored as its change from the base, each matrix's cut to this
    #: rank (:mod:`claimcheck.models.lowrank`); None: every weight stored
    encoder_rank: PositiveInt | None = None


def merge_lora(encoder: nn.Module, directory: Path) -> None:
    """Add a saved LoRA adapter's update ``B @ A * alpha / r`` into the encoder's weights.

    What ``peft``'s ``merge_and_unload`` does for plain LoRA, without importing peft
    at start-up; adapters using other variants (DoRA, rsLoRA, ...) are refused.
    """
    cfg = json.loads((directory / "adapter_config.json").read_text(encoding="utf-8"))
    variants = [k for k in ("use_dora", "use_rslora", "fan_in_fan_out", "use_qalora") if cfg.get(k)]
    if cfg.get("peft_type") != "LORA" or variants or cfg.get("rank_pattern") or cfg.get("alpha_pattern"):
        raise ModelError(f"{directory}: unsupported adapter ({cfg.get('peft_type')} {' '.join(variants)})".rstrip())
    scale = cfg["lora_alpha"] / cfg["r"]
    weights = load_file(str(directory / "adapter_model.safetensors"))
    modules = dict(encoder.named_modules())
    prefix = "base_model.model."
    for key, a in weights.items():
        if not key.endswith(".lora_A.weight"):
            continue
        name = key.removeprefix(prefix).removesuffix(".lora_A.weight")
        b = weights.get(key.replace(".lora_A.", ".lora_B."))
        layer = modules.get(name)
        if b is None or not isinstance(layer, nn.Linear):
            raise ModelError(f"{directory}: adapter weight {key} matches no linear layer of the encoder")
        with torch.no_grad():
            layer.weight += (b @ a) * scale


@contextlib.contextmanager
def _quiet_loading():
    """Loading a local model is not news: no weight-loading bar or deprecation notes on the
    user's terminal (restored afterwards; the process's own settings are left alone)."""
    from transformers.utils import logging as hf_logging

    bars = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", category=FutureWarning)
            yield
    finally:
        if bars:
            hf_logging.enable_progress_bar()


def load_encoder(base: Path) -> tuple[nn.Module, Any]:
    """The base encoder (in eval mode) and its tokenizer, from a model folder.

    A plain BERT folder with a ``tokenizer.json`` (the shipped models' MiniLM) is loaded
    without transformers (:mod:`claimcheck.models.bert`, :mod:`claimcheck.models.wordpieces`:
    the same pieces and hidden states, about 1.5 s less start-up); anything else by
    transformers' ``AutoTokenizer`` and ``AutoModel``.
    """
    encoder, tokenizer = load_bert(base), load_wordpieces(base)
    if encoder is not None and tokenizer is not None:
        return encoder, tokenizer
    from transformers import AutoModel, AutoTokenizer

    with _quiet_loading():
        return AutoModel.from_pretrained(str(base)), AutoTokenizer.from_pretrained(str(base))


def bf16_supported() -> bool:
    """Does this CPU run bfloat16 matrix maths natively (AVX512-BF16 or AMX)?"""
    cpu = getattr(torch._C, "_cpu", None)
    checks = ("_is_avx512_bf16_supported", "_is_amx_tile_supported")
    return bool(cpu) and any(getattr(cpu, c, lambda: False)() for c in checks)


def encoder_weights(encoder: nn.Module) -> dict[str, torch.Tensor]:
    """A fully fine-tuned encoder's weights to store: all but the frozen word embeddings, in
    float16 (half the size; the model is evaluated as stored)."""
    return {
        name: value.detach().to(torch.float16).contiguous()
        for name, value in encoder.state_dict().items()
        if name not in FROZEN and value.is_floating_point()
    }


def load_encoder_weights(encoder: nn.Module, path: Path) -> None:
    """Put stored fine-tuned weights into the base encoder (every stored name must exist)."""
    weights = load_file(str(path))
    state = encoder.state_dict()
    unknown = sorted(set(weights) - set(state))
    if unknown:
        raise ModelError(f"{path}: weights the encoder does not have: {', '.join(unknown[:3])}")
    with torch.no_grad():
        for name, value in weights.items():
            state[name].copy_(value.to(state[name].dtype))


def has_adapter(directory: Path) -> bool:
    """Does the model folder hold a LoRA adapter (rather than stored encoder weights)?"""
    return (directory / ADAPTER_FILES[0]).is_file()


def load_stored_weights(encoder: nn.Module, directory: Path) -> None:
    """Put a fully fine-tuned encoder's stored weights, or their low-rank change, into the base
    encoder (nothing where the folder holds neither)."""
    if (directory / ENCODER_FILE).is_file():
        load_encoder_weights(encoder, directory / ENCODER_FILE)
    if (directory / ENCODER_DELTA_FILE).is_file():
        try:
            apply_delta(encoder, load_file(str(directory / ENCODER_DELTA_FILE)))
        except KeyError as err:
            raise ModelError(f"{directory}: a stored change names a weight the encoder does not have: {err}") from None


def load_tuned_encoder(directory: Path, settings: EncoderSettings) -> tuple[nn.Module, Any]:
    """The fine-tuned encoder of a model folder (for inference: an adapter merged) and its tokenizer.

    Raises:
        ModelError: the base encoder is missing or is not the one the model was trained on.
    """
    base = encoder_path(settings.base_encoder)
    if settings.base_sha256 and file_sha256(base / "model.safetensors") != settings.base_sha256:
        raise ModelError(f"base encoder {base} differs from the one this model was trained on (hash mismatch)")
    encoder, tokenizer = load_encoder(base)
    if has_adapter(directory):
        merge_lora(encoder, directory)
    load_stored_weights(encoder, directory)
    return encoder, tokenizer


def save_encoder(encoder: nn.Module, directory: Path, settings: EncoderSettings, source: Path | None = None) -> None:
    """Write what fine-tuning changed into ``directory``, as the settings say: the low-rank
    change (``encoder_rank``), the full weights, or the adapter: a trainable one's own, or the
    files of the folder ``source`` a loaded model came from (loading merges the adapter)."""
    if settings.finetuning == "full" and settings.encoder_rank:
        base, _ = load_encoder(encoder_path(settings.base_encoder))
        delta = delta_factors(base.state_dict(), encoder.state_dict(), settings.encoder_rank)
        save_file(delta, str(directory / ENCODER_DELTA_FILE))
    elif settings.finetuning == "full":
        save_file(encoder_weights(encoder), str(directory / ENCODER_FILE))
    elif hasattr(encoder, "peft_config"):
        encoder.save_pretrained(str(directory))
        (directory / "README.md").unlink(missing_ok=True)
    elif source is not None:
        for name in ADAPTER_FILES:
            if (source / name).is_file():
                shutil.copyfile(source / name, directory / name)
