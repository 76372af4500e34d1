"""Read and write PolNeAR's BRAT standoff (``text/*.txt`` + ``attributions/*.ann``).

``T`` lines hold Source/Cue/Content spans (``;``-separated pieces for
discontinuous spans); ``E`` lines link one attribution's spans. A span's text
may contain newlines, so continuation lines that are neither ``T``, ``E``,
``A`` nor a ``#`` note are skipped: offsets, not the echoed text, are the truth.

PolNeAR has no types or qualities; :func:`write_brat` stores them as BRAT
attributes on the event (``A1\tType E1 named_person``, ``A2\tQuality E1 4``),
and the reader reads them back.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from claimcheck.data import ATTRIBUTION_TYPES, Attribution, DataError, LabelledExample
from claimcheck.files import atomic_write_text

_T_LINE = re.compile(r"^(T\d+)\t(\S+) ([\d ;]+)\t?")
_ROLE = {"Source": "source", "Cue": "cue", "Content": "content"}
_BRAT_ROLE = {"source": "Source", "cue": "Cue", "content": "Content"}
#: The attribute names :func:`write_brat` writes and the reader reads back.
TYPE_ATTRIBUTE, QUALITY_ATTRIBUTE = "Type", "Quality"
#: The kinds of file :func:`read_brat_dir` reads in a folder (texts, annotations, metadata.tsv).
BRAT_SUFFIXES = frozenset({".txt", ".ann", ".tsv"})


def _read_attribute(ann_path: Path, lineno: int, line: str, values: dict[str, dict[str, object]]) -> None:
    """Parse a Type/Quality ``A`` line into ``values[event_id]``; other attributes are ignored."""
    aid, _, rest = line.rstrip("\n").partition("\t")
    parts = rest.split()
    if not parts or parts[0] not in (TYPE_ATTRIBUTE, QUALITY_ATTRIBUTE):
        return
    if len(parts) != 3:
        raise DataError(f"{ann_path}:{lineno}: {aid}: expected '{parts[0]} <event> <value>', got {rest!r}")
    name, target, value = parts
    if name == TYPE_ATTRIBUTE:
        if value not in ATTRIBUTION_TYPES:
            raise DataError(
                f"{ann_path}:{lineno}: {aid}: unknown type {value!r}; expected one of {', '.join(ATTRIBUTION_TYPES)}"
            )
        values.setdefault(target, {})["type"] = value
    else:
        if not (value.isascii() and value.isdigit() and 1 <= int(value) <= 5):
            raise DataError(f"{ann_path}:{lineno}: {aid}: quality {value!r} is not a whole number from 1 to 5")
        values.setdefault(target, {})["quality"] = int(value)
    values[target].setdefault("_line", lineno)


def read_brat_file(text_path: Path, ann_path: Path, meta: dict | None = None) -> LabelledExample:
    text = text_path.read_text(encoding="utf-8")
    spans: dict[str, list[tuple[int, int]]] = {}
    events: list[tuple[int, str]] = []
    attributes: dict[str, dict[str, object]] = {}
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
            elif re.match(r"^A\d+\t", line):
                _read_attribute(ann_path, lineno, line, attributes)
    event_ids = {line.split("\t", 1)[0] for _, line in events}
    for target, found in attributes.items():
        if target not in event_ids:
            raise DataError(f"{ann_path}:{found['_line']}: attribute refers to unknown event {target}")
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
        labels = {k: v for k, v in attributes.get(eid, {}).items() if k in ("type", "quality")}
        attributions.append(Attribution(id=eid, **{k: sorted(set(v)) for k, v in att.items()}, **labels))
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


# --------------------------------------------------------------------------- writing


def _check_name(value: str, what: str) -> None:
    if not value or value.startswith(".") or any(c in value for c in "/\\\0\n\t"):
        raise DataError(f"{what} {value!r} cannot be used in a file name")


def _echo(text: str, ranges: list[tuple[int, int]]) -> str:
    """A span's text as BRAT echoes it: pieces joined by a space, kept on one line."""
    return " ".join(re.sub(r"[\r\n\t]", " ", text[s:e]) for s, e in ranges)


