"""claimcheck.report_writer: check's reports written as they are done, from Python as from the command."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from claimcheck.errors import OutputError
from claimcheck.models.registry import load_model
from claimcheck.pipeline import Checker
from claimcheck.report_writer import write_reports
from claimcheck.runner import Checked

ARTICLE = "The ferry will not sail on Sunday, the harbour master said. {n} passengers were told."


@pytest.fixture(scope="module")
def baseline() -> Checker:
    return Checker(load_model("baseline"))


@pytest.fixture
def files(tmp_path: Path) -> list[str]:
    paths = []
    for n in range(3):
        path = tmp_path / f"a{n}.txt"
        path.write_text(ARTICLE.format(n=n + 10), encoding="utf-8")
        paths.append(str(path))
    return paths


def test_reports_are_written_and_failures_counted(baseline: Checker, files: list[str], tmp_path: Path):
    seen: list[Checked] = []
    names = [files[0], str(tmp_path / "missing.txt"), files[1]]
    out = tmp_path / "reports.jsonl"
    written = write_reports(names, out, "jsonl", lambda: baseline, on_checked=seen.append)
    assert (written.articles, written.failed, written.interrupted, written.where) == (2, 1, False, str(out))
    assert [item.name for item in seen] == names and seen[1].report is None and "missing.txt" in seen[1].error
    assert [json.loads(line)["path"] for line in out.read_text(encoding="utf-8").splitlines()] == [files[0], files[1]]


def test_an_interrupt_keeps_what_is_finished(baseline: Checker, files: list[str], tmp_path: Path):
    """Ctrl-C after the first article: a format rendered whole (json) still holds that one."""

    def stop_after_first(item: Checked) -> None:
        raise KeyboardInterrupt

    out = tmp_path / "reports.json"
    written = write_reports(files, out, "json", lambda: baseline, on_checked=stop_after_first)
    assert (written.articles, written.interrupted) == (1, True)
    assert (
        written.interrupted_line().startswith("interrupted; the 1 finished article")
        and str(out) in written.interrupted_line()
    )
    assert [r["path"] for r in json.loads(out.read_text(encoding="utf-8"))] == [files[0]]


def test_nothing_checked_leaves_the_output_alone_and_a_folder_is_refused(
    baseline: Checker, files: list[str], tmp_path: Path
):
    out = tmp_path / "kept.jsonl"
    out.write_text("kept\n", encoding="utf-8")
    written = write_reports([str(tmp_path / "missing.txt")], out, "jsonl", lambda: baseline)
    assert (written.articles, written.failed) == (0, 1) and out.read_text(encoding="utf-8") == "kept\n"
    (tmp_path / "folder").mkdir()
    with pytest.raises(OutputError, match=r"folder: cannot write \("):
        write_reports(files[:1], tmp_path / "folder", "jsonl", lambda: baseline)
