"""The templates by role: one field partial per answer type, one results partial for the public page and the
staff panel, partials that import what they use, and the staff stylesheet kept off public pages."""

from __future__ import annotations

import re

from flask import render_template_string

from tests.support.answers import FULL
from tests.support.journey import walk
from tests.support.staff import form_data, make_app, signed_in
from wizard.platform.templating import FIELD_PARTIALS

STYLESHEETS = re.compile(r'<link rel="stylesheet" href="/static/([a-z]+)(?:-[0-9a-f]{32})?\.css">')


def test_every_kind_of_question_has_its_field_partial(app):
    kinds = {q.kind for q in app.extensions["services"].rulebook.questions}
    assert kinds == {"single", "multiple", "country", "subdivision", "town"}
    for kind in kinds:
        assert app.jinja_env.get_template(FIELD_PARTIALS[kind])


def test_each_question_page_shows_its_kind_of_control(browser):
    page = browser.get("/questions/who")
    assert page.html.count('type="radio" id="who-') == 2
    walk(browser, FULL)
    page = browser.get("/questions/country")
    assert '<select class="select" id="country-input" name="country"' in page.html
    assert '<option value="GB" selected>' in page.html
    page = browser.get("/questions/substances")
    assert 'type="checkbox" id="substances-opioids"' in page.html
    # The question page ties a choice to its hint; the choices partial does it only where asked.
    assert 'aria-describedby="substances-opioids-hint"' in page.html


def test_an_approach_card_needs_nothing_imported_by_the_page(app):
    """The cards are put together from kept partials that import what they use, so a page needs
    nothing but the cards themselves."""
    from wizard.platform.fragments import approach_cards

    rulebook = app.extensions["services"].rulebook
    result = app.extensions["services"].matcher.match(FULL)
    with app.test_request_context("/results"):
        card = render_template_string(
            "{{ approach_cards(cards, documents, None, True) }}",
            cards=result.approaches[:1],
            documents={d.id: d for d in rulebook.documents},
        )
        assert card == approach_cards(result.approaches[:1], {d.id: d for d in rulebook.documents}, None, True)
    assert f'id="approach-{result.approaches[0].approach.id}"' in card
    assert "How well it works" in card


def _approach_lists(markup: str) -> tuple[list[str], list[str]]:
    """The approaches with a full card, and those in the shorter list, in page order."""
    start = markup.index('<section aria-labelledby="approaches">')
    section = markup[start : markup.index("</section>", start)]
    cards = re.findall(r'<li class="card" id="approach-([\w-]+)"', section)
    shorter = re.findall(r'<li class="more-list__item" id="approach-([\w-]+)">', section)
    return cards, shorter


def test_the_public_results_and_the_staff_panel_share_their_sections(browser, tmp_path):
    walk(browser, FULL)
    public = browser.get("/results").html
    staff = signed_in(make_app(tmp_path))
    token = staff.get("/staff/guide").csrf_token()
    panel = staff.client.post("/staff/guide/results", data=form_data(FULL, csrf_token=token))
    panel = panel.get_data(as_text=True)
    cards, shorter = _approach_lists(public)
    assert len(cards) == 3 and shorter, "the answers should give more approaches than full cards"
    assert _approach_lists(panel) == (cards, shorter)
    for labelled_by in ("approaches", "organisations"):
        assert f'<section aria-labelledby="{labelled_by}">' in public
        assert f'<h2 class="guide__heading" id="{labelled_by}">' in panel


def test_the_staff_stylesheet_is_for_staff_pages_only(app, client, tmp_path):
    public = client.get("/").get_data(as_text=True)
    assert STYLESHEETS.findall(public) == ["wizard"]
    sign_in = client.get("/staff/sign-in").get_data(as_text=True)
    assert STYLESHEETS.findall(sign_in) == ["wizard", "staff"]
    guide = signed_in(make_app(tmp_path)).get("/staff/guide").html
    assert STYLESHEETS.findall(guide) == ["wizard", "staff"]
    # The public sheet no longer carries the console's rules; the staff sheet has them and the guide's.
    public_sheet = client.get("/static/wizard.css").get_data(as_text=True)
    staff_sheet = client.get("/static/staff.css").get_data(as_text=True)
    assert ".staff" not in public_sheet and ".guide" not in public_sheet
    assert ".staff .wrap" in staff_sheet and ".guide-q" in staff_sheet
