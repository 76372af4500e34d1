"""Tests for ``claimcheck batch`` (claimcheck.batch): inputs, outputs, resume, errors, Ray, CLI.

Most tests use the fast rule model ("baseline"). The article texts are made up for
these tests; the real articles are read from ../shared and the test skips without them.
"""

from __future__ import annotations

import datetime
import gc
import glob
import json
import os
import signal
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from functools import partial
from pathlib import Path

import pytest
from filelock import FileLock
from typer.testing import CliRunner

from claimcheck.batch import COLUMNS, BatchError, BatchSummary, JsonlInput, output_schema, run_batch
from claimcheck.batch import inputs as batch_inputs
from claimcheck.batch import ledger as batch_ledger
from claimcheck.data import ArticleReport, Summary
from claimcheck.errors import OutputError
from claimcheck.formats import claim_rows
from claimcheck.io.documents import InputError, decode_article, read_article
from claimcheck.pipeline import Checker

from .conftest import EXAMPLES, POLNEAR, REPO, need

pq = pytest.importorskip("pyarrow.parquet")

# Made-up articles, written for these tests.
ARTICLES = {
    "harbour.txt": (
        "The ferry to Lornholm will stop in March, harbour master Ida Brenn said. "
        "Officials said fares would rise. The weather was mild.\n"
    ),
    "pier.txt": "A report by the Tidewater Trust found the pier unsafe. Repairs will take a year, a source said.\n",
    "mill/flour.txt": (
        "The old mill at Carrow will reopen as a bakery, according to owner Tom Reyes. Neighbours welcomed the news.\n"
    ),
    "mill/river.txt": "The river rose two metres overnight. Residents were told to stay indoors, the council said.\n",
    "school.html": (
        "<html><body><nav>Home | News</nav><article><h1>School roof</h1>"
        "<p>The school roof leaked again on Monday, head teacher Ana Ruiz told parents.</p>"
        "<p>Classes moved to the hall.</p></article></body></html>"
    ),
    "zoo.txt": 'Two otters were born at the zoo. "They are thriving," keeper Lena Dahl said.\n',
    "bridge.txt": "The bridge toll will double, the transport minister announced. Drivers were unhappy.\n",
}


@pytest.fixture(scope="module")
def baseline() -> Checker:
    return Checker.load("baseline")


def expected(checker: Checker, pairs: list[tuple[str, str]]) -> list[dict]:
    """The rows an uninterrupted run must write: check_many over the same texts."""
    reports = checker.check_many([t for _, t in pairs], [i for i, _ in pairs])
    return [{"article_id": i, **row} for (i, _), r in zip(pairs, reports, strict=True) for row in claim_rows(r)]


def read_rows(path: Path) -> list[dict]:
    if path.suffix == ".parquet":
        return pq.read_table(path).to_pylist()
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def read_errors(output: Path) -> list[dict]:
    path = output.with_name(output.name + ".errors.jsonl")
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path.exists() else []


def leftovers(output: Path) -> list[str]:
    """The run's own files besides the output and its errors: ledger, staging file, lock, temporary file."""
    names = (p.name for p in output.parent.iterdir())
    return [n for n in names if n.startswith((output.name + ".", "." + output.name)) and "errors" not in n]


def make_archive(root: Path, names: list[str] | None = None) -> list[tuple[str, str]]:
    """Write articles under root; the (id, text) pairs a folder input yields, in order."""
    for name in names or ARTICLES:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(ARTICLES[name], encoding="utf-8")
    return [(n, read_article(root / n)) for n in sorted(names or ARTICLES)]


# --------------------------------------------------------------------------- inputs and outputs


@pytest.mark.parametrize("ext", ["jsonl", "parquet"])
def test_folder_matches_check_many(baseline: Checker, tmp_path: Path, ext: str):
    pairs = make_archive(tmp_path / "arch")
    (tmp_path / "arch" / "notes.ann").write_text("T1\tSource 0 3\tThe\n", encoding="utf-8")  # not an article
    (tmp_path / "arch" / ".hidden.txt").write_text("A hidden draft, the editor said.\n", encoding="utf-8")
    out = tmp_path / f"claims.{ext}"
    seen: list[tuple[int, int | None]] = []
    summary = run_batch(tmp_path / "arch", out, baseline, batch_size=3, progress=lambda d, t: seen.append((d, t)))
    rows = read_rows(out)
    assert rows == expected(baseline, pairs)
    assert list(rows[0]) == list(COLUMNS)
    assert {r["article_id"] for r in rows} == {i for i, _ in pairs}
    assert (summary.articles, summary.skipped, summary.errors, summary.claims) == (len(pairs), 0, 0, len(rows))
    assert seen[0] == (0, len(pairs)) and seen[-1] == (len(pairs), len(pairs))
    assert leftovers(out) == [], "ledger, staging file and lock are removed once the output is whole"
    assert not read_errors(out)


