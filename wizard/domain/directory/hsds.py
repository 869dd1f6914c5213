"""Reading, checking and writing a service directory in Open Referral HSDS 3.0, in its two forms:

- JSON: a list of HSDS service objects (the `service_full` shape: organisation, locations, phones,
  schedules, languages, service areas, attributes and cost options nested in each service), or an
  object whose `contents` is that list (the shape of a page of the HSDS API);
- tabular: `datapackage.json` and one CSV file per HSDS object (services.csv, organizations.csv ...).

Both give a `Reading`: the listings, every problem found (file, row, field and what is wrong: one
message per problem, all of them, not only the first) and notes (what was skipped and why, which
is not an error). A directory with any problem is not published. The conventions (where a service
is, how it is tagged, what is required) are described in docs/directory.md.

`to_json` and `to_tabular` write listings back: reading what they write gives the same listings
and, in the same form, the same documents. Pure: no web framework, no database.
"""

from __future__ import annotations

import csv
import gc
import io
import json
import math
from collections.abc import Callable, Iterable, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

import phonenumbers
from email_validator import EmailNotValidError, validate_email

from wizard.domain.directory.listing import Listing, Phone, Site
from wizard.domain.directory.taxonomy import APPROACHES_PARENT, TAXONOMY_ID, TAXONOMY_NAME, Taxonomy, term_id

MAX_BYTES = 100 * 1024 * 1024  # a whole directory, all its files together (~70,000 services)
# The JSON form repeats each organisation and taxonomy term in every service that has it.
MAX_JSON_BYTES = 250 * 1024 * 1024
MAX_ROWS = 500_000  # rows in one CSV file (attributes.csv is the longest: several per service)
MAX_PROBLEMS = 200  # problems kept and reported; the rest are counted
JSON_NAME = "directory.json"
DATAPACKAGE = "datapackage.json"

# The CSV files read, with their columns (HSDS 3.0 tabular form), in the order they are written.
# A trailing "*" marks a required column; ":n" a number, ":d" a date, ":t" a time of day, ":s" a
# date and time.
_SPEC = {
    "organizations.csv": "id* name* alternate_name description* email website tax_status tax_id "
    "year_incorporated:n legal_status logo uri parent_organization_id",
    "services.csv": "id* organization_id* program_id name* alternate_name description url email status* "
    "interpretation_services application_process fees_description wait_time fees accreditations "
    "eligibility_description minimum_age:n maximum_age:n assured_date:d assurer_email licenses alert "
    "last_modified:s",
    "locations.csv": "id* location_type* url organization_id name alternate_name description transportation "
    "latitude:n longitude:n external_identifier external_identifier_type",
    "service_at_location.csv": "id* service_id* location_id* description",
    "addresses.csv": "id* location_id attention address_1* address_2 city* region state_province* "
    "postal_code* country* address_type*",
    "phones.csv": "id* location_id service_id organization_id contact_id service_at_location_id number* "
    "extension:n type description",
    "schedules.csv": "id* service_id location_id service_at_location_id valid_from:d valid_to:d dtstart:d "
    "timezone:n until:d count:n wkst freq interval:n byday byweekno bymonthday byyearday description "
    "opens_at:t closes_at:t schedule_link attending_type notes",
    "languages.csv": "id* service_id location_id phone_id name code note",
    "service_areas.csv": "id* service_id name description extent extent_type uri",
    "attributes.csv": "id* link_id* taxonomy_term_id* link_type link_entity* value",
    "taxonomy_terms.csv": "id* code name* description* parent_id taxonomy language taxonomy_id term_uri",
    "cost_options.csv": "id* service_id* valid_from:d valid_to:d option currency amount:n amount_description",
    "accessibility.csv": "id* location_id description details url",
}


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    required: bool
    kind: str  # "" (text), "n" (number), "d" (date), "t" (time)


def _columns(spec: str) -> tuple[Column, ...]:
    out = []
    for word in spec.split():
        name, _, kind = word.partition(":")
        out.append(Column(name.rstrip("*"), name.endswith("*"), kind))
    return tuple(out)


COLUMNS: dict[str, tuple[Column, ...]] = {name: _columns(spec) for name, spec in _SPEC.items()}
REQUIRED_FILES = ("services.csv", "organizations.csv")
# HSDS files this wizard does not read: ignored with a note, like any other file.
_DAYS = {"MO": "Mon", "TU": "Tue", "WE": "Wed", "TH": "Thu", "FR": "Fri", "SA": "Sat", "SU": "Sun"}
_EXAMPLE_DOMAINS = ("example.org", "example.com", "example.net")


@dataclass(frozen=True, slots=True)
class Problem:
    file: str
    row: int | None  # 1-based data row (the header is not counted); in JSON, the n-th service
    field: str | None
    message: str

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.field:
            where.append(f"field {self.field}")
        return f"{', '.join(where)}: {self.message}"


@dataclass(frozen=True, slots=True)
class Reading:
    listings: tuple[Listing, ...] = ()
    problems: tuple[Problem, ...] = ()  # at most MAX_PROBLEMS; `more` counts the others
    notes: tuple[str, ...] = ()
    more: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    def report(self) -> list[str]:
        """One line per problem, then "and N more problems" when some were left out."""
        lines = [str(p) for p in self.problems]
        if self.more:
            lines.append(f"and {self.more} more problems")
        return lines


