"""Read PolNeAR's BRAT standoff (``text/*.txt`` + ``attributions/*.ann``).

``T`` lines hold Source/Cue/Content spans (``;``-separated pieces for
discontinuous spans); ``E`` lines link one attribution's spans. A span's text
may contain newlines, so continuation lines that are neither ``T``, ``E`` nor
a ``#`` note are skipped: offsets, not the echoed text, are the truth.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from pathlib import Path

from claimcheck.data import Attribution, DataError, LabelledExample

_T_LINE = re.compile(r"^(T\d+)\t(\S+) ([\d ;]+)\t?")
_ROLE = {"Source": "source", "Cue": "cue", "Content": "content"}


def read_brat_file(text_path: Path, ann_path: Path, meta: dict | None = None) -> LabelledExample:
    text = text_path.read_text(encoding="utf-8")
    spans: dict[str, list[tuple[int, int]]] = {}
    events: list[tuple[int, str]] = []
    with ann_path.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, start=1):
            if m := _T_LINE.match(line):
                try:
                    pieces = [tuple(int(x) for x in p.split()) for p in m.group(3).split(";")]
                    spans[m.group(1)] = [(s, e) for s, e in pieces if e > s]
                except ValueError:
                    raise DataError(f"{ann_path}:{lineno}: malformed offsets {m.group(3)!r}") from None
            elif re.match(r"^E\d+\t", line):
                events.append((lineno, line.rstrip("\n")))
    attributions = []
    for lineno, line in events:
        eid, args = line.split("\t", 1)
        att: dict[str, list[tuple[int, int]]] = {"source": [], "cue": [], "content": []}
        for arg in args.split():
            role, _, tid = arg.partition(":")
            role = _ROLE.get(role.rstrip("0123456789"))
            if role is None:
                continue
            if tid not in spans:
                raise DataError(f"{ann_path}:{lineno}: {eid} refers to unknown span {tid}")
            att[role].extend(spans[tid])
        if not any(att.values()):
            continue
        attributions.append(Attribution(id=eid, **{k: sorted(set(v)) for k, v in att.items()}))
    meta = dict(meta or {})
    meta.setdefault("corpus", "PolNeAR")
    meta["annotation"] = ann_path.name
    try:
        return LabelledExample(id=text_path.stem, text=text, meta=meta, attributions=attributions)
    except ValueError as err:
        raise DataError(f"{ann_path}: {err}") from None


def _read_metadata(root: Path) -> dict[str, dict]:
    for candidate in (root / "metadata.tsv", root.parent / "metadata.tsv"):
        if candidate.is_file():
            with candidate.open(encoding="utf-8", newline="") as fh:
                rows = csv.DictReader(fh, delimiter="\t")
                return {
                    r["filename"]: {
                        k: r[k] for k in ("publisher", "publication_date", "title", "credit", "wire") if k in r
                    }
                    for r in rows
                }
    return {}


def read_brat_dir(root: str | Path) -> Iterator[LabelledExample]:
    """Yield one example per article of a PolNeAR-style compartment.

    Where several annotators labelled an article, the first ``.ann`` in sorted
    order is used (the corpus's convention for training and evaluation).
    """
    root = Path(root)
    text_dir, ann_dir = root / "text", root / "attributions"
    if not text_dir.is_dir() or not ann_dir.is_dir():
        raise DataError(f"{root}: not a BRAT directory (expected text/ and attributions/ inside)")
    metadata = _read_metadata(root)
    anns: dict[str, Path] = {}
    for ann in sorted(ann_dir.glob("*.ann")):
        stem = ann.stem
        article = stem.rsplit("_", 1)[0] if not (text_dir / f"{stem}.txt").exists() else stem
        anns.setdefault(article, ann)
    for text_path in sorted(text_dir.glob("*.txt")):
        ann = anns.get(text_path.stem)
        if ann is None:
            continue
        yield read_brat_file(text_path, ann, metadata.get(text_path.stem))
