from pathlib import Path

import pytest

from claimcheck.credibility import OutletRatings, RatingsError, domain_of, outlet_of


@pytest.fixture(scope="module")
def table() -> OutletRatings:
    return OutletRatings.load()


def test_domains_and_urls(table):
    assert domain_of("Original Source: https://www.japantimes.co.jp/news/x") == "japantimes.co.jp"
    rating = table.lookup_domain("www.japantimes.co.jp")
    assert rating is not None and rating.rating == 0.9 and rating.rating_source.startswith("idiap-label")
    assert table.lookup_domain("news.nytimes.com").domain == "nytimes.com"  # parent domain


@pytest.mark.parametrize(
    ("url", "outlet"),
    [
        ("https://www.bbc.co.uk/news/x", "bbc.co.uk"),
        ("https://WWW2.BBC.CO.UK:8443/news/x?id=1#top", "bbc.co.uk"),
        ("http://news.bbc.co.uk/1/hi", "news.bbc.co.uk"),  # a subdomain stays: lookup_domain goes up from it
        ("https://www.com/", "www.com"),
        # an international name whole: the credit-line rule used to read ASCII only, "cher.de"
        ("https://www.bücher.de/x", "bücher.de"),
        ("Quelle: www.Süddeutsche.de/politik", "süddeutsche.de"),
    ],
)
def test_a_url_names_one_outlet_in_a_credit_line_and_in_an_archive(url: str, outlet: str):
    """One rule: the outlet of an archive's URL (batch, dashboard) and the domain a credit line names."""
    from claimcheck.batch.fields import outlet_of as batch_outlet_of

    assert domain_of(url) == outlet
    assert outlet_of(url.removeprefix("Quelle: ")) == outlet
    assert batch_outlet_of is outlet_of


def test_a_host_that_is_no_domain_names_no_outlet_in_text():
    # an archive's URL on an address is still that site; a credit line's text names no outlet by it
    assert outlet_of("http://192.0.2.7:8080/feed") == "192.0.2.7" and domain_of("http://192.0.2.7:8080/feed") is None
    assert outlet_of("https://localhost/x") == "localhost" and domain_of("https://localhost/x") is None


def test_names_and_home_only_aliases(table):
    assert table.lookup_name("The New York Times").domain == "nytimes.com"
    assert table.lookup_name("nytimes.com").domain == "nytimes.com"
    assert table.lookup_name("the Times") is None  # ambiguous without the article's own outlet
    assert table.lookup_name("the Times", home_domain="nytimes.com").domain == "nytimes.com"
    assert table.lookup_name("the Times", home_domain="latimes.com").domain == "latimes.com"


def test_unknown_outlets_are_unrated_not_guessed(table):
    assert table.lookup_name("The Riverside Herald") is None
    assert table.lookup_domain("riverside-herald.example") is None


def test_user_csv_adds_and_overrides(tmp_path: Path):
    csv = tmp_path / "mine.csv"
    csv.write_text(
        "domain,names,rating,rating_source\nriverside-herald.example,The Riverside Herald,0.7,newsroom\nnytimes.com,,0.5,newsroom\n"
    )
    table = OutletRatings.load(csv)
    assert table.lookup_name("The Riverside Herald").rating == 0.7
    assert table.lookup_name("The New York Times").rating == 0.5  # overridden, names kept
    assert table.lookup_name("The New York Times").rating_source == "newsroom"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("site,score\nx.com,1\n", "header must name"),
        ("domain,rating\nnot a domain,0.5\n", ":2: domain"),
        ("domain,rating\nx.com,high\n", ":2: rating: 'high' is not a number"),
        ("domain,rating\nx.com,1.5\n", "outside"),
    ],
)
def test_bad_csv_names_line_and_column(tmp_path: Path, content, message):
    path = tmp_path / "bad.csv"
    path.write_text(content)
    with pytest.raises(RatingsError, match=message):
        OutletRatings.load(path)


ALIASES = (
    "the news agency Associated Press",
    "news agency Associated Press",
    "Associated Press news agency",
    "an AP reporter",
    "The Associated Press",
    "the AP",
    "AP",
    "apnews.com",
)


def test_an_outlet_meets_its_rating_under_any_alias(table):
    """ "news agency Associated Press" = "AP" = apnews.com: one outlet, one rating."""
    found = {name: table.lookup_name(name) for name in ALIASES}
    assert {name: r and (r.domain, r.rating) for name, r in found.items()} == dict.fromkeys(
        ALIASES, ("apnews.com", 0.9)
    )


def test_described_outlets_and_what_is_not_an_alias(table):
    assert table.lookup_name("British broadcaster BBC").domain in {"bbc.com", "bbc.co.uk"}
    assert table.lookup_name("the U.S. newspaper The New York Times").domain == "nytimes.com"
    assert table.lookup_name("Reuters, the news agency").domain == "reuters.com"
    # a longer proper name that holds an alias is another outlet: unrated, never guessed
    assert table.lookup_name("The Riverside Daily News") is None  # not NY "Daily News"
    assert table.lookup_name("Fox Valley Gazette") is None
    assert table.lookup_name("the Lakeside Courier") is None
    # "the Times" inside a description stays home-only
    assert table.lookup_name("the newspaper the Times") is None
    assert table.lookup_name("the newspaper the Times", home_domain="nytimes.com").domain == "nytimes.com"
