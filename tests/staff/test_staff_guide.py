"""The conversation guide for intake staff (/staff/guide): the questions, the results beside
them, the handout link, the case-notes summary and recording the conversation.

The guide must give exactly what the public journey gives for the same answers: a broad
sample of the answer space goes through both, and the approaches, organisations and
helplines must be the same, in the same order.
"""

from __future__ import annotations

import html
import random
import re
from urllib.parse import urlsplit

import pytest

from tests.support.answers import FULL
from tests.support.pages import Browser
from tests.support.staff import (
    audit_actions,
    create_account,
    error_summary,
    form_data,
    record_data,
    signed_in,
)
from wizard.domain.coverage import walk
from wizard.domain.rulebook.models import words_for
from wizard.domain.share_codes import read_code
from wizard.staff.presenters import to_csv
from wizard.storage.callbacks import key_digest

SAMPLE_SIZE = 200
SEED = 20261121


@pytest.fixture
def browser(app):
    return signed_in(app)


def guide_page(browser: Browser, answers: dict, **extra):
    token = browser.get("/staff/guide").csrf_token()
    return browser.post("/staff/guide", data=form_data(answers, csrf_token=token, **extra))


def fragment(browser: Browser, answers: dict, token: str, **extra):
    response = browser.client.post("/staff/guide/results", data=form_data(answers, csrf_token=token, **extra))
    assert response.status_code == 200, response.status_code
    return response


def text_of(markup: str) -> str:
    return html.unescape(" ".join(re.sub(r"<[^>]+>", " ", markup).split()))


def section(markup: str, labelled_by: str) -> str:
    match = re.search(rf'<section[^>]*aria-labelledby="{labelled_by}"[^>]*>(.*?)</section>', markup, re.S)
    return match.group(1) if match else ""


# --- what both pages show, read the same way from each ---------------------------------------------


def approach_ids(markup: str) -> list[str]:
    """Approaches in order: the cards, then the shorter list."""
    part = section(markup, "approaches")
    return re.findall(r'<li class="(?:card|more-list__item)" id="approach-([a-z0-9-]+)"', part)


def information_ids(markup: str) -> list[str]:
    return re.findall(r'<div class="note" id="approach-([a-z0-9-]+)"', markup)


def organisations(markup: str) -> list[str]:
    return [text_of(name) for name in re.findall(r'<h3 class="org__name">(.*?)</h3>', markup, re.S)]


def helplines(markup: str) -> list[str]:
    # The public page lists the line it offers first at the top, the others below it, and every line (in the
    # same order as the guide) under "About these helplines".
    if 'class="details contact-list__about"' in markup:
        markup = markup[markup.index('class="details contact-list__about"') :]
    return [text_of(name) for name in re.findall(r'<h3 class="contact-list__name">(.*?)</h3>', markup, re.S)]


def emergency(markup: str) -> list[str]:
    numbers = section(markup, "contacts").split('<ul class="emergency-numbers">', 1)[-1].split("</ul>", 1)[0]
    return re.findall(r'class="phone[^"]*" href="tel:(\d{2,6})"', numbers)


def worth_knowing(markup: str) -> list[str]:
    return [text_of(name) for name in re.findall(r'<div class="note">\s*<h3>(.*?)</h3>', markup, re.S)]


def card_blocks(markup: str) -> dict[str, str]:
    """Each full approach card's HTML: the shared partial, so reasons, cautions and sources."""
    return {
        approach: block
        for block, approach in re.findall(
            r'(<li class="card" id="approach-([a-z0-9-]+)".*?</details>\n</li>)', markup, re.S
        )
    }


def skipped_on(markup: str) -> set[str]:
    match = re.search(r'class="guide-panel" data-skipped="([^"]*)"', markup)
    assert match, "no results panel"
    return set(match.group(1).split())


class Public:
    """The public one-page form, as a person's browser would send it (no cookie needed)."""

    def __init__(self, app):
        self.client = app.test_client()
        page = self.client.get("/all-questions?lang=en").get_data(as_text=True)
        self.token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)

    def results(self, answers: dict) -> str:
        response = self.client.post("/all-questions?lang=en", data=form_data(answers, csrf_token=self.token))
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        assert "Your next steps" in page, "the public form did not show results"
        return page


# --- signing in ------------------------------------------------------------------------------------


