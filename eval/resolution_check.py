"""How often the checker shows the right name for a pronoun or description source.

    python -m eval.resolution_check                   # the resolver of the working tree
    python -m eval.resolution_check --base c3468c2    # and beside it the resolver of another commit
    python -m eval.resolution_check --show            # every item with its text, to audit the labels
    python -m eval.resolution_check --select          # the selection rule's items, unlabelled (JSONL)
    python -m eval.resolution_check --base c3468c2 --checker tagger   # and the model's validation figures

The check set (``eval/data/resolution-check.jsonl``, described in ``eval/data/README.md``)
holds offsets only: the article text is read from PolNeAR at run time. Its items are gold
sources of the validation split that are a pronoun ("he", "they", "it") or a short definite
description ("the senator", "the agency"), at most three an article, drawn with a fixed seed
(:func:`select_items`); each carries its true antecedent, labelled by hand, as the offsets of
a named mention before it, or ``null`` where the article names none before it (a vague group,
an unnamed person, a document, two people at once).

The resolver runs as the product runs it, on the gold source span through
:func:`claimcheck.models.source_context.source_context`, so that tagger errors do not mix in.
A shown name is right when its words, less titles, a leading "the" and possessives, are the
end of the labelled name's words: "Reyes" and "Tom Reyes" for "Sen. Tom Reyes", not
"Although Reyes" nor "Reyes. But". ``--base`` swaps in only ``claimcheck/models/coreference.py``
of the given commit; the rest of the package is the working tree's.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any
from unittest import mock

from claimcheck.data import Attribution, LabelledExample
from claimcheck.io import read_labels
from claimcheck.lexicons import DOCUMENT_WORDS, GROUP_PRONOUNS, PERSON_PRONOUNS, THING_PRONOUNS, TITLES
from claimcheck.models.source_context import source_context
from claimcheck.text import split_sentences
from claimcheck.training.data import read_ids

ROOT = Path(__file__).resolve().parent.parent
CHECK_SET = ROOT / "eval" / "data" / "resolution-check.jsonl"
ARTICLES = ROOT.parent / "shared" / "data" / "polnear" / "train"
SPLIT = ROOT / "configs" / "splits" / "polnear-validation.txt"
PER_ARTICLE = 3
SEED = 19
HELD_OUT = 50
HELD_OUT_SEED = 20
_PRONOUNS = PERSON_PRONOUNS | GROUP_PRONOUNS | THING_PRONOUNS

Resolver = Callable[[str, int, str], str | None]


def source_kind(source: str) -> str | None:
    """The item kind of a source: a "pronoun", a "description" (the/this/that and one to
    three lower-case words that do not name a document), or None."""
    words = source.split()
    if source.lower() in _PRONOUNS:
        return "pronoun"
    if (
        2 <= len(words) <= 4
        and words[0].lower() in {"the", "this", "that"}
        and all(w[:1].islower() for w in words[1:])
        and words[-1].lower() not in DOCUMENT_WORDS
    ):
        return "description"
    return None


def _candidates(ex: LabelledExample) -> list[tuple[int, int, str]]:
    found = set()
    for att in ex.attributions:
        if len(att.source) == 1:
            start, end = att.source[0]
            kind = source_kind(ex.text[start:end].strip())
            if kind:
                found.add((start, end, kind))
    return sorted(found)


def select_items(examples: list[LabelledExample]) -> list[dict]:
    """The check set's items, unlabelled. First part: per article (in id order) a seeded
    sample of at most three of its one-range gold sources that are pronouns or
    descriptions, in text order. Held-out part: 50 more of those left, a seeded sample."""
    rng = random.Random(SEED)
    items, left = [], []
    for ex in sorted(examples, key=lambda e: e.id):
        found = _candidates(ex)
        chosen = sorted(rng.sample(found, min(PER_ARTICLE, len(found))))
        items += [{"article": ex.id, "source": [s, e], "kind": k, "antecedent": None} for s, e, k in chosen]
        left += [(ex.id, s, e, k) for s, e, k in found if (s, e, k) not in chosen]
    more = sorted(random.Random(HELD_OUT_SEED).sample(left, min(HELD_OUT, len(left))))
    held = [{"article": a, "source": [s, e], "kind": k, "antecedent": None, "part": "held-out"} for a, s, e, k in more]
    return items + held


def name_words(name: str) -> list[str]:
    """A name's words for comparison: lower case, without titles, a leading "the",
    possessives or a final full stop."""
    words = [w.lower().replace("’", "'").removesuffix("'s").rstrip("'") for w in name.strip().rstrip(".").split()]
    words = [w for w in words if w.rstrip(".") not in TITLES]
    return words[1:] if words[:1] == ["the"] else words


def is_right(shown: str, label: str) -> bool:
    """Is the shown name the labelled one, or the end of it ("Reyes" for "Sen. Tom Reyes")?"""
    got, want = name_words(shown), name_words(label)
    return bool(got) and len(got) <= len(want) and want[-len(got) :] == got


def shown_names(examples: dict[str, LabelledExample], items: list[dict]) -> list[str | None]:
    """The name the checker shows beside each item's source, None where it shows the pronoun alone."""
    sentences = {aid: split_sentences(ex.text) for aid, ex in examples.items()}
    out = []
    for item in items:
        text = examples[item["article"]].text
        att = Attribution(id="S", source=[tuple(item["source"])])
        out.append(source_context(text, sentences[item["article"]], att).antecedent)
    return out


