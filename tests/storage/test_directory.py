"""DirectoryStore on SQLite and PostgreSQL: publishing is all or nothing, per publisher."""

from __future__ import annotations

from datetime import date

import pytest

from tests.support.directory import a_listing
from wizard.storage import Database
from wizard.storage.audit import recent
from wizard.storage.directory import DirectoryStore


@pytest.fixture
def database(database_url):
    database = Database(database_url)
    database.migrate()
    yield database
    database.dispose()


@pytest.fixture
def store(database):
    return DirectoryStore(database)


def test_publish_then_read_back_the_same_listing_and_document(store):
    listing = a_listing()
    summary = store.publish([listing], publisher=None, source="directory.json", by="operator")
    assert (summary.services, summary.added, summary.removed) == (1, 1, 0)
    stored = store.get(listing.id)
    assert stored.listing == listing
    assert stored.listing.document == listing.document
    assert stored.publisher is None and not stored.fictional


def test_a_new_import_replaces_only_that_publishers_directory(store):
    ours, old = a_listing("Ours"), a_listing("Old")
    theirs = a_listing("Partner's")
    store.publish([ours, old], publisher=None, source="a", by="operator")
    store.publish([theirs], publisher="partner-one", source="b", by="operator")
    summary = store.publish([ours], publisher=None, source="c", by="operator")
    assert (summary.added, summary.removed) == (0, 1)
    assert store.get(old.id) is None
    assert store.get(theirs.id).publisher == "partner-one"
    assert {e.id for e in store.index().in_country("PT")} == {ours.id, theirs.id}


def test_a_failed_publish_leaves_the_published_directory_as_it_was(store):
    kept = a_listing("Kept")
    store.publish([kept], publisher=None, source="a", by="operator")
    version = store.version()
    with pytest.raises(ValueError, match="twice"):
        store.publish([a_listing("New"), a_listing("New")], publisher=None, source="b", by="operator")
    # A failure part-way (here a document that cannot be written, after the old rows are
    # deleted) rolls the whole import back.
    broken = a_listing("Broken", document={"not json": {1, 2}})
    with pytest.raises(TypeError):
        store.publish([a_listing("Fine"), broken], publisher=None, source="c", by="operator")
    assert [e.id for e in store.index().in_country("PT")] == [kept.id]
    assert store.version() == version


def test_an_id_published_by_another_directory_is_refused(store):
    listing = a_listing()
    store.publish([listing], publisher="partner-one", source="a", by="operator")
    with pytest.raises(ValueError, match="another directory"):
        store.publish([listing], publisher=None, source="b", by="operator")
    assert store.get(listing.id).publisher == "partner-one"


def test_mark_checked_counts_when_later_than_the_file_and_survives_a_reimport(store, database):
    listing = a_listing(last_checked=date(2024, 1, 1))
    store.publish([listing], publisher=None, source="a", by="operator")
    before = store.version()
    assert store.mark_checked(listing.id, by="sam", on=date(2026, 12, 1))
    assert store.version() == before + 1
    stored = store.get(listing.id)
    assert stored.listing.last_checked == date(2026, 12, 1)
    assert stored.listing.document["assured_date"] == "2026-12-01"
    assert stored.staff_checked_by == "sam"
    # The file's own date stays known beside the later staff check.
    assert stored.file_checked_on == date(2024, 1, 1)
    store.publish([listing], publisher=None, source="again", by="operator")
    assert store.get(listing.id).listing.last_checked == date(2026, 12, 1)
    assert any(e.action == "directory_checked" and e.actor == "sam" for e in recent(database))
    assert not store.mark_checked("no-such-id", by="sam", on=date(2026, 12, 1))


def test_staff_page_finds_by_text_country_and_staleness(store):
    fresh = a_listing("Fresh Start", last_checked=date(2026, 11, 1))
    stale = a_listing("Stale Lane", last_checked=date(2024, 1, 1), country="GB", subdivisions=())
    store.publish([fresh, stale], publisher=None, source="a", by="operator")
    assert [s.listing.id for s in store.page(text="fresh")[0]] == [fresh.id]
    assert [s.listing.id for s in store.page(country="GB")[0]] == [stale.id]
    listed, total = store.page(stale_before=date(2025, 12, 7))
    assert ([s.listing.id for s in listed], total) == ([stale.id], 1)
    store.mark_checked(stale.id, by="sam", on=date(2026, 12, 7))
    assert store.page(stale_before=date(2025, 12, 7)) == ([], 0)


def test_problem_reports_are_kept_and_resolved(store):
    listing = a_listing()
    store.publish([listing], publisher=None, source="a", by="operator")
    assert store.report_problem(listing.id, kind="wrong_number", note="  rang a shop  ")
    assert not store.report_problem("not-published", kind="closed")
    with pytest.raises(ValueError, match="unknown report kind"):
        store.report_problem(listing.id, kind="spam")
    (report,) = store.reports()
    assert (report.kind, report.note, report.service_name) == ("wrong_number", "rang a shop", listing.name)
    assert store.resolve_report(report.id, by="sam")
    assert not store.resolve_report(report.id, by="sam")
    assert store.reports() == []
    assert len(store.reports(open_only=False)) == 1


def test_open_reports_are_counted_per_listing(store):
    one, two, three = a_listing("One"), a_listing("Two"), a_listing("Three")
    store.publish([one, two, three], publisher=None, source="a", by="operator")
    for kind in ("closed", "wrong_number", "other"):
        store.report_problem(one.id, kind=kind)
    store.report_problem(two.id, kind="closed")
    (latest_for_two,) = store.reports(service_id=two.id)
    store.resolve_report(latest_for_two.id, by="sam")
    assert store.open_report_counts([one.id, two.id, three.id]) == {one.id: 3}
    assert store.open_report_counts([]) == {}


def test_imports_are_recorded_published_or_not(store):
    store.publish([a_listing()], publisher=None, source="good.json", by="operator")
    store.record_failed_import(publisher=None, source="bad.json", by="operator", problems=3)
    latest, first = store.imports()
    assert (latest.source, latest.published, latest.problems) == ("bad.json", False, 3)
    assert (first.source, first.published, first.services) == ("good.json", True, 1)


def test_reading_the_listings_a_person_is_shown_is_never_logged(store, caplog):
    """Which listings are read says where the person is: with SQL logging at DEBUG, the ids asked
    for and the rows read stay out of the log, while other statements are still logged."""
    import logging

    listing = a_listing("Quillmoor Lane Recovery")
    store.publish([listing], publisher=None, source="a", by="operator")
    caplog.set_level(logging.DEBUG, logger="sqlalchemy")
    store.get_many([listing.id])
    store.report_problem(listing.id, kind="closed")
    store.index()
    logged = caplog.text
    assert listing.id not in logged and "Quillmoor" not in logged
    store.imports()
    assert "directory_imports" in caplog.text  # the filter hides only those reads
