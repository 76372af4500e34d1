"""What a source's context says about it, and its features: shared by both models.

:func:`source_context` builds a :class:`SourceContext` (the source's words, its cue, the
clause between them, its sentence, its resolved antecedent); :func:`source_features`
turns it into the hand features that the baseline's type classifier and the fine-tuned
model's type head both use; :func:`withheld` is the codebook's own anonymity rule.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from claimcheck.data import Attribution
from claimcheck.lexicons import (
    ANONYMOUS_HEADS,
    DETERMINERS,
    DOCUMENT_WORDS,
    GROUP_PRONOUNS,
    GROUP_WORDS,
    MENTION_WORD,
    ORG_WORDS,
    PERSON_PRONOUNS,
    PRONOUNS,
    PUBLICATION_NAMES,
    RELATIVE_PRONOUNS,
    ROLE_WORDS,
    THING_PRONOUNS,
    TITLES,
    WRITER_PRONOUNS,
    anonymity_marker,
    anonymity_reason,
    looks_anonymous,
)
from claimcheck.models.coreference import resolve
from claimcheck.text import Sentence, span_sentence


@dataclass
class SourceContext:
    """What the type classifier sees of one source."""

    source: str
    cue: str = ""
    antecedent: str | None = None
    sentence: str = ""
    in_quote: bool = False
    sentence_initial: bool = False
    clause: str = ""  # from the source to the cue: ", who requested anonymity ,"


def capitalised(words: list[str], sentence_initial: bool = False) -> list[str]:
    """Capitalised words, not counting determiners or a sentence's first word."""
    if sentence_initial:
        words = words[1:]
    return [w for w in words if w[:1].isupper() and w.lower() not in DETERMINERS]


def _shape(words: list[str], sentence_initial: bool = False) -> dict[str, float]:
    caps = capitalised(words, sentence_initial)
    feats: dict[str, float] = {
        f"ncap={min(len(caps), 3)}": 1.0,
        f"nwords={min(len(words), 6)}": 1.0,
    }
    if any(w.isupper() and len(w) > 1 for w in words):
        feats["acronym"] = 1.0
    if any(w.lower().rstrip(".") in TITLES for w in words) and caps:
        feats["title+name"] = 1.0
    return feats


def normalise(word: str) -> str:
    """Lower case without a trailing full stop or possessive: "Alliance's" -> "alliance"."""
    return word.lower().rstrip(".").removesuffix("'s").removesuffix("’s")


def _lexicon_features(words: list[str], prefix: str = "") -> dict[str, float]:
    low = [normalise(w) for w in words]
    feats: dict[str, float] = {}
    for name, lex in (
        ("org", ORG_WORDS),
        ("group", GROUP_WORDS),
        ("doc", DOCUMENT_WORDS),
        ("pub", PUBLICATION_NAMES),
        ("role", ROLE_WORDS),
        ("title", TITLES),
    ):
        if any(w in lex for w in low):
            feats[f"{prefix}lex={name}"] = 1.0
    if low:
        feats[f"{prefix}head={low[-1]}"] = 1.0
        feats[f"{prefix}first={low[0]}"] = 1.0
        if low[-1].endswith("s") and not words[-1][:1].isupper():
            feats[f"{prefix}plural_head"] = 1.0
    return feats


def not_an_agent(ctx: SourceContext) -> bool:
    """No word of the source hints at a person, group, organisation, outlet or document
    ("recent developments", "the crisis"): a thing the writer speaks through."""
    words = MENTION_WORD.findall(ctx.source)
    low = {normalise(w) for w in words}
    lexicons = ORG_WORDS | GROUP_WORDS | DOCUMENT_WORDS | PUBLICATION_NAMES | ROLE_WORDS | TITLES | ANONYMOUS_HEADS
    return bool(words) and not (low & (lexicons | PRONOUNS)) and not capitalised(words, ctx.sentence_initial)


