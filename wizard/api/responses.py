"""The rulebook and match results as JSON for the public API.

Every piece of human text goes through ``i18n.t`` so it comes out in the
request's language; quotes from the source documents stay in English, as
on the web pages. Shapes are described in ``openapi.py`` and must stay in
step with it (the tests validate real responses against that document).
"""

from __future__ import annotations

from wizard.domain.journey import Journey
from wizard.domain.matching import ApproachMatch, OrganisationMatch, Result
from wizard.domain.rulebook import conditions as c
from wizard.domain.rulebook import models as m
from wizard.domain.rulebook.loader import PREFER_NOT_TO_SAY
from wizard.platform import i18n
from wizard.platform.services import services

AUDIENCES = ("myself", "someone_else")


# --- conditions ------------------------------------------------------------------------


def condition_json(cond: c.Cond) -> dict:
    """A condition in the same shape as it is written in the YAML files."""
    if isinstance(cond, c.Equals):
        return {"answer": cond.answer, "equals": cond.value}
    if isinstance(cond, c.In):
        return {"answer": cond.answer, "in": sorted(cond.values)}
    if isinstance(cond, c.AnyIn):
        return {"answer": cond.answer, "any_in": sorted(cond.values)}
    if isinstance(cond, c.Answered):
        return {"answered": cond.answer}
    if isinstance(cond, c.All):
        return {"all": [condition_json(part) for part in cond.parts]}
    if isinstance(cond, c.Any):
        return {"any": [condition_json(part) for part in cond.parts]}
    if isinstance(cond, c.Not):
        return {"not": condition_json(cond.part)}
    if isinstance(cond, c.Always):
        return {"always": True}
    raise TypeError(f"not a condition: {type(cond).__name__}")


# --- questions -------------------------------------------------------------------------


def _wording(words: m.Words | None) -> dict | None:
    if words is None:
        return None
    return {audience: i18n.t(m.words_for(words, audience)) for audience in AUDIENCES}


def _same_for_both(text: str) -> dict:
    return {"myself": text, "someone_else": text}


def _options(question: m.Question) -> list[dict]:
    if question.kind == "country":
        countries = [
            {"code": code, "label": _same_for_both(name), "hint": None, "exclusive": False, "crisis": False}
            for code, name in i18n.country_choices()
        ]
        prefer_not = _same_for_both(i18n.t("Prefer not to say"))
        return [
            *countries,
            {"code": PREFER_NOT_TO_SAY, "label": prefer_not, "hint": None, "exclusive": False, "crisis": False},
        ]
    return [
        {
            "code": option.code,
            "label": _wording(option.label),
            "hint": _wording(option.hint),
            "exclusive": option.exclusive,
            "crisis": option.crisis,
        }
        for option in question.options
    ]


def question_json(question: m.Question) -> dict:
    return {
        "id": question.id,
        "kind": question.kind,
        "text": _wording(question.text),
        "summary": i18n.t(question.summary),
        "help": _wording(question.help),
        "why_we_ask": i18n.t(question.why_we_ask) or None,
        "required": question.required,
        "options": _options(question),
        "ask_if": condition_json(question.ask_if) if question.ask_if is not None else None,
    }


def questions_json(journey: Journey) -> dict:
    return {"questions": [question_json(q) for q in journey.questions]}


# --- approaches ------------------------------------------------------------------------


def _documents() -> dict[str, m.Document]:
    return {d.id: d for d in services().rulebook.documents}


def citations_json(citations: tuple[m.Citation, ...]) -> list[dict]:
    documents = _documents()
    return [{"document": c.document, "title": documents[c.document].title, "quote": c.quote} for c in citations]


def _approach_facts(a: m.Approach) -> dict:
    return {
        "id": a.id,
        "name": i18n.t(a.name),
        "summary": i18n.t(a.summary),
        "what_to_expect": i18n.t(a.what_to_expect),
        "evidence": {"level": a.evidence_level, "text": i18n.t(a.evidence)},
        "cautions": [i18n.t(caution) for caution in a.cautions],
        "where": i18n.t(a.where) if a.where else None,
        "kind": a.kind,
        "citations": citations_json(a.citations),
    }


