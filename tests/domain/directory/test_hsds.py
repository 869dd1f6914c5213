"""Reading, checking and writing HSDS 3.0 directories: the example, the official schema, round
trips, and one broken copy of the example per kind of bad input, each naming file, row and field."""

from __future__ import annotations

import csv
import io
import json
import shutil
import uuid
from datetime import date

import pytest

from wizard.domain.directory import hsds
from wizard.domain.directory.hsds import (
    Problem,
    example_addresses,
    read_json,
    read_path,
    read_tabular,
    to_json,
    to_tabular,
)
from wizard.domain.directory.taxonomy import TAXONOMY_ID, term_id

PORTO = "Example Recovery Centre Porto (fictional)"


@pytest.fixture(scope="module")
def tabular(taxonomy, examples):
    return read_tabular(examples, taxonomy)


@pytest.fixture(scope="module")
def from_json(taxonomy, examples):
    return read_json((examples / "directory.json").read_bytes(), taxonomy)


def by_name(reading):
    return {listing.name: listing for listing in reading.listings}


# --- the example ---------------------------------------------------------------------------------


def test_the_example_reads_without_problems_in_both_forms_and_gives_the_same_listings(tabular, from_json):
    assert tabular.problems == () and from_json.problems == ()
    assert len(tabular.listings) == 18
    assert tabular.listings == from_json.listings
    assert [listing.document for listing in tabular.listings] == [listing.document for listing in from_json.listings]
    skipped = [note for note in tabular.notes if note.startswith("Skipped")]
    assert skipped == [
        "Skipped Example Sober Living Denver (fictional): its status is 'temporarily closed', not 'active'."
    ]


def test_the_example_is_fictional_and_covers_what_the_pages_show(tabular):
    listings = by_name(tabular)
    assert all("(fictional)" in name for name in listings)
    assert all(example_addresses(listing) for listing in listings.values())
    assert {listing.country for listing in listings.values()} == {"PT", "GB", "US", "BR", "IN", "AU"}
    every = frozenset().union(*(listing.attributes for listing in listings.values()))
    for code in ("faith-based", "secular", "inpatient", "outpatient", "women-only", "harm-reduction-naloxone"):
        assert code in every
    assert {"medication-methadone", "medication-buprenorphine"} <= every
    porto = listings[PORTO]
    assert porto.country == "PT" and porto.subdivisions == ("PT-13",) and not porto.whole_country
    assert porto.sites[0].latitude == pytest.approx(41.1496)
    assert porto.sites[0].accessibility == "Step-free entrance and an accessible toilet."
    assert "medication-assisted-treatment" in porto.approaches and "medication-methadone" in porto.attributes
    assert porto.languages == ("Portuguese", "English")
    helpline = listings["Example National Helpline (fictional)"]
    assert helpline.remote and helpline.whole_country and helpline.country == "GB"
    assert helpline.phones[0].number == "+442079460999" and helpline.phones[0].display == "020 7946 0999"
    algarve = listings["Example Outreach Algarve (fictional)"]
    assert algarve.subdivisions == ("PT-08",) and algarve.sites == () and not algarve.whole_country
    stale = listings["Example Day Programme Leeds (fictional)"]
    assert stale.last_checked == date(2025, 3, 10)
    leeds = listings["Example Community Clinic Leeds (fictional)"]
    assert leeds.hours == "Mon, Tue, Wed, Thu, Fri 09:00–17:00"
    assert listings["Example Women's Recovery House (fictional)"].cost == "Per week: 350 GBP"
    assert listings["Example Youth Peer Support Delhi (fictional)"].minimum_age == 14


def test_every_example_document_is_a_valid_hsds_service(examples, service_validator, tabular):
    documents = json.loads((examples / "directory.json").read_text(encoding="utf-8"))
    for document in documents + [listing.document for listing in tabular.listings]:
        errors = [str(e) for e in service_validator.iter_errors(document)]
        assert errors == [], document["name"]