class _Problems:
    def __init__(self) -> None:
        self.kept: list[Problem] = []
        self.seen: set[Problem] = set()
        self.more = 0
        self.count = 0  # every problem found, including repeats

    def add(self, file: str, row: int | None, field_: str | None, message: str) -> None:
        self.count += 1
        problem = Problem(file, row, field_, message)
        if problem in self.seen:  # a location shared by several services is checked once per service
            return
        self.seen.add(problem)
        if len(self.kept) < MAX_PROBLEMS:
            self.kept.append(problem)
        else:
            self.more += 1

    def __bool__(self) -> bool:
        return bool(self.kept)


# --- look-ups, built once ------------------------------------------------------------------------


@cache
def _countries() -> frozenset[str]:
    import pycountry

    return frozenset(c.alpha_2 for c in pycountry.countries)


@cache
def _subdivisions() -> frozenset[str]:
    import pycountry

    return frozenset(s.code for s in pycountry.subdivisions)


def country_code(value: str) -> str | None:
    return value if value in _countries() else None


def subdivision_code(value: str) -> str | None:
    return value if value in _subdivisions() else None


@cache
def _phone(number: str, region: str) -> tuple[str, str] | None:
    try:
        parsed = phonenumbers.parse(number, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    return (
        phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164),
        phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL),
    )


def url_problem(value: str) -> str | None:
    """Why this is not a web address people can be sent to (https or http, with a host)."""
    try:
        parts = urlsplit(value)
    except ValueError:
        return f"not a web address ({value})"
    if parts.scheme not in ("https", "http"):
        return f"not an https or http address ({value})"
    if not parts.hostname or len(value.split(maxsplit=1)) != 1:
        return f"not a web address ({value})"
    return None


@cache
def email_problem(value: str) -> str | None:
    try:
        validate_email(value, check_deliverability=False)
    except EmailNotValidError:
        return f"not an email address ({value})"
    return None


def _date(value: str) -> date | None:
    if len(value) != 10 or value[4] != "-" or value[7] != "-":
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _time(value: str) -> bool:
    if len(value) not in (5, 8) or value[2] != ":":
        return False
    try:
        time.fromisoformat(value)
    except ValueError:
        return False
    return True


def _number(value: str) -> int | float | None:
    try:
        return int(value)
    except ValueError:
        pass
    try:
        number = float(value)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


