"""The fine-tuned model (``tagger.v1``): one encoder pass per window tags sources, cues and
contents (BIO per role), the span decoder links them around each cue, and a type head
types every source.

The model is put together from parts, each with its own settings schema (composed into
:class:`TaggerSettings`, one flat dict in config.json) and its own files in the model
folder: the encoder (:mod:`claimcheck.models.tuned_encoder`: a base encoder and what
fine-tuning changed), the tag head (a linear BIO head per role, :func:`save_heads`), the
span decoder (:mod:`claimcheck.models.decoding`, :mod:`claimcheck.models.linking`; no
files) and the type heads (:mod:`claimcheck.models.type_head`,
:mod:`claimcheck.models.joint_types`).
"""

from __future__ import annotations

import copy
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from pydantic import SerializerFunctionWrapHandler, model_serializer
from safetensors.torch import load_file, save_file
from torch import nn

from claimcheck.data import ROLES, Attribution, number_attributions, reading_order
from claimcheck.document import as_document
from claimcheck.lexicons import withholding_request
from claimcheck.models.credit_lines import credit_lines
from claimcheck.models.decoding import TAGS, DecoderSettings, viterbi_tags
from claimcheck.models.joint_types import JointTypeHead, article_type_proba
from claimcheck.models.linking import join_split_content, link
from claimcheck.models.registry import ModelError, Precision, register
from claimcheck.models.source_context import source_context
from claimcheck.models.tuned_encoder import EncoderSettings, bf16_supported, load_tuned_encoder, save_encoder
from claimcheck.models.type_head import SpanTypeHead, TypeHeadSettings
from claimcheck.models.typing_rules import apply_typing_rules
from claimcheck.models.windows import (
    N_CASES,
    Window,
    bridge_fragments,
    decode_spans,
    make_windows,
    merge_continued,
    piece_rows,
    snap_to_words,
    trim_trailing_punctuation,
)

N_TAGS = len(TAGS)

#: the keys config.json has always listed its settings in (keys added later follow them)
_STORED_ORDER = (
    "base_encoder",
    "base_sha256",
    "max_length",
    "context_sentences",
    "train_context_sentences",
    "roles",
    "tags",
    "precision",
    "finetuning",
    "case_features",
    "decoding",
    "content_end",
    "min_detection",
    "thing_below",
    "encoder_rank",
    "type_head",
)


