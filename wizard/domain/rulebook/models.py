"""Frozen models of the rules knowledge base.

Every model forbids unknown fields and is immutable once loaded, so a
request can never change the rulebook another request is reading.
The YAML files in ``rules/`` are validated against these models by
``loader.py``; the field names are the editor-facing schema.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    StrictBool,
    StrictStr,
    StringConstraints,
    model_validator,
)

from wizard.domain.rulebook.conditions import Cond, parse_condition

Code = Annotated[StrictStr, StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=60)]
CountryCode = Annotated[StrictStr, StringConstraints(pattern=r"^[A-Z]{2}$")]
Text = Annotated[StrictStr, StringConstraints(min_length=1, max_length=2000, strip_whitespace=True)]
Url = Annotated[StrictStr, StringConstraints(pattern=r"^https://[^\s]+$", max_length=500)]


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Wording(Frozen):
    """Text that reads differently when the help is for someone else."""

    myself: Text
    someone_else: Text

    def for_audience(self, audience: str) -> str:
        return self.someone_else if audience == "someone_else" else self.myself


# A plain string is used when the wording is the same for both audiences.
Words = Text | Wording


def words_for(words: Words | None, audience: str) -> str:
    if words is None:
        return ""
    if isinstance(words, Wording):
        return words.for_audience(audience)
    return words


# --- Conditions -------------------------------------------------------------
# Parsed by ``conditions.parse_condition`` into small frozen dataclasses, so
# an editor gets one clear message instead of a union's list of guesses.

Condition = Annotated[Cond, PlainValidator(parse_condition)]


# --- Sources ------------------------------------------------------------------


class Document(Frozen):
    id: Code
    title: Text
    file: Text
    short_title: Text


class Citation(Frozen):
    document: Code
    quote: Text


class ExternalFact(Frozen):
    """A fact that is not in the source documents: it must say where it was checked."""

    source: Url
    checked: dt.date


# --- Questions -----------------------------------------------------------------


class Option(Frozen):
    code: Code
    label: Words
    hint: Words | None = None
    # A multiple-choice option that cannot be combined with others ("prefer not to say").
    exclusive: StrictBool = False
    # Choosing it sends the person straight to crisis contacts.
    crisis: StrictBool = False
    # Offered only when the help is for someone else ("I don't know" fits a carer, not the person
    # themselves); an answer with it from anyone else is refused like any option not shown.
    audience: Literal["someone_else"] | None = None

    def offered_to(self, audience: str) -> bool:
        return self.audience is None or self.audience == audience


# Questions whose answers come from the places data (wizard.domain.places), not from options.
PLACE_KINDS = frozenset({"subdivision", "town"})


class Question(Frozen):
    id: Code
    # subdivision: the country's ISO 3166-2 regions; town: a town or city from the offline gazetteer.
    # Both are optional, follow the country question and are never tested by conditions.
    kind: Literal["single", "multiple", "country", "subdivision", "town"]
    text: Words
    # A short title for the "check your answers" list.
    summary: Text
    help: Words | None = None
    # The message when a required question is not answered ("Select ...").
    error: Words | None = None
    required: StrictBool = True
    options: tuple[Option, ...] = ()
    ask_if: Condition | None = None
    why_we_ask: Text | None = None
    # What intake staff say aloud in the conversation guide ("Ask: ..."). English only:
    # the staff console is not translated, so the rules extractor leaves it out.
    prompt: Words | None = None

    @model_validator(mode="after")
    def _options_present(self) -> Question:
        if self.kind in ("single", "multiple") and len(self.options) < 2:
            raise ValueError("a single or multiple choice question needs at least two options")
        if self.kind == "country" and self.options:
            raise ValueError("a country question takes its options from countries.yaml")
        if self.kind in PLACE_KINDS:
            if self.options:
                raise ValueError(f"a {self.kind} question takes its options from the places data, not options")
            if self.required:
                raise ValueError(f"a {self.kind} question must be optional (required: false)")
        return self

    def option(self, code: str) -> Option | None:
        return next((o for o in self.options if o.code == code), None)

    def options_for(self, audience: str) -> tuple[Option, ...]:
        """The options this reader is offered (all of them, unless some are for one audience only)."""
        return tuple(o for o in self.options if o.offered_to(audience))


class Region(Frozen):
    code: Code
    name: Text


class Country(Frozen):
    code: CountryCode
    name: Text
    region: Code


# --- Approaches and organisations ------------------------------------------------

EvidenceLevel = Literal["strong", "moderate", "qualified", "not_stated"]
Faith = Literal["faith_based", "secular", "either"]
# not_stated: the sources do not say where it happens, so no setting preference removes it.
Setting = Literal["inpatient", "outpatient", "either", "not_a_setting", "not_stated"]


class Availability(Frozen):
    """Where the documents describe an approach as existing. Empty means anywhere."""

    countries: tuple[CountryCode, ...] = ()
    regions: tuple[Code, ...] = ()
    # Places inside those regions that the documents do not reach (islands, territories).
    except_countries: tuple[CountryCode, ...] = ()


class SafetyNote(Frozen):
    """Something that can hurt and that the source documents are silent on (withdrawal,
    overdose after a break, first aid): from a public-health body, with its page and the
    day it was checked. Approaches name the notes that concern them."""

    id: Code
    text: Text
    # Steps to follow, in order (first aid), when the note is a list of actions.
    steps: tuple[Text, ...] = ()
    publisher: Text
    source: Url
    checked: dt.date


# Words the sources' own sentence must hold before it can back each evidence label: a
# label is never stronger than the words it rests on (the loader checks evidence_basis).
_STRONG_WORDS = ("most effective", "widely recognized as effective", "highly successful")
EVIDENCE_WORDS: dict[str, tuple[str, ...]] = {
    "strong": _STRONG_WORDS,
    "qualified": ("effective for many", "effective for some", "helped thousands"),
    # Words that say it helps; stronger words back a weaker label too.
    "moderate": (
        *_STRONG_WORDS,
        "success",
        "strengthen",
        "reducing",
        "reduce",
        "improv",
        "expanded access",
        "lower overdose",
        "exacerbate",
    ),
}


class Approach(Frozen):
    id: Code
    name: Text
    summary: Text
    what_to_expect: Text
    faith: Faith
    setting: Setting
    medication: Literal["central", "compatible", "none", "not_stated"]
    # "information": a policy or principle, shown for information, never as a place to go.
    kind: Literal["service", "information"] = "service"
    # Overdose prevention (naloxone, for example): never left out by a treatment
    # preference such as "no medication"; the loader refuses a rule that would.
    life_saving: StrictBool = False
    evidence_level: EvidenceLevel
    # The words in the sources that the label rests on: verbatim in one of the citations,
    # and holding words strong enough for the label. Not needed for "not_stated".
    evidence_basis: Text | None = None
    evidence: Text
    cautions: tuple[Text, ...] = ()
    # How a person could start: what to ask for, in plain words. The page adds a real contact
    # (a listed service, a helpline or the call-back), so the text names none. Every service has one.
    how_to_start: Text | None = None
    # What the sources do not say (no named service, no platform): shown with the sources, never as
    # a caution about the treatment itself.
    gaps: tuple[Text, ...] = ()
    # Ids of notes in safety.yaml, shown wherever the approach is.
    safety_notes: tuple[Code, ...] = ()
    # Where the documents describe it (shown so nobody assumes it exists everywhere).
    where: Text | None = None
    # Set only when the documents tie it to places and it cannot be had elsewhere.
    only_in: Availability | None = None
    citations: tuple[Citation, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _a_service_says_how_to_start(self) -> Approach:
        # Every card and approach page ends with a real next step (C2): a service needs its words for it.
        if self.kind == "service" and not self.how_to_start:
            raise ValueError("a service approach needs 'how_to_start': what to ask for, in plain words")
        return self


# A national number with its country, or an international one (+...), as typed on the page.
PhoneText = Annotated[StrictStr, StringConstraints(pattern=r"^\+?[0-9][0-9 -]{1,20}$")]


class Reach(Frozen):
    """One checked way to reach an organisation: a website, a meeting finder or a phone.

    Not from the source documents, so it carries the page where it was checked and when.
    The loader checks the number with phonenumbers and refuses a checked date in the future.
    """

    kind: Literal["website", "meeting_finder", "phone"]
    url: Url | None = None
    number: PhoneText | None = None
    # The country a national number is dialled in (left out for a +international number).
    country: CountryCode | None = None
    # Short plain words shown as the link or next to the number ("Find a meeting near you").
    label: Text
    source: Url
    checked: dt.date

    @model_validator(mode="after")
    def _one_way(self) -> Reach:
        if self.kind == "phone":
            if not self.number or self.url:
                raise ValueError("a phone needs 'number' (and no 'url')")
            if not self.number.startswith("+") and not self.country:
                raise ValueError("a national number needs 'country' (or write it with its +country code)")
        elif not self.url or self.number:
            raise ValueError(f"a {self.kind} needs 'url' (and no 'number')")
        return self


class Organisation(Frozen):
    """Field names follow Open Referral HSDS where one fits."""

    id: Code
    name: Text
    alternate_name: Text | None = None
    description: Text
    kind: Literal[
        "mutual_aid",
        "treatment_provider",
        "harm_reduction_service",
        "community_group",
        "national_authority",
        "government_agency",
        "un_body",
        "international_body",
        "advocacy_ngo",
        "technical_ngo",
        "funder",
        "not_stated",
    ]
    # direct_help: a person can contact it for help. information: policy,
    # standards, advocacy or funding; never shown as a place to get treatment.
    role: Literal["direct_help", "information"]
    # The same attributes as approaches, so the same exclusions leave it out: no
    # faith-based body for someone who chose secular, no residential-only place for
    # someone who wants to live at home. The loader checks them against the links.
    faith: Faith
    setting: Setting
    # Who runs it or stands behind the sources, said plainly next to it.
    disclosure: Text | None = None
    service_area: Availability | None = None
    approaches: tuple[Code, ...] = ()
    # Ways to reach it, each checked on a page (not from the source documents), or, when none
    # could be checked, a sentence shown to the person saying so and what to do instead.
    reach: tuple[Reach, ...] = ()
    reach_none: Text | None = None
    citations: tuple[Citation, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _reach_or_reach_none(self) -> Organisation:
        if self.reach and self.reach_none:
            raise ValueError("give either 'reach' or 'reach_none', not both")
        if self.role == "direct_help" and not (self.reach or self.reach_none):
            raise ValueError(
                "a direct_help organisation needs 'reach' (checked ways to contact it) or 'reach_none' "
                "(a sentence saying no checked way is known, and what to do instead)"
            )
        return self

    @property
    def url(self) -> str | None:
        """Its website, when one was checked (the first website in reach)."""
        return next((r.url for r in self.reach if r.kind == "website"), None)


class NotEffective(Frozen):
    """Something the documents say does not work: never recommended."""

    id: Code
    name: Text
    summary: Text
    # Shown when the person's answers lean this way; the gentle explanation.
    note: Words
    lean_if: Condition
    instead: tuple[Code, ...] = ()
    citations: tuple[Citation, ...] = Field(min_length=1)


# --- Rules -------------------------------------------------------------------------


class Exclusion(Frozen):
    """Exclude approaches and organisations by their attributes (so new ones are covered too).

    Medication exclusions concern approaches only: an organisation that offers medication
    also offers other help. Life-saving approaches are never excluded by attribute.
    """

    faith: tuple[Faith, ...] = ()
    setting: tuple[Setting, ...] = ()
    medication: tuple[Literal["central", "compatible", "none", "not_stated"], ...] = ()
    approaches: tuple[Code, ...] = ()
    organisations: tuple[Code, ...] = ()


class Lowering(Frozen):
    """Approaches to move to the end of the list, by attribute or id.

    They are still shown (the person may want them), after everything that is not
    lowered. Life-saving approaches are never lowered by attribute.
    """

    faith: tuple[Faith, ...] = ()
    setting: tuple[Setting, ...] = ()
    approaches: tuple[Code, ...] = ()


class Rule(Frozen):
    id: Code
    when: Condition
    reason: Words
    # Points added to each recommended item; higher ranks first.
    score: Annotated[int, Field(ge=1, le=100)] = 10
    recommend: tuple[Code, ...] = ()
    recommend_organisations: tuple[Code, ...] = ()
    exclude: Exclusion | None = None
    lower: Lowering | None = None

    @model_validator(mode="after")
    def _has_effect(self) -> Rule:
        if not (self.recommend or self.recommend_organisations or self.exclude or self.lower):
            raise ValueError("a rule needs recommend, recommend_organisations, exclude or lower")
        return self


# --- Contacts ------------------------------------------------------------------------


# What a caller needs to know before dialling, shown to the person (not editors' comments).
Caveat = Literal["mobile_only", "landline_only", "partial_coverage", "police_run", "regional"]


class EmergencyNumber(Frozen):
    """A number that reaches an ambulance: checked against a source and phonenumbers' metadata."""

    # Two to six digits: 112, 000, 1669, South Africa's 10177.
    number: Annotated[StrictStr, StringConstraints(pattern=r"^[0-9]{2,6}$")]
    # general: one number for every emergency service; ambulance: the medical line.
    service: Literal["general", "ambulance"]
    caveats: tuple[Caveat, ...] = ()
    source: Url
    checked: dt.date
    # phonenumbers' metadata does not list this number: why it is listed anyway, naming the source.
    metadata_override: Text | None = None


