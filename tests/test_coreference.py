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


def test_a_determiner_alone_is_no_description():
    text = "Mayor Dana Lee spoke. This was new, the mayor said."
    assert resolve(text, text.index("This"), "This") is None
    assert resolve(text, 0, "") is None


# -- the shapes of issue 19, section 2: a wrong or garbled name is worse than none ---------


def test_an_antecedent_never_runs_over_a_sentence_end():
    # shown today as "Chancellor Gordon Brown. But": a name glued to the next sentence's first word
    text = (
        "The Welsh finance minister, Rebecca Evans, met Chancellor Gordon Brown. "
        "But she said the grant for Cardiff was too small."
    )
    assert resolve(text, text.index("she"), "she") is None  # two people, nothing says which: unsure


def test_a_name_starts_after_the_previous_sentence_ends():
    # shown today as "UK. Mr Vetham"
    text = (
        "Fish prices rose across the UK. Mr Vetham, a trader in Hull, called it a scandal. He said buyers were angry."
    )
    assert resolve(text, text.index("He said"), "He") == "Mr Vetham"


def test_it_is_not_an_acronym_that_names_a_thing():
    # shown today as "RFID": "it" is the campaign group, whose name carries no organisation word
    text = "Shoppers Against Tracking wants RFID chips out of clothes. It says they can be read from the street."
    assert resolve(text, text.index("It says"), "It") is None


def test_she_is_not_the_man_named_last():
    text = "Maria Lopez said she would vote no. She told reporters that Tom Hale had misled her. She said the bill was rushed."
    assert resolve(text, text.rindex("She said"), "She") == "Maria Lopez"


def test_a_place_is_no_person():
    text = "Owen Pryce spoke in Glen Falls. He said the vote in Port Ellis was close."
    assert resolve(text, text.index("He said"), "He") == "Owen Pryce"
    text = "The rally was held in Des Moines on Election Day. He said it went well."
    assert resolve(text, text.index("He said"), "He") is None


def test_they_is_left_alone():
    text = "Lena Holm and Ida Brenn take over the newsletter. They said it would change."
    assert resolve(text, text.index("They"), "They") is None


def test_a_sentence_initial_word_is_not_part_of_the_name():
    text = "Tom Reyes spoke in Dover. Although Reyes opposes the bill, he said he would read it."
    assert resolve(text, text.index("he said"), "he") == "Tom Reyes"


def test_the_agency_is_the_organisation_just_named():
    text = "Road deaths fell by a third, the Roads Authority reported on Monday. The agency counted 412 crashes."
    assert resolve(text, text.index("The agency"), "The agency") == "Roads Authority"
