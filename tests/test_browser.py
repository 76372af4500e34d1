"""End to end in a real browser: the service's page in headless Chromium, driven by Selenium.

Needs Debian's Chromium (``apt-get install chromium chromium-driver``) and the
``serve`` and ``dev`` extras. Without them the tests are skipped, except when the
``CI`` environment variable is set: there a missing browser fails, so that CI
cannot pass by skipping.
"""

from __future__ import annotations

import importlib.util
import os
import socket
import threading
import time
import urllib.request
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
CHROMIUM_ARGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--no-proxy-server",
)

# A made-up article, written for this test.
ARTICLE = (
    "According to Mayor Lena Fairweather, the new ferry terminal will open in June.\n\n"
    "The old pier was built in 1911. Critics say the terminal is too small.\n"
)
EXPECTED = {
    "According to Mayor Lena Fairweather, the new ferry terminal will open in June.": "named_person",
    "The old pier was built in 1911.": "unattributed",
    "Critics say the terminal is too small.": "unnamed_group",
}


@pytest.fixture(scope="module", autouse=True)
def _browser_available() -> None:
    missing = [str(p) for p in (CHROMIUM, CHROMEDRIVER) if not p.exists()]
    missing += [
        f"the Python package {m}" for m in ("selenium", "fastapi", "uvicorn") if not importlib.util.find_spec(m)
    ]
    if not missing:
        return
    message = f"{', '.join(missing)} missing (apt-get install chromium chromium-driver; pip install -e '.[all]')"
    if os.environ.get("CI") is not None:
        pytest.fail(f"{message}; CI is set, so the browser test must run", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="module")
def server_url(checker):
    import uvicorn

    from claimcheck.serve import create_app

    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))  # a free port, held until the server listens on it
    port = sock.getsockname()[1]
    config = uvicorn.Config(create_app(checker), host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never through a proxy
    deadline = time.monotonic() + 30
    while True:
        try:
            with opener.open(f"{url}/v1/health", timeout=2) as r:
                if r.status == 200:
                    break
        except OSError:
            pass
        if time.monotonic() > deadline or not thread.is_alive():
            server.should_exit = True
            pytest.fail("the service did not answer /v1/health within 30 s")
        time.sleep(0.05)
    yield url
    server.should_exit = True
    thread.join(timeout=10)
    sock.close()


def start_chromium(profile: Path, width: int, height: int, console_log: bool = False):
    """Headless Chromium driven by chromedriver, with its own profile folder; with
    ``console_log``, the page's console messages kept for ``get_log("browser")``."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for arg in CHROMIUM_ARGS:
        options.add_argument(arg)
    options.add_argument(f"--user-data-dir={profile}")
    if console_log:
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    browser = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    browser.set_window_size(width, height)
    return browser


@pytest.fixture(scope="module")
def driver(tmp_path_factory):
    browser = start_chromium(tmp_path_factory.mktemp("chromium-profile"), 1200, 900)
    yield browser
    browser.quit()


def test_paste_check_and_see_highlighted_claims(driver, server_url):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    driver.get(f"{server_url}/")
    driver.find_element(By.ID, "cc-text").send_keys(ARTICLE)
    driver.find_element(By.ID, "cc-check").click()
    wait = WebDriverWait(driver, 30)
    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#cc-result .claim"))

    claims = driver.find_elements(By.CSS_SELECTOR, "#cc-result .claim")
    found = {c.text: c.get_attribute("data-type") for c in claims}
    assert found == EXPECTED
    for claim in claims:
        t = claim.get_attribute("data-type")
        assert claim.get_attribute("class").split() == ["claim", f"t-{t}"]
        assert claim.get_attribute("tabindex") == "0"
        assert claim.value_of_css_property("background-color") not in ("rgba(0, 0, 0, 0)", "transparent")
    assert "Checked: 3 claims." in driver.find_element(By.ID, "cc-status").text
    assert len(driver.find_elements(By.CSS_SELECTOR, "#cc-result .cc-legend li[data-type]")) == 7

    # keyboard: Tab from the button reaches the first claim and opens its details; Escape closes them
    popover = driver.find_element(By.ID, "cc-pop")
    assert not popover.is_displayed()
    ActionChains(driver).send_keys(Keys.TAB).perform()
    assert driver.switch_to.active_element.get_attribute("data-type") == "named_person"
    wait.until(lambda d: popover.is_displayed())
    assert "Claim 1: named person" in popover.text and "score" in popover.text
    ActionChains(driver).send_keys(Keys.ESCAPE).perform()
    wait.until(lambda d: not popover.is_displayed())

    # a click opens the details too
    claims[1].click()
    wait.until(lambda d: popover.is_displayed())
    assert "unattributed" in popover.text
