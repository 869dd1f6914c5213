"""Listings for directory tests, made in code (the example files are read by the HSDS tests), and
full HSDS 3.0 service documents for them."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date

from wizard.domain.directory.listing import Listing, Phone, Site
from wizard.domain.directory.taxonomy import Taxonomy


def a_listing(name: str = "Harbour Lane Recovery (fictional)", **fields) -> Listing:
    service_id = fields.pop("id", None) or str(uuid.uuid5(uuid.NAMESPACE_URL, f"test-listing/{name}"))
    values = {
        "id": service_id,
        "name": name,
        "organization_id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"test-org/{name}")),
        "organization_name": "Example Health Trust (fictional)",
        "description": "Counselling and groups for adults.",
        "country": "PT",
        "subdivisions": ("PT-13",),
        "url": "https://harbour-lane.example.org/",
        "phones": (Phone("+351220000000", "22 000 0000", "Reception"),),
        "sites": (Site("Harbour Lane", "1 Rua do Exemplo, 4000-000 Porto", 41.1496, -8.611),),
        "approaches": frozenset({"counselling-and-group-therapy"}),
        "attributes": frozenset({"secular", "outpatient"}),
        "last_checked": date(2026, 11, 1),
    }
    values.update(fields)
    values.setdefault("document", {"id": values["id"], "name": values["name"], "status": "active"})
    return Listing(**values)


def _id(*parts: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "test-hsds/" + "/".join(parts)))


def hsds_document(listing: Listing, taxonomy: Taxonomy) -> dict:
    """A full HSDS 3.0 service for the listing, nested as an HSDS API gives it (organization, phones,
    locations with addresses, service areas, languages, schedules and taxonomy attributes)."""
    sid = listing.id
    document: dict = {
        "id": sid,
        "organization_id": listing.organization_id,
        "name": listing.name,
        "description": listing.description,
        "status": "active",
        "organization": {
            "id": listing.organization_id,
            "name": listing.organization_name,
            "description": f"{listing.organization_name}: a made-up organisation for tests.",
            "website": "https://example.org",
        },
    }
    if listing.url:
        document["url"] = listing.url
    if listing.email:
        document["email"] = listing.email
    if listing.last_checked:
        document["assured_date"] = listing.last_checked.isoformat()
    if listing.minimum_age is not None:
        document["minimum_age"] = listing.minimum_age
    if listing.cost:
        document["fees_description"] = listing.cost
    document["phones"] = [
        {"id": _id(sid, "phone", str(n)), "service_id": sid, "number": phone.number, "description": phone.description}
        for n, phone in enumerate(listing.phones)
    ]
    areas = [listing.country] if listing.whole_country else list(listing.subdivisions)
    document["service_areas"] = [
        {"id": _id(sid, "area", area), "service_id": sid, "name": area, "extent": area, "extent_type": "text"}
        for area in areas
    ]
    locations = []
    for n, site in enumerate(listing.sites):
        location_id = _id(sid, "location", str(n))
        location = {
            "id": location_id,
            "location_type": "physical",
            "name": site.name,
            "organization_id": listing.organization_id,
            "addresses": [
                {
                    "id": _id(sid, "address", str(n)),
                    "location_id": location_id,
                    "address_1": site.address,
                    "city": site.address.rsplit(" ", 1)[-1],
                    "state_province": listing.subdivisions[0] if listing.subdivisions else listing.country,
                    "postal_code": "0000",
                    "country": listing.country,
                    "address_type": "physical",
                }
            ],
        }
        if site.latitude is not None:
            location["latitude"] = site.latitude
            location["longitude"] = site.longitude
        locations.append(
            {"id": _id(sid, "at", str(n)), "service_id": sid, "location_id": location_id, "location": location}
        )
    if listing.remote:
        location_id = _id(sid, "virtual")
        locations.append(
            {
                "id": _id(sid, "at", "virtual"),
                "service_id": sid,
                "location_id": location_id,
                "location": {"id": location_id, "location_type": "virtual", "name": "By telephone"},
            }
        )
    document["service_at_locations"] = locations
    document["languages"] = [
        {"id": _id(sid, "language", name), "service_id": sid, "name": name} for name in listing.languages
    ]
    if listing.hours:
        document["schedules"] = [{"id": _id(sid, "schedule"), "service_id": sid, "description": listing.hours}]
    attributes = []
    for code in sorted(listing.approaches) + sorted(listing.attributes):
        term = taxonomy.by_code(code)
        assert term is not None, f"{code} is not in the taxonomy"
        attributes.append(
            {
                "id": _id(sid, "attribute", code),
                "link_id": sid,
                "link_type": "service",
                "link_entity": "service",
                "taxonomy_term_id": term.id,
                "taxonomy_term": {k: v for k, v in term.hsds().items() if v is not None},
            }
        )
    document["attributes"] = attributes
    return document


def a_published_listing(taxonomy: Taxonomy, name: str = "Harbour Lane Recovery (fictional)", **fields) -> Listing:
    """A listing whose document is a full HSDS 3.0 service made from its own fields."""
    listing = a_listing(name, **fields)
    return replace(listing, document=hsds_document(listing, taxonomy))