@contextmanager
def _no_cycle_collection():
    """Reading makes millions of small objects and no reference cycles: the cycle collector would
    walk them again and again (a third of the time for 50,000 services). Reference counting still
    frees everything; the collector runs again afterwards."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


# --- from an HSDS service document to a Listing (both forms) -------------------------------------

# Where a problem is: (object, path of the object in its document, field) -> (file, row, field).
Where = Callable[[dict, str, str], tuple[str, int | None, str]]


class _Builder:
    def __init__(
        self,
        taxonomy: Taxonomy,
        problems: _Problems,
        notes: list[str],
        *,
        tabular: bool = False,
        failed: set[tuple[int, str]] | None = None,
    ) -> None:
        self.failed = failed or set()  # (id of a row, column) of the cells that could not be read
        self.tabular = tabular  # an unknown organisation is then already reported, by its id
        self.taxonomy = taxonomy
        self.problems = problems
        self.notes = notes
        self.approach_parent = term_id(APPROACHES_PARENT)

    def build(self, doc: dict, where: Where) -> Listing | None:
        before = self.problems.count
        self.where = where
        fail = self.fail
        service_id = _text(doc.get("id"))
        name = _text(doc.get("name"))
        for key, value in (("id", service_id), ("name", name)):
            if not value:
                fail(doc, "", key, "required, missing")
        status = _text(doc.get("status"))
        if status != "active":
            if not status:
                fail(doc, "", "status", "required, missing")
            else:
                self.notes.append(f"Skipped {name or service_id}: its status is {status!r}, not 'active'.")
            return None
        org = doc.get("organization")
        if not isinstance(org, dict):
            if self.tabular:
                self.problems.count += 1  # already reported: a missing or unknown organization_id
            else:
                fail(doc, "", "organization", "missing: every service needs its organisation")
            org = {}
        org_id, org_name = _text(org.get("id")), _text(org.get("name"))
        if org and not org_id:
            fail(org, "organization", "id", "required, missing")
        if org and not org_name:
            fail(org, "organization", "name", "required, missing")
        url = self._url(doc, "", "url")
        email = self._email(doc, "", "email")
        self._url(org, "organization", "website")
        self._email(org, "organization", "email")
        assured = doc.get("assured_date")
        last_checked = _date(assured) if isinstance(assured, str) else None
        if assured in (None, ""):
            fail(doc, "", "assured_date", "required: the date the listing was last checked (YYYY-MM-DD)")
        elif last_checked is None:
            fail(doc, "", "assured_date", f"not a date ({assured})")
        ages = [self._age(doc, key) for key in ("minimum_age", "maximum_age")]

        countries: set[str] = set()
        subdivisions: list[str] = []
        whole_country = remote = False
        for i, area in self._items(doc, "", "service_areas"):
            path = f"service_areas[{i}]"
            if _text(area.get("extent_type")) != "text":
                continue
            extent = _text(area.get("extent"))
            if country_code(extent):
                countries.add(extent)
                whole_country = True
            elif subdivision_code(extent):
                countries.add(extent[:2])
                subdivisions.append(extent)
            else:
                fail(area, path, "extent", f"not an ISO 3166 country or region code ({extent})")
        sites: list[Site] = []
        located: list[tuple[dict, str]] = []  # every location, for phones and schedules
        for i, sal in self._items(doc, "", "service_at_locations"):
            path = f"service_at_locations[{i}]"
            location = sal.get("location")
            if not isinstance(location, dict):
                fail(sal, path, "location", "missing: the location object")
                continue
            lpath = f"{path}.location"
            located.append((sal, path))
            located.append((location, lpath))
            kind = _text(location.get("location_type"))
            if kind == "virtual":
                remote = True
                self._url(location, lpath, "url")
                continue
            if kind not in ("physical", "postal"):
                fail(location, lpath, "location_type", f"not physical, postal or virtual ({kind or 'missing'})")
                continue
            self._url(location, lpath, "url")
            address = ""
            for j, addr in self._items(location, lpath, "addresses"):
                apath = f"{lpath}.addresses[{j}]"
                country = _text(addr.get("country"))
                if country_code(country):
                    countries.add(country)
                else:
                    fail(addr, apath, "country", f"not an ISO 3166-1 alpha-2 country code ({country or 'missing'})")
                region = _text(addr.get("state_province"))
                if subdivision_code(region) and region[:2] == country:
                    subdivisions.append(region)
                if not address:
                    parts = (_text(addr.get("address_1")), _text(addr.get("address_2")))
                    town = f"{_text(addr.get('postal_code'))} {_text(addr.get('city'))}".strip()
                    address = ", ".join(p for p in (*parts, town) if p)
            coordinates = self._coordinates(location, lpath)
            if kind == "physical":
                access = [_text(a.get("description")) for _j, a in self._items(location, lpath, "accessibility")]
                sites.append(
                    Site(
                        name=_text(location.get("name")) or org_name or name,
                        address=address,
                        latitude=coordinates[0],
                        longitude=coordinates[1],
                        accessibility="; ".join(a for a in access if a),
                    )
                )
        country = ""
        if len(countries) > 1:
            fail(doc, "", "service_areas", f"one country per service, this one has {', '.join(sorted(countries))}")
        elif not countries:
            fail(doc, "", "service_areas", "no country: give a service area (ISO 3166 code) or an address")
        else:
            country = countries.pop()

        # Without its country a number cannot be checked; the missing country is reported already.
        phones = self._phones(doc, located, country) if country else ()
        approaches, attributes = self._tags(doc)
        languages = tuple(
            _text(lang.get("name")) for _i, lang in self._items(doc, "", "languages") if _text(lang.get("name"))
        )
        if self.problems.count > before:
            return None
        return Listing(
            id=service_id,
            name=name,
            organization_id=org_id,
            organization_name=org_name,
            description=_text(doc.get("description")),
            country=country,
            subdivisions=tuple(dict.fromkeys(subdivisions)),
            whole_country=whole_country or remote,
            remote=remote,
            url=url,
            email=email,
            phones=phones,
            sites=tuple(sites),
            approaches=approaches,
            attributes=attributes,
            languages=languages,
            hours=self._hours(doc, located),
            cost=self._cost(doc),
            minimum_age=ages[0],
            maximum_age=ages[1],
            last_checked=last_checked,
            document=doc,
        )

    def fail(self, obj: dict, path: str, key: str, message: str) -> None:
        if (id(obj), key) in self.failed:  # a cell already reported as unreadable
            self.problems.count += 1
        else:
            self.problems.add(*self.where(obj, path, key), message)

    def _items(self, obj: dict, path: str, key: str) -> Iterable[tuple[int, dict]]:
        value = obj.get(key)
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            self.fail(obj, path, key, "not a list of objects")
            return ()
        return enumerate(value)

    def _url(self, obj: dict, path: str, key: str) -> str:
        value = obj.get(key)
        if value in (None, ""):
            return ""
        problem = url_problem(value) if isinstance(value, str) else "not text"
        if problem:
            self.fail(obj, path, key, problem)
            return ""
        return value.strip()

    def _email(self, obj: dict, path: str, key: str) -> str:
        value = obj.get(key)
        if value in (None, ""):
            return ""
        problem = email_problem(value.strip()) if isinstance(value, str) else "not text"
        if problem:
            self.fail(obj, path, key, problem)
            return ""
        return value.strip()

    def _age(self, doc: dict, key: str) -> int | None:
        value = doc.get(key)
        if value is None:
            return None
        if not _is_number(value) or value < 0 or value > 150:
            self.fail(doc, "", key, f"not an age in years ({value})")
            return None
        return int(value)

    def _coordinates(self, location: dict, path: str) -> tuple[float | None, float | None]:
        lat, lon = location.get("latitude"), location.get("longitude")
        if lat is None and lon is None:
            return None, None
        ok = True
        for key, value, limit in (("latitude", lat, 90), ("longitude", lon, 180)):
            if value is None:
                other = "longitude" if key == "latitude" else "latitude"
                self.fail(location, path, key, f"missing: give both {key} and {other}")
                ok = False
            elif not _is_number(value) or not -limit <= value <= limit:
                self.fail(location, path, key, f"not a {key} (-{limit} to {limit}): {value}")
                ok = False
        return (float(lat), float(lon)) if ok else (None, None)

    def _phones(self, doc: dict, located: list[tuple[dict, str]], country: str) -> tuple[Phone, ...]:
        phones: list[Phone] = []
        seen: set[str] = set()
        for owner, path in [(doc, ""), *located]:
            for i, phone in self._items(owner, path, "phones"):
                ppath = f"{path}.phones[{i}]".lstrip(".")
                number = phone.get("number")
                if not isinstance(number, str) or not number.strip():
                    self.fail(phone, ppath, "number", "required, missing")
                    continue
                parsed = _phone(number.strip(), country or "ZZ")
                if parsed is None:
                    where = f" for {country}" if country else ""
                    self.problems.add(
                        *self.where(phone, ppath, "number"), f"not a valid phone number{where} ({number})"
                    )
                    continue
                if parsed[0] not in seen:
                    seen.add(parsed[0])
                    phones.append(Phone(parsed[0], parsed[1], _text(phone.get("description"))))
        return tuple(phones)

    def _tags(self, doc: dict) -> tuple[frozenset[str], frozenset[str]]:
        approaches: set[str] = set()
        attributes: set[str] = set()
        taxonomy = self.taxonomy
        for i, attribute in self._items(doc, "", "attributes"):
            path = f"attributes[{i}]"
            term_ref = _text(attribute.get("taxonomy_term_id"))
            nested = attribute.get("taxonomy_term") if isinstance(attribute.get("taxonomy_term"), dict) else {}
            term = taxonomy.by_id(term_ref) if term_ref else None
            ours = nested.get("taxonomy_id") == TAXONOMY_ID or nested.get("taxonomy") == TAXONOMY_NAME
            if term is None and nested.get("code") and (ours or not nested.get("taxonomy_id")):
                term = taxonomy.by_code(_text(nested.get("code")))
            if term is None:
                if ours:
                    what = term_ref or _text(nested.get("code"))
                    self.problems.add(
                        *self.where(attribute, path, "taxonomy_term_id"),
                        f"not a term of the wizard's taxonomy ({what})",
                    )
                continue
            if term.parent_id is None:
                self.problems.add(
                    *self.where(attribute, path, "taxonomy_term_id"),
                    f"{term.code} is a group of terms, not a term: use one of its terms",
                )
            elif term.parent_id == self.approach_parent:
                approaches.add(term.code)
            else:
                attributes.add(term.code)
        return frozenset(approaches), frozenset(attributes)

    def _hours(self, doc: dict, located: list[tuple[dict, str]]) -> str:
        parts: list[str] = []
        for owner, path in [(doc, ""), *located]:
            for _i, schedule in self._items(owner, path, "schedules"):
                text = _text(schedule.get("description"))
                if not text:
                    days = [_DAYS.get(d.strip().upper(), d.strip()) for d in _text(schedule.get("byday")).split(",")]
                    opens, closes = _text(schedule.get("opens_at"))[:5], _text(schedule.get("closes_at"))[:5]
                    hours = f"{opens}–{closes}" if opens and closes else opens or closes
                    text = " ".join(p for p in (", ".join(d for d in days if d), hours) if p)
                if text and text not in parts:
                    parts.append(text)
        return "; ".join(parts)

    def _cost(self, doc: dict) -> str:
        fees = _text(doc.get("fees_description"))
        if fees:
            return fees
        parts = []
        for _i, option in self._items(doc, "", "cost_options"):
            amount = option.get("amount")
            money = f"{amount:g} {_text(option.get('currency'))}".strip() if _is_number(amount) else ""
            label = _text(option.get("option"))
            text = f"{label}: {money}" if label and money else label or money
            text = text or _text(option.get("amount_description"))
            if text:
                parts.append(text)
        return "; ".join(parts)


def _finish(listings: list[Listing], problems: _Problems, notes: list[str]) -> Reading:
    return Reading(tuple(listings), tuple(problems.kept), tuple(notes), problems.more)


# --- JSON form -----------------------------------------------------------------------------------


def _decode(data: bytes, file: str, problems: _Problems) -> str | None:
    offset = 3 if data.startswith(b"\xef\xbb\xbf") else 0
    try:
        return data[offset:].decode("utf-8")
    except UnicodeDecodeError as exc:
        problems.add(
            file, None, None, f"not UTF-8 text (first bad byte at offset {exc.start + offset}); save it as UTF-8"
        )
        return None


def read_json(data: bytes, taxonomy: Taxonomy, *, name: str = JSON_NAME) -> Reading:
    """Read a directory in HSDS JSON form: a list of service objects, or an object with `contents`."""
    with _no_cycle_collection():
        return _read_json(data, taxonomy, name)


def _read_json(data: bytes, taxonomy: Taxonomy, name: str) -> Reading:
    problems, notes = _Problems(), []
    if len(data) > MAX_JSON_BYTES:
        problems.add(name, None, None, f"too large ({len(data):,} bytes); the limit is {MAX_JSON_BYTES:,} bytes")
        return _finish([], problems, notes)
    text = _decode(data, name, problems)
    if text is None:
        return _finish([], problems, notes)
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        problems.add(name, None, None, f"not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})")
        return _finish([], problems, notes)
    if isinstance(value, dict) and isinstance(value.get("contents"), list):
        value = value["contents"]
    if not isinstance(value, list):
        problems.add(name, None, None, "expected a list of HSDS services, or an object with a 'contents' list")
        return _finish([], problems, notes)
    builder = _Builder(taxonomy, problems, notes)
    listings: list[Listing] = []
    seen: dict[str, int] = {}
    for n, doc in enumerate(value, 1):
        if not isinstance(doc, dict):
            problems.add(name, n, None, "not an HSDS service object")
            continue

        def where(_obj: dict, path: str, key: str, n: int = n) -> tuple[str, int | None, str]:
            return name, n, f"{path}.{key}" if path else key

        service_id = _text(doc.get("id"))
        if service_id in seen:
            problems.add(name, n, "id", f"duplicate id {service_id} (also service {seen[service_id]})")
            continue
        if service_id:
            seen[service_id] = n
        listing = builder.build(doc, where)
        if listing is not None:
            listings.append(listing)
    return _finish(listings, problems, notes)


def to_json(listings: Iterable[Listing]) -> bytes:
    """The listings' HSDS service documents as a JSON list (UTF-8, one service a line)."""
    lines = ",\n".join(json.dumps(listing.document, ensure_ascii=False) for listing in listings)
    return f"[\n{lines}\n]\n".encode() if lines else b"[]\n"


