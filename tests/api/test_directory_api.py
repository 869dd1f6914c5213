"""The service directory in the JSON API: services and the taxonomy in Open Referral HSDS 3.0 shapes.

Real responses are validated against the official HSDS 3.0 compiled schemas, read from the folder
named by the HSDS_REFERENCE_DIR environment variable (those tests are skipped without it), and
against the API's own OpenAPI document.
"""

from __future__ import annotations

import html
import json
import logging
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jsonschema_rs
import pytest

from tests.support.api import Contract
from tests.support.directory import a_published_listing
from tests.support.hsds_reference import hsds_reference_folder
from wizard.domain.directory.listing import Site
from wizard.domain.directory.taxonomy import TAXONOMY_ID, term_id
from wizard.storage.directory import DirectoryStore

BASE = "/api/v1"
PROBLEM = "application/problem+json"
PAGE_KEYS = ("total_items", "total_pages", "page_number", "size", "first_page", "last_page", "empty")
TODAY = datetime.now(UTC).date()
FRESH = TODAY - timedelta(days=10)
STALE = TODAY - timedelta(days=400)  # older than the default 12 months
COUNSELLING = "counselling-and-group-therapy"
MAT = "medication-assisted-treatment"
PEER = "peer-support-and-mentoring"
PORTO_TOWN = "2735943"  # GeoNames: Porto
LISBON_TOWN = "2267057"  # GeoNames: Lisbon


# --- the official schemas -------------------------------------------------------------------------


class Official:
    """Validators for the official HSDS 3.0 schemas (compiled, so each is self-contained)."""

    def __init__(self, folder: Path):
        compiled = folder / "schema" / "compiled"
        service = json.loads((compiled / "service.json").read_text())
        term = service["properties"]["attributes"]["items"]["properties"]["taxonomy_term"]
        page = json.loads((folder / "schema" / "openapi.json").read_text())["components"]["schemas"]["Page"]
        self.service = self._validator(service)
        self.service_list_item = self._validator(json.loads((compiled / "service_list.json").read_text()))
        self.taxonomy_term = self._validator(term)
        self.taxonomy = self._validator(term["properties"]["taxonomy_detail"])
        # HSDS's Page leaves its keys optional; every one of them is always in these answers.
        self.page = self._validator({**page, "required": list(PAGE_KEYS), "additionalProperties": False})

    @staticmethod
    def _validator(schema: dict):
        root = {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}
        return jsonschema_rs.validator_for(root, validate_formats=True)

    @staticmethod
    def check(validator, instance, what: str) -> None:
        errors = [f"{e.message} at {list(e.instance_path)}" for e in validator.iter_errors(instance)]
        assert not errors, f"{what}: " + "; ".join(errors[:5])

    def check_page(self, body: dict, item, what: str) -> None:
        self.check(self.page, {k: v for k, v in body.items() if k != "contents"}, what)
        assert isinstance(body["contents"], list)
        for number, content in enumerate(body["contents"]):
            self.check(item, content, f"{what}, item {number}")


@pytest.fixture(scope="module")
def official() -> Official:
    return Official(hsds_reference_folder())


# --- a directory to read ------------------------------------------------------------------------------


def _listings(taxonomy) -> dict:
    def listing(name, **fields):
        return a_published_listing(taxonomy, name, **fields)

    return {
        "porto": listing("Porto Counselling", subdivisions=("PT-13",), last_checked=FRESH, languages=("Portuguese",)),
        "lisbon": listing(
            "Lisbon Clinic",
            subdivisions=("PT-11",),
            sites=(Site("Lisbon Clinic", "2 Avenida Exemplo, 1000-001 Lisboa", 38.7223, -9.1393),),
            approaches=frozenset({MAT}),
            attributes=frozenset({"outpatient", "medication-methadone"}),
            hours="Monday to Friday, 08:00 to 18:00",
            last_checked=FRESH,
        ),
        "line": listing(
            "National Peer Line",
            subdivisions=(),
            whole_country=True,
            remote=True,
            sites=(),
            approaches=frozenset({PEER}),
            attributes=frozenset({"cost-free"}),
            last_checked=FRESH,
        ),
        "madrid": listing(
            "Madrid Grupo",
            country="ES",
            subdivisions=("ES-MD",),
            sites=(Site("Madrid Grupo", "Calle Ejemplo 3, 28001 Madrid", 40.4168, -3.7038),),
            phones=(),
            last_checked=FRESH,
        ),
        "stale": listing("Old Porto Group", subdivisions=("PT-13",), last_checked=STALE),
        "unchecked": listing("Never Checked", subdivisions=("PT-13",), last_checked=None),
    }


