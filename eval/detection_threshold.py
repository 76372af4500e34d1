"""The tagger's detection threshold (``min_detection``), chosen on the validation split.

    python -m eval.detection_threshold --config configs/tagger.yaml --model tagger

Encodes the config's validation articles once, then scores the checker with each
threshold of the grid: a tagged attribution whose detection probability (see
:func:`claimcheck.models.tagger.detection_probability`) is below it is dropped. The rule
baseline is scored beside it, since the target is a false-attribution rate (the
article's own sentences given a source) at most half the baseline's. Prints one JSON
line per threshold and the one the rule picks:

- the thresholds that cost at most ``--max-loss`` (one point) of claim macro-F1 and of
  mean span exact F1 against no threshold are allowed (dropping real attributions is an
  error too: the claim loses its source);
- of those, the lowest that meets the target; where none does, the one with the lowest
  false-attribution rate (the target is then out of reach of a threshold: say so).

PolNeAR dev and the gold dev labels are not read: no choice is made on them.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

GRID = [None, 0.5, 0.6, 0.7, 0.75, 0.8, 0.825, 0.85, 0.875, 0.9, 0.95]


def _line(metrics: dict, threshold: float | None) -> dict:
    spans = metrics["spans"]
    return {
        "min_detection": threshold,
        "source.exact_f1": spans["source"]["exact"]["f1"],
        "cue.exact_f1": spans["cue"]["exact"]["f1"],
        "content.exact_f1": spans["content"]["exact"]["f1"],
        "types.macro_f1": metrics["types"]["macro_f1"],
        "claims.macro_f1": metrics["claims"]["macro_f1"],
        "claims.false_attribution_rate": metrics["claims"]["false_attribution_rate"],
    }


def _mean_span(line: dict) -> float:
    return (line["source.exact_f1"] + line["cue.exact_f1"] + line["content.exact_f1"]) / 3


def pick(lines: list[dict], baseline_rate: float, max_loss: float = 0.01) -> dict:
    """The rule of the module docstring; ``lines[0]`` is the model without a threshold."""
    unfiltered = lines[0]
    allowed = [
        ln
        for ln in lines
        if ln["claims.macro_f1"] >= unfiltered["claims.macro_f1"] - max_loss
        and _mean_span(ln) >= _mean_span(unfiltered) - max_loss
    ]
    meeting = [ln for ln in allowed if ln["claims.false_attribution_rate"] <= baseline_rate / 2]
    if meeting:
        return min(meeting, key=lambda ln: ln["min_detection"] or 0.0)
    return min(allowed, key=lambda ln: (ln["claims.false_attribution_rate"], -(ln["min_detection"] or 0.0)))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", type=Path, required=True, help="the training config (its validation split)")
    parser.add_argument("--model", required=True, help="the trained tagger: a name or a folder")
    parser.add_argument("--baseline", default="baseline", help="the model whose false-attribution rate is halved")
    parser.add_argument("--set", dest="overrides", action="append", default=[], help="a config key=value")
    parser.add_argument("--max-loss", type=float, default=0.01, help="claim and span F1 a threshold may cost")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--out", type=Path, default=None, help="also write the JSON lines here")
    args = parser.parse_args(argv)

    import torch

    from claimcheck.evaluation.harness import evaluate
    from claimcheck.models.registry import load_model
    from claimcheck.pipeline import Checker
    from claimcheck.training.config import load_config
    from claimcheck.training.data import training_data
    from claimcheck.training.tagger_config import FinetuneConfig

    torch.set_num_threads(args.threads)
    config = load_config(args.config, FinetuneConfig, args.overrides)
    if config.validation is None:
        parser.error(f"{args.config} names no validation split: there is nothing to choose on")
    _, validation = training_data(config)
    baseline = evaluate(Checker(load_model(args.baseline)), validation)
    baseline_rate = baseline["claims"]["false_attribution_rate"]
    print(json.dumps({"baseline": args.baseline, **_line(baseline, None)}), flush=True)

    model = load_model(args.model)
    texts = [ex.text for ex in validation]
    encoded = dict(zip(texts, model.encode(texts), strict=True))
    model.encode = lambda batch, **_: [encoded[t] for t in batch]  # each threshold reuses the one pass
    lines = []
    for threshold in GRID:
        model.settings = model.settings.replace(min_detection=threshold)
        lines.append(_line(evaluate(Checker(model), validation), threshold))
        print(json.dumps(lines[-1]), flush=True)
    chosen = pick(lines, baseline_rate, args.max_loss)
    met = chosen["claims.false_attribution_rate"] <= baseline_rate / 2
    print(json.dumps({"chosen": chosen, "target_rate": round(baseline_rate / 2, 4), "target_met": met}), flush=True)
    if args.out:
        from claimcheck.files import atomic_write_text

        atomic_write_text(args.out, "\n".join(json.dumps(ln) for ln in lines) + "\n")


if __name__ == "__main__":
    main()
