"""Page titles give nothing away: the browser's history, tabs and bookmarks stay after "Leave this site".

Every public page is fetched (every question on several paths, and the pages after them) in every
language, and its <title> checked: no substance, no question, none of the telling words in English,
and in every language one of the few neutral titles from the catalogue (wizard/platform/titles.py).
"""

from __future__ import annotations

import re

import pytest

from tests.support.answers import FULL
from tests.support.callbacks import send
from tests.support.pages import translated
from wizard.domain.rulebook.models import words_for
from wizard.platform import titles
from wizard.platform.i18n import LANGUAGES

# Words that tell someone looking over a shoulder what the visit was about.
TELLING = (
    "inject",
    "needle",
    "drug",
    "alcohol",
    "drink",
    "opioid",
    "heroin",
    "fentanyl",
    "cocaine",
    "stimulant",
    "substance",
    "methadone",
    "danger",
    "overdose",
    "crisis",
    "emergency",
    "urgent",
    "addiction",
    "addict",
    "recovery",
    "rehab",
    "treatment",
    "detox",
    "sober",
    "harm",
    "suicide",
)

# Several paths, so that every question is met, with every number it can have.
PATHS = {
    "long": FULL,  # a country with regions, and injecting asked: the longest path
    "short": {
        "who": "someone_else",
        "country": "prefer_not_to_say",
        "danger": "not_now",
        "substances": ["alcohol"],
        "readiness": "not_sure",
        "faith": "no_preference",
        "setting": "not_sure",
        "medication": "not_open",
        "previous_treatment": "never",
        "support": [],
        "needs": [],
    },
    "no-regions": {**FULL, "country": "PT", "substances": ["stimulants"], "injecting": "prefer_not_to_say"},
}


def title_of(page) -> tuple[str, str]:
    """The page's own part of the title (after any "Error:"), and the brand after it."""
    title = page.title
    if page.has_error_summary():
        title = title.partition(":")[2].strip()
    own, _separator, brand = title.rpartition(" – ")
    return own, brand


def every_page(browser, lang: str) -> list:
    """Every kind of public page, in one language, with the answers of each path."""
    pages = [browser.get(f"/?lang={lang}")]
    for answers in PATHS.values():
        page = browser.get("/questions")
        asked = []
        while "/questions/" in browser.history[-1]:
            pages.append(page)
            qid = browser.history[-1].split("?")[0].rsplit("/", 1)[1]
            assert qid not in asked, f"{qid} asked again: is {answers.get(qid)!r} an answer to it?"
            asked.append(qid)
            page = browser.answer(page, answers.get(qid))
        pages.append(page)  # check your answers
        pages.append(browser.get("/questions/who?change=1"))
        results, share = browser.get("/results"), browser.get("/results/share")
        pages += [results, share, browser.get("/plan"), browser.get("/reach-out"), browser.get("/help-now")]
        link = re.search(r'id="share-link" type="text" value="http://localhost([^"]+)"', share.html).group(1)
        pages += [browser.get(link), browser.get(link + "/plan")]
        browser.post("/start-again", data={"csrf_token": results.csrf_token()})
        browser.get(f"/?lang={lang}")  # starting again forgets the language too
    # A question with an error, the danger question after "danger now", and the crisis page.
    page = browser.get("/questions")
    pages.append(browser.answer(page, None))
    page = browser.answer(page, "myself")
    page = browser.answer(page, "GB")
    pages.append(page)
    pages.append(browser.answer(page, "danger_now"))
    pages.append(browser.get("/questions/danger?change=1"))
    pages.append(send(browser, browser.get("/reach-out")))
    for path in (
        "/staying-safe-online",
        "/privacy",
        "/accessibility",
        "/cookies-off",
        "/all-questions",
        "/partners",
        "/approaches/medication-assisted-treatment",
        "/approaches/needle-syringe-exchange",
        "/no-such-page",
        "/shared/not-a-code",
    ):
        pages.append(browser.get(path))
    return pages


def words_of(rulebook, lang: str) -> list[str]:
    """Every question and every answer in the person's language: none may be in a title."""
    texts = []
    for question in rulebook.questions:
        for audience in ("myself", "someone_else"):
            texts.append(words_for(question.text, audience))
        for option in question.options:
            texts.append(words_for(option.label, "myself"))
            if option.hint:
                texts.append(words_for(option.hint, "myself"))
    return [translated(lang, text) for text in texts if text]


@pytest.mark.parametrize("lang", list(LANGUAGES))
def test_every_title_is_neutral(browser, rulebook, lang):
    brand = translated(lang, titles.BRAND)
    allowed = {""} | {translated(lang, msgid) for msgid in titles.NEUTRAL_TITLES if msgid}
    question = re.escape(translated(lang, titles.QUESTION))
    question = question.replace(re.escape("%(number)s"), r"(\d+)").replace(re.escape("%(total)s"), r"(\d+)")
    # The answers' own words are too long or too general to matter in a title: "Yes", "No".
    answers = [text for text in words_of(rulebook, lang) if len(text) > 3]
    errors = {"/no-such-page", "/shared/not-a-code"}
    seen_questions = set()
    for page in every_page(browser, lang):
        own, tail = title_of(page)
        where = f"{page.url} ({lang}): {page.title!r}"
        assert tail == brand or (not own and page.title == brand), where
        if page.url.split("?")[0] in errors:
            assert page.status >= 400 and own == page.h1, where
        else:
            number = re.fullmatch(question, own)
            assert own in allowed or number, where
            if number:
                seen_questions.add(page.url.split("?")[0])
                assert 1 <= int(number.group(1)) <= int(number.group(2)), where
        for text in answers:
            assert text.casefold() not in page.title.casefold(), f"{where} names {text!r}"
        if lang == "en":
            for word in TELLING:
                assert word not in page.title.casefold(), f"{where} says {word!r}"
    # Every question of the rules was met on the way.
    assert seen_questions >= {f"/questions/{q.id}" for q in rulebook.questions}


def test_the_neutral_titles_say_nothing_telling():
    for msgid in [*filter(None, titles.NEUTRAL_TITLES), titles.QUESTION, titles.BRAND]:
        for word in TELLING:
            assert word not in msgid.casefold(), f"{msgid!r} says {word!r}"


@pytest.mark.parametrize("lang", [code for code in LANGUAGES if code != "en"])
def test_translated_titles_name_no_substance_or_question(rulebook, lang):
    """The catalogue's translations of the neutral titles, checked against the same language's words."""
    answers = [text for text in words_of(rulebook, lang) if len(text) > 3]
    for msgid in [*filter(None, titles.NEUTRAL_TITLES), titles.QUESTION, titles.BRAND]:
        title = translated(lang, msgid).casefold()
        for text in answers:
            assert text.casefold() not in title, f"{msgid!r} in {lang} names {text!r}"


def test_a_question_title_counts_on_the_current_path(browser):
    """The number and the total come from the path the answers make now: 11 questions at first, 14
    once a country with regions and a substance that brings the injecting question are chosen."""
    page = browser.get("/questions")
    assert page.title == "Question 1 of 11 – Find support"
    page = browser.answer(page, "myself")
    page = browser.answer(page, "GB")
    assert page.title == "Question 3 of 13 – Find support"
    for answer in ("not_now", "", ""):
        page = browser.answer(page, answer)
    page = browser.answer(page, ["opioids"])
    assert page.title == "Question 7 of 14 – Find support"
    assert page.h1 == "Do you ever inject drugs?"
