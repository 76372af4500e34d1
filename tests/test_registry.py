"""Model folders: atomic save, hash-checked load, clear errors."""

from __future__ import annotations

import json
import shutil

import pytest

from claimcheck.models.registry import ModelError, load_model, resolve_model_path, save_model

TEXT = "Ann Ortiz said the bridge will reopen. According to a city report, costs rose."


def test_save_and_reload_give_identical_predictions(tmp_path):
    model = load_model("baseline")
    out = save_model(model, tmp_path / "copy")
    again = load_model(out)
    assert [a.model_dump() for a in again.predict([TEXT])[0]] == [a.model_dump() for a in model.predict([TEXT])[0]]
    config = json.loads((out / "config.json").read_text())
    assert config["architecture"] == "baseline.v1" and set(config["files"]) >= {"cues.json"}
    assert not list(tmp_path.glob(".copy*")), "no temporary folders left behind"


def test_corrupt_and_missing_files_are_refused(tmp_path):
    folder = tmp_path / "m"
    shutil.copytree(resolve_model_path("baseline"), folder)
    (folder / "cues.json").write_text("[]")
    with pytest.raises(ModelError, match="corrupt"):
        load_model(folder)
    (folder / "cues.json").unlink()
    with pytest.raises(ModelError, match="missing"):
        load_model(folder)


def test_unknown_model_and_not_a_model(tmp_path):
    with pytest.raises(ModelError, match="no model"):
        load_model("no-such-model")
    with pytest.raises(ModelError, match=r"no config\.json"):
        load_model(tmp_path)
