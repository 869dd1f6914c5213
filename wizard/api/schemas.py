"""The shapes of the public API's JSON: one pydantic model per shape, both serialiser and schema.

Each model is filled from the rulebook or a match result by its ``of`` class method,
dumped with ``model_dump(mode="json")`` for the response, and described by
``model_json_schema()`` in the OpenAPI document (``openapi.py``), so the two cannot
drift apart. Field order is the key order of the JSON. Every piece of human text
goes through ``i18n.t`` so it comes out in the request's language; quotes from the
source documents stay in English, as on the web pages.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from typing_extensions import TypeAliasType

from wizard.api.conditions import Condition
from wizard.domain.directory.browse import Page
from wizard.domain.directory.taxonomy import Taxonomy, Term
from wizard.domain.journey import Journey
from wizard.domain.matching import ApproachMatch as MatchedApproach
from wizard.domain.matching import NotEffectiveMatch, Result
from wizard.domain.matching import OrganisationMatch as MatchedOrganisation
from wizard.domain.rulebook import models as m
from wizard.domain.vocabulary import PREFER_NOT_TO_SAY
from wizard.platform import i18n
from wizard.platform.services import services

AUDIENCES = ("myself", "someone_else")


def _choices(model: type[BaseModel], field: str) -> Any:
    """The Literal of a rulebook field, so the API lists the same choices as the rules files."""
    return model.model_fields[field].annotation


Text = Annotated[str, Field(min_length=1)]
Code = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")]
CountryCode = Annotated[str, Field(pattern=r"^[A-Z]{2}$")]
HttpsUrl = Annotated[str, Field(pattern=r"^https://", json_schema_extra={"format": "uri"})]
Reasons = Annotated[list[Text], Field(description="Why it matched, in words.")]

QuestionKind = _choices(m.Question, "kind")
ApproachKind = _choices(m.Approach, "kind")
Medication = _choices(m.Approach, "medication")
OrganisationRole = _choices(m.Organisation, "role")
OrganisationKind = _choices(m.Organisation, "kind")
EmergencyService = _choices(m.EmergencyNumber, "service")


class Shape(BaseModel):
    """A closed JSON object: every field is always present, and no other key is allowed."""

    model_config = ConfigDict(
        extra="forbid",
        use_attribute_docstrings=True,
        json_schema_serialization_defaults_required=True,
    )


# --- questions -------------------------------------------------------------------------


class Wording(Shape):
    """Text for someone looking for themselves, and for someone looking for another person."""

    myself: str
    someone_else: str

    @classmethod
    def of(cls, words: m.Words | None) -> Wording | None:
        if words is None:
            return None
        return cls(**{audience: i18n.translate_rule_text(m.words_for(words, audience)) for audience in AUDIENCES})

    @classmethod
    def same_for_both(cls, text: str) -> Wording:
        return cls(myself=text, someone_else=text)


class Option(Shape):
    """One answer a question offers."""

    code: Annotated[str, Field(pattern=r"^([a-z0-9][a-z0-9_-]*|[A-Z]{2})$")]
    """The answer to send; a two-letter country code for the country question."""
    label: Wording
    hint: Wording | None
    exclusive: bool
    """Cannot be combined with other options."""
    crisis: bool
    """Choosing it means danger now: show emergency contacts."""
    audience: Literal["someone_else"] | None = None
    """Offered only when the help is for this person (the answer to `who`), such as "I don't know" for
    someone else; null: offered to everyone. Sent by anyone else, it is refused."""

    @classmethod
    def of(cls, option: m.Option) -> Option:
        return cls(
            code=option.code,
            label=Wording.of(option.label),
            hint=Wording.of(option.hint),
            exclusive=option.exclusive,
            crisis=option.crisis,
            audience=option.audience,
        )

    @classmethod
    def country(cls, code: str, name: str) -> Option:
        return cls(code=code, label=Wording.same_for_both(name), hint=None, exclusive=False, crisis=False)


class Question(Shape):
    """A question, with its options and when it is asked."""

    id: Code
    kind: QuestionKind
    text: Wording
    summary: Text
    """A short title for the question."""
    help: Wording | None
    why_we_ask: Text | None
    required: bool
    options: list[Option]
    """The answers to choose from; the regions of a country are not listed (a subdivision question takes
    an ISO 3166-2 code), and a town question has none (it takes a GeoNames id or a town's name)."""
    ask_if: Condition | None
    """Asked only when this holds for the earlier answers; null: always asked."""

    @classmethod
    def of(cls, question: m.Question) -> Question:
        if question.kind == "country":
            countries = [Option.country(code, name) for code, name in i18n.country_choices()]
            options = [*countries, Option.country(PREFER_NOT_TO_SAY, i18n.translate_rule_text("Prefer not to say"))]
        elif question.kind in m.PLACE_KINDS:
            options = [Option.country(PREFER_NOT_TO_SAY, i18n.translate_rule_text("Prefer not to say"))]
        else:
            options = [Option.of(option) for option in question.options]
        return cls(
            id=question.id,
            kind=question.kind,
            text=Wording.of(question.text),
            summary=i18n.translate_rule_text(question.summary),
            help=Wording.of(question.help),
            why_we_ask=i18n.translate_rule_text(question.why_we_ask) or None,
            required=question.required,
            options=options,
            ask_if=question.ask_if,
        )


class QuestionList(Shape):
    questions: list[Question]

    @classmethod
    def of(cls, journey: Journey) -> QuestionList:
        return cls(questions=[Question.of(q) for q in journey.questions])


# --- approaches ------------------------------------------------------------------------


class Citation(Shape):
    """Where a fact comes from: a source document and its own words."""

    document: Code
    title: Text
    """The source document's title (English)."""
    quote: Text
    """Word for word from the document (English)."""

    @classmethod
    def all_of(cls, citations: tuple[m.Citation, ...]) -> list[Citation]:
        titles = {d.id: d.title for d in services().rulebook.documents}
        return [cls(document=c.document, title=titles[c.document], quote=c.quote) for c in citations]


Citations = Annotated[list[Citation], Field(min_length=1)]


class Evidence(Shape):
    """How strongly the source documents back an approach."""

    level: m.EvidenceLevel
    text: Text
    """What the documents claim, in plain words."""


class ApproachFacts(Shape):
    """What every approach shows, in the catalogue and in a match."""

    id: Code
    name: Text
    summary: Text
    what_to_expect: Text
    evidence: Evidence
    cautions: list[Text]
    where: Text | None
    """Where the documents describe it."""
    kind: ApproachKind
    """`information`: a policy or principle, never a place to go."""
    citations: Citations

    @staticmethod
    def facts(a: m.Approach) -> dict:
        return {
            "id": a.id,
            "name": i18n.translate_rule_text(a.name),
            "summary": i18n.translate_rule_text(a.summary),
            "what_to_expect": i18n.translate_rule_text(a.what_to_expect),
            "evidence": Evidence(level=a.evidence_level, text=i18n.translate_rule_text(a.evidence)),
            "cautions": [i18n.translate_rule_text(caution) for caution in a.cautions],
            "where": i18n.translate_rule_text(a.where) if a.where else None,
            "kind": a.kind,
            "citations": Citation.all_of(a.citations),
        }


class CountryArea(Shape):
    """A country, by its ISO 3166 code."""

    country: CountryCode
    name: Text


class RegionArea(Shape):
    """A region of the world, as the rules files name it."""

    region: Code
    name: Text


ServiceArea = TypeAliasType("ServiceArea", CountryArea | RegionArea)


def service_areas(area: m.Availability | None) -> list[CountryArea | RegionArea]:
    if area is None:
        return []
    regions = {r.code: r.name for r in services().rulebook.regions}
    return [
        *(CountryArea(country=code, name=i18n.country_name(code)) for code in area.countries),
        *(RegionArea(region=code, name=i18n.translate_rule_text(regions.get(code, code))) for code in area.regions),
    ]


Areas = Annotated[
    list[ServiceArea], Field(description="Where it works. An empty list: anywhere, or the documents do not say.")
]


class Approach(ApproachFacts):
    """An approach in the catalogue: its facts and the attributes rules match on."""

    faith: m.Faith
    setting: m.Setting
    medication: Medication
    only_in: list[ServiceArea] | None
    """Set when the documents tie it to these places only; null: anywhere."""

    @classmethod
    def of(cls, a: m.Approach) -> Approach:
        only_in = service_areas(a.only_in) if a.only_in else None
        return cls(**cls.facts(a), faith=a.faith, setting=a.setting, medication=a.medication, only_in=only_in)


class ApproachList(Shape):
    approaches: list[Approach]

    @classmethod
    def of(cls, rulebook: m.Rulebook) -> ApproachList:
        return cls(approaches=[Approach.of(a) for a in rulebook.approaches])


class ApproachMatch(ApproachFacts):
    """An approach that fits the answers, with why."""

    score: int = Field(ge=1)
    """Higher ranks first, except that an approach one of the reasons moves down (such as a stay
    at a centre for someone not sure yet) comes after the others; the list is in rank order."""
    reasons: Reasons

    @classmethod
    def of(cls, match: MatchedApproach) -> ApproachMatch:
        reasons = [i18n.reason_text(reason) for reason in match.reasons]
        return cls(**cls.facts(match.approach), score=match.score, reasons=reasons)


# --- organisations (shaped after Open Referral HSDS) ---------------------------------------


class OrganisationFacts(Shape):
    """What every organisation shows, in the catalogue and in a match."""

    id: Code
    name: Text
    alternate_name: Text | None
    description: Text
    url: HttpsUrl | None
    role: OrganisationRole
    """`direct_help`: a person can contact it for help. `information`: policy, standards,
    advocacy or funding, never a place to get treatment."""
    kind: OrganisationKind
    service_area: Areas

    @staticmethod
    def facts(o: m.Organisation) -> dict:
        return {
            "id": o.id,
            "name": i18n.translate_rule_text(o.name),
            "alternate_name": o.alternate_name,
            "description": i18n.translate_rule_text(o.description),
            "url": o.url,
            "role": o.role,
            "kind": o.kind,
            "service_area": service_areas(o.service_area),
        }


class Organisation(OrganisationFacts):
    """Shaped after Open Referral HSDS. email, phones and languages are not in the
    source documents, so they are always empty."""

    email: None
    phones: list[Any] = Field(max_length=0)
    languages: list[Any] = Field(max_length=0)
    approaches: list[Code]
    """Related approach ids."""
    citations: Citations

    @classmethod
    def of(cls, o: m.Organisation) -> Organisation:
        return cls(
            **cls.facts(o),
            email=None,
            phones=[],
            languages=[],
            approaches=list(o.approaches),
            citations=Citation.all_of(o.citations),
        )


class OrganisationList(Shape):
    organisations: list[Organisation]

    @classmethod
    def of(cls, rulebook: m.Rulebook) -> OrganisationList:
        return cls(organisations=[Organisation.of(o) for o in rulebook.organisations])


class OrganisationMatch(OrganisationFacts):
    """An organisation that fits the answers, with why."""

    reasons: Reasons

    @classmethod
    def of(cls, match: MatchedOrganisation) -> OrganisationMatch:
        return cls(**cls.facts(match.organisation), reasons=[i18n.reason_text(r) for r in match.reasons])


# --- a match -------------------------------------------------------------------------------


class EmergencyNumber(Shape):
    """A number that reaches an ambulance."""

    number: Annotated[str, Field(pattern=r"^[0-9]{2,6}$")]
    service: EmergencyService
    caveats: list[m.Caveat]
    """What a caller needs to know: show these with the number."""
    source: HttpsUrl
    checked: dt.date

    @classmethod
    def of(cls, entry: m.EmergencyNumber) -> EmergencyNumber:
        return cls(
            number=entry.number,
            service=entry.service,
            caveats=list(entry.caveats),
            source=entry.source,
            checked=entry.checked,
        )


class Helpline(Shape):
    """A helpline for the country, with where and when it was checked."""

    name: Text
    kind: m.HelplineKind
    """crisis: answers someone in crisis now. information and family lines are not crisis lines.
    Crisis lines come first."""
    phone: str | None
    text: str | None
    """A number to send a text message to."""
    url: HttpsUrl | None
    hours: Text
    """`24/7`, or when the line is answered."""
    cost: Text
    """`free`, or what a call costs."""
    for_whom: list[m.Audience]
    languages: list[str]
    """ISO 639 codes."""
    description: Text
    source: HttpsUrl
    """Where this was checked."""
    checked: dt.date

    @classmethod
    def of(cls, line: m.Helpline) -> Helpline:
        return cls(
            name=i18n.translate_rule_text(line.name),
            kind=line.kind,
            phone=line.phone,
            text=line.text,
            url=line.url,
            hours="24/7" if line.always_open else i18n.translate_rule_text(line.hours),
            cost="free" if line.cost == "free" else i18n.translate_rule_text(line.cost),
            for_whom=list(line.for_whom),
            languages=list(line.languages),
            description=i18n.translate_rule_text(line.description),
            source=line.source,
            checked=line.checked,
        )


class Contacts(Shape):
    """Emergency numbers and helplines for the country; not from the source documents,
    so each carries where and when it was checked."""

    emergency: EmergencyNumber
    """The best emergency number for the country."""
    emergency_numbers: list[EmergencyNumber] = Field(min_length=1)
    """Every number, with what a caller needs to know."""
    has_crisis_line: bool
    helplines: list[Helpline]

    @classmethod
    def of(cls, contacts: m.CountryContacts | None) -> Contacts | None:
        if contacts is None:
            return None
        return cls(
            emergency=EmergencyNumber.of(contacts.primary),
            emergency_numbers=[EmergencyNumber.of(entry) for entry in contacts.emergency],
            has_crisis_line=contacts.has_crisis_line,
            helplines=[Helpline.of(line) for line in contacts.ordered_helplines],
        )


class NotEffective(Shape):
    """Something the documents say does not work, which these answers lean towards."""

    id: Code
    name: Text
    note: Text
    """A gentle explanation of what the documents say."""
    instead: list[Code]
    """Approach ids to look at instead."""
    citations: Citations

    @classmethod
    def of(cls, note: NotEffectiveMatch) -> NotEffective:
        return cls(
            id=note.item.id,
            name=i18n.translate_rule_text(note.item.name),
            note=i18n.translate_rule_text(note.note),
            instead=list(note.item.instead),
            citations=Citation.all_of(note.item.citations),
        )


class Country(Shape):
    """The country the answers give."""

    code: CountryCode
    name: Text


class MatchedOrganisations(Shape):
    """Organisations that fit: ones to contact for help, and ones for information only."""

    direct_help: list[OrganisationMatch]
    information: list[OrganisationMatch]


class MatchResult(Shape):
    """What fits the answers."""

    audience: Literal[AUDIENCES]
    crisis: bool
    """Someone is in danger now: show `contacts` (or a local emergency number) before anything else."""
    country: Country | None
    approaches: list[ApproachMatch]
    """Services to look for, best match first."""
    information: list[ApproachMatch]
    """Policies and principles that matched, for information only."""
    organisations: MatchedOrganisations
    contacts: Contacts | None
    not_effective: list[NotEffective]

    @classmethod
    def of(cls, result: Result) -> MatchResult:
        country = result.country and Country(code=result.country.code, name=i18n.country_name(result.country.code))
        return cls(
            audience=result.audience,
            crisis=result.crisis,
            country=country,
            approaches=[ApproachMatch.of(a) for a in result.approaches],
            information=[ApproachMatch.of(a) for a in result.information],
            organisations=MatchedOrganisations(
                direct_help=[OrganisationMatch.of(o) for o in result.direct_help],
                information=[OrganisationMatch.of(o) for o in result.information_bodies],
            ),
            contacts=Contacts.of(result.contacts),
            not_effective=[NotEffective.of(note) for note in result.not_effective],
        )


# --- the service directory (Open Referral HSDS 3.0) -----------------------------------------------

Uuid = Annotated[str, Field(json_schema_extra={"format": "uuid"})]
HSDS = "https://docs.openreferral.org/en/latest/hsds/schema_reference.html"


class HsdsTaxonomy(Shape):
    """An HSDS 3.0 taxonomy: the one this service's terms come from."""

    id: Uuid
    name: Text
    description: Text
    version: Text


class HsdsTaxonomyTerm(Shape):
    """An HSDS 3.0 taxonomy term: an approach (its `code` is the approach id) or an attribute of a
    service. The two top terms, `approach` and `attribute`, have no `parent_id`."""

    model_config = ConfigDict(json_schema_serialization_defaults_required=False)

    id: Uuid
    code: Code
    name: Text
    description: Text
    parent_id: Uuid | None = Field(default=None, exclude_if=lambda value: value is None)
    taxonomy: Text
    taxonomy_id: Uuid
    taxonomy_detail: HsdsTaxonomy
    language: Text

    @classmethod
    def of(cls, term: Term, taxonomy: Taxonomy) -> HsdsTaxonomyTerm:
        return cls(**term.hsds(), taxonomy_detail=HsdsTaxonomy(**taxonomy.hsds()))


class TaxonomyDocument(Shape):
    """The taxonomy and all its terms, parents first."""

    taxonomy: HsdsTaxonomy
    terms: list[HsdsTaxonomyTerm]

    @classmethod
    def of(cls, taxonomy: Taxonomy) -> TaxonomyDocument:
        return cls(
            taxonomy=HsdsTaxonomy(**taxonomy.hsds()), terms=[HsdsTaxonomyTerm.of(t, taxonomy) for t in taxonomy.terms]
        )


class PageCounts(Shape):
    """Where a page sits in a list, as in HSDS 3.0's paginated responses."""

    total_items: int = Field(ge=0)
    total_pages: int = Field(ge=0)
    page_number: int = Field(ge=1)
    size: int = Field(ge=0)
    """How many items this page holds."""
    first_page: bool
    last_page: bool
    empty: bool
    """True when the whole list is empty."""


class TaxonomyTermList(PageCounts):
    contents: list[HsdsTaxonomyTerm]

    @classmethod
    def of(cls, page: Page, taxonomy: Taxonomy) -> TaxonomyTermList:
        return cls(**page.counts(), contents=[HsdsTaxonomyTerm.of(t, taxonomy) for t in page.items])


class TaxonomyList(PageCounts):
    contents: list[HsdsTaxonomy]

    @classmethod
    def of(cls, page: Page) -> TaxonomyList:
        return cls(**page.counts(), contents=[HsdsTaxonomy(**t.hsds()) for t in page.items])


ServiceStatus = Literal["active", "inactive", "defunct", "temporarily closed"]


class HsdsOrganization(BaseModel):
    """The organization that provides the service: HSDS 3.0 organization fields."""

    model_config = ConfigDict(extra="allow")

    id: Uuid
    name: Text
    description: str


class HsdsServiceSummary(BaseModel):
    """A service as HSDS 3.0 lists it: its one-to-one fields, with its organization (and program).
    Any other HSDS 3.0 service field may be present, as its publisher gave it."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"externalDocs": {"url": HSDS}})

    id: Uuid
    name: Text
    status: ServiceStatus
    organization_id: Uuid | None = None
    description: str | None = None
    url: str | None = None
    email: str | None = None
    assured_date: dt.date | None = None
    """When the listing was last checked."""
    organization: HsdsOrganization | None = None


class HsdsService(HsdsServiceSummary):
    """A service in full, HSDS 3.0, as its publisher gave it: with its phones, locations
    (service_at_locations), schedules, languages, service areas and attributes (taxonomy terms)."""

    phones: list[dict[str, Any]] | None = None
    service_at_locations: list[dict[str, Any]] | None = None
    service_areas: list[dict[str, Any]] | None = None
    attributes: list[dict[str, Any]] | None = None


class ServiceList(PageCounts):
    """A page of services, in HSDS 3.0's paginated shape."""

    contents: list[HsdsServiceSummary]
    """With `full=true`, each service is in full (HsdsService)."""

    @staticmethod
    def dump(page: Page, documents: list[dict]) -> dict:
        """The page as JSON: the documents go out as published, not through the models above."""
        return {**page.counts(), "size": len(documents), "contents": documents}


# --- problems (RFC 9457) -----------------------------------------------------------------------


class FieldError(Shape):
    """One invalid field of a request, and why."""

    field: str
    """The field, as a dotted path such as `answers.faith`; `body` for the whole body."""
    message: Text


class Problem(Shape):
    """An RFC 9457 problem. `errors` lists each invalid field of a request."""

    # `errors` is left out of the body when there are none, so it is the one optional key.
    model_config = ConfigDict(json_schema_serialization_defaults_required=False)

    type: Annotated[str, Field(json_schema_extra={"format": "uri-reference"})]
    title: Text
    status: int = Field(ge=400, le=599)
    detail: Text
    # Left out when empty, so when it is there it lists at least one.
    errors: list[FieldError] = Field(
        default_factory=list, exclude_if=lambda errors: not errors, json_schema_extra={"minItems": 1}
    )


RESPONSES = (
    QuestionList,
    ApproachList,
    OrganisationList,
    MatchResult,
    TaxonomyDocument,
    TaxonomyList,
    TaxonomyTermList,
    ServiceList,
    HsdsService,
    Problem,
)
