"""Output never destroys what it writes to (claimcheck.files and the writers built on it).

A symlink is written through (its target changes, the link stays a link), a FIFO or a
character device is written in place (never replaced by a regular file), a regular
file is replaced atomically (a failed write keeps the old content). The old writers
renamed a temporary file over whatever was there, and some wrote regular files in place.
"""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import pytest

from claimcheck.data import LabelledExample, atomic_write_text, load_examples, save_examples
from claimcheck.files import atomic_write_bytes, open_output, replace_dir

EXAMPLE = LabelledExample(id="a", text="The mayor said the bridge will reopen.", attributions=[])


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


# --------------------------------------------------------------------------- symlinks


def test_symlink_is_written_through(tmp_path: Path):
    target = tmp_path / "real" / "labels.jsonl"
    target.parent.mkdir()
    target.write_text("old\n", encoding="utf-8")
    link = tmp_path / "labels.jsonl"
    link.symlink_to(target)
    save_examples(link, [EXAMPLE])
    assert link.is_symlink(), "the link is still a link"
    assert os.readlink(link) == str(target)
    assert [ex.id for ex in load_examples(target)] == ["a"], "the target holds the new content"
    assert _leftovers(tmp_path) == [] and _leftovers(target.parent) == []


def test_symlink_to_a_missing_file_creates_the_target(tmp_path: Path):
    link = tmp_path / "out.txt"
    link.symlink_to(tmp_path / "made.txt")
    atomic_write_text(link, "new\n")
    assert link.is_symlink() and (tmp_path / "made.txt").read_text() == "new\n"


def test_chain_of_symlinks_writes_the_last_target(tmp_path: Path):
    (tmp_path / "final.bin").write_bytes(b"old")
    (tmp_path / "middle").symlink_to("final.bin")  # relative links, resolved from their folder
    (tmp_path / "first").symlink_to("middle")
    atomic_write_bytes(tmp_path / "first", b"new")
    assert (tmp_path / "first").is_symlink() and (tmp_path / "middle").is_symlink()
    assert (tmp_path / "final.bin").read_bytes() == b"new"


# --------------------------------------------------------------------------- FIFOs and devices


def test_fifo_is_written_in_place_while_a_thread_reads_it(tmp_path: Path):
    fifo = tmp_path / "pipe.jsonl"
    os.mkfifo(fifo)
    keep = tmp_path / "keep"  # a second name for the FIFO: lets the test unblock its reader
    os.link(fifo, keep)
    text = "x" * 200_000 + "\n"  # more than a pipe buffer: the write needs the reader
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(Path(fifo).read_bytes()), daemon=True)
    reader.start()
    try:
        done = threading.Thread(target=atomic_write_text, args=(fifo, text), daemon=True)
        done.start()
        done.join(30)
        reader.join(30)
    finally:
        if reader.is_alive():  # the write never reached the FIFO: let the reader's open return
            with open(keep, "wb"):
                pass
            reader.join(5)
    assert stat.S_ISFIFO(fifo.lstat().st_mode), "still a FIFO"
    assert got == [text.encode()], "the reader got the whole text through the FIFO"
    assert _leftovers(tmp_path) == []


