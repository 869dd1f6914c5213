"""Share links and the "My options" plan, through the Flask test client with CSRF on."""

from __future__ import annotations

import html
import re
import types

import pytest

from tests.support.answers import FULL
from tests.support.journey import walk
from tests.support.pages import Browser
from wizard.domain import share_codes as share
from wizard.domain.share_codes import DAY, make_code

PARTNER = "example"
SHARED = re.compile(r"^http://localhost(/(?:embed/[a-z0-9-]+/)?shared/([A-Za-z0-9_-]+))$")


def approach_ids(page) -> list[str]:
    """The approaches on a results page, in order: the cards, then the shorter list."""
    start = page.html.index('<section aria-labelledby="approaches">')
    section = page.html[start : page.html.index("</section>", start)]
    return re.findall(r'<li class="(?:card|more-list__item)" id="approach-([a-z0-9-]+)"', section)


def share_link(page) -> str:
    match = re.search(r'<input class="input share-link__input" id="share-link" type="text" value="([^"]+)"', page.html)
    assert match, "no share link on the page"
    return html.unescape(match.group(1))


def path_of(link: str) -> str:
    match = SHARED.match(link)
    assert match, link
    return match.group(1)


def fresh(app) -> Browser:
    """Someone else's browser: no cookie, no answers."""
    return Browser(app.test_client())


def session_of(browser: Browser) -> dict:
    with browser.client.session_transaction() as session:
        return dict(session)


@pytest.fixture
def shared(browser) -> tuple[str, list[str]]:
    """Walk the journey, note the results, and make a share link: (path, approach ids)."""
    walk(browser, FULL)
    results = browser.get("/results")
    page = browser.get("/results/share")
    return path_of(share_link(page)), approach_ids(results)


# --- the share page ----------------------------------------------------------------------


def test_results_page_offers_a_link_and_a_plan(browser):
    walk(browser, FULL)
    page = browser.get("/results")
    assert 'id="share"' in page.html and "Keep these results" in page.html
    assert 'href="/results/share"' in page.html
    assert 'href="/plan"' in page.html


def test_share_page_says_what_the_link_holds_before_showing_it(browser):
    walk(browser, FULL)
    page = browser.get("/results/share")
    assert page.status == 200
    assert page.h1 == "Save or share these results"
    text = page.text()
    for words in (
        "only your answers, as codes",
        "does not hold your name or anything you typed",
        "Anyone who has the link can see these results",
        "stops working after 30 days",
        "not saved on our server",
    ):
        assert words in text, words
        assert page.html.index(html.escape(words, quote=False)) < page.html.index('id="share-link"'), words
    link = share_link(page)
    assert SHARED.match(link), link  # the whole address, ready to paste anywhere
    # A labelled, read-only field (selectable without JavaScript); the Copy button waits for JavaScript.
    assert '<label class="label" for="share-link">Link to these results</label>' in page.html
    assert re.search(r'id="share-link" type="text" value="[^"]+" readonly', page.html)
    assert re.search(
        r'<button class="button button--secondary js-copy" type="button" data-copy="share-link"[^>]* hidden>Copy link</button>',
        page.html,
    )
    assert 'href="/plan"' in page.html
    assert 'class="back-link" href="/results"' in page.html


def test_share_page_and_plan_need_a_finished_journey(browser, client):
    for path in ("/results/share", "/plan"):
        response = client.get(path)
        assert response.status_code == 303
        assert response.location.endswith("/questions")
        browser.get(path)
        assert browser.history[-1] == "/questions/who"


def test_share_page_waits_while_there_is_danger_now(browser):
    page = browser.get("/questions")
    for value in ("myself", "GB", "danger_now"):
        page = browser.answer(page, value)
    assert browser.history[-1] == "/help-now"
    browser.get("/results/share")
    assert browser.history[-1] == "/help-now"


def test_nothing_is_stored_on_the_server(app, browser):
    from sqlalchemy import inspect, select

    database = app.extensions["services"].database
    before = _row_counts(database, inspect, select)
    walk(browser, FULL)
    link_path = path_of(share_link(browser.get("/results/share")))
    fresh(app).get(link_path)
    fresh(app).get(link_path + "/plan")
    assert _row_counts(database, inspect, select) == before


def _row_counts(database, inspect, select) -> dict[str, int]:
    from sqlalchemy import func, table

    with database.engine.connect() as connection:
        names = inspect(connection).get_table_names()
        return {name: connection.execute(select(func.count()).select_from(table(name))).scalar() for name in names}


# --- opening a shared link ----------------------------------------------------------------


