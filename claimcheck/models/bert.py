"""A BERT encoder for inference, in plain torch: the default model's start-up without transformers.

Importing transformers' BERT classes costs about 1.5 s on a 2-core CPU (the package pulls in
torch's compiler, distributed tensors and sympy), more than torch itself. A loaded model only
runs the encoder forward, so :func:`load_bert` builds it here instead: the same modules under
the same parameter names, the same torch operations in the same order as transformers'
``BertModel`` in eval mode with its default ``sdpa`` attention, so its hidden states are the
same to the bit (``tests/test_startup.py`` compares them with transformers' on padded
batches, in fp32, bf16 autocast and int8). It cannot train (no dropout, no gradient
checkpointing): training builds transformers' own model. Checkpoints this module does not
cover (another architecture, activation or position embedding, a decoder) give None, and the
caller loads them with transformers.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import torch
from safetensors.torch import load_file
from torch import nn
from torch.nn import functional as F


@dataclass(frozen=True)
class BertSettings:
    """The parts of a BERT ``config.json`` the forward pass reads."""

    vocab_size: int
    hidden_size: int
    num_hidden_layers: int
    num_attention_heads: int
    intermediate_size: int
    max_position_embeddings: int
    type_vocab_size: int
    layer_norm_eps: float
    pad_token_id: int | None

    @classmethod
    def read(cls, config_file: Path) -> BertSettings | None:
        """The settings of a plain BERT encoder's config, or None where this module does not cover it."""
        cfg = json.loads(config_file.read_text(encoding="utf-8"))
        plain = (
            cfg.get("model_type") == "bert"
            and cfg.get("hidden_act", "gelu") == "gelu"
            and cfg.get("position_embedding_type", "absolute") == "absolute"
            and not cfg.get("is_decoder")
            and not cfg.get("add_cross_attention")
            and cfg.get("chunk_size_feed_forward", 0) == 0
            and cfg["hidden_size"] % cfg["num_attention_heads"] == 0
        )
        if not plain:
            return None
        return cls(
            vocab_size=cfg["vocab_size"],
            hidden_size=cfg["hidden_size"],
            num_hidden_layers=cfg["num_hidden_layers"],
            num_attention_heads=cfg["num_attention_heads"],
            intermediate_size=cfg["intermediate_size"],
            max_position_embeddings=cfg.get("max_position_embeddings", 512),
            type_vocab_size=cfg.get("type_vocab_size", 2),
            layer_norm_eps=cfg.get("layer_norm_eps", 1e-12),
            pad_token_id=cfg.get("pad_token_id", 0),
        )


@dataclass
class EncoderOutput:
    last_hidden_state: torch.Tensor


class _Embeddings(nn.Module):
    def __init__(self, s: BertSettings):
        super().__init__()
        self.word_embeddings = nn.Embedding(s.vocab_size, s.hidden_size, padding_idx=s.pad_token_id)
        self.position_embeddings = nn.Embedding(s.max_position_embeddings, s.hidden_size)
        self.token_type_embeddings = nn.Embedding(s.type_vocab_size, s.hidden_size)
        self.LayerNorm = nn.LayerNorm(s.hidden_size, eps=s.layer_norm_eps)

    def forward(self, inputs_embeds: torch.Tensor) -> torch.Tensor:
        length = inputs_embeds.shape[1]
        # every token of type 0 and at its own position, as BertEmbeddings with no ids given
        embeddings = inputs_embeds + self.token_type_embeddings.weight[0]
        embeddings = embeddings + self.position_embeddings.weight[:length]
        return self.LayerNorm(embeddings)


class _Dense(nn.Module):
    """A linear layer followed by a residual layer norm (BertSelfOutput, BertOutput)."""

    def __init__(self, n_in: int, s: BertSettings):
        super().__init__()
        self.dense = nn.Linear(n_in, s.hidden_size)
        self.LayerNorm = nn.LayerNorm(s.hidden_size, eps=s.layer_norm_eps)

    def forward(self, hidden: torch.Tensor, residual: torch.Tensor) -> torch.Tensor:
        return self.LayerNorm(self.dense(hidden) + residual)


class _SelfAttention(nn.Module):
    def __init__(self, s: BertSettings):
        super().__init__()
        self.head_size = s.hidden_size // s.num_attention_heads
        self.query = nn.Linear(s.hidden_size, s.hidden_size)
        self.key = nn.Linear(s.hidden_size, s.hidden_size)
        self.value = nn.Linear(s.hidden_size, s.hidden_size)

    def forward(self, hidden: torch.Tensor, mask: torch.Tensor | None) -> torch.Tensor:
        shape = (*hidden.shape[:-1], -1, self.head_size)
        q, k, v = (layer(hidden).view(*shape).transpose(1, 2) for layer in (self.query, self.key, self.value))
        out = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, dropout_p=0.0, scale=self.head_size**-0.5)
        return out.transpose(1, 2).contiguous().reshape(*hidden.shape[:-1], -1).contiguous()


