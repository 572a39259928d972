"""Browser tests: Playwright for Python driving Debian's Chromium against pytest-django's live server.

Reusable fixtures (any test under tests/browser/ gets them):

``browser``
    One headless Chromium for the whole session (``/usr/bin/chromium``, or ``$CHROMIUM_PATH``).
    Every test using it is skipped, with the reason, when Chromium or Playwright is missing.
``context`` / ``page``
    A fresh browser context (own cookies) at desktop size (1280x800) with ``base_url`` set to
    the live server, so ``page.goto("/store/alpha/")`` works; downloads are accepted.
    ``new_page()`` opens another page in a context of its own, e.g. for a second user.
``login(page, username, password=DEFAULT_PASSWORD)``
    Logs in through the real login form and waits until the browser left it.
``MARKETPLACE_PORTAL_REFRESH_SECONDS``
    Set to 1 for every browser test (autouse): pages that follow running imports poll every
    second instead of every 10, so waiting for a job to finish on screen stays short.
``screenshot(page, name, *, full_page=True)``
    Saves ``<name>.png`` in a temporary folder, or in ``docs/screenshots/`` (committed: the
    README shows them) when UPDATE_SCREENSHOTS=1 (``make screenshots``): a test run does not
    change tracked files.
    ``screenshot.both(page, name)`` saves ``<name>-desktop.png`` (1280x800) and
    ``<name>-phone.png`` (390x844) and puts the viewport back.

Playwright's sync API runs an asyncio event loop in the test's thread, which makes Django
refuse ORM calls from that thread; DJANGO_ALLOW_ASYNC_UNSAFE lets the test set up data
with factories as usual. The pages are served by ``live_server`` (a thread of this process,
so the ``settings`` fixture applies to it); request ``qcluster`` too when a job must run.

Mark the tests ``@pytest.mark.browser``.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.factories.accounts import DEFAULT_PASSWORD

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
SCREENSHOT_DIR = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def _skip_reason() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed (pip install -r requirements-dev.txt)"
    if not (Path(CHROMIUM).is_file() or shutil.which(CHROMIUM)):
        return (
            f"no Chromium at {CHROMIUM}: install Debian's chromium package (apt-get install chromium) "
            "or set CHROMIUM_PATH to run the browser tests"
        )
    return None


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    reason = _skip_reason()
    if reason:
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def new_page(browser, live_server) -> Iterator[Callable[..., Any]]:
    """Open a page in a new context (separate cookies: another user); all are closed after the test."""
    contexts: list[Any] = []
    violations: list[str] = []

    def open_page(viewport: dict[str, int] | None = None) -> Any:
        context = browser.new_context(
            viewport=viewport or DESKTOP,
            base_url=live_server.url,
            accept_downloads=True,
            locale="en-GB",
            timezone_id="Europe/Luxembourg",
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        # SPEC 9: a page that needs anything our Content-Security-Policy refuses fails its test.
        page.on(
            "console",
            lambda message: violations.append(f"{page.url}: {message.text}")
            if "Content Security Policy" in message.text
            else None,
        )
        return page

    yield open_page
    for context in contexts:
        context.close()
    assert not violations, f"Content-Security-Policy violations: {violations}"


@pytest.fixture
def page(new_page) -> Any:
    return new_page()


@pytest.fixture
def context(page) -> Any:
    return page.context


@pytest.fixture(autouse=True)
def _fast_portal_refresh(settings) -> None:
    settings.MARKETPLACE_PORTAL_REFRESH_SECONDS = 1


@pytest.fixture
def login() -> Callable[..., None]:
    def do_login(page: Any, username: str, password: str = DEFAULT_PASSWORD) -> None:
        page.goto("/accounts/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(lambda url: "/accounts/login/" not in url)

    return do_login


class _Screenshots:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.saved: list[Path] = []

    def __call__(self, page: Any, name: str, *, full_page: bool = True) -> Path:
        self.directory.mkdir(parents=True, exist_ok=True)
        path = self.directory / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page, animations="disabled", caret="hide")
        self.saved.append(path)
        return path

    def both(
        self, page: Any, name: str, *, full_page: bool = True, before: Callable[[Any], None] | None = None
    ) -> list[Path]:
        """Desktop and phone screenshots; ``before(page)`` runs after each resize (e.g. to reopen a modal)."""
        original = page.viewport_size
        paths = []
        for label, size in (("desktop", DESKTOP), ("phone", PHONE)):
            page.set_viewport_size(size)
            if before is not None:
                before(page)
            paths.append(self(page, f"{name}-{label}", full_page=full_page))
        page.set_viewport_size(original)
        return paths


@pytest.fixture
def screenshot(tmp_path_factory: pytest.TempPathFactory) -> _Screenshots:
    if os.environ.get("UPDATE_SCREENSHOTS") == "1":
        return _Screenshots(SCREENSHOT_DIR)
    return _Screenshots(tmp_path_factory.getbasetemp() / "screenshots")