def test_rows_carry_the_content_and_its_quote_kind(baseline: Checker, tmp_path: Path):
    pq = pytest.importorskip("pyarrow.parquet")
    text = "“The pier will close in May,” harbour master Ida Brenn said. Officials said repairs would wait.\n"
    out = tmp_path / "claims.parquet"
    run_batch([("q", text)], out, baseline)
    assert output_schema().field("quote_kind").type == output_schema().field("content").type == "string"
    rows = pq.read_table(out).to_pylist()
    assert [(r["content"], r["quote_kind"]) for r in rows] == [
        ("“The pier will close in May", "direct"),
        ("repairs would wait", "indirect"),
    ]


def test_glob_ids_are_the_paths(baseline: Checker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    make_archive(tmp_path / "arch")
    summary = run_batch("arch/**/*.txt", "out.jsonl", baseline)
    ids = sorted(["arch/" + n for n in ARTICLES if n.endswith(".txt")])
    rows = read_rows(tmp_path / "out.jsonl")
    assert rows == expected(baseline, [(i, read_article(i)) for i in ids])
    assert summary.total == len(ids)
    # the same files as Python's glob, in sorted order, less the run's own output
    for pattern in ("arch/*/*.txt", "arch/**"):
        out = tmp_path / "arch" / "claims.jsonl"
        ids = sorted(p for p in glob.glob(pattern, recursive=True) if os.path.isfile(p) and p != "arch/claims.jsonl")
        run_batch(pattern, out, baseline, overwrite=True)
        assert list(dict.fromkeys(r["article_id"] for r in read_rows(out))) == ids


def test_jsonl_bad_lines_are_errors_not_crashes(baseline: Checker, tmp_path: Path):
    good = list(ARTICLES.values())
    lines = [
        json.dumps({"id": "first", "text": good[0]}),
        json.dumps({"text": good[1]}),  # id defaults to the line number: "2"
        "",  # a blank line is no article
        '{"id": "broken", "text": ',  # not JSON
        json.dumps(["a list"]),
        json.dumps({"id": "no-text"}),
        json.dumps({"id": 7, "text": good[2]}),  # integer ids become strings
        json.dumps({"id": "empty", "text": "   "}),
        json.dumps({"id": {"x": 1}, "text": good[3]}),
        "[" * 100_000,  # json.loads raises RecursionError: still one article's error
        json.dumps({"id": "last", "text": good[5]}),
    ]
    src = tmp_path / "articles.jsonl"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "claims.parquet"
    summary = run_batch(src, out, baseline, batch_size=2)
    ok = [("first", good[0]), ("2", good[1]), ("7", good[2]), ("last", good[5])]
    assert read_rows(out) == expected(baseline, ok)
    errors = read_errors(out)
    assert [e["article_id"] for e in errors] == ["4", "5", "no-text", "empty", "9", "10"]
    assert "articles.jsonl:4: not valid JSON" in errors[0]["error"]
    assert "empty article" in errors[3]["error"]
    assert "articles.jsonl:10: cannot be read (RecursionError" in errors[5]["error"]
    assert (summary.articles, summary.errors, summary.total) == (4, 6, 10)
    assert summary.errors_path == out.with_name("claims.parquet.errors.jsonl")


def test_parquet_input_row_groups_ids_and_undecodable_bytes(baseline: Checker, tmp_path: Path):
    import pyarrow as pa

    texts = [t.encode("utf-8") for t in ARTICLES.values()]
    texts[2] = b"\x00\x01\x02\x03" * 64  # binary
    with pytest.raises(InputError, match="binary"):
        decode_article(texts[2], "doc-2")
    texts[4] = b"caf\xe9 au lait"  # Latin-1, not UTF-8
    ids = [f"doc-{i}" for i in range(len(texts))]
    ids[1] = None  # defaults to the row index
    src = tmp_path / "articles.parquet"
    pq.write_table(pa.table({"id": ids, "text": pa.array(texts, pa.binary())}), src, row_group_size=2)
    out = tmp_path / "claims.jsonl"
    summary = run_batch(src, out, baseline, batch_size=3)
    ok = [(ids[i] or str(i), t.decode()) for i, t in enumerate(texts) if i not in (2, 4)]
    assert read_rows(out) == expected(baseline, ok)
    errors = read_errors(out)
    assert [e["article_id"] for e in errors] == ["doc-2", "doc-4"]
    assert "binary" in errors[0]["error"] and "not UTF-8" in errors[1]["error"]
    assert summary.total == len(texts)


def test_undecodable_file_is_an_error_and_the_rest_is_written(baseline: Checker, tmp_path: Path):
    pairs = make_archive(tmp_path / "arch", ["harbour.txt", "pier.txt"])
    (tmp_path / "arch" / "latin.txt").write_bytes(b"Le caf\xe9 ferme, dit le maire.")
    out = tmp_path / "claims.jsonl"
    summary = run_batch(tmp_path / "arch", out, baseline)
    assert read_rows(out) == expected(baseline, pairs)
    assert [e["article_id"] for e in read_errors(out)] == ["latin.txt"]
    assert "not UTF-8" in read_errors(out)[0]["error"]
    assert (summary.articles, summary.errors) == (2, 1)


def test_an_undecodable_file_name_becomes_a_replacement_character(baseline: Checker, tmp_path: Path):
    (tmp_path / "arch").mkdir()
    (tmp_path / "arch" / os.fsdecode(b"caf\xe9.txt")).write_text(ARTICLES["zoo.txt"], encoding="utf-8")
    out = tmp_path / "claims.parquet"
    run_batch(tmp_path / "arch", out, baseline)
    assert {r["article_id"] for r in read_rows(out)} == {"caf\ufffd.txt"}


class Crash(BaseException):
    """Stands for a kill: not an Exception, so nothing on the way catches it."""


class Flaky:
    """Wraps a checker: crashes on call number ``crash_on``, raises for texts containing
    "EXPLODE", and returns no claims for texts containing "QUIET"."""

    def __init__(self, inner: Checker, crash_on: int | None = None):
        self.inner, self.crash_on, self.calls = inner, crash_on, 0

    def check_many(self, texts, ids=None, batch_size=16, progress=None):
        self.calls += 1
        if self.crash_on is not None and self.calls >= self.crash_on:
            raise Crash()
        texts, ids = list(texts), list(ids)
        if any("EXPLODE" in t for t in texts):
            raise ValueError("the model fell over")
        reports = self.inner.check_many(texts, ids, batch_size)
        summary = Summary(n_claims=0, type_counts={}, sourcing_score=None)
        return [
            ArticleReport(id=i, text=t, attributions=[], claims=[], summary=summary) if "QUIET" in t else r
            for t, i, r in zip(texts, ids, reports, strict=True)
        ]

    def check(self, text, id=None):
        return self.check_many([text], [id])[0]

    check_each = Checker.check_each  # the library's retry, over this wrapper's check_many


def test_checker_failure_is_one_articles_error(baseline: Checker, tmp_path: Path):
    pairs = [
        ("a", ARTICLES["harbour.txt"]),
        ("boom", "This EXPLODE article, a source said."),
        ("b", ARTICLES["zoo.txt"]),
    ]
    out = tmp_path / "claims.jsonl"
    summary = run_batch(pairs, out, Flaky(baseline), batch_size=3)
    assert read_rows(out) == expected(baseline, [pairs[0], pairs[2]])
    assert read_errors(out) == [
        {"article_id": "boom", "error": "boom: the checker failed: ValueError: the model fell over"}
    ]
    assert (summary.articles, summary.errors) == (2, 1)


@pytest.mark.parametrize("ext", ["jsonl", "parquet"])
def test_resume_after_crash_gives_the_uninterrupted_rows(baseline: Checker, tmp_path: Path, ext: str):
    make_archive(tmp_path / "arch")
    (tmp_path / "arch" / "bad.txt").write_bytes(b"\xff\xfe\xfd")
    # sorts first: an article without claims, in the batches committed before the crash
    (tmp_path / "arch" / "a-quiet.txt").write_text("QUIET notes from the archive.\n", encoding="utf-8")
    reference = tmp_path / f"reference.{ext}"
    run_batch(tmp_path / "arch", reference, Flaky(baseline), batch_size=2)

    out = tmp_path / f"claims.{ext}"
    with pytest.raises(Crash):
        run_batch(tmp_path / "arch", out, Flaky(baseline, crash_on=3), batch_size=2)
    ledger = out.with_name(out.name + ".progress.jsonl")
    lines = [json.loads(line) for line in ledger.read_text().splitlines()]
    assert len(lines) == 1 + 2, "a header and two committed batches"
    # a-quiet.txt (no claims) and bad.txt (unreadable) are done all the same
    assert (lines[-1]["done"], lines[-1]["last"]) == (4, "harbour.txt")
    assert not out.exists() if ext == "parquet" else out.stat().st_size == lines[-1]["size"]
    # what a kill in the middle of a commit leaves: half a row after the last commit, a torn ledger line
    with (out if ext == "jsonl" else out.with_name(out.name + ".staging.jsonl")).open("ab") as fh:
        fh.write(b'{"article_id": "half a row')
    with ledger.open("ab") as fh:
        fh.write(b'{"done": 6, "last": "mill/riv')

    seen: list[int] = []
    summary = run_batch(tmp_path / "arch", out, Flaky(baseline), batch_size=2, progress=lambda d, t: seen.append(d))
    assert summary.skipped == 4 and seen[0] == 4
    assert read_rows(out) == read_rows(reference)
    assert read_errors(out) == read_errors(reference) and len(read_errors(out)) == 1
    assert "a-quiet.txt" not in {r["article_id"] for r in read_rows(out)}
    assert leftovers(out) == []


def test_kill_9_then_rerun(tmp_path: Path):
    """A real kill: a subprocess is SIGKILLed after a few commits; the rerun completes it."""
    pairs = [(f"n{i:03d}", f"Item {i}: the mayor Ann Lee said the ferry will run. It rained.\n") for i in range(60)]
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in pairs), encoding="utf-8")
    script = tmp_path / "slow_run.py"
    script.write_text(
        "import sys, time\n"
        "from claimcheck.batch import run_batch\n"
        "from claimcheck.pipeline import Checker\n"
        "inner = Checker.load('baseline')\n"
        "class Slow(Checker):\n"
        "    def check_many(self, texts, ids, batch_size=16):\n"
        "        time.sleep(0.2)\n"
        "        return inner.check_many(texts, ids, batch_size)\n"
        "run_batch(sys.argv[1], sys.argv[2], Slow(inner.model, inner.scorer), batch_size=4)\n",
        encoding="utf-8",
    )
    out = tmp_path / "claims.jsonl"
    ledger = tmp_path / "claims.jsonl.progress.jsonl"
    proc = subprocess.Popen([sys.executable, str(script), str(src), str(out)], cwd=REPO)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            if ledger.exists() and len(ledger.read_bytes().splitlines()) >= 4:
                break
            time.sleep(0.02)
        assert proc.poll() is None, "the run ended before it could be killed"
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait()
    baseline = Checker.load("baseline")
    summary = run_batch(src, out, baseline, batch_size=4)
    assert 12 <= summary.skipped < 60
    assert summary.skipped + summary.articles == 60
    assert read_rows(out) == expected(baseline, pairs)