def test_the_guide_needs_a_full_sign_in(app):
    create_account(app)
    client = app.test_client()
    token = Browser(client).get("/staff/sign-in").csrf_token()
    for method, url in (
        ("get", "/staff/guide"),
        ("post", "/staff/guide"),
        ("post", "/staff/guide/results"),
        ("post", "/staff/guide/record"),
    ):
        response = getattr(client, method)(url, data=form_data(FULL, csrf_token=token))
        assert response.status_code == 303 and response.location == "/staff/sign-in", (method, url)
    assert app.extensions["services"].callbacks.count() == 0


# --- the questions ---------------------------------------------------------------------------------


def test_every_question_is_on_one_page_with_its_prompt_and_why_it_matters(app, browser):
    page = browser.get("/staff/guide")
    assert page.h1 == "Conversation guide"
    assert page.title.startswith("Conversation guide")
    assert 'aria-current="page">Conversation guide' in page.html
    journey = app.extensions["services"].journey
    text = page.text()
    positions = []
    for number, question in enumerate(journey.questions, 1):
        legend = f"{number}. {question.summary}"
        assert legend in text, legend
        positions.append(text.index(legend))
        assert html.escape(words_for(question.prompt, "myself"), quote=False) in page.html, question.id
        assert f"Why it matters: {question.why_we_ask}" in text, question.id
        # The same control ids as the public one-page form.
        labelled = question.kind in ("country", "subdivision", "town")
        first = f"{question.id}-input" if labelled else f"{question.id}-{question.options[0].code}"
        assert f'id="{first}"' in page.html
    assert positions == sorted(positions), "questions out of order"
    # Keyboard: a skip link to the results, and an access key for the main button.
    assert '<a href="#guide-results">Skip to the results</a>' in page.html
    assert 'id="guide-results" tabindex="-1"' in page.html
    assert re.search(r'<button class="button" type="submit" accesskey="u">Update results</button>', page.html)
    # The script (no inline script: the CSP allows only our own files) and a polite live region.
    assert re.search(r'<script src="/static/staff-guide(-[0-9a-f]{32})?\.js" defer></script>', page.html)
    assert '<p class="visually-hidden" id="guide-status" role="status"></p>' in page.html
    # Nothing answered yet: no results, and "injecting" waits for the substances.
    assert "The results appear here as you answer" in text
    assert (
        "Skipped for these answers: asked only when Substances includes Opioids, Stimulants or Something else." in text
    )
    assert 'id="injecting-skip" data-skip-note>' in page.html
    # English only, whatever the browser prefers.
    french = browser.get("/staff/guide", headers={"Accept-Language": "fr"})
    assert '<html lang="en"' in french.html and "Why it matters" in french.text()


def test_the_wording_follows_who_the_help_is_for(browser):
    page = guide_page(browser, {"who": "someone_else"})
    assert "Ask: which country are they in?" in page.text()
    assert "They are not sure, or do not want help yet" in page.text()
    # Both wordings are on the page, so the script can switch at once when "who" changes.
    assert 'data-myself="Ask: which country are you in? It is fine if you would rather not say."' in page.html
    assert 'data-someone-else="They are not sure, or do not want help yet"' in page.html
    assert "Ask: which country are you in?" in guide_page(browser, {"who": "myself"}).text()


def test_i_do_not_know_is_there_for_someone_else_and_hidden_for_oneself(browser):
    choice = re.compile(
        r'<div class="choice" data-audience="someone_else"( hidden)?>\s*<input[^>]*id="injecting-dont_know"'
    )
    theirs = choice.search(guide_page(browser, {"who": "someone_else", "substances": ["opioids"]}).html)
    assert theirs and not theirs.group(1)
    # Hidden for oneself (the script shows it again when "who" changes), and refused if sent anyway.
    page = guide_page(browser, {"who": "myself", "substances": ["opioids"], "previous_treatment": "dont_know"})
    assert choice.search(page.html).group(1) == " hidden"
    assert "“I do not know” can only be chosen when the help is for someone else" in page.text()
    assert re.search(
        r'<div class="choice" data-audience="someone_else">\s*<input[^>]*id="previous_treatment-dont_know"', page.html
    )


