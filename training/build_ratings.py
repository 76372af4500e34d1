"""Build the outlet-ratings table shipped with claimcheck from the idiap
News-Media-Reliability data (Apache-2.0) and the outlet aliases in configs/outlets.yaml.

Mapping to [0, 1]:

* the idiap gold label (``golden_truth_dataset.csv``): reliable (1) -> 0.9,
  mixed / no consensus (0) -> 0.5, unreliable (-1) -> 0.2, blacklisted (-2) -> 0.0;
  ``rating_source`` is ``idiap-label/<mbfc|manual|wikipedia|newsguard>``;
* other domains: the authors' own graph-propagated score ``p+fp-average`` in
  [-1, 1] (``reliability_scores.csv``), rescaled as ``(x + 1) / 2``;
  ``rating_source`` is ``idiap-graph``. These are noisy for small sites.

Run: ``python -m training.build_ratings ../shared/data/domain_ratings/idiap_news_media_reliability``
"""

from __future__ import annotations

import csv
import io
import shutil
import sys
from pathlib import Path

import yaml

from claimcheck.credibility import RATINGS_DIR, RATINGS_FILE
from claimcheck.data import atomic_write_text

LABEL_TO_RATING = {"1": 0.9, "0": 0.5, "-1": 0.2, "-2": 0.0}
LICENCE = "Apache-2.0 (idiap News-Media-Reliability)"
ALIASES = Path(__file__).resolve().parents[1] / "configs" / "outlets.yaml"


def build(idiap_dir: Path, aliases: Path = ALIASES) -> int:
    outlets = yaml.safe_load(aliases.read_text(encoding="utf-8"))
    rows: dict[str, dict[str, str]] = {}
    with (idiap_dir / "golden_truth_dataset.csv").open(encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            if not r["domain"].strip():
                continue
            rating = LABEL_TO_RATING[r["reliability_label"]]
            rows[r["domain"].lower()] = {"rating": f"{rating:.2f}", "rating_source": f"idiap-label/{r['label_source']}"}
    with (idiap_dir / "reliability_scores.csv").open(encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            domain = r["domain"].lower().strip()
            if not domain or domain in rows or not r["p+fp-average"]:
                continue
            rating = (float(r["p+fp-average"]) + 1) / 2
            rows[domain] = {"rating": f"{rating:.3f}", "rating_source": "idiap-graph"}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["domain", "names", "home_only", "rating", "rating_source", "licence"])
    for domain in sorted(set(rows) | set(outlets)):
        entry = outlets.get(domain, {})
        rated = rows.get(domain, {"rating": "", "rating_source": ""})
        writer.writerow(
            [
                domain,
                "|".join(entry.get("names", [])),
                "|".join(entry.get("home_only", [])),
                rated["rating"],
                rated["rating_source"],
                LICENCE if rated["rating"] else "",
            ]
        )
    atomic_write_text(RATINGS_DIR / RATINGS_FILE, out.getvalue())
    shutil.copyfile(idiap_dir / "LICENSE", RATINGS_DIR / "LICENSE.idiap")
    return len(rows)


if __name__ == "__main__":
    print(build(Path(sys.argv[1])), "rated domains")
