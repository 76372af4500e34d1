"""Tests for the ``claimcheck`` command (claimcheck.cli.app) through typer's CliRunner.

Click >= 8.2 keeps stderr apart: ``result.stdout`` is what the command printed,
``result.stderr`` its error console, ``result.output`` both as a user would see them.
Tests chdir into tmp_path and pass short relative paths, so that rich's 80-column
error console does not wrap the messages.
"""

from __future__ import annotations

import csv
import gc
import io
import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
import warnings
from pathlib import Path

import pytest
from typer.testing import CliRunner

from claimcheck.cli import app
from claimcheck.data import load_examples

# Made-up article texts, written for these tests.
ARTICLE_A = (
    "The ferry to Lornholm will stop in March, harbour master Ida Brenn said. "
    "Officials said fares would rise. The weather was mild.\n"
)
ARTICLE_B = "A report by the Tidewater Trust found the pier unsafe. Repairs will take a year, a source said.\n"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.txt").write_text(ARTICLE_A, encoding="utf-8")
    (tmp_path / "b.txt").write_text(ARTICLE_B, encoding="utf-8")
    return tmp_path


def n_claims(text: str) -> int:
    from claimcheck.pipeline import Checker

    return Checker.load().check(text).summary.n_claims


def check_offsets(record: dict) -> None:
    text = record["text"]
    for att in record["attributions"]:
        for role in ("source", "cue", "content"):
            for start, end in att[role]:
                assert 0 <= start < end <= len(text)
    for claim in record["claims"]:
        assert text[claim["start"] : claim["end"]] == claim["text"]


# --------------------------------------------------------------------------- check


def test_check_json(runner: CliRunner, work: Path):
    result = runner.invoke(app, ["check", "a.txt", "--format", "json"])
    assert result.exit_code == 0, result.output
    [record] = json.loads(result.stdout)
    assert {"attributions", "claims", "summary"} <= set(record)
    assert record["path"] == "a.txt"
    assert record["id"] == "a"
    assert record["text"] == ARTICLE_A
    assert record["attributions"], "the made-up article has attributed claims"
    check_offsets(record)
    # the named source's span covers "Ida Brenn"
    sources = [ARTICLE_A[s:e] for att in record["attributions"] for s, e in att["source"]]
    assert any("Ida Brenn" in s for s in sources)
    assert record["summary"]["n_claims"] == len(record["claims"])


def test_check_json_two_files_gives_a_list(runner: CliRunner, work: Path):
    result = runner.invoke(app, ["check", "a.txt", "b.txt", "-f", "json"])
    assert result.exit_code == 0, result.output
    records = json.loads(result.stdout)
    assert [r["path"] for r in records] == ["a.txt", "b.txt"]


