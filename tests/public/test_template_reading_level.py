"""The public pages' own words are plain: every English sentence in the templates reads at grade 8 or lower
(Flesch-Kincaid, textstat), and the words that lead a person to act (the results' first step, the option cards)
at grade 6 or lower. The rules' texts have their own test (tests/domain/test_reading_level.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import textstat
from babel.messages.extract import extract_from_dir

ROOT = Path(__file__).resolve().parents[2]
DETAILS_MAX = 8.0
NEXT_STEPS_MAX = 6.0
# Templates whose words are next steps: what a person reads first on the results and does next.
NEXT_STEPS = {"partials/first_step.html", "components/approach_card.html"}
# Fewer words than this and the formula says little (one long word decides the grade): such strings are
# labels and buttons, read in the context of their page.
MIN_WORDS = 10
# Justified exceptions, each with its reason.
EXCEPTIONS = {
    # Written for the web teams of partner organisations (clinics, charities), not for the person looking
    # for help: it names origins, frames, cookies and the JSON API.
    "pages/partners.html": "for partner organisations' web teams",
}


def template_sentences() -> list[tuple[str, int, str]]:
    found = []
    options = {"**.html": {"extensions": "flask_caching.jinja2ext.CacheExtension"}}
    for filename, line, message, _comments, _context in extract_from_dir(
        ROOT / "templates", [("staff/**", "ignore"), ("**.html", "jinja2")], options_map=options
    ):
        text = message if isinstance(message, str) else message[0]
        # A placeholder stands for a name or a number: counted as one short word.
        found.append((filename, line, re.sub(r"%\((\w+)\)[sd]", "it", text)))
    return found


# The words a person must meet unchanged in a crisis (on the phone, in public-health campaigns): each is
# measured as one short word, so a safety sentence is not reworded away from them.
CRISIS_WORDS = re.compile(r"\b(emergency numbers?|overdosed|overdose)\b", re.I)


def grade(text: str) -> float:
    return textstat.flesch_kincaid_grade(CRISIS_WORDS.sub("it", text))


def too_hard(sentences) -> list[str]:
    problems = []
    for filename, line, text in sentences:
        if filename in EXCEPTIONS or len(text.split()) < MIN_WORDS:
            continue
        limit = NEXT_STEPS_MAX if filename in NEXT_STEPS else DETAILS_MAX
        if grade(text) > limit:
            problems.append(f"templates/{filename}, line {line}: grade {grade(text):.1f} > {limit}: {text}")
    return problems


def test_the_templates_are_found():
    files = {filename for filename, _line, _text in template_sentences()}
    assert {"pages/results.html", "partials/first_step.html", "pages/start.html"} <= files


def test_every_template_sentence_is_plain():
    problems = too_hard(template_sentences())
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    ("filename", "text"),
    [
        (
            "pages/results.html",
            "Notwithstanding considerable heterogeneity between jurisdictions, multidisciplinary interventions demonstrate substantial efficacy.",
        ),
        (
            "partials/first_step.html",
            "You can telephone the organisation's confidential information service whenever convenient.",
        ),
    ],
)
def test_a_hard_sentence_is_caught(filename, text):
    assert too_hard([(filename, 1, text)])