def test_the_example_files_follow_the_official_datapackage(examples, reference):
    official = json.loads((reference / "datapackage.json").read_text(encoding="utf-8"))
    resources = {r["path"]: r for r in official["resources"]}
    ours = json.loads((examples / "datapackage.json").read_text(encoding="utf-8"))
    for resource in ours["resources"]:
        fields = {f["name"]: f for f in resources[resource["path"]]["schema"]["fields"]}
        assert [f["name"] for f in resource["schema"]["fields"]] == list(fields), resource["path"]
        for f in resource["schema"]["fields"]:
            assert f["type"] == fields[f["name"]]["type"], (resource["path"], f["name"])
            required = fields[f["name"]].get("constraints", {}).get("required", False)
            assert f.get("constraints", {}).get("required", False) == required, (resource["path"], f["name"])
        with (examples / resource["path"]).open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        for n, row in enumerate(rows, 1):
            for name, spec in fields.items():
                if spec.get("constraints", {}).get("required"):
                    assert row[name], (resource["path"], n, name)


# --- round trips ---------------------------------------------------------------------------------


def test_a_tabular_export_reads_back_to_the_same_listings_and_documents(tabular, taxonomy):
    again = read_tabular(to_tabular(tabular.listings), taxonomy)
    assert again.problems == ()
    assert again.listings == tabular.listings
    assert [x.document for x in again.listings] == [x.document for x in tabular.listings]
    assert to_tabular(again.listings) == to_tabular(tabular.listings)


def test_a_json_export_reads_back_to_the_same_listings_and_documents(from_json, taxonomy):
    again = read_json(to_json(from_json.listings), taxonomy)
    assert again.problems == ()
    assert again.listings == from_json.listings
    assert [x.document for x in again.listings] == [x.document for x in from_json.listings]


def test_json_exported_as_tables_gives_the_same_listings(from_json, taxonomy, tmp_path):
    hsds.write_tabular(from_json.listings, tmp_path)
    assert read_path(tmp_path, taxonomy).listings == from_json.listings


# --- broken tabular files, one cell at a time ----------------------------------------------------


def edited(examples, tmp_path, file, row, column, value):
    """A copy of the example with one cell changed (row: 1-based data row)."""
    folder = tmp_path / "directory"
    shutil.copytree(examples, folder, ignore=shutil.ignore_patterns("*.json"))
    shutil.copy(examples / "datapackage.json", folder)
    path = folder / file
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    rows[row][rows[0].index(column)] = value
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8", newline="")
    return folder


def cell(examples, file, row, column):
    with (examples / file).open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return rows[row - 1][column]


def problems(reading):
    return [str(p) for p in reading.problems]


ELSEWHERE = str(uuid.uuid5(uuid.NAMESPACE_URL, "nowhere"))