def test_check_jsonl_two_files(runner: CliRunner, work: Path):
    result = runner.invoke(app, ["check", "a.txt", "b.txt", "--format", "jsonl"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    records = [json.loads(line) for line in lines]
    assert [r["path"] for r in records] == ["a.txt", "b.txt"]
    assert [r["text"] for r in records] == [ARTICLE_A, ARTICLE_B]
    for record in records:
        check_offsets(record)


def test_check_csv(runner: CliRunner, work: Path):
    result = runner.invoke(app, ["check", "a.txt", "b.txt", "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.reader(io.StringIO(result.stdout)))
    header, body = rows[0], rows[1:]
    assert header[:4] == ["path", "start", "end", "type"]
    assert "text" in header
    assert len(body) == n_claims(ARTICLE_A) + n_claims(ARTICLE_B)
    records = list(csv.DictReader(io.StringIO(result.stdout)))
    assert {r["path"] for r in records} == {"a.txt", "b.txt"}
    for r in records:
        text = ARTICLE_A if r["path"] == "a.txt" else ARTICLE_B
        assert text[int(r["start"]) : int(r["end"])] == r["text"]
    named = [r for r in records if "Ida Brenn" in r["source"]]
    assert named and named[0]["cue"] == "said"


def test_check_table_mentions_claim_count(runner: CliRunner, work: Path):
    result = runner.invoke(app, ["check", "a.txt"])
    assert result.exit_code == 0, result.output
    assert f"{n_claims(ARTICLE_A)} claims" in result.stdout
    assert "a.txt" in result.stdout
    assert "sourcing score" in result.stdout


def test_check_missing_file_among_good_ones(runner: CliRunner, work: Path):
    result = runner.invoke(app, ["check", "a.txt", "missing.txt", "--format", "jsonl"])
    assert result.exit_code == 1
    assert "missing.txt" in result.stderr
    assert "no such file" in result.stderr
    assert "missing.txt" not in result.stdout
    lines = result.stdout.splitlines()
    assert len(lines) == 1
    assert json.loads(lines[0])["path"] == "a.txt"


def test_check_missing_file_table(runner: CliRunner, work: Path):
    result = runner.invoke(app, ["check", "missing.txt", "a.txt"])
    assert result.exit_code == 1
    assert "missing.txt: no such file" in result.stderr
    assert f"{n_claims(ARTICLE_A)} claims" in result.stdout


def test_check_only_bad_files(runner: CliRunner, work: Path):
    (work / "empty.txt").write_text("", encoding="utf-8")
    result = runner.invoke(app, ["check", "empty.txt", "--format", "json"])
    assert result.exit_code == 1
    assert "empty.txt: empty article" in result.stderr
    assert result.stdout == ""


def test_check_stdin(runner: CliRunner, work: Path):
    result = runner.invoke(app, ["check", "-", "--format", "json"], input=ARTICLE_B.encode("utf-8"))
    assert result.exit_code == 0, result.output
    [record] = json.loads(result.stdout)
    assert record["path"] == "-"
    assert record["id"] == "stdin"
    assert record["text"] == ARTICLE_B
    check_offsets(record)


def test_check_stdin_binary_is_rejected(runner: CliRunner, work: Path):
    result = runner.invoke(app, ["check", "-"], input=b"\x00\x01\x02")
    assert result.exit_code == 1
    assert "<stdin>: looks like a binary file" in result.stderr


def test_check_out_writes_file(runner: CliRunner, work: Path):
    result = runner.invoke(app, ["check", "a.txt", "b.txt", "--format", "jsonl", "--out", "out/reports.jsonl"])
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    lines = (work / "out" / "reports.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["path"] for line in lines] == ["a.txt", "b.txt"]


@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")  # see test below
def test_check_out_table(runner: CliRunner, work: Path):
    result = runner.invoke(app, ["check", "a.txt", "-o", "table.txt"])
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert f"{n_claims(ARTICLE_A)} claims" in (work / "table.txt").read_text(encoding="utf-8")


def test_check_out_table_closes_file(runner: CliRunner, work: Path):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ResourceWarning)
        result = runner.invoke(app, ["check", "a.txt", "-o", "table.txt"])
        gc.collect()
    assert result.exit_code == 0, result.output
    assert not [w for w in caught if issubclass(w.category, ResourceWarning)]


def test_check_with_model_folder(runner: CliRunner, work: Path):
    from claimcheck.models.registry import MODELS_DIR

    result = runner.invoke(app, ["check", "a.txt", "-f", "json", "--model", str(MODELS_DIR / "baseline")])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)[0]["path"] == "a.txt"


def test_check_bad_model(runner: CliRunner, work: Path):
    result = runner.invoke(app, ["check", "a.txt", "--model", "/nonexistent"])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith("claimcheck: error:")
    assert "/nonexistent" in result.stderr
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)


def test_check_bad_model_error_is_one_line(runner: CliRunner, work: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("COLUMNS", raising=False)
    result = runner.invoke(app, ["check", "a.txt", "--model", "/nonexistent"])
    assert result.exit_code == 1
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_no_arguments_shows_help(runner: CliRunner):
    result = runner.invoke(app, [])
    assert "check" in result.output
    assert "convert" in result.output


# --------------------------------------------------------------------------- the report explains itself

# Made up for these tests: a named source whose words are longer than the old table's source column
# (9 characters at 80 columns), a weasel attribution that flags the article, and an unattributed claim.
ARTICLE_C = (
    "The tunnel will reopen in May, said Rosalind Abernathy-Kowalczyk, the transit authority's chief engineer. "
    "Critics say the delay was predictable. The tunnel carried 9,000 cars a day.\n"
)


def table_column(output: str, index: int) -> str:
    """The text of a rich table's column (0: left of the first border), its wrapped lines joined."""
    cells = [line.split("│")[index] for line in output.splitlines() if line.count("│") > index]
    return " ".join(" ".join(cells).split())


@pytest.fixture
def article_c(work: Path) -> Path:
    (work / "c.txt").write_text(ARTICLE_C, encoding="utf-8")
    return work / "c.txt"


def test_check_json_one_file_is_the_report_and_path(runner: CliRunner, article_c: Path, checker):
    """One file gives the same shape as several, a list; each record is report.to_dict() plus path."""
    result = runner.invoke(app, ["check", "c.txt", "--format", "json"])
    assert result.exit_code == 0, result.output
    records = json.loads(result.stdout)
    assert isinstance(records, list)
    assert records == [{**checker.check(ARTICLE_C, id="c").to_dict(), "path": "c.txt"}]


def test_check_table_shows_flags_and_reasons(runner: CliRunner, article_c: Path, checker, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    report = checker.check(ARTICLE_C, id="c")
    assert report.summary.flags, "the made-up article has a weasel attribution"
    result = runner.invoke(app, ["check", "c.txt"])
    assert result.exit_code == 0, result.output
    for flag in report.summary.flags:
        assert flag.code in result.stdout
    claims = table_column(result.stdout, 4)
    for claim in report.claims:
        assert claim.reasons[0].text in claims, f"no reason for {claim.text!r}"
    # only the top reason by default; --verbose gives them all, with their codes
    all_codes = {r.code for c in report.claims for r in c.reasons}
    assert not any(f"({code})" in claims for code in all_codes)
    verbose = runner.invoke(app, ["check", "c.txt", "--verbose"])
    assert verbose.exit_code == 0, verbose.output
    claims = table_column(verbose.stdout, 4)
    for claim in report.claims:
        for r in claim.reasons:
            assert f"{r.text} ({r.code})" in claims


def test_check_table_keeps_names_whole_at_80_columns_when_piped(
    runner: CliRunner, article_c: Path, checker, monkeypatch
):
    """CliRunner's stdout is no terminal, like a pipe: names wrap between words, never cut to "Rosalin…"."""
    monkeypatch.setenv("COLUMNS", "80")
    result = runner.invoke(app, ["check", "c.txt"])
    assert result.exit_code == 0, result.output
    assert max(len(line) for line in result.stdout.splitlines()) <= 80
    assert "…" not in result.stdout
    lines = result.stdout.splitlines()
    report = checker.check(ARTICLE_C, id="c")
    sources = [a.text_of("source", ARTICLE_C) for a in report.attributions if a.source]
    assert any("Abernathy-Kowalczyk" in s for s in sources)
    for source in sources:
        for word in source.split():
            assert any(word in line for line in lines), f"{word!r} of {source!r} is cut"


def test_check_table_piped_without_columns_is_100_wide(runner: CliRunner, article_c: Path, monkeypatch):
    monkeypatch.delenv("COLUMNS", raising=False)
    result = runner.invoke(app, ["check", "c.txt"])
    assert result.exit_code == 0, result.output
    assert max(len(line) for line in result.stdout.splitlines()) == 100


def test_version(runner: CliRunner):
    from claimcheck import __version__

    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"claimcheck {__version__}"


COMMANDS = [
    [],
    ["check"],
    ["batch"],
    ["dashboard"],
    ["convert"],
    ["label"],
    ["eval"],
    ["train"],
    ["fit-scoring"],
    ["serve"],
    ["models"],
    ["models", "list"],
    ["models", "default"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "claimcheck")
def test_help_has_examples_and_no_markup(runner: CliRunner, command: list[str], monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    result = runner.invoke(app, [*command, "--help"])
    assert result.exit_code == 0, result.output
    help_text = result.stdout
    assert "Examples:" in help_text
    assert f"claimcheck {' '.join(command)}".strip() in help_text
    assert "`" not in help_text  # docstring markup (``claimcheck``) shown raw
    assert not re.search(r"<[a-z][^<>]*>", help_text), "a type placeholder such as <bool> or <list[Path]>"
    assert max(len(line) for line in help_text.splitlines()) <= 80


def test_help_lists_formats_whole_and_describes_batch_size(runner: CliRunner, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    result = runner.invoke(app, ["check", "--help"])
    words = re.findall(r"[\w-]+", result.stdout)
    for fmt in ("table", "json", "jsonl", "csv", "markdown", "html", "labels"):
        assert fmt in words, f"format {fmt} is missing or broken in --help"
    batch_size = next(line for line in result.stdout.splitlines() if "--batch-size" in line)
    assert re.search(r"[a-z]{3,}", batch_size.split("--batch-size", 1)[1]), "--batch-size has no description"


def test_model_help_names_the_shipped_models_and_the_default(runner: CliRunner, monkeypatch):
    from claimcheck.models.registry import DEFAULT_MODEL, list_models

    monkeypatch.setenv("COLUMNS", "80")
    result = runner.invoke(app, ["check", "--help"])
    words = set(re.findall(r"[\w.-]+", result.stdout))
    shipped = [m["name"] for m in list_models() if m["origin"] == "shipped"]
    assert shipped and set(shipped) <= words
    assert f"default is {DEFAULT_MODEL}" in " ".join(result.stdout.replace("│", " ").split())


def test_models_alone_lists_them(runner: CliRunner, monkeypatch):
    from claimcheck.models.registry import list_models

    monkeypatch.setenv("COLUMNS", "80")
    result = runner.invoke(app, ["models"])
    assert result.exit_code == 0, result.output
    assert result.stdout == runner.invoke(app, ["models", "list"]).stdout
    for m in list_models():
        assert m["name"] in result.stdout
    assert "default" in result.stderr


def _starred(stdout: str) -> list[str]:
    """The names of the rows of 'claimcheck models' that carry the default's star."""
    rows = ([cell.strip() for cell in line.split("│")] for line in stdout.splitlines())
    return [cells[2] for cells in rows if len(cells) > 3 and cells[1] == "*"]


@pytest.mark.parametrize("inside", [True, False], ids=["in-models-folder", "elsewhere"])
def test_models_default_folder_is_listed_and_starred(runner: CliRunner, work: Path, monkeypatch, inside: bool):
    """A folder given to 'models default' (relative, as typed) is listed and starred, wherever it lies."""
    from claimcheck.models.registry import load_model, save_model

    settings = work / "config.yaml"
    settings.write_text(f"models_dir: {work / 'models'}\n", encoding="utf-8")
    monkeypatch.setenv("CLAIMCHECK_CONFIG", str(settings))
    monkeypatch.setenv("COLUMNS", "200")
    folder = Path("models/newsroom" if inside else "elsewhere/newsroom")
    save_model(load_model("baseline"), folder)
    result = runner.invoke(app, ["models", "default", str(folder)])
    assert result.exit_code == 0, result.output
    monkeypatch.chdir(work.parent)  # the setting holds wherever the next command runs
    listed = runner.invoke(app, ["models"])
    assert listed.exit_code == 0, listed.output
    assert _starred(listed.stdout) == ["newsroom"]
    assert runner.invoke(app, ["models", "default", "--reset"]).exit_code == 0
    assert _starred(runner.invoke(app, ["models"]).stdout) == ["tagger"]


def test_models_says_what_a_model_on_an_uninstalled_large_encoder_needs(runner: CliRunner, work: Path, monkeypatch):
    """A model whose base encoder is assembled by command is listed with the commands that
    make it usable, not left to fail at load (e.g. tagger-large before its encoder is installed)."""
    import json

    from claimcheck.models.registry import MODELS_DIR, list_models

    settings = work / "config.yaml"
    settings.write_text(f"models_dir: {work / 'models'}\n", encoding="utf-8")
    monkeypatch.setenv("CLAIMCHECK_CONFIG", str(settings))
    monkeypatch.setenv("CLAIMCHECK_CACHE", str(work / "empty-cache"))
    monkeypatch.setenv("COLUMNS", "200")
    folder = work / "models" / "big"
    folder.mkdir(parents=True)
    config = json.loads((MODELS_DIR / "tagger" / "config.json").read_text(encoding="utf-8"))
    config["settings"]["base_encoder"] = "all-mpnet-base-v2"
    (folder / "config.json").write_text(json.dumps(config), encoding="utf-8")
    listed = {m["name"]: m for m in list_models()}
    assert "claimcheck encoders install all-mpnet-base-v2" in listed["big"]["needs"]
    assert listed["tagger"]["needs"] is None
    result = runner.invoke(app, ["models"])
    assert result.exit_code == 0, result.output
    assert "not ready" in result.stdout
    assert "big needs its base encoder" in result.stderr and "encoders install all-mpnet-base-v2" in result.stderr


# --------------------------------------------------------------------------- convert


TEXT_BRAT = "Prices rose again, the bureau reported.\nThe plan failed, aides said.\n"
ANN_BRAT = (
    "T1\tContent 0 17\tPrices rose again\n"
    "T2\tSource 19 29\tthe bureau\n"
    "T3\tCue 30 38\treported\n"
    "E1\tContent:T1 Source:T2 Cue:T3\n"
    "T4\tContent 40 55\tThe plan failed\n"
    "T5\tSource 57 62\taides\n"
    "T6\tCue 63 67\tsaid\n"
    "E2\tContent:T4 Source:T5 Cue:T6\n"
)


def make_brat(root: Path) -> Path:
    (root / "text").mkdir(parents=True)
    (root / "attributions").mkdir()
    (root / "text" / "prices.txt").write_text(TEXT_BRAT, encoding="utf-8")
    (root / "attributions" / "prices_x1.ann").write_text(ANN_BRAT, encoding="utf-8")
    return root


def test_convert(runner: CliRunner, work: Path):
    assert TEXT_BRAT[19:29] == "the bureau" and TEXT_BRAT[57:62] == "aides"
    make_brat(work / "brat")
    result = runner.invoke(app, ["convert", "brat", "labels.jsonl"])
    assert result.exit_code == 0, result.output
    assert "wrote 1 articles, 2 attributions" in result.stderr
    examples = load_examples(work / "labels.jsonl")
    assert len(examples) == 1
    ex = examples[0]
    assert ex.id == "prices"
    assert ex.text == TEXT_BRAT
    assert [a.source for a in ex.attributions] == [[(19, 29)], [(57, 62)]]
    assert [a.content for a in ex.attributions] == [[(0, 17)], [(40, 55)]]


def test_convert_bad_folder(runner: CliRunner, work: Path):
    (work / "notbrat").mkdir()
    result = runner.invoke(app, ["convert", "notbrat", "labels.jsonl"])
    assert result.exit_code == 1
    assert "not a BRAT directory" in result.stderr
    assert not (work / "labels.jsonl").exists()


# --------------------------------------------------------------------------- eval


def rng(text: str, sub: str, after: str = "") -> list[int]:
    start = text.index(sub, text.index(after) if after else 0)
    return [start, start + len(sub)]


def labelled_rows() -> list[dict]:
    a, b = ARTICLE_A, ARTICLE_B
    return [
        {
            "id": "ferry",
            "text": a,
            "attributions": [
                {
                    "id": "E1",
                    "source": [rng(a, "harbour master Ida Brenn")],
                    "cue": [rng(a, "said")],
                    "content": [rng(a, "The ferry to Lornholm will stop in March")],
                    "type": "named_person",
                    "quality": 4,
                },
                {
                    "id": "E2",
                    "source": [rng(a, "Officials")],
                    "cue": [rng(a, "said", after="Officials")],
                    "content": [rng(a, "fares would rise")],
                    "type": "unnamed_group",
                    "quality": 2,
                },
            ],
        },
        {
            "id": "pier",
            "text": b,
            "attributions": [
                {
                    "id": "E1",
                    "source": [rng(b, "A report by the Tidewater Trust")],
                    "cue": [rng(b, "found")],
                    "content": [rng(b, "the pier unsafe")],
                    "type": "document",
                    "quality": 3,
                },
                {
                    "id": "E2",
                    "source": [rng(b, "a source")],
                    "cue": [rng(b, "said")],
                    "content": [rng(b, "Repairs will take a year")],
                    "type": "anonymous",
                    "quality": 1,
                },
            ],
        },
    ]


def test_eval_writes_metrics(runner: CliRunner, work: Path):
    rows = labelled_rows()
    (work / "labels.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    assert len(load_examples(work / "labels.jsonl")) == 2
    result = runner.invoke(app, ["eval", "labels.jsonl", "--out", "metrics.json"])
    assert result.exit_code == 0, result.output
    metrics = json.loads((work / "metrics.json").read_text(encoding="utf-8"))
    assert {"spans", "types", "claims", "quality", "speed"} <= set(metrics)
    assert metrics["n_articles"] == 2
    assert metrics["n_gold_attributions"] == 4
    assert metrics["data"] == "labels.jsonl"
    assert set(metrics["spans"]) >= {"source", "cue", "content"}
    assert metrics["speed"]["articles_per_s"] is None or metrics["speed"]["articles_per_s"] > 0
    assert "types.accuracy" in result.stdout


def test_eval_on_brat_folder(runner: CliRunner, work: Path):
    make_brat(work / "brat")
    result = runner.invoke(app, ["eval", "brat", "-o", "m.json"])
    assert result.exit_code == 0, result.output
    metrics = json.loads((work / "m.json").read_text(encoding="utf-8"))
    assert metrics["n_articles"] == 1
    assert metrics["n_gold_attributions"] == 2


def test_eval_bad_labels(runner: CliRunner, work: Path):
    rows = labelled_rows()
    rows[1]["attributions"][0]["quality"] = 9
    (work / "labels.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    result = runner.invoke(app, ["eval", "labels.jsonl", "--out", "metrics.json"])
    assert result.exit_code == 1
    assert "labels.jsonl:2:" in result.stderr
    assert "quality" in result.stderr
    assert not (work / "metrics.json").exists()


def test_eval_missing_file(runner: CliRunner, work: Path):
    result = runner.invoke(app, ["eval", "nothere.jsonl"])
    assert result.exit_code == 1
    assert "nothere.jsonl" in result.stderr
    assert "Traceback" not in result.output


def test_convert_between_label_formats_round_trips(tmp_path, monkeypatch):
    from claimcheck.data import load_examples

    monkeypatch.chdir(tmp_path)
    article = tmp_path / "a.txt"
    article.write_text("Mayor Ann Ortiz said the bridge will reopen. Critics say it will not.", encoding="utf-8")
    runner = CliRunner()
    result = runner.invoke(app, ["check", str(article), "--format", "labels", "--out", "pred.jsonl"])
    assert result.exit_code == 0, result.output
    original = load_examples("pred.jsonl")
    assert original[0].attributions and original[0].attributions[0].label_source == "predicted"
    assert runner.invoke(app, ["convert", "pred.jsonl", "ls.json"]).exit_code == 0
    assert runner.invoke(app, ["convert", "ls.json", "brat"]).exit_code == 0
    assert runner.invoke(app, ["convert", "brat", "back.jsonl"]).exit_code == 0
    back = load_examples("back.jsonl")
    for want, got in zip(original[0].attributions, back[0].attributions, strict=True):
        assert (got.source, got.cue, got.content, got.type, got.quality) == (
            want.source,
            want.cue,
            want.content,
            want.type,
            want.quality,
        )


# --------------------------------------------------------------------------- one error handler


def _error_types() -> list[type[Exception]]:
    import claimcheck.errors

    return [
        v
        for v in vars(claimcheck.errors).values()
        if isinstance(v, type) and issubclass(v, Exception) and v.__module__ == "claimcheck.errors"
    ]


def test_every_error_type_is_a_claimcheck_error_and_is_the_one_its_module_names():
    import claimcheck.batch
    import claimcheck.credibility
    import claimcheck.dashboard
    import claimcheck.data
    import claimcheck.io.documents
    import claimcheck.models.registry
    import claimcheck.training.config
    from claimcheck.errors import ClaimcheckError

    names = {t.__name__ for t in _error_types()}
    assert names == {
        "ClaimcheckError",
        "ModelError",
        "ConfigError",
        "DataError",
        "InputError",
        "RatingsError",
        "BatchError",
        "OutputError",
        "DashboardError",
    }
    assert all(issubclass(t, ClaimcheckError) for t in _error_types())
    for module, name in [
        (claimcheck.batch, "BatchError"),
        (claimcheck.credibility, "RatingsError"),
        (claimcheck.dashboard, "DashboardError"),
        (claimcheck.data, "DataError"),
        (claimcheck.io.documents, "InputError"),
        (claimcheck.models.registry, "ModelError"),
        (claimcheck.training.config, "ConfigError"),
    ]:
        assert getattr(module, name) is getattr(claimcheck.errors, name)  # old imports keep working


@pytest.mark.parametrize("error", [*_error_types(), FileNotFoundError])
def test_cli_prints_every_error_as_one_line(
    error: type[Exception], runner: CliRunner, work: Path, monkeypatch: pytest.MonkeyPatch
):
    import claimcheck.io

    def fails(*args, **kwargs):
        raise error("labels.jsonl:3: something is wrong\n  [bold]and here[/bold] is why")

    monkeypatch.setattr(claimcheck.io, "read_labels", fails)
    result = runner.invoke(app, ["convert", "labels.jsonl", "out.jsonl"])
    assert result.exit_code == 1
    assert result.stderr == "claimcheck: error: labels.jsonl:3: something is wrong [bold]and here[/bold] is why\n"
    assert result.stdout == "" and isinstance(result.exception, SystemExit)


def test_cli_lets_a_bug_keep_its_traceback(runner: CliRunner, work: Path, monkeypatch: pytest.MonkeyPatch):
    import claimcheck.io

    def bug(*args, **kwargs):
        raise KeyError("not an error the user can fix")

    monkeypatch.setattr(claimcheck.io, "read_labels", bug)
    result = runner.invoke(app, ["convert", "labels.jsonl", "out.jsonl"])
    assert isinstance(result.exception, KeyError)


def test_precision_option_takes_the_library_values(runner: CliRunner, work: Path):
    result = runner.invoke(app, ["check", "a.txt", "--model", "baseline", "--precision", "int8"])
    assert result.exit_code == 1
    assert result.stderr == ("claimcheck: error: the baseline.v1 model has no precision setting (it runs no network)\n")
    result = runner.invoke(app, ["check", "a.txt", "--precision", "fp8"])
    assert result.exit_code == 2 and "'fp8' is not one of" in result.stderr  # typer's usage error


# --------------------------------------------------------------------------- output: -o -, links, atomic, streaming


def test_check_out_dash_is_stdout(runner: CliRunner, work: Path):
    result = runner.invoke(app, ["check", "a.txt", "b.txt", "-f", "jsonl", "-o", "-"])
    assert result.exit_code == 0, result.output
    assert [json.loads(line)["path"] for line in result.stdout.splitlines()] == ["a.txt", "b.txt"]
    assert not (work / "-").exists(), "no file named -"


def test_check_csv_streams_one_header(runner: CliRunner, work: Path):
    """CSV is written an article at a time (--batch-size 1): still one header, then every row."""
    whole = runner.invoke(app, ["check", "a.txt", "b.txt", "-f", "csv"])
    streamed = runner.invoke(app, ["check", "a.txt", "b.txt", "-f", "csv", "--batch-size", "1", "-o", "out.csv"])
    assert streamed.exit_code == 0, streamed.output
    text = (work / "out.csv").read_text(encoding="utf-8")
    assert text == whole.stdout and text.count("path,start,end") == 1


def test_check_markdown_streamed_equals_whole(runner: CliRunner, work: Path):
    from claimcheck.formats import to_markdown
    from claimcheck.pipeline import Checker

    checker = Checker.load()
    want = to_markdown([("a.txt", checker.check(ARTICLE_A, "a")), ("b.txt", checker.check(ARTICLE_B, "b"))])
    result = runner.invoke(app, ["check", "a.txt", "b.txt", "-f", "markdown", "--batch-size", "1"])
    assert result.exit_code == 0, result.output
    assert result.stdout == want


def test_check_out_symlink_is_written_through(runner: CliRunner, work: Path):
    (work / "store").mkdir()
    (work / "store" / "r.jsonl").write_text("old\n", encoding="utf-8")
    (work / "r.jsonl").symlink_to(work / "store" / "r.jsonl")
    result = runner.invoke(app, ["check", "a.txt", "-f", "jsonl", "-o", "r.jsonl"])
    assert result.exit_code == 0, result.output
    assert (work / "r.jsonl").is_symlink()
    assert json.loads((work / "store" / "r.jsonl").read_text(encoding="utf-8"))["path"] == "a.txt"


def test_check_out_table_keeps_the_old_file_when_the_run_fails(
    runner: CliRunner, work: Path, monkeypatch: pytest.MonkeyPatch
):
    """The table used to be written into the file in place: a failure left half of it."""
    import claimcheck.report_writer as writer

    calls = []
    real = writer.print_table

    def failing_second(console, name, report, verbose=False):
        calls.append(name)
        if len(calls) == 2:
            raise RuntimeError("the renderer fails")
        real(console, name, report, verbose)

    monkeypatch.setattr(writer, "print_table", failing_second)
    (work / "table.txt").write_text("the previous report\n", encoding="utf-8")
    result = runner.invoke(app, ["check", "a.txt", "b.txt", "-o", "table.txt"])
    assert result.exit_code != 0 and isinstance(result.exception, RuntimeError)
    assert (work / "table.txt").read_text(encoding="utf-8") == "the previous report\n"
    assert sorted(p.name for p in work.iterdir() if p.name.startswith(".")) == [], "no temporary file left"


def test_check_nothing_checked_leaves_the_output_alone(runner: CliRunner, work: Path):
    (work / "out.jsonl").write_text("kept\n", encoding="utf-8")
    result = runner.invoke(app, ["check", "missing.txt", "-f", "jsonl", "-o", "out.jsonl"])
    assert result.exit_code == 1
    assert (work / "out.jsonl").read_text(encoding="utf-8") == "kept\n"


def test_eval_out_dash_puts_the_metrics_json_on_stdout(runner: CliRunner, work: Path):
    rows = labelled_rows()
    (work / "labels.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    result = runner.invoke(app, ["eval", "labels.jsonl", "-o", "-"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["n_articles"] == 2, "stdout is the JSON alone; the tables go to stderr"
    assert "types.accuracy" in result.stderr
    assert not (work / "-").exists()


def test_convert_to_dash_writes_jsonl_to_stdout(runner: CliRunner, work: Path):
    make_brat(work / "brat")
    result = runner.invoke(app, ["convert", "brat", "-"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout.splitlines()[0])["id"] == "prices"
    assert not (work / "-").exists()
    refused = runner.invoke(app, ["convert", "brat", "-", "--to", "brat"])
    assert refused.exit_code == 1 and "standard output" in refused.stderr


def _start_check(work: Path, *args: str) -> subprocess.Popen:
    """``claimcheck check a.txt slow ...`` in a child process, where ``slow`` is a FIFO nobody
    writes: reading it never ends, like an input on a hung network drive."""
    os.mkfifo(work / "slow.txt")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1]), "OMP_NUM_THREADS": "1"}
    cmd = [sys.executable, "-m", "claimcheck", "check", "a.txt", "slow.txt", "-m", "baseline", "--batch-size", "1"]
    return subprocess.Popen(
        [*cmd, *args], cwd=work, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL
    )


def _wait_for(condition, seconds: float = 120) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def test_check_streams_each_finished_file_to_stdout(work: Path):
    """The first file's row is out (and flushed) while the second is still being read; a
    kill then keeps it. The old command read every file before it checked any."""
    proc = _start_check(work, "-f", "jsonl")
    lines: list[bytes] = []
    reader = threading.Thread(target=lambda: lines.append(proc.stdout.readline()), daemon=True)
    reader.start()
    try:
        reader.join(120)
    finally:
        proc.kill()
        proc.wait()
    assert lines and lines[0], f"no row before the kill; stderr: {proc.stderr.read().decode()[-2000:]}"
    assert json.loads(lines[0])["path"] == "a.txt"


def test_check_stopped_by_sigterm_keeps_the_finished_files(work: Path):
    """``timeout`` sends SIGTERM: the finished file's row lands in the -o file (exit 130)."""
    out = work / "out.jsonl"
    proc = _start_check(work, "-f", "jsonl", "-o", "out.jsonl")

    def first_row_written() -> bool:  # in the hidden temporary file beside out.jsonl
        return any(p.stat().st_size for p in work.glob(".out.jsonl.*.tmp"))

    try:
        written = _wait_for(first_row_written)
        proc.send_signal(signal.SIGTERM)
        proc.wait(60)
    finally:
        proc.kill()
        proc.wait()
    stderr = proc.stderr.read().decode()
    assert written, f"the first file's row was never written; stderr: {stderr[-2000:]}"
    assert proc.returncode == 130, stderr
    assert [json.loads(line)["path"] for line in out.read_text(encoding="utf-8").splitlines()] == ["a.txt"]
    assert "interrupted" in stderr and not list(work.glob(".out.jsonl.*"))
