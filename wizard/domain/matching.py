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

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from operator import itemgetter

from wizard.domain.audience import MYSELF, SOMEONE_ELSE, audience_of
from wizard.domain.messages import N_
from wizard.domain.rulebook.conditions import ANY_VALUE, Always, compile_condition, guard, matched_leaves
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
    # Its condition as one function of the facts (see conditions.compile_condition).
    test: Callable[[Mapping[str, object]], bool] = bool


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


# Why a place-limited approach is left out where the documents do not describe it.
ONLY_ELSEWHERE = "The documents describe it only in other places."
# Answers that mean "not answered".
_BLANK = (None, "", (), [])


# Services, information, direct help, information bodies, and what was left out (see Result).
_Ranking = tuple[
    tuple[ApproachMatch, ...],
    tuple[ApproachMatch, ...],
    tuple[OrganisationMatch, ...],
    tuple[OrganisationMatch, ...],
    tuple[tuple[str, frozenset[str]], ...],
]


# The two readers, each with their own wording of every reason.
_AUDIENCES = (MYSELF, SOMEONE_ELSE)

# A prepared rule's bit, the approaches it recommends, and the organisations it names or can link
# (see Matcher._prepare_ranking); an entry's match (see Matcher._approach_entry).
_bit = itemgetter(1)
_recommends = itemgetter(2)
_reaches = itemgetter(3)
_match_of = itemgetter(1)


def _joined(bits) -> int:
    """Bits joined into one number."""
    joined = 0
    for bit in bits:
        joined |= bit
    return joined


