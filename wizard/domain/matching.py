"""Match answers to approaches and organisations, explaining every match.

The Matcher is built once from a loaded Rulebook: conditions are already
parsed and attribute-based exclusions resolved to id sets, so ``match`` is
a loop over rules with dictionary look-ups and nothing else.

Ranking: each approach's score is the sum of the scores of the rules that
recommend it; higher comes first, ties in the order of approaches.yaml. A rule
with ``lower`` moves the approaches it names after every approach it does not
(for example a stay at a centre for someone not ready yet): they are still
shown, with that rule's reason, because the person may still want them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from wizard.domain.audience import SOMEONE_ELSE, audience_of
from wizard.domain.messages import N_
from wizard.domain.rulebook.conditions import ANY_VALUE, Always, guard, matched_leaves
from wizard.domain.rulebook.models import (
    Approach,
    Availability,
    Country,
    CountryContacts,
    FamilySupport,
    NotEffective,
    Organisation,
    Rule,
    Rulebook,
    words_for,
)
from wizard.domain.vocabulary import PREFER_NOT_TO_SAY, REGION


@dataclass(frozen=True, slots=True)
class Reason:
    rule: str
    text: str
    # Names listed after the text (approach names for a linked organisation).
    items: tuple[str, ...] = ()

    def english(self) -> str:
        return f"{self.text} {', '.join(self.items)}." if self.items else self.text


@dataclass(frozen=True, slots=True)
class ApproachMatch:
    approach: Approach
    score: int
    reasons: tuple[Reason, ...]


@dataclass(frozen=True, slots=True)
class OrganisationMatch:
    organisation: Organisation
    reasons: tuple[Reason, ...]


@dataclass(frozen=True, slots=True)
class NotEffectiveMatch:
    item: NotEffective
    note: str


@dataclass(frozen=True, slots=True)
class Result:
    audience: str
    crisis: bool
    country: Country | None
    # Services a person can look for, best match first.
    approaches: tuple[ApproachMatch, ...]
    # Policies and principles that matched: shown for information only.
    information: tuple[ApproachMatch, ...]
    direct_help: tuple[OrganisationMatch, ...]
    information_bodies: tuple[OrganisationMatch, ...]
    contacts: CountryContacts | None
    not_effective: tuple[NotEffectiveMatch, ...]
    # (reason, ids it left out) for every exclusion that applied; see `excluded`.
    exclusions: tuple[tuple[str, frozenset[str]], ...] = ()
    # For a family member or friend ("Support for you"): what fits these answers; none for oneself.
    family_support: tuple[FamilySupport, ...] = ()

    @property
    def excluded(self) -> dict[str, tuple[str, ...]]:
        """id -> the reasons it was left out (for the CLI, staff and tests)."""
        out: dict[str, list[str]] = {}
        for reason, ids in self.exclusions:
            for item in ids:
                out.setdefault(item, []).append(reason)
        return {k: tuple(v) for k, v in out.items()}


@dataclass(frozen=True, slots=True)
class _CompiledRule:
    rule: Rule
    # Every approach and organisation this rule leaves out, resolved at start-up.
    excludes: frozenset[str]
    # The reason in each wording, built once so matching creates no text.
    reasons: dict[str, Reason]
    # Everything it recommends (approaches, then organisations), joined once.
    targets: tuple[str, ...]
    # The approaches it recommends because of an answer: a rule that fires for everyone links none.
    fits: tuple[str, ...]
    # The approaches it moves to the end of the list.
    lowers: frozenset[str] = frozenset()


def _excluded_ids(rule: Rule, book: Rulebook) -> frozenset[str]:
    """Everything a rule leaves out. Organisations go by the same faith and setting
    attributes as approaches; life-saving approaches are never left out by attribute."""
    spec = rule.exclude
    if spec is None:
        return frozenset()
    ids = set(spec.approaches) | set(spec.organisations)
    for a in book.approaches:
        if a.life_saving:
            continue
        if a.faith in spec.faith or a.setting in spec.setting or a.medication in spec.medication:
            ids.add(a.id)
    for o in book.organisations:
        if o.faith in spec.faith or o.setting in spec.setting:
            ids.add(o.id)
    return frozenset(ids)


def _lowered_ids(rule: Rule, book: Rulebook) -> frozenset[str]:
    """The approaches a rule moves down; like exclusions, never a life-saving one by attribute."""
    spec = rule.lower
    if spec is None:
        return frozenset()
    ids = set(spec.approaches)
    for a in book.approaches:
        if not a.life_saving and (a.faith in spec.faith or a.setting in spec.setting):
            ids.add(a.id)
    return frozenset(ids)


def _covers(area: Availability | None, country: Country | None) -> bool:
    """Whether a place-limited item is there for this person. Unlimited items always are."""
    if area is None or (not area.countries and not area.regions):
        return True
    if country is None or country.code in area.except_countries:
        return False
    return country.code in area.countries or country.region in area.regions


LINKED_PREFIX = {
    "myself": N_("Linked to approaches in your results:"),
    "someone_else": N_("Linked to approaches in these results:"),
}


class Matcher:
    def __init__(self, rulebook: Rulebook):
        self.rulebook = rulebook
        self.questions = {q.id: q for q in rulebook.questions}
        self.countries = {c.code: c for c in rulebook.countries}
        self.contacts = {c.country: c for c in rulebook.contacts}
        self.approach_order = {a.id: n for n, a in enumerate(rulebook.approaches)}
        # Each rule's weight, to put the reasons of the weightiest rules first.
        self.rule_scores = {r.id: r.score for r in rulebook.rules}
        self.approaches = {a.id: a for a in rulebook.approaches}
        self.organisations = {o.id: o for o in rulebook.organisations}
        self.country_question = next(q.id for q in rulebook.questions if q.kind == "country")
        self.crisis_answers = {(q.id, o.code) for q in rulebook.questions for o in q.options if o.crisis}
        # The organisations serving each country (and those for an unknown one), worked out once.
        self._organisations_by_country = {
            code: tuple((n, o) for n, o in enumerate(rulebook.organisations) if _covers(o.service_area, country))
            for code, country in [*self.countries.items(), (None, None)]
        }
        compiled = tuple(
            _CompiledRule(
                rule,
                _excluded_ids(rule, rulebook),
                {
                    audience: Reason(rule.id, words_for(rule.reason, audience))
                    for audience in ("myself", "someone_else")
                },
                rule.recommend + rule.recommend_organisations,
                () if isinstance(rule.when, Always) else rule.recommend,
                _lowered_ids(rule, rulebook),
            )
            for rule in rulebook.rules
        )
        self.rules = compiled
        # Index rules by the answers that can make them fire, so a large rulebook
        # only evaluates the rules these answers could trigger.
        self._unguarded: list[int] = []
        self._by_answer: dict[tuple[str, str], list[int]] = {}
        for n, item in enumerate(compiled):
            needed = guard(item.rule.when)
            if needed is None:
                self._unguarded.append(n)
            else:
                for key in needed:
                    self._by_answer.setdefault(key, []).append(n)

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
        audience = audience_of(facts)
        country_code = facts.get(self.country_question)
        country = self.countries.get(country_code) if country_code != PREFER_NOT_TO_SAY else None  # type: ignore[arg-type]
        crisis = any((qid, value) in self.crisis_answers for qid, value in facts.items() if isinstance(value, str))

        scores: dict[str, int] = {}
        reasons: dict[str, list[Reason]] = {}
        # Approaches recommended because of something the person said (not by a rule
        # that fires for everyone): only these link an organisation into the results.
        fitted: set[str] = set()
        excluded: set[str] = set()
        exclusions: list[tuple[str, frozenset[str]]] = []
        lowered: dict[str, list[Reason]] = {}
        for compiled in self._candidates(facts):
            rule = compiled.rule
            if not rule.when.test(facts):
                continue
            reason = compiled.reasons[audience]
            score = rule.score
            for target in compiled.targets:
                scores[target] = scores.get(target, 0) + score
                reasons.setdefault(target, []).append(reason)
            fitted.update(compiled.fits)
            if compiled.excludes:
                excluded |= compiled.excludes
                exclusions.append((reason.text, compiled.excludes))
            for target in compiled.lowers:
                lowered.setdefault(target, []).append(reason)

        shown: list[ApproachMatch] = []
        for approach_id, score in scores.items():
            approach = self.approaches.get(approach_id)
            if approach is None or approach_id in excluded:
                continue
            if not _covers(approach.only_in, country):
                exclusions.append(("The documents describe it only in other places.", frozenset({approach_id})))
                continue
            why = (*self._strongest_first(reasons[approach_id]), *lowered.get(approach_id, ()))
            shown.append(ApproachMatch(approach, score, why))
        shown.sort(key=lambda a: (a.approach.id in lowered, -a.score, self.approach_order[a.approach.id]))
        services = tuple(a for a in shown if a.approach.kind == "service")
        information = tuple(a for a in shown if a.approach.kind == "information")

        direct, bodies = self._organisations(shown, fitted, scores, reasons, excluded, country, audience)
        notes = tuple(
            NotEffectiveMatch(item, words_for(item.note, audience))
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
            exclusions=tuple(exclusions),
            family_support=self._family_support(facts, audience),
        )

    def _family_support(self, facts: Mapping[str, object], audience: str) -> tuple[FamilySupport, ...]:
        if audience != SOMEONE_ELSE:
            return ()
        return tuple(i for i in self.rulebook.family_support if i.show_if is None or i.show_if.test(facts))

    def _candidates(self, facts: Mapping[str, object]) -> list[_CompiledRule]:
        """The rules these answers could fire, in file order."""
        index = self._by_answer
        picked = set(self._unguarded)
        for answer, value in facts.items():
            picked.update(index.get((answer, ANY_VALUE), ()))
            if isinstance(value, frozenset):
                for code in value:
                    picked.update(index.get((answer, code), ()))
            else:
                picked.update(index.get((answer, value), ()))
        rules = self.rules
        return [rules[n] for n in sorted(picked)]

    def conditions_held(self, rule_id: str, answers: Mapping[str, object]) -> list[str]:
        """Which tests of a rule held for these answers, in words (for staff and the CLI)."""
        rule = next((r.rule for r in self.rules if r.rule.id == rule_id), None)
        return matched_leaves(rule.when, self.facts(answers)) if rule else []

    def _strongest_first(self, reasons: list[Reason]) -> tuple[Reason, ...]:
        """The reasons of the rules that weigh most first: a card shows its first two, so what the person said
        comes before what everyone is told (rules that fire for everyone weigh least)."""
        return tuple(sorted(reasons, key=lambda r: -self.rule_scores.get(r.rule, 0)))

    def _organisations(self, shown, fitted, scores, reasons, excluded, country, audience):
        fitting = {a.approach.id: a for a in shown if a.approach.id in fitted}
        prefix = LINKED_PREFIX[audience]
        direct: list[tuple[int, bool, int, OrganisationMatch]] = []
        bodies: list[tuple[int, bool, int, OrganisationMatch]] = []
        for n, org in self._organisations_by_country[country.code if country else None]:
            if org.id in excluded:
                continue
            linked = [fitting[a] for a in org.approaches if a in fitting]
            named = reasons.get(org.id)
            if not linked and not named:
                continue
            org_reasons = list(named or ())
            if linked:
                org_reasons.append(Reason("", prefix, tuple(a.approach.name for a in linked)))
            # Ranked by how well its best approach fits, not by how many it is linked to;
            # an organisation with something to disclose (the one behind the sources)
            # comes after others that fit as well.
            weight = scores.get(org.id, 0) + max((a.score for a in linked), default=0)
            target = direct if org.role == "direct_help" else bodies
            target.append((-weight, org.disclosure is not None, n, OrganisationMatch(org, tuple(org_reasons))))
        direct.sort(key=lambda t: t[:3])
        bodies.sort(key=lambda t: t[:3])
        return tuple(t[3] for t in direct), tuple(t[3] for t in bodies)
