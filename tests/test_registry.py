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


# --------------------------------------------------------------------------- integrity and atomic folders


def _flip_a_byte(path, offset: int = -100) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))


@pytest.mark.parametrize(
    ("model", "name"), [("baseline", "type_classifier.safetensors"), ("tagger", "heads.safetensors")]
)
def test_tampered_file_fails_loading_naming_the_file(tmp_path, model: str, name: str):
    """One changed byte, same size: the hash catches it before the file is read as weights."""
    folder = tmp_path / model
    shutil.copytree(resolve_model_path(model), folder)
    _flip_a_byte(folder / name)
    with pytest.raises(ModelError, match=rf"{folder}: model file {name} is corrupt \(hash mismatch\)"):
        load_model(folder)


class _FailsMidway:
    """A model whose save_files writes part of its files, then fails (a full disk, a bug)."""

    architecture = "baseline.v1"

    def save_files(self, directory):
        (directory / "cues.json").write_text('["sa', encoding="utf-8")
        raise OSError(28, "No space left on device")


def _snapshot(folder) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_failure_inside_save_files_leaves_the_previous_folder(tmp_path):
    folder = save_model(load_model("baseline"), tmp_path / "m")
    before = _snapshot(folder)
    with pytest.raises(OSError, match="No space left"):
        save_model(_FailsMidway(), folder)
    assert _snapshot(folder) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m"], "no temporary or .old folder left"
    load_model(folder)


def test_interrupt_between_the_renames_puts_the_old_folder_back(tmp_path, monkeypatch):
    """An exception (Ctrl-C) after the old folder moved aside and before the new one moved in."""
    from pathlib import Path

    folder = save_model(load_model("baseline"), tmp_path / "m")
    before = _snapshot(folder)
    real_rename = Path.rename

    def rename(self, target):
        if self.name.startswith(".m.") and not self.name.endswith(".old"):
            raise KeyboardInterrupt  # the temporary folder's move into place
        return real_rename(self, target)

    monkeypatch.setattr(Path, "rename", rename)
    with pytest.raises(KeyboardInterrupt):
        save_model(load_model("baseline"), folder)
    monkeypatch.undo()
    assert _snapshot(folder) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m"]


def test_kill_between_the_renames_is_recovered_on_load(tmp_path):
    """A process killed between the renames leaves ``.m.old`` (and the new folder still
    under its temporary name) and no ``m``: loading puts ``.m.old`` back."""
    folder = save_model(load_model("baseline"), tmp_path / "m")
    before = _snapshot(folder)
    shutil.copytree(folder, tmp_path / ".m.k1ll3d")  # the new folder, complete, never renamed
    folder.rename(tmp_path / ".m.old")
    with pytest.warns(UserWarning, match="restored from .m.old"):
        model = load_model(folder)
    assert model.predict([TEXT])[0]
    assert _snapshot(folder) == before and not (tmp_path / ".m.old").exists()
    save_model(model, folder)  # the next save goes on as usual
    assert not (tmp_path / ".m.old").exists()


def test_incomplete_old_folder_is_not_used(tmp_path):
    folder = save_model(load_model("baseline"), tmp_path / "m")
    folder.rename(tmp_path / ".m.old")
    _flip_a_byte(tmp_path / ".m.old" / "cues.json", 2)
    with pytest.raises(ModelError, match="no model"):
        load_model(folder)
    assert (tmp_path / ".m.old").is_dir() and not folder.exists()


def test_model_list_skips_temporary_and_old_folders(tmp_path, monkeypatch):
    from claimcheck.models.registry import list_models

    config = tmp_path / "config.yaml"
    config.write_text(f"models_dir: {tmp_path / 'models'}\n", encoding="utf-8")
    monkeypatch.setenv("CLAIMCHECK_CONFIG", str(config))
    save_model(load_model("baseline"), tmp_path / "models" / "mine")
    shutil.copytree(tmp_path / "models" / "mine", tmp_path / "models" / ".mine.old")
    shutil.copytree(tmp_path / "models" / "mine", tmp_path / "models" / ".mine.x7f3q")
    users = [m["name"] for m in list_models() if m["origin"] == "user"]
    assert users == ["mine"]


