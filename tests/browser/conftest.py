"""Browser tests: Debian Chromium, driven by Playwright, against a live server.

Every page a test reaches goes through ``check_page``: an axe scan that must
find no violations, a record of the URL (artifacts/browser-pages-checked.txt, one file per
pytest-xdist worker, such as browser-pages-checked-gw0.txt),
and, once per distinct page, screenshots in artifacts/screenshots/ at 375 px
(full page) and at 1280 px, where axe runs again.

Every browser context refuses and records requests to any host other than the
live server, and records Content Security Policy violations, console errors and
script errors. A test fails if any of them happened, or if it reached a page of
the site that it never gave to ``check_page``.

Run: .venv/bin/python -m pytest tests/browser -q
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
import secrets
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe
from flask import Flask
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, Route, expect, sync_playwright
from werkzeug.serving import make_server

from wizard import create_app
from wizard.domain.journey import Journey
from wizard.platform.security_headers import CONTENT_SECURITY_POLICY

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 800}
# Browser tests fail fast: every page here is small and served locally.
TIMEOUT_MS = 10_000

expect.set_options(timeout=TIMEOUT_MS)


# --- the live server -------------------------------------------------------------------


@dataclass(frozen=True)
class Site:
    base: str
    exit_url: str
    app: Flask

    def url(self, path: str) -> str:
        return self.base + path

    def path_of(self, url: str) -> str:
        assert url.startswith(self.base + "/"), f"{url} is not on the live server"
        return urlsplit(url).path

    @property
    def journey(self) -> Journey:
        return self.app.extensions["services"].journey

    def is_local(self, url: str) -> bool:
        return url.startswith(self.base + "/") or url.split(":", 1)[0] in {"data", "about", "blob"}


@pytest.fixture(scope="session")
def site() -> Iterator[Site]:
    # CSRF stays on: the browser must get through it like a person's would.
    # Many tests send the call-back form from this one address: the limit has its own test.
    # And many staff tests sign in from it: the staff console's own config must carry that limit
    # (each app has its own config; setting it on the public app does not reach the console).
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": secrets.token_hex(32),
            "CALLBACK_RATE_LIMIT": "10000 per hour",
            "STAFF_SIGNIN_RATE_LIMIT": "1000 per minute",
        }
    )
    server = make_server("127.0.0.1", 0, app, threaded=True)
    base = f"http://127.0.0.1:{server.server_port}"
    # "Leave this site" goes to a neutral page of the same server, so no test
    # reaches another host. The query string makes the exit page recognisable.
    exit_url = base + "/privacy?left=1"
    app.config["EXIT_URL"] = exit_url
    publish_example_directory(app)
    # One log line per request would bury the reason a test failed.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield Site(base=base, exit_url=exit_url, app=app)
    finally:
        server.shutdown()
        thread.join(timeout=5)


def publish_example_directory(app) -> None:
    """The fictional example directory, as `make run` loads it, so results pages show listings."""
    from datetime import UTC, datetime

    from wizard.domain.directory.hsds import read_path
    from wizard.domain.directory.listing import aged_to
    from wizard.platform.services import services

    with app.app_context():
        directory = services().directory
        reading = read_path(ROOT / "examples" / "directory", directory.taxonomy)
        listings = aged_to(list(reading.listings), datetime.now(UTC).date())
        directory.store.publish(listings, publisher=None, source="examples", by="tests", fictional=True)


# --- the browser and its pages ---------------------------------------------------------


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    # One Playwright per test run: a second one cannot start while the first is running.
    with sync_playwright() as running:
        yield running


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    try:
        yield chromium
    finally:
        chromium.close()


@dataclass
class PageInfo:
    """What a test asked for when it opened a page, and what went wrong there."""

    javascript: bool
    viewport: dict
    shot_prefix: str
    foreign_requests: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    loaded: list[str] = field(default_factory=list)
    checked: set[str] = field(default_factory=set)


# Filled by the open_page fixture; read by the page checker.
PAGES: dict[Page, PageInfo] = {}


def _guard_context(context: BrowserContext, site: Site, info: PageInfo) -> None:
    """Record every request to another host, and refuse it so it never leaves this machine."""

    def record(request) -> None:
        if not site.is_local(request.url):
            info.foreign_requests.append(f"{request.method} {request.url}")

    def refuse(route: Route) -> None:
        route.abort("blockedbyclient")

    context.on("request", record)
    context.route(lambda url: not site.is_local(url), refuse)


def _watch_page(page: Page, info: PageInfo) -> None:
    def console(message) -> None:
        if message.type != "error":
            return
        # An error status for the page itself is for the test to check (a 404 page, say);
        # a failed stylesheet, script or image is a problem.
        if message.text.startswith("Failed to load resource") and message.location.get("url") == page.url:
            return
        info.problems.append(f"console error on {page.url}: {message.text}")

    page.on("console", console)
    page.on("pageerror", lambda error: info.problems.append(f"script error on {page.url}: {error}"))
    page.on("load", lambda loaded: info.loaded.append(loaded.url))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if report.when == "call":
        item.browser_test_failed = report.failed


@pytest.fixture
def open_page(browser: Browser, site: Site, request: pytest.FixtureRequest) -> Iterator[Callable[..., Page]]:
    """Open a page in a new browser context (its own cookies), 375 x 812 by default.

    When the test ends, it fails if the page asked another host for anything, met a
    CSP violation, console error or script error, or loaded a page of the site that
    was never given to check_page.
    """
    opened: list[tuple[BrowserContext, Page, PageInfo]] = []

    def _open(*, viewport: dict | None = None, javascript: bool = True, shot_prefix: str | None = None) -> Page:
        viewport = dict(viewport or PHONE)
        context = browser.new_context(viewport=viewport, java_script_enabled=javascript, base_url=site.base)
        context.set_default_timeout(TIMEOUT_MS)
        context.set_default_navigation_timeout(TIMEOUT_MS)
        if shot_prefix is None:
            shot_prefix = "" if javascript else "nojs-"
        info = PageInfo(javascript=javascript, viewport=viewport, shot_prefix=shot_prefix)
        _guard_context(context, site, info)
        page = context.new_page()
        _watch_page(page, info)
        PAGES[page] = info
        opened.append((context, page, info))
        return page

    yield _open

    complaints = []
    for context, page, info in opened:
        PAGES.pop(page, None)
        context.close()
        if info.foreign_requests:
            complaints.append("requests to another host:\n  " + "\n  ".join(info.foreign_requests))
        if info.problems:
            complaints.append("problems in the browser:\n  " + "\n  ".join(info.problems))
        unchecked = [url for url in dict.fromkeys(info.loaded) if url.startswith(site.base) and url not in info.checked]
        if unchecked and not getattr(request.node, "browser_test_failed", False):
            complaints.append("pages reached but never checked with check_page:\n  " + "\n  ".join(unchecked))
    assert not complaints, "\n".join(complaints)


@pytest.fixture
def page(open_page: Callable[..., Page]) -> Page:
    return open_page()


@pytest.fixture
def assert_only_local() -> Callable[[Page], None]:
    """assert_only_local(page): fail now (not only at teardown) if the page's context asked another host."""

    def _assert(page: Page) -> None:
        info = PAGES[page]
        assert not info.foreign_requests, "requests to another host: " + ", ".join(info.foreign_requests)

    return _assert