def approach_json(a: m.Approach) -> dict:
    """An approach in the catalogue: its facts and the attributes rules match on."""
    return {
        **_approach_facts(a),
        "faith": a.faith,
        "setting": a.setting,
        "medication": a.medication,
        "only_in": _areas(a.only_in) if a.only_in else None,
    }


def approach_match_json(match: ApproachMatch) -> dict:
    facts = _approach_facts(match.approach)
    return {
        **facts,
        "score": match.score,
        "reasons": [i18n.reason_text(reason) for reason in match.reasons],
    }


def approaches_json(rulebook: m.Rulebook) -> dict:
    return {"approaches": [approach_json(a) for a in rulebook.approaches]}


# --- organisations (shaped after Open Referral HSDS) ---------------------------------------


def _areas(area: m.Availability | None) -> list[dict]:
    if area is None:
        return []
    regions = {r.code: r.name for r in services().rulebook.regions}
    return [
        *({"country": code, "name": i18n.country_name(code)} for code in area.countries),
        *({"region": code, "name": i18n.t(regions.get(code, code))} for code in area.regions),
    ]


def _organisation_base(o: m.Organisation) -> dict:
    return {
        "id": o.id,
        "name": i18n.t(o.name),
        "alternate_name": o.alternate_name,
        "description": i18n.t(o.description),
        "url": o.url,
        "role": o.role,
        "kind": o.kind,
        "service_area": _areas(o.service_area),
    }


def organisation_json(o: m.Organisation) -> dict:
    """An organisation in the catalogue, with the HSDS fields we have no data for left empty."""
    return {
        **_organisation_base(o),
        "email": None,
        "phones": [],
        "languages": [],
        "approaches": list(o.approaches),
        "citations": citations_json(o.citations),
    }


def organisation_match_json(match: OrganisationMatch) -> dict:
    return {
        **_organisation_base(match.organisation),
        "reasons": [i18n.reason_text(reason) for reason in match.reasons],
    }


def organisations_json(rulebook: m.Rulebook) -> dict:
    return {"organisations": [organisation_json(o) for o in rulebook.organisations]}


# --- a match -------------------------------------------------------------------------------


def _emergency(entry: m.EmergencyNumber) -> dict:
    return {
        "number": entry.number,
        "service": entry.service,
        "caveats": list(entry.caveats),
        "source": entry.source,
        "checked": entry.checked.isoformat(),
    }


def _contacts(contacts: m.CountryContacts | None) -> dict | None:
    if contacts is None:
        return None
    return {
        # The best number first; every number, with what a caller needs to know, after.
        "emergency": _emergency(contacts.primary),
        "emergency_numbers": [_emergency(entry) for entry in contacts.emergency],
        "has_crisis_line": contacts.has_crisis_line,
        "helplines": [
            {
                "name": i18n.t(line.name),
                "kind": line.kind,
                "phone": line.phone,
                "text": line.text,
                "url": line.url,
                "hours": "24/7" if line.always_open else i18n.t(line.hours),
                "cost": "free" if line.cost == "free" else i18n.t(line.cost),
                "for_whom": list(line.for_whom),
                "languages": list(line.languages),
                "description": i18n.t(line.description),
                "source": line.source,
                "checked": line.checked.isoformat(),
            }
            for line in contacts.ordered_helplines
        ],
    }


def result_json(result: Result) -> dict:
    return {
        "audience": result.audience,
        "crisis": result.crisis,
        "country": (
            {"code": result.country.code, "name": i18n.country_name(result.country.code)} if result.country else None
        ),
        "approaches": [approach_match_json(a) for a in result.approaches],
        "information": [approach_match_json(a) for a in result.information],
        "organisations": {
            "direct_help": [organisation_match_json(o) for o in result.direct_help],
            "information": [organisation_match_json(o) for o in result.information_bodies],
        },
        "contacts": _contacts(result.contacts),
        "not_effective": [
            {
                "id": note.item.id,
                "name": i18n.t(note.item.name),
                "note": i18n.t(note.note),
                "instead": list(note.item.instead),
                "citations": citations_json(note.item.citations),
            }
            for note in result.not_effective
        ],
    }
