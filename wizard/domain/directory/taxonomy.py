"""This wizard's taxonomy, published in HSDS form so operators can tag their services with it.

One term per approach in the rules (its id is the code), and one per attribute below. Term ids are
UUIDs derived from the code (uuid5), so they never change between releases or instances and an
operator's file keeps working after an upgrade.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from wizard.domain.messages import N_

TAXONOMY_ID = str(uuid.uuid5(uuid.NAMESPACE_URL, "treatment-options-wizard/taxonomy"))
TAXONOMY_NAME = "treatment-options-wizard"
APPROACHES_PARENT = "approach"
ATTRIBUTES_PARENT = "attribute"

# code -> (group, name). The names are what the pages say a service offers.
ATTRIBUTES: dict[str, tuple[str, str]] = {
    "faith-based": ("faith", N_("Faith-based")),
    "secular": ("faith", N_("Not faith-based")),
    "inpatient": ("setting", N_("Stay at a centre (inpatient)")),
    "residential": ("setting", N_("Live in (residential)")),
    "outpatient": ("setting", N_("Live at home (outpatient)")),
    "medication-methadone": ("medication", N_("Methadone")),
    "medication-buprenorphine": ("medication", N_("Buprenorphine")),
    "medication-naltrexone": ("medication", N_("Naltrexone")),
    "harm-reduction-naloxone": ("harm_reduction", N_("Naloxone")),
    "harm-reduction-needle-exchange": ("harm_reduction", N_("Needle and syringe exchange")),
    "harm-reduction-supervised-consumption": ("harm_reduction", N_("Supervised consumption")),
    "women-only": ("who", N_("Women only")),
    "family-support": ("who", N_("Support for families")),
    "young-people": ("age", N_("Young people")),
    "adults": ("age", N_("Adults")),
    "cost-free": ("cost", N_("Free")),
    "cost-sliding-scale": ("cost", N_("Sliding scale (pay what you can)")),
    "cost-insurance": ("cost", N_("Insurance accepted")),
}

MEDICATION = frozenset(code for code, (group, _) in ATTRIBUTES.items() if group == "medication")
RESIDENTIAL = frozenset({"inpatient", "residential"})


def term_id(code: str) -> str:
    return str(uuid.uuid5(uuid.UUID(TAXONOMY_ID), code))


@dataclass(frozen=True, slots=True)
class Term:
    id: str
    code: str
    name: str
    description: str
    parent_id: str | None = None

    def hsds(self) -> dict:
        return {
            "id": self.id,
            "code": self.code,
            "name": self.name,
            "description": self.description,
            "parent_id": self.parent_id,
            "taxonomy": TAXONOMY_NAME,
            "taxonomy_id": TAXONOMY_ID,
            "language": "en",
        }


@dataclass(frozen=True)
class Taxonomy:
    terms: tuple[Term, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {t.id: t for t in self.terms})
        object.__setattr__(self, "_by_code", {t.code: t for t in self.terms})

    def by_id(self, term: str) -> Term | None:
        return self._by_id.get(term)

    def by_code(self, code: str) -> Term | None:
        return self._by_code.get(code)

    def is_approach(self, term: Term) -> bool:
        return term.parent_id == term_id(APPROACHES_PARENT)

    def hsds(self) -> dict:
        return {
            "id": TAXONOMY_ID,
            "name": TAXONOMY_NAME,
            "description": "The approaches and attributes of the treatment-options wizard.",
            "version": "1",
        }


def build_taxonomy(approaches) -> Taxonomy:
    """The taxonomy for these approaches (the rulebook's, in order); information-only approaches
    (policies and principles) are not services, so they have no term."""
    approach_root = Term(term_id(APPROACHES_PARENT), APPROACHES_PARENT, "Approach", "Treatment and support approaches.")
    attribute_root = Term(
        term_id(ATTRIBUTES_PARENT), ATTRIBUTES_PARENT, "Attribute", "What a service is like or who it is for."
    )
    terms = [approach_root, attribute_root]
    for approach in approaches:
        if approach.kind == "service":
            terms.append(Term(term_id(approach.id), approach.id, approach.name, approach.summary, approach_root.id))
    for code, (_group, name) in ATTRIBUTES.items():
        terms.append(Term(term_id(code), code, name, name, attribute_root.id))
    return Taxonomy(tuple(terms))
