"""claimcheck eval and fit-scoring read labels through the one reader of labelled data
(claimcheck.io.read_labels): every labels format, the same examples."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from claimcheck.cli import app
from claimcheck.data import ROLES, Attribution, LabelledExample
from claimcheck.evaluation.harness import summarize_metrics
from claimcheck.io import LABEL_FORMATS, write_labels

# Made-up article text, written for this test.
TEXT = "The ferry will stop in March, harbour master Ida Brenn said. Officials said fares would rise."


def at(sub: str, after: int = 0) -> tuple[int, int]:
    start = TEXT.index(sub, after)
    return start, start + len(sub)


EXAMPLE = LabelledExample(
    id="ferry",
    text=TEXT,
    attributions=[
        Attribution(
            id="E1",
            source=[at("harbour master Ida Brenn")],
            cue=[at("said")],
            content=[at("The ferry will stop in March")],
            type="named_person",
        ),
        Attribution(
            id="E2",
            source=[at("Officials")],
            cue=[at("said", after=TEXT.index("Officials"))],
            content=[at("fares would rise")],
            type="anonymous",
        ),
    ],
)
PATHS = {"jsonl": "labels.jsonl", "brat": "labels-brat", "labelstudio": "labels.json"}


@pytest.mark.parametrize("fmt", LABEL_FORMATS)
def test_eval_reads_every_labels_format(fmt: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    write_labels(PATHS[fmt], [EXAMPLE], fmt)
    result = CliRunner().invoke(app, ["eval", PATHS[fmt], "--model", "baseline", "--out", "m.json"])
    assert result.exit_code == 0, result.output
    metrics = json.loads(Path("m.json").read_text(encoding="utf-8"))
    assert (metrics["n_articles"], metrics["n_gold_attributions"]) == (1, 2)
    assert metrics["claims"]["n"] == 2


def test_eval_reports_both_span_definitions(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.chdir(tmp_path)
    write_labels(PATHS["jsonl"], [EXAMPLE], "jsonl")
    result = CliRunner().invoke(app, ["eval", PATHS["jsonl"], "--model", "baseline", "--out", "m.json"])
    assert result.exit_code == 0, result.output
    assert "CofeNet" in result.output  # a table of the figures by CofeNet's definition
    metrics = json.loads(Path("m.json").read_text(encoding="utf-8"))
    summary = summarize_metrics(metrics)
    for role in ROLES:
        assert summary[f"{role}.exact_f1"] == metrics["spans"][role]["exact"]["f1"]
        assert summary[f"cofenet.{role}.exact_f1"] == metrics["cofenet"][role]["exact"]["f1"]
    assert metrics["cofenet"]["n_instances"] == 1
