"""Surface patterns of the rule baseline, on hand-written sentences."""

import pytest

from claimcheck.models.rules import RuleAttributionFinder
from claimcheck.text import split_sentences

CUES = {"said", "says", "told", "confirmed", "added", "reported", "claimed"}


def _find(text: str) -> list[tuple[str, str, str, str]]:
    found = RuleAttributionFinder(CUES).find(text, split_sentences(text))

    def get(ranges):
        return " ".join(text[s:e] for s, e in ranges)

    return [(r.kind, get(r.source), get(r.cue), get(r.content)) for r in found]


@pytest.mark.parametrize(
    ("text", "source", "cue", "content"),
    [
        ("Mayor Ann Ortiz said the budget is balanced.", "Mayor Ann Ortiz", "said", "the budget is balanced"),
        ("The budget is balanced, Mayor Ann Ortiz said.", "Mayor Ann Ortiz", "said", "The budget is balanced"),
        (
            "“The budget is balanced,” said Ann Ortiz, the mayor.",
            "Ann Ortiz, the mayor",
            "said",
            "“The budget is balanced,”",
        ),
        (
            "According to the audit office, the budget is balanced.",
            "the audit office",
            "According to",
            "the budget is balanced",
        ),
        (
            "The budget is balanced, according to the audit office.",
            "the audit office",
            "according to",
            "The budget is balanced",
        ),
        (
            "Sen. Tom Reyes (D-Ore.) told reporters that the vote would fail.",
            "Sen. Tom Reyes (D-Ore.)",
            "told",
            "the vote would fail",
        ),
        ("Ms. Ortiz has also said she would run again.", "Ms. Ortiz", "has also said", "she would run again"),
    ],
)
def test_speech_patterns(text, source, cue, content):
    kinds = _find(text)
    assert (source, cue, content) in [(s, c, t) for _, s, c, t in kinds]


def test_relative_clause_source_and_its_own_content():
    text = "Two officials, who requested anonymity because of the talks, confirmed the deal was off."
    found = _find(text)
    assert ("speech", "Two officials", "confirmed", "the deal was off") in found


def test_credit_lines():
    text = "WASHINGTON (Reuters) - The Senate passed the bill.\n\nOriginal Source: www.example.org"
    found = _find(text)
    assert ("wire", "Reuters", "", "The Senate passed the bill.") in found
    assert ("credit_line", "www.example.org", "Original Source:", "") in found


def test_object_of_a_preposition_is_not_a_speaker():
    assert _find("It ended with the plan reported from the capital in May.") == []
