"""Unit tests for eval.metrics on small hand-made articles (expected values worked by hand)."""

from __future__ import annotations

import pytest

from claimcheck.data import ArticleReport, Attribution, Claim, LabelledExample, Summary
from claimcheck.evaluation.metrics import (
    calibration,
    claim_scores,
    cofenet_span_scores,
    evaluate_predictions,
    match_spans,
    pair_attributions,
    quality_scores,
    span_chars,
    span_scores,
    type_scores,
)
from claimcheck.pipeline import make_claims
from claimcheck.text import split_sentences


def rng(text: str, sub: str, nth: int = 0) -> tuple[int, int]:
    """[start, end) of the nth occurrence of ``sub`` in ``text``."""
    start = -1
    for _ in range(nth + 1):
        start = text.index(sub, start + 1)
    return start, start + len(sub)


def chars(text: str, sub: str) -> frozenset[int]:
    s, e = rng(text, sub)
    return frozenset(range(s, e))


def att(
    id: str, text: str, source: str | None = None, cue: str | None = None, content: str | None = None, **kw
) -> Attribution:
    return Attribution(
        id=id,
        source=[rng(text, source)] if source else [],
        cue=[rng(text, cue)] if cue else [],
        content=[rng(text, content)] if content else [],
        **kw,
    )


def example(text: str, atts: list[Attribution]) -> LabelledExample:
    return LabelledExample(id="ex", text=text, attributions=atts)


def report(text: str, atts: list[Attribution], claims: list[Claim] | None = None) -> ArticleReport:
    """A report as the checker makes it: its claims from the checker's own rule unless given."""
    if claims is None:
        claims = make_claims(text, split_sentences(text), atts)
    summary = Summary(n_claims=len(claims), type_counts={}, sourcing_score=None)
    return ArticleReport(id="ex", text=text, attributions=atts, claims=claims, summary=summary)


# --------------------------------------------------------------------------- span_chars


def test_span_chars_trims_quotes_punctuation_and_space():
    text = "He said: “We will win.” Then"
    # the range ': “We will win.” ' trims to 'We will win'
    s, _ = rng(text, ": “")
    _, e = rng(text, "” ")
    assert span_chars([(s, e)], text) == chars(text, "We will win")


def test_span_chars_all_trimmed_is_empty_and_pieces_are_unioned():
    text = 'A -- "" (x) B'
    assert span_chars([rng(text, '-- ""')], text) == frozenset()
    # discontinuous: '(x)' trims to 'x', 'B' stays
    assert span_chars([rng(text, "(x)"), rng(text, "B")], text) == chars(text, "x") | chars(text, "B")


# --------------------------------------------------------------------------- match_spans


def test_match_spans_largest_overlap_wins_one_to_one():
    gold = [frozenset(range(10))]
    pred = [frozenset(range(3)), frozenset(range(7))]  # overlaps 3 and 7
    assert match_spans(gold, pred) == [(0, 1)]


def test_match_spans_ties_by_index_and_no_overlap_unmatched():
    gold = [frozenset({1, 2}), frozenset({2, 3}), frozenset({9})]
    pred = [frozenset({2}), frozenset({3, 4})]
    # overlaps: g0-p0 1, g1-p0 1, g1-p1 1; ties go by (gold, pred) index:
    # g0-p0 first, then g1-p1; g2 overlaps nothing
    assert match_spans(gold, pred) == [(0, 0), (1, 1)]
    assert match_spans([], pred) == []


# --------------------------------------------------------------------------- span_scores

TEXT = 'Mr. Smith said, "Taxes will rise." Critics disagreed.'


def test_span_scores_exact_vs_overlap_with_trimming():
    gold = example(TEXT, [att("g", TEXT, "Mr. Smith", "said", '"Taxes will rise."')])
    pred = report(TEXT, [att("p", TEXT, "Smith", "said,", "Taxes will rise")])
    s = span_scores([gold], [pred])
    # source: 'Smith' overlaps 'Mr. Smith' -> overlap TP; exact: 1 FN + 1 FP -> 0
    assert s["source"]["overlap"] == {"p": 1.0, "r": 1.0, "f1": 1.0}
    assert s["source"]["exact"] == {"p": 0.0, "r": 0.0, "f1": 0.0}
    # cue 'said,' trims to 'said'; content loses its quotes and final period: exact
    assert s["cue"]["exact"] == {"p": 1.0, "r": 1.0, "f1": 1.0}
    assert s["content"]["exact"] == {"p": 1.0, "r": 1.0, "f1": 1.0}