def test_validation_errors_are_listed_in_an_error_summary(browser):
    page = guide_page(browser, {"who": "myself", "faith": "forged", "substances": ["opioids", "prefer_not_to_say"]})
    assert page.title.startswith("Error: Conversation guide")
    summary = error_summary(page)
    assert "Country: Select the country you are in, or Prefer not to say" in summary
    assert "Substances: “Prefer not to say” cannot be chosen together with other answers" in summary
    assert "Faith or spirituality: Choose whether faith should be part of it" in summary
    # Each error links to its question's first control, and is shown at the question too.
    for href in re.findall(r'<li><a href="#([^"]+)">', page.html):
        assert f'id="{href}"' in page.html, href
    assert 'id="faith-error"' in page.html and 'aria-describedby="faith-prompt faith-why faith-error"' in page.html
    assert 'class="guide-q field--error" id="q-country"' in page.html
    # What was chosen stays chosen, and the results so far are shown beside the questions.
    assert re.search(r'id="who-myself" name="who" value="myself" checked', page.html)
    assert "Results so far." in page.text() and "Still to answer: Substances, Country" not in page.text()
    assert "Still to answer: Country, Danger right now" in page.text()
    assert 'id="record-form"' not in page.html and 'id="handout-link"' not in page.html


# --- the results -----------------------------------------------------------------------------------


def test_full_answers_give_the_public_results_with_the_same_reasons_cautions_and_sources(app, browser):
    page = guide_page(browser, FULL)
    assert not page.has_error_summary()
    public = Public(app).results(FULL)
    expected = [m.approach.id for m in app.extensions["services"].matcher.match(FULL).approaches]
    assert approach_ids(page.html) == approach_ids(public) == expected
    assert organisations(page.html) == organisations(public) != []
    assert helplines(page.html) == helplines(public) == ["Samaritans", "FRANK"]
    assert emergency(page.html) == emergency(public) == ["999"]
    assert worth_knowing(page.html) == worth_knowing(public)
    # The full cards are the public partial's own HTML: reasons, what to expect, evidence,
    # cautions and quoted sources, word for word.
    guide_cards, public_cards = card_blocks(page.html), card_blocks(public)
    assert list(guide_cards) == list(public_cards) and len(guide_cards) == 3
    for approach, block in guide_cards.items():
        assert block == public_cards[approach], approach
    assert "Cautions" in text_of("".join(guide_cards.values()))
    assert "Why it fits:" in page.text() and "Sources" in page.text()


def test_a_broad_sample_of_the_answer_space_gives_the_same_results_as_the_public_form(app, browser):
    journey = app.extensions["services"].journey
    everything = list(walk(app.extensions["services"].rulebook, app.extensions["services"].matcher))
    sample = random.Random(SEED).sample(everything, SAMPLE_SIZE)  # noqa: S311 (a repeatable sample, not a secret)
    # Danger now changes the top of the page, not the matching: a few of those too.
    sample += [{**answers, "danger": "danger_now"} for answers in sample[:10]]
    public = Public(app)
    token = browser.get("/staff/guide").csrf_token()
    for answers in sample:
        guide = fragment(browser, answers, token).get_data(as_text=True)
        shown = public.results(answers)
        assert approach_ids(guide) == approach_ids(shown), answers
        assert information_ids(guide) == information_ids(shown), answers
        assert organisations(guide) == organisations(shown), answers
        assert helplines(guide) == helplines(shown), answers
        assert emergency(guide) == emergency(shown), answers
        assert worth_knowing(guide) == worth_knowing(shown), answers
        assert ('class="urgent"' in guide) == ('class="urgent"' in shown) == (answers["danger"] == "danger_now")
        # The same skip logic: exactly the questions off the journey's path are skipped.
        on_path = {q.id for q in journey.walk(answers).path}
        assert skipped_on(guide) == {q.id for q in journey.questions} - on_path, answers
    assert len({tuple(approach_ids(public.results(a))) for a in sample[:40]}) > 10, "the sample is not broad"


def test_skip_logic_is_the_journeys(app, browser):
    journey = app.extensions["services"].journey
    alcohol_only = {**FULL, "substances": ["alcohol"]}
    page = guide_page(browser, alcohol_only)
    assert not page.has_error_summary()
    assert not journey.walk(alcohol_only).on_path("injecting")
    assert 'class="guide-q guide-q--skipped" id="q-injecting"' in page.html
    assert 'id="injecting-skip" data-skip-note>' in page.html  # shown, not hidden
    # Its stale answer is not used: not in the summary, the handout or the record.
    summary = textarea(page)
    assert "Injecting" not in summary
    record = page.html.split('id="record-form"', 1)[1]
    assert 'name="injecting"' not in record
    page = guide_page(browser, FULL)
    assert 'class="guide-q" id="q-injecting"' in page.html
    assert 'id="injecting-skip" data-skip-note hidden>' in page.html
    assert "- Injecting: Yes" in textarea(page)