# --- tabular form --------------------------------------------------------------------------------


@dataclass
class _Table:
    name: str
    rows: list[dict] = field(default_factory=list)
    numbers: list[int] = field(default_factory=list)  # the data row of each entry in rows
    failed: set[tuple[int, str]] = field(default_factory=set)  # (id of a row, column) not readable


def _check(kind: str, value: str) -> str | None:
    if kind == "d" and _date(value) is None:
        return f"not a date ({value}); write YYYY-MM-DD"
    if kind == "t" and not _time(value):
        return f"not a time of day ({value}); write HH:MM"
    if kind == "s":
        try:
            datetime.fromisoformat(value)
        except ValueError:
            return f"not a date and time ({value}); write YYYY-MM-DDTHH:MM:SSZ"
    return None


def _read_csv(name: str, data: bytes, problems: _Problems, notes: list[str]) -> _Table | None:
    table = _Table(name)
    if b"\x00" in data:
        problems.add(name, None, None, "not a CSV file (it holds binary data)")
        return None
    text = _decode(data, name, problems)
    if text is None:
        return None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
    except csv.Error as exc:
        problems.add(name, None, None, f"not a CSV file ({exc})")
        return None
    if not header:
        problems.add(name, None, None, "empty: expected a header row of column names")
        return None
    header = [h.strip() for h in header]
    columns = COLUMNS[name]
    known = {c.name: c for c in columns}
    missing = [c.name for c in columns if c.required and c.name not in header]
    for column in missing:
        problems.add(name, None, column, "required column missing")
    unknown = [h for h in header if h not in known]
    if unknown:
        notes.append(f"{name}: ignored unknown columns {', '.join(unknown)}.")
    if len(set(header)) != len(header):
        dup = sorted({h for h in header if header.count(h) > 1})
        problems.add(name, None, None, f"column named twice: {', '.join(dup)}")
        return None
    if missing:
        return None
    text = [(i, h) for i, h in enumerate(header) if h in known and not known[h].kind]
    typed = [(i, h, known[h].kind) for i, h in enumerate(header) if h in known and known[h].kind]
    required = [(c.name, header.index(c.name)) for c in columns if c.required and c.name in header]
    width = len(header)
    n = 0
    try:
        for cells in reader:
            n += 1
            if n > MAX_ROWS:
                problems.add(name, None, None, f"too many rows; the limit is {MAX_ROWS:,} rows per file")
                return None
            if not cells or (len(cells) == 1 and not cells[0].strip()):
                continue
            if len(cells) != width:
                problems.add(name, n, None, f"has {len(cells)} cells, the header has {width} columns")
                continue
            row = {name_: value for i, name_ in text if (value := cells[i].strip())}
            for i, name_, kind in typed:
                value = cells[i].strip()
                if not value:
                    continue
                if kind == "n":
                    number = _number(value)
                    if number is not None:
                        row[name_] = number
                        continue
                    problem = f"not a number ({value})"
                else:
                    problem = _check(kind, value)
                    if problem is None:
                        row[name_] = value
                        continue
                problems.add(name, n, name_, problem)
                table.failed.add((id(row), name_))
            for key, i in required:
                if key not in row and not cells[i].strip():
                    problems.add(name, n, key, "required, missing")
            table.rows.append(row)
            table.numbers.append(n)
    except csv.Error as exc:
        problems.add(name, n + 1, None, f"not valid CSV ({exc})")
        return None
    return table


