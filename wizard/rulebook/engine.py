"""Match answers to approaches and organisations, explaining every match.

The Matcher is built once from a loaded Rulebook: conditions are already
parsed and attribute-based exclusions resolved to id sets, so ``match`` is
a loop over rules with dictionary look-ups and nothing else.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from . import models as m
from .loader import PREFER_NOT_TO_SAY, REGION


@dataclass(frozen=True, slots=True)
class Reason:
    rule: str
    text: str
    # The tests that held, in words, for staff and the CLI ("faith is secular").
    conditions: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ApproachMatch:
    approach: m.Approach
    score: int
    reasons: tuple[Reason, ...]


@dataclass(frozen=True, slots=True)
class OrganisationMatch:
    organisation: m.Organisation
    reasons: tuple[Reason, ...]


@dataclass(frozen=True, slots=True)
class NotEffectiveMatch:
    item: m.NotEffective
    note: str


@dataclass(frozen=True, slots=True)
class Result:
    audience: str
    crisis: bool
    country: m.Country | None
    # Services a person can look for, best match first.
    approaches: tuple[ApproachMatch, ...]
    # Policies and principles that matched: shown for information only.
    information: tuple[ApproachMatch, ...]
    direct_help: tuple[OrganisationMatch, ...]
    information_bodies: tuple[OrganisationMatch, ...]
    contacts: m.CountryContacts | None
    not_effective: tuple[NotEffectiveMatch, ...]
    # id -> the reasons it was ruled out (for the CLI and tests).
    excluded: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class _CompiledRule:
    rule: m.Rule
    excludes_approaches: frozenset[str]
    excludes_organisations: frozenset[str]
    # Each leaf test with its description, worked out once at start-up.
    leaves: tuple[tuple[object, str], ...]

    def held(self, facts) -> tuple[str, ...]:
        return tuple(text for leaf, text in self.leaves if leaf.test(facts))


def _excluded_ids(rule: m.Rule, approaches: tuple[m.Approach, ...]) -> frozenset[str]:
    spec = rule.exclude
    if spec is None:
        return frozenset()
    ids = set(spec.approaches)
    for a in approaches:
        if a.faith in spec.faith or a.setting in spec.setting or a.medication in spec.medication:
            ids.add(a.id)
    return frozenset(ids)


def _covers(area: m.Availability | None, country: m.Country | None) -> bool:
    """Whether a place-limited item is there for this person. Unlimited items always are."""
    if area is None or (not area.countries and not area.regions):
        return True
    if country is None:
        return False
    return country.code in area.countries or country.region in area.regions


class Matcher:
    def __init__(self, rulebook: m.Rulebook):
        self.rulebook = rulebook
        self.questions = {q.id: q for q in rulebook.questions}
        self.countries = {c.code: c for c in rulebook.countries}
        self.contacts = {c.country: c for c in rulebook.contacts}
        self.approach_order = {a.id: n for n, a in enumerate(rulebook.approaches)}
        self.approaches = {a.id: a for a in rulebook.approaches}
        self.organisations = {o.id: o for o in rulebook.organisations}
        self.country_question = next(q.id for q in rulebook.questions if q.kind == "country")
        self.crisis_answers = {(q.id, o.code) for q in rulebook.questions for o in q.options if o.crisis}
        self.rules = tuple(
            _CompiledRule(
                rule,
                _excluded_ids(rule, rulebook.approaches),
                frozenset(rule.exclude.organisations) if rule.exclude else frozenset(),
                tuple((leaf, leaf.describe()) for leaf in rule.when.leaves()),
            )
            for rule in rulebook.rules
        )

    def facts(self, answers: Mapping[str, object]) -> dict[str, str | frozenset[str]]:
        """Answers as the conditions see them: codes, code sets, and the derived region."""
        facts: dict[str, str | frozenset[str]] = {}
        for qid, value in answers.items():
            question = self.questions.get(qid)
            if question is None or value in (None, "", (), []):
                continue
            if question.kind == "multiple":
                facts[qid] = value if isinstance(value, frozenset) else frozenset(value)
            elif isinstance(value, str):
                facts[qid] = value
        country = self.countries.get(facts.get(self.country_question))  # type: ignore[arg-type]
        if country is not None:
            facts[REGION] = country.region
        return facts

    def match(self, answers: Mapping[str, object]) -> Result:
        facts = self.facts(answers)
        audience = "someone_else" if facts.get("who") == "someone_else" else "myself"
        country_code = facts.get(self.country_question)
        country = self.countries.get(country_code) if country_code != PREFER_NOT_TO_SAY else None  # type: ignore[arg-type]
        crisis = any((qid, value) in self.crisis_answers for qid, value in facts.items() if isinstance(value, str))

        scores: dict[str, int] = {}
        reasons: dict[str, list[Reason]] = {}
        excluded: dict[str, list[str]] = {}
        for compiled in self.rules:
            rule = compiled.rule
            if not rule.when.test(facts):
                continue
            reason = Reason(rule.id, m.words_for(rule.reason, audience), compiled.held(facts))
            for target in rule.recommend + rule.recommend_organisations:
                scores[target] = scores.get(target, 0) + rule.score
                reasons.setdefault(target, []).append(reason)
            for target in compiled.excludes_approaches | compiled.excludes_organisations:
                excluded.setdefault(target, []).append(reason.text)

        shown: list[ApproachMatch] = []
        for approach_id, score in scores.items():
            approach = self.approaches.get(approach_id)
            if approach is None or approach_id in excluded:
                continue
            if not _covers(approach.only_in, country):
                excluded.setdefault(approach_id, []).append("not described for this country")
                continue
            shown.append(ApproachMatch(approach, score, tuple(reasons[approach_id])))
        shown.sort(key=lambda a: (-a.score, self.approach_order[a.approach.id]))
        services = tuple(a for a in shown if a.approach.kind == "service")
        information = tuple(a for a in shown if a.approach.kind == "information")

        direct, bodies = self._organisations(shown, scores, reasons, excluded, country, audience)
        notes = tuple(
            NotEffectiveMatch(item, m.words_for(item.note, audience))
            for item in self.rulebook.not_effective
            if item.lean_if.test(facts)
        )
        return Result(
            audience=audience,
            crisis=crisis,
            country=country,
            approaches=services,
            information=information,
            direct_help=direct,
            information_bodies=bodies,
            contacts=self.contacts.get(country.code) if country else None,
            not_effective=notes,
            excluded={k: tuple(v) for k, v in excluded.items()},
        )

    def _organisations(self, shown, scores, reasons, excluded, country, audience):
        shown_ids = {a.approach.id: a.approach.name for a in shown}
        direct: list[tuple[int, int, OrganisationMatch]] = []
        bodies: list[tuple[int, int, OrganisationMatch]] = []
        for n, org in enumerate(self.rulebook.organisations):
            if org.id in excluded or not _covers(org.service_area, country):
                continue
            org_reasons = list(reasons.get(org.id, ()))
            linked = [shown_ids[a] for a in org.approaches if a in shown_ids]
            if linked:
                text = (
                    "Linked to approaches in your results: "
                    if audience == "myself"
                    else "Linked to approaches in these results: "
                )
                org_reasons.append(Reason("linked-approaches", text + ", ".join(linked) + "."))
            if not org_reasons:
                continue
            weight = scores.get(org.id, 0) + len(linked)
            target = direct if org.role == "direct_help" else bodies
            target.append((-weight, n, OrganisationMatch(org, tuple(org_reasons))))
        return tuple(o for *_, o in sorted(direct, key=lambda t: t[:2])), tuple(
            o for *_, o in sorted(bodies, key=lambda t: t[:2])
        )