def test_span_scores_one_gold_two_overlapping_predictions():
    gold = example(TEXT, [att("g", TEXT, content='"Taxes will rise."')])
    pred = report(TEXT, [att("p1", TEXT, content="Taxes"), att("p2", TEXT, content="Taxes will rise")])
    s = span_scores([gold], [pred])["content"]
    # p2 (15 chars) beats p1 (5 chars) and matches exactly: TP=1, FP=1 (p1), FN=0
    # p = 1/2, r = 1, f1 = 2*0.5*1/1.5 = 0.6667 -- same in both modes
    assert s["overlap"] == {"p": 0.5, "r": 1.0, "f1": 0.6667}
    assert s["exact"] == {"p": 0.5, "r": 1.0, "f1": 0.6667}


def test_span_scores_discontinuous_range_is_one_span():
    text = '"Taxes," Smith said, "will rise."'
    both = [rng(text, '"Taxes,"'), rng(text, '"will rise."')]
    gold = example(text, [Attribution(id="g", source=[rng(text, "Smith")], content=both)])
    same = report(text, [Attribution(id="p", source=[rng(text, "Smith")], content=both)])
    half = report(text, [Attribution(id="p", content=[rng(text, '"Taxes,"')])])
    s = span_scores([gold], [same])["content"]
    assert s["exact"] == {"p": 1.0, "r": 1.0, "f1": 1.0}  # one TP, not two
    s = span_scores([gold], [half])["content"]
    # one piece only: overlap TP; exact FN + FP
    assert s["overlap"] == {"p": 1.0, "r": 1.0, "f1": 1.0}
    assert s["exact"] == {"p": 0.0, "r": 0.0, "f1": 0.0}


def test_span_scores_deduplicates_identical_spans():
    text = "Smith said taxes rise. Smith said cuts come."
    gold = example(
        text,
        [
            att("g1", text, "Smith", content="taxes rise"),
            Attribution(id="g2", source=[rng(text, "Smith")], content=[rng(text, "cuts come")]),
        ],
    )
    pred = report(text, [att("p1", text, "Smith", content="taxes rise")])
    s = span_scores([gold], [pred])
    # both gold sources are the first 'Smith' -> one span, matched exactly
    assert s["source"]["exact"] == {"p": 1.0, "r": 1.0, "f1": 1.0}
    # content: 2 gold, 1 pred matched -> p = 1, r = 1/2, f1 = 2/3
    assert s["content"]["exact"] == {"p": 1.0, "r": 0.5, "f1": 0.6667}


def test_span_scores_counts_over_all_articles():
    # article 1: source TP; article 2: one missed gold source -> p = 1, r = 1/2
    text = "Smith said taxes rise."
    g = example(text, [att("g", text, "Smith", content="taxes rise")])
    s = span_scores([g, g], [report(text, [att("p", text, "Smith")]), report(text, [])])
    assert s["source"]["overlap"] == {"p": 1.0, "r": 0.5, "f1": 0.6667}
    # no cues anywhere: all zero rather than an error
    assert s["cue"]["exact"] == {"p": 0.0, "r": 0.0, "f1": 0.0}


# --------------------------------------------------------------------------- cofenet_span_scores

# Made-up article text, written for these tests: a headline and two paragraphs.
PARAS = "Ferry fares rise\n\nPort chief Ana Ruiz said, “Fares will rise in May.\n\nThe new boats cost more.”"
ALL = {"p": 1.0, "r": 1.0, "f1": 1.0}
NONE = {"p": 0.0, "r": 0.0, "f1": 0.0}


def _paras_gold() -> LabelledExample:
    quote = (PARAS.index("“"), len(PARAS))  # one range over the paragraph break
    return example(
        PARAS, [Attribution(id="g", source=[rng(PARAS, "Ana Ruiz")], cue=[rng(PARAS, "said")], content=[quote])]
    )


def test_cofenet_content_over_a_paragraph_break_is_two_instances():
    gold = _paras_gold()
    first_only = report(PARAS, [att("p", PARAS, content="“Fares will rise in May.")])
    s = cofenet_span_scores([gold], [first_only])
    assert s["n_instances"] == 3
    # two gold spans, one per paragraph; the prediction finds the first: p = 1, r = 1/2
    assert s["content"]["exact"] == {"p": 1.0, "r": 0.5, "f1": 0.6667}
    assert span_scores([gold], [first_only])["content"]["exact"] == NONE  # one span in the project's own figures
    whole = report(PARAS, gold.attributions)
    assert cofenet_span_scores([gold], [whole])["content"]["exact"] == ALL