def _load_files(source: Path | str | Mapping[str, bytes], problems: _Problems) -> dict[str, bytes] | None:
    if isinstance(source, Mapping):
        sizes = {name: len(data) for name, data in source.items()}
    else:
        folder = Path(source)
        if not folder.is_dir():
            problems.add(folder.name, None, None, "not a folder")
            return None
        sizes = {path.name: path.stat().st_size for path in folder.iterdir() if path.is_file()}
    total = 0
    for name in sorted(sizes):
        total += sizes[name]
        if total > MAX_BYTES:
            problems.add(name, None, None, f"the files are too large together; the limit is {MAX_BYTES:,} bytes")
            return None
    if isinstance(source, Mapping):
        return dict(source)
    return {name: (folder / name).read_bytes() for name in sorted(sizes)}


def read_tabular(source: Path | str | Mapping[str, bytes], taxonomy: Taxonomy) -> Reading:
    """Read a directory in HSDS tabular form: a folder (or {file name: bytes}) with datapackage.json
    and the CSV files."""
    with _no_cycle_collection():
        return _read_tabular(source, taxonomy)


def _read_tabular(source: Path | str | Mapping[str, bytes], taxonomy: Taxonomy) -> Reading:
    problems, notes = _Problems(), []
    files = _load_files(source, problems)
    if files is None:
        return _finish([], problems, notes)
    _check_datapackage(files, problems)
    tables: dict[str, _Table] = {}
    broken = False  # a file that cannot be read at all, or lacks a required column
    for name in sorted(files):
        if name == DATAPACKAGE:
            continue
        if name not in COLUMNS:
            notes.append(f"Ignored {name}: this wizard does not read it.")
            continue
        table = _read_csv(name, files[name], problems, notes)
        if table is None:
            broken = True
        else:
            tables[name] = table
    for name in REQUIRED_FILES:
        if name not in files:
            problems.add(name, None, None, "missing: a directory needs services.csv and organizations.csv")
            broken = True
    if broken:  # the rows cannot be linked up: report what is wrong with the files first
        return _finish([], problems, notes)
    return _assemble(tables, taxonomy, problems, notes)