def _rate(count: int, total: int) -> float | None:
    return round(count / total, 3) if total else None


def score(texts: dict[str, str], items: list[dict], shown: list[str | None]) -> dict[str, Any]:
    """The figures of :func:`_score` on all items, and apart on the first part (the items
    the rules were written against) and the held-out part (labelled after the rules were
    written, and not looked at while writing them)."""
    out = _score(texts, items, shown)
    for name, part in (("first_part", None), ("held_out", "held-out")):
        chosen = [n for n, item in enumerate(items) if item.get("part") == part]
        if chosen and len(chosen) < len(items):
            out[name] = _score(texts, [items[n] for n in chosen], [shown[n] for n in chosen])
    return out


def _score(texts: dict[str, str], items: list[dict], shown: list[str | None]) -> dict[str, Any]:
    """Accuracy, wrong-name and abstention rates, on items with a named antecedent and without."""
    named = [(i, s) for i, s in zip(items, shown, strict=True) if i["antecedent"]]
    unnamed = [s for i, s in zip(items, shown, strict=True) if not i["antecedent"]]
    right = sum(1 for i, s in named if s and is_right(s, texts[i["article"]][slice(*i["antecedent"])]))
    wrong = sum(1 for _, s in named if s) - right
    names = [s for s in shown if s]
    return {
        "items": len(items),
        "named": len(named),
        "accuracy": _rate(right, len(named)),
        "wrong_name": _rate(wrong, len(named)),
        "abstained": _rate(sum(1 for _, s in named if not s), len(named)),
        "unnamed": len(unnamed),
        "unnamed_wrong_name": _rate(sum(1 for s in unnamed if s), len(unnamed)),
        "all_wrong_name": _rate(wrong + sum(1 for s in unnamed if s), len(items)),
        "shown_right": _rate(right, len(names)),
        "shown_across_sentence_end": sum(1 for s in names if len(split_sentences(s)) > 1),
    }


def resolver_at(rev: str) -> Resolver:
    """``resolve`` from ``claimcheck/models/coreference.py`` as it was at commit ``rev``."""
    path = "claimcheck/models/coreference.py"
    code = subprocess.run(["git", "show", f"{rev}:{path}"], cwd=ROOT, capture_output=True, text=True, check=True)
    module = types.ModuleType(f"coreference_at_{rev}")
    exec(compile(code.stdout, f"{rev}:{path}", "exec"), module.__dict__)  # our own history, not input
    return module.resolve


