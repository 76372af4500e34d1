"""One document per article: the checker splits an article's sentences once."""

import sys

import pytest

from claimcheck import text as text_module
from claimcheck.document import Document, as_document
from claimcheck.models.registry import load_model
from claimcheck.pipeline import Checker

ARTICLE = (
    "The harbour will close for repairs in March, port officials said on Monday.\n\n"
    '"We have no choice," said Ida Brenn, the harbour master. "The quay wall is failing."\n\n'
    "According to a council report, the work will cost 4 million euros."
)


def test_a_document_is_its_text_and_keeps_what_it_read():
    doc = Document(ARTICLE, "a1")
    assert doc == ARTICLE and isinstance(doc, str) and type(doc.text) is str and doc.id == "a1"
    assert doc.sentences is doc.sentences  # read once, kept
    assert [ARTICLE[s:e] for s, e in doc.quoted] == ["We have no choice,", "The quay wall is failing."]
    assert as_document(doc) is doc and as_document(ARTICLE) == doc


@pytest.mark.parametrize("model", ["baseline", "tagger"])
def test_the_checker_splits_an_article_into_sentences_once(model, monkeypatch):
    checker = Checker(load_model(model))
    calls = []

    def counting(text, _split=text_module.split_sentences):
        calls.append(len(text))
        return _split(text)

    for module in list(sys.modules.values()):
        if getattr(module, "__name__", "").startswith("claimcheck") and hasattr(module, "split_sentences"):
            monkeypatch.setattr(module, "split_sentences", counting)
    report = checker.check(ARTICLE)
    assert report.attributions, "the example has attributions: the whole path ran"
    assert calls == [len(ARTICLE)]
