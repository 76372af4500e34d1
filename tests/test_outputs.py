"""An output that is one of the command's inputs is refused, and an output that cannot be
written is reported, both before the model loads or anything is written
(claimcheck.outputs and the commands that call it).

``claimcheck check same.txt -o same.txt`` used to replace the article with its report,
through a hard link or a symlink too; an output in a read-only folder failed only after
loading and checking, as if the file were at fault.
"""

from __future__ import annotations

import io
import json
import os
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from claimcheck.cli import app
from claimcheck.cli import check as cli_check
from claimcheck.cli import serve as cli_serve
from claimcheck.cli import training as cli_training
from claimcheck.errors import OutputError
from claimcheck.outputs import check_output, check_writable, refuse_input_as_output
from claimcheck.pipeline import Checker
from tests.test_cli import ARTICLE_A, labelled_rows, make_brat

ROOT_WRITES_ANYWHERE = "root may write into a read-only folder (os.access and the write agree), nothing to report"


def _link(kind: str, target: Path, name: str) -> Path:
    """``name`` beside ``target``: ``target`` itself (``same``), a hard link or a symlink to it."""
    if kind == "same":
        return target
    link = target.with_name(name)
    if kind == "hard":
        os.link(target, link)
    else:
        link.symlink_to(target.name)
    return link


def _files(folder: Path) -> dict[str, bytes]:
    """Every file under ``folder`` (links followed) and its bytes."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """tmp_path as the current folder, with an article and labels; loading a model fails the test."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.txt").write_text(ARTICLE_A, encoding="utf-8")
    (tmp_path / "labels.jsonl").write_text("".join(json.dumps(r) + "\n" for r in labelled_rows()), encoding="utf-8")

    def no_model(*args, **kwargs):
        raise AssertionError("the model was loaded before the output was checked")

    for command in (cli_check, cli_training, cli_serve):  # the modules whose commands load a model
        monkeypatch.setattr(command, "load_checker", no_model)
    monkeypatch.setattr(Checker, "load", no_model)
    return tmp_path


def _refused(result, out: str, source: str) -> None:
    """Exit 1 with one line that names the output and the input, and no traceback."""
    assert result.exit_code == 1, result.output
    assert not isinstance(result.exception, AssertionError), result.exception
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("claimcheck: error: "), result.stderr
    assert f"refusing to write {out}: it is the input {source} " in lines[0], lines[0]


# --------------------------------------------------------------------------- an output that is an input


@pytest.mark.parametrize("kind", ["same", "hard", "symlink"])
def test_check_refuses_to_write_over_its_article(kind: str, work: Path):
    before = (work / "a.txt").read_bytes()
    out = _link(kind, work / "a.txt", "report.txt")
    result = CliRunner().invoke(app, ["check", "a.txt", "-o", out.name])
    _refused(result, out.name, "a.txt")
    assert (work / "a.txt").read_bytes() == before
    assert out.samefile(work / "a.txt"), "the link is left as it was"


def test_check_refuses_an_output_that_a_symlinked_input_points_to(work: Path):
    (work / "link.txt").symlink_to("a.txt")
    result = CliRunner().invoke(app, ["check", "b-missing.txt", "link.txt", "-o", "a.txt"])
    _refused(result, "a.txt", "link.txt")
    assert (work / "a.txt").read_text(encoding="utf-8") == ARTICLE_A


