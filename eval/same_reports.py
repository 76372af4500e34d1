"""Are the reports of two checkouts the same, byte for byte? For changes meant to leave every
output as it is (start-up, speed).

    python -m eval.same_reports --before /work/main examples/*.txt ../shared/examples/*.txt
    python -m eval.same_reports --before /work/main --sample 20 ../shared/data/polnear/dev/text/*.txt
    python -m eval.same_reports --before /work/main --model tagger-lora --precision int8 examples/*.txt

Each checkout runs ``python -m claimcheck check FILES --format jsonl`` in its own folder (so
that its own ``claimcheck`` package is imported) with the same model options; the reports are
compared line by line. ``--sample N`` takes N of the files, drawn with a fixed seed. Prints
one line a differing file and a summary; exits 1 where any report differs.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def reports(checkout: Path, files: list[Path], options: list[str]) -> list[str]:
    """One JSONL report a file, as ``checkout``'s own ``claimcheck check`` writes it."""
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    out = subprocess.run(
        [sys.executable, "-m", "claimcheck", "check", *map(str, files), "--format", "jsonl", *options],
        cwd=checkout,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if out.returncode != 0:
        raise SystemExit(f"{checkout}: claimcheck check failed:\n{out.stderr}")
    return out.stdout.splitlines()


def compare(before: Path, after: Path, files: list[Path], options: list[str]) -> tuple[dict[str, list[str]], int]:
    """The files whose reports differ between the two checkouts, each with the report's
    top-level fields that differ; and the number of claims in the reports compared."""
    old, new = reports(before, files, options), reports(after, files, options)
    if len(old) != len(files) or len(new) != len(files):
        raise SystemExit(f"expected {len(files)} reports, got {len(old)} and {len(new)}")
    differing = {}
    for file, a, b in zip(files, old, new, strict=True):
        if a != b:
            ra, rb = json.loads(a), json.loads(b)
            keys = [k for k in sorted(set(ra) | set(rb)) if ra.get(k) != rb.get(k)]
            differing[str(file)] = keys or ["(key order or formatting)"]
    claims = sum(len(json.loads(line).get("claims", [])) for line in new)
    return differing, claims


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="+", type=Path, help="article files")
    parser.add_argument("--before", type=Path, required=True, help="the checkout to compare with")
    parser.add_argument("--after", type=Path, default=ROOT, help="the checkout compared (default: this one)")
    parser.add_argument("--sample", type=int, default=None, help="only N of the files (fixed seed)")
    parser.add_argument("--model", default=None)
    parser.add_argument("--precision", default=None)
    args = parser.parse_args(argv)
    files = sorted(f.resolve() for f in args.files)
    if args.sample is not None and args.sample < len(files):
        files = sorted(random.Random(0).sample(files, args.sample))
    options = [
        *(["--model", args.model] if args.model else []),
        *(["--precision", args.precision] if args.precision else []),
    ]
    differing, claims = compare(args.before.resolve(), args.after.resolve(), files, options)
    for file, keys in differing.items():
        print(f"differs: {file}: {', '.join(keys)}")
    print(f"{len(files)} files, {claims} claims: {len(files) - len(differing)} identical, {len(differing)} differ")
    sys.exit(1 if differing else 0)


if __name__ == "__main__":
    main()