CELLS = [
    (
        "services.csv",
        1,
        "assured_date",
        "2026-13-01",
        "services.csv, row 1, field assured_date: not a date (2026-13-01); write YYYY-MM-DD",
    ),
    (
        "services.csv",
        1,
        "assured_date",
        "",
        "services.csv, row 1, field assured_date: required: the date the listing was last checked (YYYY-MM-DD)",
    ),
    ("services.csv", 2, "name", "", "services.csv, row 2, field name: required, missing"),
    (
        "services.csv",
        1,
        "organization_id",
        ELSEWHERE,
        f"services.csv, row 1, field organization_id: no such organization ({ELSEWHERE}) in organizations.csv",
    ),
    (
        "services.csv",
        1,
        "url",
        "javascript:alert(1)",
        "services.csv, row 1, field url: not an https or http address (javascript:alert(1))",
    ),
    ("services.csv", 1, "url", "https://", "services.csv, row 1, field url: not a web address (https://)"),
    ("services.csv", 1, "email", "someone@", "services.csv, row 1, field email: not an email address (someone@)"),
    ("services.csv", 1, "minimum_age", "ten", "services.csv, row 1, field minimum_age: not a number (ten)"),
    (
        "organizations.csv",
        1,
        "website",
        "ftp://pt.example.org",
        "organizations.csv, row 1, field website: not an https or http address (ftp://pt.example.org)",
    ),
    (
        "service_at_location.csv",
        1,
        "location_id",
        ELSEWHERE,
        f"service_at_location.csv, row 1, field location_id: no such location ({ELSEWHERE}) in locations.csv",
    ),
    (
        "attributes.csv",
        1,
        "link_id",
        ELSEWHERE,
        f"attributes.csv, row 1, field link_id: no such service, location or organization ({ELSEWHERE})",
    ),
    (
        "attributes.csv",
        1,
        "taxonomy_term_id",
        ELSEWHERE,
        f"attributes.csv, row 1, field taxonomy_term_id: unknown taxonomy term ({ELSEWHERE}): not in taxonomy_terms.csv",
    ),
    (
        "phones.csv",
        1,
        "number",
        "020 7946 01",
        "phones.csv, row 1, field number: not a valid phone number for GB (020 7946 01)",
    ),
    (
        "locations.csv",
        1,
        "latitude",
        "91",
        "locations.csv, row 1, field latitude: not a latitude (-90 to 90): 91",
    ),
    (
        "locations.csv",
        1,
        "longitude",
        "",
        "locations.csv, row 1, field longitude: missing: give both longitude and latitude",
    ),
    ("locations.csv", 1, "latitude", "north", "locations.csv, row 1, field latitude: not a number (north)"),
    (
        "addresses.csv",
        1,
        "country",
        "XX",
        "addresses.csv, row 1, field country: not an ISO 3166-1 alpha-2 country code (XX)",
    ),
    (
        "service_areas.csv",
        1,
        "extent",
        "PT-99",
        "service_areas.csv, row 1, field extent: not an ISO 3166 country or region code (PT-99)",
    ),
    (
        "addresses.csv",
        1,
        "country",
        "ES",
        "services.csv, row 1, field service_areas: one country per service, this one has ES, PT",
    ),
    (
        "schedules.csv",
        1,
        "opens_at",
        "25:00",
        "schedules.csv, row 1, field opens_at: not a time of day (25:00); write HH:MM",
    ),
]


@pytest.mark.parametrize(("file", "row", "column", "value", "message"), CELLS, ids=[c[4][:60] for c in CELLS])
def test_one_bad_cell_gives_one_problem_naming_it(examples, tmp_path, taxonomy, file, row, column, value, message):
    reading = read_tabular(edited(examples, tmp_path, file, row, column, value), taxonomy)
    assert problems(reading) == [message]


def test_a_duplicate_id_in_a_file_and_across_files(examples, tmp_path, taxonomy):
    first = cell(examples, "services.csv", 1, "id")
    reading = read_tabular(edited(examples, tmp_path, "services.csv", 2, "id", first), taxonomy)
    assert f"services.csv, row 2, field id: duplicate id {first} (also row 1)" in problems(reading)
    shutil.rmtree(tmp_path / "directory")
    reading = read_tabular(edited(examples, tmp_path, "phones.csv", 1, "id", first), taxonomy)
    assert problems(reading) == [f"phones.csv, row 1, field id: duplicate id {first} (also services.csv, row 1)"]


def test_a_term_of_our_taxonomy_that_does_not_exist_is_an_error(examples, tmp_path, taxonomy):
    folder = edited(examples, tmp_path, "attributes.csv", 1, "taxonomy_term_id", ELSEWHERE)
    with (folder / "taxonomy_terms.csv").open("a", encoding="utf-8", newline="") as handle:
        handle.write(f"{ELSEWHERE},no-such-code,No such,No such,,treatment-options-wizard,en,{TAXONOMY_ID},\r\n")
    reading = read_tabular(folder, taxonomy)
    assert problems(reading) == [
        f"attributes.csv, row 1, field taxonomy_term_id: not a term of the wizard's taxonomy ({ELSEWHERE})"
    ]


