"""Tests for ``claimcheck batch --engine ray`` (claimcheck.batch.ray_engine) on a cluster as
Ray runs one: a head and a worker, each its own ``ray start`` process (eval/ray_cluster.py),
with token authentication where the installed Ray has it. The command runs as a user runs
it, in a process of its own that joins the cluster by address.

The tests skip, with ``ray start``'s own last words, where Ray cannot start here. Each node
has one CPU and 100 MB of object store.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest

from claimcheck.batch import run_batch
from claimcheck.batch.ray_engine import _cannot_connect
from claimcheck.pipeline import Checker
from eval import ray_cluster

from .conftest import REPO
from .test_batch import ARTICLES

pa = pytest.importorskip("pyarrow")
pq = pytest.importorskip("pyarrow.parquet")


@pytest.fixture(scope="module")
def cluster():
    """A head and one worker node, torn down at the end (also when a test fails)."""
    pytest.importorskip("ray")
    # the nodes' workers import the claimcheck under test, as each node of a real cluster must have it
    path = {"PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
    try:
        started = ray_cluster.RayCluster(workers=1, cpus=1, token=ray_cluster.token_auth_supported(), env=path)
    except ray_cluster.RayCannotStart as e:
        pytest.skip(f"Ray cannot start a cluster here: {e}")
    try:
        yield started
    finally:
        started.stop()


def batch(cluster, env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "claimcheck", "batch", *args, "--engine", "ray", "--address", cluster.address]
    return subprocess.run(command, env=env, cwd=REPO, capture_output=True, text=True, timeout=540)


def archive(path: Path) -> Path:
    """Made-up articles (tests/test_batch.py's) with the archive's fields, typed, in row groups of 2."""
    texts = list(ARTICLES.values())
    n = len(texts)
    table = pa.table(
        {
            "id": [f"a{i}" for i in range(n)],
            "text": texts,
            "date": pa.array([dt.date(2024, 5, 1 + i) for i in range(n)], pa.date32()),
            "section": pa.array([["local", "nature"][i % 2] for i in range(n)]).dictionary_encode(),
            "source": [f"desk {i}" for i in range(n)],  # an output column's name: archive_source
            "url": [f"https://www.outlet{i % 3}.example/a{i}" for i in range(n)],
        }
    )
    pq.write_table(table, path, row_group_size=2)
    return path


def test_a_two_node_cluster_gives_the_local_engines_rows(cluster, tmp_path: Path):
    src = archive(tmp_path / "archive.parquet")
    local, distributed = tmp_path / "local.parquet", tmp_path / "ray.parquet"
    run_batch(src, local, Checker.load("baseline"), batch_size=2)
    done = batch(
        cluster, cluster.env, str(src), str(distributed), "-m", "baseline", "--workers", "2", "--batch-size", "2"
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert f"{len(ARTICLES)} articles checked" in done.stderr
    got, want = pq.read_table(distributed), pq.read_table(local)
    assert got.equals(want)
    assert got.column_names[-5:] == ["date", "section", "archive_source", "url", "outlet"]
    assert got.schema.field("date").type == pa.date32()
    assert {r["outlet"] for r in got.to_pylist()} == {"outlet0.example", "outlet1.example", "outlet2.example"}


def test_without_the_token_the_message_says_what_to_set(cluster, tmp_path: Path):
    if cluster.token is None:
        pytest.skip("this Ray has no token authentication (Ray 2.52 and later have it)")
    src = archive(tmp_path / "archive.parquet")
    # a client as on another machine: no RAY_AUTH_* variables and no ~/.ray/auth_token
    env = {k: v for k, v in cluster.env.items() if not k.startswith("RAY_AUTH")}
    env["HOME"] = str(tmp_path)
    done = batch(cluster, env, str(src), str(tmp_path / "claims.jsonl"), "-m", "baseline")
    assert done.returncode == 1
    message = " ".join(done.stderr.split())
    assert f"cannot connect to the Ray cluster at {cluster.address}" in message, done.stderr
    assert "the cluster uses token authentication: set RAY_AUTH_MODE=token" in message, done.stderr
    assert "RAY_AUTH_TOKEN" in message and "Traceback" not in done.stderr, done.stderr
    # the same client with the documented variables joins
    env.update(RAY_AUTH_MODE="token", RAY_AUTH_TOKEN=cluster.token)
    done = batch(cluster, env, str(src), str(tmp_path / "claims.jsonl"), "-m", "baseline")
    assert done.returncode == 0, done.stderr[-3000:]
    assert (tmp_path / "claims.jsonl").stat().st_size > 0


def test_the_message_tells_a_missing_token_from_a_wrong_one(monkeypatch: pytest.MonkeyPatch):
    """Ray's errors as ray.init raises them: a ConnectionError caused by a RuntimeError quoting
    Ray's AuthenticationError, or by a cluster that is not there."""

    def failed(cause: str) -> ConnectionError:
        try:
            try:
                raise RuntimeError(cause)
            except RuntimeError as e:
                raise ConnectionError("Failed to connect to Ray cluster at 10.0.0.5:6379") from e
        except ConnectionError as e:
            return e

    refused = failed("Failed to connect to GCS. Last connection error: Traceback ...\n... InvalidAuthToken: missing")
    monkeypatch.delenv("RAY_AUTH_MODE", raising=False)
    message = _cannot_connect("head:6379", refused)
    assert message.startswith("cannot connect to the Ray cluster at head:6379: Failed to connect to Ray cluster at")
    assert (
        "the cluster uses token authentication: set RAY_AUTH_MODE=token and put its token in RAY_AUTH_TOKEN" in message
    )
    monkeypatch.setenv("RAY_AUTH_MODE", "token")
    assert "the cluster refused this client's token: put the cluster's token in RAY_AUTH_TOKEN" in _cannot_connect(
        "head:6379", refused
    )
    monkeypatch.delenv("RAY_AUTH_MODE")
    absent = _cannot_connect("head:6379", failed("Failed to connect to GCS within 60 seconds"))
    assert "if the cluster uses token authentication (Ray 2.52 and later), set RAY_AUTH_MODE=token" in absent
    assert "Traceback" not in message + absent
