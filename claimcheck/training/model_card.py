"""The model card (``MODEL_CARD.md``) of a trained tagger, and of one continued on new labels:
what was trained on what, how it was chosen, its learning curves and figures, its limits.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from claimcheck.models.encoders import describe_encoder
from claimcheck.training.joint_types import joint_card_paragraph
from claimcheck.training.network import inference_context
from claimcheck.training.tagger_config import FinetuneConfig


def _encoder_sentence(config: FinetuneConfig) -> str:
    encoder = describe_encoder(config.base_encoder)
    if config.finetuning == "full":
        return (
            f"A {encoder}, fully fine-tuned (all weights but the word embeddings,\n"
            "which stay as shipped and are not stored; the rest stored in float16)"
        )
    return f"A {encoder} with LoRA adapters\n(r={config.lora_r}, alpha={config.lora_alpha}, on {', '.join(config.lora_targets)})"


#: the span figures followed epoch by epoch (types need the type head, fitted once at the end)
CURVE_KEYS = ("spans.mean_exact_f1", "source.exact_f1", "cue.exact_f1", "content.exact_f1")


def _curves(history: list[dict[str, Any]]) -> str:
    head = (
        "| epoch | train loss | " + " | ".join(f"validation {k}" for k in CURVE_KEYS) + " | dev spans.mean_exact_f1 |"
    )
    rows = [head, "|" + "---|" * (len(CURVE_KEYS) + 3)]
    for h in history:
        val, dev = h.get("validation") or h.get("dev") or {}, h.get("dev") or {}
        cells = [str(val.get(k, "")) for k in CURVE_KEYS]
        loss = f"{h['train_loss']:.4f}" if h.get("train_loss") is not None else ""
        rows.append(f"| {h['epoch']} | {loss} | " + " | ".join(cells) + f" | {dev.get('spans.mean_exact_f1', '')} |")
    return "\n".join(rows)


def _figures_table(figures: dict[str, dict[str, Any]]) -> str:
    names = list(figures)
    keys = [k for k in dict.fromkeys(k for f in figures.values() for k in f) if k != "articles_per_s"]
    rows = ["| metric | " + " | ".join(names) + " |", "|---|" + "---|" * len(names)]
    rows += [f"| {k} | " + " | ".join(str(figures[n].get(k, "")) for n in names) + " |" for k in keys]
    return "\n".join(rows)


def _by_class_table(by_class: dict[str, dict[str, dict[str, float]]]) -> str:
    names = list(by_class)
    classes = list(dict.fromkeys(c for v in by_class.values() for c in v))
    rows = ["| type | " + " | ".join(f"{n} F1 (n)" for n in names) + " |", "|---|" + "---|" * len(names)]
    for c in classes:
        cells = [
            f"{by_class[n][c]['f1']} ({by_class[n][c].get('support', '')})" if c in by_class[n] else "" for n in names
        ]
        rows.append(f"| {c} | " + " | ".join(cells) + " |")
    return "\n".join(rows)


def _shown(path: Path | None) -> str:
    """A path as the card shows it: relative to where training ran (no home folders in a shipped card)."""
    return os.path.relpath(path) if path is not None else "none"


def _type_head_sentence(config: FinetuneConfig) -> str:
    weighting = "every type weighing the same" if config.type_head_class_weight == "balanced" else "unweighted"
    return f"C={config.type_head_C}, encoder vector weight {config.type_head_dense_weight}, {weighting}"


def _distill_sentence(config: FinetuneConfig) -> str:
    warm = (
        f"Started from the trained tagger `{Path(config.init_from).name}` (its encoder, tag head and case embedding).\n\n"
        if config.init_from
        else ""
    )
    if config.teacher is None:
        return warm
    return warm + (
        f"Distilled from `{Path(config.teacher).name}`: the loss mixes the gold tags' cross-entropy with the KL\n"
        f"divergence from the teacher's tag distributions (weight {config.distill_weight}, "
        f"temperature {config.distill_temperature}).\n\n"
    )


def _notes(config: FinetuneConfig) -> str:
    return "".join("\n" + path.read_text(encoding="utf-8").strip() + "\n" for path in config.card_notes)


def model_card(config: FinetuneConfig, info: dict[str, Any]) -> str:
    figures = info.get("figures") or ({"dev_gold": info["dev_gold"]} if info.get("dev_gold") else {})
    context = f"the preceding text as context, up to {config.context_sentences} sentence(s)"
    return f"""# claimcheck {config.architecture}