def test_cofenet_discontinuous_content_is_one_span_per_range():
    text = "“The pier,” the mayor said, “will close in June.”"
    pieces = [rng(text, "The pier"), rng(text, "will close in June")]
    gold = example(text, [Attribution(id="g", cue=[rng(text, "said")], content=pieces)])
    one_piece = report(text, [Attribution(id="p", content=pieces[1:])])
    assert cofenet_span_scores([gold], [one_piece])["content"]["exact"] == {"p": 1.0, "r": 0.5, "f1": 0.6667}
    assert span_scores([gold], [one_piece])["content"]["exact"] == NONE  # one span in the project's own figures
    assert cofenet_span_scores([gold], [report(text, gold.attributions)])["content"]["exact"] == ALL


def test_cofenet_compares_words_not_characters():
    text = "Harbour master Ida O’Neil said fares will rise."
    gold = example(text, [att("g", text, "Harbour master Ida O’Neil", "said", "fares will rise")])
    # starts inside the first word, ends inside the last (at its apostrophe), or takes a space and
    # a full stop: the same first and last words
    loose = report(text, [att("p", text, "arbour master Ida O’", "said", " fares will rise.")])
    s = cofenet_span_scores([gold], [loose])
    assert s["source"]["exact"] == ALL
    assert s["content"]["exact"] == ALL
    assert span_scores([gold], [loose])["source"]["exact"] == NONE  # characters differ in the project's own
    short = report(text, [att("p", text, "master Ida O’Neil", "said", "fares will")])  # a word missing
    s = cofenet_span_scores([gold], [short])
    assert s["source"]["exact"] == NONE
    assert s["content"]["exact"] == NONE
    assert s["cue"]["exact"] == ALL


def test_cofenet_a_span_of_punctuation_only_is_its_marks():
    text = "The port’s plan: fares will rise."
    gold = example(text, [att("g", text, "The port’s plan", ":", "fares will rise")])
    s = cofenet_span_scores([gold], [report(text, [att("p", text, cue=": ")])])
    assert s["cue"]["exact"] == ALL
    s = cofenet_span_scores([gold], [report(text, [att("p", text, cue="plan:")])])
    assert s["cue"]["exact"] == NONE


def test_cofenet_identical_predictions_score_one_and_none_score_zero_recall():
    gold = _paras_gold()
    same = cofenet_span_scores([gold, gold], [report(PARAS, gold.attributions), report(PARAS, gold.attributions)])
    assert all(same[role]["exact"] == ALL for role in ("source", "cue", "content"))
    empty = cofenet_span_scores([gold], [report(PARAS, [])])
    assert all(empty[role]["exact"]["r"] == 0.0 for role in ("source", "cue", "content"))
    assert all(empty[role]["exact"] == NONE for role in ("source", "cue", "content"))


# --------------------------------------------------------------------------- pairing and types

TYPED = "Smith said taxes rise. Officials said cuts come. The Times said rates fall."


def _typed_gold() -> LabelledExample:
    return example(
        TYPED,
        [
            att("g1", TYPED, "Smith", content="taxes rise", type="named_person"),
            att("g2", TYPED, "Officials", content="cuts come", type="anonymous"),
            att("g3", TYPED, "The Times", content="rates fall", type="publication"),
        ],
    )


def _typed_pred() -> ArticleReport:
    return report(
        TYPED,
        [
            # p1 pairs with g1 on source, although its content does not overlap
            att("p1", TYPED, "Smith", content="said taxes", type="named_person", confidence=0.9),
            # p2's source misses 'Officials' but its content overlaps g2's content
            att("p2", TYPED, "said", content="cuts come", type="unnamed_group", confidence=0.6),
        ],
    )


def test_pair_attributions_source_then_content_then_none():
    gold, pred = _typed_gold(), _typed_pred()
    pairs = pair_attributions(gold, pred)
    assert [(g.id, p.id if p else None) for g, p in pairs] == [("g1", "p1"), ("g2", "p2"), ("g3", None)]