class _Attention(nn.Module):
    def __init__(self, s: BertSettings):
        super().__init__()
        self.self = _SelfAttention(s)
        self.output = _Dense(s.hidden_size, s)

    def forward(self, hidden: torch.Tensor, mask: torch.Tensor | None) -> torch.Tensor:
        return self.output(self.self(hidden, mask), hidden)


class _Intermediate(nn.Module):
    def __init__(self, s: BertSettings):
        super().__init__()
        self.dense = nn.Linear(s.hidden_size, s.intermediate_size)

    def forward(self, hidden: torch.Tensor) -> torch.Tensor:
        return F.gelu(self.dense(hidden))


class _Layer(nn.Module):
    def __init__(self, s: BertSettings):
        super().__init__()
        self.attention = _Attention(s)
        self.intermediate = _Intermediate(s)
        self.output = _Dense(s.intermediate_size, s)

    def forward(self, hidden: torch.Tensor, mask: torch.Tensor | None) -> torch.Tensor:
        attended = self.attention(hidden, mask)
        return self.output(self.intermediate(attended), attended)


class _Layers(nn.Module):
    def __init__(self, s: BertSettings):
        super().__init__()
        self.layer = nn.ModuleList(_Layer(s) for _ in range(s.num_hidden_layers))


class _Pooler(nn.Module):
    """Kept for its weights (a stored encoder has them); the tagger reads no pooled output."""

    def __init__(self, s: BertSettings):
        super().__init__()
        self.dense = nn.Linear(s.hidden_size, s.hidden_size)


class BertEncoder(nn.Module):
    """transformers' ``BertModel`` forward in eval mode, to the bit; see the module docstring."""

    def __init__(self, settings: BertSettings):
        super().__init__()
        self.config = settings
        self.embeddings = _Embeddings(settings)
        self.encoder = _Layers(settings)
        self.pooler = _Pooler(settings)

    def get_input_embeddings(self) -> nn.Embedding:
        return self.embeddings.word_embeddings

    def forward(
        self,
        input_ids: torch.Tensor | None = None,
        attention_mask: torch.Tensor | None = None,
        inputs_embeds: torch.Tensor | None = None,
    ) -> EncoderOutput:
        if (input_ids is None) == (inputs_embeds is None):
            raise ValueError("give exactly one of input_ids and inputs_embeds")
        if inputs_embeds is None:
            inputs_embeds = self.embeddings.word_embeddings(input_ids)
        hidden = self.embeddings(inputs_embeds)
        mask = None
        if attention_mask is not None and not attention_mask.all():  # no padding: no mask, as transformers
            batch, length = attention_mask.shape
            mask = attention_mask.bool()[:, None, None, :].expand(batch, 1, length, length)
        for layer in self.encoder.layer:
            hidden = layer(hidden, mask)
        return EncoderOutput(last_hidden_state=hidden)


@contextlib.contextmanager
def _no_init() -> Iterator[None]:
    """Layers made without drawing their random initial weights (0.09 s for MiniLM), as every
    weight is loaded afterwards: ``torch.nn.init``'s functions do nothing meanwhile, as in
    transformers' ``no_init_weights``. (Layers made on the meta device instead import torch's
    compiler, 1.3 s.)"""
    saved = {name: getattr(nn.init, name) for name in _INIT_FUNCTIONS}
    try:
        for name in _INIT_FUNCTIONS:
            setattr(nn.init, name, _keep)
        yield
    finally:
        for name, function in saved.items():
            setattr(nn.init, name, function)


def _keep(tensor: torch.Tensor, *args: object, **kwargs: object) -> torch.Tensor:
    return tensor


#: what ``reset_parameters`` of ``nn.Linear``, ``nn.Embedding`` and ``nn.LayerNorm`` call
_INIT_FUNCTIONS = ("kaiming_uniform_", "uniform_", "normal_", "ones_", "zeros_")


def load_bert(folder: Path) -> BertEncoder | None:
    """The encoder of a folder holding a plain fp32 BERT checkpoint (``config.json`` and
    ``model.safetensors``), in eval mode; None for anything else (see the module docstring)."""
    weights = folder / "model.safetensors"
    settings = BertSettings.read(folder / "config.json") if weights.is_file() else None
    if settings is None:
        return None
    with _no_init():
        encoder = BertEncoder(settings)
    state = load_file(str(weights))
    state.pop("embeddings.position_ids", None)  # a buffer that old transformers saved
    state.pop("embeddings.token_type_ids", None)
    if set(encoder.state_dict()) != set(state) or any(
        t.is_floating_point() and t.dtype != torch.float32 for t in state.values()
    ):
        return None
    encoder.load_state_dict(state, assign=True)
    return encoder.eval()
