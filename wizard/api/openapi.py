"""The OpenAPI 3.1 document for the public API (/api/v1/openapi.json).

Built from the loaded rulebook, so the request schema lists the real
question ids and option codes. Schemas are JSON Schema 2020-12 and match
``api_json.py`` exactly: the tests validate real responses against them.
"""

from __future__ import annotations

import typing

from wizard.domain.journey import Journey
from wizard.domain.rulebook import models as m
from wizard.platform.i18n import LANGUAGES

API_VERSION = "1.0.0"
PROBLEM = "application/problem+json"


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def nullable(schema: dict) -> dict:
    if "$ref" in schema:
        return {"anyOf": [schema, {"type": "null"}]}
    return {**schema, "type": [schema["type"], "null"]}


def obj(properties: dict, *, description: str | None = None, optional: tuple[str, ...] = ()) -> dict:
    """A closed object: every property is required unless named in ``optional``."""
    schema = {
        "type": "object",
        "properties": properties,
        "required": [name for name in properties if name not in optional],
        "additionalProperties": False,
    }
    if description:
        schema["description"] = description
    return schema


STRING = {"type": "string"}
TEXT = {"type": "string", "minLength": 1}
CODE = {"type": "string", "pattern": r"^[a-z0-9][a-z0-9_-]*$"}
COUNTRY_CODE = {"type": "string", "pattern": r"^[A-Z]{2}$"}
HTTPS_URL = {"type": "string", "format": "uri", "pattern": r"^https://"}
DATE = {"type": "string", "format": "date"}
BOOLEAN = {"type": "boolean"}


def _literal_values(model: type, field: str) -> list[str]:
    annotation = model.model_fields[field].annotation
    return list(annotation.__args__)


def _condition_schemas() -> dict:
    answer = {"type": "string", "minLength": 1}
    codes = {"type": "array", "items": answer, "minItems": 1}
    return {
        "Condition": {
            "description": "A condition, in the same shape as in the rules files. "
            "Conditions test option codes; `region` is derived from the country answer.",
            "oneOf": [
                obj({"answer": answer, "equals": answer}, description="The answer is this code."),
                obj({"answer": answer, "in": codes}, description="The answer is one of these codes."),
                obj(
                    {"answer": answer, "any_in": codes},
                    description="A multiple-choice answer includes any of these codes.",
                ),
                obj({"answered": answer}, description="The question was answered."),
                obj({"all": {"type": "array", "items": ref("Condition"), "minItems": 1}}),
                obj({"any": {"type": "array", "items": ref("Condition"), "minItems": 1}}),
                obj({"not": ref("Condition")}),
                obj({"always": {"const": True}}),
            ],
        }
    }


def _answer_schemas(journey: Journey) -> dict:
    properties = {}
    for question in journey.questions:
        codes = sorted(journey.valid_codes(question))
        if question.kind == "multiple":
            schema = {
                "type": "array",
                "items": {"type": "string", "enum": codes},
                "uniqueItems": True,
                "description": "Option codes, each once (an empty list means not answered).",
            }
        else:
            schema = {
                "type": "string",
                "enum": [*codes, ""],
                "description": "One option code (an empty string means not answered).",
            }
        properties[question.id] = schema
    return {
        "Answers": {
            "type": "object",
            "description": "Question id to option code (single and country questions) or list of option "
            "codes (multiple). Any question may be left out; answers to questions that are not asked, "
            "given the other answers, are refused.",
            "properties": properties,
            "additionalProperties": False,
        },
        "MatchRequest": obj(
            {"answers": ref("Answers"), "lang": ref("Language")},
            optional=("lang",),
        ),
    }


