"""The published service directory: listings, imports, problem reports.

An import replaces one publisher's whole directory (the operator's, or one partner's) in a
single transaction: a file that fails any check is never published, and a failure half-way
leaves the directory already published exactly as it was.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import delete, func, insert, or_, select, update
from sqlalchemy.orm import Session, defer

from wizard.domain.directory.index import DirectoryIndex, Pool, entry_of_record
from wizard.domain.directory.listing import Listing, from_record, to_record
from wizard.storage.audit import record as audit
from wizard.storage.db import Database, unlogged
from wizard.storage.models import DirectoryImport, DirectoryReport, DirectoryService, DirectoryState, utcnow

REPORT_KINDS = ("closed", "wrong_number", "wrong_details", "other")
NOTE_LIMIT = 1000
# Rows per INSERT: large enough to be quick, small enough for PostgreSQL's parameter limit.
BATCH = 1000
# Rows read at a time when a process builds its index.
INDEX_BATCH = 500


@dataclass(frozen=True)
class ImportSummary:
    id: int
    services: int
    added: int
    removed: int


@dataclass(frozen=True)
class StoredListing:
    listing: Listing
    publisher: str | None
    fictional: bool
    staff_checked_by: str | None
    staff_checked_on: date | None
    # The date in the publisher's file (HSDS assured_date); `listing.last_checked` is the later
    # of this and the staff check.
    file_checked_on: date | None = None


def _last_checked(row_assured: date | None, staff_checked: date | None) -> date | None:
    dates = [d for d in (row_assured, staff_checked) if d is not None]
    return max(dates) if dates else None


def _bump(session: Session) -> None:
    session.execute(update(DirectoryState).where(DirectoryState.id == 1).values(version=DirectoryState.version + 1))


class DirectoryStore:
    def __init__(self, database: Database) -> None:
        self.database = database

    # --- publishing ---------------------------------------------------------------------

    def publish(
        self, listings: Sequence[Listing], *, publisher: str | None, source: str, by: str, fictional: bool = False
    ) -> ImportSummary:
        """Replace `publisher`'s directory with these listings, all or nothing.

        A staff "mark as checked" date later than the file's assured date is kept for a
        listing that is published again."""
        ids = [listing.id for listing in listings]
        if len(set(ids)) != len(ids):
            raise ValueError("the same service id appears twice")
        with self.database.transaction() as session:
            scope = self._scope(publisher)
            before = dict(
                session.execute(select(DirectoryService.id, DirectoryService.staff_checked_on).where(scope)).all()
            )
            taken = (
                set(session.scalars(select(DirectoryService.id).where(DirectoryService.id.in_(ids), ~scope)).all())
                if ids
                else set()
            )
            if taken:
                raise ValueError(f"service ids already published by another directory: {', '.join(sorted(taken)[:5])}")
            row = DirectoryImport(
                at=utcnow(),
                by=by,
                publisher=publisher,
                source=source[:255],
                fictional=fictional,
                published=True,
                services=len(listings),
                added=len(set(ids) - set(before)),
                removed=len(set(before) - set(ids)),
                problems=0,
            )
            session.add(row)
            session.flush()
            session.execute(delete(DirectoryService).where(scope))
            rows = [
                {
                    "id": listing.id,
                    "publisher": publisher,
                    "fictional": fictional,
                    "name": listing.name[:255],
                    "organization_name": listing.organization_name[:255],
                    "country": listing.country,
                    "assured_on": listing.last_checked,
                    "staff_checked_on": before.get(listing.id),
                    "staff_checked_by": None,
                    "import_id": row.id,
                    "record": json.dumps(to_record(listing), ensure_ascii=False, separators=(",", ":")),
                    "document": json.dumps(listing.document, ensure_ascii=False, separators=(",", ":")),
                }
                for listing in listings
            ]
            for start in range(0, len(rows), BATCH):
                session.execute(insert(DirectoryService), rows[start : start + BATCH])
            audit(
                session,
                actor=by,
                action="directory_import",
                target=publisher or "operator",
                detail=f"{len(listings)} services from {source}",
            )
            _bump(session)
            return ImportSummary(row.id, row.services, row.added, row.removed)

    def record_failed_import(self, *, publisher: str | None, source: str, by: str, problems: int) -> None:
        with self.database.transaction() as session:
            session.add(
                DirectoryImport(
                    at=utcnow(),
                    by=by,
                    publisher=publisher,
                    source=source[:255],
                    fictional=False,
                    published=False,
                    services=0,
                    added=0,
                    removed=0,
                    problems=problems,
                )
            )

    @staticmethod
    def _scope(publisher: str | None):
        return DirectoryService.publisher.is_(None) if publisher is None else DirectoryService.publisher == publisher

    # --- reading --------------------------------------------------------------------------

    def version(self) -> int:
        with self.database.transaction() as session:
            return session.scalar(select(DirectoryState.version).where(DirectoryState.id == 1)) or 0

    def index(self) -> DirectoryIndex:
        """Every listing as a slim matching entry (the documents stay in the database). Unlogged: at
        DEBUG the rows would put the whole directory into the log whenever a process reloads it.

        The rows are read a batch at a time and each record is dropped once its entry is made, so
        building the index never holds the whole directory's records at once."""
        with unlogged(), self.database.transaction() as session:
            version = session.scalar(select(DirectoryState.version).where(DirectoryState.id == 1)) or 0
            rows = session.execute(
                select(
                    DirectoryService.record,
                    DirectoryService.publisher,
                    DirectoryService.fictional,
                    DirectoryService.assured_on,
                    DirectoryService.staff_checked_on,
                ).execution_options(yield_per=INDEX_BATCH)
            )
            pool = Pool()
            return DirectoryIndex(
                (
                    entry_of_record(
                        json.loads(record),
                        publisher=publisher,
                        fictional=fictional,
                        last_checked=_last_checked(assured, staff),
                        pool=pool,
                    )
                    for record, publisher, fictional, assured, staff in rows
                ),
                version,
            )

    def get(self, service_id: str) -> StoredListing | None:
        found = self.get_many([service_id])
        return found.get(service_id)

    def get_many(self, ids: Sequence[str], *, with_documents: bool = True) -> dict[str, StoredListing]:
        """The listings with these ids; without their HSDS documents (the pages do not show them)."""
        if not ids:
            return {}
        # Which listings are read says where the person who will see them is: never logged.
        with unlogged(), self.database.transaction() as session:
            query = select(DirectoryService).where(DirectoryService.id.in_(list(ids)))
            if not with_documents:
                query = query.options(defer(DirectoryService.document))
            rows = session.scalars(query).all()
            return {row.id: self._stored(row, with_document=with_documents) for row in rows}

    @staticmethod
    def _stored(row: DirectoryService, *, with_document: bool = True) -> StoredListing:
        listing = from_record(json.loads(row.record), json.loads(row.document) if with_document else None)
        checked = _last_checked(row.assured_on, row.staff_checked_on)
        if checked != listing.last_checked:
            document = dict(listing.document)
            if with_document:
                document["assured_date"] = checked.isoformat() if checked else None
            listing = replace(listing, last_checked=checked, document=document)
        return StoredListing(
            listing, row.publisher, row.fictional, row.staff_checked_by, row.staff_checked_on, row.assured_on
        )

    def export(self, publisher: str | None = None) -> list[Listing]:
        return [stored.listing for stored in self.iterate(publisher)]

    def iterate(self, publisher: str | None = None) -> Iterator[StoredListing]:
        with self.database.transaction() as session:
            query = select(DirectoryService).where(self._scope(publisher)).order_by(DirectoryService.id)
            for row in session.scalars(query).yield_per(500):
                yield self._stored(row)

    def page(
        self,
        *,
        text: str = "",
        country: str | None = None,
        stale_before: date | None = None,
        limit: int = 50,
        offset: int = 0,
    ) -> tuple[list[StoredListing], int]:
        """Listings for the staff console: by name or organisation, country, or not checked since a date."""
        conditions = []
        if text:
            like = f"%{text.lower()}%"
            conditions.append(
                or_(
                    func.lower(DirectoryService.name).like(like),
                    func.lower(DirectoryService.organization_name).like(like),
                )
            )
        if country:
            conditions.append(DirectoryService.country == country)
        if stale_before:
            # Stale: neither the file's date nor a staff check is on or after the day.
            conditions.append(
                or_(DirectoryService.staff_checked_on.is_(None), DirectoryService.staff_checked_on < stale_before)
            )
            conditions.append(or_(DirectoryService.assured_on.is_(None), DirectoryService.assured_on < stale_before))
        with self.database.transaction() as session:
            total = session.scalar(select(func.count()).select_from(DirectoryService).where(*conditions)) or 0
            query = (
                select(DirectoryService)
                .where(*conditions)
                .order_by(DirectoryService.country, DirectoryService.name, DirectoryService.id)
                .limit(limit)
                .offset(offset)
            )
            return [self._stored(row) for row in session.scalars(query).all()], total

    # --- staff actions ------------------------------------------------------------------------

    def mark_checked(self, service_id: str, *, by: str, on: date) -> bool:
        with self.database.transaction() as session:
            done = session.execute(
                update(DirectoryService)
                .where(DirectoryService.id == service_id)
                .values(staff_checked_on=on, staff_checked_by=by)
            ).rowcount
            if done:
                audit(session, actor=by, action="directory_checked", target=service_id[:64], detail=on.isoformat())
                _bump(session)
            return bool(done)

    def imports(self, *, limit: int = 50) -> list[DirectoryImport]:
        with self.database.transaction() as session:
            query = select(DirectoryImport).order_by(DirectoryImport.at.desc(), DirectoryImport.id.desc()).limit(limit)
            return list(session.scalars(query).all())

    # --- problem reports ----------------------------------------------------------------------

    def report_problem(self, service_id: str, *, kind: str, note: str = "") -> bool:
        """False when no such listing is published (nothing is stored)."""
        if kind not in REPORT_KINDS:
            raise ValueError(f"unknown report kind {kind!r}")
        with unlogged(), self.database.transaction() as session:
            name = session.scalar(select(DirectoryService.name).where(DirectoryService.id == service_id))
            if name is None:
                return False
            session.add(
                DirectoryReport(
                    service_id=service_id,
                    service_name=name,
                    kind=kind,
                    note=note.strip()[:NOTE_LIMIT],
                    created_at=utcnow(),
                )
            )
            return True

    def reports(
        self, *, open_only: bool = True, service_id: str | None = None, limit: int = 100
    ) -> list[DirectoryReport]:
        with self.database.transaction() as session:
            query = select(DirectoryReport)
            if open_only:
                query = query.where(DirectoryReport.resolved_at.is_(None))
            if service_id:
                query = query.where(DirectoryReport.service_id == service_id)
            query = query.order_by(DirectoryReport.created_at.desc(), DirectoryReport.id.desc()).limit(limit)
            return list(session.scalars(query).all())

    def open_report_counts(self, service_ids: Sequence[str]) -> dict[str, int]:
        """How many open problem reports each of these listings has (listings with none are left out)."""
        if not service_ids:
            return {}
        with self.database.transaction() as session:
            query = (
                select(DirectoryReport.service_id, func.count())
                .where(DirectoryReport.service_id.in_(list(service_ids)), DirectoryReport.resolved_at.is_(None))
                .group_by(DirectoryReport.service_id)
            )
            return {service_id: count for service_id, count in session.execute(query).all()}

    def resolve_report(self, report_id: int, *, by: str) -> bool:
        with self.database.transaction() as session:
            done = session.execute(
                update(DirectoryReport)
                .where(DirectoryReport.id == report_id, DirectoryReport.resolved_at.is_(None))
                .values(resolved_at=utcnow(), resolved_by=by)
            ).rowcount
            if done:
                audit(session, actor=by, action="directory_report_resolved", target=str(report_id))
            return bool(done)
