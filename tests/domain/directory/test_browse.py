"""Listing the directory for the public API: who may see what, filters, order and pages."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.support.directory import a_listing
from wizard.domain.directory.browse import Filters, Visibility, browse, is_country, is_region, list_item, page_of
from wizard.domain.directory.index import DirectoryIndex, Entry
from wizard.domain.directory.listing import Site
from wizard.domain.places import Town

TODAY = date(2026, 12, 7)
FRESH = TODAY - timedelta(days=30)
SEEN = Visibility(today=TODAY, max_age_days=365)
LISBON = Town("2267057", "Lisbon", "PT", "PT-11", 38.7167, -9.1333)


def entry(name: str, *, publisher=None, fictional=False, last_checked=FRESH, **fields) -> Entry:
    listing = a_listing(name, last_checked=last_checked, **fields)
    return Entry.of(listing, publisher=publisher, fictional=fictional, last_checked=last_checked)


def test_who_may_see_a_listing():
    assert SEEN.allows(publisher=None, fictional=False, last_checked=TODAY - timedelta(days=365))
    assert not SEEN.allows(publisher=None, fictional=False, last_checked=TODAY - timedelta(days=366))
    assert not SEEN.allows(publisher=None, fictional=False, last_checked=None)
    assert not SEEN.allows(publisher=None, fictional=True, last_checked=FRESH)
    assert not SEEN.allows(publisher="example", fictional=False, last_checked=FRESH)
    partner = Visibility(today=TODAY, max_age_days=365, partner="example", show_fictional=True)
    assert partner.allows(publisher="example", fictional=True, last_checked=FRESH)
    assert not partner.allows(publisher="other", fictional=False, last_checked=FRESH)


def test_filters_and_order():
    porto = entry("Porto")
    lisbon = entry("Lisbon", subdivisions=("PT-11",), sites=(Site("L", "Lisboa", 38.72, -9.14),))
    line = entry("Line", subdivisions=(), whole_country=True, sites=(), approaches=frozenset({"naloxone"}))
    madrid = entry("Madrid", country="ES", subdivisions=("ES-MD",), sites=(Site("M", "Madrid", 40.42, -3.70),))
    hidden = [entry("Stale", last_checked=TODAY - timedelta(days=900)), entry("Theirs", publisher="example")]
    index = DirectoryIndex([porto, lisbon, line, madrid, *hidden])

    def found(**filters) -> list[str]:
        return [e.id for e in browse(index, Filters(**filters), SEEN)]

    assert found() == sorted(e.id for e in (porto, lisbon, line, madrid))
    assert found(country="ES") == [madrid.id]
    assert found(region="PT-11") == sorted([lisbon.id, line.id])
    assert found(approaches=frozenset({"naloxone", "detox"})) == [line.id]
    assert found(near=LISBON) == [lisbon.id, porto.id, madrid.id, line.id]
    assert found(near=LISBON, region="PT-13") == [porto.id, line.id]


def test_pages():
    page = page_of(list(range(7)), 3, 3)
    assert (list(page.items), page.total_items, page.total_pages, page.size) == ([6], 7, 3, 1)
    assert page.last_page and not page.first_page and not page.empty
    assert page_of([], 1, 20).counts() == {
        "total_items": 0,
        "total_pages": 0,
        "page_number": 1,
        "size": 0,
        "first_page": True,
        "last_page": True,
        "empty": True,
    }
    assert list(page_of(list(range(7)), 4, 3).items) == []
    with pytest.raises(ValueError, match="count from 1"):
        page_of([], 0, 20)


def test_a_list_item_keeps_one_to_one_fields_and_the_organization():
    document = {
        "id": "s",
        "name": "S",
        "status": "active",
        "phones": [{"id": "p", "number": "1"}],
        "organization": {"id": "o", "name": "O", "description": "d", "locations": [{"id": "l"}]},
    }
    assert list_item(document) == {
        "id": "s",
        "name": "S",
        "status": "active",
        "organization": {"id": "o", "name": "O", "description": "d"},
    }


def test_codes():
    assert is_country("PT") and not is_country("ZZ") and not is_country("pt")
    assert is_region("PT-13") and is_region("ES-MD") and not is_region("PT-99")


def test_work_kept_for_one_index_never_leaks_into_another_view_or_index():
    ours, theirs = entry("Ours"), entry("Theirs", publisher="example")
    index = DirectoryIndex([ours, theirs])
    partner = Visibility(today=TODAY, max_age_days=365, partner="example")
    later = Visibility(today=TODAY + timedelta(days=400), max_age_days=365)
    for _ in range(2):
        assert [e.id for e in browse(index, Filters(), SEEN)] == [ours.id]
        assert {e.id for e in browse(index, Filters(), partner)} == {ours.id, theirs.id}
        assert browse(index, Filters(), later) == []
    far = entry("Far", sites=(Site("F", "Faro", 37.02, -7.93),))
    near = entry("Near", sites=(Site("L", "Lisboa", 38.72, -9.14),))
    first = DirectoryIndex([far])
    assert [e.id for e in browse(first, Filters(near=LISBON), SEEN)] == [far.id]
    second = DirectoryIndex([far, near])
    assert [e.id for e in browse(second, Filters(near=LISBON), SEEN)] == [near.id, far.id]
