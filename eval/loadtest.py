"""Load test of the HTTP service on loopback: throughput, latency, and bad requests.

    python -m eval.loadtest --requests 2000 --clients 8 [--model M] [--max-seconds 600] [--out F.json]

Starts ``claimcheck serve`` in a subprocess on a free 127.0.0.1 port, waits for
``/v1/health``, then ``--clients`` concurrent clients (asyncio + ``httpx``, one
connection each) send ``--requests`` requests between them: short made-up
articles to ``/v1/check`` (some to ``/v1/check/batch`` and ``/v1/check/html``),
with bad requests interleaved (``--bad-share`` of them): bodies over
``--max-bytes`` (with and without Content-Length: 413), and malformed JSON,
invalid UTF-8, NaN, wrong types, empty or blank text, unknown fields, an empty
batch (422). Reports requests/s, p50/p95/p99 latency of the good requests, the
status counts, the errors (a good request not answered 200, a bad one not
answered its 413/422, a dropped connection), and whether the server still
answered normally after the bad requests; then stops the server. The whole run
is bounded by ``--max-seconds``: past it the clients are cancelled, the server
stopped, and the run reported as aborted. Exits 1 on any error or an abort.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

# Made-up people, places and quotes, written for this load test.
_PEOPLE = [
    ("Harbour master Ida Brenn", "she"),
    ("Councillor Tomas Okafor", "he"),
    ("Dr. Lena Varga, a hydrologist at the Tidewater Institute", "she"),
    ("Mayor Rafael Ostrowski", "he"),
    ("Priya Nandakumar, who chairs the ferry users' group", "she"),
]
_GROUPS = ["Residents", "Critics", "Local fishermen", "Two officials who asked not to be named", "Engineers"]
_BODIES = ["the Lornholm Port Authority", "the regional transport board", "the Quayside Residents' Association"]
_DOCUMENTS = ["A 2023 inspection report", "The council's budget papers", "A survey of 400 commuters"]
_CLAIMS = [
    "the new ferry will run every 40 minutes from March",
    "repairs to the north pier will cost 2.4 million",
    "the old terminal flooded three times last winter",
    "ticket prices will stay the same until next year",
    "the harbour wall needs new foundations",
    "night crossings will stop during the storm season",
    "the bridge toll paid for less than half of the repairs",
]
_BACKGROUND = [
    "The harbour opened in 1911.",
    "About 3,000 people cross the strait each day.",
    "The ferry line has had four operators since 1990.",
    "Work on the quay began in the spring.",
]

#: how a claim is attributed: a quote, said, according to, a vague group, a document, a pronoun, nobody
_FORMS = (
    '"{quote}," {person} said.',
    "{person} said {claim}.",
    "According to {body}, {claim}.",
    "{group} say {claim}.",
    "{document} found that {claim}.",
    '{pronoun} told reporters: "{quote}."',
    "{quote}.",
)


def make_article(rng: random.Random) -> str:
    """A short article of 3 to 7 sentences: quotes, said, according to, a credit line."""
    sentences = [rng.choice(_BACKGROUND)]
    for _ in range(rng.randint(2, 6)):
        claim = rng.choice(_CLAIMS)
        person, pronoun = rng.choice(_PEOPLE)
        form = rng.choice(_FORMS)
        sentences.append(
            form.format(
                claim=claim,
                quote=f"{claim[0].upper()}{claim[1:]}",
                person=person,
                pronoun=pronoun.capitalize(),
                body=rng.choice(_BODIES),
                group=rng.choice(_GROUPS),
                document=rng.choice(_DOCUMENTS),
            )
        )
    text = " ".join(sentences)
    if rng.random() < 0.2:
        text += "\n\nOriginal Source: www.lornholm-gazette.example"
    return text + "\n"


@dataclass
class Planned:
    """One request to send and the status it must get."""

    kind: str
    path: str
    expect: int
    body: bytes | None = None
    json: Any = None
    chunked: bool = False
    headers: dict[str, str] = field(default_factory=dict)


_JSON = {"content-type": "application/json"}


def bad_requests(max_bytes: int) -> list[Planned]:
    """One of each kind of bad request, and the status each must get."""
    too_big = {"text": "The quay is closed. " * (max_bytes // 20 + 100)}
    deep = b"[" * 5_000 + b"]" * 5_000  # past the JSON parser's nesting limit, under any --max-bytes used
    return [
        Planned("oversized", "/v1/check", 413, json=too_big),
        Planned("oversized_chunked", "/v1/check", 413, body=json.dumps(too_big).encode(), chunked=True),
        Planned("not_json", "/v1/check", 422, body=b'{"text": "unterminated', headers=_JSON),
        Planned("bad_utf8", "/v1/check", 422, body=b'{"text": "caf\xe9 \xff said"}', headers=_JSON),
        Planned("nan", "/v1/check", 422, body=b'{"text": NaN}', headers=_JSON),
        Planned("too_deep", "/v1/check", 422, body=deep, headers=_JSON),
        Planned("wrong_type", "/v1/check", 422, json={"text": 42}),
        Planned("empty_text", "/v1/check", 422, json={"text": ""}),
        Planned("blank_text", "/v1/check", 422, json={"text": " \n\t "}),
        Planned("unknown_field", "/v1/check", 422, json={"text": "Ann said so.", "bogus": True}),
        Planned("empty_batch", "/v1/check/batch", 422, json={"articles": []}),
        Planned("not_an_object", "/v1/check", 422, json=["text"]),
    ]


def plan(n: int, bad_share: float, max_bytes: int, seed: int = 0) -> list[Planned]:
    """``n`` requests, about ``bad_share`` of them bad (every kind in turn), the rest good."""
    rng = random.Random(seed)
    bad = bad_requests(max_bytes)
    out: list[Planned] = []
    n_bad = 0
    for i in range(n):
        if bad_share > 0 and (i + 1) * bad_share >= n_bad + 1:
            out.append(bad[n_bad % len(bad)])
            n_bad += 1
            continue
        roll = rng.random()
        if roll < 0.1:
            articles = [{"text": make_article(rng), "id": f"b{i}-{k}"} for k in range(rng.randint(2, 3))]
            out.append(Planned("batch", "/v1/check/batch", 200, json={"articles": articles}))
        elif roll < 0.15:
            out.append(Planned("html", "/v1/check/html", 200, json={"text": make_article(rng)}))
        else:
            out.append(Planned("check", "/v1/check", 200, json={"text": make_article(rng), "id": f"a{i}"}))
    return out


@dataclass
class Result:
    kind: str
    expect: int
    status: int | None
    seconds: float
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and self.status == self.expect


async def _chunks(body: bytes, size: int = 65_536) -> AsyncIterator[bytes]:
    for i in range(0, len(body), size):
        yield body[i : i + size]


async def send(client: httpx.AsyncClient, req: Planned) -> Result:
    """Send one request; a dropped connection or a timeout is an error, not an exception."""
    start = time.perf_counter()
    try:
        if req.json is not None:
            r = await client.post(req.path, json=req.json)
        elif req.chunked:
            assert req.body is not None
            r = await client.post(req.path, content=_chunks(req.body), headers=_JSON)
        else:
            r = await client.post(req.path, content=req.body, headers=req.headers)
        status, error = r.status_code, None
        if status == 200 and req.expect == 200:
            data = r.json()
            if req.kind == "check" and data.get("id") != req.json.get("id"):
                error = "report for another article"
            elif req.kind == "batch" and len(data.get("reports", ())) != len(req.json["articles"]):
                error = "a report missing from the batch"
        elif status in (413, 422) and "detail" not in r.json():
            error = "error response without detail"
    except (httpx.HTTPError, json.JSONDecodeError) as e:
        status, error = None, f"{type(e).__name__}: {e}"
    return Result(req.kind, req.expect, status, time.perf_counter() - start, error)


async def run_clients(
    base_url: str, requests: list[Planned], clients: int, timeout: float, results: list[Result]
) -> None:
    """Send ``requests`` from ``clients`` concurrent clients (one connection each), in
    order, appending to ``results`` as they come (so an aborted run keeps what it got)."""
    queue: asyncio.Queue[Planned] = asyncio.Queue()
    for req in requests:
        queue.put_nowait(req)

    async def client_loop() -> None:
        limits = httpx.Limits(max_connections=1, max_keepalive_connections=1)
        async with httpx.AsyncClient(base_url=base_url, timeout=timeout, limits=limits) as client:
            while True:
                try:
                    req = queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
                results.append(await send(client, req))

    await asyncio.gather(*(client_loop() for _ in range(clients)))


async def probe_health(base_url: str, every: float, results: list[Result]) -> None:
    """``GET /v1/health`` every ``every`` seconds until cancelled: the service must keep
    answering while the clients load it."""
    async with httpx.AsyncClient(base_url=base_url, timeout=30.0) as client:
        while True:
            start = time.perf_counter()
            try:
                r = await client.get("/v1/health")
                results.append(Result("health", 200, r.status_code, time.perf_counter() - start))
            except httpx.HTTPError as e:
                results.append(Result("health", 200, None, time.perf_counter() - start, f"{type(e).__name__}: {e}"))
            await asyncio.sleep(every)


async def load(
    base_url: str, requests: list[Planned], clients: int, timeout: float
) -> tuple[list[Result], list[Result]]:
    """The clients' run with a health probe beside it; the results of both."""
    results: list[Result] = []
    probes: list[Result] = []
    probe = asyncio.create_task(probe_health(base_url, 0.5, probes))
    try:
        await asyncio.wait_for(run_clients(base_url, requests, clients, timeout, results), timeout)
    except TimeoutError:
        results.append(Result("aborted", 0, None, 0.0, "the run went past --max-seconds"))
    finally:
        probe.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await probe
    return results, probes


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int, model: str | None, max_bytes: int, log: Path, threads: int | None) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "claimcheck", "serve", "--port", str(port), "--max-bytes", str(max_bytes)]
    if model:
        cmd += ["--model", model]
    env = dict(os.environ)
    if threads:
        env["OMP_NUM_THREADS"] = env["MKL_NUM_THREADS"] = str(threads)
    with log.open("wb") as fh:  # the child keeps its own handle
        return subprocess.Popen(cmd, stdout=fh, stderr=subprocess.STDOUT, env=env, start_new_session=True)