def test_a_term_of_another_taxonomy_is_kept_in_the_document_and_ignored(examples, tmp_path, taxonomy, tabular):
    folder = edited(examples, tmp_path, "attributes.csv", 1, "taxonomy_term_id", ELSEWHERE)
    with (folder / "taxonomy_terms.csv").open("a", encoding="utf-8", newline="") as handle:
        handle.write(f"{ELSEWHERE},T-1,Other,Another scheme's term,,other-scheme,en,,\r\n")
    reading = read_tabular(folder, taxonomy)
    assert reading.problems == ()
    porto = by_name(reading)[PORTO]
    before = by_name(tabular)[PORTO]
    assert porto.approaches | porto.attributes < before.approaches | before.attributes
    assert porto.document["attributes"][0]["taxonomy_term"]["code"] == "T-1"


def test_a_missing_required_column_is_reported_once_and_stops_there(examples, tmp_path, taxonomy):
    folder = edited(examples, tmp_path, "services.csv", 0, "status", "state")
    reading = read_tabular(folder, taxonomy)
    assert problems(reading) == ["services.csv, field status: required column missing"]


def test_a_file_not_in_utf8_names_the_byte(examples, tmp_path, taxonomy):
    folder = edited(examples, tmp_path, "services.csv", 1, "description", "Caf\u00e9")
    data = (folder / "services.csv").read_bytes()
    offset = data.index("é".encode())
    (folder / "services.csv").write_bytes(data.replace("é".encode(), b"\xe9"))
    reading = read_tabular(folder, taxonomy)
    assert problems(reading) == [f"services.csv: not UTF-8 text (first bad byte at offset {offset}); save it as UTF-8"]


def test_a_byte_order_mark_is_fine(examples, tmp_path, taxonomy, tabular):
    folder = edited(examples, tmp_path, "services.csv", 1, "name", PORTO)
    (folder / "services.csv").write_bytes(b"\xef\xbb\xbf" + (folder / "services.csv").read_bytes())
    assert read_tabular(folder, taxonomy).listings == tabular.listings


def test_files_that_are_not_csv(examples, tmp_path, taxonomy):
    folder = edited(examples, tmp_path, "services.csv", 1, "name", PORTO)
    (folder / "services.csv").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    assert problems(read_tabular(folder, taxonomy)) == ["services.csv: not a CSV file (it holds binary data)"]
    header = (examples / "services.csv").read_text(encoding="utf-8").splitlines()[0]
    (folder / "services.csv").write_text(header + '\r\n"an unclosed quote,\r\n', encoding="utf-8")
    assert problems(read_tabular(folder, taxonomy)) == ["services.csv, row 1: not valid CSV (unexpected end of data)"]


def test_a_row_with_the_wrong_number_of_cells(examples, tmp_path, taxonomy):
    folder = edited(examples, tmp_path, "services.csv", 1, "name", PORTO)
    with (folder / "languages.csv").open("a", encoding="utf-8", newline="") as handle:
        handle.write("only,three,cells\r\n")
    rows = len((examples / "languages.csv").read_text(encoding="utf-8").splitlines())
    assert problems(read_tabular(folder, taxonomy)) == [
        f"languages.csv, row {rows}: has 3 cells, the header has 7 columns"
    ]


def test_the_datapackage_must_be_json_listing_the_files(examples, tmp_path, taxonomy):
    folder = edited(examples, tmp_path, "services.csv", 1, "name", PORTO)
    (folder / "datapackage.json").write_text("{not json", encoding="utf-8")
    assert problems(read_tabular(folder, taxonomy)) == [
        "datapackage.json: not valid JSON: Expecting property name enclosed in double quotes (line 1, column 2)"
    ]
    (folder / "datapackage.json").write_text('{"name": "x"}', encoding="utf-8")
    assert problems(read_tabular(folder, taxonomy)) == [
        "datapackage.json, field resources: expected a list of resources (one per CSV file)"
    ]
    (folder / "datapackage.json").unlink()
    assert problems(read_tabular(folder, taxonomy)) == [
        "datapackage.json: missing: the folder needs a datapackage.json listing its files"
    ]


