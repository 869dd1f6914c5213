"""The wizard embedded in a partner's page on another site, with third-party cookies blocked.

Three servers, all on this machine:
- the partner's page on 127.0.0.1 (a different site from the wizard);
- the wizard, reached as localhost;
- a cookie probe, also on localhost, that sets an ordinary SameSite=None cookie.

Chromium runs with third-party cookies blocked. The test first proves the
probe's ordinary cookie is refused inside the partner's page, then completes
the embedded journey to the results and the reach-out page: the wizard's own
cookie is partitioned, which such browsers still allow.

"Leave this site" must forget the answers in every way a partner can embed the
wizard: with the loader, with the plain iframe of the no-script snippet, and
with JavaScript off. A top-level request to the wizard never carries the
partitioned cookie, so each case is proved the way a person would meet it:
reopen the partner's page afterwards and see the questions start again.
"""

from __future__ import annotations

import re
import secrets
import threading
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import yaml
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Frame, Page
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from tests.support.answers import OPIOIDS_ONLY
from wizard import create_app

from .conftest import CHROMIUM, CHROMIUM_ARGS, SCREENSHOTS

pytestmark = pytest.mark.browser

PARTNER_ID = "test-partner"
ANSWERS = {**OPIOIDS_ONLY, "country": "CA"}


def serve(app) -> tuple[str, object]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return str(server.server_port), server


@dataclass
class Sites:
    partner: str  # http://127.0.0.1:P
    wizard: str  # http://localhost:W
    probe: str  # http://localhost:C


def partner_app(holder: dict):
    @Request.application
    def app(request: Request) -> Response:
        wizard, probe = holder["wizard"], holder["probe"]
        pages = {
            "/": f'<main><h1>Partner clinic</h1><div data-partner="{PARTNER_ID}"></div>'
            f'<script src="{wizard}/embed/v1/loader.js" async></script></main>',
            # The documented snippet for sites that cannot run scripts: no loader, no greeting.
            "/plain": f'<main><h1>Partner clinic</h1><iframe title="Find recovery support" '
            f'src="{wizard}/embed/{PARTNER_ID}/" width="100%" height="900" style="border:0"></iframe></main>',
            "/probe-set": f'<iframe title="probe" src="{probe}/set"></iframe>',
            "/probe-check": f'<iframe title="probe" src="{probe}/check"></iframe>',
            "/left": "<h1>Weather</h1>",
        }
        body = pages.get(request.path)
        if body is None:
            return Response("not found", status=404)
        html = f'<!doctype html><html lang="en"><head><title>Partner</title></head><body>{body}</body></html>'
        return Response(html, mimetype="text/html")

    return app


@Request.application
def probe_app(request: Request) -> Response:
    if request.path == "/set":
        response = Response("<p>set</p>", mimetype="text/html")
        response.set_cookie("probe", "1", samesite="None", secure=True)
        return response
    return Response(f"<p id=cookie>probe={request.cookies.get('probe', '')}</p>", mimetype="text/html")


@pytest.fixture(scope="module")
def sites(tmp_path_factory) -> Iterator[Sites]:
    holder: dict = {}
    partner_port, partner_server = serve(partner_app(holder))
    probe_port, probe_server = serve(probe_app)
    partner = f"http://127.0.0.1:{partner_port}"
    partners_file = tmp_path_factory.mktemp("partners") / "partners.yaml"
    partners_file.write_text(
        yaml.safe_dump(
            {
                "partners": [
                    {
                        "id": PARTNER_ID,
                        "name": "Test partner",
                        "allowed_origins": [partner],
                        "default_language": "en",
                        "exit_url": partner + "/left",
                        "theme": {"accent": "#5b2a86", "text": "#ffffff"},
                    }
                ]
            }
        )
    )
    app = create_app({"TESTING": True, "SECRET_KEY": secrets.token_hex(16), "PARTNERS_FILE": str(partners_file)})
    wizard_port, wizard_server = serve(app)
    holder.update(wizard=f"http://localhost:{wizard_port}", probe=f"http://localhost:{probe_port}")
    yield Sites(partner=partner, wizard=holder["wizard"], probe=holder["probe"])
    for server in (partner_server, probe_server, wizard_server):
        server.shutdown()