def test_pair_attributions_source_beats_content_and_each_prediction_used_once():
    text = "Smith said taxes rise and Jones said cuts come."
    gold = example(
        text,
        [
            att("g1", text, "Smith", content="taxes rise"),
            att("g2", text, "Jones", content="cuts come"),
        ],
    )
    pred = report(
        text,
        [
            att("pc", text, content="taxes rise"),  # content match for g1
            att("ps", text, "Jones", content="taxes"),  # source match for g2, content overlaps g1
        ],
    )
    pairs = pair_attributions(gold, pred)
    # ps is taken by g2 on source first, so g1 falls back to pc on content
    assert [(g.id, p.id if p else None) for g, p in pairs] == [("g1", "pc"), ("g2", "ps")]
    # with only 'ps', it goes to g2 on source and g1 is unpaired
    pairs = pair_attributions(gold, report(text, [pred.attributions[1]]))
    assert [(g.id, p.id if p else None) for g, p in pairs] == [("g1", None), ("g2", "ps")]


def test_type_scores():
    s = type_scores([_typed_gold()], [_typed_pred()])
    # y_true = [named_person, anonymous, publication]
    # y_pred = [named_person, unnamed_group, unattributed (g3 unpaired)]
    assert s["n"] == 3
    assert s["accuracy"] == 0.3333
    # labels present: named_person, anonymous, publication, unnamed_group, unattributed;
    # only named_person has F1 = 1 -> macro = 1/5
    assert s["macro_f1"] == 0.2
    # over the kinds of source present (unattributed left out): named_person of four
    assert s["six_kind_macro_f1"] == 0.25
    assert list(s["per_class"]) == ["named_person", "anonymous", "publication", "unnamed_group", "unattributed"]
    assert s["per_class"]["named_person"] == {"precision": 1.0, "recall": 1.0, "f1": 1.0, "support": 1}
    assert s["per_class"]["unattributed"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 0}
    assert s["confusion"]["anonymous"]["unnamed_group"] == 1
    assert s["confusion"]["publication"]["unattributed"] == 1
    assert s["confusion"]["named_person"]["named_person"] == 1
    assert sum(sum(row.values()) for row in s["confusion"].values()) == 3
    # confidences [0.9, 0.6, 0.0 (unpaired)], correct [1, 0, 0], each alone in a bin:
    # ECE = (|1 - 0.9| + |0 - 0.6| + |0 - 0|) / 3 = 0.7 / 3 = 0.2333
    assert s["ece"] == 0.2333
    assert [(b["bin_lo"], b["bin_hi"], b["n"]) for b in s["reliability"]] == [
        (0.0, 0.1, 1),
        (0.5, 0.6, 1),
        (0.8, 0.9, 1),
    ]
    assert s["reliability"][2]["mean_confidence"] == 0.9
    assert s["reliability"][2]["accuracy"] == 1.0


def test_type_scores_untyped_prediction_is_unattributed_and_none_without_gold_types():
    gold = example(TYPED, [att("g1", TYPED, "Smith", content="taxes rise", type="named_person")])
    pred = report(TYPED, [att("p1", TYPED, "Smith", content="taxes rise", confidence=0.5)])
    s = type_scores([gold], [pred])
    assert s["confusion"] == {
        "named_person": {"named_person": 0, "unattributed": 1},
        "unattributed": {"named_person": 0, "unattributed": 0},
    }
    untyped = example(TYPED, [att("g1", TYPED, "Smith", content="taxes rise")])
    assert type_scores([untyped], [pred]) is None


def test_calibration_known_value():
    # bin (0.1, 0.2]: conf 0.2, acc 1/2 -> |0.5 - 0.2| * 2/4 = 0.15
    # bin (0.7, 0.8]: conf 0.8, acc 1   -> |1 - 0.8|   * 2/4 = 0.10  => ECE 0.25
    cal = calibration([0.2, 0.2, 0.8, 0.8], [False, True, True, True])
    assert cal["ece"] == 0.25
    assert cal["reliability"] == [
        {"bin_lo": 0.1, "bin_hi": 0.2, "n": 2, "mean_confidence": 0.2, "accuracy": 0.5},
        {"bin_lo": 0.7, "bin_hi": 0.8, "n": 2, "mean_confidence": 0.8, "accuracy": 1.0},
    ]
    # 0 falls in the first bin and 1 in the last; perfectly calibrated -> 0
    cal = calibration([0.0, 1.0], [False, True])
    assert cal["ece"] == 0.0
    assert [(b["bin_lo"], b["bin_hi"]) for b in cal["reliability"]] == [(0.0, 0.1), (0.9, 1.0)]


# --------------------------------------------------------------------------- claims

CLAIMS = "Smith said taxes will rise. The sky is blue. Officials said cuts are coming."


