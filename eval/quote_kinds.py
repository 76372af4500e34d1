"""Quote kinds on the validation split: how the gold contents divide, and how often a model's
contents get the kind of the gold contents they are paired with.

    python -m eval.quote_kinds            # the default model; --model NAME for another

Reads the validation articles (PolNeAR train articles held out of training, by the ids in
``configs/splits/polnear-validation.txt``), takes the quote kind
(:func:`claimcheck.quotes.quote_kind`) of every gold content, checks the articles, pairs each
gold attribution with at most one predicted one
(:func:`claimcheck.evaluation.metrics.pair_attributions`) and compares the gold content's kind
with the kind the checker gave its partner. Prints one JSON object (also written to ``--out``).

The gold kinds are the same rule applied to the annotators' spans, not an independent
reading of the quotation marks: the distribution says how common each kind is, and the
agreement says how much the model's content boundaries change the kind.
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from claimcheck.data import QUOTE_KINDS, ArticleReport, LabelledExample
from claimcheck.evaluation.metrics import pair_attributions
from claimcheck.quotes import quote_kind, quoted_spans

REPO = Path(__file__).resolve().parents[1]


def quote_agreement(examples: Sequence[LabelledExample], reports: Sequence[ArticleReport]) -> dict:
    """The gold contents' kinds, and their agreement with the paired predictions' kinds.

    A gold attribution without a content is left out; one whose partner has no content
    (or that has no partner) counts as ``unpaired``. ``agreement`` is the share of pairs
    of the same kind, ``kappa`` Cohen's kappa over the pairs, ``confusion[gold][predicted]``
    the pairs' counts."""
    from sklearn.metrics import cohen_kappa_score

    gold_kinds: Counter[str] = Counter()
    pairs: list[tuple[str, str]] = []
    for example, report in zip(examples, reports, strict=True):
        quoted = quoted_spans(example.text)
        for gold, pred in pair_attributions(example, report):
            kind = quote_kind(example.text, gold.content, quoted)
            if kind is None:
                continue
            gold_kinds[kind] += 1
            if pred is not None and pred.quote_kind is not None:
                pairs.append((kind, pred.quote_kind))
    n_gold = sum(gold_kinds.values())
    same = sum(g == p for g, p in pairs)
    kappa = cohen_kappa_score([g for g, _ in pairs], [p for _, p in pairs], labels=list(QUOTE_KINDS)) if pairs else None
    return {
        "articles": len(examples),
        "gold_contents": n_gold,
        "gold_kinds": {k: gold_kinds[k] for k in QUOTE_KINDS},
        "gold_shares": {k: round(gold_kinds[k] / n_gold, 4) if n_gold else 0.0 for k in QUOTE_KINDS},
        "paired": len(pairs),
        "unpaired": n_gold - len(pairs),
        "agreement": round(same / len(pairs), 4) if pairs else None,
        "kappa": None if kappa is None else round(float(kappa), 4),
        "confusion": {g: {p: sum(pair == (g, p) for pair in pairs) for p in QUOTE_KINDS} for g in QUOTE_KINDS},
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data" / "polnear" / "train")
    parser.add_argument("--split", type=Path, default=REPO / "configs" / "splits" / "polnear-validation.txt")
    parser.add_argument("--model", default=None, help="a model name or folder (default: the default model)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--out", type=Path, default=None, help="also write the JSON here")
    args = parser.parse_args(argv)

    import torch

    from claimcheck.io import read_labels
    from claimcheck.models.registry import resolve_model_path
    from claimcheck.pipeline import Checker
    from claimcheck.training.data import read_ids

    torch.set_num_threads(args.threads)
    held = set(read_ids(args.split))
    examples = [ex for ex in read_labels(args.data) if ex.id in held]
    checker = Checker.load(args.model)
    reports = checker.check_many([ex.text for ex in examples], ids=[ex.id for ex in examples])
    model = resolve_model_path(args.model).name
    result = {"model": model, "split": args.split.name, **quote_agreement(examples, reports)}
    text = json.dumps(result, indent=2)
    print(text)
    if args.out:
        from claimcheck.files import atomic_write_text

        atomic_write_text(args.out, text + "\n")


if __name__ == "__main__":
    main()
