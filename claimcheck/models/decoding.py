"""Structured decoding of the tagger's BIO tags: the best tag sequence that never
puts ``I`` after ``O`` (a span's inside with no beginning), found by Viterbi.

Piece-by-piece argmax can emit ``O I I`` or drop one piece in the middle of a long
content; the constrained sequence keeps spans whole. The search is ``pytorch-crf``'s
Viterbi with fixed transition scores (0 where a transition is allowed, a large
negative number where it is not). A window's core may open with ``I``: that piece
carries on a span from the window before (see ``windows.merge_continued``).
"""

from __future__ import annotations

import functools

import torch

from claimcheck.models.windows import I, O

FORBIDDEN = -1.0e4


@functools.cache
def _bio_crf():
    from torchcrf import CRF

    crf = CRF(3, batch_first=True)
    with torch.no_grad():
        crf.transitions.zero_()
        crf.transitions[O, I] = FORBIDDEN
        crf.start_transitions.zero_()
        crf.end_transitions.zero_()
    return crf.eval()


def viterbi_tags(logits: torch.Tensor, lengths: list[int]) -> list[list[int]]:
    """Best allowed tag sequence per row.

    ``logits``: (rows, pieces, 3) tag scores, each row's pieces left-aligned;
    ``lengths``: how many pieces of each row count (at least one).
    """
    if not len(lengths):
        return []
    width = logits.shape[1]
    mask = torch.arange(width)[None, :] < torch.as_tensor(lengths)[:, None]
    with torch.no_grad():
        return _bio_crf().decode(torch.log_softmax(logits.float(), dim=-1), mask=mask)