HelplineKind = Literal["crisis", "information", "family"]
# Who a line is for, as codes with one translated label each.
Audience = Literal["anyone", "people_who_use_drugs", "family_and_friends", "young_people"]
LanguageCode = Annotated[StrictStr, StringConstraints(pattern=r"^[a-z]{2,3}$")]


class Helpline(Frozen):
    name: Text
    # crisis: answers someone in crisis now. information: drug and alcohol information or
    # referral, not a crisis line. family: support for family and friends.
    kind: HelplineKind
    phone: Annotated[StrictStr, StringConstraints(pattern=r"^\+?[0-9][0-9 -]{1,20}$")] | None = None
    text: Annotated[StrictStr, StringConstraints(pattern=r"^[0-9][0-9 ]{1,20}$")] | None = None
    url: Url | None = None
    # "24/7", or when it is answered, in plain words.
    hours: Text
    # "free", or what a call costs.
    cost: Text
    for_whom: tuple[Audience, ...] = Field(min_length=1)
    # Languages it answers in, when the source says (ISO 639 codes).
    languages: tuple[LanguageCode, ...] = ()
    description: Text
    source: Url
    checked: dt.date

    @property
    def always_open(self) -> bool:
        return self.hours == "24/7"

    @model_validator(mode="after")
    def _reachable(self) -> Helpline:
        if not (self.phone or self.text or self.url):
            raise ValueError("a helpline needs a phone, a text number or a url")
        return self