def test_models_trained_elsewhere_are_recorded_once_and_listed(tmp_path, monkeypatch):
    from claimcheck.models.registry import list_models, remember_model, set_default_model
    from claimcheck.settings import load_settings

    config = tmp_path / "config.yaml"
    config.write_text(f"models_dir: {tmp_path / 'models'}\n", encoding="utf-8")
    monkeypatch.setenv("CLAIMCHECK_CONFIG", str(config))
    inside = save_model(load_model("baseline"), tmp_path / "models" / "mine")
    elsewhere = save_model(load_model("baseline"), tmp_path / "srv" / "newsroom")
    gone = save_model(load_model("baseline"), tmp_path / "srv" / "gone")
    for folder in (inside, elsewhere, elsewhere, gone):
        remember_model(folder)
    assert load_settings().trained_models == [str(elsewhere), str(gone)]
    shutil.rmtree(gone)
    users = {m["name"]: m for m in list_models() if m["origin"] == "user"}
    assert set(users) == {"mine", "newsroom"} and users["newsroom"]["path"] == str(elsewhere)
    assert set_default_model("mine") == "mine"  # a name found by name stays a name
    assert [m["name"] for m in list_models() if m["default"]] == ["mine"]
    monkeypatch.chdir(tmp_path)
    assert set_default_model("srv/newsroom") == str(elsewhere)  # a folder: its absolute path
    assert [m["name"] for m in list_models() if m["default"]] == ["newsroom"]


GOLD = {"source.exact_f1": 0.81, "types.six_kind_macro_f1": 0.72, "claims.macro_f1": 0.67}
HELD = {"source.exact_f1": 0.5, "types.macro_f1": 0.4, "claims.macro_f1": 0.3}
DEV = {"source.exact_f1": 0.7, "types.six_kind_macro_f1": 0.6, "claims.macro_f1": 0.55}


def _continued(method: str, heldout: dict, dev: dict, articles: tuple[int, int]) -> dict:
    """The training record of a continued model as written before ``heldout`` was a key of it:
    ``dev_gold`` a copy of its dev figures, or where it had none, of its held-out ones."""
    return {
        "continued_from": "/models/tagger",
        "check": {"method": method, "note": "..."},
        "articles": {"learnt": 4, "heldout": articles[0], "dev": articles[1]},
        "after": {"learnt": DEV, "heldout": heldout, "dev": dev},
        "dev_gold": dev or heldout,
    }


@pytest.mark.parametrize(
    ("training", "figures", "figures_on"),
    [
        ({"dev_gold": GOLD}, GOLD, "gold dev"),  # trained: the gold dev labels
        ({}, None, ""),
        # continued, written before `heldout`: its own figures, whatever `dev_gold` held
        (_continued("heldout", HELD, {}, (2, 0)), HELD, "held out (2)"),
        (_continued("heldout", HELD, DEV, (2, 40)), HELD, "held out (2)"),  # dev_gold held dev's
        (_continued("crossfit", HELD, {}, (3, 0)), HELD, "cross-fitted (3)"),
        (_continued("none", {}, DEV, (0, 40)), DEV, "dev (40)"),  # no held-out check: the config's dev
        (_continued("none", {}, {}, (0, 0)), None, ""),
        # written now: `heldout`, and no `dev_gold`
        ({**_continued("crossfit", HELD, DEV, (3, 40)), "dev_gold": None, "heldout": HELD}, HELD, "cross-fitted (3)"),
        # its type head refitted since: gold dev figures of the model as it is
        (
            {**_continued("heldout", HELD, {}, (2, 0)), "figures": {"dev_gold": GOLD}, "dev_gold": GOLD},
            GOLD,
            "gold dev",
        ),
    ],
)
def test_recorded_figures_say_what_they_were_measured_on(training: dict, figures, figures_on: str):
    """A continued model kept its held-out figures (or dev's) under ``dev_gold``, and ``claimcheck
    models`` listed them as dev-set figures beside the shipped models' gold dev ones."""
    from claimcheck.models.registry import recorded_figures

    assert recorded_figures({"architecture": "tagger.v1", "training": training}) == (figures, figures_on)


