"""An encoder's word-piece tokenizer read straight from its ``tokenizer.json`` with the
``tokenizers`` library, without importing transformers (see :mod:`claimcheck.models.bert`).

It gives the pieces and character offsets that transformers' fast tokenizer gives for the
same folder (transformers wraps this very library): ``tests/test_startup.py`` compares
them. The file's own truncation and padding (sentence-transformers ships 128 and pad to
128) are switched off, as transformers switches them off for a call that asks for neither.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tokenizers import Tokenizer

#: the special tokens the tagger reads by id
SPECIALS = ("cls_token", "sep_token", "pad_token")


class WordPieces:
    """The slice of transformers' tokenizer interface the tagger uses: called on a text, it
    gives ``input_ids`` (and with ``return_offsets_mapping``, ``offset_mapping``); the ids of
    ``[CLS]``, ``[SEP]`` and ``[PAD]`` as ``cls_token_id``, ``sep_token_id``, ``pad_token_id``."""

    def __init__(self, tokenizer: Tokenizer, special_ids: dict[str, int]):
        self.backend = tokenizer
        self.cls_token_id = special_ids["cls_token"]
        self.sep_token_id = special_ids["sep_token"]
        self.pad_token_id = special_ids["pad_token"]

    def __call__(
        self, text: str, add_special_tokens: bool = True, return_offsets_mapping: bool = False, verbose: bool = True
    ) -> dict[str, list[Any]]:
        """``verbose`` is accepted for the interface's sake: nothing here warns of length."""
        enc = self.backend.encode(text, add_special_tokens=add_special_tokens)
        out: dict[str, list[Any]] = {"input_ids": enc.ids, "attention_mask": enc.attention_mask}
        if return_offsets_mapping:
            out["offset_mapping"] = enc.offsets
        return out


#: tokenizer classes whose transformers wrapper adds nothing to ``tokenizer.json`` for a plain call
PLAIN_CLASSES = (None, "BertTokenizer", "BertTokenizerFast")


def load_wordpieces(folder: Path) -> WordPieces | None:
    """The folder's tokenizer, or None where it has no ``tokenizer.json``, is of another class
    than BERT's or does not name its special tokens (the caller then loads it with transformers)."""
    file, config_file = folder / "tokenizer.json", folder / "tokenizer_config.json"
    if not (file.is_file() and config_file.is_file()):
        return None
    config = json.loads(config_file.read_text(encoding="utf-8"))
    if config.get("tokenizer_class") not in PLAIN_CLASSES:
        return None
    tokenizer = Tokenizer.from_file(str(file))
    ids = {}
    for name in SPECIALS:
        token = config.get(name)
        token = token.get("content") if isinstance(token, dict) else token
        token_id = tokenizer.token_to_id(token) if isinstance(token, str) else None
        if token_id is None:
            return None
        ids[name] = token_id
    tokenizer.no_truncation()
    tokenizer.no_padding()
    return WordPieces(tokenizer, ids)