def _check_datapackage(files: dict[str, bytes], problems: _Problems) -> None:
    data = files.get(DATAPACKAGE)
    if data is None:
        problems.add(DATAPACKAGE, None, None, "missing: the folder needs a datapackage.json listing its files")
        return
    text = _decode(data, DATAPACKAGE, problems)
    if text is None:
        return
    try:
        package = json.loads(text)
    except json.JSONDecodeError as exc:
        problems.add(DATAPACKAGE, None, None, f"not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})")
        return
    resources = package.get("resources") if isinstance(package, dict) else None
    if not isinstance(resources, list) or not all(isinstance(r, dict) for r in resources):
        problems.add(DATAPACKAGE, None, "resources", "expected a list of resources (one per CSV file)")
        return
    for n, resource in enumerate(resources, 1):
        path = resource.get("path")
        if not isinstance(path, str) or not path:
            problems.add(DATAPACKAGE, None, f"resources[{n - 1}].path", "missing: the file of this resource")
        elif Path(path).name in COLUMNS and Path(path).name not in files:
            problems.add(DATAPACKAGE, None, f"resources[{n - 1}].path", f"{path} is listed but missing")


def _assemble(tables: dict[str, _Table], taxonomy: Taxonomy, problems: _Problems, notes: list[str]) -> Reading:
    origins: dict[int, tuple[str, int]] = {}  # id() of each object -> (file, row)
    by_id: dict[str, dict[str, dict]] = {}  # file -> id -> object
    first: dict[str, tuple[str, int]] = {}  # id -> where it was first seen, across all files

    def rows(name: str) -> Iterable[tuple[dict, int]]:
        table = tables.get(name)
        return zip(table.rows, table.numbers, strict=True) if table else ()

    for name in COLUMNS:
        objects: dict[str, dict] = {}
        for row, n in rows(name):
            origins[id(row)] = (name, n)
            row_id = row.get("id")
            if not row_id:
                continue
            if row_id in first:
                other, m = first[row_id]
                where = f"row {m}" if other == name else f"{other}, row {m}"
                problems.add(name, n, "id", f"duplicate id {row_id} (also {where})")
                continue
            first[row_id] = (name, n)
            objects[row_id] = row
        by_id[name] = objects

    def find(row: dict, n: int, name: str, key: str, target: str) -> dict | None:
        ref = row.get(key)
        if not ref:
            return None
        found = by_id[target].get(ref)
        if found is None:
            problems.add(name, n, key, f"no such {target.removesuffix('.csv').rstrip('s')} ({ref}) in {target}")
        return found

    def attach(name: str, links: tuple[tuple[str, str], ...], key: str) -> None:
        for row, n in rows(name):
            for link, target in links:
                if row.get(link):
                    owner = find(row, n, name, link, target)
                    if owner is not None:
                        owner.setdefault(key, []).append(row)
                    break
            else:
                problems.add(name, n, links[0][0], "required: what this row belongs to")

    services, locations = by_id["services.csv"], by_id["locations.csv"]
    organizations, sals = by_id["organizations.csv"], by_id["service_at_location.csv"]
    for row, n in rows("services.csv"):
        org = find(row, n, "services.csv", "organization_id", "organizations.csv")
        if org is not None:
            row["organization"] = org
    for row, n in rows("locations.csv"):
        find(row, n, "locations.csv", "organization_id", "organizations.csv")
    for row, n in rows("service_at_location.csv"):
        service = find(row, n, "service_at_location.csv", "service_id", "services.csv")
        location = find(row, n, "service_at_location.csv", "location_id", "locations.csv")
        if service is not None and location is not None:
            row["location"] = location
            service.setdefault("service_at_locations", []).append(row)
    attach("addresses.csv", (("location_id", "locations.csv"),), "addresses")
    attach("accessibility.csv", (("location_id", "locations.csv"),), "accessibility")
    attach(
        "phones.csv",
        (
            ("service_id", "services.csv"),
            ("location_id", "locations.csv"),
            ("service_at_location_id", "service_at_location.csv"),
            ("organization_id", "organizations.csv"),
        ),
        "phones",
    )
    attach(
        "schedules.csv",
        (
            ("service_id", "services.csv"),
            ("location_id", "locations.csv"),
            ("service_at_location_id", "service_at_location.csv"),
        ),
        "schedules",
    )
    attach(
        "languages.csv",
        (("service_id", "services.csv"), ("location_id", "locations.csv"), ("phone_id", "phones.csv")),
        "languages",
    )
    attach("service_areas.csv", (("service_id", "services.csv"),), "service_areas")
    attach("cost_options.csv", (("service_id", "services.csv"),), "cost_options")

    terms = by_id["taxonomy_terms.csv"]
    our_ids = {t.id for t in taxonomy.terms}
    linkable = (services, locations, organizations, sals)
    for row, n in rows("attributes.csv"):
        link = row.get("link_id")
        owner = next((objects[link] for objects in linkable if link in objects), None) if link else None
        if link and owner is None:
            problems.add("attributes.csv", n, "link_id", f"no such service, location or organization ({link})")
        ref = row.get("taxonomy_term_id")
        if ref and ref not in our_ids:
            term = terms.get(ref)
            if term is None:
                problems.add(
                    "attributes.csv", n, "taxonomy_term_id", f"unknown taxonomy term ({ref}): not in taxonomy_terms.csv"
                )
                continue
            if term.get("taxonomy_id") == TAXONOMY_ID or term.get("taxonomy") == TAXONOMY_NAME:
                problems.add("attributes.csv", n, "taxonomy_term_id", f"not a term of the wizard's taxonomy ({ref})")
                continue
        if ref in terms:
            row["taxonomy_term"] = terms[ref]
        if owner is not None:
            owner.setdefault("attributes", []).append(row)

    def where(obj: dict, _path: str, key: str) -> tuple[str, int | None, str]:
        file, row = origins.get(id(obj), ("services.csv", None))
        return file, row, key

    failed = set().union(*(table.failed for table in tables.values()))
    builder = _Builder(taxonomy, problems, notes, tabular=True, failed=failed)
    listings = []
    for row, _n in rows("services.csv"):
        if row.get("id") and services.get(row["id"]) is not row:
            continue  # a duplicate, already reported
        listing = builder.build(row, where)
        if listing is not None:
            listings.append(listing)
    return _finish(listings, problems, notes)


