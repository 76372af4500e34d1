"""The wheel holds the library only: training/ and eval/ are scripts of the checkout."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_wheel_top_level_is_claimcheck_only(tmp_path):
    pytest.importorskip("build")
    result = subprocess.run(
        [sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(tmp_path), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    (wheel,) = tmp_path.glob("*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert {n.split("/")[0] for n in names} == {
        "claimcheck",
        f"{wheel.name.split('-')[0]}-{wheel.name.split('-')[1]}.dist-info",
    }
    assert "claimcheck/resources/models/tagger/config.json" in names  # the shipped models come along
    assert not [n for n in names if n.startswith(("training/", "eval/"))]


def test_ci_runs_the_readme_test_command_and_it_shows_skip_reasons():
    readme = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    (command,) = [line for line in readme if line.startswith("python3 -m venv") and "pytest" in line]
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").strip().splitlines()
    assert ci[-1] == command, ".ci/run must run exactly the README's test command"
    # -rs lists each skipped test with its reason (-rP would list only the passed tests' output)
    assert command.split("pytest", 1)[1].split() == ["-rs"]