def test_a_shared_link_opens_the_same_results_in_another_browser(app, shared):
    link_path, original = shared
    other = fresh(app)
    page = other.get(link_path)
    assert page.status == 200
    assert page.h1 == "Your next steps"
    assert approach_ids(page) == original
    text = page.text()
    assert "These results were shared with you." in text
    assert 'href="/questions">Answer the questions yourself</a>' in page.html
    # The country's emergency number and helplines follow the shared answers.
    assert 'href="tel:999"' in page.html and "FRANK" in text
    # A plan for this very link; no "start again" form, which would clear the visitor's own answers.
    assert f'href="{link_path}/plan"' in page.html
    assert 'action="/start-again"' not in page.html
    assert "answers" not in session_of(other)
    # The visitor has no answers of their own: the journey starts at the first question.
    other.get("/results")
    assert other.history[-1] == "/questions/who"


def test_a_shared_link_leaves_the_visitors_own_answers_alone(app, shared):
    link_path, original = shared
    other = fresh(app)
    mine = dict(FULL, country="BR", substances=["alcohol"], faith="faith_based", setting="inpatient")
    mine.pop("injecting")
    walk(other, mine)
    own_before = approach_ids(other.get("/results"))
    assert own_before != original
    before = session_of(other)["answers"]
    assert approach_ids(other.get(link_path)) == original
    assert session_of(other)["answers"] == before
    assert approach_ids(other.get("/results")) == own_before
    assert 'href="tel:192"' in other.get("/results").html  # their own country again


def test_a_changed_link_gets_a_clear_page(app, shared):
    link_path, _ = shared
    code = link_path.rsplit("/", 1)[1]
    other = fresh(app)
    changed = code[:10] + ("A" if code[10] != "A" else "B") + code[11:]
    for path in (
        f"/shared/{changed}",
        f"/shared/{changed}/plan",
        f"/shared/{code[:-2]}",
        f"/shared/{code}xyz",
        "/shared/not-a-real-code",
        "/shared/" + "A" * 5000,
        "/shared/%00%FF",
    ):
        page = other.get(path)
        assert page.status == 400, path
        assert page.h1 == "This link does not work", path
        assert "copied only in part, or changed" in page.text()
        assert 'href="/">Go to the start</a>' in page.html
    assert "answers" not in session_of(other)


def test_a_link_made_with_another_key_does_not_work(app):
    code = make_code(app.extensions["services"].journey, FULL, "some other key")
    page = fresh(app).get(f"/shared/{code}")
    assert page.status == 400


def test_an_expired_link_gets_a_clear_page(app, shared, monkeypatch):
    link_path, original = shared
    real_time = share.time.time
    # Day 30 after it was made: still works.
    monkeypatch.setattr(share, "time", types.SimpleNamespace(time=lambda: real_time() + 30 * DAY))
    assert approach_ids(fresh(app).get(link_path)) == original
    # Day 31: expired, with a page that says so and how long links last.
    monkeypatch.setattr(share, "time", types.SimpleNamespace(time=lambda: real_time() + 31 * DAY))
    for path in (link_path, link_path + "/plan"):
        page = fresh(app).get(path)
        assert page.status == 410, path
        assert page.h1 == "This link has expired"
        assert "work for 30 days" in page.text()
        assert 'href="/">Go to the start</a>' in page.html


def test_one_page_results_come_with_their_own_link(app, browser):
    page = browser.get("/all-questions")
    page = browser.post("/all-questions", data={"csrf_token": page.csrf_token(), **FULL})
    assert page.h1 == "Your next steps"
    # No cookie holds these answers, so the link and its explanation are on the results page itself.
    assert page.html.index("only your answers, as codes") < page.html.index('id="share-link"')
    link_path = path_of(share_link(page))
    assert f'href="{link_path}/plan"' in page.html
    assert approach_ids(fresh(app).get(link_path)) == approach_ids(page)


def test_no_link_is_offered_while_there_is_danger_now(browser):
    page = browser.get("/all-questions")
    page = browser.post("/all-questions", data={"csrf_token": page.csrf_token(), **dict(FULL, danger="danger_now")})
    assert "You said there is danger now" in page.text()
    assert 'id="share"' not in page.html and 'id="share-link"' not in page.html and "/shared/" not in page.html


# --- the plan -----------------------------------------------------------------------------