def _rank_key(book: Rulebook) -> Callable[[int], tuple[int, int]]:
    return lambda n: (-book.rules[n].score, n)


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
        # Everything below is worked out once, here, so that matching only looks things up.
        # Question id -> whether its answer is a set of codes (a multiple-choice question).
        self._multiple = {q.id: q.kind == "multiple" for q in rulebook.questions}
        self._single_ids = frozenset(q for q, many in self._multiple.items() if not many)
        self._multiple_ids = frozenset(q for q, many in self._multiple.items() if many)
        self._crisis_codes = {
            q.id: frozenset(o.code for o in q.options if o.crisis)
            for q in rulebook.questions
            if q.kind != "multiple" and any(o.crisis for o in q.options)
        }
        places = [*self.countries.items(), (None, None)]
        # The organisations serving each country (and those for an unknown one).
        self._organisations_by_country = {
            code: tuple((n, o) for n, o in enumerate(rulebook.organisations) if _covers(o.service_area, country))
            for code, country in places
        }
        self._serving = {code: {o.id: n for n, o in orgs} for code, orgs in self._organisations_by_country.items()}
        # Organisation id -> the approaches that link it into the results; approach id -> those organisations.
        self._linked_organisations: dict[str, list[str]] = {}
        for org in rulebook.organisations:
            for approach_id in org.approaches:
                self._linked_organisations.setdefault(approach_id, []).append(org.id)
        # The place-limited approaches that are not there for each country (and for an unknown one).
        self._elsewhere = {
            code: frozenset(a.id for a in rulebook.approaches if not _covers(a.only_in, country))
            for code, country in places
        }
        # By the approach's place in the file: whether it is a service (not information).
        self._service = tuple(a.kind == "service" for a in rulebook.approaches)
        # Organisation id -> the organisation, the approaches it is linked to, whether it gives
        # direct help, and whether it has something to disclose.
        self._organisation_facts = {
            o.id: (o, o.approaches, o.role == "direct_help", o.disclosure is not None) for o in rulebook.organisations
        }
        self._not_effective = tuple((item, compile_condition(item.lean_if)) for item in rulebook.not_effective)
        self._family_support = tuple(
            (item, None if item.show_if is None else compile_condition(item.show_if))
            for item in rulebook.family_support
        )
        compiled_rules = tuple(
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
                compile_condition(rule.when),
            )
            for rule in rulebook.rules
        )
        self.rules = compiled_rules
        # Rule number -> where its reasons go in a list of reasons: the weightiest rules first, then file order.
        self._rank_of = {n: rank for rank, n in enumerate(sorted(range(len(compiled_rules)), key=_rank_key(rulebook)))}
        # Index rules by the answers that can make them fire, so a large rulebook
        # only evaluates the rules these answers could trigger.
        self._unguarded: list[int] = []
        self._by_answer: dict[tuple[str, str], list[int]] = {}
        for n, item in enumerate(compiled_rules):
            needed = guard(item.rule.when)
            if needed is None:
                self._unguarded.append(n)
            else:
                for key in needed:
                    self._by_answer.setdefault(key, []).append(n)
        # The same index by answer, then by code ("*" for any code), for look-ups without building keys.
        self._by_code: dict[str, dict[str, tuple[int, ...]]] = {}
        for (answer, code), numbers in self._by_answer.items():
            self._by_code.setdefault(answer, {})[code] = tuple(numbers)
        self._prepare_ranking(rulebook)

    def _prepare_ranking(self, rulebook: Rulebook) -> None:
        """What `_match` and `_ranking` look up, laid out for the walk's hot loop.

        Each rule has a bit, by its place in the order of reasons, and the rules that fired are the
        sum of their bits. Each approach and organisation knows the bits of the rules that can change
        what it shows, so that follows from the fired rules' bits among its own (and, for an
        organisation, which of its approaches are there in the person's country) alone: see
        `_approach_entry` and `_organisation_entry`."""
        rank_of = self._rank_of
        by_rank = sorted(range(len(self.rules)), key=rank_of.__getitem__)
        bit = {n: 1 << rank for n, rank in rank_of.items()}
        approaches, organisations = self.approaches, self.organisations
        # Approach id -> the rules that recommend it, in the order of reasons, then those that lower it,
        # in file order: (the rule's bit, whether it lowers, its number in the file, the score it adds,
        # whether it links organisations, and (file number, place among the rule's approaches) to tell
        # which rule recommends it first).
        slots: dict[str, list[tuple[int, bool, int, int, bool, tuple[int, int]]]] = {a: [] for a in approaches}
        for n in by_rank:
            item = self.rules[n]
            targets = tuple(t for t in item.targets if t in approaches)
            for target in targets:
                first = (n, targets.index(target))
                slots[target].append((bit[n], False, n, item.rule.score, target in item.fits, first))
        # Organisation id -> the rules that name it, in file order: (bit, number in the file, score).
        naming: dict[str, list[tuple[int, int, int]]] = {o: [] for o in organisations}
        for n, item in enumerate(self.rules):
            for target in sorted(item.lowers):
                if target in slots:
                    slots[target].append((bit[n], True, n, 0, False, (n, 0)))
            for target in item.targets:
                if target in organisations:
                    naming[target].append((bit[n], n, item.rule.score))
        self._slots = {a: tuple(places) for a, places in slots.items()}
        self._naming = {o: tuple(places) for o, places in naming.items()}
        self._approach_bits = {a: _joined(place[0] for place in places) for a, places in slots.items()}
        # The bits of the rules that leave out or lower anything.
        self._special_bits = _joined(bit[n] for n, item in enumerate(self.rules) if item.excludes or item.lowers)
        # An approach's place in the ranking as one number, so that sorting compares numbers: lowered
        # ones last, then the highest score first, then file order.
        self._order_widths = (
            len(rulebook.approaches).bit_length(),
            max([sum(place[3] for place in places) for places in slots.values()], default=0),
        )
        self._organisation_order = {o.id: n for n, o in enumerate(rulebook.organisations)}
        # Organisation id -> the rules that leave it or one of its approaches out: (bit, what it leaves out).
        leaving_out = {
            o.id: tuple(
                (bit[n], item.excludes) for n, item in enumerate(self.rules) if item.excludes & {o.id, *o.approaches}
            )
            for o in rulebook.organisations
        }
        self._leaving_out = leaving_out
        # Organisation id -> the bits of every rule that names it, recommends one of its approaches or
        # leaves either out.
        self._organisation_bits = {
            o.id: _joined(
                [
                    *(place[0] for place in naming[o.id]),
                    *(place[0] for a in o.approaches for place in slots.get(a, ()) if not place[1]),
                    *(b for b, _ in leaving_out[o.id]),
                ]
            )
            for o in rulebook.organisations
        }
        # Place (country code, or None) -> organisation id -> its approaches not there, for the
        # organisations that serve it: one shared set for each, as part of a key.
        sets: dict[frozenset[str], frozenset[str]] = {}
        self._organisation_places = {
            code: {
                org_id: sets.setdefault(away, away)
                for org_id in serving
                for away in (frozenset(a for a in organisations[org_id].approaches if a in self._elsewhere[code]),)
            }
            for code, serving in self._serving.items()
        }
        # By rank: (test, bit, the approaches it recommends, the organisations it names or can link).
        self._parts = tuple(
            (
                item.test,
                bit[n],
                frozenset(t for t in item.targets if t in approaches),
                frozenset(
                    [
                        *(t for t in item.targets if t in organisations),
                        *(o for a in item.fits for o in self._linked_organisations.get(a, ())),
                    ]
                ),
            )
            for n in by_rank
            for item in (self.rules[n],)
        )
        # By audience: what each approach and organisation shows for the bits of the rules that fired
        # among its own, and what the rules that leave out or lower leave out, filled in as matches
        # meet them. They follow from the rulebook alone and hold nothing else a person said; there
        # are at most two to the power of an item's rules of each (a few hundred in all for the
        # shipped rules, times the places that differ for an organisation), and two matches filling
        # in the same one at once build equal values.
        self._approach_entries: dict[str, dict[str, dict[int, tuple]]] = {
            audience: {a: {} for a in approaches} for audience in _AUDIENCES
        }
        self._organisation_entries: dict[str, dict[str, dict[tuple[int, frozenset[str]], tuple]]] = {
            audience: {o: {} for o in organisations} for audience in _AUDIENCES
        }
        self._special_entries: dict[str, dict[int, tuple]] = {audience: {} for audience in _AUDIENCES}

        def ranks(numbers) -> tuple[int, ...]:
            return tuple(sorted({rank_of[n] for n in numbers}))

        self._unguarded_ranks = ranks(self._unguarded)
        # Answer -> (code -> the rules that code or any code could fire, the rules any code could fire).
        self._rank_index: dict[str, tuple[dict[str, tuple[int, ...]], tuple[int, ...]]] = {}
        for answer, codes in self._by_code.items():
            anything = codes.get(ANY_VALUE, ())
            self._rank_index[answer] = ({code: ranks(ns + anything) for code, ns in codes.items()}, ranks(anything))
        # Approach id -> the approach, its place in the file, whether it is a service.
        self._approach_facts = {a.id: (a, n, a.kind == "service") for n, a in enumerate(rulebook.approaches)}
        self._crisis_items = tuple(self._crisis_codes.items())
        self._not_effective_by_audience = {
            audience: tuple(
                (test, NotEffectiveMatch(item, words_for(item.note, audience))) for item, test in self._not_effective
            )
            for audience in _AUDIENCES
        }

    def facts(self, answers: Mapping[str, object]) -> dict[str, str | frozenset[str]]:
        """Answers as the conditions see them: codes, code sets, and the derived region."""
        facts: dict[str, str | frozenset[str]] = {}
        singles, multiples = self._single_ids, self._multiple_ids
        for qid, value in answers.items():
            if isinstance(value, str):
                if not value:
                    continue
                if qid in singles:
                    facts[qid] = value
                elif qid in multiples:
                    facts[qid] = frozenset(value)
            elif qid in multiples and value is not None and value not in _BLANK:
                facts[qid] = value if isinstance(value, frozenset) else frozenset(value)
        country = self.countries.get(facts.get(self.country_question))  # type: ignore[arg-type]
        if country is not None:
            facts[REGION] = country.region
        return facts

    def match(self, answers: Mapping[str, object]) -> Result:
        return self._match(self.facts(answers))

    def _match(self, facts: Mapping[str, object]) -> Result:
        audience = audience_of(facts)
        country_code = facts.get(self.country_question)
        country = self.countries.get(country_code) if country_code != PREFER_NOT_TO_SAY else None  # type: ignore[arg-type]
        place = country.code if country else None
        # The rules these answers could fire, by their place in the order of reasons.
        picked = set(self._unguarded_ranks)
        index = self._rank_index
        for answer, value in facts.items():
            entry = index.get(answer)
            if entry is None:
                continue
            codes, anything = entry
            if isinstance(value, frozenset):
                picked.update(anything)
                for code in value:
                    picked.update(codes.get(code, ()))
            else:
                picked.update(codes.get(value, anything))
        # The order they are tested in makes no difference: each rule's bits say where its reasons go.
        parts = self._parts
        fired = [part for rank in picked if (part := parts[rank])[0](facts)]
        services, information, direct, bodies, exclusions = self._ranking(fired, audience, place)
        crisis = False
        for qid, codes in self._crisis_items:
            if facts.get(qid) in codes:
                crisis = True
                break
        return Result(
            audience,
            crisis,
            country,
            services,
            information,
            direct,
            bodies,
            self.contacts.get(place) if country else None,
            tuple(note for test, note in self._not_effective_by_audience[audience] if test(facts)),
            exclusions,
            () if audience != SOMEONE_ELSE else self._family_support_for(facts, audience),
        )

    def _ranking(self, fired: list[tuple], audience: str, place: str | None) -> _Ranking:
        """The approaches and organisations that these rules (see `_prepare_ranking`) put in the
        results, best first, and what they left out."""
        mask = sum(map(_bit, fired))
        excluded: frozenset[str] = frozenset()
        exclusions: tuple[tuple[str, frozenset[str]], ...] = ()
        if mask & self._special_bits:
            excluded, exclusions = self._special_entry(mask & self._special_bits, audience)
        elsewhere = self._elsewhere[place]
        left_out = elsewhere | excluded if excluded else elsewhere
        entries = self._approach_entries[audience]
        approach_bits = self._approach_bits
        services: list[tuple] = []
        information: list[tuple] = []
        away: list[str] = []
        for approach_id in frozenset().union(*map(_recommends, fired)):
            if approach_id in left_out:
                if approach_id not in excluded:
                    away.append(approach_id)
                continue
            key = mask & approach_bits[approach_id]
            entry = entries[approach_id].get(key) or self._approach_entry(approach_id, key, audience)
            (services if entry[2] else information).append(entry)
        if away:
            exclusions += tuple((ONLY_ELSEWHERE, frozenset({a})) for a in self._first_recommended(away, mask))
        # Each entry starts with its place in the ranking, different for each, so the matches
        # themselves are never compared.
        services.sort()
        information.sort()
        direct, bodies = self._organisations(frozenset().union(*map(_reaches, fired)), mask, place, audience)
        return tuple(map(_match_of, services)), tuple(map(_match_of, information)), direct, bodies, exclusions

    def _special_entry(self, mask: int, audience: str) -> tuple:
        """What the rules of these bits that leave out or lower leave out, with their reasons in file order."""
        entry = self._special_entries[audience].get(mask)
        if entry is None:
            excluded: set[str] = set()
            exclusions = []
            for n, compiled in enumerate(self.rules):
                if mask >> self._rank_of[n] & 1 and compiled.excludes:
                    excluded |= compiled.excludes
                    exclusions.append((compiled.reasons[audience].text, compiled.excludes))
            entry = self._special_entries[audience][mask] = (frozenset(excluded), tuple(exclusions))
        return entry

    def _approach_entry(self, approach_id: str, mask: int, audience: str) -> tuple:
        """An approach's place in the ranking, its match, and whether it is a service, for the bits
        of its rules that fired."""
        approach, n, service = self._approach_facts[approach_id]
        why: list[Reason] = []
        low: list[Reason] = []
        score = 0
        for bit, lowers, number, points, _, _ in self._slots[approach_id]:
            if mask & bit:
                reason = self.rules[number].reasons[audience]
                if lowers:
                    low.append(reason)
                else:
                    why.append(reason)
                    score += points
        match = ApproachMatch(approach, score, tuple(why + low))
        # Lowered ones last, then the highest score first, then file order.
        n_width, most = self._order_widths
        order = ((bool(low) * (most + 1) + most - score) << n_width) + n
        entry = self._approach_entries[audience][approach_id][mask] = (order, match, service)
        return entry

    def _first_recommended(self, ids: list[str], mask: int) -> list[str]:
        """These approaches in the order the rules that fired (the bits of `mask`), in file order,
        first recommend them."""
        if len(ids) == 1:
            return ids

        def first(approach_id: str) -> tuple[int, int]:
            return min(slot[5] for slot in self._slots[approach_id] if mask & slot[0] and not slot[1])

        return sorted(ids, key=first)

    def _family_support_for(self, facts: Mapping[str, object], audience: str) -> tuple[FamilySupport, ...]:
        if audience != SOMEONE_ELSE:
            return ()
        return tuple(item for item, test in self._family_support if test is None or test(facts))

    def conditions_held(self, rule_id: str, answers: Mapping[str, object]) -> list[str]:
        """Which tests of a rule held for these answers, in words (for staff and the CLI)."""
        rule = next((r.rule for r in self.rules if r.rule.id == rule_id), None)
        return matched_leaves(rule.when, self.facts(answers)) if rule else []

    def _organisations(self, candidates, mask, place, audience):
        """The organisations these results lead to: those a rule names, and those linked to an
        approach recommended because of an answer, if they serve the person's country."""
        # Only the organisations the fired rules name or can link are looked at, not every one
        # serving the country.
        if not candidates:
            return (), ()
        places = self._organisation_places[place]
        organisation_bits = self._organisation_bits
        entries = self._organisation_entries[audience]
        direct: list[tuple] = []
        bodies: list[tuple] = []
        for org_id in candidates:
            away = places.get(org_id)
            if away is None:
                continue
            key = (mask & organisation_bits[org_id], away)
            entry = entries[org_id].get(key)
            if entry is None:
                entry = self._organisation_entry(org_id, key, audience)
            if entry:
                (direct if entry[2] else bodies).append(entry)
        direct.sort()
        bodies.sort()
        return tuple(map(_match_of, direct)), tuple(map(_match_of, bodies))

    def _organisation_entry(self, org_id: str, key: tuple[int, frozenset[str]], audience: str) -> tuple:
        """Whether an organisation that serves the person's country is in the results, for the bits
        of its rules that fired and its approaches not there (`key`): its place among them, its
        match and whether it gives direct help, or an empty tuple when it is not."""
        mask, away = key
        org, linked_to, helps, discloses = self._organisation_facts[org_id]
        excluded: set[str] = set()
        for bit, leaves_out in self._leaving_out[org_id]:
            if mask & bit:
                excluded |= leaves_out
        entry: tuple = ()
        if org_id not in excluded:
            # Its approaches recommended because of an answer, with their scores.
            linked: list[tuple[str, int]] = []
            for approach_id in linked_to:
                if approach_id in excluded or approach_id in away:
                    continue
                score = 0
                fits = False
                for bit, lowers, _, points, links, _ in self._slots.get(approach_id, ()):
                    if mask & bit and not lowers:
                        score += points
                        fits = fits or links
                if fits:
                    linked.append((approach_id, score))
            # Its own reasons in file order, not by weight; then the approaches that link it.
            reasons: list[Reason] = []
            weight = 0
            for bit, number, points in self._naming[org_id]:
                if mask & bit:
                    reasons.append(self.rules[number].reasons[audience])
                    weight += points
            if linked:
                names = tuple([self._approach_facts[a][0].name for a, _ in linked])
                reasons.append(Reason("", LINKED_PREFIX[audience], names))
                # Ranked by how well its best approach fits, not by how many it is linked to.
                weight += max([score for _, score in linked])
            if reasons:
                # The best fit first; one with something to disclose (the one behind the sources)
                # after others that fit as well; then file order.
                order = (-weight, discloses, self._organisation_order[org_id])
                entry = (order, OrganisationMatch(org, tuple(reasons)), helps)
        self._organisation_entries[audience][org_id][key] = entry
        return entry