def test_models_lists_a_continued_models_held_out_figures_as_such(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from claimcheck.cli import app
    from claimcheck.models.registry import list_models, remember_model

    monkeypatch.setenv("CLAIMCHECK_CONFIG", str(tmp_path / "config.yaml"))
    monkeypatch.setenv("COLUMNS", "200")
    folder = save_model(load_model("baseline"), tmp_path / "newsroom")
    config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    config["training"] = _continued("heldout", HELD, DEV, (2, 40))  # written before `heldout` was a key
    (folder / "config.json").write_text(json.dumps(config), encoding="utf-8")
    remember_model(folder)
    listed = {m["name"]: m for m in list_models()}
    assert (listed["newsroom"]["figures"], listed["newsroom"]["figures_on"]) == (HELD, "held out (2)")
    assert listed["baseline"]["figures_on"] == "gold dev"
    result = CliRunner().invoke(app, ["models"])
    assert result.exit_code == 0, result.output
    row = next(line for line in result.stdout.splitlines() if "newsroom" in line)
    assert [cell.strip() for cell in row.split("│")][4:8] == ["0.500", "0.400", "0.300", "held out (2)"]
    assert "held out from it" in result.stderr


_KILLED_SAVE = """
import sys, time
from pathlib import Path
from claimcheck.models.registry import load_model, save_model

class Slow:
    architecture = "baseline.v1"
    def save_files(self, directory):
        (directory / "cues.json").write_text('["said", "to', encoding="utf-8")
        Path(sys.argv[2]).write_text("writing")
        time.sleep(60)

save_model(Slow(), sys.argv[1])
"""


def test_killed_save_leaves_the_previous_folder(tmp_path):
    """SIGKILL in the middle of writing: the model folder is the previous one, whole."""
    import subprocess
    import sys
    import time

    folder = save_model(load_model("baseline"), tmp_path / "m")
    before = _snapshot(folder)
    marker = tmp_path / "marker"
    proc = subprocess.Popen([sys.executable, "-c", _KILLED_SAVE, str(folder), str(marker)])
    try:
        deadline = time.monotonic() + 60
        while not marker.exists() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert marker.exists(), "the child never started writing"
    finally:
        proc.kill()
        proc.wait()
    assert _snapshot(folder) == before
    load_model(folder)
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.startswith(".m.")]
    assert len(leftovers) == 1 and not leftovers[0].endswith(".old"), "only the killed run's hidden temporary folder"


# --------------------------------------------------------------------------- typed settings and precision


def _with_settings(tmp_path, model: str, **changes) -> object:
    """A copy of a shipped model folder whose config.json settings have ``changes``
    (config.json itself is not among the hashed files)."""
    folder = tmp_path / model
    shutil.copytree(resolve_model_path(model), folder)
    config = json.loads((folder / "config.json").read_text(encoding="utf-8"))
    config["settings"].update(changes)
    (folder / "config.json").write_text(json.dumps(config), encoding="utf-8")
    return folder


@pytest.mark.parametrize(
    ("model", "key", "known"),
    [("baseline", "n_cue_wrds", "n_cue_words"), ("tagger", "precison", "base_encoder, base_sha256, max_length")],
)
def test_unknown_settings_key_is_refused_naming_the_key(tmp_path, model: str, key: str, known: str):
    folder = _with_settings(tmp_path, model, **{key: "int8"})
    message = rf"{folder}/config\.json: settings\.{key}: unknown key for \w+\.v1 \(known: {known}"
    with pytest.raises(ModelError, match=message):
        load_model(folder)


