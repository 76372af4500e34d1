from claimcheck.text import split_sentences, tokenize


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