@pytest.fixture
def directory_app(app_with):
    """An app with its own database, the operator's directory above, and a partner's own listing."""
    app = app_with(database=True, DIRECTORY_SHOW_EXAMPLES=False)
    directory = app.extensions["services"].directory
    listings = _listings(directory.taxonomy)
    partner = a_published_listing(directory.taxonomy, "Partner Porto Drop-in", last_checked=FRESH)
    directory.store.publish(list(listings.values()), publisher=None, source="directory.json", by="operator")
    directory.store.publish([partner], publisher="example", source="partner.json", by="operator")
    app.listings = {**listings, "partner": partner}
    return app


@pytest.fixture
def api(directory_app):
    return directory_app.test_client()


def ids(app, *names: str) -> list[str]:
    return [app.listings[name].id for name in names]


def listed(api, query: str = "") -> list[str]:
    response = api.get(f"{BASE}/services?per_page=100{'&' if query else ''}{query}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return [item["id"] for item in response.get_json()["contents"]]


def problem(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == PROBLEM
    body = response.get_json(force=True)
    assert body["status"] == status and body["title"] and body["detail"]
    return body


PUBLIC = ("line", "lisbon", "madrid", "porto")


# --- the official shapes ---------------------------------------------------------------------------


def test_services_are_official_hsds_lists_and_services(directory_app, api, official):
    body = api.get(f"{BASE}/services").get_json()
    official.check_page(body, official.service_list_item, "GET /services")
    assert body["contents"], "nothing was checked"
    full = api.get(f"{BASE}/services?full=true&per_page=2").get_json()
    official.check_page(full, official.service, "GET /services?full=true")
    for name in PUBLIC:
        service_id = directory_app.listings[name].id
        response = api.get(f"{BASE}/services/{service_id}")
        assert response.status_code == 200 and response.mimetype == "application/json"
        official.check(official.service, response.get_json(), f"GET /services/{service_id}")


def test_the_taxonomy_is_official_hsds(api, official):
    document = api.get(f"{BASE}/taxonomy").get_json()
    official.check(official.taxonomy, document["taxonomy"], "GET /taxonomy: taxonomy")
    for term in document["terms"]:
        official.check(official.taxonomy_term, term, f"GET /taxonomy: term {term['code']}")
    official.check_page(api.get(f"{BASE}/taxonomy_terms").get_json(), official.taxonomy_term, "GET /taxonomy_terms")
    official.check_page(api.get(f"{BASE}/taxonomies").get_json(), official.taxonomy, "GET /taxonomies")
    official.check(official.taxonomy, api.get(f"{BASE}/taxonomies/{TAXONOMY_ID}").get_json(), "GET /taxonomies/id")
    term = api.get(f"{BASE}/taxonomy_terms/{term_id(MAT)}").get_json()
    official.check(official.taxonomy_term, term, "GET /taxonomy_terms/id")


def test_the_official_check_catches_a_broken_service(directory_app, api, official):
    good = api.get(f"{BASE}/services/{directory_app.listings['porto'].id}").get_json()
    assert official.service.is_valid(good)
    for broken in (
        {k: v for k, v in good.items() if k != "status"},
        {**good, "status": "open"},
        {**good, "id": "not-a-uuid"},
        {**good, "phones": [{"number": "1"}]},
    ):
        assert not official.service.is_valid(broken)


# --- our own OpenAPI document ------------------------------------------------------------------------


def test_every_directory_response_matches_the_openapi_document(directory_app, api):
    contract = Contract(api.get(f"{BASE}/openapi.json").get_json())
    porto = directory_app.listings["porto"].id
    for query in ("", "?country=PT&approach=" + COUNSELLING, "?full=true", "?page=9", "?per_page=0", "?colour=red"):
        contract.check(f"{BASE}/services", "get", api.get(f"{BASE}/services{query}"))
    for query in ("", "?partner=example", "?partner=nobody"):
        contract.check(f"{BASE}/services/{{id}}", "get", api.get(f"{BASE}/services/{porto}{query}"))
    contract.check(f"{BASE}/services/{{id}}", "get", api.get(f"{BASE}/services/{directory_app.listings['stale'].id}"))
    contract.check(f"{BASE}/taxonomy", "get", api.get(f"{BASE}/taxonomy"))
    contract.check(f"{BASE}/taxonomy", "get", api.get(f"{BASE}/taxonomy?lang=pt"))
    for query in ("", "?parent_id=" + term_id("approach"), "?page=x"):
        contract.check(f"{BASE}/taxonomy_terms", "get", api.get(f"{BASE}/taxonomy_terms{query}"))
        contract.check(f"{BASE}/taxonomies", "get", api.get(f"{BASE}/taxonomies{query}"))
    for term in (term_id(MAT), "nothing"):
        contract.check(f"{BASE}/taxonomy_terms/{{id}}", "get", api.get(f"{BASE}/taxonomy_terms/{term}"))
    for taxonomy in (TAXONOMY_ID, "nothing"):
        contract.check(f"{BASE}/taxonomies/{{id}}", "get", api.get(f"{BASE}/taxonomies/{taxonomy}"))
    documented = {
        (BASE + path, method)
        for path, item in contract.document["paths"].items()
        for method, operation in item.items()
        if "directory" in operation["tags"]
    }
    assert contract.checked == documented


# --- what the public may see ------------------------------------------------------------------------------


def test_only_fresh_listings_of_the_operator_are_listed(directory_app, api):
    assert listed(api) == sorted(ids(directory_app, *PUBLIC))
    for name in ("stale", "unchecked", "partner"):
        problem(api.get(f"{BASE}/services/{directory_app.listings[name].id}"), 404)


def test_a_partner_sees_its_own_listings_too(directory_app, api):
    assert listed(api, "partner=example") == sorted(ids(directory_app, *PUBLIC, "partner"))
    partner = directory_app.listings["partner"]
    assert api.get(f"{BASE}/services/{partner.id}?partner=example").get_json()["id"] == partner.id
    errors = problem(api.get(f"{BASE}/services?partner=nobody"), 400)["errors"]
    assert [e["field"] for e in errors] == ["partner"]


def test_a_staff_check_makes_a_stale_listing_public_with_its_date(directory_app):
    directory = directory_app.extensions["services"].directory
    stale = directory_app.listings["stale"]
    directory.store.mark_checked(stale.id, by="staff", on=TODAY)
    directory._checked_at = float("-inf")  # this process rereads the index now, not in a few seconds
    api = directory_app.test_client()
    assert stale.id in listed(api)
    assert api.get(f"{BASE}/services/{stale.id}").get_json()["assured_date"] == TODAY.isoformat()


@pytest.mark.parametrize("shown", [False, True])
def test_fictional_listings_only_where_examples_are_shown(app_with, shown):
    app = app_with(database=True, DIRECTORY_SHOW_EXAMPLES=shown)
    directory = app.extensions["services"].directory
    example = a_published_listing(directory.taxonomy, "Example Centre (fictional)", last_checked=FRESH)
    directory.store.publish([example], publisher=None, source="examples", by="operator", fictional=True)
    api = app.test_client()
    assert listed(api) == ([example.id] if shown else [])
    assert api.get(f"{BASE}/services/{example.id}").status_code == (200 if shown else 404)


def test_a_service_is_given_as_published(directory_app, api):
    lisbon = directory_app.listings["lisbon"]
    assert api.get(f"{BASE}/services/{lisbon.id}").get_json() == lisbon.document
    problem(api.get(f"{BASE}/services/no-such-service"), 404)
    problem(api.get(f"{BASE}/services/" + "x" * 5000), 404)


def test_the_list_gives_hsds_list_items_and_full_services_on_request(directory_app, api):
    lisbon = directory_app.listings["lisbon"]
    item = next(i for i in api.get(f"{BASE}/services").get_json()["contents"] if i["id"] == lisbon.id)
    assert item["name"] == "Lisbon Clinic" and item["organization"]["id"] == lisbon.organization_id
    assert "service_at_locations" not in item and "phones" not in item and "attributes" not in item
    contents = api.get(f"{BASE}/services?full=true&per_page=100").get_json()["contents"]
    assert next(i for i in contents if i["id"] == lisbon.id) == lisbon.document


# --- filters ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("country=PT", ("line", "lisbon", "porto")),
        ("country=pt", ("line", "lisbon", "porto")),
        ("country=ES", ("madrid",)),
        ("country=FR", ()),
        # A region: services that list it, and services for the whole country.
        ("region=PT-13", ("line", "porto")),
        ("region=PT-11", ("line", "lisbon")),
        ("region=ES-MD&country=ES", ("madrid",)),
        (f"approach={COUNSELLING}", ("madrid", "porto")),
        (f"approach={term_id(MAT)}", ("lisbon",)),
        (f"approach={MAT},{PEER}", ("line", "lisbon")),
        (f"approach={MAT}&approach={PEER}", ("line", "lisbon")),
        (f"approach={COUNSELLING}&country=PT", ("porto",)),
        (f"approach={COUNSELLING}&region=PT-11", ()),
    ],
)
def test_filters(directory_app, api, query, expected):
    assert listed(api, query) == sorted(ids(directory_app, *expected))


