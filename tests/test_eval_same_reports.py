"""eval/same_reports.py: two checkouts' reports compared byte for byte, naming the files and
fields that differ."""

from __future__ import annotations

from pathlib import Path

import pytest

from eval.same_reports import compare, main

REPO = Path(__file__).resolve().parents[1]

#: a stand-in checkout whose ``python -m claimcheck check FILES --format jsonl`` writes one
#: report a file, its ``score`` read from the file's first line times FACTOR
STUB = """import json, sys
files = [a for a in sys.argv[2:] if not a.startswith("-") and a != "jsonl"]
for f in files:
    value = float(open(f).readline()) * FACTOR
    print(json.dumps({"path": f, "claims": [{"text": "x"}], "score": value}))
"""


def _stub_checkout(root: Path, factor: float) -> Path:
    package = root / "claimcheck"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "__main__.py").write_text(f"FACTOR = {factor}\n{STUB}")
    return root


def test_reports_that_differ_are_named_with_their_fields(tmp_path, capsys):
    files = []
    for name, first_line in (("a.txt", "0"), ("b.txt", "2")):
        (tmp_path / name).write_text(first_line + "\n")
        files.append(tmp_path / name)
    before, after = _stub_checkout(tmp_path / "before", 1.0), _stub_checkout(tmp_path / "after", 1.5)
    differing, claims = compare(before, after, files, [])
    assert differing == {str(files[1]): ["score"]} and claims == 2  # 0 * 1.5 is still 0
    assert compare(before, before, files, []) == ({}, 2)
    with pytest.raises(SystemExit) as stop:
        main([*map(str, files), "--before", str(before), "--after", str(after)])
    assert stop.value.code == 1
    out = capsys.readouterr().out
    assert f"differs: {files[1]}: score" in out and "2 files, 2 claims: 1 identical, 1 differ" in out


def test_this_checkout_agrees_with_itself(tmp_path):
    article = tmp_path / "ferry.txt"
    article.write_text("The ferry will stop in March, harbour master Ida Brenn said.\n", encoding="utf-8")
    differing, claims = compare(REPO, REPO, [article], ["--model", "baseline"])
    assert differing == {} and claims >= 1