def test_refuses_a_finished_output_unless_overwrite(baseline: Checker, tmp_path: Path):
    pairs = [("a", ARTICLES["pier.txt"])]
    out = tmp_path / "claims.parquet"
    run_batch(pairs, out, baseline)
    before = out.read_bytes()
    with pytest.raises(BatchError, match=r"exists.*--overwrite"):
        run_batch(pairs, out, baseline)
    assert out.read_bytes() == before
    summary = run_batch([("b", ARTICLES["zoo.txt"])], out, baseline, overwrite=True)
    assert summary.articles == 1
    assert read_rows(out) == expected(baseline, [("b", ARTICLES["zoo.txt"])])


def test_refuses_to_resume_another_inputs_run(baseline: Checker, tmp_path: Path):
    make_archive(tmp_path / "one", ["harbour.txt", "pier.txt", "zoo.txt"])
    make_archive(tmp_path / "two", ["bridge.txt"])
    out = tmp_path / "claims.jsonl"
    with pytest.raises(Crash):
        run_batch(tmp_path / "one", out, Flaky(baseline, crash_on=2), batch_size=1)
    with pytest.raises(BatchError, match="belongs to a run"):
        run_batch(tmp_path / "two", out, baseline)


@pytest.mark.parametrize("ext", ["jsonl", "parquet"])
def test_resume_after_a_batch_written_but_not_committed(
    baseline: Checker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ext: str
):
    """A kill after a batch's rows are all on disk but before its ledger line: no duplicates."""
    make_archive(tmp_path / "arch")
    reference, out = tmp_path / f"reference.{ext}", tmp_path / f"claims.{ext}"
    run_batch(tmp_path / "arch", reference, baseline, batch_size=2)
    append, commits = batch_ledger._append, []

    def crash_at_the_third_commit(fh, data: bytes) -> int:
        if fh.name.endswith(".progress.jsonl") and data.startswith(b'{"done"'):
            commits.append(json.loads(data))
            if len(commits) == 3:
                raise Crash()
        return append(fh, data)

    monkeypatch.setattr(batch_ledger, "_append", crash_at_the_third_commit)
    with pytest.raises(Crash):
        run_batch(tmp_path / "arch", out, baseline, batch_size=2)
    monkeypatch.undo()
    rows = out if ext == "jsonl" else out.with_name(out.name + ".staging.jsonl")
    assert rows.stat().st_size == commits[2]["size"] > commits[1]["size"], "the third batch's rows are whole"
    summary = run_batch(tmp_path / "arch", out, baseline, batch_size=2)
    assert summary.skipped == 4
    assert read_rows(out) == read_rows(reference)


