from pathlib import Path

import pytest

from claimcheck.credibility import OutletRating
from claimcheck.data import Attribution
from claimcheck.errors import ConfigError
from claimcheck.scoring import ScoringContext, ScoringWeights, SourcingScorer

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