def _response_schemas() -> dict:
    wording = obj(
        {"myself": STRING, "someone_else": STRING},
        description="Text for someone looking for themselves, and for someone looking for another person.",
    )
    citation = obj(
        {
            "document": CODE,
            "title": {**TEXT, "description": "The source document's title (English)."},
            "quote": {**TEXT, "description": "Word for word from the document (English)."},
        }
    )
    evidence = obj(
        {
            "level": {"type": "string", "enum": ["strong", "moderate", "qualified", "not_stated"]},
            "text": {**TEXT, "description": "What the documents claim, in plain words."},
        }
    )
    facts = {
        "id": CODE,
        "name": TEXT,
        "summary": TEXT,
        "what_to_expect": TEXT,
        "evidence": ref("Evidence"),
        "cautions": {"type": "array", "items": TEXT},
        "where": nullable({**TEXT, "description": "Where the documents describe it."}),
        "kind": {
            "type": "string",
            "enum": ["service", "information"],
            "description": "`information`: a policy or principle, never a place to go.",
        },
        "citations": {"type": "array", "items": ref("Citation"), "minItems": 1},
    }
    area = {
        "oneOf": [
            obj({"country": COUNTRY_CODE, "name": TEXT}),
            obj({"region": CODE, "name": TEXT}),
        ]
    }
    areas = {
        "type": "array",
        "items": ref("ServiceArea"),
        "description": "Where it works. An empty list: anywhere, or the documents do not say.",
    }
    reasons = {"type": "array", "items": TEXT, "description": "Why it matched, in words."}
    org_base = {
        "id": CODE,
        "name": TEXT,
        "alternate_name": nullable(TEXT),
        "description": TEXT,
        "url": nullable(HTTPS_URL),
        "role": {
            "type": "string",
            "enum": _literal_values(m.Organisation, "role"),
            "description": "`direct_help`: a person can contact it for help. `information`: policy, standards, "
            "advocacy or funding, never a place to get treatment.",
        },
        "kind": {"type": "string", "enum": _literal_values(m.Organisation, "kind")},
        "service_area": areas,
    }
    helpline = obj(
        {
            "name": TEXT,
            "kind": {
                "type": "string",
                "enum": list(typing.get_args(m.HelplineKind)),
                "description": "crisis: answers someone in crisis now. information and family lines are not "
                "crisis lines. Crisis lines come first.",
            },
            "phone": nullable(STRING),
            "text": nullable({**STRING, "description": "A number to send a text message to."}),
            "url": nullable(HTTPS_URL),
            "hours": {**TEXT, "description": "`24/7`, or when the line is answered."},
            "cost": {**TEXT, "description": "`free`, or what a call costs."},
            "for_whom": {"type": "array", "items": {"type": "string", "enum": list(typing.get_args(m.Audience))}},
            "languages": {"type": "array", "items": {"type": "string"}, "description": "ISO 639 codes."},
            "description": TEXT,
            "source": {**HTTPS_URL, "description": "Where this was checked."},
            "checked": DATE,
        }
    )
    emergency = obj(
        {
            "number": {"type": "string", "pattern": r"^[0-9]{2,6}$"},
            "service": {"type": "string", "enum": ["general", "ambulance"]},
            "caveats": {
                "type": "array",
                "items": {"type": "string", "enum": list(typing.get_args(m.Caveat))},
                "description": "What a caller needs to know: show these with the number.",
            },
            "source": HTTPS_URL,
            "checked": DATE,
        },
        description="A number that reaches an ambulance.",
    )
    contacts = obj(
        {
            "emergency": {**emergency, "description": "The best emergency number for the country."},
            "emergency_numbers": {"type": "array", "items": emergency, "minItems": 1},
            "has_crisis_line": BOOLEAN,
            "helplines": {"type": "array", "items": ref("Helpline")},
        },
        description="Emergency numbers and helplines for the country; not from the source documents, "
        "so each carries where and when it was checked.",
    )
    faith = _literal_values(m.Approach, "faith")
    return {
        "Language": {"type": "string", "enum": list(LANGUAGES), "description": "Language of the text returned."},
        "Wording": wording,
        "Option": obj(
            {
                "code": {
                    "type": "string",
                    "pattern": r"^([a-z0-9][a-z0-9_-]*|[A-Z]{2})$",
                    "description": "The answer to send; a two-letter country code for the country question.",
                },
                "label": ref("Wording"),
                "hint": nullable(ref("Wording")),
                "exclusive": {**BOOLEAN, "description": "Cannot be combined with other options."},
                "crisis": {**BOOLEAN, "description": "Choosing it means danger now: show emergency contacts."},
            }
        ),
        "Question": obj(
            {
                "id": CODE,
                "kind": {"type": "string", "enum": ["single", "multiple", "country"]},
                "text": ref("Wording"),
                "summary": {**TEXT, "description": "A short title for the question."},
                "help": nullable(ref("Wording")),
                "why_we_ask": nullable(TEXT),
                "required": BOOLEAN,
                "options": {"type": "array", "items": ref("Option"), "minItems": 2},
                "ask_if": {
                    "anyOf": [ref("Condition"), {"type": "null"}],
                    "description": "Asked only when this holds for the earlier answers; null: always asked.",
                },
            }
        ),
        "QuestionList": obj({"questions": {"type": "array", "items": ref("Question")}}),
        "Citation": citation,
        "Evidence": evidence,
        "Approach": obj(
            {
                **facts,
                "faith": {"type": "string", "enum": faith},
                "setting": {"type": "string", "enum": _literal_values(m.Approach, "setting")},
                "medication": {"type": "string", "enum": _literal_values(m.Approach, "medication")},
                "only_in": nullable(
                    {**areas, "description": "Set when the documents tie it to these places only; null: anywhere."}
                ),
            }
        ),
        "ApproachList": obj({"approaches": {"type": "array", "items": ref("Approach")}}),
        "ApproachMatch": obj(
            {
                **facts,
                "score": {"type": "integer", "minimum": 1, "description": "Higher ranks first."},
                "reasons": reasons,
            }
        ),
        "ServiceArea": area,
        "Organisation": obj(
            {
                **org_base,
                "email": {"type": "null"},
                "phones": {"type": "array", "maxItems": 0},
                "languages": {"type": "array", "maxItems": 0},
                "approaches": {"type": "array", "items": CODE, "description": "Related approach ids."},
                "citations": {"type": "array", "items": ref("Citation"), "minItems": 1},
            },
            description="Shaped after Open Referral HSDS. email, phones and languages are not in the "
            "source documents, so they are always empty.",
        ),
        "OrganisationList": obj({"organisations": {"type": "array", "items": ref("Organisation")}}),
        "OrganisationMatch": obj({**org_base, "reasons": reasons}),
        "Helpline": helpline,
        "Contacts": contacts,
        "NotEffective": obj(
            {
                "id": CODE,
                "name": TEXT,
                "note": {**TEXT, "description": "A gentle explanation of what the documents say."},
                "instead": {"type": "array", "items": CODE, "description": "Approach ids to look at instead."},
                "citations": {"type": "array", "items": ref("Citation"), "minItems": 1},
            },
            description="Something the documents say does not work, which these answers lean towards.",
        ),
        "MatchResult": obj(
            {
                "audience": {"type": "string", "enum": ["myself", "someone_else"]},
                "crisis": {
                    **BOOLEAN,
                    "description": "Someone is in danger now: show `contacts` (or a local emergency number) "
                    "before anything else.",
                },
                "country": nullable(obj({"code": COUNTRY_CODE, "name": TEXT})),
                "approaches": {
                    "type": "array",
                    "items": ref("ApproachMatch"),
                    "description": "Services to look for, best match first.",
                },
                "information": {
                    "type": "array",
                    "items": ref("ApproachMatch"),
                    "description": "Policies and principles that matched, for information only.",
                },
                "organisations": obj(
                    {
                        "direct_help": {"type": "array", "items": ref("OrganisationMatch")},
                        "information": {"type": "array", "items": ref("OrganisationMatch")},
                    }
                ),
                "contacts": nullable(ref("Contacts")),
                "not_effective": {"type": "array", "items": ref("NotEffective")},
            }
        ),
        "Problem": obj(
            {
                "type": {"type": "string", "format": "uri-reference"},
                "title": TEXT,
                "status": {"type": "integer", "minimum": 400, "maximum": 599},
                "detail": TEXT,
                "errors": {"type": "array", "items": ref("FieldError"), "minItems": 1},
            },
            optional=("errors",),
            description="An RFC 9457 problem. `errors` lists each invalid field of a request.",
        ),
        "FieldError": obj(
            {
                "field": {
                    "type": "string",
                    "description": "The field, as a dotted path such as `answers.faith`; `body` for the whole body.",
                },
                "message": TEXT,
            }
        ),
    }