def test_refuses_to_resume_with_another_model(baseline: Checker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    make_archive(tmp_path / "arch", ["harbour.txt", "pier.txt", "zoo.txt"])
    out = tmp_path / "claims.jsonl"
    with monkeypatch.context() as m:
        m.setattr(Checker, "load", lambda *args: Flaky(baseline, crash_on=2))
        with pytest.raises(Crash):
            run_batch(tmp_path / "arch", out, model="baseline", batch_size=1)
    with pytest.raises(BatchError, match=r"belongs to a run with config .*baseline.*--overwrite"):
        run_batch(tmp_path / "arch", out, model="tagger")
    assert run_batch(tmp_path / "arch", out, model="baseline").skipped == 1


def test_refuses_to_resume_over_a_changed_input(baseline: Checker, tmp_path: Path):
    arch = tmp_path / "arch"
    make_archive(arch, ["harbour.txt", "pier.txt", "zoo.txt"])
    out = tmp_path / "claims.jsonl"
    with pytest.raises(Crash):
        run_batch(arch, out, Flaky(baseline, crash_on=3), batch_size=1)  # harbour.txt and pier.txt done
    (arch / "bridge.txt").write_text(ARTICLES["bridge.txt"], encoding="utf-8")  # sorts first
    with pytest.raises(BatchError, match=r"input changed.*article 2, 'pier.txt'.*has 'harbour.txt' there"):
        run_batch(arch, out, baseline)
    for name in ("bridge.txt", "pier.txt", "zoo.txt"):
        (arch / name).unlink()
    with pytest.raises(BatchError, match=r"input changed.*ends before it"):
        run_batch(arch, out, baseline)


def test_a_second_run_on_the_same_output_is_refused(baseline: Checker, tmp_path: Path):
    out = tmp_path / "claims.jsonl"
    pairs = [("a", ARTICLES["pier.txt"])]
    held = FileLock(f"{out}.lock", timeout=0)  # what a run in another process holds
    with held, pytest.raises(BatchError, match=r"another run is writing .*claims\.jsonl"):
        run_batch(pairs, out, baseline)
    assert not out.exists()
    assert run_batch(pairs, out, baseline).articles == 1
    assert leftovers(out) == [], "the lock file is removed at the end"


def test_renames_and_removals_are_durable(baseline: Checker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """The folder is fsynced after the run's files are made, after the output's rename, and
    before the ledger goes; the ledger goes before the staging file."""
    events: list[str] = []
    fsync_dir, replace, unlink = batch_ledger._fsync_dir, os.replace, Path.unlink

    def spy_fsync_dir(path: Path) -> None:
        events.append("fsync folder")
        fsync_dir(path)

    def spy_replace(src, dst) -> None:
        events.append(f"rename to {Path(dst).name}")
        replace(src, dst)

    def spy_unlink(path: Path, missing_ok: bool = False) -> None:
        if path.exists():
            events.append(f"remove {path.name}")
        unlink(path, missing_ok=missing_ok)

    monkeypatch.setattr(batch_ledger, "_fsync_dir", spy_fsync_dir)
    monkeypatch.setattr(os, "replace", spy_replace)
    monkeypatch.setattr(Path, "unlink", spy_unlink)
    run_batch([("a", ARTICLES["pier.txt"]), ("b", "   ")], tmp_path / "claims.parquet", baseline)
    assert events == [
        "fsync folder",  # output, errors file and ledger made
        "rename to claims.parquet",
        "fsync folder",
        "remove claims.parquet.progress.jsonl",
        "remove claims.parquet.staging.jsonl",
        "fsync folder",
        "remove claims.parquet.lock",
    ]


def test_parquet_output_is_streamed_from_the_staging_file(
    baseline: Checker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(batch_ledger, "STAGING_BLOCK_BYTES", 1024)  # a row group per KiB of JSON
    long = "The council said " + "the ferry will run " * 300 + "on time.\n"  # one row longer than a block
    pairs = [(name, ARTICLES[name]) for name in ARTICLES if name.endswith(".txt")] + [("long", long)]
    out = tmp_path / "claims.parquet"
    run_batch(pairs, out, baseline, batch_size=2)
    assert read_rows(out) == expected(baseline, pairs)
    assert pq.ParquetFile(out).schema_arrow == output_schema()
    assert pq.ParquetFile(out).num_row_groups > 1
    # no claims at all: an empty file with the columns
    run_batch([("empty", "   ")], out, baseline, overwrite=True)
    assert pq.read_table(out).schema == output_schema() and pq.read_table(out).num_rows == 0


def test_a_finished_output_is_refused_before_the_input_is_counted(
    baseline: Checker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    src = tmp_path / "articles.jsonl"
    src.write_text(json.dumps({"text": ARTICLES["pier.txt"]}) + "\n", encoding="utf-8")
    run_batch(src, tmp_path / "claims.jsonl", baseline)
    monkeypatch.setattr(JsonlInput, "count", lambda self: pytest.fail("the input was counted"))
    with pytest.raises(BatchError, match="exists"):
        run_batch(src, tmp_path / "claims.jsonl", baseline)


def test_bad_paths_and_extensions(baseline: Checker, tmp_path: Path):
    import pyarrow as pa

    with pytest.raises(BatchError, match="no such file or folder"):
        run_batch(tmp_path / "missing", tmp_path / "out.jsonl", baseline)
    with pytest.raises(BatchError, match="matches no files"):
        run_batch(str(tmp_path / "*.txt"), tmp_path / "out.jsonl", baseline)
    (tmp_path / "empty").mkdir()
    with pytest.raises(BatchError, match=r"no \.txt, \.html or \.htm files"):
        run_batch(tmp_path / "empty", tmp_path / "out.jsonl", baseline)
    with pytest.raises(BatchError, match="unknown output extension"):
        run_batch([("a", "text")], tmp_path / "out.csv", baseline)
    (tmp_path / "one.txt").write_text(ARTICLES["zoo.txt"], encoding="utf-8")
    with pytest.raises(BatchError, match="not a batch input"):
        run_batch(tmp_path / "one.txt", tmp_path / "out.jsonl", baseline)
    data = tmp_path / "data.jsonl"
    data.write_text(json.dumps({"text": ARTICLES["zoo.txt"]}) + "\n", encoding="utf-8")
    with pytest.raises(OutputError, match="it is the input"):
        run_batch(data, data, baseline, overwrite=True)
    assert data.exists()
    (tmp_path / "nottext.parquet").write_bytes(b"not parquet at all")
    with pytest.raises(BatchError, match="cannot read as Parquet"):
        run_batch(tmp_path / "nottext.parquet", tmp_path / "out.jsonl", baseline)
    pq.write_table(pa.table({"text": [1, 2]}), tmp_path / "numbers.parquet")
    with pytest.raises(BatchError, match="`text` column holds int64, not strings"):
        run_batch(tmp_path / "numbers.parquet", tmp_path / "out.jsonl", baseline)


def _traced(run: Callable[[Callable[[int, int | None], None]], BatchSummary], at: tuple[int, ...]):
    """``run(progress)`` under tracemalloc: its result and the traced memory when ``done`` reached each of ``at``."""
    marks: dict[int, int] = {}

    def progress(done: int, total: int | None) -> None:
        if done in at:
            gc.collect()
            marks[done] = tracemalloc.get_traced_memory()[0]

    gc.collect()
    tracemalloc.start()
    try:
        return run(progress), marks
    finally:
        tracemalloc.stop()


def test_memory_stays_flat_over_many_articles(baseline: Checker, tmp_path: Path):
    """2,000 small articles from a generator: memory after 2,000 is that after 400."""
    n = 2000

    def articles():
        for i in range(n):
            yield f"a{i}", f"Report {i}: the mayor Ann Lee said the market will open on day {i}. It rained.\n"

    summary, marks = _traced(
        lambda progress: run_batch(articles(), tmp_path / "claims.jsonl", baseline, batch_size=50, progress=progress),
        (400, n),
    )
    assert summary.articles == n and summary.claims == 2 * n
    # holding the reports would cost megabytes, the texts some 200 kB, the ids alone some 90 kB
    growth = marks[n] - marks[400]
    assert growth < 48_000, f"memory grew by {growth} bytes over {n - 400} articles"


def test_memory_stays_flat_over_a_folder_into_parquet_with_resume(baseline: Checker, tmp_path: Path):
    """1,200 files in 24 folders, resumed after 200: memory after 1,200 is that after 400."""
    n = 1200
    for i in range(n):
        path = tmp_path / "arch" / f"d{i // 50:02d}" / f"a{i % 50:02d}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"Report {i}: the mayor Ann Lee said the market will open on day {i}. It rained.\n")
    out = tmp_path / "claims.parquet"
    with pytest.raises(Crash):
        run_batch(tmp_path / "arch", out, Flaky(baseline, crash_on=5), batch_size=50)
    summary, marks = _traced(
        lambda progress: run_batch(tmp_path / "arch", out, baseline, batch_size=50, progress=progress), (400, n)
    )
    assert (summary.skipped, summary.articles) == (200, n - 200)
    assert len(read_rows(out)) == 2 * n
    growth = marks[n] - marks[400]
    assert growth < 48_000, f"memory grew by {growth} bytes over {n - 400} articles"


# --------------------------------------------------------------------------- real articles, default model


def test_real_articles_match_check_many(baseline: Checker, tmp_path: Path):
    folder = need(POLNEAR / "dev" / "text")
    out = tmp_path / "claims.parquet"
    summary = run_batch(folder, out, baseline)
    paths = sorted(folder.glob("*.txt"))
    assert summary.articles == len(paths) and summary.errors == 0
    assert read_rows(out) == expected(baseline, [(p.name, read_article(p)) for p in paths])


def test_default_model_on_a_few_articles(checker: Checker, tmp_path: Path):
    pairs = make_archive(tmp_path / "arch", ["harbour.txt", "pier.txt", "zoo.txt"])
    out = tmp_path / "claims.jsonl"
    summary = run_batch(tmp_path / "arch", out, checker, batch_size=2)
    rows = read_rows(out)
    assert rows == expected(checker, pairs)
    assert summary.claims == len(rows)
    assert any(r["source"] and "Ida Brenn" in r["source"] for r in rows)


# --------------------------------------------------------------------------- Ray


@pytest.mark.filterwarnings("ignore::DeprecationWarning:ray.data.context")
def test_ray_engine_starts_and_stops_its_own_cluster(
    baseline: Checker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """A JSONL input with the archive's fields on a local cluster that run_batch starts
    (2 CPUs) and stops, asking for more workers than fit: the bytes the local engine writes."""
    ray = pytest.importorskip("ray")
    if ray.is_initialized():
        pytest.skip("a Ray cluster already runs in this process")
    monkeypatch.setattr(ray, "init", partial(ray.init, num_cpus=2, object_store_memory=150 * 1024 * 1024))
    monkeypatch.setattr(batch_inputs, "CHUNK_ARTICLES", 3)  # several read tasks
    lines = [
        json.dumps({"id": name, "text": text, "url": f"https://www.news{i % 2}.example/{i}", "n": i, "score": "A"})
        for i, (name, text) in enumerate(ARTICLES.items())
    ]
    src = tmp_path / "articles.jsonl"
    src.write_text("\n".join([*lines[:3], "not JSON", "", *lines[3:]]) + "\n", encoding="utf-8")
    local, distributed = tmp_path / "local.jsonl", tmp_path / "ray.jsonl"
    run_batch(src, local, baseline, batch_size=2)
    summary = run_batch(src, distributed, model="baseline", engine="ray", workers=4, batch_size=2)
    assert distributed.read_bytes() == local.read_bytes()
    rows = read_rows(distributed)
    assert {(r["outlet"], r["archive_score"]) for r in rows} == {("news0.example", "A"), ("news1.example", "A")}
    assert summary.fields == ["url", "n", "archive_score", "outlet"]
    assert read_errors(distributed) == read_errors(local) and len(read_errors(local)) == 1
    assert (summary.articles, summary.errors) == (len(ARTICLES), 1)
    assert not ray.is_initialized(), "the cluster run_batch started is stopped"


@pytest.fixture(scope="module")
def ray_cluster():
    ray = pytest.importorskip("ray")
    ray.init(num_cpus=2, include_dashboard=False, object_store_memory=150 * 1024 * 1024, logging_level="WARNING")
    yield ray
    ray.shutdown()


@pytest.mark.filterwarnings("ignore::DeprecationWarning:ray.data.context")
def test_ray_engine_matches_local_and_resumes(
    baseline: Checker, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, ray_cluster
):
    import pyarrow as pa

    # Parquet input in row groups of 2, read tasks of whole row groups: the rows and errors of the local engine,
    # with the archive's fields in their types
    monkeypatch.setattr(batch_inputs, "CHUNK_ARTICLES", 3)
    texts = [*ARTICLES.values(), "   "]
    src = tmp_path / "articles.parquet"
    n = len(texts)
    table = pa.table(
        {
            "id": [f"d{i}" for i in range(n)],
            "text": texts,
            "date": pa.array([datetime.date(2024, 5, 1 + i) for i in range(n)], pa.date32()),
            "section": pa.array(["local", "nature"] * (n // 2) + ["local"] * (n % 2)).dictionary_encode(),
            "url": [f"https://www.outlet{i % 3}.example/a{i}" for i in range(n)],
        }
    )
    pq.write_table(table, src, row_group_size=2)
    local, distributed = tmp_path / "local.parquet", tmp_path / "ray.parquet"
    run_batch(src, local, baseline, batch_size=2)
    summary = run_batch(src, distributed, model="baseline", engine="ray", workers=2, batch_size=2)
    assert pq.read_table(distributed).equals(pq.read_table(local))
    assert pq.read_table(distributed).schema.field("date").type == pa.date32()
    assert {r["outlet"] for r in read_rows(distributed)} == {"outlet0.example", "outlet1.example", "outlet2.example"}
    assert read_errors(distributed) == read_errors(local) and len(read_errors(local)) == 1
    assert (summary.articles, summary.errors) == (len(texts) - 1, 1)

    # a local run that crashed, finished by Ray: the rows of one uninterrupted run
    make_archive(tmp_path / "arch")
    reference, out = tmp_path / "reference.jsonl", tmp_path / "claims.jsonl"
    run_batch(tmp_path / "arch", reference, baseline, batch_size=2)
    with pytest.raises(Crash):
        run_batch(tmp_path / "arch", out, Flaky(baseline, crash_on=2), batch_size=2)
    with pytest.warns(UserWarning, match="already initialised in this process: address 'ray://elsewhere:10001'"):
        summary = run_batch(
            tmp_path / "arch",
            out,
            model="baseline",
            engine="ray",
            workers=1,
            batch_size=2,
            address="ray://elsewhere:10001",
        )
    assert summary.skipped == 2
    assert out.read_bytes() == reference.read_bytes()
    assert ray_cluster.is_initialized(), "a cluster the caller started is left running"


def test_ray_engine_wants_a_model_name(baseline: Checker, tmp_path: Path):
    with pytest.raises(BatchError, match="model="):
        run_batch([("a", "text")], tmp_path / "out.jsonl", baseline, engine="ray")


# --------------------------------------------------------------------------- CLI


def test_cli_batch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    from claimcheck import batch as batch_module
    from claimcheck.cli import app

    monkeypatch.chdir(tmp_path)
    make_archive(tmp_path / "arch", ["harbour.txt", "pier.txt"])
    runner = CliRunner()
    result = runner.invoke(app, ["batch", "arch", "out.parquet", "--model", "baseline", "--batch-size", "1"])
    assert result.exit_code == 0, result.output
    assert "2 articles checked" in result.stderr and "0 errors" in result.stderr
    assert len(read_rows(tmp_path / "out.parquet")) > 0

    result = runner.invoke(app, ["batch", "arch", "out.parquet", "--model", "baseline"])
    assert result.exit_code == 1 and "--overwrite" in result.stderr

    result = runner.invoke(app, ["batch", "nowhere", "out.jsonl", "--model", "baseline"])
    assert result.exit_code == 1 and "no such file or folder" in result.stderr

    result = runner.invoke(app, ["batch", "arch", "out.txt", "--model", "baseline"])
    assert result.exit_code == 1 and "unknown output extension" in result.stderr

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(batch_module, "run_batch", interrupted)
    result = runner.invoke(app, ["batch", "arch", "again.jsonl", "--model", "baseline"])
    assert result.exit_code == 130 and "rerun the same command to resume" in result.stderr


def test_cli_batch_example_articles(tmp_path: Path):
    from claimcheck.cli import app

    folder = need(EXAMPLES)
    result = CliRunner().invoke(app, ["batch", str(folder), str(tmp_path / "ex.jsonl"), "-m", "baseline"])
    assert result.exit_code == 0, result.output
    ids = {r["article_id"] for r in read_rows(tmp_path / "ex.jsonl")}
    assert ids == {p.relative_to(folder).as_posix() for p in folder.rglob("*.txt")}
