"""Resolve pronoun and description sources to the nearest fitting named antecedent.

"he" looks back for the nearest person-like name, "it"/"the agency" for an
organisation-like one, "who"/"which" take the phrase just before them. Names
are capitalised runs; without a parser this is a heuristic, tested on PolNeAR.
"""

from __future__ import annotations

import re

from claimcheck.lexicons import (
    GROUP_PRONOUNS,
    ORG_WORDS,
    PERSON_PRONOUNS,
    PUBLICATION_NAMES,
    RELATIVE_PRONOUNS,
    ROLE_WORDS,
    THING_PRONOUNS,
    TITLES,
)
from claimcheck.models.phrases import np_backward
from claimcheck.text import tokenize

_NAME = re.compile(
    r"(?:(?:Mr|Mrs|Ms|Dr|Sen|Rep|Gov|Gen|Lt|Col|President|Secretary|Senator|Governor|Judge|Speaker|Mayor)\.?\s+)?"
    r"[A-Z][\w’'\-]*(?:\.?\s+(?:[A-Z][\w’'\-.]*|de|van|von|al-\w+))*"
)
_SENTENCE_START = re.compile(r"(?:^|[.!?][\"”’)]?\s+|\n\s*)$")
_NOT_NAMES = frozenset(
    [
        "The",
        "A",
        "An",
        "This",
        "That",
        "These",
        "Those",
        "It",
        "He",
        "She",
        "They",
        "We",
        "I",
        "In",
        "On",
        "At",
        "But",
        "And",
        "Or",
        "If",
        "When",
        "While",
        "After",
        "Before",
        "As",
        "His",
        "Her",
        "Their",
        "Its",
        "Our",
        "Your",
        "My",
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
        "Still",
        "Yet",
        "So",
        "Then",
        "There",
        "Here",
        "What",
        "Why",
        "How",
        "Who",
        "Where",
        "Which",
    ]
)
_LOOKBACK = 2500


def _names_before(text: str, pos: int) -> list[tuple[int, int, str]]:
    start = max(0, pos - _LOOKBACK)
    out = []
    for m in _NAME.finditer(text, start, pos):
        name = m.group().strip()
        words = name.split()
        while words and words[0] in _NOT_NAMES:
            words = words[1:]
        if not words:
            continue
        if (
            len(words) == 1
            and _SENTENCE_START.search(text[max(0, m.start() - 3) : m.start()])
            and words[0] == m.group().split()[0]
        ):
            continue  # a lone capitalised word at a sentence start is no evidence of a name
        name = " ".join(words)
        out.append((m.end() - len(name), m.end(), name))
    return out


def _kind_of_name(name: str) -> str:
    low = [w.lower().rstrip(".") for w in name.split()]
    if any(w in PUBLICATION_NAMES for w in low) and len(low) > 1:
        return "publication"
    if any(w in ORG_WORDS for w in low) or (len(low) == 1 and name.isupper() and len(name) > 1):
        return "organization"
    if any(w in TITLES for w in low) or len(low) >= 2:
        return "person"
    return "single"


def resolve(text: str, source_start: int, source: str) -> str | None:
    """The name a pronoun or description source refers to, if one fits."""
    low = source.lower().strip()
    words = low.split()
    if not words:
        return None
    if low in RELATIVE_PRONOUNS:
        # "Regional officials, who ...": the noun phrase just before the pronoun
        window_start = max(0, source_start - 300)
        toks = tokenize(text, window_start, source_start)
        while toks and toks[-1].text == ",":
            toks.pop()
        np = np_backward(toks, len(toks)) if toks else None
        return text[toks[np[0]].start : toks[np[1] - 1].end] if np else None
    want: set[str]
    if low in PERSON_PRONOUNS:
        want = {"person", "single"}
    elif low in THING_PRONOUNS:
        want = {"organization", "publication"}
    elif low in GROUP_PRONOUNS:
        want = {"organization", "person"}
    elif words[0] in {"the", "this", "that"} and len(words) <= 4:
        head = words[-1]
        if head in TITLES or head in ROLE_WORDS or head in ORG_WORDS:
            # "the mayor" / "the department" refer back only to a name that carries the
            # word: "Mayor Jane Ortiz", "the Department of Transportation"
            titled = [n for _, _, n in _names_before(text, source_start) if head in n.lower().split()]
            return titled[-1] if titled else None
        return None
    else:
        return None
    names = _names_before(text, source_start)
    persons_seen = {n.split()[-1] for _, _, n in names if _kind_of_name(n) == "person"}
    for _, _, name in reversed(names):
        kind = _kind_of_name(name)
        if kind == "single" and name not in persons_seen and "single" in want and "person" in want:
            # a lone surname counts when it was seen before as part of a full name
            continue
        if kind in want:
            return name
    return None
