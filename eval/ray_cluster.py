"""A Ray cluster as Ray runs one, on this machine: a head and worker nodes, each its own
``ray start --block`` process, on free ports, with token authentication; and the
throughput of ``claimcheck batch --engine ray`` on it with one and with two workers.

    python -m eval.ray_cluster --data ../shared/data/polnear/dev --limit 48 --out ray.json

Each node gets one CPU. The head and one worker node make a two-node cluster of two
CPUs; the run with ``--workers 1`` uses one of them, the run with ``--workers 2`` both.
Each run checks the same articles into a fresh output; its time includes starting the
workers and loading the model in each (as a user's run does). Figures are reported,
never asserted. :class:`RayCluster` is also what ``tests/test_batch_ray_engine.py``
starts.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

#: what each ``ray start`` prints once its node runs
_STARTED = "Ray runtime started"


class RayCannotStart(RuntimeError):
    """``ray start`` failed or did not report its node running in time; the message has its log's end."""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def token_auth_supported() -> bool:
    """Whether the installed Ray has token authentication (Ray 2.52 and later)."""
    try:
        import ray._private.authentication.authentication_token_setup  # noqa: F401
    except ImportError:
        return False
    return True


class RayCluster:
    """A head and ``workers`` worker nodes as ``ray start --block`` processes, each in a
    session of its own, stopped (and whatever they started) by :meth:`stop`.

    ``env`` is what a client needs to join: ``RAY_AUTH_MODE=token`` and the cluster's
    ``RAY_AUTH_TOKEN`` when ``token`` is set; ``address`` is the head's GCS address.
    ``HOME`` is a fresh folder, so no token of the user's (``~/.ray/auth_token``) is
    read or written. ``env``: more variables for the nodes (and so their workers) and clients.
    """

    def __init__(
        self, workers: int = 1, cpus: int = 1, token: bool = True, timeout: float = 180.0, env: dict | None = None
    ):
        self.folder = Path(tempfile.mkdtemp(prefix="cc-ray-", dir="/tmp"))  # short: Ray's socket paths are limited
        self.port = _free_port()
        self.address = f"127.0.0.1:{self.port}"
        self.token = secrets.token_hex(32) if token else None
        base = {k: v for k, v in os.environ.items() if not k.startswith(("RAY_AUTH", "RAY_ADDRESS"))}
        auth = {"RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN": self.token} if token else {"RAY_AUTH_MODE": "disabled"}
        self.env = {**base, "HOME": str(self.folder), "RAY_USAGE_STATS_ENABLED": "0", **auth, **(env or {})}
        self.cpus, self.timeout, self.procs = cpus, timeout, []
        self._start(workers)

    def _start(self, workers: int) -> None:
        # no drain on SIGTERM: the nodes go at once when stopped
        node_env = {**self.env, "RAY_GRACEFUL_SHUTDOWN_DRAIN_TIMEOUT_S": "0"}
        try:
            head = ["--head", f"--port={self.port}", "--include-dashboard=false", f"--dashboard-port={_free_port()}"]
            head.append(f"--temp-dir={self.folder}")
            self._node("head", head, node_env)
            for i in range(workers):
                self._node(f"worker{i}", [f"--address={self.address}"], node_env)
        except BaseException:
            self.stop()
            raise

    def _node(self, name: str, args: list[str], env: dict[str, str]) -> None:
        ray = shutil.which("ray", path=str(Path(sys.executable).parent)) or shutil.which("ray")
        if ray is None:
            raise RayCannotStart("no `ray` command beside this Python nor on PATH")
        ports = ("dashboard-agent-listen-port", "dashboard-agent-grpc-port", "runtime-env-agent-port")
        command = [
            ray,
            "start",
            "--block",
            f"--num-cpus={self.cpus}",
            "--object-store-memory=100000000",
            "--disable-usage-stats",
            "--node-ip-address=127.0.0.1",
            f"--metrics-export-port={_free_port()}",
            *(f"--{p}={_free_port()}" for p in ports),
            *args,
        ]
        log = self.folder / f"{name}.log"
        with log.open("wb") as out:
            proc = subprocess.Popen(command, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        self.procs.append(proc)
        deadline = time.monotonic() + self.timeout
        while _STARTED not in log.read_text(errors="replace"):
            if proc.poll() is not None or time.monotonic() > deadline:
                tail = " | ".join(log.read_text(errors="replace").strip().splitlines()[-6:])
                why = f"exited with {proc.returncode}" if proc.poll() is not None else f"not up in {self.timeout:.0f} s"
                raise RayCannotStart(f"ray start ({name}) {why}: {tail}")
            time.sleep(0.5)

    def stop(self) -> None:
        """Stop the nodes, the workers last first, and every process they started (by id)."""
        import psutil

        for proc in reversed(self.procs):
            try:
                family = [psutil.Process(proc.pid), *psutil.Process(proc.pid).children(recursive=True)]
            except psutil.NoSuchProcess:
                family = []
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(60)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
            _gone, alive = psutil.wait_procs(family, timeout=10)
            for p in alive:  # a worker process in a session of its own
                p.kill()
        self.procs = []
        shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> RayCluster:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _write_archive(data: Path, limit: int, path: Path) -> int:
    """The first ``limit`` articles of a folder as a JSONL archive with fields; how many."""
    files = sorted(data.rglob("*.txt"))[:limit]
    with path.open("w", encoding="utf-8") as fh:
        for i, f in enumerate(files):
            record = {
                "id": f.name,
                "text": f.read_text(encoding="utf-8"),
                "url": f"https://www.outlet{i % 4}.example/a",
            }
            fh.write(json.dumps(record) + "\n")
    return len(files)


def _timed_run(cluster: RayCluster, src: Path, out: Path, model: str | None, workers: int) -> dict[str, Any]:
    command = [sys.executable, "-m", "claimcheck", "batch", str(src), str(out), "--engine", "ray"]
    command += ["--address", cluster.address, "--workers", str(workers), "--batch-size", "4"]
    command += ["--model", model] if model else []
    started = time.perf_counter()
    done = subprocess.run(command, env=cluster.env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode:
        raise RuntimeError(f"claimcheck batch failed: {done.stderr.strip()[-2000:]}")
    return {"workers": workers, "seconds": round(seconds, 2), "summary": done.stderr.strip().splitlines()[-1]}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=Path("../shared/data/polnear/dev"))
    parser.add_argument("--limit", type=int, default=48, help="articles checked in each run")
    parser.add_argument("--model", default=None, help="shipped model name or folder (default: the default model)")
    parser.add_argument("--out", type=Path, default=None, help="also write the JSON here")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="cc-ray-bench-"))
    try:
        src = work / "archive.jsonl"
        n = _write_archive(args.data, args.limit, src)
        with RayCluster(workers=1, cpus=1) as cluster:
            runs = [_timed_run(cluster, src, work / f"claims-{w}.parquet", args.model, w) for w in (1, 2)]
    finally:
        shutil.rmtree(work, ignore_errors=True)
    for run in runs:
        run["articles_per_s"] = round(n / run["seconds"], 3)
    report = {
        "model": args.model or "default",
        "articles": n,
        "nodes": 2,
        "cpus_per_node": 1,
        "cpu_count": os.cpu_count(),
        "runs": runs,
        "speedup_2_over_1": round(runs[1]["articles_per_s"] / runs[0]["articles_per_s"], 2),
    }
    text = json.dumps(report, indent=2)
    if args.out:
        from claimcheck.files import atomic_write_text

        atomic_write_text(args.out, text + "\n")
    sys.stdout.write(text + "\n")


if __name__ == "__main__":
    main()