# --- writing the tabular form --------------------------------------------------------------------


def to_tabular(listings: Iterable[Listing]) -> dict[str, bytes]:
    """The listings as HSDS tabular files: {file name: CSV bytes}, with datapackage.json."""
    out: dict[str, dict[str, dict]] = {name: {} for name in COLUMNS}

    def put(name: str, obj: dict, **links: str) -> None:
        row_id = obj.get("id")
        if not isinstance(row_id, str) or row_id in out[name]:
            return
        row = {**{k: v for k, v in obj.items() if not isinstance(v, dict | list)}}
        for key, value in links.items():
            row.setdefault(key, value)
        out[name][row_id] = row

    def children(owner: dict, key: str, name: str, **links: str) -> None:
        for child in owner.get(key) or ():
            if isinstance(child, dict):
                put(name, child, **links)
                if name == "phones.csv":
                    children(child, "languages", "languages.csv", phone_id=child.get("id", ""))
                if name == "attributes.csv":
                    term = child.get("taxonomy_term")
                    if isinstance(term, dict):
                        put("taxonomy_terms.csv", term)

    def attributes(owner: dict, entity: str) -> None:
        for attr in owner.get("attributes") or ():
            if isinstance(attr, dict):
                term = attr.get("taxonomy_term") if isinstance(attr.get("taxonomy_term"), dict) else {}
                term_ref = attr.get("taxonomy_term_id") or term.get("id")
                put("attributes.csv", attr, link_id=owner.get("id", ""), link_entity=entity, taxonomy_term_id=term_ref)
                if term.get("id"):
                    put("taxonomy_terms.csv", term)

    for listing in listings:
        doc = listing.document
        sid = doc.get("id", "")
        org = doc.get("organization") if isinstance(doc.get("organization"), dict) else None
        if org:
            put("organizations.csv", org)
            children(org, "phones", "phones.csv", organization_id=org.get("id", ""))
            attributes(org, "organization")
        put("services.csv", doc, organization_id=org.get("id", "") if org else "")
        for sal in doc.get("service_at_locations") or ():
            location = sal.get("location") if isinstance(sal, dict) else None
            if not isinstance(location, dict):
                continue
            lid = location.get("id", "")
            put("service_at_location.csv", sal, service_id=sid, location_id=lid)
            put("locations.csv", location)
            for key, name in (
                ("addresses", "addresses.csv"),
                ("accessibility", "accessibility.csv"),
                ("phones", "phones.csv"),
                ("schedules", "schedules.csv"),
                ("languages", "languages.csv"),
            ):
                children(location, key, name, location_id=lid)
            attributes(location, "location")
            children(sal, "phones", "phones.csv", service_at_location_id=sal.get("id", ""))
            children(sal, "schedules", "schedules.csv", service_at_location_id=sal.get("id", ""))
            attributes(sal, "service_at_location")
        for key, name in (
            ("phones", "phones.csv"),
            ("schedules", "schedules.csv"),
            ("languages", "languages.csv"),
            ("service_areas", "service_areas.csv"),
            ("cost_options", "cost_options.csv"),
        ):
            children(doc, key, name, service_id=sid)
        attributes(doc, "service")

    files: dict[str, bytes] = {}
    for name, rows in out.items():
        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer, lineterminator="\r\n")
        names = [c.name for c in COLUMNS[name]]
        writer.writerow(names)
        # None is written as an empty cell, numbers as str() gives them (the shortest exact form).
        writer.writerows([[row.get(column) for column in names] for row in rows.values()])
        files[name] = buffer.getvalue().encode("utf-8")
    files[DATAPACKAGE] = datapackage()
    return files


