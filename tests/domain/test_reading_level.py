"""The English texts in the rules are easy to read (usability review, finding S6).

A person may be frightened, tired or reading in a second language, on a small phone. GOV.UK
and the NHS aim for a reading age of about 9. So the first things a person reads (an approach's
summary and how to start, why it may suit them, the questions) are at Flesch-Kincaid grade 6 or
lower, and the details under them (what to expect, how well it works, cautions) at grade 8 or
lower. Every text the rules extractor gives translators is either measured here or listed, with
the reason, as not measured.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache

import pytest
import textstat

from wizard.domain.rulebook.extract import extract_rules
from wizard.domain.rulebook.loader import load_rulebook

from ..conftest import RULES

SUMMARY, DETAIL = 6, 8
# The highest grade for each kind of text, by the file's top-level section and the key.
LIMITS = {
    ("approaches", "summary"): SUMMARY,
    ("approaches", "how_to_start"): SUMMARY,
    ("rules", "reason"): SUMMARY,
    ("not_effective", "name"): SUMMARY,
    ("approaches", "what_to_expect"): DETAIL,
    ("approaches", "evidence"): DETAIL,
    ("approaches", "cautions"): DETAIL,
    ("approaches", "where"): DETAIL,
    ("approaches", "gaps"): DETAIL,
    # The questions are neither summaries nor next steps, and the review found them plain (grade 1 to 7):
    # they are held to the details' grade, so an example of a substance or a need can stay in a label.
    ("questions", "text"): DETAIL,
    ("questions", "help"): DETAIL,
    ("questions", "label"): DETAIL,
    ("questions", "hint"): DETAIL,
    ("questions", "error"): DETAIL,
    ("questions", "why_we_ask"): DETAIL,
    ("not_effective", "summary"): DETAIL,
    ("not_effective", "note"): DETAIL,
    ("organisations", "description"): DETAIL,
    ("organisations", "disclosure"): DETAIL,
    ("organisations", "reach_none"): DETAIL,
    ("notes", "text"): DETAIL,
    ("notes", "steps"): DETAIL,
    ("family_support", "text"): DETAIL,
}
# Texts a person sees that are not measured, and why.
NOT_MEASURED = {
    # Names and titles: a plain name with the term in brackets, a few words long (read by eye).
    ("approaches", "name"): "a name",
    ("organisations", "name"): "an organisation's own name",
    ("organisations", "label"): "a link's few words",
    ("questions", "summary"): "a short title on the check-your-answers page",
    ("finders", "name"): "a finder's own name",
    ("finders", "run_by"): "the body that runs a finder, by its own name",
    ("finders", "covers"): "a place name",
    ("notes", "publisher"): "a publisher's own name",
    ("family_support", "publisher"): "a publisher's own name",
    ("contacts", "name"): "a helpline's own name",
    # Not yet: the helpline descriptions on the help-now pages were outside the review of the
    # results (S6); many are above grade 8 and need their own plain rewrite, checked against
    # each operator's page.
    ("contacts", "description"): "not yet measured: needs its own rewrite",
    ("contacts", "hours"): "opening hours",
    ("contacts", "cost"): "what a call costs",
    ("contacts", "text"): "a text-message number's note",
}

# Flesch-Kincaid counts syllables, so a long name reads as a hard word. A person needs to see
# these names as they are (to ask for a medicine, or find a group), so each counts as one short
# word. Country, region and organisation names come from the rules themselves; these are the
# others the rules use.
NAMES = (
    # medicines and substances, as a doctor or a pharmacy names them
    "methadone",
    "buprenorphine",
    "naltrexone",
    "naloxone",
    "heroin",
    "fentanyl",
    "opioids",
    "opioid",
    "hepatitis C",
    # places named in the articles that are not countries or regions of countries.yaml
    "North America",
    "North American",
    "Latin America",
    "Scandinavia",
    "Scandinavian",
    "Vancouver",
    "Lisbon",
)
# Text in round brackets of up to this many words is the technical term given after the plain
# words ("support for mental and social needs (psychosocial support)"): the term is there for a
# person who has heard it elsewhere, not to be read as part of the sentence.
BRACKETED_TERM_WORDS = 5
# In how_to_start, words in double quotes are what to ask for ("ask about "needle exchange""):
# the term a person says, read as a name. Elsewhere quotes are the sources' words, measured.
ASK_FOR = ("approaches", "how_to_start")
# Flesch-Kincaid is meaningless on a few words: one three-syllable word in a four-word label
# reads as grade 15. Labels, titles and short notes under this many words are left to the eye.
MIN_WORDS = 8

# Texts allowed above their limit, each with the reason: (file, item, field) -> reason.
EXCEPTIONS: dict[tuple[str, str, str], str] = {
    ("approaches.yaml", "culturally-safe-care", "summary"): "'Indigenous' names the people this care is for",
    (
        "questions.yaml",
        "needs mental_health",
        "label",
    ): "anxiety, depression and trauma are the names a person knows these by",
}

# "The documents" was never explained to the person (S6): texts say what the sources say
# directly, and say what they do not say in an approach's `gaps` ("the articles").
DOCUMENTS = re.compile(r"\b(the|source) documents\b", re.I)
# Texts allowed to say "the documents": (file, item, field) -> reason.
DOCUMENTS_ALLOWED: dict[tuple[str, str, str], str] = {}


@cache
def _names() -> tuple[str, ...]:
    rulebook = load_rulebook(RULES)
    names = {*NAMES, *(c.name for c in rulebook.countries), *(r.name for r in rulebook.regions)}
    for organisation in rulebook.organisations:
        names |= {organisation.name, *([organisation.alternate_name] if organisation.alternate_name else [])}
    # Longest first, so "Narcotics Anonymous" goes before a shorter name inside it.
    return tuple(sorted(names, key=len, reverse=True))


def _plain(text: str, *, ask_for: bool = False) -> str:
    """The text as it is measured: bracketed terms left out, each name one short word."""
    if ask_for:
        text = re.sub(r'"[^"]+"', "name", text)
    text = re.sub(r"\s*\(([^()]*)\)", lambda m: "" if len(m[1].split()) <= BRACKETED_TERM_WORDS else m[0], text)
    for name in _names():
        # Case matters ("WHO" is a name, "who" is not), but a medicine may start a sentence.
        first = f"[{name[0]}{name[0].upper()}]" if name[0].islower() else re.escape(name[0])
        text = re.sub(rf"(?<![\w-]){first}{re.escape(name[1:])}(?![\w-])", "name", text)
    return text


def grade(text: str, *, ask_for: bool = False) -> float:
    return textstat.flesch_kincaid_grade(_plain(text, ask_for=ask_for))


def _too_hard(section: str, field: str, text: str) -> float | None:
    """The text's grade when it is above its limit; None when it is within it or not measured."""
    limit = LIMITS.get((section, field))
    if limit is None or len(text.split()) < MIN_WORDS:
        return None
    measured = grade(text, ask_for=(section, field) == ASK_FOR)
    return measured if measured > limit else None