def test_check_refuses_to_write_over_its_scoring_weights(work: Path):
    (work / "w.yaml").write_text("weights: here\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["check", "a.txt", "--scoring", "w.yaml", "-o", "w.yaml"])
    _refused(result, "w.yaml", "w.yaml")
    assert (work / "w.yaml").read_text(encoding="utf-8") == "weights: here\n"


@pytest.mark.parametrize("kind", ["same", "hard", "symlink"])
@pytest.mark.parametrize("command", ["eval", "fit-scoring"])
def test_eval_and_fit_scoring_refuse_to_write_over_their_labels(command: str, kind: str, work: Path):
    before = (work / "labels.jsonl").read_bytes()
    out = _link(kind, work / "labels.jsonl", "out.jsonl")
    result = CliRunner().invoke(app, [command, "labels.jsonl", "-o", out.name])
    _refused(result, out.name, "labels.jsonl")
    assert (work / "labels.jsonl").read_bytes() == before


def test_eval_refuses_a_file_its_brat_folder_holds(work: Path):
    make_brat(work / "brat")
    before = _files(work / "brat")
    out = os.path.join("brat", "text", "prices.txt")
    result = CliRunner().invoke(app, ["eval", "brat", "-o", out])
    _refused(result, out, out)
    assert _files(work / "brat") == before


def test_eval_writes_beside_the_brat_files_of_its_folder(work: Path):
    """A metrics file left in the labels folder by an earlier run is not one of its inputs."""
    make_brat(work / "brat")
    (work / "brat" / "metrics.json").write_text("{}\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["eval", "brat", "-o", "brat/metrics.json"])
    assert isinstance(result.exception, AssertionError), "past the check, to the (failing) model load"


@pytest.mark.parametrize("kind", ["same", "hard", "symlink"])
def test_convert_refuses_to_write_over_its_source(kind: str, work: Path):
    before = (work / "labels.jsonl").read_bytes()
    out = _link(kind, work / "labels.jsonl", "out.jsonl")
    result = CliRunner().invoke(app, ["convert", "labels.jsonl", out.name])
    _refused(result, out.name, "labels.jsonl")
    assert (work / "labels.jsonl").read_bytes() == before


@pytest.mark.parametrize("kind", ["same", "symlink"])
def test_convert_refuses_to_write_brat_into_its_brat_folder(kind: str, work: Path):
    make_brat(work / "brat")
    before = _files(work / "brat")
    if kind == "symlink":
        (work / "again").symlink_to("brat")
    out = "brat" if kind == "same" else "again"
    result = CliRunner().invoke(app, ["convert", "brat", out])
    _refused(result, out, "brat")
    assert _files(work / "brat") == before


@pytest.mark.parametrize("kind", ["hard", "symlink"])
def test_label_refuses_a_progress_file_that_is_its_batch(kind: str, work: Path):
    before = (work / "labels.jsonl").read_bytes()
    sidecar = _link(kind, work / "labels.jsonl", "labels.jsonl.progress.json")
    result = CliRunner().invoke(app, ["label", "labels.jsonl"], input="a\n")
    _refused(result, sidecar.name, "labels.jsonl")
    assert (work / "labels.jsonl").read_bytes() == before


def _articles_jsonl(path: Path) -> bytes:
    path.write_text(json.dumps({"id": "a", "text": ARTICLE_A}) + "\n", encoding="utf-8")
    return path.read_bytes()


@pytest.mark.parametrize("kind", ["same", "hard", "symlink"])
def test_batch_refuses_to_write_over_its_input(kind: str, work: Path):
    before = _articles_jsonl(work / "in.jsonl")
    out = _link(kind, work / "in.jsonl", "out.jsonl")
    result = CliRunner().invoke(app, ["batch", "in.jsonl", out.name, "--overwrite"])
    _refused(result, out.name, "in.jsonl")
    assert (work / "in.jsonl").read_bytes() == before


def test_batch_refuses_an_output_hard_linked_to_an_article_of_its_folder(work: Path):
    (work / "archive").mkdir()
    os.replace(work / "a.txt", work / "archive" / "a.txt")
    os.link(work / "archive" / "a.txt", work / "out.jsonl")
    result = CliRunner().invoke(app, ["batch", "archive", "out.jsonl", "--overwrite"])
    _refused(result, "out.jsonl", str(work / "archive" / "a.txt"))
    assert (work / "archive" / "a.txt").read_text(encoding="utf-8") == ARTICLE_A


def test_batch_refuses_an_errors_file_that_is_its_input(work: Path):
    before = _articles_jsonl(work / "in.jsonl")
    os.link(work / "in.jsonl", work / "out.jsonl.errors.jsonl")
    result = CliRunner().invoke(app, ["batch", "in.jsonl", "out.jsonl"])
    _refused(result, "out.jsonl.errors.jsonl", "in.jsonl")
    assert (work / "in.jsonl").read_bytes() == before


# --------------------------------------------------------------------------- an output that cannot be written


@pytest.mark.parametrize(
    "args",
    [
        ["check", "a.txt", "-o", "a.txt/report.txt"],
        ["eval", "labels.jsonl", "-o", "a.txt/sub/m.json"],
        ["fit-scoring", "labels.jsonl", "-o", "a.txt/w.yaml"],
        ["convert", "labels.jsonl", "a.txt/out.jsonl"],
        ["batch", "labels.jsonl", "a.txt/claims.jsonl"],
    ],
)
def test_an_output_under_a_file_is_reported_before_the_model_loads(args: list[str], work: Path):
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1, result.output
    assert result.stderr == f"claimcheck: error: cannot write {args[-1]}: a.txt is a file, not a folder\n"
    assert (work / "a.txt").read_text(encoding="utf-8") == ARTICLE_A


# as a user who may not write into ro/ sees it (root may: see ROOT_WRITES_ANYWHERE)
UNWRITABLE = [
    ["check", "a.txt", "-o", "ro/report.txt"],
    ["eval", "labels.jsonl", "-o", "ro/m.json"],
    ["fit-scoring", "labels.jsonl", "-o", "ro/new/w.yaml"],
    ["convert", "labels.jsonl", "ro/out.json"],
    ["batch", "labels.jsonl", "ro/claims.jsonl"],
    ["label", "ro/labels.jsonl"],
]


def _read_only_folder(work: Path) -> Path:
    ro = work / "ro"
    ro.mkdir()
    (ro / "labels.jsonl").write_bytes((work / "labels.jsonl").read_bytes())
    ro.chmod(0o555)
    return ro


def _assert_folder_blamed(result, ro: Path) -> None:
    assert result.exit_code == 1, result.output
    assert not isinstance(result.exception, AssertionError), result.exception
    assert result.stderr.endswith(": the folder ro is not writable\n"), result.stderr
    assert len(result.stderr.splitlines()) == 1
    assert sorted(p.name for p in ro.iterdir()) == ["labels.jsonl"], "nothing created"


@pytest.mark.skipif(os.geteuid() == 0, reason=ROOT_WRITES_ANYWHERE)
@pytest.mark.parametrize("args", UNWRITABLE)
def test_a_read_only_folder_is_reported_before_the_model_loads(args: list[str], work: Path):
    ro = _read_only_folder(work)
    try:
        _assert_folder_blamed(CliRunner().invoke(app, args), ro)
    finally:
        ro.chmod(0o755)


@pytest.mark.parametrize("args", UNWRITABLE)
def test_a_folder_the_user_may_not_write_is_reported_before_the_model_loads(
    args: list[str], work: Path, monkeypatch: pytest.MonkeyPatch
):
    """The same, with the folder's permission as os.access reports it to a user other than
    root (os.access is what the check asks; root's os.access says yes)."""
    ro = work / "ro"
    ro.mkdir()
    (ro / "labels.jsonl").write_bytes((work / "labels.jsonl").read_bytes())
    real = os.access
    monkeypatch.setattr(os, "access", lambda p, mode, **kw: os.path.realpath(p) != str(ro) and real(p, mode, **kw))
    _assert_folder_blamed(CliRunner().invoke(app, args), ro)


# --------------------------------------------------------------------------- the library


def test_refuse_names_both_paths_through_links(tmp_path: Path):
    article = tmp_path / "a.txt"
    article.write_text("text\n", encoding="utf-8")
    os.link(article, tmp_path / "hard.txt")
    (tmp_path / "soft.txt").symlink_to(article)
    for out in ("a.txt", "hard.txt", "soft.txt"):
        with pytest.raises(OutputError, match=f"refusing to write .*{out}: it is the input .*a.txt"):
            refuse_input_as_output([article], tmp_path / out)
    refuse_input_as_output([article], tmp_path / "new.txt")  # not there yet: no input
    refuse_input_as_output([article, None], "-", None)  # standard output is never an input
    assert article.read_text(encoding="utf-8") == "text\n"


def test_refuse_a_file_an_input_folder_reads(tmp_path: Path):
    (tmp_path / "texts").mkdir()
    (tmp_path / "texts" / "a.txt").write_text("text\n", encoding="utf-8")
    (tmp_path / "texts" / "notes.json").write_text("{}\n", encoding="utf-8")
    with pytest.raises(OutputError, match=r"a\.txt"):
        refuse_input_as_output([tmp_path / "texts"], tmp_path / "texts" / "a.txt", folder_suffixes={".txt"})
    refuse_input_as_output([tmp_path / "texts"], tmp_path / "texts" / "notes.json", folder_suffixes={".txt"})
    with pytest.raises(OutputError, match="the same folder"):
        refuse_input_as_output([tmp_path / "texts"], tmp_path / "texts")


def test_refuse_standard_input_redirected_from_the_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    article = tmp_path / "a.txt"
    article.write_text("text\n", encoding="utf-8")
    with article.open(encoding="utf-8") as fh:
        monkeypatch.setattr(sys, "stdin", fh)
        with pytest.raises(OutputError, match="it is the input standard input"):
            refuse_input_as_output(["-"], article)
    monkeypatch.setattr(sys, "stdin", io.StringIO("text"))  # no descriptor: nothing to compare
    refuse_input_as_output(["-"], article)


def test_a_fifo_output_is_refused_only_when_it_is_literally_an_input(tmp_path: Path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    (tmp_path / "link").symlink_to(fifo)
    refuse_input_as_output([tmp_path / "link"], fifo)  # written through, never replaced
    with pytest.raises(OutputError):
        refuse_input_as_output([fifo], fifo)
    check_writable(fifo)  # nothing opened: a FIFO without a reader would block


def test_check_writable_creates_nothing(tmp_path: Path):
    (tmp_path / "file").write_text("x", encoding="utf-8")
    check_writable(tmp_path / "new" / "deeper" / "out.json")  # folders a writer makes
    check_writable(tmp_path / "file")  # replaced, not truncated, by the writers
    check_output(tmp_path / "made" / "brat", folder=True)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]
    assert (tmp_path / "file").read_text(encoding="utf-8") == "x"
    with pytest.raises(OutputError, match="is a folder, not a file"):
        check_writable(tmp_path)
    with pytest.raises(OutputError, match="exists and is not a folder"):
        check_writable(tmp_path / "file", folder=True)
    with pytest.raises(OutputError, match=r"file is a file, not a folder"):
        check_writable(tmp_path / "file" / "a" / "b.json")


@pytest.mark.skipif(os.geteuid() != 0, reason="what root sees")
def test_root_may_write_into_a_read_only_folder(tmp_path: Path):
    ro = tmp_path / "ro"
    ro.mkdir(mode=0o555)
    check_writable(ro / "out.json")  # and the write would succeed: nothing to refuse
    (ro / "out.json").write_text("{}", encoding="utf-8")
