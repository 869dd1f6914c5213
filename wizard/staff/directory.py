"""The service directory in the console: the listings, one listing, problem reports and imports.

Listings are operators' public information, so looking at them is not written to the audit
log; marking one as checked and resolving a report are (the store writes the events). What
staff type in the search box is never logged.

Service ids are free text from operators' files. In addresses they go through ServiceId:
a plain id (letters, digits, "-", "_", ".") is shown as it is, anything else (a slash, a
quote, a space, a letter outside ASCII, or an id that would read as one of this section's
own pages) as "~" and its UTF-8 in URL-safe base64, so every id has exactly one address.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlsplit

from flask import abort, g, redirect, render_template, request, session, url_for
from werkzeug.routing import BaseConverter, ValidationError

from wizard.domain.directory.listing import Listing
from wizard.domain.directory.taxonomy import ATTRIBUTES
from wizard.platform.services import services
from wizard.staff.auth import NOTICE, bp, pop_notice
from wizard.staff.presenters import mailto_href
from wizard.storage.directory import REPORT_KINDS, DirectoryStore, StoredListing

PER_PAGE = 50
REPORTS_SHOWN = 200
IMPORTS_SHOWN = 100
SEARCH_MAX = 100
COUNTRY = re.compile(r"^[A-Z]{2}$")
PLAIN_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,254}$")
# Addresses under /staff/directory/ that are pages, not listings.
OWN_PAGES = frozenset({"reports", "imports"})

REPORT_KIND_NAMES = {
    "closed": "Closed or no longer running",
    "wrong_number": "Wrong phone number",
    "wrong_details": "Wrong details (address, hours or other)",
    "other": "Something else",
}
assert set(REPORT_KIND_NAMES) == set(REPORT_KINDS)


class ServiceId(BaseConverter):
    """A service id in one path segment, whatever characters it holds."""

    def to_url(self, value: str) -> str:
        if PLAIN_ID.match(value) and value not in OWN_PAGES:
            return value
        return "~" + base64.urlsafe_b64encode(value.encode()).decode().rstrip("=")

    def to_python(self, value: str) -> str:
        if not value.startswith("~"):
            return value
        encoded = value[1:]
        try:
            return base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode()
        except (binascii.Error, UnicodeDecodeError, ValueError):
            raise ValidationError() from None


def _directory():
    return services().directory


def _store() -> DirectoryStore:
    return _directory().store


def _today() -> date:
    return datetime.now(UTC).date()


def _stale_before() -> date:
    """A listing last checked before this day is no longer shown to the public."""
    return _today() - timedelta(days=_directory().max_age_days)


def _max_age_months() -> int:
    return max(1, round(_directory().max_age_days * 12 / 365.25))


def _page_number(value: object) -> int:
    text = value if isinstance(value, str) else ""
    return int(text) if text.isascii() and text.isdigit() and 0 < len(text) < 7 else 1


def _country(value: object) -> str:
    text = value.strip().upper() if isinstance(value, str) else ""
    return text if COUNTRY.match(text) else ""


def _search_text(value: object) -> str:
    text = value if isinstance(value, str) else ""
    return "".join(ch for ch in text.strip()[:SEARCH_MAX] if ch.isprintable())


def publisher_label(publisher: str | None) -> str:
    if publisher is None:
        return "Operator"
    partner = services().partners.get(publisher)
    return f"Partner: {partner.name} ({publisher})" if partner else f"Partner: {publisher}"


def is_stale(checked: date | None, stale_before: date) -> bool:
    return checked is None or checked < stale_before


def web_href(url: str) -> str | None:
    """A website from an operator's file, as a link only when it is an ordinary web address."""
    parts = urlsplit(url.strip())
    return url.strip() if parts.scheme in ("http", "https") and parts.netloc else None


@dataclass(frozen=True)
class Row:
    stored: StoredListing
    stale: bool
    open_reports: int

    @property
    def listing(self) -> Listing:
        return self.stored.listing