def rules_texts() -> Iterator[tuple[str, str, str, str, str]]:
    """(file, section, item, field, text) for every text the extractor gives translators."""
    for path in sorted(RULES.glob("*.yaml")):
        with path.open("rb") as fileobj:
            for _line, _function, text, (context,) in extract_rules(fileobj, (), (), {}):
                where, field = context.rsplit(": ", 1)
                section, _, item = where.partition(" ")
                yield path.name, section, item, field, text


def test_every_text_a_person_sees_is_measured_or_says_why_not():
    kinds = {(section, field) for _file, section, _item, field, _text in rules_texts()}
    assert kinds - LIMITS.keys() - NOT_MEASURED.keys() == set()


def test_texts_are_at_their_reading_grade():
    too_hard = []
    for file, section, item, field, text in rules_texts():
        measured = _too_hard(section, field, text)
        if measured is not None and (file, item, field) not in EXCEPTIONS:
            limit = LIMITS[section, field]
            too_hard.append(f"{file} {item} {field}: grade {measured:.1f} (at most {limit}): {text}")
    assert too_hard == [], "\n".join(["Texts above their reading grade:", *too_hard])


def test_exceptions_and_names_are_still_needed():
    """The lists stay short: an exception for a text now plain enough, or a name no text uses, goes."""
    texts = list(rules_texts())
    for key in EXCEPTIONS:
        above = [
            _too_hard(section, field, text) for file, section, item, field, text in texts if (file, item, field) == key
        ]
        assert any(grade is not None for grade in above), f"exception no longer needed: {key}"
    everything = " ".join(text for *_where, text in texts)
    unused = [name for name in NAMES if name not in everything and name.capitalize() not in everything]
    assert unused == []


def test_no_text_talks_about_the_documents():
    offending = [
        f"{file} {item} {field}: {text}"
        for file, _section, item, field, text in rules_texts()
        if DOCUMENTS.search(text) and (file, item, field) not in DOCUMENTS_ALLOWED
    ]
    assert offending == [], "\n".join(["Say what the sources say, not 'the documents':", *offending])


@pytest.mark.parametrize(
    ("text", "hard"),
    [
        ("People live at the centre while they are treated. They get care away from home.", False),
        (
            "Multidisciplinary interventions incorporating pharmacological and psychosocial "
            "modalities demonstrate considerable effectiveness regarding sustained abstinence.",
            True,
        ),
    ],
)
def test_the_measure_tells_plain_text_from_research_language(text, hard):
    assert (grade(text) > SUMMARY) is hard


def test_names_and_bracketed_terms_count_as_short_words():
    assert grade("Ask about methadone or buprenorphine (opioid substitution therapy).") < grade(
        "Ask about medication or pharmacotherapy, sometimes called opioid substitution therapy."
    )
    assert _plain("Narcotics Anonymous (NA) meets in Switzerland.") == "name meets in name."
