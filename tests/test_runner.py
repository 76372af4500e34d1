"""The library runner under 'claimcheck check': files checked several at a time, in order."""

import os
from pathlib import Path

import pytest

from claimcheck.models.registry import load_model
from claimcheck.pipeline import Checker
from claimcheck.runner import check_files

ARTICLE = "The ferry will not sail on Sunday, the harbour master said. {n} passengers were told."


class CountingChecker(Checker):
    """The baseline checker, recording how many articles each call gets."""

    def __init__(self):
        super().__init__(load_model("baseline"))
        self.calls: list[int] = []

    def check_each(self, texts, ids=None, batch_size=16):
        texts = list(texts)
        self.calls.append(len(texts))
        return super().check_each(texts, ids, batch_size)


@pytest.fixture
def files(tmp_path):
    paths = []
    for n in range(5):
        path = tmp_path / f"a{n}.txt"
        path.write_text(ARTICLE.format(n=n + 10), encoding="utf-8")
        paths.append(str(path))
    return paths


def test_articles_are_checked_several_at_a_time_and_come_back_in_order(files):
    checker = CountingChecker()
    out = list(check_files(files, lambda: checker, articles_per_call=2))
    assert checker.calls == [2, 2, 1]
    assert [c.name for c in out] == files
    assert [c.report.id for c in out] == ["a0", "a1", "a2", "a3", "a4"]
    alone = Checker(load_model("baseline"))
    assert [c.report for c in out] == [
        alone.check(Path(f).read_text(encoding="utf-8"), id=f"a{i}") for i, f in enumerate(files)
    ]


def test_an_unreadable_file_keeps_its_place_and_costs_no_other(files, tmp_path):
    checker = CountingChecker()
    names = [files[0], str(tmp_path / "missing.txt"), files[1]]
    out = list(check_files(names, lambda: checker, articles_per_call=8))
    assert [c.name for c in out] == names
    assert out[0].report and out[2].report and out[1].report is None
    assert "no such file" in out[1].error
    assert checker.calls == [2]


def test_nothing_is_loaded_when_no_file_can_be_read(tmp_path):
    def load():
        raise AssertionError("the model must not be loaded")

    out = list(check_files([str(tmp_path / "x.txt"), str(tmp_path)], load))
    assert [c.error.split(":")[-1].strip() for c in out] == ["no such file", "is a directory, not an article file"]


def test_what_is_read_is_checked_before_a_slow_input(files, tmp_path):
    """A FIFO (or standard input) may take its time: the articles before it are not held back."""
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs on this system")
    fifo = tmp_path / "slow.txt"
    os.mkfifo(fifo)
    checker = CountingChecker()
    done = []

    def read(name):
        if name == str(fifo):
            assert [c.name for c in done] == files[:2], "the articles before the FIFO are out first"
            return ARTICLE.format(n=99)
        return Path(name).read_text(encoding="utf-8")

    for item in check_files([*files[:2], str(fifo), files[2]], lambda: checker, read=read):
        done.append(item)
    assert checker.calls == [2, 2]


def test_a_long_batch_is_cut_by_its_characters(files):
    checker = CountingChecker()
    list(check_files(files, lambda: checker, articles_per_call=8, chars_per_call=2 * len(ARTICLE.format(n=10))))
    assert checker.calls == [2, 2, 1]
