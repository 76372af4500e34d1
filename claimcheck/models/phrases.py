"""Noun phrases from punctuation, capitalisation and stop words (no parser is shipped).

Shared by the rules, which find a cue's speaker with them, and by coreference, which
takes a relative pronoun's antecedent ("officials, who ...") with them.
"""

from __future__ import annotations

from claimcheck.text import Token

PUNCT_STOP = frozenset({",", ";", ":", "“", "”", '"', "(", ")", "—", "–", "[", "]", "?", "!", "‘", "’"})
_NP_STOP = frozenset(
    [
        "that",
        "which",
        "when",
        "while",
        "because",
        "but",
        "if",
        "so",
        "after",
        "before",
        "since",
        "where",
        "as",
        "than",
        "though",
        "although",
        "what",
        "how",
        "why",
        "whether",
        "said",
        "says",
        "say",
        "told",
        "tells",
        "according",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "has",
        "have",
        "had",
        "will",
        "would",
        "could",
        "should",
        "can",
        "may",
        "might",
        "must",
        "do",
        "does",
        "did",
        "not",
        "also",
        "then",
        "to",
        "for",
        "in",
        "on",
        "at",
        "by",
        "with",
        "from",
        "about",
        "into",
        "over",
        "against",
        "under",
        "during",
    ]
)
_NP_BIGRAMS = frozenset({"familiar with", "close to", "knowledgeable about", "briefed on", "involved in"})
_LEADING_TRIM = frozenset({"and", "but", "or", "so", "yet", "then", "also", "while"})


def is_word(tok: Token) -> bool:
    return tok.text[0].isalnum()


def np_backward(toks: list[Token], end: int) -> tuple[int, int] | None:
    """Token range [i, end) of the noun phrase ending just before token ``end``."""
    i = end
    while i > 0 and len(toks) and end - i < 9:
        tok = toks[i - 1]
        low = tok.text.lower()
        if tok.text == "." and i >= 2 and len(toks[i - 2].text) <= 4 and toks[i - 2].text[0].isupper():
            i -= 1  # "Mr." "Sen." "D.C."
            continue
        if tok.text in PUNCT_STOP:
            break
        if not is_word(tok) and tok.text not in {"'", "’", "-", "&", "."}:
            break
        if tok.text == ".":
            break
        if low in _NP_STOP and not (i < end and low in {"of", "for", "at", "in"} and i - 1 > 0):
            if not (i >= 2 and f"{toks[i - 2].text.lower()} {low}" in _NP_BIGRAMS):
                break
            i -= 2  # "people familiar with the talks": keep the description together
            continue
        if low == "and" and not (i - 2 >= 0 and toks[i - 2].text[:1].isupper()):
            break
        i -= 1
    while i < end and toks[i].text.lower() in _LEADING_TRIM | {"of", "for", "at", "in"}:
        i += 1
    if i >= end:
        return None
    return i, end
