"""The OpenAPI 3.1 document for the public API (/api/v1/openapi.json).

The schemas come from the pydantic models that also write the responses
(``schemas.py``), and from a request model built once from the loaded rulebook,
so the request schema lists the real question ids and option codes. What is
written by hand here is the table of paths.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model
from pydantic.json_schema import GenerateJsonSchema, models_json_schema
from typing_extensions import TypeAliasType

from wizard.api.schemas import RESPONSES
from wizard.domain.journey import Journey
from wizard.domain.rulebook.models import Question
from wizard.platform.i18n import EARLIER_TAGS, LANGUAGES

API_VERSION = "1.0.0"
BASE_PATH = "/api/v1"
PROBLEM = "application/problem+json"
SCHEMAS = "#/components/schemas/{model}"


class DocumentSchema(GenerateJsonSchema):
    """JSON Schema for the document: no per-field titles, and no Python-side defaults."""

    def field_title_should_be_set(self, schema) -> bool:
        return False

    def default_schema(self, schema):
        return self.generate_inner(schema["schema"])


Language = TypeAliasType(
    "Language",
    Annotated[
        Literal[(*LANGUAGES, *sorted(EARLIER_TAGS))],
        Field(
            description='Language of the text returned. "pt", the earlier name for Portuguese, gives '
            "pt-PT for answers from Portugal and pt-BR otherwise."
        ),
    ],
)


# --- the request ----------------------------------------------------------------------------


def _answer_field(journey: Journey, question: Question) -> tuple:
    # Aliased, so that no question id can clash with a pydantic attribute name.
    if question.kind == "subdivision":
        description = (
            "An ISO 3166-2 code of a top-level region of the country answered (such as PT-13), "
            "or prefer_not_to_say (an empty string means not answered)."
        )
        pattern = r"^([A-Z]{2}-[A-Z0-9]{1,3}|prefer_not_to_say)?$"
        return Annotated[str, Field(pattern=pattern)], Field(default="", alias=question.id, description=description)
    if question.kind == "town":
        description = (
            "A town or city in the country answered: its GeoNames id (such as 2735943), or its name when only "
            "one town of the country has it; or prefer_not_to_say (an empty string means not answered). "
            "A name that fits several towns is refused with their ids."
        )
        return Annotated[str, Field(max_length=100)], Field(default="", alias=question.id, description=description)
    codes = tuple(sorted(journey.valid_codes(question)))
    if question.kind == "multiple":
        description = "Option codes, each once (an empty list means not answered)."
        return set[Literal[codes]], Field(default_factory=set, alias=question.id, description=description)
    description = "One option code (an empty string means not answered)."
    return Literal[(*codes, "")], Field(default="", alias=question.id, description=description)


def match_request(journey: Journey) -> type[BaseModel]:
    """The body of POST /match, with an ``Answers`` object made from this rulebook's questions."""
    answers = create_model(
        "Answers",
        __config__=ConfigDict(extra="forbid"),
        __doc__="Question id to option code (single and country questions) or list of option codes "
        "(multiple). Any question may be left out; answers to questions that are not asked, given the "
        "other answers, are refused.",
        **{f"answer_{i}": _answer_field(journey, q) for i, q in enumerate(journey.questions)},
    )
    return create_model(
        "MatchRequest",
        __config__=ConfigDict(extra="forbid"),
        answers=(answers, ...),
        lang=(Language, Field(default=None, description="Wins over the `lang` query parameter.")),
    )


# --- the paths -------------------------------------------------------------------------------

TAGS = [
    {"name": "rulebook", "description": "The questions, approaches and organisations that matching rests on."},
    {"name": "matching", "description": "Answers in; the approaches, organisations and contacts that fit out."},
    {
        "name": "directory",
        "description": "The service directory in Open Referral HSDS 3.0: services and the taxonomy they are "
        "tagged with. Only listings checked recently enough are shown.",
        "externalDocs": {"url": "https://docs.openreferral.org/en/latest/hsds/overview.html"},
    },
    {"name": "documentation", "description": "This document and the page for developers."},
]

# Paging of the directory's lists.
DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 100
MAX_PAGE = 100_000
# How many approaches one request may filter by.
MAX_APPROACHES = 20


def _schema(name: str) -> dict:
    return {"$ref": SCHEMAS.format(model=name)}


def _problem(description: str) -> dict:
    return {"description": description, "content": {PROBLEM: {"schema": _schema("Problem")}}}


def _json(description: str, schema: str) -> dict:
    return {
        "description": description,
        "headers": {"Content-Language": {"$ref": "#/components/headers/Content-Language"}},
        "content": {"application/json": {"schema": _schema(schema)}},
    }


def _read(operation_id: str, summary: str, description: str, schema: str) -> dict:
    return {
        "get": {
            "tags": ["rulebook"],
            "summary": summary,
            "description": description,
            "operationId": operation_id,
            "parameters": [{"$ref": "#/components/parameters/lang"}],
            "responses": {
                "200": _json(summary, schema),
                "422": _problem("`lang` is not a supported language."),
                "429": {"$ref": "#/components/responses/TooManyRequests"},
            },
        }
    }


