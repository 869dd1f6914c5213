"""A request looks its catalogue up once (wizard.platform.i18n.translations); force_locale still switches it."""

from __future__ import annotations

from babel.support import Translations
from flask import render_template_string

from wizard.platform import i18n

MSGID = "Prefer not to say"


def catalogue(lang: str) -> str:
    return Translations.load(str(i18n.TRANSLATIONS), [lang]).gettext(MSGID)


def test_force_locale_switches_and_restores_the_remembered_catalogue(app):
    french = catalogue("fr")
    assert french != MSGID
    with app.test_request_context("/?lang=en"):
        assert i18n.translate_rule_text(MSGID) == MSGID  # remembered for this request from here on
        with i18n.force_locale("fr"):
            assert i18n.translate_rule_text(MSGID) == french
            assert render_template_string("{{ _(msgid) }}", msgid=MSGID) == french
        assert i18n.translate_rule_text(MSGID) == MSGID
        assert render_template_string("{{ _(msgid) }}", msgid=MSGID) == MSGID


def test_each_request_gets_the_catalogue_of_its_own_language(client):
    english = client.get("/?lang=en").get_data(as_text=True)
    french = client.get("/?lang=fr").get_data(as_text=True)
    assert '<html lang="en"' in english
    assert '<html lang="fr"' in french
    title = Translations.load(str(i18n.TRANSLATIONS), ["fr"]).gettext("Find recovery support that fits")
    assert title in french
    assert title not in english
