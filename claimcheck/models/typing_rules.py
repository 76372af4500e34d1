"""The typing rules both models apply over their type classifier.

A credit line or wire dateline is a publication, and a source the article says it
withholds ("officials who requested anonymity") is anonymous, whatever the classifier
says; a source with no word of an agent ("recent developments indicate") is a thing the
writer speaks through, so its claim is the writer's own (codebook). Each model keeps its
own confidences; the rules are written here once.
"""

from __future__ import annotations

from claimcheck.models.credit_lines import CREDIT_CONFIDENCE, CREDIT_KINDS, CREDIT_TYPE
from claimcheck.models.source_context import SourceContext, not_an_agent, withheld


def apply_typing_rules(
    kind: str,
    ctx: SourceContext,
    label: str,
    confidence: float,
    *,
    anonymous_confidence: float,
    thing_below: float | None = None,
) -> tuple[str, float]:
    """The type and confidence after the rules.

    ``kind`` is how the attribution was found (a credit line, a wire dateline, a tagged or
    rule-found one); ``anonymous_confidence`` is what the model gives a withheld source;
    with ``thing_below``, a source that is no agent becomes ``unattributed`` when the
    classifier's confidence is below it.
    """
    if kind in CREDIT_KINDS:
        return CREDIT_TYPE, CREDIT_CONFIDENCE
    if withheld(ctx):
        return "anonymous", anonymous_confidence
    if thing_below is not None and confidence < thing_below and not_an_agent(ctx):
        return "unattributed", confidence
    return label, confidence