# Crisis lines first, then information and family lines: a person in crisis meets a crisis line first.
HELPLINE_ORDER = {"crisis": 0, "information": 1, "family": 2}


class CountryContacts(Frozen):
    country: CountryCode
    # Best first: the number most likely to reach an ambulance from any phone.
    emergency: tuple[EmergencyNumber, ...] = Field(min_length=1)
    helplines: tuple[Helpline, ...] = ()

    @property
    def primary(self) -> EmergencyNumber:
        return self.emergency[0]

    @property
    def ordered_helplines(self) -> tuple[Helpline, ...]:
        return tuple(sorted(self.helplines, key=lambda h: HELPLINE_ORDER[h.kind]))

    @property
    def family_lines(self) -> tuple[Helpline, ...]:
        """The lines that take calls from family and friends, in the same order."""
        return tuple(h for h in self.ordered_helplines if "family_and_friends" in h.for_whom)

    @property
    def has_crisis_line(self) -> bool:
        return any(h.kind == "crisis" for h in self.helplines)


# --- Service finders -------------------------------------------------------------------


class Finder(Frozen):
    """A country's official public locator for drug and alcohol treatment services."""

    country: CountryCode
    name: Text
    url: Url
    kind: Literal["finder"]
    # Who runs it, said plainly next to it (a ministry, a health service, a national body).
    run_by: Text
    # Where it works, when not the whole country ("England only").
    covers: Text | None = None
    # Languages it is in, when the source says (ISO 639 codes).
    languages: tuple[LanguageCode, ...] = ()
    source: Url
    checked: dt.date