def test_missing_files_and_unknown_files(examples, tmp_path, taxonomy):
    folder = edited(examples, tmp_path, "services.csv", 1, "name", PORTO)
    (folder / "notes.txt").write_text("hello", encoding="utf-8")
    reading = read_tabular(folder, taxonomy)
    assert reading.problems == () and "Ignored notes.txt: this wizard does not read it." in reading.notes
    for optional in ("phones.csv", "schedules.csv", "accessibility.csv"):
        (folder / optional).unlink()
    assert "datapackage.json, field resources[12].path: accessibility.csv is listed but missing" in problems(
        read_tabular(folder, taxonomy)
    )
    (folder / "datapackage.json").write_bytes(hsds.datapackage().replace(b"accessibility.csv", b"other.csv"))
    (folder / "organizations.csv").unlink()
    assert "organizations.csv: missing: a directory needs services.csv and organizations.csv" in problems(
        read_tabular(folder, taxonomy)
    )


def test_the_size_limits(examples, tmp_path, taxonomy, monkeypatch):
    folder = edited(examples, tmp_path, "services.csv", 1, "name", PORTO)
    monkeypatch.setattr(hsds, "MAX_ROWS", 5)
    assert "services.csv: too many rows; the limit is 5 rows per file" in problems(read_tabular(folder, taxonomy))
    monkeypatch.setattr(hsds, "MAX_BYTES", 10_000)
    reading = read_tabular(folder, taxonomy)
    assert len(reading.problems) == 1
    assert reading.problems[0].message == "the files are too large together; the limit is 10,000 bytes"
    monkeypatch.setattr(hsds, "MAX_JSON_BYTES", 10_000)
    assert problems(read_json(b" " * 10_001, taxonomy)) == [
        "directory.json: too large (10,001 bytes); the limit is 10,000 bytes"
    ]


def test_every_problem_is_collected_up_to_the_cap(examples, tmp_path, taxonomy, monkeypatch):
    folder = tmp_path / "many"
    shutil.copytree(examples, folder)
    text = (folder / "services.csv").read_text(encoding="utf-8")
    (folder / "services.csv").write_text(text.replace(",2026-09-15,", ",2026-09-31,"), encoding="utf-8")
    reading = read_tabular(folder, taxonomy)
    assert len(reading.problems) == 18 and reading.more == 0
    monkeypatch.setattr(hsds, "MAX_PROBLEMS", 5)
    reading = read_tabular(folder, taxonomy)
    assert len(reading.problems) == 5 and reading.more == 13
    assert reading.report()[-1] == "and 13 more problems"
    # Only the services without a problem are given (and nothing is published while there is one).
    assert [listing.name for listing in reading.listings] == ["Example Day Programme Leeds (fictional)"]


# --- the JSON form -------------------------------------------------------------------------------


def documents(examples):
    return json.loads((examples / "directory.json").read_text(encoding="utf-8"))


def read(docs, taxonomy):
    return read_json(json.dumps(docs).encode(), taxonomy)


def test_json_problems_name_the_service_and_the_path(examples, taxonomy):
    docs = documents(examples)
    docs[0]["service_at_locations"][0]["location"]["addresses"][0]["country"] = "Portugal"
    docs[1]["attributes"][0] = {"id": ELSEWHERE, "taxonomy_term": {"code": "no-such", "taxonomy_id": TAXONOMY_ID}}
    del docs[2]["organization"]
    docs[3]["phones"] = [{"id": ELSEWHERE, "number": "12"}]
    docs[4] = "a service"
    docs[5]["id"] = docs[6]["id"]
    assert problems(read(docs, taxonomy)) == [
        "directory.json, row 1, field service_at_locations[0].location.addresses[0].country: "
        "not an ISO 3166-1 alpha-2 country code (Portugal)",
        "directory.json, row 2, field attributes[0].taxonomy_term_id: not a term of the wizard's taxonomy (no-such)",
        "directory.json, row 3, field organization: missing: every service needs its organisation",
        "directory.json, row 4, field phones[0].number: not a valid phone number for PT (12)",
        "directory.json, row 5: not an HSDS service object",
        f"directory.json, row 7, field id: duplicate id {docs[6]['id']} (also service 6)",
    ]


