"""Listings for directory tests, made in code (the example files are read by the HSDS tests)."""

from __future__ import annotations

import uuid
from datetime import date

from wizard.domain.directory.listing import Listing, Phone, Site


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
