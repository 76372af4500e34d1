"""One article as the checker reads it: its text, with its sentences and quotations found
once and handed to the model, the scorer and the report (spaCy's ``Doc`` is the model).

Every part used to split the text again; a :class:`Document` does it on first use and
keeps the result, so the tagger's windows, the typing contexts, the claims and the quote
kinds all see the same sentences. A document *is* its text (a ``str``), so a model
written for plain texts (``predict(texts)``) takes documents unchanged.
"""

from __future__ import annotations

from functools import cached_property

from claimcheck.quotes import quoted_spans
from claimcheck.text import Sentence, split_sentences


class Document(str):
    """An article's text and what is read off it once."""

    id: str | None

    def __new__(cls, text: str, id: str | None = None) -> Document:
        doc = super().__new__(cls, text)
        doc.id = id
        return doc

    @property
    def text(self) -> str:
        """The text as a plain ``str``."""
        return str.__str__(self)

    @cached_property
    def sentences(self) -> list[Sentence]:
        return split_sentences(self.text)

    @cached_property
    def quoted(self) -> list[tuple[int, int]]:
        """The stretches inside quotation marks (:func:`claimcheck.quotes.quoted_spans`)."""
        return quoted_spans(self.text)


def as_document(text: str) -> Document:
    """``text`` itself if it is a :class:`Document`, else a new one of it."""
    return text if isinstance(text, Document) else Document(text)
