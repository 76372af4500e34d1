"""The service under load (eval/loadtest.py, small): zero errors, bad requests answered
413/422 while good ones keep getting 200, and the server up and answering afterwards."""

from __future__ import annotations

import json
import random

import pytest

pytest.importorskip("uvicorn", reason="the service needs the serve extra: pip install 'claimcheck[serve]'")

from eval.loadtest import bad_requests, main, make_article, plan, run_loadtest


def test_plan_interleaves_every_kind_of_bad_request():
    requests = plan(240, 0.1, max_bytes=10_000)
    positions = [i for i, r in enumerate(requests) if r.expect != 200]
    bad = [requests[i] for i in positions]
    assert len(bad) == 24
    assert {r.kind for r in bad} == {r.kind for r in bad_requests(10_000)}
    assert positions[0] < 20 and positions[-1] > 200, "spread over the run"
    assert {r.expect for r in bad} == {413, 422}
    assert len({make_article(random.Random(s)) for s in range(20)}) == 20


def test_small_load_on_the_default_model(tmp_path):
    report = run_loadtest(requests=100, clients=8, max_seconds=300, max_bytes=20_000, bad_share=0.15, threads=1)
    print({k: report.get(k) for k in ("requests_per_s", "latency_ms", "status_counts", "health_during_load")})
    assert not report["aborted"], report.get("server_log_tail")
    assert report["errors"] == 0, report["error_examples"]
    assert report["requests"] == 100
    counts = report["status_counts"]
    assert counts["200"] == report["good_requests"] == 85
    assert counts["413"] + counts["422"] == report["bad_requests"] == 15
    assert all(kind.endswith(("->413", "->422")) for kind in report["bad_kinds"])
    assert report["health_during_load"]["failed"] == 0
    assert report["server_alive"] and report["answered_after_bad_requests"]
    assert report["server_exit_code"] == 0, "stopped cleanly"


def test_command_line_writes_the_report_and_a_time_bound_aborts(tmp_path, capsys):
    out = tmp_path / "load.json"
    argv = ["--requests", "20000", "--clients", "4", "--model", "baseline", "--max-seconds", "6", "--out", str(out)]
    code = main(argv)
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["aborted"] and code == 1, "20,000 requests do not fit in 6 s: the run stops at the bound"
    assert 0 < report["requests"] < 20_000 and report["errors"] == 0, report.get("startup_error")
    assert report["total_s"] > 0 and report["server_exit_code"] is not None  # how long it took is bench work
    assert '"aborted": true' in capsys.readouterr().out