def test_the_fragment_endpoint_sends_the_results_panel_alone(browser):
    token = browser.get("/staff/guide").csrf_token()
    response = fragment(browser, FULL, token)
    body = response.get_data(as_text=True)
    assert response.mimetype == "text/html"
    assert response.headers["Cache-Control"] == "no-store"
    assert "<html" not in body and "<h1" not in body and 'id="guide-form"' not in body
    assert body.lstrip().startswith('<div class="guide-panel" data-skipped=""')
    assert 'id="approach-medication-assisted-treatment"' in body and 'id="record-form"' in body
    # Partial answers: results so far, what is still to ask, and no error summary.
    partial = fragment(browser, {"who": "myself", "country": "GB"}, token).get_data(as_text=True)
    assert "Results so far." in partial and "Still to answer: Danger right now" in partial
    assert "error-summary" not in partial and 'id="record-form"' not in partial
    empty = fragment(browser, {}, token).get_data(as_text=True)
    assert "The results appear here as you answer" in empty
    assert skipped_on(empty) == {"injecting", "subdivision", "town"}  # no country yet: no region or town
    # Only by POST, and only with the form's CSRF token.
    assert browser.client.get("/staff/guide/results").status_code == 405
    refused = browser.client.post("/staff/guide/results", data=form_data(FULL))
    assert refused.status_code == 400 and "Your session expired" in refused.get_data(as_text=True)


def test_danger_now_puts_the_emergency_number_first(browser):
    page = guide_page(browser, {**FULL, "danger": "danger_now"})
    panel = page.html.split('id="guide-results"', 1)[1]
    assert panel.index('class="urgent" role="alert"') < panel.index('id="approaches"')
    assert "They said there is danger now. Ask them to call 999 now" in page.text()
    assert "DANGER NOW: they said there is danger now. Emergency number: 999." in textarea(page)


# --- the end of the call -------------------------------------------------------------------------------


def textarea(page) -> str:
    match = re.search(
        r'<textarea class="textarea guide-summary" id="guide-summary"[^>]*>(.*?)</textarea>', page.html, re.S
    )
    assert match, "no summary"
    return html.unescape(match.group(1))


def test_the_summary_for_case_notes(app, browser):
    page = guide_page(browser, FULL, person_language="es")
    assert '<label class="label" for="guide-summary">Summary to paste</label>' in page.html
    assert re.search(r'id="guide-summary" rows="\d+" readonly', page.html)
    assert 'class="button button--secondary js-copy" type="button" data-copy="guide-summary" hidden' in page.html
    summary = textarea(page)
    lines = summary.splitlines()
    assert re.fullmatch(r"Conversation on \d{1,2} \w+ \d{4}, \d{2}:\d{2} UTC", lines[0])
    assert lines[1] == "Language of the person: Spanish"
    assert "- Who the help is for: Myself" in lines
    assert "- Country: United Kingdom" in lines
    assert "- Substances: Opioids; Alcohol" in lines
    result = app.extensions["services"].matcher.match(FULL)
    top = result.approaches[0]
    assert f"1. {top.approach.name}: {top.reasons[0].text}" in summary
    assert len([line for line in lines if re.match(r"\d\. ", line)]) == 5
    # The first caution of each of the five is listed; safer use, first here, has none.
    cautioned = next(m for m in result.approaches[:5] if m.approach.cautions)
    assert "Key cautions" in lines and f"- {cautioned.approach.name}: {cautioned.approach.cautions[0]}" in lines
    assert "Helplines for United Kingdom" in lines and "- Emergency number (general): 999" in lines
    samaritans = next(n for n, line in enumerate(lines) if line.startswith("- Samaritans (crisis line): 116 123"))
    frank = next(n for n, line in enumerate(lines) if line.startswith("- FRANK (not a crisis line): 0300 123 6600"))
    assert samaritans < frank and lines[samaritans].endswith("(24 hours)")
    # Plain text, with no markup.
    assert not re.search(r"<[a-z/]", summary)