class TaggerSettings(TypeHeadSettings, DecoderSettings, EncoderSettings):
    """The ``settings`` of a ``tagger.v1`` folder's config.json: one flat dict of its parts'
    keys (:class:`~claimcheck.models.tuned_encoder.EncoderSettings`,
    :class:`~claimcheck.models.decoding.DecoderSettings`,
    :class:`~claimcheck.models.type_head.TypeHeadSettings`; unknown keys are refused).

    Only the keys set are stored (``model_dump(exclude_unset=True)``), so a folder keeps the
    keys it was written with and a default added later does not change it.
    """

    @model_serializer(mode="wrap")
    def _in_stored_order(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data = handler(self)
        return {**{key: data[key] for key in _STORED_ORDER if key in data}, **data}

    def stored(self) -> dict[str, Any]:
        """The dict config.json holds: the keys set, in config.json's order."""
        return self.model_dump(mode="json", exclude_unset=True)

    def replace(self, **changes: Any) -> TaggerSettings:
        """A copy with ``changes``, validated (the keys changed are stored from then on)."""
        return type(self).model_validate({**self.stored(), **changes})


class TaggerNetwork(nn.Module):
    """Encoder + a linear BIO head per role (3 roles x 3 tags).

    With ``case_features`` a learnt embedding of each piece's letter case (lower,
    Capitalised, ALL CAPS; see :func:`~claimcheck.models.windows.case_ids`) is added
    to the input embeddings: the uncased encoder cannot tell "AP" from "ap" or a
    named organisation from a common noun otherwise. It starts at zero, so an
    untrained one changes nothing. With ``joint_types`` it carries a type head trained with
    it (:class:`~claimcheck.models.joint_types.JointTypeHead`), which reads its hidden states.
    """

    def __init__(
        self, encoder: nn.Module, dropout: float = 0.1, case_features: bool = False, joint_types: bool = False
    ):
        super().__init__()
        self.encoder = encoder
        self.dropout = nn.Dropout(dropout)
        self.tag_head = nn.Linear(encoder.config.hidden_size, len(ROLES) * N_TAGS)
        self.case_embedding = nn.Embedding(N_CASES, encoder.config.hidden_size) if case_features else None
        if self.case_embedding is not None:
            nn.init.zeros_(self.case_embedding.weight)
        self.joint_type_head = JointTypeHead(encoder.config.hidden_size) if joint_types else None

    def forward(
        self, input_ids: torch.Tensor, attention_mask: torch.Tensor, case_ids: torch.Tensor | None = None
    ) -> tuple[torch.Tensor, torch.Tensor]:
        if self.case_embedding is not None and case_ids is not None:
            embeds = self.encoder.get_input_embeddings()(input_ids) + self.case_embedding(case_ids)
            out = self.encoder(inputs_embeds=embeds, attention_mask=attention_mask)
        else:
            out = self.encoder(input_ids=input_ids, attention_mask=attention_mask)
        hidden = out.last_hidden_state
        logits = self.tag_head(self.dropout(hidden))
        return logits.view(*logits.shape[:2], len(ROLES), N_TAGS), hidden


def pad_batch(windows: list[Window], pad_id: int) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Piece ids, attention mask and case ids of ``windows``, padded to the longest."""
    width = max(len(w.input_ids) for w in windows)
    ids = torch.full((len(windows), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(windows), width), dtype=torch.long)
    cases = torch.zeros((len(windows), width), dtype=torch.long)
    for i, w in enumerate(windows):
        ids[i, : len(w.input_ids)] = torch.tensor(w.input_ids)
        mask[i, : len(w.input_ids)] = 1
        if w.case_ids:
            cases[i, : len(w.case_ids)] = torch.tensor(w.case_ids)
    return ids, mask, cases


#: the tag head's file (with the case embedding, where the network has one)
HEADS_FILE = "heads.safetensors"


def save_heads(network: TaggerNetwork, directory: Path) -> None:
    """Write the tag head (and the case embedding, where the network has one) into ``directory``."""
    head = {f"tag_head.{k}": v.detach().contiguous() for k, v in network.tag_head.state_dict().items()}
    if network.case_embedding is not None:
        head["case_embedding.weight"] = network.case_embedding.weight.detach().contiguous()
    save_file(head, str(directory / HEADS_FILE))


def load_heads(network: TaggerNetwork, directory: Path) -> None:
    """The tag head (and the case embedding, where the network has one) from ``directory``."""
    path = directory / HEADS_FILE
    heads = load_file(str(path))
    network.tag_head.load_state_dict(
        {k.removeprefix("tag_head."): v for k, v in heads.items() if k.startswith("tag_head.")}
    )
    if network.case_embedding is not None:
        if "case_embedding.weight" not in heads:
            raise ModelError(f"{path}: the model uses case features but has no case embedding")
        with torch.no_grad():
            network.case_embedding.weight.copy_(heads["case_embedding.weight"])


@dataclass
class _Encoded:
    """What one article's windows gave: spans per role and piece vectors for pooling."""

    spans: dict[str, list[tuple[int, int]]]
    piece_offsets: np.ndarray  # (pieces, 2) character offsets
    piece_vectors: np.ndarray
    #: (pieces, roles): the probability that the piece is inside a span of the role (1 - P(O))
    piece_role_probs: np.ndarray


def _role_probability(encoded: _Encoded, ranges: list[tuple[int, int]], role: int) -> float | None:
    """Mean probability, over the pieces inside ``ranges``, that a piece belongs to a span of ``role``."""
    starts, ends = encoded.piece_offsets[:, 0], encoded.piece_offsets[:, 1]
    inside = np.zeros(len(starts), dtype=bool)
    for range_start, range_end in ranges:
        inside |= (starts < range_end) & (ends > range_start)
    return float(encoded.piece_role_probs[inside, role].mean()) if inside.any() else None


def detection_probability(
    encoded: _Encoded, source: list[tuple[int, int]], cue: tuple[int, int], content: list[tuple[int, int]]
) -> float:
    """How sure the tagger is that this is an attribution at all: the logistic mean of the
    source's, cue's and content's piece probabilities (the roles it has).

    Chosen on the validation split over each role's alone and their minimum: it separates the
    writer's own sentences that were given a source from real attributions best (AUC 0.84).
    """
    probs = [
        p
        for role, ranges in enumerate((source, [cue], content))
        if ranges and (p := _role_probability(encoded, ranges, role)) is not None
    ]
    logits = [np.log(min(max(p, 1e-4), 1 - 1e-4) / (1 - min(max(p, 1e-4), 1 - 1e-4))) for p in probs]
    return float(1 / (1 + np.exp(-np.mean(logits)))) if logits else 0.0


@register("tagger.v1")
class TransformerAttributionModel:
    """Fine-tuned span tagger + type head; see the module docstring."""

    architecture = "tagger.v1"
    settings_schema = TaggerSettings

    def __init__(
        self,
        network: TaggerNetwork,
        tokenizer,
        type_head: SpanTypeHead | None,
        settings: TaggerSettings | Mapping[str, Any],
        precision: Precision | None = None,
    ):
        """``settings``: a :class:`TaggerSettings`, or a dict as written to config.json (read
        through it); ``precision`` overrides the settings' own for this instance."""
        self.network = network.eval()
        self.tokenizer = tokenizer
        self.type_head = type_head
        self.settings: TaggerSettings = TaggerSettings.model_validate(settings)
        self._precision = Precision(precision or self.settings.precision)
        self.source_dir: Path | None = None  # the folder a loaded model came from
        self._int8: nn.Module | None = None

    # -- inference -------------------------------------------------------------------

    @property
    def precision(self) -> Precision:
        """The arithmetic this instance runs (fixed when it is made: see ``load_model``)."""
        return self._precision

    @property
    def use_bf16(self) -> bool:
        return self.precision == "bf16" or (self.precision == "auto" and bf16_supported())

    @property
    def runtime_network(self) -> nn.Module:
        """The network inference runs: the model's own, or with ``precision: int8`` a copy whose
        linear layers are quantised (int8 weights per output channel, made at first use)."""
        if self.precision != "int8":
            return self.network
        if self._int8 is None:
            from torch.ao.quantization import per_channel_dynamic_qconfig, quantize_dynamic

            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # torch.ao's deprecation notice
                self._int8 = quantize_dynamic(
                    copy.deepcopy(self.network), {nn.Linear: per_channel_dynamic_qconfig}, dtype=torch.qint8
                )
        return self._int8

    def windows(self, text: str) -> list[Window]:
        doc = as_document(text)
        settings = self.settings
        return make_windows(
            self.tokenizer, doc.text, settings.max_length, settings.context_sentences, sentences=doc.sentences
        )

    @torch.inference_mode()
    def encode(self, texts: Sequence[str], batch_windows: int = 16) -> list[_Encoded]:
        """Run the network over every window of ``texts``; spans and vectors per article."""
        per_text = [self.windows(t) for t in texts]
        flat = [(i, w) for i, ws in enumerate(per_text) for w in ws]
        order = sorted(range(len(flat)), key=lambda n: len(flat[n][1].input_ids))  # less padding
        tags: dict[int, np.ndarray] = {}
        vectors: dict[int, np.ndarray] = {}
        inside: dict[int, np.ndarray] = {}
        for b in range(0, len(order), batch_windows):
            chunk = order[b : b + batch_windows]
            ids, mask, cases = pad_batch([flat[n][1] for n in chunk], self.tokenizer.pad_token_id)
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=self.use_bf16):
                logits, hidden = self.runtime_network(ids, mask, cases)
            pred = logits.float().argmax(-1).numpy()
            if self.settings.decoding == "viterbi":
                self._viterbi(logits.float(), [flat[n][1] for n in chunk], pred)
            hid = hidden.float().numpy()
            not_o = 1.0 - logits.float().softmax(-1)[..., 0].numpy()
            for row, n in enumerate(chunk):
                length = len(flat[n][1].input_ids)
                tags[n], vectors[n], inside[n] = pred[row, :length], hid[row, :length], not_o[row, :length]
        results = []
        n = 0
        for text, ws in zip(texts, per_text, strict=True):
            raw: dict[str, list] = {r: [] for r in ROLES}
            offs: list[tuple[int, int]] = []
            vecs: list[np.ndarray] = []
            probs: list[np.ndarray] = []
            for w in ws:
                for r_i, role in enumerate(ROLES):
                    raw[role].extend(decode_spans(tags[n][:, r_i].tolist(), w.offsets, w.core))
                keep = [k for k, c in enumerate(w.core) if c]
                offs.extend(w.offsets[k] for k in keep)
                vecs.append(vectors[n][keep])
                probs.append(inside[n][keep])
                n += 1
            width = self.network.encoder.config.hidden_size
            results.append(
                _Encoded(
                    spans=self._finish_spans(text, raw),
                    piece_offsets=np.asarray(offs, dtype=np.int64).reshape(-1, 2),
                    piece_vectors=np.concatenate(vecs) if vecs else np.zeros((0, width), np.float32),
                    piece_role_probs=np.concatenate(probs) if probs else np.zeros((0, len(ROLES)), np.float32),
                )
            )
        return results

    def _finish_spans(self, text: str, raw: dict[str, list]) -> dict[str, list[tuple[int, int]]]:
        """Whole words, continued spans joined, fragments bridged; with ``content_end: trim`` a
        content's trailing full stop or comma is left out, as the training data marks it."""
        spans = bridge_fragments(text, {role: snap_to_words(text, merge_continued(text, raw[role])) for role in ROLES})
        if self.settings.content_end == "trim":
            spans["content"] = trim_trailing_punctuation(text, spans["content"])
        return spans

    @staticmethod
    def _viterbi(logits: torch.Tensor, windows: list[Window], pred: np.ndarray) -> None:
        """Overwrite ``pred``'s core pieces with the best allowed BIO sequence per window and role."""
        starts = [w.core.index(True) if any(w.core) else 0 for w in windows]
        lengths = [sum(w.core) for w in windows]
        width = max(lengths, default=0)
        if not width:
            return
        rows = torch.zeros((len(windows) * len(ROLES), width, N_TAGS))
        for i, (start, length) in enumerate(zip(starts, lengths, strict=True)):
            for r in range(len(ROLES)):
                rows[i * len(ROLES) + r, :length] = logits[i, start : start + length, r]
        row_lengths = [max(1, length) for length in lengths for _ in ROLES]
        for k, tags in enumerate(viterbi_tags(rows, row_lengths)):
            i, r = divmod(k, len(ROLES))
            if lengths[i]:
                pred[i, starts[i] : starts[i] + lengths[i], r] = tags

    @staticmethod
    def pool(encoded: _Encoded, ranges: list[tuple[int, int]]) -> np.ndarray:
        """Mean vector of the pieces inside ``ranges``."""
        rows = piece_rows(encoded.piece_offsets, ranges)
        if not len(rows):
            return np.zeros(encoded.piece_vectors.shape[1], np.float32)
        return encoded.piece_vectors[rows].mean(axis=0)

    def predict(self, texts: Sequence[str]) -> list[list[Attribution]]:
        docs = [as_document(t) for t in texts]
        encoded = self.encode(docs)
        out = []
        for doc, enc in zip(docs, encoded, strict=True):
            text, sentences = doc, doc.sentences  # the document is its text, sentences split once
            groups = [(c.source, c.cue, c.content, c.kind) for c in credit_lines(text)]
            linked = join_split_content(text, link(sentences, enc.spans), enc.spans["content"])
            # "officials, who requested anonymity due to ..." describes the source, it is no second claim
            linked = [g for g in linked if not withholding_request(text[g[1][0] : g[1][0] + 80])]
            floor = self.settings.min_detection
            if floor is not None:
                linked = [g for g in linked if detection_probability(enc, *g) >= floor]
            groups += [(src, [cue], content, "tagged") for src, cue, content in linked]
            found = sorted(
                (
                    (Attribution(id="", source=src, cue=cue, content=content), kind)
                    for src, cue, content, kind in groups
                ),
                key=lambda pair: reading_order(pair[0]),
            )
            atts, kinds = number_attributions([att for att, _ in found]), [kind for _, kind in found]
            self._type(text, sentences, enc, atts, kinds)
            out.append(atts)
        return out

    def _type(self, text, sentences, enc: _Encoded, atts: list[Attribution], kinds: list[str]) -> None:
        sourced = [(a, k) for a, k in zip(atts, kinds, strict=True) if a.source]
        joint = self.network.joint_type_head if self.settings.type_head == "joint" else None
        if not sourced or (self.type_head is None and joint is None):
            return
        contexts = [source_context(text, sentences, a) for a, _ in sourced]
        if joint is not None:
            proba = article_type_proba(joint, enc.piece_offsets, enc.piece_vectors, sentences, [a for a, _ in sourced])
            classes = joint.types
        else:
            vectors = np.stack([self.pool(enc, a.source) for a, _ in sourced])
            proba = self.type_head.predict_proba(contexts, vectors)
            classes = self.type_head.classes_
        for (att, kind), ctx, p in zip(sourced, contexts, proba, strict=True):
            best = int(p.argmax())
            confidence = round(float(p[best]), 4)
            att.type, att.confidence = apply_typing_rules(
                kind,
                ctx,
                classes[best],
                confidence,
                anonymous_confidence=round(max(confidence, float(p[classes.index("anonymous")])), 4)
                if "anonymous" in classes
                else confidence,
                thing_below=self.settings.thing_below,
            )
            att.resolved_source = ctx.antecedent

    # -- persistence -------------------------------------------------------------------

    def save_files(self, directory: Path) -> dict[str, Any]:
        """Each part writes its own files; returns the settings config.json stores."""
        save_encoder(self.network.encoder, directory, self.settings, self.source_dir)
        save_heads(self.network, directory)
        if self.type_head is not None:
            self.type_head.save(directory)
        settings = self.settings.stored()
        if self.network.joint_type_head is not None:
            self.network.joint_type_head.save(directory)
        elif self.settings.type_head == "joint":  # a network made without it (continued training)
            del settings["type_head"]
        return settings

    @classmethod
    def from_files(
        cls, directory: Path, settings: TaggerSettings, precision: Precision | None = None
    ) -> TransformerAttributionModel:
        encoder, tokenizer = load_tuned_encoder(directory, settings)
        network = TaggerNetwork(encoder, case_features=settings.case_features)
        load_heads(network, directory)
        if settings.type_head == "joint" or JointTypeHead.saved_in(directory):  # kept when linear was chosen
            network.joint_type_head = JointTypeHead.load(directory)
        type_head = SpanTypeHead.load(directory) if SpanTypeHead.saved_in(directory) else None
        model = cls(network, tokenizer, type_head, settings, precision)
        model.source_dir = directory
        return model