def test_near_sorts_by_distance_and_is_never_logged(directory_app, api, caplog):
    caplog.set_level(logging.DEBUG)
    assert listed(api, f"near={LISBON_TOWN}") == ids(directory_app, "lisbon", "porto", "madrid", "line")
    assert listed(api, f"near={PORTO_TOWN}") == ids(directory_app, "porto", "lisbon", "madrid", "line")
    assert listed(api, f"near={PORTO_TOWN}&country=PT") == ids(directory_app, "porto", "lisbon", "line")
    assert PORTO_TOWN not in caplog.text and LISBON_TOWN not in caplog.text
    body = problem(api.get(f"{BASE}/services?near=999999999"), 400)
    assert body["errors"][0]["field"] == "near" and "999999999" not in json.dumps(body)


# --- pages -------------------------------------------------------------------------------------------------


def test_pages(directory_app, api):
    everything = sorted(ids(directory_app, *PUBLIC))
    seen = []
    for number in (1, 2):
        body = api.get(f"{BASE}/services?per_page=3&page={number}").get_json()
        assert {k: body[k] for k in PAGE_KEYS} == {
            "total_items": 4,
            "total_pages": 2,
            "page_number": number,
            "size": 3 if number == 1 else 1,
            "first_page": number == 1,
            "last_page": number == 2,
            "empty": False,
        }
        seen += [item["id"] for item in body["contents"]]
    assert seen == everything
    after = api.get(f"{BASE}/services?per_page=3&page=3").get_json()
    assert after["contents"] == [] and after["size"] == 0 and after["last_page"] and not after["empty"]
    none = api.get(f"{BASE}/services?country=FR").get_json()
    assert none["empty"] and none["total_items"] == 0 and none["total_pages"] == 0 and none["first_page"]
    assert api.get(f"{BASE}/services").get_json()["size"] == 4  # 20 a page unless asked