def checker_figures(model_name: str, config_path: Path, base: str | None) -> dict[str, Any]:
    """The checker's headline figures on the config's validation split with the working
    tree's resolver and, where ``base`` is given, with that commit's (one encoding for both:
    the resolver only moves the type head's features and the shown names)."""
    import torch

    from claimcheck.evaluation.harness import evaluate, summarize_metrics
    from claimcheck.models.registry import load_model
    from claimcheck.pipeline import Checker
    from claimcheck.training.config import load_config
    from claimcheck.training.data import training_data
    from claimcheck.training.tagger_config import FinetuneConfig

    torch.set_num_threads(1)
    _, validation = training_data(load_config(config_path, FinetuneConfig))
    model = load_model(model_name)
    if hasattr(model, "encode"):
        texts = [ex.text for ex in validation]
        encoded = dict(zip(texts, model.encode(texts), strict=True))
        model.encode = lambda batch, **_: [encoded[t] for t in batch]
    out = {"now": summarize_metrics(evaluate(Checker(model), validation))}
    if base:
        with mock.patch("claimcheck.models.source_context.resolve", resolver_at(base)):
            out["base"] = summarize_metrics(evaluate(Checker(model), validation))
    return out


def load_articles(items: list[dict], articles: Path = ARTICLES) -> dict[str, LabelledExample]:
    wanted = {i["article"] for i in items}
    return {ex.id: ex for ex in read_labels(articles) if ex.id in wanted}


def _show(examples: dict[str, LabelledExample], items: list[dict], shown: list[str | None]) -> None:
    for n, (item, name) in enumerate(zip(items, shown, strict=True)):
        text = examples[item["article"]].text
        start, end = item["source"]
        ant = text[slice(*item["antecedent"])] if item["antecedent"] else None
        verdict = "abstains" if not name else ("right" if ant and is_right(name, ant) else "WRONG")
        print(
            f"\n#{n} {item['article']} {item['kind']} {text[start:end]!r} -> label {ant!r}, shown {name!r}: {verdict}"
        )
        print(text[max(0, start - 400) : start] + "[[" + text[start:end] + "]]" + text[end : end + 80])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check-set", type=Path, default=CHECK_SET)
    parser.add_argument("--articles", type=Path, default=ARTICLES, help="the PolNeAR train folder (BRAT)")
    parser.add_argument("--base", help="also score the resolver of this commit")
    parser.add_argument("--show", action="store_true", help="print every item with its text and verdict")
    parser.add_argument("--select", action="store_true", help="print the selection rule's items, unlabelled")
    parser.add_argument("--checker", metavar="MODEL", help="also the model's validation figures (slow)")
    parser.add_argument("--config", type=Path, default=ROOT / "configs" / "tagger.yaml", help="its validation split")
    args = parser.parse_args(argv)
    if args.select:
        held = set(read_ids(SPLIT))
        for item in select_items([ex for ex in read_labels(args.articles) if ex.id in held]):
            print(json.dumps(item))
        return
    items = [json.loads(line) for line in args.check_set.read_text(encoding="utf-8").splitlines() if line.strip()]
    examples = load_articles(items, args.articles)
    texts = {aid: ex.text for aid, ex in examples.items()}
    shown = shown_names(examples, items)
    if args.show:
        _show(examples, items, shown)
    result = {"resolver": "working tree", **score(texts, items, shown)}
    if args.base:
        with mock.patch("claimcheck.models.source_context.resolve", resolver_at(args.base)):
            before = score(texts, items, shown_names(examples, items))
        result = {"base": {"resolver": args.base, **before}, "now": result}
    if args.checker:
        result = {"check_set": result, "checker": checker_figures(args.checker, args.config, args.base)}
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
