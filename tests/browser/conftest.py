"""Browser fixtures: one seeded server per session, the system Chromium (never a downloaded one),
and pages that fail the test on any console error, page error or request leaving the app.

Browser tests run on SQLite only: they test pages, not storage (the API and projection tests cover
both databases). Without /usr/bin/chromium they skip on a developer's machine and fail in CI.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Route,
    sync_playwright,
)

from tests.browser.server import RunningServer, demo_server

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
LOCAL_HOST = "127.0.0.1"


def launch(playwright: object) -> Browser:
    """Headless system Chromium with the flags that keep it quiet and local."""
    chromium = playwright.chromium  # type: ignore[attr-defined]
    return chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    with demo_server(tmp_path_factory.mktemp("browser") / "confledger.db") as running:
        yield running


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not Path(CHROMIUM).exists():
        message = f"{CHROMIUM} is missing (apt-get install chromium; never download one)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    with sync_playwright() as playwright:
        launched = launch(playwright)
        yield launched
        launched.close()


@dataclass
class Watch:
    """What a page did that a test should fail on, unless the test expects it."""

    errors: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)
    expected: list[str] = field(default_factory=list)

    def expect(self, fragment: str) -> None:
        """Tolerate console errors containing `fragment` (e.g. an intended 403 page)."""
        self.expected.append(fragment)

    def unexpected_errors(self) -> list[str]:
        return [e for e in self.errors if not any(f in e for f in self.expected)]


@dataclass
class Browsing:
    """A browser context on the test server: its page, and what the page did.

    `signed_in` keeps, per role, the cookies the sign-in form gave the first time, so later
    tests of that role start from the same session without typing the token again.
    """

    server: RunningServer
    context: BrowserContext
    page: Page
    watch: Watch
    signed_in: dict[str, list[Any]]

    def open(self, path: str) -> None:
        response = self.page.goto(self.server.url(path))
        assert response is not None

    def sign_in(self, role: str, then: str | None = None) -> None:
        """Sign in with the token of `role` through the form (once per role), go to `then`."""
        target = then or f"/manage/{self.server.slug}/reports/"
        if role in self.signed_in:
            self.context.add_cookies(self.signed_in[role])
            self.open(target)
        else:
            self.open("/login?" + urlencode({"next": target}))
            self.page.fill("#token", self.server.tokens[role])
            with self.page.expect_navigation():
                self.page.click("button[type=submit]")
            self.signed_in[role] = self.context.cookies()
        assert urlsplit(self.page.url).path == urlsplit(target).path


@pytest.fixture(scope="session")
def signed_in() -> dict[str, list[Any]]:
    """Session cookies by role, filled by the first sign-in of each role."""
    return {}


@pytest.fixture
def browsing(server: RunningServer, browser: Browser,
             signed_in: dict[str, list[Any]]) -> Iterator[Browsing]:
    context = browser.new_context(viewport={"width": 1366, "height": 900}, accept_downloads=True)
    watch = Watch()

    def guard(route: Route) -> None:
        if urlsplit(route.request.url).hostname == LOCAL_HOST:
            route.continue_()
        else:
            watch.outside.append(route.request.url)
            route.abort()

    context.route("**/*", guard)
    page = context.new_page()
    def console(message: ConsoleMessage) -> None:
        if message.type == "error":
            watch.errors.append(f"{page.url}: {message.text}")

    page.on("console", console)
    page.on("pageerror", lambda error: watch.errors.append(f"{page.url}: {error}"))
    yield Browsing(server, context, page, watch, signed_in)
    context.close()
    assert watch.outside == [], f"requests left the app: {watch.outside}"
    assert watch.unexpected_errors() == [], f"console errors: {watch.unexpected_errors()}"
