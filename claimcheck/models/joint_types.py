"""Types learnt with the tagger: a head over the fine-tuned vectors of a source, its cue
and its sentence (``type_head: joint`` in a training config).

The linear type head (:mod:`claimcheck.models.type_head`) reads the mean vector of the
source span from an encoder trained for tags alone, but what makes a source anonymous or
a publication often lies around it ("officials, who requested anonymity", "according to
a Reuters report", an outlet named like a person). This head is trained with the
encoder, on the typed gold sources of each training window, and reads five pooled
vectors: the source's first piece, last piece and mean, its cue's mean (zeros where it
has none) and its sentence's mean. One temperature, fitted after training on the
validation split's sources, calibrates it.

A source's pieces are given as rows of index ranges ``[start, end)``: ``(row, source
start, source end, cue start, cue end, sentence start, sentence end)``, ``row`` being the
window in a training batch, or 0 for an article's core pieces when the model runs.
Saved as safetensors (float16) plus JSON.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import torch
from safetensors.torch import load_file, save_file
from torch import nn

from claimcheck.data import ATTRIBUTION_TYPES, Attribution
from claimcheck.errors import ModelError
from claimcheck.models.source_context import source_sentence
from claimcheck.models.type_head import softmax
from claimcheck.models.windows import piece_rows
from claimcheck.text import Sentence

WEIGHTS_FILE = "joint_type_head.safetensors"
SETTINGS_FILE = "joint_type_head.json"
#: the vectors pooled per source, in the order they are concatenated
POOLED = ("source start", "source end", "source mean", "cue mean", "sentence mean")
#: piece index ranges of one source: source start, end, cue start, end, sentence start, end
PieceSpans = tuple[int, int, int, int, int, int]


def _range_mean(hidden: torch.Tensor, start: torch.Tensor, end: torch.Tensor) -> torch.Tensor:
    """Mean of ``hidden`` (n, pieces, width) over each row's ``[start, end)``; zeros for an empty range."""
    position = torch.arange(hidden.shape[1], device=hidden.device)
    mask = ((position >= start[:, None]) & (position < end[:, None])).to(hidden.dtype)
    return (mask.unsqueeze(-1) * hidden).sum(1) / mask.sum(1, keepdim=True).clamp_min(1.0)


def pool_spans(hidden: torch.Tensor, spans: torch.Tensor) -> torch.Tensor:
    """The :data:`POOLED` vectors of each source, concatenated: (n, 5 * width).

    ``hidden`` is (windows, pieces, width); ``spans`` (n, 7) as in the module docstring.
    """
    rows = hidden[spans[:, 0]]
    index = torch.arange(len(spans), device=hidden.device)
    return torch.cat(
        [
            rows[index, spans[:, 1]],
            rows[index, spans[:, 2] - 1],
            _range_mean(rows, spans[:, 1], spans[:, 2]),
            _range_mean(rows, spans[:, 3], spans[:, 4]),
            _range_mean(rows, spans[:, 5], spans[:, 6]),
        ],
        dim=-1,
    )