def test_the_handout_link_holds_the_answers_in_the_persons_language(app, browser):
    page = guide_page(browser, FULL, person_language="pt-PT")
    link = re.search(r'<a id="handout-link" href="([^"]+)" target="_blank" rel="noopener">([^<]+)</a>', page.html)
    assert link and link.group(2) == "Print a handout for the person (opens in a new tab)"
    href = html.unescape(link.group(1))
    match = re.fullmatch(r"/shared/([A-Za-z0-9_-]{40,120})/plan\?lang=pt-PT", href)
    assert match, href
    journey = app.extensions["services"].journey
    assert read_code(journey, match.group(1), app.config["SECRET_KEY"]).answers == FULL
    assert "One page in European Portuguese" in page.text()
    # A forged language falls back to English.
    assert "/plan?lang=en" in guide_page(browser, FULL, person_language="xx").html
    # Once the public plan page exists, the link opens it.
    if any(rule.rule == "/shared/<code>/plan" for rule in app.url_map.iter_rules()):
        response = app.test_client().get(href)
        assert response.status_code == 200, response.status_code


# --- recording the conversation ------------------------------------------------------------------------


def test_recording_needs_the_callers_consent(app, browser):
    page = guide_page(browser, FULL, person_language="es")
    again = browser.post("/staff/guide/record", data=record_data(page, note="Talked about MAT."))
    assert browser.history[-1] == "/staff/guide/record"
    assert again.title.startswith("Error: Conversation guide")
    assert error_summary(again) == (
        "There is a problem Tick the box to confirm that the caller agreed that we keep a record"
    )
    assert 'href="#record-consent"' in again.html and 'id="record-consent-error"' in again.html
    assert app.extensions["services"].callbacks.count() == 0
    assert "recorded" not in [a[1] for a in audit_actions(app)]
    # Everything else is kept: the answers, the language and the note, with the same form key.
    assert re.search(r'id="faith-secular" name="faith" value="secular" checked', again.html)
    assert '<option value="es" selected>' in again.html
    assert ">Talked about MAT.</textarea>" in again.html
    assert record_data(again)["form_key"] == record_data(page)["form_key"]
    assert not re.search(r'id="record-consent"[^>]*checked', again.html)


def test_a_recorded_conversation_is_a_handled_entry_in_the_inbox(app, browser):
    page = guide_page(browser, FULL, person_language="es")
    data = record_data(
        page, consent="yes", note="Talked about MAT.\nWill call the GP.", name="Sam", phone="07911 123456"
    )
    detail = browser.post("/staff/guide/record", data=data)
    store = app.extensions["services"].callbacks
    assert store.count("handled") == 1 and store.count("open") == 0
    item = store.list("handled")[0]
    assert browser.history[-1] == f"/staff/requests/{item.reference}"
    assert item.status == "handled" and item.handled_by == "alice" and item.handled_at is not None
    assert item.note == "Talked about MAT.\nWill call the GP."
    matcher = app.extensions["services"].matcher
    assert item.details == {
        "source": "conversation",
        "consent_recorded_by": "alice",
        "name": "Sam",
        "phone": "+447911123456",
        "language": "es",
        "for_whom": "myself",
        "summary": {
            "answers": FULL,
            "approaches": [m.approach.id for m in matcher.match(FULL).approaches],
            "interface_language": "es",
        },
    }
    assert ("alice", "recorded", item.reference, "conversation") in audit_actions(app)
    # The detail page says where it came from; what the caller did not give says so.
    text = detail.text()
    assert "The conversation is recorded. It is in the inbox under Handled." in text
    assert "Came through Conversation recorded by alice" in text
    assert "Consent to keep this record Given by the caller; recorded by alice" in text
    assert "Email Not given" in text and "Best time to contact Not given" in text
    assert "Phone +44 7911 123456" in text and "Help is for The person asking" in text
    assert "Medication Yes" in text and "Approaches found in the conversation" in text
    assert "Note Talked about MAT. Will call the GP." in text
    assert "Mark as handled" not in text
    inbox = browser.get("/staff?status=handled")
    assert item.reference in inbox.html and "Conversation record" in inbox.text()
    # The export says which entries are records of conversations.
    exported = to_csv(app.extensions["services"].callbacks.list("handled"), {})
    row = next(line for line in exported.splitlines() if line.startswith(item.reference))
    assert ",Handled,Conversation record,Sam," in row
    # The guide page itself stored nothing before that.
    assert [a[1] for a in audit_actions(app)].count("recorded") == 1


