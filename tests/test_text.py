from claimcheck.text import sentence_at, sentence_index, split_paragraphs, split_sentences, tokenize


def _sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in split_sentences(text)]


def test_titles_and_initials_do_not_end_sentences():
    text = "Sen. Ann Lee of the U.S. Senate spoke. J. R. Smith said no! Then it rained."
    assert _sentences(text) == [
        "Sen. Ann Lee of the U.S. Senate spoke.",
        "J. R. Smith said no!",
        "Then it rained.",
    ]


def test_quotes_and_paragraphs():
    text = "“We will win,” she said. “Never.”\n\nA headline without a stop\nNext line."
    assert _sentences(text) == ["“We will win,” she said.", "“Never.”", "A headline without a stop", "Next line."]


def test_paragraphs_are_cut_at_blank_lines_only():
    text = "\n Headline\n\nFirst line\nsame paragraph.\n \t\n\n  Second. \n"
    assert [text[s:e] for s, e in split_paragraphs(text)] == ["Headline", "First line\nsame paragraph.", "Second."]
    assert split_paragraphs(" \n\n ") == []


def test_offsets_are_exact_and_trimmed():
    text = "  One. Two.  "
    for s, e in split_sentences(text):
        assert text[s:e] == text[s:e].strip()
    assert _sentences(text) == ["One.", "Two."]


def test_tokens_carry_absolute_offsets():
    text = "xx Mr. O'Neil (R-Ohio) said."
    toks = tokenize(text, 3, len(text))
    assert [t.text for t in toks] == ["Mr", ".", "O'Neil", "(", "R-Ohio", ")", "said", "."]
    assert all(text[t.start : t.end] == t.text for t in toks)


def test_sentence_at_and_sentence_index():
    text = "  One here.  Two there.\n\nThree.  "
    sentences = split_sentences(text)
    assert [text[s.start : s.end] for s in sentences] == ["One here.", "Two there.", "Three."]
    one, two, three = sentences
    assert sentence_at(sentences, one.start) == one and sentence_at(sentences, one.end - 1) == one
    assert sentence_at(sentences, two.start) == two and sentence_at(sentences, three.end - 1) == three
    for between in (0, one.end, two.end + 1, len(text) - 1):  # white space outside every sentence
        assert sentence_at(sentences, between) is None
    # the holding sentence, else the next one; past the last: len(sentences)
    assert [sentence_index(sentences, p) for p in (0, one.start, one.end, two.end, len(text))] == [0, 0, 1, 2, 3]
    assert sentence_at([], 3) is None and sentence_index([], 3) == 0


def test_headline_is_a_short_first_line_followed_by_more():
    from claimcheck.text import headline

    text = "Bridge will reopen, aides say\n\nThe bridge will reopen in May, the mayor said."
    assert headline(text) == (0, 29) and text[:29] == "Bridge will reopen, aides say"
    assert headline("  Title \nBody.")[0] == 2
    assert headline("One line only, no body.\n") is None
    assert headline("The bridge will reopen in May, the mayor said. " * 5 + "\nMore.") is None  # a paragraph