class JointTypeHead(nn.Module):
    """Logits over :data:`~claimcheck.data.ATTRIBUTION_TYPES` from a source's pooled vectors
    (one hidden layer); ``temperature`` divides them when the model runs."""

    def __init__(self, hidden_size: int, dropout: float = 0.1):
        super().__init__()
        self.hidden_size = hidden_size
        self.types = list(ATTRIBUTION_TYPES)
        self.dropout = nn.Dropout(dropout)
        self.hidden = nn.Linear(len(POOLED) * hidden_size, hidden_size)
        self.out = nn.Linear(hidden_size, len(self.types))
        self.temperature = 1.0

    def forward(self, hidden: torch.Tensor, spans: torch.Tensor) -> torch.Tensor:
        x = self.dropout(pool_spans(hidden, spans))
        return self.out(self.dropout(nn.functional.gelu(self.hidden(x))))

    def save(self, directory: Path) -> None:
        weights = {k: v.detach().to(torch.float16).contiguous() for k, v in self.state_dict().items()}
        save_file(weights, str(directory / WEIGHTS_FILE))
        settings = {
            "hidden_size": self.hidden_size,
            "types": self.types,
            "pooled": list(POOLED),
            "temperature": self.temperature,
        }
        (directory / SETTINGS_FILE).write_text(json.dumps(settings), encoding="utf-8")

    @staticmethod
    def saved_in(directory: Path) -> bool:
        """Does the model folder hold a joint type head (chosen or kept beside the linear one)?"""
        return (directory / WEIGHTS_FILE).is_file()

    @classmethod
    def load(cls, directory: Path) -> JointTypeHead:
        """The head saved in ``directory`` (in eval mode).

        Raises:
            ModelError: its files are missing or were made for other types or pooling.
        """
        if not (directory / SETTINGS_FILE).is_file() or not (directory / WEIGHTS_FILE).is_file():
            raise ModelError(f"{directory}: the settings say type_head: joint, but {WEIGHTS_FILE} is missing")
        settings = json.loads((directory / SETTINGS_FILE).read_text(encoding="utf-8"))
        if settings.get("types") != list(ATTRIBUTION_TYPES) or settings.get("pooled") != list(POOLED):
            raise ModelError(f"{directory}: a joint type head for other types or pooling than this claimcheck's")
        head = cls(settings["hidden_size"])
        head.load_state_dict({k: v.float() for k, v in load_file(str(directory / WEIGHTS_FILE)).items()})
        head.temperature = float(settings["temperature"])
        return head.eval()


def piece_span(offsets: np.ndarray, ranges: list[tuple[int, int]]) -> tuple[int, int] | None:
    """The first and one past the last piece overlapping ``ranges``; None if no piece does."""
    rows = piece_rows(offsets, ranges)
    return (int(rows[0]), int(rows[-1]) + 1) if len(rows) else None


def source_piece_spans(offsets: np.ndarray, sentences: list[Sentence], att: Attribution) -> PieceSpans | None:
    """The piece ranges of an attribution's source, cue and sentence among pieces at ``offsets``
    (``(pieces, 2)``, in text order); None where no piece is in the source. A cue with no
    piece there is the empty range (0, 0)."""
    source = piece_span(offsets, att.source)
    if source is None:
        return None
    cue = piece_span(offsets, att.cue) or (0, 0)
    sent = source_sentence(sentences, att)
    sentence = piece_span(offsets, [(sent.start, sent.end)]) or source
    return (*source, *cue, *sentence)


@torch.inference_mode()
def article_type_logits(
    head: JointTypeHead,
    piece_offsets: np.ndarray,
    piece_vectors: np.ndarray,
    sentences: list[Sentence],
    atts: list[Attribution],
) -> np.ndarray:
    """The head's logits (untempered) for each sourced attribution of one article, from its
    core pieces' offsets and vectors; a source that covers no piece gets zeros (all types alike)."""
    logits = np.zeros((len(atts), len(head.types)), np.float32)
    spans = [source_piece_spans(piece_offsets, sentences, a) for a in atts]
    known = [i for i, s in enumerate(spans) if s is not None]
    if known:
        rows = torch.tensor([(0, *spans[i]) for i in known], dtype=torch.long)
        hidden = torch.from_numpy(np.ascontiguousarray(piece_vectors, dtype=np.float32))[None]
        logits[known] = head(hidden, rows).numpy()
    return logits


def article_type_proba(
    head: JointTypeHead,
    piece_offsets: np.ndarray,
    piece_vectors: np.ndarray,
    sentences: list[Sentence],
    atts: list[Attribution],
) -> np.ndarray:
    """Calibrated type probabilities (columns: ``head.types``) of each sourced attribution."""
    return softmax(article_type_logits(head, piece_offsets, piece_vectors, sentences, atts) / head.temperature, axis=1)
