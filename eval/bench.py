"""Speed and memory of the checker on real articles, beside a bare encoder pass.

    python -m eval.bench --data ../shared/data/polnear/dev --threads 2 --out bench.json

Reports, on the same articles in one run: articles/s and words/s of the whole
pipeline (load excluded), the word pieces it encodes, the time of a bare forward
pass of the encoder over the very same windows (the limit the pipeline can
reach) and the ratio pipeline/limit, the ratio of the pipeline to a bare pass over
the text itself (windows of 256 pieces, no context: what a plain MiniLM-L6 tagger
would encode; the default model must stay within 2x of it), start-up (import + model load, timed in
fresh interpreters), the start-up ratio (``claimcheck check`` of a one-line article over a
bare ``import torch``, fresh interpreters taken in turns; target: under 3) and peak resident
memory. Where the CPU runs bfloat16 the fp32 fallback is timed too. ``--profile FILE``
writes a pyinstrument profile of the pipeline pass. Run it on an idle machine: a second
process on the other core slows 2-thread runs several times over.

Start-up alone (no data needed), median of five fresh interpreters::

    python -m eval.bench --startup-only --startup-repeats 5
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

_STARTUP = """
import resource, sys, time
def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime
t0 = time.perf_counter()
from claimcheck import Checker
t1 = time.perf_counter()
checker = Checker.load({model!r})
t2, c2 = time.perf_counter(), cpu()
import torch
torch.set_num_threads({threads})
checker.check("Mayor Ann Ortiz said the bridge will reopen in May.")
t3 = time.perf_counter()
heavy = [m for m in {deferred!r} if m in sys.modules]
print(",".join(heavy) or "-", t1 - t0, t2 - t1, t3 - t2, c2)
"""

#: modules a model load does not need (training, data-set and table libraries; transformers
#: and torch's compiler, which the shipped models run without): the start-up figures say
#: which of them a load imported after all
DEFERRED = (
    "sklearn",
    "pandas",
    "pyarrow",
    "datasets",
    "peft",
    "scipy.stats",
    "scipy.special",
    "transformers",
    "torch._dynamo",
)


def _peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def startup(model: str | None, threads: int, repeats: int = 3) -> dict[str, Any]:
    """Median import, load and first-sentence times over ``repeats`` fresh interpreters.

    ``startup_seconds`` is ``import claimcheck`` plus ``Checker.load`` (torch and
    transformers are imported by the load), wall-clock; ``startup_cpu_seconds`` is the
    CPU time the interpreter spent up to the end of the load (the interpreter's own start
    included), which a busy machine inflates less than the wall clock."""
    runs, imported = [], set()
    for _ in range(repeats):
        out = subprocess.run(
            [sys.executable, "-c", _STARTUP.format(model=model, threads=threads, deferred=DEFERRED)],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        fields = out.split()[-5:]
        imported.update(m for m in fields[0].split(",") if m != "-")
        runs.append([float(x) for x in fields[1:]])
    imp, load, first, cpu = (statistics.median(col) for col in zip(*runs, strict=True))
    return {
        "import_seconds": round(imp, 2),
        "load_seconds": round(load, 2),
        "startup_seconds": round(imp + load, 2),
        "startup_cpu_seconds": round(cpu, 2),
        "first_check_seconds": round(first, 3),
        "startup_imported": sorted(imported),
    }


#: the one-line article of the start-up ratio (made up for it)
ONE_LINE = "According to Mayor Lena Fairweather, the ferry terminal will open in June.\n"


def _run_timed(args: list[str]) -> tuple[float, float]:
    """Wall-clock and CPU seconds (user + system) of one fresh interpreter running ``args``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run([sys.executable, *args], capture_output=True, check=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def startup_ratio(model: str | None, repeats: int = 5) -> dict[str, Any]:
    """``claimcheck check`` of a one-line article beside a bare ``import torch``, each in fresh
    interpreters, taken in turns so that both see the same load on the machine; the medians
    of ``repeats`` and their ratio, by wall clock and by CPU time (which a busy machine
    inflates less). The target is a ratio under 3 on a quiet machine."""
    with tempfile.TemporaryDirectory() as tmp:
        article = Path(tmp) / "one-line.txt"
        article.write_text(ONE_LINE, encoding="utf-8")
        check = ["-m", "claimcheck", "check", str(article), "--format", "json", *(["--model", model] if model else [])]
        torch_runs, check_runs = [], []
        for _ in range(repeats):
            torch_runs.append(_run_timed(["-c", "import torch"]))
            check_runs.append(_run_timed(check))
    torch_wall, torch_cpu = (statistics.median(col) for col in zip(*torch_runs, strict=True))
    check_wall, check_cpu = (statistics.median(col) for col in zip(*check_runs, strict=True))
    return {
        "import_torch_seconds": round(torch_wall, 2),
        "check_one_line_seconds": round(check_wall, 2),
        "check_over_import_torch": round(check_wall / torch_wall, 2),
        "import_torch_cpu_seconds": round(torch_cpu, 2),
        "check_one_line_cpu_seconds": round(check_cpu, 2),
        "check_over_import_torch_cpu": round(check_cpu / torch_cpu, 2),
    }


def _encoder_pass(net, windows, batch_windows: int = 16) -> float:
    """Seconds of a bare encoder forward pass over ``windows``, batched as the pipeline does."""
    import torch

    from claimcheck.models.tagger import pad_batch

    order = sorted(windows, key=lambda w: len(w.input_ids))
    t0 = time.perf_counter()
    with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=net.use_bf16):
        for b in range(0, len(order), batch_windows):
            ids, mask, _ = pad_batch(order[b : b + batch_windows], net.tokenizer.pad_token_id)
            net.runtime_network.encoder(input_ids=ids, attention_mask=mask)
    return time.perf_counter() - t0


