"""Browser tests drive Debian's Chromium through pytest-playwright, and Debian's Firefox ESR through WebDriver BiDi
(tests/browser/firefox_esr.py); without a browser its tests skip, saying why."""

import shutil
from pathlib import Path

import pytest

from tests.browser import firefox_esr

CHROMIUM = "/usr/bin/chromium"
# Playwright already passes --no-sandbox; the rest stop Chromium from reaching out to other hosts.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def pytest_collection_modifyitems(config, items):
    no_chromium = pytest.mark.skip(
        reason=f"{CHROMIUM} is missing: install Debian's chromium package to run browser tests"
    )
    no_firefox = firefox_esr.missing()
    for item in items:
        if "firefox" in item.keywords:
            if no_firefox:
                item.add_marker(pytest.mark.skip(reason=no_firefox))
        elif "browser" in item.keywords and not shutil.which(CHROMIUM):
            item.add_marker(no_chromium)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


# Screenshots and accessibility reports are kept for people to look at (test-artifacts/ is not committed).
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture(scope="session")
def artifacts() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS


@pytest.fixture(scope="session")
def firefox_session():
    browser = firefox_esr.FirefoxPage()
    yield browser
    browser.close()


@pytest.fixture
def firefox(firefox_session) -> firefox_esr.FirefoxPage:
    """A fresh Firefox ESR tab (one browser for the whole run: it takes seconds to start)."""
    firefox_session.send("newPage")
    return firefox_session


@pytest.fixture(scope="session")
def firefox_without_javascript_session():
    browser = firefox_esr.FirefoxPage(javascript=False)
    yield browser
    browser.close()


@pytest.fixture
def firefox_without_javascript(firefox_without_javascript_session) -> firefox_esr.FirefoxPage:
    """A fresh tab of a Firefox ESR with JavaScript switched off."""
    firefox_without_javascript_session.send("newPage")
    return firefox_without_javascript_session


# Firefox ESR 140 and Safari before 18.4 have no ::details-content: a Firefox with it switched off stands for them.
WITHOUT_DETAILS_CONTENT = {"layout.css.details-content.enabled": False}


@pytest.fixture(scope="session")
def firefox_without_details_content_session():
    browser = firefox_esr.FirefoxPage(prefs=WITHOUT_DETAILS_CONTENT)
    yield browser
    browser.close()


@pytest.fixture
def firefox_without_details_content(firefox_without_details_content_session) -> firefox_esr.FirefoxPage:
    """A fresh tab of a Firefox ESR without ::details-content, as Firefox ESR 140 and Safari 18.3 are."""
    firefox_without_details_content_session.send("newPage")
    return firefox_without_details_content_session


@pytest.fixture(scope="session")
def firefox_without_details_content_or_javascript_session():
    browser = firefox_esr.FirefoxPage(javascript=False, prefs=WITHOUT_DETAILS_CONTENT)
    yield browser
    browser.close()


@pytest.fixture
def firefox_without_details_content_or_javascript(firefox_without_details_content_or_javascript_session):
    firefox_without_details_content_or_javascript_session.send("newPage")
    return firefox_without_details_content_or_javascript_session
