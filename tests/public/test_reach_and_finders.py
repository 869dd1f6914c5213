"""Ways to reach the organisations shown, and the country's official service finders, on the pages a person sees."""

from __future__ import annotations

import re

ANSWERS = {
    "who": "myself",
    "danger": "not_now",
    "substances": ["alcohol"],
    "injecting": "does_not_inject",
    "readiness": "stop",
    "faith": "no_preference",
    "setting": "not_sure",
    "medication": "open",
    "previous_treatment": "never",
    "support": ["peer_groups"],
    "needs": [],
}


def complete(browser, country: str):
    answers = {**ANSWERS, "country": country}
    page = browser.get("/questions")
    while "/questions/" in browser.history[-1]:
        qid = browser.history[-1].split("?")[0].rsplit("/", 1)[1]
        page = browser.answer(page, answers.get(qid))
    assert browser.history[-1] == "/check-answers"
    return browser.get("/results")


def about_organisations(html: str) -> str:
    """What the articles say about each organisation, with the day each way to reach it was checked."""
    start = html.index('id="other-organisations"')
    return html[start : html.index("</details>", start)]


def section(html: str, anchor: str) -> str:
    start = html.index(f'id="{anchor}"')
    return html[start : html.index("</section>", start)]


def test_results_for_a_country_with_a_finder_show_its_link_and_checked_date(browser):
    page = complete(browser, "US")
    # With no listing in the service directory for the place, the finders stand in.
    contacts = section(page.html, "services-near")
    assert '<a href="https://findtreatment.gov/" rel="noopener noreferrer">FindTreatment.gov</a>' in contacts
    assert "Run by Substance Abuse and Mental Health Services Administration" in contacts
    assert "Checked on 7 December 2026" in contacts or "Checked on December 7, 2026" in contacts
    reach_out = browser.get("/reach-out")
    assert 'href="https://findtreatment.gov/"' in reach_out.html
    plan = browser.get("/plan")
    assert 'href="https://findtreatment.gov/"' in plan.html


def test_a_country_without_a_finder_shows_none(browser):
    page = complete(browser, "KE")
    assert "Official lists of drug and alcohol services" not in page.html


def test_an_organisation_shows_its_checked_phone_with_a_tel_link(browser):
    page = complete(browser, "KE")
    organisations = section(page.html, "organisations")
    nacada = organisations[organisations.index("National Authority for the Campaign") :]
    assert re.search(r'NACADA helpline: free phone counselling and referral: <a class="phone" href="tel:1192">', nacada)
    about = about_organisations(page.html)
    assert "Checked on" in about[about.index("National Authority for the Campaign") :]
    reach_out = browser.get("/reach-out")
    assert 'href="tel:1192"' in reach_out.html


def test_an_organisation_without_a_checked_way_says_so_and_is_not_a_place_to_contact(browser):
    page = complete(browser, "US")
    # Not among the places a person can contact: with the others the articles name, for information.
    assert "World Assistance" not in section(page.html, "organisations")
    start = page.html.index('id="other-organisations"')
    others = page.html[start : page.html.index("</details>", start)]
    assert "No checked website, phone number or address for World Assistance is known to this service." in others


def test_aa_and_na_show_their_meeting_finders_with_checked_dates(browser):
    page = complete(browser, "US")
    organisations = section(page.html, "organisations")
    aa = organisations[
        organisations.index("Alcoholics Anonymous (AA)") : organisations.index("Narcotics Anonymous (NA)")
    ]
    assert 'href="https://www.aa.org/find-aa"' in aa and "Find an A.A. meeting near you" in aa
    assert "No checked website" not in aa
    about = about_organisations(page.html)
    assert "Checked on" in about[about.index("Alcoholics Anonymous (AA)") : about.index("Narcotics Anonymous (NA)")]
    na = organisations[organisations.index("Narcotics Anonymous (NA)") :]
    assert 'href="https://www.na.org/meetingsearch/"' in na and "Find an NA meeting near you" in na


def test_a_country_finder_outside_the_us_is_shown_with_who_runs_it(browser):
    page = complete(browser, "DE")
    contacts = section(page.html, "services-near")
    assert 'href="https://www.dhs.de/service/suchthilfeverzeichnis"' in contacts
    assert "Run by Deutsche Hauptstelle für Suchtfragen (DHS)" in contacts
    assert "findtreatment.gov" not in contacts