def taxonomy_terms_csv(taxonomy: Taxonomy) -> bytes:
    """Every term of the taxonomy as taxonomy_terms.csv, for operators to tag their services with."""
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\r\n")
    names = [c.name for c in COLUMNS["taxonomy_terms.csv"]]
    writer.writerow(names)
    writer.writerows([[term.hsds().get(name) for name in names] for term in taxonomy.terms])
    return buffer.getvalue().encode("utf-8")


def datapackage() -> bytes:
    """A Frictionless Data Package descriptor for the files this wizard writes (HSDS 3.0 tabular)."""
    types = {"": "string", "n": "number", "d": "date", "t": "time", "s": "datetime"}
    resources = []
    for name, columns in COLUMNS.items():
        fields = []
        for c in columns:
            entry: dict = {"name": c.name, "type": types[c.kind]}
            if c.required:
                entry["constraints"] = {"required": True}
            fields.append(entry)
        resources.append(
            {
                "name": name.removesuffix(".csv"),
                "path": name,
                "profile": "tabular-data-resource",
                "schema": {"fields": fields, "primaryKey": "id"},
            }
        )
    package = {
        "name": "service-directory",
        "title": "Service directory (Open Referral HSDS 3.0)",
        "profile": "tabular-data-package",
        "version": "3.0.0",
        "resources": resources,
    }
    return (json.dumps(package, indent=2) + "\n").encode("utf-8")


def write_tabular(listings: Iterable[Listing], folder: Path | str) -> None:
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in to_tabular(listings).items():
        (folder / name).write_bytes(data)


def read_path(path: Path | str, taxonomy: Taxonomy) -> Reading:
    """A directory from a .json file or a folder with datapackage.json."""
    path = Path(path)
    if path.is_dir():
        return read_tabular(path, taxonomy)
    if path.suffix.lower() == ".json" and path.is_file():
        if path.stat().st_size > MAX_JSON_BYTES:
            problem = Problem(path.name, None, None, f"too large; the limit is {MAX_JSON_BYTES:,} bytes")
            return Reading(problems=(problem,))
        return read_json(path.read_bytes(), taxonomy, name=path.name)
    problem = Problem(path.name, None, None, "expected a folder with datapackage.json, or a .json file")
    return Reading(problems=(problem,))


def example_addresses(listing: Listing) -> list[str]:
    """The web and email addresses of this listing under example.org, .com or .net (fictional data)."""
    doc = listing.document
    org = doc.get("organization") if isinstance(doc.get("organization"), dict) else {}
    found = []
    for value in (listing.url, listing.email, org.get("website"), org.get("email")):
        if not isinstance(value, str) or not value:
            continue
        host = value.rpartition("@")[2] if "@" in value and "://" not in value else (urlsplit(value).hostname or "")
        host = host.lower().rstrip(".")
        if any(host == d or host.endswith("." + d) for d in _EXAMPLE_DOMAINS):
            found.append(value)
    return found
