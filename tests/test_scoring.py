from claimcheck.data import Attribution
from claimcheck.scoring import RuleScorer, ScoringContext


def _score(att_type, source, cue="said", sentence="", resolved=None):
    att = Attribution(id="A1", type=att_type)
    ctx = ScoringContext(source=source, cue=cue, sentence=sentence or f"{source} {cue} x.", resolved_source=resolved)
    score, reasons = RuleScorer().score(att, ctx)
    return score, [r.code for r in reasons]


def test_named_person_with_role_beats_bare_name():
    assert _score("named_person", "Iranian analyst Mehdi Rahmati") == (1.0, ["named_with_role"])
    assert _score("named_person", "Rahmati") == (0.75, ["named_no_role"])


def test_anonymity_with_and_without_a_reason():
    with_reason = "Officials, who requested anonymity due to the sensitive nature of the talks, said x."
    assert _score("anonymous", "Officials", sentence=with_reason) == (0.5, ["anonymous_with_reason"])
    assert _score("anonymous", "a senior official") == (0.25, ["anonymous_no_reason"])


def test_vague_group_weasel_and_distancing():
    assert _score("unnamed_group", "critics") == (0.25, ["unnamed_group"])
    assert _score("unnamed_group", "some") == (0.0, ["weasel"])
    assert _score("unnamed_group", "critics", cue="claimed") == (0.0, ["unnamed_group", "distancing_cue"])
    # distancing only lowers weak sources
    assert _score("named_person", "Rahmati", cue="claimed") == (0.75, ["named_no_role"])


def test_documents_and_unresolved_pronouns():
    assert _score("document", "a 2014 study by Harvard")[1] == ["document_specific"]
    assert _score("document", "a report")[1] == ["document_vague"]
    assert _score("named_person", "he") == (0.0, ["unresolved_reference"])
    assert _score("named_person", "he", resolved="Ann Ortiz")[1] == ["named_no_role"]


def test_unattributed_has_no_score():
    assert _score("unattributed", "we") == (None, ["unattributed"])
