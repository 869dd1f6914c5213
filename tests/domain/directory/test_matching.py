"""Which services are shown for a person's results and place, and why; over the whole answer space."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta

import pytest

from tests.support.directory import a_listing
from wizard.domain.coverage import walk
from wizard.domain.directory.index import DirectoryIndex, Entry
from wizard.domain.directory.matching import SHOWN, Request, match_services
from wizard.domain.directory.visibility import Visibility
from wizard.domain.places import Place, Town
from wizard.domain.vocabulary import PREFER_NOT_TO_SAY

TODAY = date(2026, 12, 7)
PORTO = Town("2735943", "Porto", "PT", "PT-13", 41.14961, -8.61099)
COIMBRA = Town("2740637", "Coimbra", "PT", "PT-06", 40.20564, -8.41955)


def entry(name="Service", *, publisher=None, fictional=False, checked=TODAY - timedelta(days=30), **fields):
    return Entry.of(a_listing(name, **fields), publisher=publisher, fictional=fictional, last_checked=checked)


def request(approaches=("counselling-and-group-therapy",), answers=None, place=None, **fields):
    seen = {name: fields.pop(name) for name in ("partner", "show_fictional") if name in fields}
    return Request(
        approaches=tuple(approaches),
        answers=answers or {"who": "myself"},
        place=place or Place("PT", "PT-13", None),
        visibility=Visibility(today=TODAY, max_age_days=365, **seen),
        **fields,
    )


def for_partner(req, partner):
    return replace(req, visibility=replace(req.visibility, partner=partner))


def shown(entries, req, names=None):
    return match_services(DirectoryIndex(entries), req, names or {})


def ids(matches):
    return [m.id for m in matches]


def english(match):
    return [reason.text.english() for reason in match.reasons]


def test_a_service_in_the_region_offering_a_shown_approach_is_shown_with_its_reasons():
    service = entry()
    (match,) = shown([service], request(), {"counselling-and-group-therapy": "Counselling and group therapy"})
    assert match.id == service.id
    assert english(match) == ["Offers: Counselling and group therapy", "Serves your region"]


def test_someone_else_reads_their_region():
    (match,) = shown([entry()], request(answers={"who": "someone_else"}))
    assert "Serves their region" in english(match)


def test_a_service_offering_only_approaches_the_results_do_not_show_is_not_shown():
    assert shown([entry(approaches=frozenset({"medication-assisted-treatment"}))], request()) == ()


def test_the_place_decides():
    elsewhere = entry("Elsewhere", subdivisions=("PT-03",), sites=())
    national = entry("National line", subdivisions=(), sites=(), whole_country=True, remote=True)
    abroad = entry("Abroad", country="ES", subdivisions=("ES-MD",))
    assert ids(shown([elsewhere, national, abroad], request())) == [national.id]
    assert shown([national], request(place=Place(None, None, None))) == ()


def test_a_site_near_the_town_serves_the_person_whatever_its_areas():
    near = entry("Near", subdivisions=())  # its site is in Porto
    (match,) = shown([near], request(place=Place("PT", None, PORTO)))
    assert match.distance_km < 1
    assert "Less than 1 km from Porto" in english(match)
    assert shown([near], request(place=Place("PT", None, COIMBRA))) == ()  # about 110 km away


def test_nearer_services_rank_first_when_the_fit_is_equal():
    far = entry("Far", subdivisions=("PT-13",), sites=(replace(a_listing().sites[0], latitude=41.3, longitude=-8.5),))
    near = entry("Near")
    assert ids(shown([far, near], request(place=Place("PT", "PT-13", PORTO)))) == [near.id, far.id]


def test_better_fit_ranks_first_then_freshness():
    one = entry("One")
    both = entry("Both", approaches=frozenset({"counselling-and-group-therapy", "peer-support-and-mentoring"}))
    older = entry("Older", checked=TODAY - timedelta(days=300))
    req = request(approaches=("peer-support-and-mentoring", "counselling-and-group-therapy"))
    assert ids(shown([older, one, both], req)) == [both.id, one.id, older.id]


def test_stale_and_undated_listings_are_not_shown():
    stale = entry("Stale", checked=TODAY - timedelta(days=366))
    undated = entry("Undated", checked=None)
    assert shown([stale, undated], request()) == ()


def test_fictional_listings_only_when_examples_are_on():
    example = entry(fictional=True)
    assert shown([example], request()) == ()
    (match,) = shown([example], request(show_fictional=True))
    assert match.fictional


def test_a_partners_own_directory_comes_first_in_its_embed_and_nowhere_else():
    ours = entry("Ours", approaches=frozenset({"counselling-and-group-therapy", "peer-support-and-mentoring"}))
    theirs = entry("Theirs", publisher="partner-one")
    req = request(approaches=("counselling-and-group-therapy", "peer-support-and-mentoring"))
    assert ids(shown([ours, theirs], req)) == [ours.id]
    assert ids(shown([ours, theirs], for_partner(req, "partner-one"))) == [theirs.id, ours.id]
    assert ids(shown([ours, theirs], for_partner(req, "partner-two"))) == [ours.id]


@pytest.mark.parametrize(
    ("answers", "left_out"),
    [
        ({"faith": "secular"}, {"faith-based"}),
        ({"setting": "outpatient"}, {"inpatient"}),
        ({"setting": "outpatient"}, {"residential"}),
    ],
)
def test_what_the_person_ruled_out_is_respected(answers, left_out):
    service = entry(attributes=frozenset(left_out))
    assert shown([service], request(answers=answers)) == ()
    assert ids(shown([service], request(answers={}))) == [service.id]


def test_a_centre_that_also_offers_outpatient_care_stays_for_live_at_home():
    both = entry(attributes=frozenset({"inpatient", "outpatient"}))
    (match,) = shown([both], request(answers={"setting": "outpatient"}))
    assert "You can live at home during treatment" in english(match)


def test_preferences_met_are_reasons():
    service = entry(attributes=frozenset({"secular", "cost-free", "women-only", "medication-methadone"}))
    answers = {"faith": "secular", "medication": "open", "needs": ["cost", "women_childcare"]}
    (match,) = shown([service], request(answers=answers))
    assert {
        "Not faith-based",
        "Offers medication-assisted treatment",
        "Free or pay what you can",
        "For women only",
    } <= set(english(match))
    assert english(shown([service], request(answers={"faith": PREFER_NOT_TO_SAY}))[0]) == [
        "Offers: counselling-and-group-therapy",
        "Serves your region",
    ]


def test_a_naloxone_service_is_always_among_those_shown_when_the_results_show_naloxone():
    better = [
        entry(f"Better {n}", approaches=frozenset({"counselling-and-group-therapy", "peer-support-and-mentoring"}))
        for n in range(SHOWN + 3)
    ]
    naloxone = entry("Naloxone point", approaches=frozenset({"naloxone"}))
    req = request(approaches=("counselling-and-group-therapy", "peer-support-and-mentoring", "naloxone"))
    assert naloxone.id not in ids(shown([*better, naloxone], req))
    kept = ids(shown([*better, naloxone], replace(req, life_saving=frozenset({"naloxone"}))))
    assert len(kept) == SHOWN
    assert naloxone.id in kept


# --- The whole answer space -------------------------------------------------------------------


@pytest.fixture(scope="module")
def every_kind_of_service(rulebook):
    """For every service approach: a faith-based centre you stay at, a secular one you visit, and
    one that says nothing more, all serving the whole of one country."""
    kinds = {
        "centre": frozenset({"faith-based", "inpatient"}),
        "visit": frozenset({"secular", "outpatient"}),
        "plain": frozenset(),
    }
    return DirectoryIndex(
        entry(f"{approach.id} {kind}", approaches=frozenset({approach.id}), attributes=attributes, whole_country=True)
        for approach in rulebook.approaches
        if approach.kind == "service"
        for kind, attributes in kinds.items()
    )


def test_services_keep_every_promise_over_the_whole_answer_space(rulebook, matcher, every_kind_of_service):
    life_saving = frozenset(a.id for a in rulebook.approaches if a.life_saving)
    offered = {e.id: e for e in every_kind_of_service.in_country("PT")}
    seen: set = set()
    for answers in walk(rulebook, matcher):
        result = matcher.match(answers)
        shown_ids = tuple(m.approach.id for m in result.approaches)
        # Matching reads only these answers: each distinct combination is checked once.
        key = (
            shown_ids,
            answers.get("faith"),
            answers.get("setting"),
            answers.get("medication"),
            tuple(answers.get("needs") or ()),
        )
        if key in seen:
            continue
        seen.add(key)
        req = Request(shown_ids, answers, Place("PT", "PT-13", None), Visibility(TODAY, 365), life_saving=life_saving)
        matches = match_services(every_kind_of_service, req, {})
        for match in matches:
            service = offered[match.id]
            # Never a service for an approach the results left out (a medication for someone
            # not open to it, a faith-based programme for someone who wants none).
            assert service.approaches & set(shown_ids), (answers, match.id)
            if answers.get("faith") == "secular":
                assert "faith-based" not in service.attributes, (answers, match.id)
            if answers.get("setting") == "outpatient":
                assert "inpatient" not in service.attributes, (answers, match.id)
        if life_saving & set(shown_ids):
            assert any(offered[m.id].approaches & life_saving for m in matches), answers
    assert len(seen) > 100


def test_the_example_directorys_dates_are_ages_kept_whatever_the_day():
    from wizard.domain.directory.listing import aged_to

    newest, stale = a_listing("New", last_checked=date(2026, 9, 15)), a_listing("Old", last_checked=date(2025, 3, 10))
    moved = aged_to([newest, stale], date(2030, 1, 1))
    assert [m.last_checked for m in moved] == [
        date(2030, 1, 1),
        date(2030, 1, 1) - (date(2026, 9, 15) - date(2025, 3, 10)),
    ]
    assert moved[0].document["assured_date"] == "2030-01-01"


def test_medication_is_said_once_when_an_approach_reason_already_says_it():
    service = entry(
        approaches=frozenset({"medication-assisted-treatment"}), attributes=frozenset({"medication-methadone"})
    )
    req = request(approaches=("medication-assisted-treatment",), answers={"medication": "open"})
    (match,) = shown([service], replace(req, medication_approaches=frozenset({"medication-assisted-treatment"})))
    assert "Offers medication-assisted treatment" not in english(match)
    (match,) = shown([service], req)
    assert "Offers medication-assisted treatment" in english(match)
