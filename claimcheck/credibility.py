"""Outlet credibility: ratings of news domains, found by domain or by outlet name.

The shipped table (``resources/outlets/ratings.csv``) comes from the idiap
News-Media-Reliability data (Apache-2.0, notice beside it; mapping in
``training/build_ratings.py``) plus hand-written outlet names. Users add or
override rows with their own CSV (same columns; ``rating`` empty = unrated).
An outlet that is not in the table is *unrated*: never guessed.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from claimcheck.errors import RatingsError
from claimcheck.lexicons import OUTLET_NOUNS

RATINGS_DIR = Path(__file__).resolve().parent / "resources" / "outlets"
RATINGS_FILE = "ratings.csv"
COLUMNS = ("domain", "names", "home_only", "rating", "rating_source", "licence")

#: a domain named in text, with its scheme where it has one (``https://www.nytimes.com``, ``nytimes.com``)
_DOMAIN = re.compile(r"(?:https?://)?(?:(?:[^\W_]|-)+\.)+[^\W\d_]{2,}")
_WWW = re.compile(r"^www\d?\.(?=.+\.)")  # www., www2. ...: only where a domain stays
_HOST = re.compile(r"[\w.:-]+")  # a name (IDN letters too), an IPv4 or an IPv6 address


@dataclass(frozen=True)
class OutletRating:
    domain: str
    rating: float | None  # None: known outlet, no rating
    rating_source: str
    name: str  # the outlet's display name


def normalise_name(name: str) -> str:
    name = re.sub(r"[’']s$", "", name.strip())
    return re.sub(r"\s+", " ", re.sub(r"^the\s+", "", name.lower())).strip(" .")


def outlet_of(url: str) -> str | None:
    """The outlet of a URL: its host, lower case, without port, user, trailing dot or a
    leading ``www.`` (``https://www.bbc.co.uk:443/news/x`` -> ``bbc.co.uk``); other
    subdomains stay (``news.bbc.co.uk``: a desk of its own; a ratings lookup goes up to
    ``bbc.co.uk`` itself). ``None`` when the URL has no host (or one with spaces or other
    characters no host name has)."""
    text = url.strip()
    try:
        host = urlsplit(text if "//" in text else "//" + text).hostname  # "bbc.co.uk/news" has no scheme
    except ValueError:  # e.g. a bad IPv6 literal
        return None
    host = (host or "").rstrip(".")
    return _WWW.sub("", host) if _HOST.fullmatch(host) else None


def domain_of(text: str) -> str | None:
    """The outlet domain that a credit line or a source names (``Original Source:
    https://www.japantimes.co.jp/news/x`` -> ``japantimes.co.jp``): the first domain in
    ``text``, as :func:`outlet_of` names its outlet. A host that is no domain (an IP
    address, ``localhost``) names no outlet here."""
    m = _DOMAIN.search(text.strip())
    return outlet_of(m.group(0)) if m else None


class OutletRatings:
    """Look up outlet ratings by domain or name; see the module docstring."""

    def __init__(self) -> None:
        self._by_domain: dict[str, OutletRating] = {}
        self._by_name: dict[str, str] = {}
        self._home_only: dict[str, set[str]] = {}

    @classmethod
    def load(cls, *extra: str | Path) -> OutletRatings:
        """The shipped table, then each ``extra`` CSV adding or overriding rows."""
        table = cls()
        table.read_csv(RATINGS_DIR / RATINGS_FILE)
        for path in extra:
            table.read_csv(Path(path))
        return table

    def read_csv(self, path: Path) -> None:
        if not path.is_file():
            raise RatingsError(f"{path}: no such ratings file")
        with path.open(encoding="utf-8", newline="") as fh:
            reader = csv.DictReader(fh)
            if not reader.fieldnames or "domain" not in reader.fieldnames or "rating" not in reader.fieldnames:
                raise RatingsError(f"{path}:1: header must name at least the columns domain and rating")
            for lineno, row in enumerate(reader, start=2):
                self._add_row(path, lineno, row)

    def _add_row(self, path: Path, lineno: int, row: dict[str, str | None]) -> None:
        domain = domain_of(row.get("domain") or "")
        if not domain:
            raise RatingsError(f"{path}:{lineno}: domain: {row.get('domain')!r} is not a domain")
        raw = (row.get("rating") or "").strip()
        try:
            rating = float(raw) if raw else None
        except ValueError:
            raise RatingsError(f"{path}:{lineno}: rating: {raw!r} is not a number") from None
        if rating is not None and not 0.0 <= rating <= 1.0:
            raise RatingsError(f"{path}:{lineno}: rating: {rating} is outside [0, 1]")
        names = [n for n in (row.get("names") or "").split("|") if n.strip()]
        previous = self._by_domain.get(domain)
        display = names[0] if names else (previous.name if previous else domain)
        self._by_domain[domain] = OutletRating(domain, rating, (row.get("rating_source") or "user").strip(), display)
        for name in names:
            self._by_name[normalise_name(name)] = domain
        for name in (row.get("home_only") or "").split("|"):
            if name.strip():
                self._home_only.setdefault(normalise_name(name), set()).add(domain)

    def __len__(self) -> int:
        return len(self._by_domain)

    def lookup_domain(self, text: str) -> OutletRating | None:
        """The rating of a domain or URL, trying parent domains (``news.bbc.co.uk``)."""
        domain = domain_of(text)
        while domain and "." in domain:
            if domain in self._by_domain:
                return self._by_domain[domain]
            domain = domain.split(".", 1)[1]
        return None

    def lookup_name(self, name: str, home_domain: str | None = None) -> OutletRating | None:
        """The rating of an outlet named in the text ("The New York Times", "CNN").

        A short name that is ambiguous on its own ("the Times") only counts in
        the outlet's own article (``home_domain``). A name inside a description of
        the outlet counts too: "the news agency Associated Press", "Reuters news
        agency", "British broadcaster BBC" (see :func:`_outlet_windows`).
        """
        for window in _outlet_windows(name):
            hit = self._lookup_exact(window, home_domain)
            if hit is not None:
                return hit
        if domain_of(name) and " " not in name.strip():
            return self.lookup_domain(name)
        return None

    def _lookup_exact(self, name: str, home_domain: str | None) -> OutletRating | None:
        key = normalise_name(name)
        if key in self._by_name:
            return self._by_domain[self._by_name[key]]
        if home_domain and home_domain in self._home_only.get(key, set()):
            return self._by_domain.get(home_domain)
        return None


#: a longer source is not searched for an outlet's name inside a description (a bound on
#: the windows tried, which grow with the square of the words)
MAX_DESCRIBED_WORDS = 12
_DESCRIPTOR_WORD = re.compile(r"[A-Z]{1,4}|(?:[A-Z]\.){2,}|[A-Z][a-z]+(?:an|ish|ese|ic|i|ch)")


def _outlet_windows(name: str) -> list[str]:
    """``name``, then its runs of words that leave only a description of an outlet around
    them, longest first: "the news agency Associated Press" -> ..., "Associated Press".

    The words left over must be lower case ("the news agency", "reporters for"), or
    hold an outlet noun ("newspaper", "broadcaster") with at most demonyms and
    abbreviations in capitals ("British broadcaster", "U.S. network"): "the Riverside
    Daily News" is not "Daily News", and "Fox" is not in "Fox Valley Gazette".
    """
    words = [w.strip(',;:()"“”') for w in name.split()]
    words = [w for w in words if w]
    out = [name]
    if len(words) > MAX_DESCRIBED_WORDS:
        return out
    for length in range(len(words) - 1, 0, -1):
        for start in range(len(words) - length + 1):
            rest = words[:start] + words[start + length :]
            if _describes_outlet(rest):
                out.append(" ".join(words[start : start + length]))
    return out


def _describes_outlet(words: list[str]) -> bool:
    if all(w[:1].islower() or not w[:1].isalpha() for w in words):
        return True
    return any(w.lower() in OUTLET_NOUNS for w in words) and all(
        w[:1].islower() or w.lower() in {"the", "a", "an"} or _DESCRIPTOR_WORD.fullmatch(w) for w in words
    )
