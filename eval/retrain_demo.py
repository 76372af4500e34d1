"""Measure retraining on a newsroom's own labels, as issue 5 asks.

    python -m eval.retrain_demo --gold ../shared/labels/polnear-dev-gold.jsonl --work /tmp/demo

Ten gold dev articles play the newsroom's own labels (the first ten, in id
order, whose types are complete); the model continues on them with
``train --add`` (replay from PolNeAR train where present), and the type macro-F1
is reported before and after on the other gold dev articles (it must not drop)
and on the ten themselves. The gold labels are used for this measurement only;
the model it writes is not shipped. The work folder holds copies of corpus text:
keep it outside the repository.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from claimcheck.data import load_examples, save_examples
from claimcheck.evaluation.harness import evaluate, summarize_metrics
from claimcheck.models.registry import load_model
from claimcheck.pipeline import Checker
from claimcheck.training.config import load_config
from claimcheck.training.continuing import continue_training
from claimcheck.training.tagger_config import FinetuneConfig

REPO = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--gold", type=Path, required=True)
    parser.add_argument("--work", type=Path, required=True, help="a folder outside the repository")
    parser.add_argument("--model", default=None, help="the model to start from (default: the default)")
    parser.add_argument("--config", type=Path, default=REPO / "configs" / "tagger.yaml")
    parser.add_argument("--n", type=int, default=10)
    parser.add_argument("--set", dest="overrides", action="append", default=[])
    args = parser.parse_args(argv)

    gold = sorted(load_examples(args.gold), key=lambda ex: ex.id)
    own = [ex for ex in gold if ex.meta.get("types") == "complete"][: args.n]
    own_ids = {ex.id for ex in own}
    others = [ex for ex in gold if ex.id not in own_ids]
    args.work.mkdir(parents=True, exist_ok=True)
    save_examples(args.work / "newsroom.jsonl", own)
    save_examples(args.work / "others.jsonl", others)

    overrides = [f"dev={args.work / 'others.jsonl'}", *args.overrides]
    config = load_config(args.config, FinetuneConfig, overrides)
    result = continue_training(config, args.work / "newsroom.jsonl", args.model, args.work / "model")

    before = Checker(load_model(args.model))
    after = Checker(load_model(result.folder))
    report = {
        "newsroom_articles": sorted(own_ids),
        "others": {"n_articles": len(others), "before": result.before["dev"], "after": result.after["dev"]},
        "newsroom": {
            "n_articles": len(own),
            "before": summarize_metrics(evaluate(before, own)),
            "after": summarize_metrics(evaluate(after, own)),
        },
    }
    (args.work / "report.json").write_text(json.dumps(report, indent=2), encoding="utf-8")
    for part in ("others", "newsroom"):
        b, a = report[part]["before"], report[part]["after"]
        print(
            f"{part:9} ({report[part]['n_articles']} articles): type macro-F1 {b.get('types.macro_f1')} -> "
            f"{a.get('types.macro_f1')}; claim macro-F1 {b.get('claims.macro_f1')} -> {a.get('claims.macro_f1')}; "
            f"source exact F1 {b.get('source.exact_f1')} -> {a.get('source.exact_f1')}"
        )


if __name__ == "__main__":
    main()