def _page(operation_id: str, description: str, media_type: str, schema: dict) -> dict:
    return {
        "get": {
            "tags": ["documentation"],
            "summary": "Documentation",
            "description": description,
            "operationId": operation_id,
            "responses": {"200": {"description": description, "content": {media_type: {"schema": schema}}}},
        }
    }


MATCH = {
    "tags": ["matching"],
    "summary": "Match answers",
    "description": "Approaches, organisations and contacts that fit the answers. Partial answers are fine. "
    "When `crisis` is true, show emergency contacts first.",
    "operationId": "match_answers",
    "parameters": [{"$ref": "#/components/parameters/lang"}],
    "requestBody": {
        "required": True,
        "description": "`lang` in the body wins over the `lang` query parameter.",
        "content": {"application/json": {"schema": _schema("MatchRequest")}},
    },
    "responses": {
        "200": _json("What fits the answers.", "MatchResult"),
        "400": _problem("The body is not valid JSON."),
        "413": _problem("The body is larger than 32 KB."),
        "415": _problem("The body is not sent as application/json."),
        "422": _problem("The request is not valid; `errors` names each field and why."),
        "429": {"$ref": "#/components/responses/TooManyRequests"},
    },
}

PREFLIGHT = {
    "tags": ["matching"],
    "summary": "CORS preflight",
    "description": "For browsers on a partner's site (listed origins only).",
    "operationId": "match_preflight",
    "responses": {"204": {"description": "Preflight accepted; CORS headers for listed origins."}},
}


def _parameter(name: str, description: str, schema: dict, where: str = "query", **more) -> dict:
    required = where == "path"
    return {"name": name, "in": where, "required": required, "description": description, "schema": schema, **more}


DIRECTORY_PARAMETERS = {
    "page": _parameter(
        "page",
        "The page, from 1. A page after the last is empty.",
        {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1},
    ),
    "per_page": _parameter(
        "per_page",
        f"Items a page, at most {MAX_PER_PAGE}.",
        {"type": "integer", "minimum": 1, "maximum": MAX_PER_PAGE, "default": DEFAULT_PER_PAGE},
    ),
    "country": _parameter(
        "country", "Only services in this country (ISO 3166-1 alpha-2).", {"type": "string", "pattern": "^[A-Za-z]{2}$"}
    ),
    "region": _parameter(
        "region",
        "Only services that serve this region (ISO 3166-2, such as `PT-13`): they list it among their areas, "
        "or serve the whole country.",
        {"type": "string", "pattern": "^[A-Za-z]{2}-[A-Za-z0-9]{1,3}$"},
    ),
    "approach": _parameter(
        "approach",
        "Only services offering any of these approaches: an approach id (the term's `code`) or the term's id, "
        f"from GET /taxonomy_terms. Repeat the parameter or separate with commas; at most {MAX_APPROACHES}.",
        {"type": "array", "items": {"type": "string", "minLength": 1}, "maxItems": MAX_APPROACHES},
        style="form",
        explode=True,
    ),
    "near": _parameter(
        "near",
        "A town's GeoNames id: nearest services first (services given only by phone or online, or without "
        "a location, come last). It sorts and does not filter; it is not stored or logged.",
        {"type": "string", "pattern": "^[0-9]{1,10}$"},
    ),
    "partner": _parameter(
        "partner",
        "A partner's id: that partner's own listings are included with this service's directory.",
        {"type": "string", "pattern": "^[a-z0-9][a-z0-9_-]*$", "maxLength": 64},
    ),
    "full": _parameter(
        "full",
        "true: each service in full (phones, locations, schedules, ...), as GET /services/{id} gives it. "
        "By default each is in HSDS's list shape (its own fields, with its organization).",
        {"type": "boolean", "default": False},
    ),
    "parent_id": _parameter(
        "parent_id", "Only the terms under this term (its id).", {"type": "string", "format": "uuid"}
    ),
    "taxonomy_id": _parameter(
        "taxonomy_id", "Only the terms of this taxonomy (its id).", {"type": "string", "format": "uuid"}
    ),
    "id": _parameter("id", "The id.", {"type": "string", "maxLength": 100}, where="path"),
}


def _ref(parameter: str) -> dict:
    return {"$ref": f"#/components/parameters/{parameter}"}


def _directory(operation_id: str, summary: str, description: str, schema: str, parameters: tuple, *, one: bool):
    responses = {
        "200": {
            "description": summary,
            "content": {"application/json": {"schema": _schema(schema)}},
        },
        "400": _problem("A parameter is not valid, or not one this address takes; `errors` names each."),
    }
    if one:
        responses["404"] = _problem("There is no such item, or it is not public.")
    responses["429"] = {"$ref": "#/components/responses/TooManyRequests"}
    if schema in ("ServiceList", "HsdsService"):
        responses["503"] = _problem("The directory cannot be read just now; try again in a moment.")
    return {
        "get": {
            "tags": ["directory"],
            "summary": summary,
            "description": description,
            "operationId": operation_id,
            "parameters": [_ref(name) for name in parameters],
            "responses": responses,
        }
    }


