"""One service as the wizard uses it, read from an HSDS 3.0 service (with its organisation,
locations, phones, schedules, languages, service areas and attributes).

`document` keeps the HSDS object exactly as published, so the API and the export give back what
was imported; the other fields are what matching and the pages need, worked out once at import.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date


@dataclass(frozen=True, slots=True)
class Phone:
    number: str  # E.164, checked by phonenumbers at import
    display: str  # as it is dialled in the country (national format)
    description: str = ""


@dataclass(frozen=True, slots=True)
class Site:
    """A physical place where the service is given (an HSDS location of type "physical")."""

    name: str
    address: str  # one line, as it would be written on an envelope
    latitude: float | None = None
    longitude: float | None = None
    accessibility: str = ""


@dataclass(frozen=True, slots=True)
class Listing:
    id: str  # the HSDS service id
    name: str
    organization_id: str
    organization_name: str
    description: str
    country: str  # ISO 3166-1 alpha-2 of the service's place or area
    # ISO 3166-2 codes of the regions it serves (service areas and site addresses).
    subdivisions: tuple[str, ...] = ()
    # Serves the whole country: a service area of the country itself, or given by phone or online.
    whole_country: bool = False
    remote: bool = False  # by telephone or online (a virtual location)
    url: str = ""
    email: str = ""
    phones: tuple[Phone, ...] = ()
    sites: tuple[Site, ...] = ()
    approaches: frozenset[str] = frozenset()  # approach ids (taxonomy terms) it offers
    attributes: frozenset[str] = frozenset()  # attribute codes (taxonomy.py)
    languages: tuple[str, ...] = ()  # language names as published
    hours: str = ""
    cost: str = ""
    minimum_age: int | None = None
    maximum_age: int | None = None
    last_checked: date | None = None  # HSDS assured_date
    document: dict = field(default_factory=dict, compare=False, repr=False)


def to_record(listing: Listing) -> dict:
    """The listing's fields as JSON-ready data (without the HSDS document, stored beside it)."""
    return {
        "id": listing.id,
        "name": listing.name,
        "organization_id": listing.organization_id,
        "organization_name": listing.organization_name,
        "description": listing.description,
        "country": listing.country,
        "subdivisions": list(listing.subdivisions),
        "whole_country": listing.whole_country,
        "remote": listing.remote,
        "url": listing.url,
        "email": listing.email,
        "phones": [[p.number, p.display, p.description] for p in listing.phones],
        "sites": [[s.name, s.address, s.latitude, s.longitude, s.accessibility] for s in listing.sites],
        "approaches": sorted(listing.approaches),
        "attributes": sorted(listing.attributes),
        "languages": list(listing.languages),
        "hours": listing.hours,
        "cost": listing.cost,
        "minimum_age": listing.minimum_age,
        "maximum_age": listing.maximum_age,
        "last_checked": listing.last_checked.isoformat() if listing.last_checked else None,
    }


def from_record(record: dict, document: dict | None = None) -> Listing:
    checked = record.get("last_checked")
    return Listing(
        id=record["id"],
        name=record["name"],
        organization_id=record["organization_id"],
        organization_name=record["organization_name"],
        description=record["description"],
        country=record["country"],
        subdivisions=tuple(record["subdivisions"]),
        whole_country=record["whole_country"],
        remote=record["remote"],
        url=record["url"],
        email=record["email"],
        phones=tuple(Phone(*p) for p in record["phones"]),
        sites=tuple(Site(*s) for s in record["sites"]),
        approaches=frozenset(record["approaches"]),
        attributes=frozenset(record["attributes"]),
        languages=tuple(record["languages"]),
        hours=record["hours"],
        cost=record["cost"],
        minimum_age=record["minimum_age"],
        maximum_age=record["maximum_age"],
        last_checked=date.fromisoformat(checked) if checked else None,
        document=document or {},
    )


def aged_to(listings: list[Listing], today: date) -> list[Listing]:
    """The listings with their checked dates moved so the newest is `today`, keeping their ages.

    For the fictional example directory: its dates say how old each listing is (one is stale on
    purpose), and the demo must look the same whichever day it is loaded."""
    dates = [listing.last_checked for listing in listings if listing.last_checked]
    if not dates:
        return list(listings)
    shift = today - max(dates)
    moved = []
    for listing in listings:
        if listing.last_checked is None:
            moved.append(listing)
            continue
        checked = listing.last_checked + shift
        document = {**listing.document, "assured_date": checked.isoformat()} if listing.document else listing.document
        moved.append(replace(listing, last_checked=checked, document=document))
    return moved
