"""Share links and the printed "My options" plan, in Chromium.

The plan is printed to PDF on A4 and on US Letter, from the answers that make the
longest plan, in English and in Arabic, and must fit on exactly one page. The PDFs
are kept in artifacts/print/ (and pictured as PNG there when pdftoppm is installed).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from functools import cache

import pytest
from playwright.sync_api import Page, expect

from tests.support.answers import FULL
from wizard.domain.coverage import walk
from wizard.domain.share_codes import make_code
from wizard.platform import i18n
from wizard.public.views.share import PLAN_APPROACHES

from .conftest import ARTIFACTS, DESKTOP

pytestmark = pytest.mark.browser

PRINT = ARTIFACTS / "print"
PAGE_OBJECT = re.compile(rb"/Type\s*/Page\b")

ANSWERS = FULL

# Realistic, long contact details: the plan must still fit with them.
OPERATOR = {
    "OPERATOR_NAME": "World Assistance Recovery Support Line",
    "OPERATOR_PHONE": "+44 20 7946 0000",
    "OPERATOR_EMAIL": "recovery-support@worldassistance.example.org",
    "OPERATOR_WEBSITE": "https://www.worldassistance.example.org/recovery/get-help",
    "OPERATOR_HOURS": "Monday to Friday, 8am to 8pm; Saturday, 10am to 4pm",
}


def to_results(page: Page, wizard) -> None:
    wizard.complete(page, ANSWERS)
    with page.expect_navigation():
        page.get_by_role("link", name="See results").click()
    assert wizard.path(page) == "/results"


def shared_link(page: Page, site) -> str:
    link = page.get_by_label("Link to these results").input_value()
    assert re.fullmatch(re.escape(site.base) + r"/shared/[A-Za-z0-9_-]+", link), link
    return link


def test_copy_a_link_and_open_it_in_another_browser(open_page, wizard, check_page, site) -> None:
    page = open_page()
    to_results(page, wizard)
    check_page(page, "results-before-sharing")
    original = wizard.approach_ids(page)

    share = page.get_by_role("region", name="Keep these results")
    with page.expect_navigation():
        share.get_by_role("link", name="Get a link to these results").click()
    assert wizard.path(page) == "/results/share"
    check_page(page)
    expect(page.get_by_role("heading", level=1)).to_have_text("Save or share these results")

    # What the link holds is said before the link itself.
    field = page.get_by_label("Link to these results")
    for words in ("only your answers, as codes", "Anyone who has the link", "30 days", "not saved on our server"):
        said = page.get_by_text(words)
        expect(said).to_be_visible()
        assert said.bounding_box()["y"] < field.bounding_box()["y"], words
    expect(field).to_have_attribute("readonly", "")
    link = shared_link(page, site)

    # Using the field selects the whole link; the Copy button puts it on the clipboard.
    field.focus()
    assert field.evaluate("input => [input.selectionStart, input.selectionEnd]") == [0, len(link)]
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=site.base)
    page.get_by_role("button", name="Copy link").click()
    expect(page.locator(".share-link__status")).to_have_text("Link copied")
    assert page.evaluate("navigator.clipboard.readText()") == link

    # Someone else opens it: the same results, in the same order, with a note.
    other = open_page()
    other.goto(link)
    check_page(other, "shared-results")
    expect(other.get_by_role("heading", level=1)).to_have_text("Your next steps")
    expect(other.get_by_text("These results were shared with you.")).to_be_visible()
    assert wizard.approach_ids(other) == original
    expect(other.get_by_role("link", name="Answer the questions yourself").first).to_be_visible()
    # Their own journey is untouched: it starts at the first question.
    other.goto("/results")
    assert wizard.path(other) == "/questions/who"
    check_page(other)

    # The plan from the person's own results, with its print button.
    with page.expect_navigation():
        page.get_by_role("link", name="My options: a one-page plan to print").click()
    assert wizard.path(page) == "/plan"
    check_page(page, "plan")
    expect(page.get_by_role("heading", level=1)).to_have_text("My options")
    expect(page.get_by_role("button", name="Print this plan")).to_be_visible()
    expect(page.get_by_role("img", name="QR code of the link to these results")).to_be_visible()
    plan_names = page.locator(".plan__approach h3").all_inner_texts()
    assert plan_names == [wizard.approach_name(i) for i in original[:PLAN_APPROACHES]]


def test_share_without_javascript(open_page, wizard, check_page, site) -> None:
    page = open_page(javascript=False)
    to_results(page, wizard)
    check_page(page, "results-before-sharing")
    original = wizard.approach_ids(page)
    with page.expect_navigation():
        page.get_by_role("link", name="Get a link to these results").click()
    check_page(page)
    # No Copy button without JavaScript: the read-only field is there to select and copy.
    expect(page.get_by_role("button", name="Copy link")).to_be_hidden()
    field = page.get_by_label("Link to these results")
    expect(field).to_be_visible()
    expect(field).to_be_editable(editable=False)
    field.select_text()
    link = shared_link(page, site)
    assert field.evaluate("input => input.value.substring(input.selectionStart, input.selectionEnd)") == link

    other = open_page(javascript=False)
    other.goto(link)
    check_page(other, "shared-results")
    assert wizard.approach_ids(other) == original
    expect(other.get_by_text("These results were shared with you.")).to_be_visible()
    with other.expect_navigation():
        other.get_by_role("link", name="My options: a one-page plan to print").click()
    check_page(other, "shared-plan")
    expect(other.get_by_role("button", name="Print this plan")).to_be_hidden()
    expect(other.get_by_text("use your browser’s Print option")).to_be_visible()


def test_a_changed_link_explains_itself(open_page, check_page) -> None:
    page = open_page()
    response = page.goto("/shared/this-is-not-a-link-to-anything-at-all")
    assert response.status == 400
    check_page(page, "shared-invalid")
    expect(page.get_by_role("heading", level=1)).to_have_text("This link does not work")
    expect(page.get_by_role("link", name="Go to the start")).to_be_visible()


# --- printing the plan ----------------------------------------------------------------------


@cache
def longest_plan(site, lang: str) -> dict:
    """The answers whose plan has the most text in this language: the hardest to fit on a page."""
    matcher = site.journey.matcher
    contacts_text: dict[str, int] = {}
    approach_text: dict[str, int] = {}
    best, best_length = None, -1
    with site.app.test_request_context(f"/?lang={lang}"):
        for answers in walk(site.journey.rulebook, matcher):
            result = matcher.match(answers)
            length = 0
            for match in result.approaches[:PLAN_APPROACHES]:
                a = match.approach
                if a.id not in approach_text:
                    notes = [site.journey.rulebook.safety_note(n) for n in a.safety_notes]
                    texts = (
                        a.name,
                        a.summary,
                        a.what_to_expect,
                        *(n.text for n in notes),
                        *(n.publisher for n in notes),
                    )
                    approach_text[a.id] = sum(len(i18n.translate_rule_text(x)) for x in texts)
                length += approach_text[a.id]
            country = result.country.code if result.country else ""
            if country not in contacts_text:
                lines = result.contacts.helplines if result.contacts else ()
                contacts_text[country] = sum(
                    len(i18n.translate_rule_text(line.name))
                    + len(i18n.translate_rule_text(line.hours))
                    + len(i18n.translate_rule_text(line.cost))
                    + 40
                    for line in lines
                )
            length += contacts_text[country]
            if length > best_length:
                best, best_length = answers, length
    assert best is not None
    return best


def count_pages(pdf: bytes) -> int:
    return len(PAGE_OBJECT.findall(pdf))


def picture(pdf_path) -> None:
    """PNG pictures of a PDF's pages, to look at, when poppler's pdftoppm is installed."""
    if shutil.which("pdftoppm"):
        subprocess.run(
            ["pdftoppm", "-r", "80", "-png", str(pdf_path), str(pdf_path.with_suffix(""))], check=True, timeout=60
        )


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_longest_plan_prints_on_one_page(open_page, check_page, site, monkeypatch, lang: str) -> None:
    for name, value in OPERATOR.items():
        monkeypatch.setitem(site.app.config, name, value)
    answers = longest_plan(site, lang)
    code = make_code(site.journey, answers, site.app.config["SECRET_KEY"])
    page = open_page(viewport=DESKTOP)
    page.goto(f"/shared/{code}/plan?lang={lang}")
    check_page(page, f"plan-longest-{lang}")
    expect(page.locator("html")).to_have_attribute("dir", "rtl" if lang == "ar" else "ltr")
    expect(page.locator(".plan__approach")).to_have_count(PLAN_APPROACHES)
    expect(page.locator(".plan__contact").first).to_contain_text(OPERATOR["OPERATOR_NAME"])

    page.emulate_media(media="print")
    # On paper: only the plan, with its own short emergency line.
    for chrome in (".site-header", ".languages", ".crisis", ".back-link", ".actions"):
        expect(page.locator(chrome)).to_be_hidden()
    expect(page.locator(".plan__urgent")).to_be_visible()
    expect(page.locator(".plan .qr")).to_be_visible()

    PRINT.mkdir(parents=True, exist_ok=True)
    for paper in ("A4", "Letter"):
        pdf = page.pdf(format=paper, print_background=True)
        path = PRINT / f"plan-{lang}-{paper}.pdf"
        path.write_bytes(pdf)
        picture(path)
        assert count_pages(pdf) == 1, f"the {lang} plan takes {count_pages(pdf)} pages on {paper}: see {path}"
