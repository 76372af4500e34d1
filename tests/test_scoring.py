from pathlib import Path

import pytest

from claimcheck.credibility import OutletRating
from claimcheck.data import Attribution
from claimcheck.errors import ConfigError
from claimcheck.scoring import ScoringContext, ScoringWeights, SourcingScorer
from claimcheck.text import split_sentences

SCORER = SourcingScorer()


def _score(att_type, source, cue="said", sentence="", resolved=None, outlet=None, corroborated=False):
    att = Attribution(id="A1", type=att_type)
    ctx = ScoringContext(
        source=source,
        cue=cue,
        sentence=sentence or f"{source} {cue} x.",
        resolved_source=resolved,
        outlet=outlet,
        corroborated=corroborated,
    )
    score, reasons = SCORER.score(att, ctx)
    return score, [r.code for r in reasons]


def test_named_person_with_role_beats_bare_name():
    assert _score("named_person", "budget analyst Dana Whitfield") == (1.0, ["named_with_role"])
    assert _score("named_person", "Whitfield") == (0.75, ["named_no_role"])


def test_anonymity_with_and_without_a_reason():
    with_reason = "Officials, who spoke on condition of anonymity because the talks are private, said x."
    assert _score("anonymous", "Officials", sentence=with_reason) == (0.5, ["anonymous_with_reason"])
    assert _score("anonymous", "a senior official") == (0.25, ["anonymous_no_reason"])


def test_vague_group_weasel_and_distancing():
    assert _score("unnamed_group", "critics") == (0.25, ["unnamed_group"])
    assert _score("unnamed_group", "some") == (0.0, ["weasel"])
    assert _score("unnamed_group", "critics", cue="claimed") == (0.0, ["unnamed_group", "distancing_cue"])
    # distancing lowers only weak sources
    assert _score("named_person", "Whitfield", cue="claimed") == (0.75, ["named_no_role"])


def test_documents_pronouns_and_corroboration():
    assert _score("document", "a 2014 study by Harvard")[1] == ["document_specific"]
    assert _score("document", "a report")[1] == ["document_vague"]
    assert _score("named_person", "he") == (0.0, ["named_no_role", "unresolved_reference"])
    assert _score("named_person", "he", resolved="Ann Ortiz")[1] == ["named_no_role"]
    assert _score("named_person", "Whitfield", corroborated=True) == (1.0, ["named_no_role", "corroborated"])


def test_outlet_rating_moves_publication_score():
    good = OutletRating("good.example", 0.9, "test", "Good News")
    bad = OutletRating("bad.example", 0.1, "test", "Bad News")
    assert _score("publication", "Good News", outlet=good) == (0.85, ["publication", "outlet_rated"])
    assert _score("publication", "Bad News", outlet=bad) == (0.65, ["publication", "outlet_rated"])
    assert _score("publication", "Daily Planet") == (0.75, ["publication", "outlet_unrated"])


def test_unattributed_has_no_score():
    assert _score("unattributed", "we") == (None, ["unattributed"])


def test_weights_round_trip_and_reject_unknown_parts(tmp_path: Path):
    weights = ScoringWeights.load()
    weights.save(tmp_path / "w.yaml")
    assert ScoringWeights.load(tmp_path / "w.yaml") == weights
    (tmp_path / "bad.yaml").write_text("version: 1\nbase: {named_person: 4}\nparts: {}\n")
    with pytest.raises(ConfigError, match="missing"):
        ScoringWeights.load(tmp_path / "bad.yaml")


def test_fit_recovers_weights_from_labels():
    rows = [("named_person", "Ann Ortiz, the mayor", 5), ("named_person", "Ortiz", 4), ("anonymous", "an aide", 2)]
    types, contexts, quality = [], [], []
    for t, source, q in rows * 10:
        types.append(t)
        contexts.append(ScoringContext(source=source, cue="said", sentence=f"{source} said x."))
        quality.append(q)
    scorer = SourcingScorer(alpha=0.01)
    fitted = scorer.fit(types, contexts, quality)
    assert fitted is scorer and scorer.weights is None, "fit returns the scorer and leaves its parameters alone"
    assert fitted.weights_.base["named_person"] == pytest.approx(4.0, abs=0.05)
    assert fitted.weights_.parts["role_or_affiliation"] == pytest.approx(1.0, abs=0.05)
    assert fitted.weights_.base["anonymous"] == pytest.approx(2.0, abs=0.05)
    assert fitted.active_weights is fitted.weights_


