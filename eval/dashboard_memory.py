"""Peak memory of ``claimcheck dashboard`` as the rows grow: it must stay flat.

    python -m eval.dashboard_memory --rows 100000 1000000 2000000 --formats jsonl parquet --out memory.json

For each size and format: synthetic claim rows (made up here: 20 outlets, 24 months,
articles of 4 to 30 claims, sources drawn from 300,000 names with a long tail, a claim
text of about 100 characters; Parquet in row groups of ``--row-group`` rows) are written to a temporary file, then a fresh interpreter
builds the page and its tables from it and reports its own peak resident memory (RSS)
and time. The files are removed afterwards. Generating the rows takes about as long as
reading them.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
TYPES = (
    ("named_person", 0.30, (1.0, 0.75)),
    ("named_organization", 0.12, (0.75,)),
    ("anonymous", 0.08, (0.5, 0.25)),
    ("publication", 0.04, (0.75,)),
    ("document", 0.06, (1.0, 0.5)),
    ("unnamed_group", 0.08, (0.25, 0.0)),
    ("unattributed", 0.32, (None,)),
)
REASONS = {
    ("named_person", 1.0): "named_with_role",
    ("named_person", 0.75): "named_no_role",
    ("anonymous", 0.5): "anonymous_with_reason",
    ("anonymous", 0.25): "anonymous_no_reason",
    ("unnamed_group", 0.0): "weasel",
    ("unnamed_group", 0.25): "unnamed_group",
}

_CHILD = """
import json, resource, sys, time
t0 = time.perf_counter()
from claimcheck.dashboard import build_dashboard
result = build_dashboard([sys.argv[1]], sys.argv[2])
print(json.dumps({"rows": result.rows, "articles": result.articles, "seconds": round(time.perf_counter() - t0, 1),
                  "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)}))
"""


def synthetic_rows(n: int, seed: int = 0) -> Iterator[dict[str, Any]]:
    """``n`` made-up claim rows, whole articles one after another."""
    rng = random.Random(seed)
    names, weights = zip(*((t, w) for t, w, _ in TYPES), strict=True)
    scores = {t: s for t, _, s in TYPES}
    done = article = 0
    while done < n:
        article += 1
        outlet = f"outlet{rng.randrange(20):02d}.example"
        month = f"{2023 + rng.randrange(2)}-{1 + rng.randrange(12):02d}-{1 + rng.randrange(28):02d}"
        for i in range(min(rng.randrange(4, 31), n - done)):
            type_ = rng.choices(names, weights)[0]
            score = rng.choice(scores[type_])
            source = None if type_ == "unattributed" else f"Source {min(int(rng.paretovariate(0.8)), 300_000)}"
            yield {
                "article_id": f"a{article}",
                "claim_index": i,
                "text": "The harbour authority will review the ferry timetable before the summer season begins, it said.",
                "type": type_,
                "score": score,
                "source": source,
                "resolved_source": None,
                "reasons": [REASONS.get((type_, score), type_)],
                "outlet": outlet,
                "date": month,
                "url": f"https://{outlet}/{article}",
            }
            done += 1


def write_rows(path: str | Path, n: int, fmt: str, row_group: int = 100_000) -> None:
    path = Path(path)
    if fmt == "jsonl":
        with path.open("w", encoding="utf-8") as fh:
            for row in synthetic_rows(n):
                fh.write(json.dumps(row) + "\n")
        return
    import pyarrow as pa
    import pyarrow.parquet as pq

    writer = None
    batch: list[dict[str, Any]] = []
    for row in synthetic_rows(n):
        batch.append(row)
        if len(batch) == row_group:
            table = pa.Table.from_pylist(batch)
            writer = writer or pq.ParquetWriter(path, table.schema)
            writer.write_table(table)
            batch = []
    if batch:
        table = pa.Table.from_pylist(batch)
        writer = writer or pq.ParquetWriter(path, table.schema)
        writer.write_table(table)
    assert writer is not None
    writer.close()


def measure(n: int, fmt: str, folder: Path, row_group: int = 100_000) -> dict[str, Any]:
    """Write the rows in one fresh interpreter and build the page in another: a child's peak
    RSS counts what it inherits from its parent, so the parent stays small."""
    rows = folder / f"rows-{n}.{fmt}"
    t0 = time.perf_counter()
    write = f"from eval.dashboard_memory import write_rows; write_rows({str(rows)!r}, {n}, {fmt!r}, {row_group})"
    subprocess.run([sys.executable, "-c", write], check=True, cwd=REPO)
    written = time.perf_counter() - t0
    try:
        out = subprocess.run(
            [sys.executable, "-c", _CHILD, str(rows), str(folder / "page.html")],
            check=True,
            capture_output=True,
            text=True,
            cwd=REPO,
        )
        result = json.loads(out.stdout.strip().splitlines()[-1])
        result.update(
            format=fmt,
            row_group=row_group if fmt == "parquet" else None,
            file_mb=round(rows.stat().st_size / 2**20, 1),
            generate_seconds=round(written, 1),
        )
        return result
    finally:
        rows.unlink(missing_ok=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--formats", nargs="+", choices=("jsonl", "parquet"), default=["jsonl"])
    parser.add_argument("--row-group", type=int, default=100_000, help="rows per Parquet row group")
    parser.add_argument("--out", type=Path, help="also write the results here as JSON")
    args = parser.parse_args(argv)
    results = []
    with tempfile.TemporaryDirectory(prefix="dashboard-memory-") as tmp:
        for fmt in args.formats:
            for n in args.rows:
                result = measure(n, fmt, Path(tmp), args.row_group)
                results.append(result)
                print(
                    f"{fmt:8} {result['rows']:>10,} rows {result['file_mb']:>8} MB  "
                    f"{result['seconds']:>6} s  peak RSS {result['peak_rss_mb']} MB",
                    flush=True,
                )
    if args.out:
        args.out.write_text(json.dumps({"results": results, "cpus": os.cpu_count()}, indent=2) + "\n")


if __name__ == "__main__":
    main()