def withheld(ctx: SourceContext) -> bool:
    """Is the source a person or people the article says it withholds?"""
    words = {normalise(w) for w in MENTION_WORD.findall(f"{ctx.source} {ctx.antecedent or ''}")}
    return bool(words & ANONYMOUS_HEADS) and (anonymity_marker(ctx.clause) or anonymity_marker(ctx.source))


def source_features(ctx: SourceContext) -> dict[str, float]:
    """Features of a source span: words, capitalisation, lexicon hits, antecedent."""
    words = MENTION_WORD.findall(ctx.source)
    low = [w.lower() for w in words]
    feats: dict[str, float] = {f"w={w}": 1.0 for w in low}
    feats.update(_shape(words, ctx.sentence_initial))
    feats.update(_lexicon_features(words))
    if (
        len(low) == 1
        and low[0] in PERSON_PRONOUNS | GROUP_PRONOUNS | THING_PRONOUNS | WRITER_PRONOUNS | RELATIVE_PRONOUNS
    ):
        kind = next(
            k
            for k, lex in (
                ("person", PERSON_PRONOUNS),
                ("group", GROUP_PRONOUNS),
                ("thing", THING_PRONOUNS),
                ("writer", WRITER_PRONOUNS),
                ("relative", RELATIVE_PRONOUNS),
            )
            if low[0] in lex
        )
        feats[f"pronoun={kind}"] = 1.0
        if kind == "writer":
            feats[f"writer_in_quote={ctx.in_quote}"] = 1.0
    if ctx.antecedent:
        ant = MENTION_WORD.findall(ctx.antecedent)
        feats.update({f"ant_{k}": v for k, v in _shape(ant).items()})
        feats.update(_lexicon_features(ant, prefix="ant_"))
    elif low and low[0] in PERSON_PRONOUNS | GROUP_PRONOUNS | THING_PRONOUNS | RELATIVE_PRONOUNS:
        feats["unresolved"] = 1.0
    if anonymity_marker(ctx.source) or anonymity_marker(ctx.sentence):
        feats["anon_marker"] = 1.0
    if looks_anonymous(ctx.source):
        feats["anon_shape"] = 1.0
    if not_an_agent(ctx):
        feats["no_agent_hint"] = 1.0
    if withheld(ctx):
        feats["anon_clause"] = 1.0
    if anonymity_reason(ctx.sentence):
        feats["anon_reason"] = 1.0
    if re.search(r"\.(com|org|net|co\.\w\w|gov)\b|^www\.", ctx.source, re.IGNORECASE):
        feats["domain"] = 1.0
    if ctx.cue:
        feats[f"cue={ctx.cue.lower().split()[-1]}"] = 1.0
    return feats


def in_quotation(text: str, pos: int, sentence: Sentence) -> bool:
    """Is ``pos`` inside a quotation that opened in the same sentence?"""
    before = text[sentence.start : pos]
    curly = before.count("“") - before.count("”")
    straight = before.count('"') % 2
    return curly > 0 or straight == 1


def source_sentence(sentences: list[Sentence], att: Attribution) -> Sentence:
    """The sentence an attribution's source stands in (the part :func:`around` it)."""
    return span_sentence(sentences, att.source[0][0], att.source[-1][1])


def source_context(text: str, sentences: list[Sentence], att: Attribution) -> SourceContext:
    """Build the classifier's view of an attribution's source."""
    start = att.source[0][0]
    sent = source_sentence(sentences, att)
    source = att.text_of("source", text)
    cue_start = att.cue[0][0] if att.cue else start
    clause = text[att.source[-1][1] : cue_start] if cue_start > start else ""
    if source.lower() in {"who", "which"}:
        # a relative clause is the source's own description: "who requested anonymity"
        clause = text[att.source[-1][1] : sent.end].split(",")[0]
    return SourceContext(
        clause=clause,
        source=source,
        cue=att.text_of("cue", text),
        antecedent=resolve(text, start, source),
        sentence=text[sent.start : sent.end],
        in_quote=in_quotation(text, start, sent),
        sentence_initial=not text[sent.start : start].strip(" \"“‘'"),
    )