@bp.get("/directory")
def directory():
    text = _search_text(request.args.get("q"))
    country = _country(request.args.get("country"))
    stale = request.args.get("stale") == "1"
    stale_before = _stale_before()
    page = _page_number(request.args.get("page"))
    store = _store()
    found, total = store.page(
        text=text,
        country=country or None,
        stale_before=stale_before if stale else None,
        limit=PER_PAGE,
        offset=(page - 1) * PER_PAGE,
    )
    pages = max(1, -(-total // PER_PAGE))
    if page > pages:
        page = pages
        found, total = store.page(
            text=text,
            country=country or None,
            stale_before=stale_before if stale else None,
            limit=PER_PAGE,
            offset=(page - 1) * PER_PAGE,
        )
    counts = store.open_report_counts([s.listing.id for s in found])
    rows = [Row(s, is_stale(s.listing.last_checked, stale_before), counts.get(s.listing.id, 0)) for s in found]
    countries = set(_directory().index().countries()) | ({country} if country else set())
    # Only the filters in use go into the page links; the search text is in the address of
    # a GET form, as staff typed it, and is never logged.
    filters = {"q": text or None, "country": country or None, "stale": "1" if stale else None}
    return render_template(
        "staff/directory.html",
        rows=rows,
        total=total,
        text=text,
        country=country,
        stale=stale,
        countries=sorted(countries),
        months=_max_age_months(),
        page=page,
        pages=pages,
        filters=filters,
        publisher_label=publisher_label,
        open_reports=len(store.reports(open_only=True, limit=REPORTS_SHOWN)),
        reports_max=REPORTS_SHOWN,
        notice=pop_notice(),
    )


def _approach_names(ids: frozenset[str]) -> list[str]:
    known = {a.id: str(a.name) for a in services().rulebook.approaches}
    named = sorted((known[i] for i in ids if i in known), key=str.casefold)
    return named + [f"{i} (not in the rules)" for i in sorted(ids) if i not in known]


def _attribute_names(codes: frozenset[str]) -> list[str]:
    named = [str(name) for code, (_group, name) in ATTRIBUTES.items() if code in codes]
    return named + [f"{code} (unknown attribute)" for code in sorted(codes) if code not in ATTRIBUTES]


@bp.get("/directory/<service_id:service_id>")
def directory_listing(service_id: str):
    stored = _store().get(service_id)
    if stored is None:
        abort(404)
    listing = stored.listing
    return render_template(
        "staff/directory_listing.html",
        stored=stored,
        listing=listing,
        stale=is_stale(listing.last_checked, _stale_before()),
        months=_max_age_months(),
        publisher=publisher_label(stored.publisher),
        approaches=_approach_names(listing.approaches),
        attributes=_attribute_names(listing.attributes),
        website=web_href(listing.url) if listing.url else None,
        email_href=mailto_href(listing.email) if listing.email else None,
        reports=_store().reports(open_only=False, service_id=listing.id, limit=REPORTS_SHOWN),
        kinds=REPORT_KIND_NAMES,
        today=_today(),
        notice=pop_notice(),
    )


@bp.post("/directory/<service_id:service_id>/checked")
def directory_mark_checked(service_id: str):
    if not _store().mark_checked(service_id, by=g.staff.username, on=_today()):
        abort(404)
    session[NOTICE] = "directory-checked"
    return redirect(url_for("staff.directory_listing", service_id=service_id), 303)


@bp.get("/directory/reports")
def directory_reports():
    show_all = request.args.get("show") == "all"
    store = _store()
    reports = store.reports(open_only=not show_all, limit=REPORTS_SHOWN)
    # A report outlives a listing removed by a later import: only listings still there are linked.
    listed = set(store.get_many(sorted({r.service_id for r in reports})))
    return render_template(
        "staff/directory_reports.html",
        reports=reports,
        listed=listed,
        show_all=show_all,
        shown_max=REPORTS_SHOWN,
        kinds=REPORT_KIND_NAMES,
        notice=pop_notice(),
    )


@bp.post("/directory/reports/<int:report_id>/resolve")
def directory_resolve_report(report_id: int):
    resolved = _store().resolve_report(report_id, by=g.staff.username)
    session[NOTICE] = "report-resolved" if resolved else "report-not-open"
    # Back where the button was: the listing's page (its id comes from the form, but the
    # address is always built here, within the console) or the list of reports.
    service_id = request.form.get("service_id", "")
    if request.form.get("back") == "listing" and service_id:
        return redirect(url_for("staff.directory_listing", service_id=service_id) + "#reports", 303)
    return redirect(url_for("staff.directory_reports"), 303)


@bp.get("/directory/imports")
def directory_imports():
    return render_template(
        "staff/directory_imports.html",
        imports=_store().imports(limit=IMPORTS_SHOWN),
        shown_max=IMPORTS_SHOWN,
        publisher_label=publisher_label,
    )


bp.add_app_template_filter(lambda day: f"{day.day} {day:%B %Y}" if day else "", "day")