# --- Support for the family member -------------------------------------------------------


class FamilySupport(Frozen):
    """Something said to a family member or friend ("you"; "they" is the person they worry about),
    shown only when the help is for someone else. Either from the source documents (citations, word
    for word) or from a public-health body (publisher, source and the day it was checked)."""

    id: Code
    # for_you: support for the family member; talking: how to talk with someone who is not ready.
    topic: Literal["for_you", "talking"]
    text: Text
    # Shown only when this holds for the answers (every family member sees it when left out).
    show_if: Condition | None = None
    citations: tuple[Citation, ...] = ()
    publisher: Text | None = None
    source: Url | None = None
    checked: dt.date | None = None

    @model_validator(mode="after")
    def _one_kind_of_source(self) -> FamilySupport:
        external = (self.publisher, self.source, self.checked)
        if self.citations and any(external):
            raise ValueError("give either citations or publisher, source and checked, not both")
        if not self.citations and not all(external):
            raise ValueError(
                "say where this comes from: citations from the source documents, or publisher, source and "
                "checked for a public-health body"
            )
        return self


# --- The whole rulebook ---------------------------------------------------------------


class Rulebook(Frozen):
    documents: tuple[Document, ...]
    questions: tuple[Question, ...]
    regions: tuple[Region, ...]
    countries: tuple[Country, ...]
    approaches: tuple[Approach, ...]
    organisations: tuple[Organisation, ...]
    not_effective: tuple[NotEffective, ...]
    rules: tuple[Rule, ...]
    contacts: tuple[CountryContacts, ...]
    safety_notes: tuple[SafetyNote, ...] = ()
    finders: tuple[Finder, ...] = ()
    family_support: tuple[FamilySupport, ...] = ()

    def finders_for(self, country_code: str | None) -> tuple[Finder, ...]:
        """The service finders for a country, in the order of finders.yaml (none for no country)."""
        return tuple(f for f in self.finders if f.country == country_code)

    def safety_note(self, note_id: str) -> SafetyNote:
        return next(n for n in self.safety_notes if n.id == note_id)
