"""A made-up archive through ``claimcheck batch`` and ``claimcheck dashboard``: the demo
page, and the screenshot in docs/images/dashboard.png.

    python -m eval.dashboard_demo --out demo/ --screenshot docs/images/dashboard.png

Writes ``demo/archive.jsonl`` (three invented outlets, January to June 2024, short
articles assembled from sentences written for this demo, each outlet with its own habits:
one names its sources, one leans more and more on anonymous officials, one asserts much
itself), checks it into ``demo/claims.jsonl`` with ``--model`` (the rule baseline by
default: seconds, not minutes) and builds ``demo/dashboard.html``. Where the rows do not
carry the archive's fields yet (a ``claimcheck batch`` that drops them), they are joined
in from the archive by article id. ``--screenshot`` takes a picture of the page's top
with headless Chromium.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
from pathlib import Path
from typing import Any

THINGS = ["ferry terminal", "harbour bridge", "tram line", "flood barrier", "school", "water plant", "pier"]
ADJECTIVES = ["unsafe", "too small", "over budget", "late", "badly planned", "fine"]
PEOPLE = ["Ida Brenn", "Tomas Keel", "Mara Olsen", "Jon Petrak", "Lena Fairweather", "Ravi Anand"]
ROLES = ["harbour master", "city engineer", "councillor", "transport minister", "school principal"]
SENTENCES: dict[str, list[str]] = {
    "named_role": ["{role} {person} said the {thing} would open in {month}.", "The {thing} is {adj}, said {person}, the {role}."],
    "named": ["{person} said the {thing} was {adj}."],
    "organization": ["The Port Authority said the {thing} would reopen in {month}.", "The city council said it would review the {thing}."],
    "document": ["A 2023 audit by the regional council found the {thing} was {adj}."],
    "anonymous_reason": [
        "A senior city official, who spoke on condition of anonymity because the talks are private, said the {thing} "
        "would be delayed."
    ],
    "anonymous": ["A city official said the {thing} would cost more than planned.", "Two aides said the {thing} was {adj}."],
    "weasel": ["Some say the {thing} is {adj}.", "Critics say the {thing} is {adj}."],
    "unattributed": ["The {thing} was built in 19{nn}.", "Work on the {thing} began last year.", "The {thing} is {adj}."],
}  # fmt: skip
#: Per outlet, how often each kind of sentence is drawn; the second dict is added month by month.
OUTLETS: dict[str, tuple[dict[str, float], dict[str, float]]] = {
    "Harbour Times": (
        {"named_role": 4, "named": 1, "organization": 2, "document": 2, "anonymous_reason": 1, "unattributed": 2},
        {},
    ),
    "Valley Post": (
        {"named_role": 2, "named": 1, "organization": 1, "anonymous_reason": 0.5, "anonymous": 1, "unattributed": 2},
        {"anonymous": 0.8},
    ),
    "Metro Wire": ({"named": 1, "organization": 1, "weasel": 2, "anonymous": 1, "unattributed": 5}, {"weasel": 0.2}),
}
DOMAINS = {
    "Harbour Times": "harbourtimes.example",
    "Valley Post": "valleypost.example",
    "Metro Wire": "metrowire.example",
}


def demo_archive(articles_per_month: int = 8, seed: int = 20) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    out = []
    for outlet, (base, trend) in OUTLETS.items():
        for month in range(1, 7):
            weights = {k: base.get(k, 0) + trend.get(k, 0) * (month - 1) for k in base.keys() | trend.keys()}
            kinds, w = zip(*sorted(weights.items()), strict=True)
            for n in range(articles_per_month):
                fill = {
                    "thing": rng.choice(THINGS),
                    "adj": rng.choice(ADJECTIVES),
                    "person": rng.choice(PEOPLE),
                    "role": rng.choice(ROLES),
                    "month": rng.choice(["May", "June", "autumn"]),
                    "nn": rng.randrange(10, 99),
                }
                sentences = [
                    rng.choice(SENTENCES[k]).format(**fill) for k in rng.choices(kinds, w, k=rng.randrange(4, 9))
                ]
                text = " ".join(s[0].upper() + s[1:] for s in sentences)
                slug = f"2024-{month:02d}-{n + 1:02d}"
                out.append(
                    {
                        "id": f"{DOMAINS[outlet]}/{slug}",
                        "text": text,
                        "outlet": outlet,
                        "date": f"2024-{month:02d}-{1 + 3 * n:02d}",
                        "url": f"https://{DOMAINS[outlet]}/news/{slug}",
                        "title": f"{fill['thing'].capitalize()}: {fill['adj']}",
                    }
                )
    return out


def join_fields(rows_path: Path, archive: list[dict[str, Any]]) -> None:
    """Give each row its article's fields, unless the rows have them already."""
    fields = {a["id"]: {k: v for k, v in a.items() if k not in ("id", "text")} for a in archive}
    rows = [json.loads(line) for line in rows_path.read_text(encoding="utf-8").splitlines() if line.strip()]
    if rows and "outlet" in rows[0]:
        return
    rows_path.write_text(
        "".join(json.dumps({**r, **fields[r["article_id"]]}, ensure_ascii=False) + "\n" for r in rows),
        encoding="utf-8",
    )


def screenshot(page: Path, png: Path, width: int = 1280, height: int = 2300) -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        raise SystemExit("--screenshot needs Chromium (apt-get install chromium)")
    png.parent.mkdir(parents=True, exist_ok=True)
    args = ["--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run"]
    subprocess.run(
        [chromium, *args, f"--window-size={width},{height}", f"--screenshot={png.resolve()}", page.resolve().as_uri()],
        check=True,
        capture_output=True,
        timeout=120,
    )


def main(argv: list[str] | None = None) -> None:
    from claimcheck.batch import run_batch
    from claimcheck.dashboard import build_dashboard

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=Path("demo"))
    parser.add_argument("--model", default="baseline")
    parser.add_argument("--screenshot", type=Path)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    archive = demo_archive()
    (args.out / "archive.jsonl").write_text(
        "".join(json.dumps(a, ensure_ascii=False) + "\n" for a in archive), encoding="utf-8"
    )
    rows = args.out / "claims.jsonl"
    run_batch(args.out / "archive.jsonl", rows, model=args.model, overwrite=True)
    join_fields(rows, archive)
    result = build_dashboard([rows], args.out / "dashboard.html", title="How three (invented) outlets source")
    print(f"{result.rows} claims of {result.articles} articles: {result.page}")
    if args.screenshot:
        screenshot(result.page, args.screenshot)
        print(f"screenshot: {args.screenshot}")


if __name__ == "__main__":
    main()