#: the reference pass over the text itself: windows of this many pieces, no preceding context
TEXT_PASS_LENGTH = 256


def _text_windows(net, texts: list[str]) -> list:
    from claimcheck.models.windows import make_windows

    return [w for t in texts for w in make_windows(net.tokenizer, t, TEXT_PASS_LENGTH, 0)]


def _timed(checker, texts: list[str], words: int, profile: Path | None) -> dict[str, Any]:
    checker.check_many(texts[:2])  # warm-up
    profiler = None
    if profile:
        from pyinstrument import Profiler

        profiler = Profiler()
        profiler.start()
    t0 = time.perf_counter()
    checker.check_many(texts)
    seconds = time.perf_counter() - t0
    if profiler:
        profiler.stop()
        from claimcheck.data import atomic_write_text

        atomic_write_text(profile, profiler.output_text(show_all=False))
    return {
        "pipeline_seconds": round(seconds, 2),
        "articles_per_s": round(len(texts) / seconds, 2),
        "words_per_s": round(words / seconds, 1),
    }


def bench(
    model: str | None,
    data: Path,
    threads: int,
    precision: str,
    limit: int | None,
    profile: Path | None = None,
    startup_repeats: int = 3,
) -> dict[str, Any]:
    import torch

    from claimcheck.io import read_labels
    from claimcheck.models.tagger import TransformerAttributionModel
    from claimcheck.models.tuned_encoder import bf16_supported
    from claimcheck.pipeline import Checker

    torch.set_num_threads(threads)
    checker = Checker.load(model)
    texts = [ex.text for ex in read_labels(data)][:limit]
    words = sum(len(t.split()) for t in texts)
    net = checker.model
    report: dict[str, Any] = {
        "model": net.architecture,
        "articles": len(texts),
        "words": words,
        "words_per_article": round(words / len(texts), 1),
        "threads": threads,
        "cpu": platform.processor() or platform.machine(),
    }
    if startup_repeats:
        report.update(startup(model, threads, startup_repeats))
        report.update(startup_ratio(model, startup_repeats))
    if not isinstance(net, TransformerAttributionModel):
        report.update(_timed(checker, texts, words, profile))
        report["peak_rss_mb"] = _peak_rss_mb()
        return report

    windows = [w for t in texts for w in net.windows(t)]
    text_windows = _text_windows(net, texts)
    pieces = sum(len(w.input_ids) for w in windows)
    report.update(
        bf16_supported=bf16_supported(),
        pieces=pieces,
        pieces_per_article=round(pieces / len(texts), 1),
        text_pieces=sum(len(w.input_ids) for w in text_windows),
    )
    runs = {}
    # the requested precision first; the fp32 fallback beside it wherever bf16 runs
    # (precision is chosen when a model is loaded: one load per precision)
    if precision != net.precision:
        checker = Checker.load(model, precision=precision)
        net = checker.model
    wanted = [precision]
    if net.use_bf16 and "fp32" not in wanted:
        wanted.append("fp32")
    for i, p in enumerate(wanted):
        if p != net.precision:
            checker = Checker.load(model, precision=p)
            net = checker.model
        run = _timed(checker, texts, words, profile if i == 0 else None)
        encoder_s = _encoder_pass(net, windows)
        text_s = _encoder_pass(net, text_windows)
        run.update(
            text_pass_seconds=round(text_s, 2),
            pipeline_over_text_pass=round(run["pipeline_seconds"] / text_s, 3),
            encoder_seconds=round(encoder_s, 2),
            encoder_pieces_per_s=round(pieces / encoder_s, 1),
            pipeline_pieces_per_s=round(pieces / run["pipeline_seconds"], 1),
            pipeline_over_encoder=round(run["pipeline_seconds"] / encoder_s, 3),
        )
        runs["bf16" if net.use_bf16 else "int8" if p == "int8" else "fp32"] = run
    first = next(iter(runs))
    report.update(precision=first, **runs[first])
    if len(runs) > 1:
        report["fp32_fallback"] = runs["fp32"]
    report["peak_rss_mb"] = _peak_rss_mb()
    return report


def main(argv: list[str] | None = None) -> None:
    from claimcheck.models.registry import Precision

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default=None, help="shipped model name or folder (default: the default model)")
    parser.add_argument("--data", type=Path, default=Path("../shared/data/polnear/dev"))
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--precision", choices=[p.value for p in Precision], default="auto")
    parser.add_argument("--limit", type=int, default=None, help="only the first N articles")
    parser.add_argument(
        "--startup-repeats", type=int, default=3, help="fresh interpreters timed for start-up (0: skip)"
    )
    parser.add_argument(
        "--startup-only", action="store_true", help="only the start-up figures (no articles are checked)"
    )
    parser.add_argument("--profile", type=Path, default=None, help="write a pyinstrument profile of the pipeline here")
    parser.add_argument("--out", type=Path, default=None, help="also write the JSON here")
    args = parser.parse_args(argv)
    if args.startup_only:
        report = {
            "model": args.model,
            "threads": args.threads,
            **startup(args.model, args.threads, args.startup_repeats or 1),
            **startup_ratio(args.model, args.startup_repeats or 1),
        }
    else:
        report = bench(
            args.model, args.data, args.threads, args.precision, args.limit, args.profile, args.startup_repeats
        )
    text = json.dumps(report, indent=2)
    if args.out:
        from claimcheck.data import atomic_write_text

        atomic_write_text(args.out, text + "\n")
    sys.stdout.write(text + "\n")


if __name__ == "__main__":
    main()
