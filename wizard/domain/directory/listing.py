"""One service as the wizard uses it, read from an HSDS 3.0 service (with its organisation,
locations, phones, schedules, languages, service areas and attributes).

`document` keeps the HSDS object exactly as published, so the API and the export give back what
was imported; the other fields are what matching and the pages need, worked out once at import.
"""

from __future__ import annotations

from dataclasses import dataclass, field
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