def test_only_the_pages_documents_are_read(directory_app, api, monkeypatch):
    store = directory_app.extensions["services"].directory.store
    asked = []
    get_many = store.get_many
    monkeypatch.setattr(store, "get_many", lambda wanted: asked.append(list(wanted)) or get_many(wanted))
    monkeypatch.setattr(store, "iterate", lambda *a, **k: pytest.fail("the whole directory was read"))
    assert len(api.get(f"{BASE}/services?per_page=2&page=2").get_json()["contents"]) == 2
    assert asked == [sorted(ids(directory_app, *PUBLIC))[2:]]


def test_a_directory_that_cannot_be_read_is_a_503_not_a_500(directory_app, api, monkeypatch):
    def down(*args, **kwargs):
        raise OSError("database is down")

    monkeypatch.setattr(DirectoryStore, "get_many", down)
    problem(api.get(f"{BASE}/services"), 503)
    problem(api.get(f"{BASE}/services/{directory_app.listings['porto'].id}"), 503)


# --- bad parameters ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("country=Portugal", "country"),
        ("country=ZZ", "country"),
        ("country=P%C3%9C", "country"),
        ("country=PT&country=ES", "country"),
        ("region=PT-99", "region"),
        ("region=13", "region"),
        ("region=ES-MD&country=PT", "region"),
        ("approach=secular", "approach"),  # an attribute, not an approach
        ("approach=no-such-thing", "approach"),
        ("approach=" + ",".join(["naloxone"] * 21), "approach"),
        ("approach=" + "a" * 5000, "approach"),
        ("near=Porto", "near"),
        ("near=" + "9" * 200, "near"),
        ("page=0", "page"),
        ("page=-1", "page"),
        ("page=1.5", "page"),
        ("page=%EF%BC%91", "page"),  # a full-width digit one
        ("page=99999999999999999999999999", "page"),
        ("per_page=101", "per_page"),
        ("per_page=", "per_page"),
        ("full=maybe", "full"),
        ("partner=%3Cscript%3E", "partner"),
        ("search=counselling", "search"),
        ("country=%00", "country"),
    ],
)
def test_bad_parameters_are_400_problems_naming_them(api, query, field):
    body = problem(api.get(f"{BASE}/services?{query}"), 400)
    assert [e["field"] for e in body["errors"]] == [field]
    assert body["type"].endswith("/api/v1/docs#invalid-request")


