"""Safety invariants: promises that must hold for every answer a person can give.

Each invariant looks at one set of answers and what the matcher made of them, and
returns the promises broken, in words an editor can act on. `rules check` and the
tests run all of them over the whole answer space (``space.walk``), so a rules
change that breaks one is refused before anyone sees it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache

from wizard.domain.coverage import walk_results
from wizard.domain.matching import Matcher, Result
from wizard.domain.rulebook.loader import check_contact_numbers
from wizard.domain.rulebook.models import EVIDENCE_WORDS, CountryContacts, Rulebook

# Overdose reversal, and the harm-reduction services for people who may inject.
NALOXONE = "naloxone"
INJECTING_SERVICES = ("needle-syringe-exchange",)
# Answers that leave the question open: the person would rather not say, or a carer does not know.
NOT_SAID = "prefer_not_to_say"
NOT_KNOWN = "dont_know"
OPEN = frozenset({NOT_SAID, NOT_KNOWN})
# Harm reduction that "I do not know" must show wherever "prefer not to say" does (invariant 8).
HARM_REDUCTION = (*INJECTING_SERVICES, "supervised-consumption-sites", "safer-use-education")

# Words that speak to the wrong person. With "someone else", the reader is not the one
# being helped: "your recovery" or "said you prefer" is about the wrong person. With
# "myself", there is nobody else to speak of.
WRONG_AUDIENCE = {
    "someone_else": re.compile(
        r"\b(you are interested|said you (want|prefer|inject|are)|you inject|your recovery|suit you\b|"
        r"in your results)",
        re.IGNORECASE,
    ),
    "myself": re.compile(
        r"\b(said they|they (are|want|prefer|inject|ever)\b|their recovery|suit them|for them\b)",
        re.IGNORECASE,
    ),
}

Answers = Mapping[str, object]


@dataclass(frozen=True)
class Invariant:
    number: int
    name: str
    check: Callable[[Answers, Result, Matcher], Iterator[str]]


def _substances(answers: Answers) -> set[str]:
    value = answers.get("substances") or ()
    return set(value) if isinstance(value, (list, tuple, set, frozenset)) else set()


def _shown_ids(result: Result) -> set[str]:
    return {a.approach.id for a in result.approaches + result.information}


def naloxone_for_opioids(answers: Answers, result: Result, matcher: Matcher) -> Iterator[str]:
    """1. Opioids mentioned, or which substances not said or not known: naloxone is shown, whatever the
    medication answer; and harm reduction is there for anyone who has not said they do not inject."""
    substances = _substances(answers)
    shown = _shown_ids(result)
    if substances & {"opioids", *OPEN} and NALOXONE not in shown:
        yield "naloxone is not shown although opioids were mentioned or the substances were not said or not known"
    unsure = answers.get("injecting") in OPEN or bool(OPEN & substances)
    if unsure:
        for service in INJECTING_SERVICES:
            if service not in shown:
                yield f"{service} is not shown although injecting was not ruled out"


def danger_leads_to_emergency(answers: Answers, result: Result, matcher: Matcher) -> Iterator[str]:
    """2. An answer that means danger now makes this a crisis, so every page leads with the
    emergency contacts; and the emergency number is there whenever the country is known and covered."""
    chose_crisis = any(
        option.crisis and answers.get(question.id) == option.code
        for question in matcher.rulebook.questions
        for option in question.options
    )
    danger = answers.get("danger") == "danger_now"
    if (chose_crisis or danger) and not result.crisis:
        yield "a danger answer did not make the result a crisis"
    if result.country and result.country.code in matcher.contacts and result.contacts is None:
        yield f"the emergency contacts for {result.country.code} are missing from the result"


def nothing_ruled_out(answers: Answers, result: Result, matcher: Matcher) -> Iterator[str]:
    """3. Nothing the person ruled out is shown, as an approach or through an organisation."""
    approaches = [a.approach for a in result.approaches + result.information]
    organisations = [o.organisation for o in result.direct_help + result.information_bodies]
    if answers.get("faith") == "secular":
        for item in [*approaches, *organisations]:
            if item.faith == "faith_based":
                yield f"{item.id} is faith-based, but a secular approach was asked for"
    if answers.get("setting") == "outpatient":
        for item in [*approaches, *organisations]:
            if item.setting == "inpatient":
                yield f"{item.id} needs a stay at a centre, but living at home was asked for"
    if answers.get("medication") == "not_open":
        for approach in approaches:
            if approach.medication == "central" and not approach.life_saving:
                yield f"{approach.id} is built around medication, but medication was ruled out"


def numbers_are_valid(answers: Answers, result: Result, matcher: Matcher) -> Iterator[str]:
    """4. Every emergency and helpline number shown is valid for the country shown."""
    contacts = result.contacts
    if contacts is None:
        return
    if result.country is None or contacts.country != result.country.code:
        yield f"contacts for {contacts.country} shown for another country"
        return
    yield from _number_problems(contacts)


def crisis_lines_first(answers: Answers, result: Result, matcher: Matcher) -> Iterator[str]:
    """5. Crisis lines come before information and family lines wherever helplines are listed."""
    if result.contacts is None:
        return
    kinds = [line.kind for line in result.contacts.ordered_helplines]
    first_other = next((n for n, kind in enumerate(kinds) if kind != "crisis"), len(kinds))
    if "crisis" in kinds[first_other:]:
        yield f"a crisis line in {result.contacts.country} comes after a line that is not a crisis line"


def evidence_supported(answers: Answers, result: Result, matcher: Matcher) -> Iterator[str]:
    """6. Every evidence label shown rests on words in the sources strong enough for it."""
    for match in result.approaches + result.information:
        approach = match.approach
        if approach.evidence_level == "not_stated":
            continue
        basis = (approach.evidence_basis or "").lower()
        if not any(word in basis for word in EVIDENCE_WORDS[approach.evidence_level]):
            yield f"{approach.id} is labelled '{approach.evidence_level}' but its basis does not say so"


@lru_cache(maxsize=4096)
def _speaks_to_wrong_person(audience: str, text: str) -> bool:
    return WRONG_AUDIENCE[audience].search(text) is not None


@lru_cache(maxsize=512)
def _number_problems(contacts: CountryContacts) -> tuple[str, ...]:
    # The loader's own check, so the proof and the rules check can never disagree.
    return tuple(message for message, _where in check_contact_numbers(contacts))


def reasons_for_the_audience(answers: Answers, result: Result, matcher: Matcher) -> Iterator[str]:
    """7. Every item shown says why, in words for the person reading ("you" or "they")."""
    audience = result.audience
    items = [(a.approach.id, a.reasons) for a in result.approaches + result.information]
    items += [(o.organisation.id, o.reasons) for o in result.direct_help + result.information_bodies]
    for item_id, reasons in items:
        if not reasons or not all(r.text for r in reasons):
            yield f"{item_id} is shown without a reason"
        for reason in reasons:
            if _speaks_to_wrong_person(audience, reason.text):
                yield f"{item_id}: the reason {reason.text!r} is not worded for {result.audience}"
    for note in result.not_effective:
        if _speaks_to_wrong_person(audience, note.note):
            yield f"{note.item.id}: the note is not worded for {result.audience}"


def _as_not_said(value: object) -> object:
    if isinstance(value, list):
        return [NOT_SAID if v == NOT_KNOWN else v for v in value]
    return NOT_SAID if value == NOT_KNOWN else value


def _protective(result: Result) -> set[str]:
    """What keeps a person alive or safer: life-saving approaches and harm reduction."""
    return {
        a.approach.id
        for a in result.approaches + result.information
        if a.approach.life_saving or a.approach.id in HARM_REDUCTION
    }


def not_knowing_is_as_safe(answers: Answers, result: Result, matcher: Matcher) -> Iterator[str]:
    """8. "I do not know" is at least as safe as "prefer not to say": everything life-saving or
    protective shown for "prefer not to say" in its place is shown for "I do not know" too."""
    if not any(NOT_KNOWN in (v if isinstance(v, list) else [v]) for v in answers.values()):
        return
    not_said = matcher.match({qid: _as_not_said(value) for qid, value in answers.items()})
    for item in sorted(_protective(not_said) - _protective(result)):
        yield f"{item} is shown for 'prefer not to say' but not for 'I do not know'"


INVARIANTS = (
    Invariant(1, "naloxone and harm reduction for anyone who may use opioids or inject", naloxone_for_opioids),
    Invariant(2, "a danger answer leads to the emergency contacts first", danger_leads_to_emergency),
    Invariant(3, "nothing the person ruled out is shown", nothing_ruled_out),
    Invariant(4, "every number shown is valid for the country", numbers_are_valid),
    Invariant(5, "crisis lines before other lines", crisis_lines_first),
    Invariant(6, "evidence labels no stronger than the sources", evidence_supported),
    Invariant(7, "every item has a reason worded for the reader", reasons_for_the_audience),
    Invariant(8, "not knowing is at least as safe as not saying", not_knowing_is_as_safe),
)


def with_danger(answers: Answers) -> dict[str, object]:
    return {**answers, "danger": "danger_now"}


def violations(
    book: Rulebook, invariants: tuple[Invariant, ...] = INVARIANTS, limit: int = 20
) -> Iterator[tuple[Invariant, Answers, str]]:
    """Walk every answer combination (and each with danger now) and yield broken promises,
    at most ``limit`` per invariant so a broken rule gives a readable report."""
    matcher = Matcher(book)
    found = dict.fromkeys((i.number for i in invariants), 0)
    # Contacts differ by country, not by answer: every country's, once.
    for country in book.countries:
        answers = {"who": "myself", "country": country.code}
        result = matcher.match(answers)
        for invariant in invariants:
            if invariant.check in (numbers_are_valid, crisis_lines_first):
                for problem in invariant.check(answers, result, matcher):
                    found[invariant.number] += 1
                    yield invariant, answers, problem
    danger_checks = tuple(i for i in invariants if i.check is danger_leads_to_emergency)
    for answers, walked in walk_results(book, matcher):
        # Danger changes routing, not matching: the danger variant is checked for invariant 2 only.
        for variant, checks in ((answers, invariants), (with_danger(answers), danger_checks)):
            if not checks:
                continue
            result = walked if variant is answers else matcher.match(variant)
            for invariant in checks:
                if found[invariant.number] >= limit:
                    continue
                for problem in invariant.check(variant, result, matcher):
                    found[invariant.number] += 1
                    yield invariant, variant, problem
        if all(count >= limit for count in found.values()):
            return
