"""The shorter results page loses nothing: every piece of what the results hold is on the page (shown or in a
disclosure) or on the page it links to, and "the documents" is said once, in a plain attribution."""

from __future__ import annotations

import html as html_lib
import re

import pytest

from tests.support.journey import walk

PEOPLE = {
    "portugal-opioids-women": {
        "who": "myself",
        "country": "PT",
        "danger": "not_now",
        "subdivision": "",
        "town": "",
        "substances": ["opioids", "alcohol"],
        "injecting": "injects",
        "readiness": "stop",
        "faith": "secular",
        "setting": "outpatient",
        "medication": "open",
        "previous_treatment": "did_not_help",
        "support": ["peer_groups", "online"],
        "needs": ["women_childcare", "stigma", "cost"],
    },
    "family-us-not-ready": {
        "who": "someone_else",
        "country": "US",
        "danger": "not_now",
        "subdivision": "",
        "town": "",
        "substances": ["prefer_not_to_say"],
        "readiness": "not_sure",
        "faith": "no_preference",
        "setting": "not_sure",
        "medication": "want_to_know_more",
        "previous_treatment": "prefer_not_to_say",
        "support": [],
        "needs": ["legal"],
    },
    "kenya-faith-inpatient": {
        "who": "myself",
        "country": "KE",
        "danger": "not_now",
        "subdivision": "",
        "town": "",
        "substances": ["alcohol", "stimulants"],
        "injecting": "does_not_inject",
        "readiness": "stop",
        "faith": "faith_based",
        "setting": "inpatient",
        "medication": "not_open",
        "previous_treatment": "finished",
        "support": ["holistic", "practical"],
        "needs": ["distance", "mental_health"],
    },
}


def plain(markup: str) -> str:
    """The text a person can reach on a page, disclosures included, with entities and spacing undone."""
    body = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", markup, flags=re.S)
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", body)).split())


def words(text: object) -> str:
    return " ".join(str(text).split())


def content_of(result) -> list[tuple[str, str, str | None]]:
    """(what, text, approach id whose own page may hold it instead) for everything the results hold."""
    items: list[tuple[str, str, str | None]] = []
    for match in (*result.approaches, *result.information):
        a = match.approach
        items.append((f"{a.id} name", a.name, None))
        items.append((f"{a.id} summary", a.summary, None))
        for reason in match.reasons:
            items.append((f"{a.id} reason", reason.english(), None))
        for field in ("what_to_expect", "evidence", "where", "how_to_start"):
            if getattr(a, field):
                items.append((f"{a.id} {field}", getattr(a, field), a.id))
        for n, caution in enumerate(a.cautions):
            items.append((f"{a.id} caution {n}", caution, a.id))
        for n, gap in enumerate(a.gaps):
            items.append((f"{a.id} gap {n}", gap, a.id))
        for citation in a.citations:
            items.append((f"{a.id} quote", citation.quote, a.id))
    for item in result.not_effective:
        items.append((f"{item.item.id} name", item.item.name, None))
        items.append((f"{item.item.id} note", item.note, None))
    for match in (*result.direct_help, *result.information_bodies):
        o = match.organisation
        items.append((f"{o.id} name", o.name, None))
        items.append((f"{o.id} description", o.description, None))
        for way in o.reach:
            items.append((f"{o.id} reach", way.label, None))
    if result.contacts:
        for entry in result.contacts.emergency:
            items.append(("emergency number", entry.number, None))
        for line in result.contacts.helplines:
            items.append((f"{line.name} name", line.name, None))
            items.append((f"{line.name} description", line.description, None))
            if line.phone:
                items.append((f"{line.name} phone", line.phone, None))
    return items


def unreachable(results_html: str, result, open_page) -> list[str]:
    """What the results hold that is neither on the results page nor on the approach page it links to."""
    on_page = plain(results_html)
    approach_pages: dict[str, str] = {}
    missing = []
    for what, text, approach_id in content_of(result):
        wanted = words(text)
        if wanted in on_page:
            continue
        if approach_id is not None and f'href="/approaches/{approach_id}"' in results_html:
            if approach_id not in approach_pages:
                approach_pages[approach_id] = plain(open_page(f"/approaches/{approach_id}"))
            if wanted in approach_pages[approach_id]:
                continue
        missing.append(f"{what}: {wanted[:80]}")
    return missing


def results_of(browser, app, answers):
    walk(browser, answers)
    page = browser.get("/results")
    with app.app_context():
        result = app.extensions["services"].matcher.match(answers)
    return page, result


@pytest.mark.parametrize("person", list(PEOPLE))
def test_everything_the_results_hold_is_reachable(browser, app, person):
    page, result = results_of(browser, app, PEOPLE[person])
    missing = unreachable(page.html, result, lambda url: browser.get(url).html)
    assert not missing, f"{person}: not reachable from the results:\n" + "\n".join(missing)


def test_the_check_reports_what_a_page_leaves_out(browser, app):
    page, result = results_of(browser, app, PEOPLE["portugal-opioids-women"])
    first = result.approaches[0].approach
    # The page as it would be if the first card lost its summary, and the approach pages were gone.
    without = page.html.replace(html_lib.escape(words(first.summary), quote=False), "")
    without = without.replace(words(first.summary), "")
    missing = unreachable(without, result, lambda url: "")
    assert f"{first.id} summary: {words(first.summary)[:80]}" in missing


@pytest.mark.parametrize("person", list(PEOPLE))
def test_the_documents_are_named_once_in_a_plain_attribution(browser, person):
    walk(browser, PEOPLE[person])
    text = plain(browser.get("/results").html).lower()
    assert text.count("the documents") + text.count("source documents") == 1, person
    assert "comes from the source documents: a set of published articles" in text