def test_settings_of_the_wrong_kind_are_refused(tmp_path):
    folder = _with_settings(tmp_path, "tagger", precision="fp8")
    with pytest.raises(ModelError, match=r"settings\.precision: Input should be 'auto', 'fp32', 'bf16' or 'int8'"):
        load_model(folder)
    folder = _with_settings(tmp_path / "2", "tagger", roles=["source", "content"])
    with pytest.raises(ModelError, match=r"settings\.roles: .*tagger has \['source', 'cue', 'content'\]"):
        load_model(folder)


@pytest.mark.parametrize("model", ["baseline", "tagger"])
def test_shipped_settings_match_their_schema(model: str):
    """The shipped folders stay as they are: their schema takes every key they hold and
    gives the same settings back."""
    from claimcheck.models.registry import REGISTRY, read_config, validate_settings

    config = read_config(resolve_model_path(model))
    load_model("baseline")  # registers baseline.v1
    if model == "tagger":
        import claimcheck.models.tagger  # noqa: F401  (registers tagger.v1)
    settings = validate_settings(REGISTRY[config["architecture"]], config["settings"], model)
    assert settings.model_dump(mode="json", exclude_unset=True) == config["settings"]


def test_save_refuses_settings_the_schema_would_refuse(tmp_path):
    model = load_model("baseline")
    folder = save_model(model, tmp_path / "m")
    before = _snapshot(folder)

    class Extra(type(model)):
        def save_files(self, directory):
            return {**super().save_files(directory), "colour": "blue"}

    odd = Extra(model.cue_words, model.type_classifier)
    with pytest.raises(ModelError, match=r"settings\.colour: unknown key"):
        save_model(odd, folder)
    assert _snapshot(folder) == before and sorted(p.name for p in tmp_path.iterdir()) == ["m"]


def test_precision_is_a_load_parameter():
    from claimcheck.errors import ConfigError
    from claimcheck.models.registry import Precision

    assert [p.value for p in Precision] == ["auto", "fp32", "bf16", "int8"]
    with pytest.raises(ConfigError, match="precision 'fp8': use one of auto, fp32, bf16, int8"):
        load_model("no-such-model", precision="fp8")  # refused before any model is looked for
    with pytest.raises(ConfigError, match=r"baseline\.v1 model has no precision setting"):
        load_model("baseline", precision=Precision.int8)
    assert load_model("baseline", precision=None).predict([TEXT])[0]


# --------------------------------------------------------------------------- architecture entries


def test_every_architecture_entry_names_what_it_imports():
    """The registry's entries are the one place architectures are named: each path imports,
    the model class carries the entry's name and its settings schema, the config its name."""
    from claimcheck.models.registry import ARCHITECTURES, architecture_class, import_object

    for name, entry in ARCHITECTURES.items():
        cls = architecture_class(name)
        assert cls.architecture == name and cls.settings_schema is not None
        if entry.config:
            assert import_object(entry.config).model_fields["architecture"].default == name
        for path in [entry.train, *entry.operations.values()]:
            assert path is None or callable(import_object(path))


def test_train_names_the_known_architectures_and_what_one_cannot_do(tmp_path):
    from claimcheck.errors import ConfigError
    from claimcheck.training.train import continue_from_config, train_from_config

    config = tmp_path / "c.yaml"
    config.write_text("architecture: crf.v9\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"unknown architecture 'crf.v9' \(known: baseline.v1, tagger.v1\)"):
        train_from_config(config)
    config.write_text("architecture: baseline.v1\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"architecture baseline\.v1 has no continue"):
        continue_from_config(config, tmp_path / "new.jsonl")
