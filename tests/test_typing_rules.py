"""The rules written once and shared by both models: typing overrides, reading order."""

from claimcheck.data import Attribution, number_attributions
from claimcheck.models.source_context import source_context
from claimcheck.models.typing_rules import apply_typing_rules
from claimcheck.text import split_appositive, split_sentences


def _context(text: str, source: str, cue: str):
    s = text.index(source)
    c = text.index(cue, s + len(source))
    att = Attribution(id="A1", source=[(s, s + len(source))], cue=[(c, c + len(cue))])
    return source_context(text, split_sentences(text), att)


def test_a_withheld_source_is_anonymous_at_the_models_confidence():
    text = "Two officials, who requested anonymity because talks continue, said the deal was close."
    ctx = _context(text, "Two officials", "said")
    assert apply_typing_rules("tagged", ctx, "unnamed_group", 0.6, anonymous_confidence=0.8) == ("anonymous", 0.8)


def test_a_credit_line_is_a_publication_whatever_the_classifier_says():
    text = "Original Source: www.harbourgazette.example"
    att = Attribution(id="A1", source=[(17, len(text))], cue=[(0, 15)])
    ctx = source_context(text, split_sentences(text), att)
    label, confidence = apply_typing_rules("credit_line", ctx, "named_person", 0.4, anonymous_confidence=0.9)
    assert label == "publication" and confidence > 0.9


def test_a_thing_the_writer_speaks_through_is_unattributed_only_when_the_rule_is_on():
    text = "Recent developments indicate that the ferry service will not resume before spring."
    ctx = _context(text, "Recent developments", "indicate")
    assert apply_typing_rules("tagged", ctx, "document", 0.45, anonymous_confidence=0.0) == ("document", 0.45)
    on = apply_typing_rules("tagged", ctx, "document", 0.45, anonymous_confidence=0.0, thing_below=0.5)
    assert on == ("unattributed", 0.45)
    sure = apply_typing_rules("tagged", ctx, "document", 0.7, anonymous_confidence=0.0, thing_below=0.5)
    assert sure == ("document", 0.7)


def test_a_person_is_never_taken_for_a_thing():
    text = "Harbour master Ida Brenn said the ferry would not sail."
    ctx = _context(text, "Harbour master Ida Brenn", "said")
    out = apply_typing_rules("tagged", ctx, "named_person", 0.3, anonymous_confidence=0.0, thing_below=0.5)
    assert out == ("named_person", 0.3)


def test_attributions_are_numbered_in_reading_order():
    late = Attribution(id="x", source=[(40, 45)], cue=[(46, 50)])
    early_cue_only = Attribution(id="y", cue=[(10, 14)], content=[(0, 9)])
    content_only = Attribution(id="z", content=[(20, 30)])
    atts = number_attributions([late, content_only, early_cue_only])
    assert [(a.id, a) for a in atts] == [("A1", early_cue_only), ("A2", content_only), ("A3", late)]


def test_an_appositive_is_cut_at_its_first_comma_or_parenthesis():
    assert split_appositive("Dana Whitfield, the city's chief engineer") == (
        "Dana Whitfield",
        ",",
        " the city's chief engineer",
    )
    assert split_appositive("Ann Ortiz (D-Ohio)") == ("Ann Ortiz ", "(", "D-Ohio)")
    assert split_appositive("the mayor") == ("the mayor", "", "")