def _event_ids(attributions: list[Attribution]) -> list[str]:
    """Keep ``E<n>`` ids when all are such and unique (so BRAT round trips keep them); else number E1..En."""
    ids = [a.id for a in attributions]
    if all(re.fullmatch(r"E\d+", i) for i in ids) and len(set(ids)) == len(ids):
        return ids
    return [f"E{n}" for n in range(1, len(ids) + 1)]


def brat_annotation(example: LabelledExample) -> str:
    """The ``.ann`` text for one example, in the dialect :func:`read_brat_file` reads.

    Per attribution: one ``T`` line per role (``;``-separated pieces), an
    ``Attribution`` (or ``Attribution-no-source``) anchor ``T`` line on the cue
    (on the content, then the source, where there is no cue), the ``E`` line,
    and ``Type``/``Quality`` attribute lines where known. Attributions with no
    span at all are left out (the reader would drop them). Attribution ids
    survive only where they already are BRAT event ids (``E1``, ``E2``...).
    """
    text = example.text
    attributions = [a for a in example.attributions if a.source or a.cue or a.content]
    lines: list[str] = []
    t = a_n = 0
    for eid, att in zip(_event_ids(attributions), attributions, strict=True):
        args: list[str] = []
        for role in ("source", "cue", "content"):
            ranges = att.ranges(role)
            if not ranges:
                continue
            t += 1
            offsets = ";".join(f"{s} {e}" for s, e in ranges)
            lines.append(f"T{t}\t{_BRAT_ROLE[role]} {offsets}\t{_echo(text, ranges)}")
            args.append(f"{_BRAT_ROLE[role]}:T{t}")
        anchor_name = "Attribution" if att.source else "Attribution-no-source"
        anchor = att.cue or att.content or att.source
        t += 1
        offsets = ";".join(f"{s} {e}" for s, e in anchor)
        lines.append(f"T{t}\t{anchor_name} {offsets}\t{_echo(text, anchor)}")
        lines.append(f"{eid}\t{anchor_name}:T{t} " + " ".join(args))
        if att.type is not None:
            a_n += 1
            lines.append(f"A{a_n}\t{TYPE_ATTRIBUTE} {eid} {att.type}")
        if att.quality is not None:
            a_n += 1
            lines.append(f"A{a_n}\t{QUALITY_ATTRIBUTE} {eid} {att.quality}")
    return "".join(line + "\n" for line in lines)


def write_brat(example: LabelledExample, text_dir: Path, ann_dir: Path, annotator: str = "claimcheck") -> None:
    """Write ``text_dir/<id>.txt`` and ``ann_dir/<id>_<annotator>.ann`` (atomically).

    Confidence, scores and ``meta`` are not stored; reading the files back gives
    the same spans, types and qualities.

    Raises:
        DataError: an id or annotator that cannot make a file name (the
            annotator may not hold ``_``, which separates it from the article
            id), or a text with carriage returns (they would not survive
            reading the text back, which turns ``\r\n`` into ``\n``).
    """
    _check_name(example.id, "article id")
    _check_name(annotator, "annotator")
    if "_" in annotator:
        raise DataError(f"annotator {annotator!r} may not contain '_' (it separates article id and annotator)")
    if "\r" in example.text:
        raise DataError(f"{example.id}: the text holds carriage returns, whose offsets BRAT files would not keep")
    ann = brat_annotation(example)
    atomic_write_text(Path(text_dir) / f"{example.id}.txt", example.text)
    atomic_write_text(Path(ann_dir) / f"{example.id}_{annotator}.ann", ann)


def write_brat_dir(examples: Iterable[LabelledExample], root: str | Path, annotator: str = "claimcheck") -> int:
    """Write examples as a PolNeAR-style compartment (``root/text/``, ``root/attributions/``) that
    :func:`read_brat_dir` reads; returns the number of articles written."""
    root = Path(root)
    text_dir, ann_dir = root / "text", root / "attributions"
    text_dir.mkdir(parents=True, exist_ok=True)
    ann_dir.mkdir(parents=True, exist_ok=True)
    n = 0
    for example in examples:
        write_brat(example, text_dir, ann_dir, annotator)
        n += 1
    return n