def test_every_bad_parameter_is_reported_at_once(api):
    body = problem(api.get(f"{BASE}/services?country=ZZ&page=0&approach=x&colour=red"), 400)
    assert {e["field"] for e in body["errors"]} == {"country", "page", "approach", "colour"}


@pytest.mark.parametrize(
    "url",
    [
        "/taxonomy?page=1",
        "/taxonomy_terms?per_page=1000",
        "/taxonomy_terms?page=abc",
        "/taxonomies?page=0",
        f"/taxonomy_terms/{term_id(MAT)}?x=1",
        "/services/abc?partner=nobody",
    ],
)
def test_bad_parameters_elsewhere_are_400_too(api, url):
    problem(api.get(BASE + url), 400)


# --- the taxonomy ---------------------------------------------------------------------------------------------


def test_the_taxonomy_has_a_term_for_each_service_approach_and_attribute(app, rulebook):
    api = app.test_client()
    document = api.get(f"{BASE}/taxonomy").get_json()
    assert document["taxonomy"]["id"] == TAXONOMY_ID
    terms = {term["code"]: term for term in document["terms"]}
    approaches = [a.id for a in rulebook.approaches if a.kind == "service"]
    assert set(approaches) < set(terms)
    assert all(terms[a]["parent_id"] == term_id("approach") for a in approaches)
    assert "parent_id" not in terms["approach"] and terms["secular"]["parent_id"] == term_id("attribute")
    assert not {a.id for a in rulebook.approaches if a.kind == "information"} & set(terms)
    listed_terms = api.get(f"{BASE}/taxonomy_terms?per_page=100").get_json()
    assert listed_terms["contents"] == document["terms"]
    under = api.get(f"{BASE}/taxonomy_terms?per_page=100&parent_id={term_id('approach')}").get_json()
    assert [t["code"] for t in under["contents"]] == approaches
    assert api.get(f"{BASE}/taxonomy_terms?taxonomy_id={term_id('x')}").get_json()["empty"]
    assert api.get(f"{BASE}/taxonomy_terms/{term_id(MAT)}").get_json() == terms[MAT]
    problem(api.get(f"{BASE}/taxonomy_terms/{term_id('nothing')}"), 404)
    assert api.get(f"{BASE}/taxonomies").get_json()["contents"] == [document["taxonomy"]]
    assert api.get(f"{BASE}/taxonomies/{TAXONOMY_ID}").get_json() == document["taxonomy"]
    problem(api.get(f"{BASE}/taxonomies/{term_id('nothing')}"), 404)


def test_the_documentation_page_describes_the_directory(directory_app, api):
    page = html.unescape(api.get(f"{BASE}/docs").get_data(as_text=True))
    for path in ("/api/v1/services", "/api/v1/taxonomy", "/api/v1/taxonomy_terms"):
        assert path in page
    assert "checked in the last 365 days" in page
    # The example works as shown.
    example = re.search(r"curl '[^']*?(/api/v1/services\?[^']*)'", page)
    assert example, "no curl example for the directory"
    assert api.get(example.group(1)).status_code == 200