def test_scorer_follows_the_scikit_learn_estimator_contract(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """__init__ stores its arguments and reads nothing; clone and get_params work; what fit
    learns ends in an underscore; weights from a file come through a classmethod."""
    from sklearn.base import clone

    import claimcheck.credibility
    import claimcheck.scoring

    def no_io(*args, **kwargs):
        raise AssertionError("SourcingScorer.__init__ read a file")

    with monkeypatch.context() as m:
        m.setattr(claimcheck.scoring.ScoringWeights, "load", no_io)
        m.setattr(claimcheck.credibility.OutletRatings, "load", no_io)
        m.setattr(Path, "read_text", no_io)
        m.setattr(Path, "open", no_io)
        scorer = SourcingScorer(alpha=0.5)
    assert scorer.get_params() == {"weights": None, "ratings": None, "alpha": 0.5}
    twin = clone(scorer)
    assert twin is not scorer and twin.get_params() == scorer.get_params()
    assert clone(scorer.set_params(alpha=2.0)).alpha == 2.0
    assert not [k for k in vars(scorer) if k.endswith("_")], "nothing learnt before fit"

    weights = ScoringWeights.load()
    weights.base["named_person"] = 3.0
    weights.save(tmp_path / "w.yaml")
    from_file = SourcingScorer.from_file(tmp_path / "w.yaml")
    assert from_file.weights == weights and from_file.active_weights.base["named_person"] == 3.0
    assert clone(from_file).weights == weights

    rows = [("named_person", "Ann Ortiz, the mayor", 5), ("anonymous", "an aide", 2)] * 5
    contexts = [ScoringContext(source=s, cue="said", sentence=f"{s} said x.") for _, s, _ in rows]
    fitted = from_file.fit([t for t, _, _ in rows], contexts, [q for _, _, q in rows])
    assert [k for k in vars(fitted) if k.endswith("_") and not k.startswith("_")] == ["weights_"]
    assert fitted.weights == weights, "fit learns weights_, the weights it was given stay"
    assert not hasattr(clone(fitted), "weights_"), "a clone is unfitted"


# -- hand-built articles: the scorer on attributions placed in a text (no model load) -------


def _at(text: str, phrase: str, nth: int = 0) -> list[tuple[int, int]]:
    """The range of the ``nth`` occurrence of ``phrase`` in ``text``."""
    start = -1
    for _ in range(nth + 1):
        start = text.index(phrase, start + 1)
    return [(start, start + len(phrase))]


def hand_scored(text: str, specs: list[tuple]) -> list[Attribution]:
    """Attributions from ``(type, source, cue, content[, resolved])`` phrases of ``text``
    (a phrase as ``(words, nth)`` for a later occurrence), scored by the shipped scorer."""
    atts = []
    for k, (att_type, *roles) in enumerate(specs, start=1):
        source, cue, content, *resolved = roles
        ranges = [_at(text, *p) if isinstance(p, tuple) else _at(text, p) for p in (source, cue, content)]
        atts.append(
            Attribution(
                id=f"A{k}",
                type=att_type,
                source=ranges[0],
                cue=ranges[1],
                content=ranges[2],
                resolved_source=resolved[0] if resolved else None,
            )
        )
    SCORER.score_article(text, split_sentences(text), atts)
    return atts


def _codes(att: Attribution) -> list[str]:
    return [r.code for r in att.reasons]


RELAY = (
    '"The ruling protects every tenant in the county," said housing lawyer Ines Marlow on Monday. '
    "The Lakeside Courier quoted Marlow as saying the ruling protects every tenant in the county. "
    "Marlow said the ruling protects every tenant in the county. "
    "Landlords' group chairman Piet Osei agreed that the ruling protects every tenant in the county."
)


def test_a_relayed_quote_is_one_source_not_corroboration():
    quote = "The ruling protects every tenant in the county"
    # the outlet passes on Marlow's words; the court reporter's own sentence names her
    marlow, courier = hand_scored(
        RELAY,
        [
            ("named_person", "housing lawyer Ines Marlow", "said", quote),
            (
                "publication",
                "The Lakeside Courier",
                "quoted",
                "Marlow as saying the ruling protects every tenant in the county",
            ),
        ],
    )
    assert "corroborated" not in _codes(marlow) and "corroborated" not in _codes(courier)
    assert marlow.score == 1.0 and courier.score == 0.75
    # the same, where the outlet's content leaves the name out: the sentence still names her
    marlow, courier = hand_scored(
        RELAY,
        [
            ("named_person", "housing lawyer Ines Marlow", "said", quote),
            ("publication", "The Lakeside Courier", "quoted", ("the ruling protects every tenant in the county", 0)),
        ],
    )
    assert "corroborated" not in _codes(marlow) and "corroborated" not in _codes(courier)
    # ... or names her only by a pronoun
    text = RELAY.replace("quoted Marlow as", "quoted her as")
    marlow, courier = hand_scored(
        text,
        [
            ("named_person", "housing lawyer Ines Marlow", "said", quote),
            (
                "publication",
                "The Lakeside Courier",
                "quoted",
                "her as saying the ruling protects every tenant in the county",
            ),
        ],
    )
    assert "corroborated" not in _codes(marlow) and "corroborated" not in _codes(courier)


def test_the_same_person_twice_is_not_corroboration_but_another_person_is():
    quote = "The ruling protects every tenant in the county"
    again = ("the ruling protects every tenant in the county", 1)
    marlow, marlow_again = hand_scored(
        RELAY,
        [
            ("named_person", "housing lawyer Ines Marlow", "said", quote),
            ("named_person", ("Marlow", 2), ("said", 1), again),
        ],
    )
    assert "corroborated" not in _codes(marlow) and "corroborated" not in _codes(marlow_again)
    marlow, osei = hand_scored(
        RELAY,
        [
            ("named_person", "housing lawyer Ines Marlow", "said", quote),
            (
                "named_person",
                "Landlords' group chairman Piet Osei",
                "agreed",
                ("the ruling protects every tenant in the county", 2),
            ),
        ],
    )
    assert "corroborated" in _codes(marlow) and "corroborated" in _codes(osei)


def test_one_outlet_under_two_names_is_one_source():
    text = (
        "The Associated Press reported that the bridge will reopen to traffic in June. "
        "AP said that the bridge will reopen to traffic in June."
    )
    first, second = hand_scored(
        text,
        [
            ("publication", "The Associated Press", "reported", "the bridge will reopen to traffic in June"),
            ("publication", "AP", "said", ("the bridge will reopen to traffic in June", 1)),
        ],
    )
    assert _codes(first) == _codes(second) == ["publication", "outlet_rated"]


def test_a_role_is_any_descriptor_and_not_a_courtesy_title():
    assert _score("named_person", "harbour master Ida Brenn") == (1.0, ["named_with_role"])
    assert _score("named_person", "Ida Brenn of the Port Authority")[1] == ["named_with_role"]
    assert _score("named_person", "Sen. Ida Brenn (D-Ohio)")[1] == ["named_with_role"]
    assert _score("named_person", "Ms. Brenn") == (0.75, ["named_no_role"])
    assert _score("named_person", "Omar al-Farsi")[1] == ["named_no_role"]
    assert _score("named_person", "Brenn and Osei")[1] == ["named_no_role"]
    assert _score("named_person", "Harbour officials, who")[1] == ["named_no_role"]


def test_a_role_given_once_holds_at_every_mention_of_the_person():
    text = "Ida Brenn, the harbour master, said the ferry will stop. She said repairs take a month. Brenn left."
    brenn, she = hand_scored(
        text,
        [
            ("named_person", "Ida Brenn, the harbour master,", "said", "the ferry will stop"),
            ("named_person", "She", ("said", 1), "repairs take a month", "Ida Brenn"),
        ],
    )
    assert (brenn.score, _codes(brenn)) == (1.0, ["named_with_role"])
    assert (she.score, _codes(she)) == (1.0, ["named_with_role"])
    # a role given at a mention that is no source: before the name, or in an appositive
    for text in (
        "Secretary of the Harbour Board Ida Brenn opened the pier. Brenn said the ferry will stop.",
        "Ida Brenn, who heads the harbour board, opened the pier. Brenn said the ferry will stop.",
    ):
        (brenn,) = hand_scored(text, [("named_person", ("Brenn", 1), "said", "the ferry will stop")])
        assert _codes(brenn) == ["named_with_role"], text
    for text in (
        "The pier opened, said Ida Brenn. Brenn said the ferry will stop.",
        "The mayor. Brenn said the ferry will stop.",
        "Ida Brenn, who spoke first, opened the pier. Brenn said the ferry will stop.",
    ):
        (brenn,) = hand_scored(
            text, [("named_person", ("Brenn", text.count("Brenn") - 1), "said", "the ferry will stop")]
        )
        assert _codes(brenn) == ["named_no_role"], text
    # another person of the same first name does not inherit it
    text = "Ida Brenn, the harbour master, said the ferry will stop. Ida Osei said the tickets rise."
    _, osei = hand_scored(
        text,
        [
            ("named_person", "Ida Brenn, the harbour master,", "said", "the ferry will stop"),
            ("named_person", "Ida Osei", ("said", 1), "the tickets rise"),
        ],
    )
    assert _codes(osei) == ["named_no_role"]


def test_groups_the_story_pins_down_are_not_vague():
    assert _score("unnamed_group", "Jurors in Virginia") == (0.25, ["specific_group"])
    assert _score("unnamed_group", "Prosecutors")[1] == ["specific_group"]
    assert _score("unnamed_group", "experts at Harvard")[1] == ["specific_group"]
    assert _score("unnamed_group", "critics of the plan")[1] == ["unnamed_group"]
    assert _score("unnamed_group", "many people")[1] == ["weasel"]
    # a place is no group and, in capitals, no pronoun: "US" is not "us"
    assert _score("unnamed_group", "in the US")[1] == ["specific_group"]
    assert _score("named_organization", "US") == (0.75, ["named_organization"])
    assert _score("named_person", "us") == (0.0, ["named_no_role", "unresolved_reference"])


def test_outlet_named_inside_a_description_is_rated():
    text = "The storm closed the coast road, the news agency Associated Press reported."
    (att,) = hand_scored(
        text, [("publication", "the news agency Associated Press", "reported", "The storm closed the coast road")]
    )
    assert _codes(att) == ["publication", "outlet_rated"] and att.score == 0.85
    assert "0.90" in att.reasons[1].text
