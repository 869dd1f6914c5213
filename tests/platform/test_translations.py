"""Every catalogue is complete, current and keeps each message's placeholders.

A catalogue that only overrides another (pt-PT over pt-BR) is complete when every message is in
it or in the one it falls back to, and holds nothing that merely repeats that one."""

from __future__ import annotations

import re

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from wizard.platform.i18n import (
    CATALOGUE_FALLBACKS,
    LANGUAGES,
    TRANSLATIONS,
    babel_id,
    catalogue_for,
    compile_catalogues,
)

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
    with (TRANSLATIONS / babel_id(lang) / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale=babel_id(lang))


TRANSLATED = [code for code in LANGUAGES if code != "en"]
OVERRIDING = [code for code in TRANSLATED if babel_id(code) in CATALOGUE_FALLBACKS]


def fallback_of(lang: str):
    """The catalogue `lang` falls back to, or None."""
    fallback = CATALOGUE_FALLBACKS.get(babel_id(lang))
    return catalogue(fallback) if fallback else None


def translated(message) -> bool:
    return bool(message.string) and all(message.string if isinstance(message.string, tuple) else [message.string])


def catalogue_problems(lang: str, cat, fallback, source_messages: set[str]) -> list[str]:
    """What is missing, stale, untranslated (here and in any fallback) or fuzzy in a catalogue."""
    ids = {m.id if isinstance(m.id, str) else m.id[0] for m in cat if m.id}
    filled_below = set()
    if fallback is not None:
        filled_below = {m.id if isinstance(m.id, str) else m.id[0] for m in fallback if m.id and translated(m)}
    untranslated = sorted(
        str(m.id)
        for m in cat
        if m.id and not translated(m) and (m.id if isinstance(m.id, str) else m.id[0]) not in filled_below
    )
    problems = []
    if missing := sorted(source_messages - ids):
        problems.append(f"{lang}: not in the catalogue (run make translations-update): {missing[:5]}")
    if stale := sorted(ids - source_messages):
        problems.append(f"{lang}: no longer used: {stale[:5]}")
    if untranslated:
        problems.append(f"{lang}: {len(untranslated)} untranslated, e.g. {untranslated[:3]}")
    if fuzzy := sorted(str(m.id) for m in cat if m.id and m.fuzzy):
        problems.append(f"{lang}: fuzzy entries: {fuzzy[:3]}")
    if list(cat.obsolete):
        problems.append(f"{lang}: obsolete entries")
    return problems


def test_extraction_finds_interface_and_rules_text(source_messages):
    assert "Leave this site" in source_messages  # a template
    assert "Select an answer to continue" in source_messages  # Python
    assert "Would you be open to medicine as part of treatment?" in source_messages  # questions.yaml
    assert any(m.startswith("You said you prefer a secular") for m in source_messages)  # rules.yaml
    assert len(source_messages) > 500


@pytest.mark.parametrize("lang", TRANSLATED)
def test_catalogue_is_complete_and_current(lang, source_messages):
    assert catalogue_problems(lang, catalogue(lang), fallback_of(lang), source_messages) == []


@pytest.mark.parametrize("lang", OVERRIDING)
def test_a_message_missing_from_both_an_override_and_its_fallback_is_found(lang, source_messages):
    """The check above, shown to fail: blank one message the override leaves to its fallback, there."""
    cat, fallback = catalogue(lang), fallback_of(lang)
    left_to_fallback = next(m for m in cat if m.id and isinstance(m.id, str) and not m.string)
    fallback[left_to_fallback.id].string = ""
    problems = catalogue_problems(lang, cat, fallback, source_messages)
    assert len(problems) == 1 and "1 untranslated" in problems[0] and left_to_fallback.id[:20] in problems[0]


@pytest.mark.parametrize("lang", OVERRIDING)
def test_an_override_holds_only_what_differs(lang):
    fallback = {m.id: m.string for m in fallback_of(lang) if m.id}
    repeated = [str(m.id) for m in catalogue(lang) if m.id and translated(m) and m.string == fallback[m.id]]
    assert repeated == [], f"{lang} repeats its fallback (leave these blank): {repeated[:3]}"


@pytest.mark.parametrize("lang", OVERRIDING)
def test_an_override_falls_back_where_it_is_silent_at_run_time(lang):
    compile_catalogues()  # as an app does when it starts
    catalogue_for.cache_clear()
    cat, fallback = catalogue(lang), fallback_of(lang)
    overridden = next(m for m in cat if m.id and isinstance(m.id, str) and m.string)
    silent = next(m for m in cat if m.id and isinstance(m.id, str) and not m.string)
    running = catalogue_for(babel_id(lang))
    assert running.gettext(overridden.id) == overridden.string != fallback[overridden.id].string
    assert running.gettext(silent.id) == fallback[silent.id].string != silent.id
    # Plurals too, through the override's own plural rule.
    plural = next(m for m in fallback if m.id and not isinstance(m.id, str))
    assert running.ngettext(plural.id[0], plural.id[1], 5) in (plural.string[-1], cat[plural.id].string[-1])


@pytest.mark.parametrize("lang", TRANSLATED)
def test_placeholders_are_kept(lang):
    wrong = []
    for message in catalogue(lang):
        if not message.id or not translated(message):
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


# Words the glossaries (docs/glossary/<lang>.md, "Words to avoid") say never to use of a person, and
# the Thai digits the Thai glossary rules out (a number must dial as written). Thai is written
# without spaces between words, so only words that are never part of a longer, innocent one are here.
AVOIDED = {
    "sw": re.compile(
        r"\b(?:m?teja|mateja|uteja|m?raibu|waraibu|m?waathirika|mwathirika|mtumiaji wa dawa|watumizi"
        r"|mla unga|mvuta bangi|arosto|kichaa|mwendawazimu|mlevi|walevi)\b",
        re.IGNORECASE,
    ),
    "th": re.compile(r"ขี้ยา|คนติดยา|ผู้ติดยา|ผู้เสพ|ขี้เมา|ผู้ติดสุรา|ในทางที่ผิด|ครับ|ค่ะ|[๐-๙]"),
}


def avoided(lang: str, texts) -> list[str]:
    return [text for text in texts if AVOIDED[lang].search(text)]


@pytest.mark.parametrize("lang", sorted(AVOIDED))
def test_no_word_the_glossary_rules_out(lang):
    texts = [
        form for m in catalogue(lang) if m.id for form in (m.string if isinstance(m.string, tuple) else [m.string])
    ]
    assert avoided(lang, texts) == []
    # And the check finds one when it is there.
    planted = {"sw": "Msaada kwa waraibu wa pombe", "th": "โทร ๑๖๖๙ ทันที"}[lang]
    assert avoided(lang, [*texts[:3], planted]) == [planted]
