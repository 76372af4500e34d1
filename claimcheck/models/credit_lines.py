"""Credit lines and wire datelines: publication attributions found by pattern alone.

``Original Source: www.example.com`` and ``WASHINGTON (Reuters) -`` name the outlet a
text comes from. Both models take them from here (the rules and the fine-tuned tagger
alike) and type them :data:`CREDIT_TYPE` with :data:`CREDIT_CONFIDENCE`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

#: the kinds of :class:`RawAttribution` that :func:`credit_lines` finds
CREDIT_KINDS = frozenset({"credit_line", "wire"})
#: the type of a credit line's source, and how sure the pattern is of it
CREDIT_TYPE = "publication"
CREDIT_CONFIDENCE = 0.97

_CREDIT_LINE = re.compile(
    r"^[ \t]*((?:Original )?Source|Via|Credit|Read more at)[ \t]*:[ \t]*(\S[^\n]*?)[ \t]*$",
    re.IGNORECASE | re.MULTILINE,
)
_WIRE_DATELINE = re.compile(
    r"\((Reuters|AP|AFP|Associated Press|Bloomberg|UPI|dpa|Xinhua|CNN|The Associated Press)\)\s*[-—–]+\s*"
)


@dataclass
class RawAttribution:
    """An attribution found by a pattern (a credit line or a rule), before typing."""

    source: list[tuple[int, int]]
    cue: list[tuple[int, int]]
    content: list[tuple[int, int]] = field(default_factory=list)
    kind: str = "speech"  # speech | according_to | credit_line | wire


def credit_lines(text: str) -> list[RawAttribution]:
    """Credit lines (``Original Source: www.example.com``) and wire datelines
    (``WASHINGTON (Reuters) -``): publication attributions."""
    out = []
    for m in _CREDIT_LINE.finditer(text):
        if len(m.group(2)) > 80:
            continue
        out.append(RawAttribution(source=[m.span(2)], cue=[(m.start(1), m.end(1) + 1)], kind="credit_line"))
    for m in _WIRE_DATELINE.finditer(text):
        rest = text[m.end() :]
        stop = re.search(r"(?<=[.!?])\s|\n", rest)
        end = m.end() + (stop.start() if stop else len(rest))
        content = [(m.end(), end)] if end > m.end() else []
        out.append(RawAttribution(source=[m.span(1)], cue=[], content=content, kind="wire"))
    return out
