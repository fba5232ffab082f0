"""Browser tests: the app started with ``streamlit run`` on 127.0.0.1, driven by Playwright
in Debian's headless Chromium. Screenshots go to ``tests/artifacts/`` (git-ignored).

Without Chromium the tests are skipped with a loud message; under ``CI=true`` a missing
browser is a failure, never a skip (``.ci/run`` installs it).
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from appserver import start_app, stop_app

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "tests" / "artifacts"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str | None:
    return shutil.which("chromium") or (
        "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None
    )


@pytest.fixture(scope="session")
def app_url() -> Iterator[str]:
    """The dashboard served by ``streamlit run`` on a free port of 127.0.0.1."""
    from appserver import free_port

    port = free_port()
    process = start_app(port)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop_app(process)


@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    if path is None:
        message = (
            "Chromium is not installed: browser tests cannot run. Install it with"
            " 'apt-get install -y chromium' (.ci/run does)."
        )
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        print(f"\n{'!' * 78}\nSKIPPING BROWSER TESTS: {message}\n{'!' * 78}", file=sys.stderr)
        pytest.skip(message)
    from playwright.sync_api import expect, sync_playwright

    # A cold two-core machine can take seconds per rerun, more while the other test worker
    # (make test runs two) is busy.
    expect.set_options(timeout=60_000)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=path, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, app_url):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(60_000)
    yield page
    context.close()


@pytest.fixture
def tab(browser):
    """A fresh, tall browser page of its own (no app of the session's), for tests that
    start an app themselves."""
    context = browser.new_context(viewport={"width": 1400, "height": 2400})
    page = context.new_page()
    page.set_default_timeout(60_000)
    yield page
    context.close()


@pytest.fixture
def screenshot():
    """``screenshot(page, name)`` saves ``tests/artifacts/<name>.png``."""

    def save(page, name: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return save
