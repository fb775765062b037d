"""Browser tests: Debian's Chromium driven by Playwright against the live test server.

Never a downloaded browser: the tests use /usr/bin/chromium (``apt-get install chromium``;
.ci/run installs it) and are skipped, saying why, on a machine without it.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

# The scoring tests' small published table and cluster-stage sheets, shared with these tests.
from tests.scoring.conftest import sheets, table  # noqa: F401

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# Chromium's own background traffic is refused on isolated networks; keep it quiet.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def pytest_collection_modifyitems(items):
    """Every test of this folder is marked ``e2e`` (``pytest -m "not e2e"`` leaves them out)."""
    here = Path(__file__).resolve().parent
    for item in items:
        if here in Path(item.path).resolve().parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session", autouse=True)
def _live_server_over_http():
    """The live server speaks plain HTTP. Its middleware reads these settings once, when its
    thread starts: that is before the function-scoped settings of tests/conftest.py apply
    (session fixtures come first), so they are set here for the whole session."""
    from django.test.utils import override_settings

    with override_settings(
        SECURE_SSL_REDIRECT=False,
        SECURE_HSTS_SECONDS=0,
        SESSION_COOKIE_SECURE=False,
        CSRF_COOKIE_SECURE=False,
    ):
        yield


@pytest.fixture(scope="package", autouse=True)
def _orm_beside_playwright():
    """Playwright's sync API runs an event loop in this thread, so Django would refuse the
    plain synchronous ORM calls that arrange and check data. Allowed for these tests only:
    the variable is removed again after them (subprocesses of other tests, such as
    ``manage.py check --deploy``, must not inherit it)."""
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    yield
    if previous is None:
        del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="package")
def browser():
    executable = CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium")
    if not executable:
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server, request):
    """A fresh browser page; console errors (e.g. a content-security-policy refusal) fail
    the test. A screenshot is kept in test-artifacts/ when a test fails."""
    context = browser.new_context(
        viewport={"width": 1400, "height": 900},
        permissions=["clipboard-read", "clipboard-write"],
        base_url=live_server.url,
    )
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.console_errors = errors
    # Substrings of errors a test expects (the browser logs a refused request, e.g. a 409).
    page.console_allowed = []
    yield page
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()
    unexpected = [e for e in errors if not any(a in e for a in page.console_allowed)]
    assert unexpected == [], f"browser console errors: {unexpected}"


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


def login(page, username: str, password: str = "correct horse battery staple") -> None:
    page.goto("/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)  # refused, it stays on the form