{_encoder_sentence(config)}, and a BIO head per role (source, cue, content){
        " with a learnt letter-case embedding added to the input" if config.case_features else ""
    }; tags decoded by {"constrained Viterbi (no I after O)" if config.decoding == "viterbi" else "argmax"}{
        f"; a tagged attribution whose detection probability is below {config.min_detection} is dropped"
        if config.min_detection is not None
        else ""
    }.
Trained on `{_shown(config.train)}` ({info["n_train_articles"]} articles, {info["n_train_windows"]} windows of
at most {config.max_length} word pieces with {context}; {inference_context(config)} sentence(s) when it runs),
batch {config.batch_size}, learning rate {config.learning_rate} (head {config.head_learning_rate}), seed {config.seed},
{f"snapshot after {info['snapshot']['epochs_done']} epoch(s) of a run of " if info.get("snapshot") else ""}at most {
        config.epochs
    } epoch(s){
        f", stopped after {config.plateau_patience} epoch(s) without a better validation score"
        if config.plateau_patience
        else ""
    }. Best epoch by validation `{config.selection_metric}`: {info["best_epoch"]}.

{
        _distill_sentence(config)
    }**Model selection.** Every choice (epochs, decoding, heads, settings) is made on the validation
split: {info.get("n_validation_articles", 0)} PolNeAR train articles held out by id (`{_shown(config.validation)}`),
never trained on. PolNeAR dev and the gold dev labels (`{_shown(config.dev_gold)}`) are reported only,
never used for a choice or for training. Validation types are scored on the annotated sources of
the validation articles.

The type head is a logistic regression over the source span's mean encoder vector
plus hand features (capitalisation, lexicon hits, resolved antecedent, anonymity
phrasing) ({_type_head_sentence(config)}), with one temperature fitted on out-of-fold
logits for calibration. Type labels: {info["type_labels"]} (`annotated`: `{_shown(config.annotations)}`,
sources of the training articles typed by hand by the codebook; `sample` in the file says how each was picked).{
        joint_card_paragraph(config.type_loss_weight, info)
    }

## Learning curves

{_curves(info["history"])}

## Figures of the stored model

{_figures_table(figures)}

## Types by class

{_by_class_table(info.get("by_class") or {})}

Measured with `claimcheck eval` on {config.threads} CPU threads.
{_notes(config)}
## Limits

- Trained on US political news from 2015-2016 (PolNeAR); other domains and house
  styles will do worse until retrained on their own labels.
- Attributions are linked by proximity (nearest source and content around each
  cue); a content spanning more than one neighbouring sentence is cut.
- Nested attributions of the same role (a content inside a content) keep only the outer one.
"""


def continue_card(info: dict[str, Any], tables: dict[str, list[tuple[str, Any, Any]]], config: FinetuneConfig) -> str:
    """The model card of a continued model: what trained and how, how it was checked, and
    ``tables``, each split's ``(metric, before, after)`` rows by the split's name."""
    parts = []
    for name, rows in tables.items():
        table = "\n".join(f"| {key} | {b} | {a} |" for key, b, a in rows)
        parts.append(f"### {name}\n\n| metric | before | after |\n|---|---|---|\n{table}\n")
    nl, rates = info["new_labels"], info["rates"]
    epochs = (
        f"at most {config.continue_epochs} epochs with early stopping on the held-out part (the best of "
        f"{len(info['history'])} kept)"
        if info["check"]["method"] == "heldout"
        else f"{len(info['history'])} epochs"
    )
    return f"""# claimcheck tagger.v1, continued on new labels

Continued from `{info["continued_from"]}` on `{nl["path"]}`: {nl["articles"]} corrected articles, {nl["train"]} learnt from, {nl["heldout"]} held out; {info["replay"]["articles"]} replay articles of the original training data ({info["replay"]["path"] or "not at hand"}).

Trained: {info["trained"]}, in training's loop with its optimizer at learning rate {rates["encoder"]:g} (heads {rates["heads"]:g}), warm-up {config.warmup_ratio:g}, {epochs}; the new articles count {config.new_label_weight:g} times. The type head was refitted on its original typed sources plus the new ones.

{info["check"]["note"]}

Data this model has seen: {", ".join(f"`{d}`" for d in info["data_seen"])}.

## Before / after

{chr(10).join(parts)}"""