def _check_plan(page, approach_names: list[str]) -> None:
    assert page.status == 200
    assert page.h1 == "My options"
    assert 'class="plan-page"' in page.html
    text = page.text()
    positions = [text.index(name) for name in approach_names]
    assert positions == sorted(positions), "the approaches are in the order of the results"
    assert text.count("How to start:") == len(approach_names)
    assert "If someone has overdosed or is in danger now, call 999" in text
    assert "FRANK" in text and 'href="tel:03001236600"' in page.html
    assert "My next steps" in text
    assert page.html.count('<div class="plan__line"></div>') >= 4
    assert "not a diagnosis or medical advice" in text
    svg = re.search(r'<svg role="img" aria-label="QR code of the link to these results" [^>]*class="qr"', page.html)
    assert svg, "no QR code"
    assert " style=" not in page.html
    assert re.search(r'<button class="button js-print" type="button" hidden>Print this plan</button>', page.html)
    assert "use your browser’s Print option" in text


def test_plan_from_the_session(app, browser):
    walk(browser, FULL)
    results = browser.get("/results")
    ids = approach_ids(results)
    names = [app.extensions["services"].matcher.approaches[i].name for i in ids[:3]]
    page = browser.get("/plan")
    _check_plan(page, names)
    assert ids[3] not in [m for m in re.findall(r'id="approach-([a-z0-9-]+)"', page.html)]
    assert 'class="back-link" href="/results"' in page.html
    # The QR code and the link text lead to a link that opens the same results.
    link = re.search(r'<p class="plan__url"><a href="([^"]+)"><bdi dir="ltr">([^<]+)</bdi></a></p>', page.html)
    assert link and link.group(2) == "http://localhost" + link.group(1)
    assert approach_ids(fresh(app).get(link.group(1))) == ids


def test_plan_from_a_shared_link(app, shared):
    link_path, ids = shared
    other = fresh(app)
    page = other.get(link_path + "/plan")
    _check_plan(page, [app.extensions["services"].matcher.approaches[i].name for i in ids[:3]])
    assert f'class="back-link" href="{link_path}"' in page.html
    assert f'<a href="{link_path}"><bdi dir="ltr">http://localhost{link_path}</bdi></a>' in page.html
    assert "answers" not in session_of(other)


def test_plan_shows_the_operators_contact_details(app, shared):
    link_path, _ = shared
    app.config.update(OPERATOR_PHONE="+44 20 7946 0000", OPERATOR_EMAIL="help@example.org", OPERATOR_HOURS="9 to 5")
    page = fresh(app).get(link_path + "/plan")
    assert "World Assistance" in page.text()
    assert '<bdi dir="ltr">+44 20 7946 0000</bdi>' in page.html
    assert "help@example.org" in page.text()


def test_plan_in_the_persons_language(app, shared):
    # The staff console links to /shared/<code>/plan?lang=xx to print a handout.
    link_path, _ = shared
    page = fresh(app).get(link_path + "/plan?lang=ar")
    assert '<html lang="ar" dir="rtl">' in page.html
    assert page.h1 != "My options"
    assert "What to expect:" not in page.text()
    assert '<bdi dir="ltr">999</bdi>' in page.html
    assert 'aria-label="QR code of the link to these results"' not in page.html
    page = fresh(app).get(link_path + "/plan?lang=fr")
    assert '<html lang="fr" dir="ltr">' in page.html and page.h1 != "My options"


# --- inside a partner's frame -----------------------------------------------------------------


def test_share_and_plan_inside_the_embed(app, browser, client):
    page = browser.get(f"/embed/{PARTNER}/questions")
    while "/questions/" in browser.history[-1]:
        page = browser.answer(page, FULL.get(browser.history[-1].rsplit("/", 1)[1]))
    results = browser.get(f"/embed/{PARTNER}/results")
    assert f'href="/embed/{PARTNER}/results/share"' in results.html
    assert f'href="/embed/{PARTNER}/plan"' in results.html
    response = client.get(f"/embed/{PARTNER}/results/share")
    assert "frame-ancestors 'self' https://partner.example.org" in response.headers["Content-Security-Policy"]
    page = browser.get(f"/embed/{PARTNER}/results/share")
    link = share_link(page)
    assert link.startswith(f"http://localhost/embed/{PARTNER}/shared/")
    assert f'href="/embed/{PARTNER}/plan"' in page.html
    opened = fresh(app).get(path_of(link))
    assert approach_ids(opened) == approach_ids(results)
    assert 'class="embedded' in opened.html
    plan = browser.get(f"/embed/{PARTNER}/plan")
    assert plan.h1 == "My options"
    assert 'class="embedded plan-page"' in plan.html
    assert client.get_cookie("wizard") is None  # the embed never uses the site's own cookie