def test_claim_scores_labels_and_no_source_rule():
    gold = example(
        CLAIMS,
        [
            att("g1", CLAIMS, "Smith", content="taxes will rise", type="named_person"),
            # no source: leaves 'The sky is blue.' unattributed despite its type
            att("g2", CLAIMS, content="The sky is blue", type="anonymous"),
            att("g3", CLAIMS, "Officials", content="cuts are coming", type="anonymous"),
        ],
    )
    pred = report(
        CLAIMS,
        [
            att("p1", CLAIMS, "Smith", content="taxes will rise", type="named_person"),
            att("p2", CLAIMS, content="The sky is blue", type="publication"),  # no source: ignored
            att("p3", CLAIMS, "Officials", content="cuts are coming"),  # no type: ignored
        ],
    )
    s = claim_scores([gold], [pred])
    # sentences: y_true = [named_person, unattributed, anonymous]
    #            y_pred = [named_person, unattributed, unattributed]
    assert s["n"] == 3
    assert s["accuracy"] == 0.6667
    # F1: named_person 1, unattributed 2/3 (P 1/2, R 1), all other five 0
    # macro over the seven types = (1 + 2/3) / 7 = 5/21 = 0.2381
    assert s["macro_f1"] == 0.2381
    assert len(s["per_class"]) == 7
    assert s["per_class"]["unattributed"] == {"precision": 0.5, "recall": 1.0, "f1": 0.6667, "support": 1}
    assert s["per_class"]["anonymous"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 1}
    assert s["per_class"]["document"]["support"] == 0


def test_claim_scores_most_covering_attribution_wins():
    text = "Smith said taxes will rise, Jones said."
    gold = example(
        text,
        [
            att("g1", text, "Smith", content="taxes will rise", type="named_person"),
            att("g2", text, "Jones", content="said", type="anonymous"),
        ],
    )
    # 'taxes will rise' covers 15 chars of the sentence, 'said' 4 -> named_person
    pred = report(text, [att("p", text, "Jones", content="taxes will rise", type="publication")])
    s = claim_scores([gold], [pred])
    assert s["n"] == 1
    assert s["per_class"]["named_person"]["support"] == 1
    assert s["accuracy"] == 0.0


def test_claim_scores_skips_articles_with_untyped_sourced_gold():
    typed = example(CLAIMS, [att("g1", CLAIMS, "Smith", content="taxes will rise", type="named_person")])
    untyped = example(
        CLAIMS,
        [
            att("g1", CLAIMS, "Smith", content="taxes will rise", type="named_person"),
            att("g2", CLAIMS, "Officials", content="cuts are coming"),  # sourced, no type
        ],
    )
    # an untyped attribution without a source does not disqualify an article marked complete
    sourceless = example(CLAIMS, [att("g1", CLAIMS, content="The sky is blue")])
    sourceless.meta["types"] = "complete"
    # ... but an article with no type at all and no such mark says nothing about types
    unlabelled = example(CLAIMS, [att("g1", CLAIMS, content="The sky is blue")])
    empty = report(CLAIMS, [])
    s = claim_scores([typed, untyped, sourceless, unlabelled], [empty, empty, empty, empty])
    assert s["n"] == 6  # 3 sentences from each of the two qualifying articles
    assert claim_scores([untyped], [empty]) is None
    assert claim_scores([unlabelled], [empty]) is None


def test_claim_scores_label_gold_with_the_checkers_rule_credit_lines_included():
    text = "Taxes will rise. Original Source: www.example.org"
    credit = att("g1", text, "www.example.org", cue="Original Source:", type="publication")
    gold = example(text, [credit])
    # the checker gives a credit line's sentence its type: so does the gold side
    s = claim_scores([gold], [report(text, [credit.model_copy(update={"id": "p1"})])])
    assert s["n"] == 2 and s["accuracy"] == 1.0
    assert s["per_class"]["publication"]["support"] == 1
    s = claim_scores([gold], [report(text, [])])
    assert s["accuracy"] == 0.5 and s["per_class"]["publication"]["recall"] == 0.0


