"""Every catalogue is complete, current and keeps each message's placeholders."""

from __future__ import annotations

import re

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from wizard.platform.i18n import LANGUAGES, TRANSLATIONS

from ..conftest import ROOT

PLACEHOLDER = re.compile(r"%(?:\([a-z_]+\))?[sd%]")
KEYWORDS = {"_": None, "gettext": None, "N_": None, "ngettext": (1, 2)}


@pytest.fixture(scope="module")
def source_messages() -> set[str]:
    """The message ids in the code, templates and rules right now."""
    with (ROOT / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    found = {
        message
        for _file, _line, message, _comments, _context in extract_from_dir(
            str(ROOT), method_map, options_map, keywords=KEYWORDS
        )
    }
    # A plural (ngettext) is known by its singular, as the catalogue's own ids are compared below.
    return {m if isinstance(m, str) else m[0] for m in found if m}


def catalogue(lang: str):
    with (TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale=lang)


TRANSLATED = [code for code in LANGUAGES if code != "en"]


def test_extraction_finds_interface_and_rules_text(source_messages):
    assert "Leave this site" in source_messages  # a template
    assert "Select an answer to continue" in source_messages  # Python
    assert "Would you be open to medicine as part of treatment?" in source_messages  # questions.yaml
    assert any(m.startswith("You said you prefer a secular") for m in source_messages)  # rules.yaml
    assert len(source_messages) > 500


@pytest.mark.parametrize("lang", TRANSLATED)
def test_catalogue_is_complete_and_current(lang, source_messages):
    cat = catalogue(lang)
    ids = {m.id if isinstance(m.id, str) else m.id[0] for m in cat if m.id}
    missing = sorted(source_messages - ids)
    stale = sorted(ids - source_messages)
    untranslated = sorted(
        str(m.id) for m in cat if m.id and not all(m.string if isinstance(m.string, tuple) else [m.string])
    )
    fuzzy = sorted(m.id for m in cat if m.id and m.fuzzy)
    assert missing == [], f"{lang}: not in the catalogue (run make translations-update): {missing[:5]}"
    assert stale == [], f"{lang}: no longer used: {stale[:5]}"
    assert untranslated == [], f"{lang}: {len(untranslated)} untranslated, e.g. {untranslated[:3]}"
    assert fuzzy == [], f"{lang}: fuzzy entries: {fuzzy[:3]}"
    assert not list(cat.obsolete)


@pytest.mark.parametrize("lang", TRANSLATED)
def test_placeholders_are_kept(lang):
    wrong = []
    for message in catalogue(lang):
        if not message.id or not message.string:
            continue
        if isinstance(message.id, str):
            if sorted(PLACEHOLDER.findall(message.id)) != sorted(PLACEHOLDER.findall(message.string)):
                wrong.append(message.id)
            continue
        # A plural: every form keeps the named placeholders; the count itself may be said in words in the
        # forms for one or two (Arabic "ساعتين"), but the general form always shows it.
        named = set(PLACEHOLDER.findall(message.id[1])) - {"%(num)d"}
        forms = list(message.string)
        names_lost = any(set(PLACEHOLDER.findall(form)) - {"%(num)d"} != named for form in forms)
        count_lost = "%(num)d" in message.id[1] and "%(num)d" not in forms[-1]
        if names_lost or count_lost:
            wrong.append(message.id[0])
    assert wrong == []


@pytest.mark.parametrize("lang", TRANSLATED)
def test_glossary_exists(lang):
    glossary = (ROOT / "docs" / "glossary" / f"{lang}.md").read_text(encoding="utf-8")
    assert glossary.count("|") > 20
