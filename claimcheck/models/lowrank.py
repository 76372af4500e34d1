"""A fully fine-tuned encoder stored small: its change from the base encoder, each weight
matrix's change cut to its leading singular directions.

A full fine-tune of a base-sized encoder (MPNet, 109 M parameters) is about 220 MB in
float16, too big to ship in a repository; its change from the base is close to low rank
(LoRA's premise), so ``up @ down`` of rank ``r`` per matrix (a truncated SVD) keeps most
of it at a fraction of the size (rank 64: about 21 MB for MPNet-base). Vectors (biases,
LayerNorms) and matrices too small to gain are stored whole; tensors that did not change
(the frozen word embeddings) are not stored. The base encoder is installed beside it.
How much accuracy a rank keeps is measured on the validation split
(``python -m eval.low_rank``), not assumed.
"""

from __future__ import annotations

import torch
from torch import nn

DOWN, UP = ".down", ".up"


def delta_factors(base: dict[str, torch.Tensor], tuned: dict[str, torch.Tensor], rank: int) -> dict[str, torch.Tensor]:
    """What turns ``base`` into (about) ``tuned``: per changed matrix ``NAME.up`` (out x r) and
    ``NAME.down`` (r x in) in float16, per other changed tensor its new value in float16."""
    out: dict[str, torch.Tensor] = {}
    for name, value in tuned.items():
        if not value.is_floating_point() or name not in base:
            continue
        delta = value.float() - base[name].float()
        if not delta.abs().max() > 0:
            continue  # unchanged (the frozen word embeddings): comes from the base
        rows, cols = delta.shape if delta.dim() == 2 else (0, 0)
        if delta.dim() == 2 and rank * (rows + cols) < rows * cols:
            u, s, vh = torch.linalg.svd(delta, full_matrices=False)
            root = s[:rank].sqrt()
            out[name + UP] = (u[:, :rank] * root).to(torch.float16).contiguous()
            out[name + DOWN] = (root[:, None] * vh[:rank]).to(torch.float16).contiguous()
        else:
            out[name] = value.detach().to(torch.float16).contiguous()
    return out


def apply_delta(encoder: nn.Module, delta: dict[str, torch.Tensor]) -> None:
    """Put :func:`delta_factors`' output into a base encoder (in place). Raises ``KeyError``
    for a name the encoder does not have."""
    state = encoder.state_dict()
    with torch.no_grad():
        for key, value in delta.items():
            if key.endswith(UP):
                name = key.removesuffix(UP)
                up, down = value.float(), delta[name + DOWN].float()
                state[name].add_((up @ down).to(state[name].dtype))
            elif not key.endswith(DOWN):
                state[key].copy_(value.to(state[key].dtype))


def stored_parameters(delta: dict[str, torch.Tensor]) -> int:
    return sum(t.numel() for t in delta.values())