@pytest.fixture(scope="module")
def blocking_browser(playwright):
    # Chromium's own switch for the "third-party cookies blocked" experience.
    browser = playwright.chromium.launch(
        executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, "--test-third-party-cookie-phaseout"]
    )
    yield browser
    browser.close()


def wizard_frame(page: Page) -> Frame:
    page.wait_for_selector("iframe")
    frame = page.frame_locator("iframe")
    frame.locator("main h1").wait_for()
    return next(f for f in page.frames if "/embed/" in f.url)


def axe_clean(frame: Frame, name: str, page: Page) -> None:
    violations = Axe().run(frame).response["violations"]
    assert violations == [], f"{frame.url}: " + "; ".join(v["id"] for v in violations)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"375-embed-{name}.png", full_page=True)


def test_embedded_journey_works_with_third_party_cookies_blocked(sites, blocking_browser):
    context = blocking_browser.new_context(viewport={"width": 375, "height": 812})
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))

    # The probe works as a first party...
    page.goto(sites.probe + "/set")
    page.goto(sites.probe + "/check")
    assert page.locator("#cookie").inner_text() == "probe=1"
    context.clear_cookies()
    # ...and its ordinary cookie is blocked inside the partner's page.
    page.goto(sites.partner + "/probe-set")
    page.frame_locator("iframe").locator("p").wait_for()
    page.goto(sites.partner + "/probe-check")
    assert page.frame_locator("iframe").locator("#cookie").inner_text() == "probe="

    # The wizard, embedded by the loader, reaches results and the reach-out page.
    page.goto(sites.partner + "/")
    frame = wizard_frame(page)
    axe_clean(frame, "start", page)
    with frame.expect_navigation(url=re.compile(r"/questions/who$")):
        frame.locator("a.button--start").click()
    asked = []
    while True:
        frame.wait_for_load_state()
        match = re.search(r"/questions/([a-z_]+)$", frame.url)
        if not match:
            break
        question = match.group(1)
        assert question not in asked, f"{question} asked twice: the answers were not kept"
        asked.append(question)
        axe_clean(frame, f"question-{question}", page)
        value = ANSWERS[question]
        if question in ("country", "subdivision"):
            if value:
                frame.locator(f"#{question}-input").select_option(value=value)
        elif question == "town":
            frame.locator("#town-input").fill(value)
        else:
            for code in value if isinstance(value, list) else [value]:
                frame.locator(f"#{question}-{code}").check()
        with frame.expect_navigation():
            frame.locator("main form button[type=submit]").first.click()
    assert asked == list(ANSWERS)
    assert frame.url.endswith(f"/embed/{PARTNER_ID}/check-answers")
    axe_clean(frame, "check-answers", page)
    with frame.expect_navigation():
        frame.locator('main a.button[href$="/results"]').click()
    assert frame.url.endswith(f"/embed/{PARTNER_ID}/results")
    assert frame.locator("#approach-medication-assisted-treatment").count() == 1
    axe_clean(frame, "results", page)
    # The loader keeps the frame as tall as the results.
    page.wait_for_function("document.querySelector('iframe').getBoundingClientRect().height > 1500")
    with frame.expect_navigation():
        frame.locator('main a.button[href$="/reach-out"]').click()
    assert frame.locator("h1").inner_text() == "Reach out for help"
    axe_clean(frame, "reach-out", page)

    # The wizard's cookie is the partitioned one; nothing else was set for it.
    cookies = [c for c in context.cookies() if c["domain"] == "localhost"]
    assert [c["name"] for c in cookies] == ["wizard_embed"]

    # "Leave this site" takes the partner's whole page away, not just the frame.
    frame.locator("#quick-exit").click()
    page.wait_for_url(sites.partner + "/left")

    hosts = {re.match(r"https?://[^/]+", url).group(0) for url in requests if url.startswith("http")}
    assert hosts <= {sites.partner, sites.wizard, sites.probe}
    context.close()