# --- accessibility checks and screenshots ----------------------------------------------


def format_violations(url: str, violations: list[dict]) -> str:
    lines = [f"axe found {len(violations)} accessibility violation(s) on {url}:"]
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation.get('impact')}): {violation['help']}")
        lines.append(f"  {violation.get('helpUrl', '')}")
        for node in violation.get("nodes", []):
            target = " ".join(str(part) for part in node.get("target", []))
            summary = (node.get("failureSummary") or "").replace("\n", " ")
            lines.append(f"    at {target}: {summary}")
    return "\n".join(lines)


def page_name(site: Site, page: Page) -> str:
    path = site.path_of(page.url)
    if path == "/":
        name = "start"
    elif path.startswith("/questions/"):
        name = "question-" + path.rsplit("/", 1)[1]
    else:
        name = path.strip("/").replace("/", "-")
    if page.locator("#error-summary").count():
        name += "-error"
    return name


class PageChecker:
    """Runs axe on a page, records its URL, and screenshots each distinct page once.

    The first time a page name is seen on a phone-sized page, it is also checked
    with axe at 1280 px, where the layout differs.
    """

    AUDIT_PATH = "/__axe-audit__"

    def __init__(self, browser: Browser, site: Site):
        self.browser = browser
        self.site = site
        self.axe = Axe()
        self.checked: list[str] = []
        self.screenshots: set[str] = set()
        self._audit_page: Page | None = None
        self._audit_html = ""
        # axe's findings by page content: a page met again with the same content in
        # another test (the first question, say) is not scanned again.
        self._known: dict[tuple, list[dict]] = {}

    def check(self, page: Page, name: str | None = None) -> None:
        info = PAGES[page]
        page.wait_for_load_state("load")
        url = page.url
        name = name or page_name(self.site, page)
        violations = self.violations(page, info)
        info.checked.add(url)
        self.checked.append(f"{'js' if info.javascript else 'no-js'} {info.viewport['width']}px {url} {name}")
        desktop_violations = self.screenshot(page, info, name)
        assert not violations, format_violations(url, violations)
        assert not desktop_violations, format_violations(f"{url} at 1280 px", desktop_violations)

    def violations(self, page: Page, info: PageInfo, viewport: dict | None = None) -> list[dict]:
        viewport = viewport or page.viewport_size or info.viewport
        html = page.content()
        # The CSRF token differs in every session and changes nothing axe looks at.
        same_for_axe = re.sub(
            r'(name="csrf_token"[^>]*?value=")[^"]*"|(value=")[^"]*("[^>]*name="csrf_token")', "", html
        )
        key = (info.javascript, viewport["width"], viewport["height"], hashlib.sha256(same_for_axe.encode()).digest())
        if key not in self._known:
            if info.javascript:
                self._known[key] = self.axe.run(page).response["violations"]
            else:
                # axe needs timers, which do not run where JavaScript is off. Check the very
                # same HTML in a twin page where the site's own script is refused.
                self._known[key] = self.axe.run(self._audit_twin(html, viewport)).response["violations"]
        return self._known[key]

    def _audit_twin(self, html: str, viewport: dict) -> Page:
        if self._audit_page is None:
            context = self.browser.new_context(viewport=PHONE, base_url=self.site.base)
            context.route(lambda url: not self.site.is_local(url), lambda route: route.abort("blockedbyclient"))
            context.route(
                re.compile(r"/static/wizard(-[0-9a-f]{32})?\.js(\?.*)?$"), lambda route: route.abort("blockedbyclient")
            )
            context.route(
                self.site.url(self.AUDIT_PATH),
                lambda route: route.fulfill(
                    status=200,
                    content_type="text/html; charset=utf-8",
                    headers={"Content-Security-Policy": CONTENT_SECURITY_POLICY},
                    body=self._audit_html,
                ),
            )
            self._audit_page = context.new_page()
        self._audit_html = html
        self._audit_page.set_viewport_size(viewport)
        self._audit_page.goto(self.site.url(self.AUDIT_PATH))
        return self._audit_page

    def screenshot(self, page: Page, info: PageInfo, name: str) -> list[dict]:
        """Screenshot a page the first time its name is seen; return axe's findings at 1280 px, if run."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        if info.viewport["width"] == PHONE["width"]:
            phone_file = f"375-{info.shot_prefix}{name}.png"
            if phone_file in self.screenshots:
                return []
            self.screenshots.add(phone_file)
            page.screenshot(path=SCREENSHOTS / phone_file, full_page=True)
            if not info.javascript:
                # Pages without JavaScript are pictured at 375 px only, to keep the suite quick.
                return []
            page.set_viewport_size(DESKTOP)
            try:
                page.screenshot(path=SCREENSHOTS / f"1280-{info.shot_prefix}{name}.png", full_page=True)
                return self.violations(page, info, DESKTOP)
            finally:
                page.set_viewport_size(info.viewport)
        file = f"{info.shot_prefix or str(info.viewport['width']) + '-'}{name}.png"
        if file not in self.screenshots:
            self.screenshots.add(file)
            page.screenshot(path=SCREENSHOTS / file, full_page=True)
        return []

    def close(self) -> None:
        if self._audit_page is not None:
            self._audit_page.context.close()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        # Each pytest-xdist worker checks its own share of the pages: one record each, none overwritten.
        worker = os.environ.get("PYTEST_XDIST_WORKER")
        record = f"browser-pages-checked-{worker}.txt" if worker else "browser-pages-checked.txt"
        (ARTIFACTS / record).write_text("\n".join(self.checked) + "\n")


@pytest.fixture(scope="session")
def checker(browser: Browser, site: Site) -> Iterator[PageChecker]:
    page_checker = PageChecker(browser, site)
    yield page_checker
    page_checker.close()


@pytest.fixture
def check_page(checker: PageChecker) -> Callable[..., None]:
    """check_page(page, name=None): axe (no violations), URL record and screenshots."""
    return checker.check


@pytest.fixture
def axe_check(checker: PageChecker) -> Callable[[Page], None]:
    """axe_check(page): fail with a readable list if axe finds any violation."""

    def _check(page: Page) -> None:
        violations = checker.violations(page, PAGES[page])
        assert not violations, format_violations(page.url, violations)

    return _check


# --- answering the questions the way a person would -------------------------------------


class Wizard:
    """Answers questions by their visible labels, checking every page on the way."""

    def __init__(self, site: Site, checker: PageChecker):
        self.site = site
        self.checker = checker
        self.journey = site.journey

    @staticmethod
    def audience(answers: dict) -> str:
        return "someone_else" if answers.get("who") == "someone_else" else "myself"

    def question_text(self, question_id: str, audience: str) -> str:
        from wizard.domain.rulebook.models import words_for

        return words_for(self.journey.by_id[question_id].text, audience)

    def label(self, question_id: str, code: str, audience: str) -> str:
        question = self.journey.by_id[question_id]
        if question.kind in ("subdivision", "town"):
            return self.journey.answer_labels(question, code, audience)[0]
        for choice in self.journey.choices(question, audience):
            if choice.code == code:
                return choice.label
        raise KeyError(f"{question_id} has no option {code!r}")

    def path(self, page: Page) -> str:
        return self.site.path_of(page.url)

    def start(self, page: Page) -> None:
        page.goto("/")
        self.checker.check(page)
        with page.expect_navigation():
            page.get_by_role("link", name="Start now").click()
        expect(page).to_have_url(self.site.url("/questions/who"))

    def choose(self, page: Page, question_id: str, value: object, audience: str) -> None:
        question = self.journey.by_id[question_id]
        if question.kind == "subdivision":
            if value:
                page.locator("#subdivision-input").select_option(value=str(value))
        elif question.kind == "town":
            # A name, typed (its suggestions are not used here: the server looks the name up).
            page.locator("#town-input").fill(str(value or ""))
        elif question.kind == "country":
            select = page.get_by_label(self.question_text(question_id, audience), exact=True)
            select.select_option(label=self.label(question_id, str(value), audience))
        elif question.kind == "multiple":
            for code in value:
                page.get_by_label(self.label(question_id, code, audience), exact=True).check()
        else:
            page.get_by_label(self.label(question_id, str(value), audience), exact=True).check()

    def submit(self, page: Page) -> None:
        with page.expect_navigation():
            page.get_by_role("button", name="Continue").click()

    def answer(self, page: Page, question_id: str, value: object, audience: str) -> None:
        assert self.path(page) == f"/questions/{question_id}"
        self.checker.check(page)
        self.choose(page, question_id, value, audience)
        self.submit(page)

    def walk(self, page: Page, answers: dict) -> list[str]:
        """Answer every question the site asks, from the page it is on; return the ids asked."""
        audience = self.audience(answers)
        asked: list[str] = []
        while self.path(page).startswith("/questions/"):
            question_id = self.path(page).rsplit("/", 1)[1]
            assert question_id not in asked, f"asked {question_id} twice: {asked}"
            assert question_id in answers, f"the site asked {question_id}, which this journey does not expect"
            self.answer(page, question_id, answers[question_id], audience)
            asked.append(question_id)
        self.checker.check(page)
        return asked

    def complete(self, page: Page, answers: dict) -> list[str]:
        self.start(page)
        return self.walk(page, answers)

    @staticmethod
    def approach_ids(page: Page) -> list[str]:
        """Ids of the approaches on a results page: full cards, then the shorter list after them."""
        return page.evaluate(
            """() => {
                const section = document.querySelector('section[aria-labelledby="approaches"]');
                if (!section) return [];
                const cards = [...section.querySelectorAll('.card[id^="approach-"]')]
                    .map(card => card.id.slice('approach-'.length));
                const links = [...section.querySelectorAll('a[href^="/approaches/"]')]
                    .map(link => link.getAttribute('href').split('/').pop());
                return [...cards, ...links];
            }"""
        )

    def approach_name(self, approach_id: str) -> str:
        return self.site.journey.matcher.approaches[approach_id].name


@pytest.fixture(scope="session")
def wizard(site: Site, checker: PageChecker) -> Wizard:
    return Wizard(site, checker)