def test_json_terms_by_code_and_terms_of_other_taxonomies(examples, taxonomy):
    docs = documents(examples)
    docs[0]["attributes"] = [
        {"id": str(uuid.uuid4()), "taxonomy_term": {"code": "women-only"}},
        {"id": str(uuid.uuid4()), "taxonomy_term": {"code": "women-only", "taxonomy_id": ELSEWHERE}},
        {"id": str(uuid.uuid4()), "taxonomy_term_id": term_id("detox")},
        {"id": str(uuid.uuid4()), "taxonomy_term_id": ELSEWHERE, "taxonomy_term": {"id": ELSEWHERE, "code": "X"}},
    ]
    reading = read(docs, taxonomy)
    assert reading.problems == ()
    porto = reading.listings[0]
    assert porto.attributes == {"women-only"} and porto.approaches == {"detox"}
    assert porto.document["attributes"][3]["taxonomy_term"]["code"] == "X"


def test_json_shapes(examples, taxonomy, from_json):
    docs = documents(examples)
    assert read_json(json.dumps({"contents": docs, "page": 1}).encode(), taxonomy).listings == from_json.listings
    assert problems(read_json(b"[1, 2", taxonomy)) == [
        "directory.json: not valid JSON: Expecting ',' delimiter (line 1, column 6)"
    ]
    assert problems(read_json(b'{"services": []}', taxonomy)) == [
        "directory.json: expected a list of HSDS services, or an object with a 'contents' list"
    ]
    assert problems(read_json(b'["\xff"]', taxonomy)) == [
        "directory.json: not UTF-8 text (first bad byte at offset 2); save it as UTF-8"
    ]


def test_a_service_needs_a_country_and_only_one(examples, taxonomy):
    docs = documents(examples)
    algarve = next(d for d in docs if d["name"] == "Example Outreach Algarve (fictional)")
    algarve["service_areas"].append({"id": ELSEWHERE, "extent": "ES", "extent_type": "text"})
    helpline = next(d for d in docs if d["name"] == "Example National Helpline (fictional)")
    helpline["service_areas"] = [{"id": ELSEWHERE, "extent": "A bit of everywhere", "extent_type": "geojson"}]
    assert problems(read(docs, taxonomy)) == [
        "directory.json, row 4, field service_areas: one country per service, this one has ES, PT",
        "directory.json, row 8, field service_areas: no country: give a service area (ISO 3166 code) or an address",
    ]


def test_problem_text():
    assert str(Problem("services.csv", 12, "assured_date", "not a date (2026-13-01)")) == (
        "services.csv, row 12, field assured_date: not a date (2026-13-01)"
    )
    assert str(Problem("datapackage.json", None, None, "missing")) == "datapackage.json: missing"


def test_example_addresses_are_found(tabular):
    listing = tabular.listings[0]
    assert example_addresses(listing) == [
        "https://pt.example.org/porto",
        "https://pt.example.org",
        "contact@pt.example.org",
    ]
    assert hsds.url_problem("https://treatment.example.com.evil.test/") is None


def test_read_path_refuses_other_files(tmp_path, taxonomy):
    (tmp_path / "list.xlsx").write_bytes(b"PK")
    assert problems(read_path(tmp_path / "list.xlsx", taxonomy)) == [
        "list.xlsx: expected a folder with datapackage.json, or a .json file"
    ]