SERVICE_FILTERS = ("country", "region", "approach", "near", "partner", "full", "page", "per_page")

DIRECTORY_PATHS = {
    "/taxonomy": _directory(
        "get_taxonomy",
        "The taxonomy",
        "The taxonomy services are tagged with, and all its terms: one for each approach that is a service "
        "(its `code` is the approach id of GET /approaches) and one for each attribute (faith, setting, "
        "medication, harm reduction, who, age and cost). Term ids never change between releases.",
        "TaxonomyDocument",
        (),
        one=False,
    ),
    "/taxonomies": _directory(
        "list_taxonomies",
        "List taxonomies",
        "The taxonomies, in HSDS's paginated shape (there is one).",
        "TaxonomyList",
        ("page", "per_page"),
        one=False,
    ),
    "/taxonomies/{id}": _directory(
        "get_taxonomy_by_id", "Get a taxonomy", "One taxonomy, by its id.", "HsdsTaxonomy", ("id",), one=True
    ),
    "/taxonomy_terms": _directory(
        "list_taxonomy_terms",
        "List taxonomy terms",
        "The taxonomy's terms, parents first, in HSDS's paginated shape.",
        "TaxonomyTermList",
        ("taxonomy_id", "parent_id", "page", "per_page"),
        one=False,
    ),
    "/taxonomy_terms/{id}": _directory(
        "get_taxonomy_term", "Get a taxonomy term", "One term, by its id.", "HsdsTaxonomyTerm", ("id",), one=True
    ),
    "/services": _directory(
        "list_services",
        "List services",
        "Services in the directory, in HSDS 3.0's paginated shape, by id or (with `near`) nearest first. Only "
        "listings checked recently enough; fictional listings only on a demonstration instance.",
        "ServiceList",
        SERVICE_FILTERS,
        one=False,
    ),
    "/services/{id}": _directory(
        "get_service",
        "Get a service",
        "One service in full, HSDS 3.0, as published. Not found unless public (see GET /services).",
        "HsdsService",
        ("id", "partner"),
        one=True,
    ),
}

HTML = {"type": "string"}
PAGE = "The page for developers: how to call the API, with examples."

# Relative to the server, BASE_PATH.
PATHS = {
    "/questions": _read(
        "list_questions",
        "List questions",
        "Every question in order, with its options and the condition under which it is asked.",
        "QuestionList",
    ),
    "/match": {"post": MATCH, "options": PREFLIGHT},
    "/approaches": _read(
        "list_approaches",
        "List approaches",
        "Every treatment and recovery approach described in the source documents.",
        "ApproachList",
    ),
    "/organisations": _read(
        "list_organisations",
        "List organisations",
        "Every organisation named in the source documents, shaped after Open Referral HSDS.",
        "OrganisationList",
    ),
    **DIRECTORY_PATHS,
    "/openapi.json": _page("openapi", "This OpenAPI document.", "application/json", {"type": "object"}),
    "/": _page("docs_index", PAGE, "text/html", HTML),
    "/docs": _page("docs", PAGE, "text/html", HTML),
}


# --- the document -----------------------------------------------------------------------------


@functools.cache
def _response_schemas() -> dict:
    _, schemas = models_json_schema(
        [(model, "serialization") for model in RESPONSES], ref_template=SCHEMAS, schema_generator=DocumentSchema
    )
    return schemas["$defs"]


def _request_schemas(journey: Journey) -> dict:
    _, schemas = models_json_schema(
        [(match_request(journey), "validation")], ref_template=SCHEMAS, schema_generator=DocumentSchema
    )
    return schemas["$defs"]


def _contact(operator: Mapping) -> dict:
    """Who runs this service, from the operator's settings."""
    contact = {"name": operator["OPERATOR_NAME"]}
    if operator.get("OPERATOR_WEBSITE"):
        contact["url"] = operator["OPERATOR_WEBSITE"]
    if operator.get("OPERATOR_EMAIL"):
        contact["email"] = operator["OPERATOR_EMAIL"]
    return contact


def build_openapi(journey: Journey, operator: Mapping) -> dict:
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
            "contact": _contact(operator),
            "license": {"name": "MIT", "identifier": "MIT"},
        },
        "servers": [{"url": BASE_PATH, "description": "This service."}],
        "tags": TAGS,
        "paths": PATHS,
        "components": {
            "schemas": {**_response_schemas(), **_request_schemas(journey)},
            "parameters": {
                **DIRECTORY_PARAMETERS,
                "lang": {
                    "name": "lang",
                    "in": "query",
                    "required": False,
                    "description": "Language of the text returned. Without it, the Accept-Language header "
                    "decides, then English.",
                    "schema": _schema("Language"),
                },
            },
            "headers": {
                "Content-Language": {"description": "The language of the text.", "schema": _schema("Language")},
            },
            "responses": {
                "TooManyRequests": {
                    **_problem("Too many requests: 120 a minute for matching, 300 a minute for the rest."),
                    "headers": {"Retry-After": {"description": "Seconds to wait.", "schema": {"type": "string"}}},
                }
            },
        },
    }