def test_claim_scores_predictions_are_the_reports_claims():
    text = "Smith said taxes will rise. The sky is blue."
    smith = att("g1", text, "Smith", content="taxes will rise", type="named_person")
    gold = example(text, [smith])
    first, second = (sent for sent in split_sentences(text))
    claims = [
        # what the report says of the sentence counts, not what its attributions would give
        Claim(text=text[first.start : first.end], start=first.start, end=first.end, type="anonymous"),
        Claim(text=text[second.start : second.end], start=second.start, end=second.end, type="document"),
    ]
    s = claim_scores([gold], [report(text, [smith.model_copy()], claims)])
    assert s["accuracy"] == 0.0
    assert s["per_class"]["anonymous"]["precision"] == 0.0 and s["per_class"]["document"]["precision"] == 0.0
    # a sentence the report has no claim for is unattributed
    s = claim_scores([gold], [report(text, [smith.model_copy()], claims[:1])])
    assert s["per_class"]["unattributed"] == {"precision": 1.0, "recall": 1.0, "f1": 1.0, "support": 1}


def test_false_attribution_rate_counts_the_articles_own_sentences_given_a_source():
    text = "Smith said taxes will rise. The sky is blue. Rain is wet. We think it works."
    gold = example(
        text,
        [
            att("g1", text, "Smith", content="taxes will rise", type="named_person"),
            # the writer as source: the article's own claim
            att("g2", text, "We", content="it works", type="unattributed"),
        ],
    )
    sents = split_sentences(text)
    claims = [
        Claim(text=text[s.start : s.end], start=s.start, end=s.end, type=t)
        for s, t in zip(sents, ["named_person", "document", "unattributed", "named_person"], strict=True)
    ]
    s = claim_scores([gold], [report(text, [], claims)])
    # three own sentences (sky, rain, "we think"); two of them given a source
    assert s["n_unattributed"] == 3
    assert s["false_attribution_rate"] == 0.6667
    assert claim_scores([gold], [report(text, [], claims[:1])])["false_attribution_rate"] == 0.0


# --------------------------------------------------------------------------- quality

QUALITY = "Ann said one. Bob said two. Cat said six. Dan said ten."


def _quality_case(scores: list[float | None]) -> tuple[LabelledExample, ArticleReport]:
    names = ["Ann", "Bob", "Cat", "Dan"]
    gold = example(
        QUALITY,
        [
            att(f"g{i}", QUALITY, n, type="named_person" if i % 2 else "anonymous", quality=i + 1)
            for i, n in enumerate(names)
        ],
    )
    pred = report(
        QUALITY,
        [
            att(f"p{i}", QUALITY, n, type="named_person" if i % 2 else "anonymous", score=sc)
            for i, (n, sc) in enumerate(zip(names, scores, strict=False))
        ],
    )
    return gold, pred


def test_quality_spearman():
    gold, pred = _quality_case([0.1, 0.3, 0.2, 0.9])
    # quality ranks 1 2 3 4, score ranks 1 3 2 4: sum d^2 = 2
    # rho = 1 - 6 * 2 / (4 * 15) = 0.8
    assert quality_scores([gold], [pred]) == {"spearman": 0.8, "n": 4}


def test_quality_skips_missing_scores_and_needs_three_pairs():
    gold, pred = _quality_case([0.1, None, 0.2, 0.9])
    # pairs (1, 0.1), (3, 0.2), (4, 0.9): perfectly monotone
    assert quality_scores([gold], [pred]) == {"spearman": 1.0, "n": 3}
    gold, pred = _quality_case([0.1, None, None, 0.9])
    assert quality_scores([gold], [pred]) is None


def test_quality_score_fn_baseline():
    gold, pred = _quality_case([None, None, None, None])
    lookup = {"anonymous": 0.2, "named_person": 0.8}
    s = quality_scores([gold], [pred], score_fn=lambda a: lookup[a.type])
    # quality 1 2 3 4 vs scores .2 .8 .2 .8 -> ranks 1.5 3.5 1.5 3.5
    # Pearson on ranks: x - mean = -1.5 -.5 .5 1.5; y - mean = -1 1 -1 1
    # cov = 1.5 - .5 - .5 + 1.5 = 2; |x| = sqrt(5), |y| = 2 -> rho = 1/sqrt(5) = 0.4472
    assert s == {"spearman": 0.4472, "n": 4}


# --------------------------------------------------------------------------- evaluate


def test_evaluate_predictions_keys_and_length_check():
    gold, pred = _typed_gold(), _typed_pred()
    result = evaluate_predictions([gold], [pred])
    assert set(result) == {"spans", "cofenet", "types", "claims", "quality", "n_articles", "n_gold_attributions"}
    assert result["n_articles"] == 1
    assert result["n_gold_attributions"] == 3
    assert result["quality"] is None  # no gold quality
    assert result["types"]["n"] == 3
    with pytest.raises(ValueError):
        evaluate_predictions([gold], [])
