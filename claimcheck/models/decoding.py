"""Structured decoding of the tagger's BIO tags: the best tag sequence that never
puts ``I`` after ``O`` (a span's inside with no beginning), found by Viterbi.

Piece-by-piece argmax can emit ``O I I`` or drop one piece in the middle of a long
content; the constrained sequence keeps spans whole. The search is ``pytorch-crf``'s
Viterbi with fixed transition scores (0 where a transition is allowed, a large
negative number where it is not). A window's core may open with ``I``: that piece
carries on a span from the window before (see ``windows.merge_continued``).

:class:`DecoderSettings` are the decoder's keys of a tagger folder's ``settings``: how tags
become spans (``decoding``, ``content_end``) and which linked attributions are kept
(``min_detection``). The decoder stores no file of its own.
"""

from __future__ import annotations

import functools
from typing import Literal

import torch
from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from claimcheck.data import ROLES
from claimcheck.models.windows import I, O

FORBIDDEN = -1.0e4
#: the tags of each role, in the order of the tag head's outputs (``windows.O``, ``B``, ``I``)
TAGS = ("O", "B", "I")


class DecoderSettings(BaseModel):
    """The span decoder's keys of a tagger folder's ``settings`` (unknown keys are refused)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    roles: list[str] = list(ROLES)
    tags: list[str] = list(TAGS)
    #: ``viterbi``: the best tag sequence with no I after O; ``argmax``: tag by tag
    decoding: Literal["argmax", "viterbi"] = "argmax"
    #: ``trim``: a content's trailing full stop or comma left out
    content_end: Literal["keep", "trim"] | None = None
    #: a tagged attribution whose detection probability
    #: (:func:`claimcheck.models.tagger.detection_probability`) is below this is dropped: the
    #: writer's own sentence is given no source (chosen on validation)
    min_detection: float | None = Field(default=None, ge=0.0, le=1.0)

    @field_validator("roles", "tags")
    @classmethod
    def _as_built(cls, value: list[str], info: ValidationInfo) -> list[str]:
        expected = list(ROLES) if info.field_name == "roles" else list(TAGS)
        if value != expected:
            raise ValueError(f"this claimcheck's tagger has {expected}, not {value}")
        return value


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