def test_embed_refuses_other_framers_and_unknown_partners(sites, blocking_browser):
    context = blocking_browser.new_context()
    page = context.new_page()
    response = page.goto(sites.wizard + f"/embed/{PARTNER_ID}/")
    csp = response.headers["content-security-policy"]
    assert f"frame-ancestors 'self' {sites.partner}" in csp
    assert "x-frame-options" not in response.headers
    assert page.goto(sites.wizard + "/embed/nobody/").status == 404
    context.close()


# --- "Leave this site" forgets the answers in every kind of embed -------------------------------

EMBED_COOKIE = "wizard_embed"  # tests run in development mode: no __Host- prefix
LEAVE_CASES = {
    # case: (partner page, JavaScript on)
    "loader": ("/", True),
    "plain-iframe": ("/plain", True),
    "plain-iframe-no-js": ("/plain", False),
}


def wizard_cookies(context) -> dict[str, str]:
    return {c["name"]: c["value"] for c in context.cookies() if c["domain"] == "localhost"}


def answer_two_questions(frame: Frame) -> None:
    with frame.expect_navigation(url=re.compile(r"/questions/who$")):
        frame.locator("a.button--start").click()
    frame.locator("#who-myself").check()
    with frame.expect_navigation(url=re.compile(r"/questions/country$")):
        frame.locator("main form button[type=submit]").click()
    frame.locator("#country-input").select_option(value="CA")
    with frame.expect_navigation(url=re.compile(r"/questions/danger$")):
        frame.locator("main form button[type=submit]").click()


@pytest.mark.parametrize("case", list(LEAVE_CASES))
def test_leave_this_site_forgets_the_answers_in_every_embed(sites, blocking_browser, case):
    partner_page, javascript = LEAVE_CASES[case]
    context = blocking_browser.new_context(viewport={"width": 375, "height": 812}, java_script_enabled=javascript)
    page = context.new_page()
    page.goto(sites.partner + partner_page)
    frame = wizard_frame(page)
    answer_two_questions(frame)
    before = wizard_cookies(context)
    assert list(before) == [EMBED_COOKIE], "the answers live in the partitioned cookie"

    frame.locator("#quick-exit").click()
    page.wait_for_url(sites.partner + "/left")
    after = wizard_cookies(context)
    if javascript:
        # The frame's own request cleared the partitioned cookie before the page left.
        assert EMBED_COOKIE not in after

    # Someone opening the partner's page again (Back, history) finds nothing of it.
    page.goto(sites.partner + partner_page)
    frame = wizard_frame(page)
    frame.goto(sites.wizard + f"/embed/{PARTNER_ID}/questions")
    assert frame.url.endswith(f"/embed/{PARTNER_ID}/questions/who"), f"{case}: the journey resumed at {frame.url}"
    assert frame.locator("input:checked").count() == 0
    if javascript:
        axe_clean(frame, f"after-leaving-{case}", page)
    else:
        # axe needs timers, which do not run where JavaScript is off; the same page was checked with it on.
        page.screenshot(path=SCREENSHOTS / f"375-embed-after-leaving-{case}.png", full_page=True)
    if EMBED_COOKIE in after:
        # Still in the jar after leaving (a top-level request cannot reach the partitioned
        # cookie): it was refused on reopening, and replaced, never read.
        assert after[EMBED_COOKIE] == before[EMBED_COOKIE]
        assert wizard_cookies(context).get(EMBED_COOKIE) != after[EMBED_COOKIE]
    context.close()