def _problem(description: str) -> dict:
    return {"description": description, "content": {PROBLEM: {"schema": ref("Problem")}}}


def _json(description: str, schema: str) -> dict:
    return {
        "description": description,
        "headers": {"Content-Language": {"$ref": "#/components/headers/Content-Language"}},
        "content": {"application/json": {"schema": ref(schema)}},
    }


LANG_PARAMETER = {
    "name": "lang",
    "in": "query",
    "required": False,
    "description": "Language of the text returned. Without it, the Accept-Language header decides, then English.",
    "schema": ref("Language"),
}


def _read(summary: str, description: str, schema: str) -> dict:
    return {
        "get": {
            "summary": summary,
            "description": description,
            "operationId": summary.lower().replace(" ", "_"),
            "parameters": [{"$ref": "#/components/parameters/lang"}],
            "responses": {
                "200": _json(summary, schema),
                "422": _problem("`lang` is not a supported language."),
                "429": {"$ref": "#/components/responses/TooManyRequests"},
            },
        }
    }


def _html(summary: str, operation_id: str) -> dict:
    return {
        "get": {
            "summary": summary,
            "operationId": operation_id,
            "responses": {"200": {"description": "An HTML page.", "content": {"text/html": {"schema": STRING}}}},
        }
    }


def build_openapi(journey: Journey) -> dict:
    schemas = {**_response_schemas(), **_condition_schemas(), **_answer_schemas(journey)}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Find recovery support API",
            "version": API_VERSION,
            "summary": "Questions, matching, approaches and organisations from the treatment-options wizard.",
            "description": "The same questions and matching rules as the web journey, as JSON. The API uses no "
            "cookies and stores nothing: answers are used for one response and never logged. Text is "
            "translated with `lang`; quotes from the source documents stay in English. Errors are RFC 9457 "
            "problem details (`application/problem+json`).",
            "license": {"name": "MIT", "identifier": "MIT"},
        },
        "paths": {
            "/api/v1/questions": _read(
                "List questions",
                "Every question in order, with its options and the condition under which it is asked.",
                "QuestionList",
            ),
            "/api/v1/match": {
                "post": {
                    "summary": "Match answers",
                    "description": "Approaches, organisations and contacts that fit the answers. Partial answers "
                    "are fine. When `crisis` is true, show emergency contacts first.",
                    "operationId": "match_answers",
                    "parameters": [{"$ref": "#/components/parameters/lang"}],
                    "requestBody": {
                        "required": True,
                        "description": "`lang` in the body wins over the `lang` query parameter.",
                        "content": {"application/json": {"schema": ref("MatchRequest")}},
                    },
                    "responses": {
                        "200": _json("What fits the answers.", "MatchResult"),
                        "400": _problem("The body is not valid JSON."),
                        "413": _problem("The body is larger than 32 KB."),
                        "415": _problem("The body is not sent as application/json."),
                        "422": _problem("The request is not valid; `errors` names each field and why."),
                        "429": {"$ref": "#/components/responses/TooManyRequests"},
                    },
                },
                "options": {
                    "summary": "CORS preflight",
                    "description": "For browsers on a partner's site (listed origins only).",
                    "operationId": "match_preflight",
                    "responses": {"204": {"description": "Preflight accepted; CORS headers for listed origins."}},
                },
            },
            "/api/v1/approaches": _read(
                "List approaches",
                "Every treatment and recovery approach described in the source documents.",
                "ApproachList",
            ),
            "/api/v1/organisations": _read(
                "List organisations",
                "Every organisation named in the source documents, shaped after Open Referral HSDS.",
                "OrganisationList",
            ),
            "/api/v1/openapi.json": {
                "get": {
                    "summary": "This document",
                    "operationId": "openapi",
                    "responses": {
                        "200": {
                            "description": "The OpenAPI document.",
                            "content": {"application/json": {"schema": {"type": "object"}}},
                        }
                    },
                }
            },
            "/api/v1/": _html("Documentation", "docs_index"),
            "/api/v1/docs": _html("Documentation", "docs"),
        },
        "components": {
            "schemas": schemas,
            "parameters": {"lang": LANG_PARAMETER},
            "headers": {
                "Content-Language": {"description": "The language of the text.", "schema": ref("Language")},
            },
            "responses": {
                "TooManyRequests": {
                    **_problem("Too many requests: 120 a minute for matching, 300 a minute for the rest."),
                    "headers": {"Retry-After": {"description": "Seconds to wait.", "schema": STRING}},
                }
            },
        },
    }
