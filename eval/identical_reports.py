"""Do the shipped models give the same reports as before a change?

    python -m eval.identical_reports --out /tmp/before.jsonl          # on the old code
    python -m eval.identical_reports --compare /tmp/before.jsonl      # on the new code

Runs each shipped model (``claimcheck models``) over PolNeAR dev and writes one JSON line
per model and article: the full report (attributions with spans, types, confidences,
scores and reasons; claims; summary). ``--compare``
reruns them and names every article whose report differs; it exits 1 if any does. A
refactor that claims to change nothing shows it here.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "polnear" / "dev"


def reports(models: list[str], data: Path, threads: int) -> dict[str, dict]:
    """``{"model/article-id": report}`` for every model and article."""
    import torch

    from claimcheck.io.brat import read_brat_dir
    from claimcheck.models.registry import load_model
    from claimcheck.pipeline import Checker

    torch.set_num_threads(threads)
    examples = list(read_brat_dir(data))
    out = {}
    for name in models:
        checker = Checker(load_model(name))
        for ex in examples:
            report = checker.check(ex.text, id=ex.id).model_dump(mode="json")
            out[f"{name}/{ex.id}"] = report
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="a BRAT folder (PolNeAR dev)")
    parser.add_argument("--models", nargs="+", default=["tagger", "baseline"])
    parser.add_argument("--threads", type=int, default=2)
    what = parser.add_mutually_exclusive_group(required=True)
    what.add_argument("--out", type=Path, help="write the reports here")
    what.add_argument("--compare", type=Path, help="compare with reports written before")
    args = parser.parse_args(argv)
    if not args.data.is_dir():
        parser.error(f"{args.data} is no folder: PolNeAR dev is read from ../shared/data/polnear/dev")
    now = reports(args.models, args.data, args.threads)
    if args.out:
        from claimcheck.files import atomic_write_text

        atomic_write_text(args.out, "".join(json.dumps({"key": k, "report": r}) + "\n" for k, r in now.items()))
        print(f"{len(now)} reports written to {args.out}")
        return 0
    before = {row["key"]: row["report"] for row in map(json.loads, args.compare.read_text().splitlines())}
    differ = sorted(k for k in before.keys() | now.keys() if before.get(k) != now.get(k))
    for key in differ:
        print(f"differs: {key}")
    print(f"{len(now)} reports, {len(differ)} differ")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
