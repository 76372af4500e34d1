"""Type labels for PolNeAR train, which has spans but no types.

Two sources, recorded per label in ``label_source``:

* ``annotated``: a file the training config names (``annotations``), e.g. the
  checkout's ``training/labels/polnear-train-types.jsonl``, a random sample of
  1,600 train sources labelled item by item by the codebook (one annotator per
  item; the source span with its sentence and three sentences before).
* ``rules``: the rest, from the codebook's definitions applied to the source's
  words, capitalisation and resolved antecedent (:func:`rule_type`). Sources
  the rules cannot decide stay unlabelled.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from claimcheck.data import ATTRIBUTION_TYPES, Attribution, LabelledExample
from claimcheck.errors import DataError
from claimcheck.lexicons import (
    DETERMINERS,
    DOCUMENT_WORDS,
    GROUP_WORDS,
    MENTION_WORD,
    ORG_WORDS,
    PERSON_PRONOUNS,
    PUBLICATION_NAMES,
    TITLES,
    WRITER_PRONOUNS,
    anonymity_marker,
    looks_anonymous,
)
from claimcheck.models.source_context import SourceContext, capitalised, source_context
from claimcheck.text import split_sentences


def load_annotations(path: str | Path) -> dict[tuple[str, str], str]:
    """``(article id, attribution id) -> type`` from an annotation file (JSONL rows with
    ``article``, ``attribution`` and ``type``).

    Raises:
        DataError: a file that is not there, or a row that is not an annotation.
    """
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{path}: no such annotations file (the training config's `annotations`)")
    labels = {}
    with path.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, start=1):
            try:
                row = json.loads(line)
                article, attribution, type_ = row["article"], row["attribution"], row["type"]
            except (ValueError, KeyError, TypeError):
                raise DataError(f"{path}:{lineno}: expected a JSON object with article, attribution and type") from None
            if type_ not in ATTRIBUTION_TYPES:
                raise DataError(f"{path}:{lineno}: type: unknown type {row['type']!r}")
            labels[(article, attribution)] = type_
    return labels


def _words(text: str) -> list[str]:
    return MENTION_WORD.findall(text)


def rule_type(ctx: SourceContext) -> str | None:
    """The codebook type the rules can decide for a source, else ``None``."""
    words = _words(ctx.source)
    if not words:
        return None
    low = [w.lower().rstrip(".") for w in words]
    caps = capitalised(words, ctx.sentence_initial)
    if len(low) == 1 and low[0] in WRITER_PRONOUNS:
        return "named_person" if ctx.in_quote and low[0] in {"i", "me", "my"} else None
    if len(low) == 1 and low[0] in PERSON_PRONOUNS:
        return "named_person" if ctx.antecedent else None
    if anonymity_marker(ctx.source) or (looks_anonymous(ctx.source) and not caps):
        return "anonymous"
    if caps and any(w in PUBLICATION_NAMES for w in low) and not any(w in DOCUMENT_WORDS for w in low):
        return "publication"
    if any(w in DOCUMENT_WORDS for w in low[-2:]):
        return "document"
    if not caps and low[-1] in GROUP_WORDS:
        return "unnamed_group"
    if caps and (any(w in ORG_WORDS for w in low) or any(w.isupper() and len(w) > 1 for w in words)):
        return "named_organization"
    if caps and (any(w in TITLES for w in low) or len(caps) >= 1) and low[0] not in DETERMINERS:
        return "named_person"
    return None


def labelled_sources(
    examples: list[LabelledExample],
    annotations: dict[tuple[str, str], str] | None = None,
    use_rules: bool = True,
) -> Iterator[tuple[LabelledExample, Attribution, SourceContext, str, str]]:
    """Every labelled source of ``examples`` as ``(example, attribution, context, type,
    label source)``.

    A type given in the example wins, then an annotation, then (if
    ``use_rules``) :func:`rule_type`.
    """
    annotations = annotations or {}
    for ex in examples:
        sentences = split_sentences(ex.text)
        for att in ex.attributions:
            if not att.source:
                continue
            ctx = source_context(ex.text, sentences, att)
            label, origin = att.type, att.label_source or "given"
            if label is None and (ex.id, att.id) in annotations:
                label, origin = annotations[(ex.id, att.id)], "annotated"
            if label is None and use_rules:
                label, origin = rule_type(ctx), "rules"
            if label is not None:
                yield ex, att, ctx, label, origin


def typed_sources(
    examples: list[LabelledExample],
    annotations: dict[tuple[str, str], str] | None = None,
    use_rules: bool = True,
) -> tuple[list[SourceContext], list[str], list[str]]:
    """Every labelled source of ``examples`` (see :func:`labelled_sources`): contexts,
    types and label sources."""
    rows = list(labelled_sources(examples, annotations, use_rules))
    return [r[2] for r in rows], [r[3] for r in rows], [r[4] for r in rows]
