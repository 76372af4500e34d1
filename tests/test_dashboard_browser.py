"""The dashboard page in a real browser: headless Chromium, driven by Selenium, as in
tests/test_browser.py (same browser flags, same skip rule: skipped without Debian's
Chromium or the Python packages, except where ``CI`` is set, where that fails)."""

from __future__ import annotations

import importlib.util
import json
import os
from pathlib import Path

import pytest

from tests.test_browser import CHROMEDRIVER, CHROMIUM, start_chromium

# Made-up rows: two outlets over two months (the outlet of one from its URL).
ROWS = [
    {"article_id": "h1", "type": "named_person", "score": 1.0, "source": "Ida Brenn", "reasons": ["named_with_role"],
     "outlet": "Harbour Times", "date": "2024-05-02", "url": "https://harbour.example/h1"},
    {"article_id": "h1", "type": "anonymous", "score": 0.25, "source": "an aide", "reasons": ["anonymous_no_reason"],
     "outlet": "Harbour Times", "date": "2024-05-02", "url": "https://harbour.example/h1"},
    {"article_id": "h2", "type": "anonymous", "score": 0.5, "source": "an official",
     "reasons": ["anonymous_with_reason"], "outlet": "Harbour Times", "date": "2024-06-09"},
    {"article_id": "h2", "type": "unattributed", "score": None, "source": None, "reasons": ["unattributed"],
     "outlet": "Harbour Times", "date": "2024-06-09"},
    {"article_id": "v1", "type": "document", "score": 1.0, "source": "a 2023 audit", "reasons": ["document_specific"],
     "url": "https://valleypost.example/v1", "date": "2024-06-15"},
    {"article_id": "v1", "type": "unnamed_group", "score": 0.0, "source": "Some", "reasons": ["weasel"],
     "url": "https://valleypost.example/v1", "date": "2024-06-15"},
]  # fmt: skip


@pytest.fixture(scope="module", autouse=True)
def _browser_available() -> None:
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    missing += [f"the Python package {m}" for m in ("selenium", "matplotlib") if not importlib.util.find_spec(m)]
    if not missing:
        return
    message = f"{', '.join(missing)} missing (apt-get install chromium chromium-driver; pip install -e '.[all]')"
    if os.environ.get("CI") is not None:
        pytest.fail(f"{message}; CI is set, so the browser test must run", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="module")
def page(tmp_path_factory) -> Path:
    from claimcheck.dashboard import build_dashboard

    folder = tmp_path_factory.mktemp("dashboard")
    rows = folder / "claims.jsonl"
    rows.write_text("".join(json.dumps(r) + "\n" for r in ROWS), encoding="utf-8")
    build_dashboard([rows], folder / "page.html")
    return folder / "page.html"


@pytest.fixture(scope="module")
def driver(tmp_path_factory):
    browser = start_chromium(tmp_path_factory.mktemp("chromium-profile"), 1300, 900, console_log=True)
    yield browser
    browser.quit()


def test_charts_and_tables_render(driver, page: Path):
    from selenium.webdriver.common.by import By

    driver.get(page.as_uri())
    assert driver.title == "How the archive is sourced"
    charts = driver.find_elements(By.CSS_SELECTOR, "svg.cc-chart")
    assert len(charts) >= 6  # three comparisons, the monthly panels, one per outlet
    for chart in charts:
        box = chart.rect
        assert box["width"] > 200 and box["height"] > 60, chart.get_attribute("aria-label")
        assert chart.find_elements(By.CSS_SELECTOR, "path"), "a chart with nothing drawn"
    labels = [t.text for t in charts[0].find_elements(By.CSS_SELECTOR, "text")]
    assert "Harbour Times" in labels and "valleypost.example" in labels  # outlet names drawn as text
    # the numbers beside the chart: Harbour Times has 4 claims, 1 named person = 25%
    table = driver.find_element(By.XPATH, "//table[caption[contains(., 'by source type, per outlet')]]")
    row = table.find_element(By.XPATH, ".//tr[td[1][.='Harbour Times']]")
    cells = [td.text for td in row.find_elements(By.TAG_NAME, "td")]
    assert cells[:4] == ["Harbour Times", "2", "4", "25%"]
    link = driver.find_element(By.CSS_SELECTOR, "a.cc-article-link")
    assert link.get_attribute("href").startswith("https://")


def test_the_filter_shows_one_outlet(driver, page: Path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select

    driver.get(page.as_uri())
    sections = {
        s.find_element(By.TAG_NAME, "h2").text: s for s in driver.find_elements(By.CSS_SELECTOR, "section.cc-outlet")
    }
    assert {"Harbour Times", "valleypost.example"} <= set(sections)
    Select(driver.find_element(By.ID, "cc-filter")).select_by_visible_text("valleypost.example")
    assert sections["valleypost.example"].is_displayed()
    assert not sections["Harbour Times"].is_displayed()
    Select(driver.find_element(By.ID, "cc-filter")).select_by_index(0)
    assert sections["Harbour Times"].is_displayed()


def test_no_errors_and_nothing_blocked(driver, page: Path):
    """The CSP forbids every fetch: a chart or style that needed one would log an error."""
    driver.get(page.as_uri())
    driver.get_log("browser")  # drop what came before this load
    driver.refresh()
    errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    assert errors == []
    fetched = driver.execute_script(
        "return performance.getEntriesByType('resource').map(function (e) { return e.name; });"
    )
    assert fetched == []


def test_print_keeps_the_tables_and_hides_the_filter(driver, page: Path):
    from selenium.webdriver.common.by import By

    driver.get(page.as_uri())
    driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        assert not driver.find_element(By.CSS_SELECTOR, ".cc-filter").is_displayed()
        tables = driver.find_elements(By.TAG_NAME, "table")
        assert tables and all(t.is_displayed() for t in tables)
    finally:
        driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
