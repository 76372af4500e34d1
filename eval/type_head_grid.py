"""Type-head settings of a trained tagger, chosen on the validation split.

    python -m eval.type_head_grid --config configs/tagger.yaml --model tagger

Pools the typed training sources from the model's encoder once, fits the head with
each setting of the grid and scores the checker on the config's validation articles
(types, claims, false attributions). Writes one JSON line per setting; the best by
validation type macro-F1 is the one to write into the config (``type_head_C``,
``type_head_class_weight``, ``type_head_dense_weight``) before
``claimcheck train --config ... --type-head-only``. PolNeAR dev and the gold dev
labels are not read: no choice is made on them.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from pathlib import Path

#: the settings tried, by their config keys
GRID = {
    "type_head_C": [0.3, 1.0],
    "type_head_class_weight": [None, "balanced"],
    "type_head_dense_weight": [0.5, 1.0],
}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--config", type=Path, required=True, help="the training config (its validation split)")
    parser.add_argument("--model", required=True, help="the trained tagger: a name or a folder")
    parser.add_argument("--set", dest="overrides", action="append", default=[], help="a config key=value")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--out", type=Path, default=None, help="also write the JSON lines here")
    args = parser.parse_args(argv)

    import numpy as np
    import torch

    from claimcheck.evaluation.harness import evaluate
    from claimcheck.models.registry import load_model
    from claimcheck.pipeline import Checker
    from claimcheck.training.config import load_config
    from claimcheck.training.data import config_annotations, training_data
    from claimcheck.training.tagger_config import FinetuneConfig
    from claimcheck.training.type_head import new_type_head, pooled_sources

    torch.set_num_threads(args.threads)
    config = load_config(args.config, FinetuneConfig, args.overrides)
    if config.validation is None:
        parser.error(f"{args.config} names no validation split: there is nothing to choose on")
    train, validation = training_data(config)
    model = load_model(args.model)
    feats, vectors, labels, _ = pooled_sources(model, train, config_annotations(config))
    matrix = np.stack(vectors)
    lines = []
    for values in itertools.product(*GRID.values()):
        setting = dict(zip(GRID, values, strict=True))  # the config's own keys
        model.type_head = new_type_head(config.model_copy(update=setting)).fit_features(feats, matrix, labels)
        metrics = evaluate(Checker(model), validation)
        line = {
            **setting,
            "types.macro_f1": metrics["types"]["macro_f1"],
            "types.ece": metrics["types"]["ece"],
            "claims.macro_f1": metrics["claims"]["macro_f1"],
            "claims.false_attribution_rate": metrics["claims"]["false_attribution_rate"],
            "types.per_class": {k: v["f1"] for k, v in metrics["types"]["per_class"].items()},
        }
        lines.append(json.dumps(line))
        print(lines[-1], flush=True)
    if args.out:
        from claimcheck.files import atomic_write_text

        atomic_write_text(args.out, "\n".join(lines) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