def stop_server(proc: subprocess.Popen, grace: float = 10.0) -> int | None:
    """SIGINT (uvicorn's clean shutdown), then SIGKILL if it has not gone in ``grace`` s."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(grace)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    return proc.returncode


def wait_healthy(base_url: str, proc: subprocess.Popen, deadline: float) -> dict[str, Any]:
    """Poll ``/v1/health`` until it answers; fail early when the server process exits."""
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited with status {proc.returncode} before answering")
        try:
            r = httpx.get(f"{base_url}/v1/health", timeout=2.0)
            if r.status_code == 200:
                return r.json()
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise TimeoutError("the server did not answer /v1/health in time")


def _percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


def summarize(results: list[Result], seconds: float) -> dict[str, Any]:
    """Throughput, latency (ms) of the good requests, status counts and errors."""
    good = [r.seconds * 1000 for r in results if r.expect == 200 and r.ok]
    errors = [r for r in results if not r.ok]
    return {
        "requests": len(results),
        "seconds": round(seconds, 2),
        "requests_per_s": round(len(results) / seconds, 1) if seconds else None,
        "good_requests": sum(r.expect == 200 for r in results),
        "bad_requests": sum(r.expect != 200 for r in results),
        "latency_ms": {
            "p50": _round(_percentile(good, 50)),
            "p95": _round(_percentile(good, 95)),
            "p99": _round(_percentile(good, 99)),
            "max": _round(max(good, default=None)),
            "mean": _round(statistics.fmean(good) if good else None),
        },
        "status_counts": dict(sorted(Counter(str(r.status) for r in results).items())),
        "bad_kinds": dict(sorted(Counter(f"{r.kind}->{r.status}" for r in results if r.expect != 200).items())),
        "errors": len(errors),
        "error_examples": [
            {"kind": r.kind, "expected": r.expect, "status": r.status, "error": r.error} for r in errors[:10]
        ],
    }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def after_check(base_url: str) -> bool:
    """Does the server still answer normally: health, and a good article checked?"""
    try:
        health = httpx.get(f"{base_url}/v1/health", timeout=30.0)
        text = "Harbour master Ida Brenn said the ferry will run again on Monday.\n"
        check = httpx.post(f"{base_url}/v1/check", json={"text": text}, timeout=60.0)
        return health.status_code == 200 and check.status_code == 200 and bool(check.json()["claims"])
    except (httpx.HTTPError, KeyError, json.JSONDecodeError):
        return False


def run_loadtest(
    requests: int = 2000,
    clients: int = 8,
    model: str | None = None,
    max_seconds: float = 600.0,
    max_bytes: int = 1_000_000,
    bad_share: float = 0.1,
    threads: int | None = None,
    seed: int = 0,
) -> dict[str, Any]:
    """Run the whole load test (server start to stop) and return its report."""
    started = time.monotonic()
    deadline = started + max_seconds
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    planned = plan(requests, bad_share, max_bytes, seed)
    with tempfile.TemporaryDirectory(prefix="claimcheck-loadtest-") as tmp:
        log = Path(tmp) / "server.log"
        proc = start_server(port, model, max_bytes, log, threads)
        report: dict[str, Any] = {"model": model or "default", "clients": clients, "max_bytes": max_bytes}
        try:
            health = wait_healthy(base_url, proc, deadline)
            report["server"] = {"model": health.get("model"), "startup_s": round(time.monotonic() - started, 1)}
            t0 = time.perf_counter()
            results, probes = asyncio.run(load(base_url, planned, clients, max(1.0, deadline - time.monotonic())))
            report["aborted"] = any(r.kind == "aborted" for r in results)
            results = [r for r in results if r.kind != "aborted"]
            report.update(summarize(results, time.perf_counter() - t0))
            report["health_during_load"] = {
                "probes": len(probes),
                "failed": sum(not r.ok for r in probes),
                "max_ms": _round(max((r.seconds * 1000 for r in probes), default=None)),
            }
            report["errors"] += report["health_during_load"]["failed"]
            report["server_alive"] = proc.poll() is None
            report["answered_after_bad_requests"] = report["server_alive"] and after_check(base_url)
        except (RuntimeError, TimeoutError) as e:
            report.update(aborted=True, startup_error=str(e))
        finally:
            exit_code = stop_server(proc)
            report["server_exit_code"] = exit_code
            if report.get("aborted") or report.get("errors") or not report.get("answered_after_bad_requests"):
                with contextlib.suppress(OSError):
                    report["server_log_tail"] = log.read_text(encoding="utf-8", errors="replace")[-3000:]
    report["total_s"] = round(time.monotonic() - started, 1)
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.loadtest", description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=2000, help="requests in all, bad ones included")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients")
    parser.add_argument("--model", default=None, help="model name or folder (default: the default model)")
    parser.add_argument("--max-seconds", type=float, default=600.0, help="bound on the whole run")
    parser.add_argument("--max-bytes", type=int, default=1_000_000, help="the server's --max-bytes")
    parser.add_argument("--bad-share", type=float, default=0.1, help="share of bad requests (413/422)")
    parser.add_argument("--threads", type=int, default=None, help="the server's torch threads (OMP_NUM_THREADS)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=None, help="write the report as JSON here")
    args = parser.parse_args(argv)
    if args.requests < 1 or args.clients < 1 or not 0 <= args.bad_share < 1:
        parser.error("--requests and --clients must be positive, --bad-share in [0, 1)")
    report = run_loadtest(
        args.requests,
        args.clients,
        args.model,
        args.max_seconds,
        args.max_bytes,
        args.bad_share,
        args.threads,
        args.seed,
    )
    text = json.dumps(report, indent=2)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    print(text)
    failed = report.get("aborted") or report.get("errors") or not report.get("answered_after_bad_requests")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
