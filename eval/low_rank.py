"""How small a fully fine-tuned tagger can be stored: its encoder's change from the base cut
to each rank of a grid, scored on the config's validation split.

    python -m eval.low_rank --config configs/tagger.yaml --model tagger [--out DIR]

For each rank the change of every weight matrix is cut to its leading singular
directions (:mod:`claimcheck.models.lowrank`), put into the base encoder, and the
checker scored on the validation articles (spans, types, claims). Prints one JSON line
per rank with the stored size. The rule: the smallest rank whose mean span exact F1 is
within ``--tolerance`` (0.005) of the full model's. ``--out`` saves the model at that
rank (``encoder_rank`` in its settings; the base encoder is needed beside it). PolNeAR
dev and the gold dev labels are not read.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

GRID = [16, 32, 64, 128]


def _line(metrics: dict, rank: int | None, megabytes: float) -> dict:
    spans = metrics["spans"]
    exact = [spans[r]["exact"]["f1"] for r in ("source", "cue", "content")]
    return {
        "rank": rank,
        "encoder_mb": round(megabytes, 1),
        "source.exact_f1": exact[0],
        "cue.exact_f1": exact[1],
        "content.exact_f1": exact[2],
        "mean_exact_f1": round(sum(exact) / 3, 4),
        "types.macro_f1": (metrics.get("types") or {}).get("macro_f1"),
        "claims.macro_f1": (metrics.get("claims") or {}).get("macro_f1"),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", type=Path, required=True, help="the training config (its validation split)")
    parser.add_argument("--model", required=True, help="a fully fine-tuned tagger: a name or a folder")
    parser.add_argument("--ranks", type=int, nargs="+", default=GRID)
    parser.add_argument("--tolerance", type=float, default=0.005, help="mean span exact F1 a rank may lose")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--out", type=Path, default=None, help="save the model at the chosen rank here")
    args = parser.parse_args(argv)

    import torch

    from claimcheck.evaluation.harness import evaluate
    from claimcheck.models.encoders import encoder_path
    from claimcheck.models.lowrank import apply_delta, delta_factors, stored_parameters
    from claimcheck.models.registry import load_model, read_config, resolve_model_path, save_model
    from claimcheck.models.tuned_encoder import FROZEN, encoder_weights, load_encoder
    from claimcheck.pipeline import Checker
    from claimcheck.training.config import load_config
    from claimcheck.training.data import training_data
    from claimcheck.training.tagger_config import FinetuneConfig

    torch.set_num_threads(args.threads)
    config = load_config(args.config, FinetuneConfig)
    _, validation = training_data(config)
    model = load_model(args.model)
    if model.settings.finetuning != "full":
        parser.error(f"{args.model}: not a fully fine-tuned tagger")
    encoder = model.network.encoder
    tuned = {k: v.clone() for k, v in encoder.state_dict().items()}
    base = load_encoder(encoder_path(model.settings.base_encoder))[0].state_dict()
    full_mb = sum(t.numel() for k, t in encoder_weights(encoder).items() if k not in FROZEN) * 2 / 1e6
    lines = [_line(evaluate(Checker(model), validation), None, full_mb)]
    print(json.dumps(lines[-1]), flush=True)
    for rank in args.ranks:
        delta = delta_factors(base, tuned, rank)
        encoder.load_state_dict(base)
        apply_delta(encoder, delta)
        lines.append(_line(evaluate(Checker(model), validation), rank, stored_parameters(delta) * 2 / 1e6))
        print(json.dumps(lines[-1]), flush=True)
    encoder.load_state_dict(tuned)
    good = [ln for ln in lines[1:] if ln["mean_exact_f1"] >= lines[0]["mean_exact_f1"] - args.tolerance]
    chosen = min(good, key=lambda ln: ln["rank"]) if good else None
    print(json.dumps({"chosen": chosen}), flush=True)
    if args.out and chosen:
        model.settings = model.settings.replace(encoder_rank=chosen["rank"])
        training = read_config(resolve_model_path(args.model)).get("training", {})
        save_model(model, args.out, extra={"training": {**training, "low_rank": {"grid": lines, "chosen": chosen}}})
        print(f"model written to {args.out}")


if __name__ == "__main__":
    main()
