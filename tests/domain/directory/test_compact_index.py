"""The index built from stored records (shared codes and sets, no full listings) is the same index,
and matches the same services, as one built from the full listings."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from bench.directory_data import generate
from wizard.domain.directory.hsds import read_tabular
from wizard.domain.directory.index import DirectoryIndex, Entry, Pool, entry_of_record
from wizard.domain.directory.listing import to_record
from wizard.domain.directory.matching import Request, match_services
from wizard.domain.directory.visibility import Visibility
from wizard.domain.places import Place, Town


@pytest.fixture(scope="module")
def listings(tmp_path_factory, rulebook):
    from wizard.domain.directory.taxonomy import build_taxonomy

    folder = generate(600, 11, tmp_path_factory.mktemp("generated"))
    reading = read_tabular(folder, build_taxonomy(rulebook.approaches))
    assert reading.report() == []
    return reading.listings


def _publisher(number: int) -> str | None:
    return "partner-a" if number % 7 == 0 else None


def full(listings) -> DirectoryIndex:
    return DirectoryIndex(
        Entry.of(listing, publisher=_publisher(n), fictional=True, last_checked=listing.last_checked)
        for n, listing in enumerate(listings)
    )


def compact(listings) -> DirectoryIndex:
    pool = Pool()
    return DirectoryIndex(
        entry_of_record(
            json.loads(json.dumps(to_record(listing))),
            publisher=_publisher(n),
            fictional=True,
            last_checked=listing.last_checked,
            pool=pool,
        )
        for n, listing in enumerate(listings)
    )


def test_the_entries_are_the_same_and_repeated_values_are_shared(listings):
    before, after = full(listings), compact(listings)
    assert after.countries() == before.countries() and after.size == before.size == len(listings)
    assert after.approach_bit == before.approach_bit
    for country in before.countries():
        assert after.in_country(country) == before.in_country(country)
    entries = [entry for country in after.countries() for entry in after.in_country(country)]
    for field in ("attributes", "approaches", "subdivisions", "country", "last_checked"):
        values = [getattr(entry, field) for entry in entries]
        assert len({id(value) for value in values}) == len(set(values)), field


def _places(listings) -> list[Place]:
    found = []
    for listing in listings[:40]:
        region = listing.subdivisions[0] if listing.subdivisions else None
        found.append(Place(listing.country, region, None))
        for number, site in enumerate(listing.sites[:1]):
            town = Town(f"{listing.id}-{number}", site.name, listing.country, region, site.latitude, site.longitude)
            found.append(Place(listing.country, None, town))
            found.append(Place(listing.country, region, town))
        found.append(Place(listing.country, None, None))
    return found


def _shown(index: DirectoryIndex, request: Request) -> list:
    return [
        (m.id, m.distance_km, m.partner, m.fictional, [r.text.english() for r in m.reasons])
        for m in match_services(index, request, {})
    ]


def test_matching_shows_the_same_services_with_the_same_reasons(listings):
    before, after = full(listings), compact(listings)
    approaches = sorted(before.approach_bit)
    newest = max(listing.last_checked for listing in listings if listing.last_checked)
    asked = [tuple(approaches), *((a,) for a in approaches)]
    compared = 0
    for place in _places(listings):
        for chosen in asked:
            for partner in (None, "partner-a"):
                request = Request(
                    approaches=chosen,
                    answers={"who": "myself", "faith": "secular", "needs": ["cost", "distance"]},
                    place=place,
                    visibility=Visibility(
                        today=newest + timedelta(days=1), max_age_days=365, show_fictional=True, partner=partner
                    ),
                    life_saving=frozenset(approaches[:1]),
                )
                shown = _shown(before, request)
                assert _shown(after, request) == shown
                compared += bool(shown)
    assert compared > 100


def test_an_index_holds_no_reference_cycle_so_a_replaced_one_is_freed_at_once(listings):
    # Workers leave what start-up made out of the collector's passes (gunicorn.conf.py): an index
    # that a cycle kept alive would then never be freed when the directory is published again.
    import gc

    index = compact(listings)
    gc.collect()
    gc.disable()
    try:
        before = len(gc.get_objects())
        del index
        assert len(gc.get_objects()) < before - len(listings)
    finally:
        gc.enable()
