from claimcheck.models.coreference import resolve


def test_pronoun_takes_nearest_person_name():
    text = "Mayor Ann Ortiz met the council. Later she said the plan was dead."
    assert resolve(text, text.index("she"), "she") == "Mayor Ann Ortiz"


def test_surname_alone_counts_after_full_name():
    text = "Tom Reyes spoke first. Reyes left early. He said nothing."
    assert resolve(text, text.index("He said"), "He") in {"Reyes", "Tom Reyes"}


def test_relative_pronoun_takes_the_phrase_before_it():
    text = "Regional officials, who asked not to be named, confirmed it."
    assert resolve(text, text.index("who"), "who") == "Regional officials"


def test_description_needs_a_name_that_carries_its_word():
    text = "Dana Lee spoke. The mayor said no."
    assert resolve(text, text.index("The mayor"), "The mayor") is None
    text = "Mayor Dana Lee spoke. Then the mayor said no."
    assert resolve(text, text.index("the mayor"), "the mayor") == "Mayor Dana Lee"


def test_no_referent():
    assert resolve("he said so.", 0, "he") is None