def test_recording_twice_keeps_one_entry(app, browser):
    page = guide_page(browser, FULL)
    data = record_data(page, consent="yes", note="")
    browser.post("/staff/guide/record", data=data)
    first = browser.history[-1]
    browser.post("/staff/guide/record", data=data)
    assert browser.history[-1] == first
    store = app.extensions["services"].callbacks
    assert store.count() == 1 and store.list("all")[0].note is None
    assert [a[1] for a in audit_actions(app)].count("recorded") == 1
    # A new page has a new form key: another conversation, another entry.
    browser.post("/staff/guide/record", data=record_data(guide_page(browser, FULL), consent="yes"))
    assert store.count() == 2


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"note": "x" * 1001}, "note", "The note must be 1,000 characters or fewer"),
        ({"note": "Rang\u0007 back"}, "note", "The note must not contain special control characters"),
        ({"name": "Sam\u202e"}, "name", "Remove special characters from the name"),
        ({"name": "S" * 81}, "name", "Name must be 80 characters or fewer"),
        ({"phone": "12"}, "phone", "Check the phone number: mobile numbers in"),
        ({"email": "not-an-email"}, "email", "Enter an email address in the right format"),
    ],
)
def test_the_note_and_contact_details_are_checked(app, browser, fields, field, message):
    page = guide_page(browser, FULL)
    again = browser.post("/staff/guide/record", data=record_data(page, consent="yes", **fields))
    assert message in error_summary(again)
    assert f'href="#record-{field}"' in again.html and f'id="record-{field}-error"' in again.html
    assert app.extensions["services"].callbacks.count() == 0
    # Shown again without the invisible characters, so the page stays valid.
    assert "\u0007" not in again.html and "\u202e" not in again.html


def test_recording_needs_complete_answers_and_a_real_form_key(app, browser):
    page = guide_page(browser, FULL)
    data = record_data(page, consent="yes")
    data.setlist("faith", [])
    data.pop("record-consent")
    again = browser.post("/staff/guide/record", data=data)
    summary = error_summary(again)
    assert "Faith or spirituality: Choose whether faith" in summary
    assert "Answer the questions still open before you record the conversation" in summary
    assert 'href="#guide-form"' in again.html and 'href="#record-consent"' not in again.html
    data = record_data(page, consent="yes")
    data["form_key"] = "short"
    assert browser.client.post("/staff/guide/record", data=data).status_code == 400
    assert app.extensions["services"].callbacks.count() == 0


def test_nothing_is_stored_and_nothing_personal_reaches_the_cookie(app, browser):
    page = guide_page(browser, FULL)
    browser.client.post("/staff/guide/results", data=form_data(FULL, csrf_token=page.csrf_token()))
    assert app.extensions["services"].callbacks.count() == 0
    cookie = browser.client.get_cookie("wizard_staff", path="/staff").value
    # The cookie is a random token: check it holds no answer word, and is nothing but the token.
    assert "secular" not in cookie and "outpatient" not in cookie
    assert re.fullmatch(r"[A-Za-z0-9_.=-]+", cookie)
    assert urlsplit(re.search(r'id="handout-link" href="([^"]+)"', page.html).group(1)).path.startswith("/shared/")
    # The idempotency key of a form that was never sent is not in the database.
    key = record_data(page)["form_key"]
    assert app.extensions["services"].callbacks._reference_for(key_digest(key)) is None


def test_the_guide_shows_the_services_near_the_person_linked_to_their_directory_page(app, browser):
    from datetime import UTC, datetime, timedelta

    from tests.support.directory import a_listing
    from wizard.platform.services import services

    listing = a_listing(
        "Greenway Line",
        country="GB",
        subdivisions=(),
        sites=(),
        whole_country=True,
        approaches=frozenset({"peer-support-and-mentoring", "naloxone", "counselling-and-group-therapy"}),
        last_checked=datetime.now(UTC).date() - timedelta(days=3),
    )
    with app.app_context():
        services().directory.store.publish([listing], publisher=None, source="test", by="test")
    page = guide_page(browser, FULL)
    near = section(page.html, "services-near")
    assert "Greenway Line" in near
    assert f'href="/staff/directory/{listing.id}"' in near
    assert "Report a problem" not in near
