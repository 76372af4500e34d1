"""Speed and memory of the checker on real articles, beside a bare encoder pass.

    python -m eval.bench --data ../shared/data/polnear/dev --threads 2 --out bench.json

Reports articles/s and words/s of the whole pipeline (load excluded), the word
pieces it encodes, the time of a bare forward pass of the encoder over the very
same windows (so the report shows how close the pipeline comes to the encoder's
own speed), and peak resident memory. Run it on an idle machine: a second
process on the other core slows 2-thread runs several times over.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import sys
import time
from pathlib import Path
from typing import Any


def _peak_rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def bench(model: str | None, data: Path, threads: int, precision: str, limit: int | None) -> dict[str, Any]:
    import torch

    from claimcheck.models.tagger import TransformerAttributionModel, bf16_supported, pad_batch
    from claimcheck.pipeline import Checker
    from eval.harness import load_eval_data

    torch.set_num_threads(threads)
    t0 = time.perf_counter()
    checker = Checker.load(model)
    load_s = time.perf_counter() - t0
    texts = [ex.text for ex in load_eval_data(data)][:limit]
    words = sum(len(t.split()) for t in texts)
    net = checker.model
    is_tagger = isinstance(net, TransformerAttributionModel)
    if is_tagger:
        net.precision = precision
    checker.check_many(texts[:2])  # warm-up
    t0 = time.perf_counter()
    checker.check_many(texts)
    pipeline_s = time.perf_counter() - t0
    report: dict[str, Any] = {
        "model": net.architecture,
        "articles": len(texts),
        "words": words,
        "threads": threads,
        "load_seconds": round(load_s, 2),
        "pipeline_seconds": round(pipeline_s, 2),
        "articles_per_s": round(len(texts) / pipeline_s, 2),
        "words_per_s": round(words / pipeline_s, 1),
        "cpu": platform.processor() or platform.machine(),
        "bf16_supported": None,
        "precision": None,
    }
    if is_tagger:
        windows = [w for t in texts for w in net.windows(t)]
        pieces = sum(len(w.input_ids) for w in windows)
        order = sorted(windows, key=lambda w: len(w.input_ids))
        t0 = time.perf_counter()
        with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=net.use_bf16):
            for b in range(0, len(order), 16):
                ids, mask = pad_batch(order[b : b + 16], net.tokenizer.pad_token_id)
                net.network.encoder(input_ids=ids, attention_mask=mask)
        encoder_s = time.perf_counter() - t0
        report.update(
            bf16_supported=bf16_supported(),
            precision="bf16" if net.use_bf16 else "fp32",
            pieces=pieces,
            pieces_per_article=round(pieces / len(texts), 1),
            encoder_seconds=round(encoder_s, 2),
            encoder_pieces_per_s=round(pieces / encoder_s, 1),
            pipeline_pieces_per_s=round(pieces / pipeline_s, 1),
            share_of_time_in_encoder=round(encoder_s / pipeline_s, 3),
        )
    report["peak_rss_mb"] = _peak_rss_mb()
    return report


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--model", default=None, help="shipped model name or folder (default: the default model)")
    parser.add_argument("--data", type=Path, default=Path("../shared/data/polnear/dev"))
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--precision", choices=["auto", "fp32", "bf16"], default="auto")
    parser.add_argument("--limit", type=int, default=None, help="only the first N articles")
    parser.add_argument("--out", type=Path, default=None, help="also write the JSON here")
    args = parser.parse_args(argv)
    report = bench(args.model, args.data, args.threads, args.precision, args.limit)
    text = json.dumps(report, indent=2)
    if args.out:
        from claimcheck.data import atomic_write_text

        atomic_write_text(args.out, text + "\n")
    sys.stdout.write(text + "\n")


if __name__ == "__main__":
    main()