def test_character_device_is_written_in_place(tmp_path: Path):
    # never the system's /dev/null: a regression run as root would replace it with a file
    if os.geteuid() != 0:
        pytest.skip("making a character device (mknod) needs root")
    dev = tmp_path / "null"
    try:
        os.mknod(dev, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # the null device, in a temp folder
    except OSError as e:
        pytest.skip(f"mknod is not allowed here ({e.strerror})")
    atomic_write_text(dev, "discarded\n")
    save_examples(dev, [EXAMPLE])
    mode = dev.lstat().st_mode
    assert stat.S_ISCHR(mode) and dev.lstat().st_rdev == os.makedev(1, 3), "still the null device"
    assert _leftovers(tmp_path) == []


# --------------------------------------------------------------------------- regular files


def test_regular_file_keeps_its_old_content_when_the_write_fails(tmp_path: Path):
    path = tmp_path / "out.txt"
    path.write_text("old\n")
    with pytest.raises(RuntimeError), open_output(path) as fh:
        fh.write("half of the new")
        fh.flush()
        assert path.read_text() == "old\n", "nothing of the new content is visible before the end"
        raise RuntimeError("the writer fails")
    assert path.read_text() == "old\n"
    assert _leftovers(tmp_path) == [], "the temporary file is removed"


def test_regular_file_is_replaced_whole_and_keeps_its_mode(tmp_path: Path):
    path = tmp_path / "out.txt"
    path.write_text("old\n")
    path.chmod(0o600)
    atomic_write_text(path, "new\n")
    assert path.read_text() == "new\n" and stat.S_IMODE(path.stat().st_mode) == 0o600
    assert not path.is_symlink()


def test_a_folder_is_refused(tmp_path: Path):
    with pytest.raises(IsADirectoryError):
        atomic_write_text(tmp_path, "x")


def test_dash_is_standard_output(capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    save_examples("-", [EXAMPLE])
    assert '"id": "a"' in capsys.readouterr().out
    assert not (tmp_path / "-").exists()


# --------------------------------------------------------------------------- folders: models, checkpoints


def test_model_save_writes_through_a_symlinked_folder(tmp_path: Path):
    from claimcheck.models.registry import load_model, save_model

    real = tmp_path / "store" / "mymodel"
    link = tmp_path / "mymodel"
    model = load_model("baseline")
    save_model(model, real)
    link.symlink_to(real, target_is_directory=True)
    save_model(model, link, extra={"note": "second"})
    assert link.is_symlink(), "the model link is still a link"
    assert '"note": "second"' in (real / "config.json").read_text()
    load_model(link)
    assert _leftovers(tmp_path) == [] and _leftovers(real.parent) == []


def test_replace_dir_keeps_the_old_folder_on_failure(tmp_path: Path):
    folder = tmp_path / "ckpt"
    folder.mkdir()
    (folder / "a").write_text("old")
    with pytest.raises(RuntimeError), replace_dir(folder) as tmp:
        (tmp / "a").write_text("new")
        raise RuntimeError("interrupted")
    assert (folder / "a").read_text() == "old" and _leftovers(tmp_path) == []


def test_training_checkpoint_is_swapped_in_through_a_symlink(tmp_path: Path):
    torch = pytest.importorskip("torch")
    from claimcheck.training.checkpoints import save_best, save_checkpoint

    network = torch.nn.Linear(3, 2)
    optimizer = torch.optim.AdamW(network.parameters())
    network(torch.ones(1, 3)).sum().backward()
    optimizer.step()
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda _: 1.0)
    real = tmp_path / "elsewhere" / "checkpoint"
    real.mkdir(parents=True)
    (real / "state.json").write_text("{}")
    link = tmp_path / "checkpoint"
    link.symlink_to(real, target_is_directory=True)
    save_checkpoint(link, network, optimizer, scheduler, {"epoch": 1})
    assert link.is_symlink() and '"epoch": 1' in (real / "state.json").read_text()
    best = tmp_path / "best.safetensors"
    save_best(best, network)
    from safetensors.torch import load_file

    assert set(load_file(str(best))) == {"weight", "bias"}


@pytest.fixture
def umask_027():
    """A stricter umask than the usual 022, so that a hard-coded mode shows."""
    old = os.umask(0o027)
    yield
    os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_new_files_take_the_umask_not_a_fixed_mode(tmp_path: Path, umask_027):
    atomic_write_text(tmp_path / "a.txt", "x")
    atomic_write_bytes(tmp_path / "b.bin", b"x")
    assert _mode(tmp_path / "a.txt") == _mode(tmp_path / "b.bin") == 0o640
    assert _leftovers(tmp_path) == []


def test_model_files_take_the_mode_of_ordinary_files(tmp_path: Path):
    """safetensors writes its files 0600: a service account could not read a trained model."""
    from claimcheck.models.registry import load_model, save_model

    folder = save_model(load_model("baseline"), tmp_path / "m")
    assert {_mode(p) for p in folder.iterdir()} == {0o666 & ~_umask()}
    assert _mode(folder) == 0o777 & ~_umask()
    assert _leftovers(tmp_path) == []


def test_model_and_checkpoint_files_follow_a_strict_umask(tmp_path: Path, umask_027):
    torch = pytest.importorskip("torch")
    from claimcheck.models.registry import load_model, save_model
    from claimcheck.training.checkpoints import save_best, save_checkpoint

    folder = save_model(load_model("baseline"), tmp_path / "m")
    assert {_mode(p) for p in folder.iterdir()} == {0o640} and _mode(folder) == 0o750
    network = torch.nn.Linear(3, 2)
    optimizer = torch.optim.AdamW(network.parameters())
    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lambda _: 1.0)
    save_checkpoint(tmp_path / "checkpoint", network, optimizer, scheduler, {"epoch": 1})
    save_best(tmp_path / "best.safetensors", network)
    assert {_mode(p) for p in (tmp_path / "checkpoint").iterdir()} == {0o640}
    assert _mode(tmp_path / "best.safetensors") == 0o640


def _umask() -> int:
    old = os.umask(0)
    os.umask(old)
    return old


# --------------------------------------------------------------------------- batch output


def test_batch_writes_through_a_symlinked_output(tmp_path: Path):
    from claimcheck.batch import run_batch
    from claimcheck.pipeline import Checker

    target = tmp_path / "store" / "claims.jsonl"
    target.parent.mkdir()
    target.write_text("old\n")
    link = tmp_path / "claims.jsonl"
    link.symlink_to(target)
    run_batch([("a", EXAMPLE.text)], link, Checker.load("baseline"), overwrite=True)
    assert link.is_symlink()
    assert '"article_id": "a"' in target.read_text() and "old" not in target.read_text()


def test_batch_refuses_a_fifo_output_and_leaves_it(tmp_path: Path):
    from claimcheck.batch import BatchError, run_batch
    from claimcheck.pipeline import Checker

    fifo = tmp_path / "claims.jsonl"
    os.mkfifo(fifo)
    with pytest.raises(BatchError, match="not a regular file"):
        run_batch([("a", EXAMPLE.text)], fifo, Checker.load("baseline"), overwrite=True)
    assert stat.S_ISFIFO(fifo.lstat().st_mode)
