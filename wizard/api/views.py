"""Public JSON API (/api/v1): questions, matching, approaches and organisations.

The API uses no cookies and keeps nothing: answers arrive in the body, are
checked by the same rules as the web journey (``Journey.validate``), used
for one response and never logged. Every error is an RFC 9457 problem
(``application/problem+json``), never an HTML page. Browsers on a partner's
site (``config/partners.yaml``) may call it; other origins get no CORS headers.
"""

from __future__ import annotations

import json
import logging
import threading
from collections import Counter
from collections.abc import Iterable

from flask import Blueprint, Flask, Response, current_app, render_template, request, url_for
from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.http import HTTP_STATUS_CODES

from wizard.domain.audience import audience_of
from wizard.domain.directory.browse import Filters, is_country, is_region, list_item, page_of
from wizard.domain.directory.taxonomy import TAXONOMY_ID, Term
from wizard.domain.journey import PICK, TOWN_TEXT_MAX, Answers, Journey, TownChoices
from wizard.domain.places import Town, town_by_id
from wizard.domain.rulebook.models import PLACE_KINDS, Question
from wizard.domain.vocabulary import REGION
from wizard.platform import i18n
from wizard.platform.i18n import EARLIER_TAGS, LANGUAGES, browser_language, force_locale, resolve_language
from wizard.platform.partners import allowed_origins
from wizard.platform.rate_limits import limiter
from wizard.platform.services import services

bp = Blueprint("api", __name__, url_prefix="/api/v1")
log = logging.getLogger(__name__)


# The response models (pydantic) and the OpenAPI document are loaded by the first API request that
# needs them, not when a worker starts: most workers serve only the public pages.
def _models():
    from wizard.api import schemas

    return schemas


def _spec():
    from wizard.api import openapi as spec

    return spec


_DESCRIBING = threading.Lock()


def _described() -> dict:
    """The OpenAPI document, built once per app from its rulebook and operator settings."""
    app = current_app._get_current_object()
    found = app.extensions.get("openapi")
    if found is None:
        with _DESCRIBING:
            found = app.extensions.get("openapi")
            if found is None:
                found = app.extensions["openapi"] = _spec().build_openapi(services().journey, app.config)
    return found


BODY_FIELDS = ("answers", "lang")
CORS_METHODS = "GET, POST, OPTIONS"
CORS_MAX_AGE = "600"
EXPOSED_HEADERS = "Content-Language, Retry-After, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset"

DETAILS = {
    400: "The request could not be read.",
    404: "There is nothing at this address. The API's addresses are listed at /api/v1/openapi.json.",
    405: "This address does not accept that method; the Allow header lists the methods it does accept.",
    413: "The body is larger than this API accepts (32 KB).",
    415: "Send the body as JSON, with the header Content-Type: application/json.",
    429: "Too many requests. Wait for the number of seconds in the Retry-After header, then try again.",
    500: "Something went wrong on our side. Please try again in a moment.",
    503: "The service directory cannot be read just now. Please try again in a moment.",
}


# --- problems (RFC 9457) ------------------------------------------------------------------


# How many problems a 422 lists, and how much of a submitted value it quotes back.
MAX_LISTED_ERRORS = 50
MAX_QUOTED = 40


def quoted(value: str) -> str:
    return f"“{value[:MAX_QUOTED]}…”" if len(value) > MAX_QUOTED else f"“{value}”"


class ApiProblem(Exception):
    def __init__(self, status: int, detail: str, errors: Iterable[tuple[str, str]] = (), type_: str = "about:blank"):
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.errors = list(errors)
        self.type = type_


def problem_response(
    status: int, detail: str, *, errors: Iterable[tuple[str, str]] = (), type_: str = "about:blank"
) -> Response:
    errors = list(errors)
    # A body of many wrong keys must not become a far bigger answer (I12).
    listed = errors[:MAX_LISTED_ERRORS]
    if len(errors) > MAX_LISTED_ERRORS:
        listed.append(("", f"and {len(errors) - MAX_LISTED_ERRORS} more problems not listed"))
    # Built without validation: a message may quote a lone surrogate that was sent, which pydantic refuses.
    problem = _models().Problem.model_construct(
        type=type_,
        title=HTTP_STATUS_CODES.get(status, "Error"),
        status=status,
        detail=detail,
        errors=[_models().FieldError.model_construct(field=field, message=message) for field, message in listed],
    )
    body = problem.model_dump(mode="json")
    # ASCII escapes: a lone surrogate sent in the body is echoed as \ud800, never a UnicodeEncodeError (L2).
    return Response(json.dumps(body, ensure_ascii=True), status=status, mimetype=_spec().PROBLEM)


def http_problem(error: HTTPException) -> Response:
    """Any HTTP error in the API app, including its routing errors (an address it does not have)."""
    status = error.code or 500
    response = problem_response(status, DETAILS.get(status) or HTTP_STATUS_CODES.get(status, "Error") + ".")
    if isinstance(error, MethodNotAllowed) and error.valid_methods:
        response.headers["Allow"] = ", ".join(sorted(error.valid_methods))
    return response


def _invalid(errors: list[tuple[str, str]]) -> ApiProblem:
    count = len(errors)
    detail = "The request has a problem." if count == 1 else f"The request has {count} problems."
    return ApiProblem(422, detail, errors, type_=url_for("api.docs", _external=True) + "#invalid-request")


def _api_problem(problem: ApiProblem):
    return problem_response(problem.status, problem.detail, errors=problem.errors, type_=problem.type)


def _unexpected(error: Exception):
    # The type only: an exception message could quote an answer, and answers are never logged.
    log.error("unexpected API error: %s", type(error).__name__)
    return problem_response(500, DETAILS[500])


# --- error handling, and CORS for partners ---------------------------------------------------


def _cors_headers(response: Response) -> Response:
    """For every response of the API, including its routing errors: CORS for partners."""
    response.vary.add("Origin")
    origin = request.headers.get("Origin")
    if origin and origin in allowed_origins(services().partners):
        response.headers["Access-Control-Allow-Origin"] = origin
        response.headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
        if request.method == "OPTIONS":
            response.headers["Access-Control-Allow-Methods"] = CORS_METHODS
            response.headers["Access-Control-Allow-Headers"] = "Content-Type"
            response.headers["Access-Control-Max-Age"] = CORS_MAX_AGE
    return response


def init_app(app: Flask) -> None:
    """The API's own error handling (for its 404s and 405s too) and CORS, on the API app only."""
    app.register_blueprint(bp)
    app.register_error_handler(ApiProblem, _api_problem)
    app.register_error_handler(HTTPException, http_problem)
    app.register_error_handler(Exception, _unexpected)
    app.after_request(_cors_headers)


# --- rate limits -----------------------------------------------------------------------------


def _read_limit():
    return limiter.limit(lambda: current_app.config.get("API_READ_RATE_LIMIT", "300/minute"), methods=["GET", "HEAD"])


def _match_limit():
    return limiter.limit(lambda: current_app.config.get("API_MATCH_RATE_LIMIT", "120/minute"), methods=["POST"])


# --- language ----------------------------------------------------------------------------------


def _language_error(field: str) -> tuple[str, str]:
    return field, f"must be one of: {', '.join(LANGUAGES)}"


def _known_language(lang: object, country: str | None = None) -> str | None:
    """One of LANGUAGES, for a tag given exactly (or "pt", its earlier name for Portuguese: Portugal's
    for answers from Portugal, else Brazil's); None for anything else."""
    if not isinstance(lang, str):
        return None
    if lang in LANGUAGES:
        return lang
    return resolve_language(lang, lambda: country) if lang in EARLIER_TAGS else None


def _query_language(country: str | None = None) -> tuple[str | None, list[tuple[str, str]]]:
    lang = request.args.get("lang")
    if lang is None:
        return None, []
    known = _known_language(lang, country)
    if known is None:
        return None, [_language_error("lang")]
    return known, []


def _fallback_language() -> str:
    # Not the language the web journey remembers in its cookie: the API reads no cookies.
    return browser_language()


def _json_response(data: dict, lang: str) -> Response:
    response = Response(json.dumps(data, ensure_ascii=False, separators=(",", ":")), mimetype="application/json")
    response.headers["Content-Language"] = lang
    return response


def _read(build) -> Response:
    lang, errors = _query_language()
    if errors:
        raise _invalid(errors)
    lang = lang or _fallback_language()
    with force_locale(lang):
        return _json_response(build().model_dump(mode="json"), lang)


# --- reading and checking answers -----------------------------------------------------------------


def _journey() -> Journey:
    return services().journey


def _read_body() -> object:
    if request.mimetype != "application/json" and not (
        request.mimetype.startswith("application/") and request.mimetype.endswith("+json")
    ):
        raise ApiProblem(415, DETAILS[415])
    data = request.get_data(cache=False)  # over MAX_CONTENT_LENGTH: 413
    try:
        return json.loads(data, parse_constant=_no_constants)
    except json.JSONDecodeError as exc:
        raise ApiProblem(
            400, f"The body is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})."
        ) from None
    except (ValueError, RecursionError):
        raise ApiProblem(400, "The body is not valid JSON.") from None


def _no_constants(name: str) -> object:
    raise ValueError(f"{name} is not allowed in JSON")


def _option_list(question: Question) -> str:
    if question.kind == "country":
        return "a two-letter country code listed by GET /api/v1/questions, or prefer_not_to_say"
    return ", ".join(o.code for o in question.options)


def _submitted(journey: Journey, question: Question, value: object) -> tuple[list[str], str | None]:
    """The submitted codes as the web form would send them, or what is wrong with their shape."""
    if question.kind in PLACE_KINDS:
        if not isinstance(value, str) or len(value) > TOWN_TEXT_MAX:
            return [], "must be a string of at most 100 characters"
        if question.kind == "town" and value.isascii() and value.isdigit():
            return [PICK + value], None  # a GeoNames id, as a town picked from a list
        return [value], None
    if question.kind == "multiple":
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return [], "must be a list of option codes (strings)"
        submitted = value
    elif isinstance(value, str):
        submitted = [value]
    else:
        return [], "must be one option code (a string)"
    codes = journey.valid_codes(question)
    unknown = list(dict.fromkeys(v for v in submitted if v != "" and v not in codes))
    if unknown:
        listed = ", ".join(quoted(v) for v in unknown)
        return [], f"not an option: {listed}; choose from {_option_list(question)}"
    repeated = [code for code, count in Counter(submitted).items() if count > 1 and code != ""]
    if repeated:
        return [], f"lists {', '.join(quoted(v) for v in repeated)} more than once"
    return submitted, None


def read_answers(journey: Journey, raw: object) -> tuple[Answers, list[tuple[str, str]]]:
    """Check submitted answers question by question, in order, as the web journey does.

    Returns the clean answers and (field, message) for each problem. A question left
    out is fine (partial answers are allowed); an answer to a question that the other
    answers skip is refused, so the result never rests on an answer the journey would drop.
    """
    if not isinstance(raw, dict):
        return {}, [("answers", "must be an object of question id to option code, or list of option codes")]
    errors = [
        (f"answers.{qid}", "unknown question; GET /api/v1/questions lists them")
        for qid in raw
        if qid not in journey.by_id
    ]
    audience = audience_of(raw)
    # Each answer is read on its own first; one walk over the valid ones then gives the path.
    read: dict[str, tuple[list[str], str | None, str | None]] = {}
    valid: Answers = {}
    for question in journey.questions:
        if question.id not in raw:
            continue
        submitted, problem = _submitted(journey, question, raw[question.id])
        message = None
        if problem is None and not (question.required and not any(submitted)):
            answer, message = journey.validate(question, submitted, audience, valid)
            if not message:
                valid[question.id] = answer
        read[question.id] = (submitted, message, problem)
    walk = journey.walk(valid)
    failed: set[str] = set()
    for question in journey.questions:
        if question.id not in read:
            continue
        submitted, message, problem = read[question.id]
        if problem is None and not walk.on_path(question.id):
            if question.kind in PLACE_KINDS:
                if journey.matcher.country_question in failed:
                    continue
                problem = PLACE_NOT_ASKED[question.kind]
            else:
                if {_source_of(journey, leaf.answer) for leaf in question.ask_if.leaves()} & failed:
                    continue  # the answer it depends on is reported already
                problem = f"not asked with these answers: it is asked only when {question.ask_if.describe()}"
        if problem is None:
            if question.required and not any(submitted):
                continue  # an empty answer to a required question is the same as leaving it out
            if message:
                problem = i18n.translate_rule_text(message)
                if isinstance(message, TownChoices):
                    listed = "; ".join(f"{t.id} ({i18n.town_label(t, distinguish=True)})" for t in message.towns)
                    problem += f" Send one of these GeoNames ids: {listed}."
        if problem is not None:
            errors.append((f"answers.{question.id}", problem))
            failed.add(question.id)
    return walk.answers, errors


PLACE_NOT_ASKED = {
    "subdivision": "not asked with these answers: it is asked only when country is a country with ISO 3166-2 regions",
    "town": "not asked with these answers: it is asked only when country is a country (not prefer_not_to_say)",
}


def _source_of(journey: Journey, answer: str) -> str:
    return journey.matcher.country_question if answer == REGION else answer


# --- endpoints --------------------------------------------------------------------------------------


@bp.get("/questions")
@_read_limit()
def questions():
    return _read(lambda: _models().QuestionList.of(_journey()))


@bp.get("/approaches")
@_read_limit()
def approaches():
    return _read(lambda: _models().ApproachList.of(services().rulebook))


@bp.get("/organisations")
@_read_limit()
def organisations():
    return _read(lambda: _models().OrganisationList.of(services().rulebook))


@bp.route("/match", methods=["POST", "OPTIONS"], provide_automatic_options=False)
@_match_limit()
def match():
    if request.method == "OPTIONS":
        # A browser's CORS preflight; the headers are added for listed origins only.
        response = Response(status=204, headers={"Allow": "OPTIONS, POST"})
        del response.headers["Content-Type"]
        return response
    body = _read_body()
    answered = body.get("answers") if isinstance(body, dict) else None
    country = answered.get("country") if isinstance(answered, dict) else None
    query_lang, errors = _query_language(country if isinstance(country, str) else None)
    if not isinstance(body, dict):
        errors.append(("body", "must be a JSON object with the field answers"))
    elif "answers" not in body:
        errors.append(("answers", "is required: an object of question id to option code(s)"))
    body = body if isinstance(body, dict) else {}
    errors += [(key, f"unknown field; allowed: {', '.join(BODY_FIELDS)}") for key in body if key not in BODY_FIELDS]
    lang = query_lang
    if "lang" in body:
        known = _known_language(body["lang"], country if isinstance(country, str) else None)
        if known is not None:
            lang = known
        else:
            errors.append(_language_error("lang"))
    lang = lang or _fallback_language()
    with force_locale(lang):
        answers, answer_errors = read_answers(_journey(), body.get("answers", {}))
        errors += answer_errors
        if errors:
            raise _invalid(errors)
        result = services().matcher.match(answers)
        return _json_response(_models().MatchResult.of(result).model_dump(mode="json"), lang)


@bp.get("/openapi.json")
@_read_limit()
def openapi():
    return _json_response(_described(), "en")


@bp.get("/")
@bp.get("/docs")
@_read_limit()
def docs():
    journey = _journey()
    return render_template(
        "api/docs.html",
        languages=LANGUAGES,
        question_ids=[q.id for q in journey.questions],
        max_age_days=services().directory.max_age_days,
        base_url=request.host_url.rstrip("/"),
    )


# --- the service directory (Open Referral HSDS 3.0) ---------------------------------------------------

# Longer than any value a parameter takes; a longer one is refused before it is looked at.
MAX_PARAMETER = 100


def _bad_request(errors: list[tuple[str, str]]) -> ApiProblem:
    count = len(errors)
    detail = "A parameter has a problem." if count == 1 else f"{count} parameters have problems."
    return ApiProblem(400, detail, errors, type_=url_for("api.docs", _external=True) + "#invalid-request")


class _Query:
    """The query string of a directory address, read parameter by parameter; each problem is kept
    with the parameter's name, and all are reported at once."""

    def __init__(self, allowed: tuple[str, ...]):
        self.errors: list[tuple[str, str]] = []
        listed = ", ".join(allowed) if allowed else "none"
        for name in request.args:
            if name not in allowed:
                self.errors.append((name[:MAX_QUOTED], f"not a parameter of this address; it takes: {listed}"))

    def one(self, name: str) -> str | None:
        values = request.args.getlist(name)
        if not values:
            return None
        if len(values) > 1:
            self.errors.append((name, "give it once"))
            return None
        if len(values[0]) > MAX_PARAMETER:
            self.errors.append((name, f"is longer than {MAX_PARAMETER} characters"))
            return None
        return values[0]

    def number(self, name: str, default: int, highest: int) -> int:
        value = self.one(name)
        if value is None:
            return default
        if not (value.isascii() and value.isdigit()) or not 1 <= int(value) <= highest:
            self.errors.append((name, f"must be a whole number from 1 to {highest}"))
            return default
        return int(value)

    def flag(self, name: str) -> bool:
        value = self.one(name)
        if value is None or value in ("false", "0"):
            return False
        if value in ("true", "1"):
            return True
        self.errors.append((name, "must be true or false"))
        return False

    def fail_if_wrong(self) -> None:
        if self.errors:
            raise _bad_request(self.errors)


def _paging(query: _Query) -> tuple[int, int]:
    spec = _spec()
    return query.number("page", 1, spec.MAX_PAGE), query.number("per_page", spec.DEFAULT_PER_PAGE, spec.MAX_PER_PAGE)


def _partner(query: _Query) -> str | None:
    value = query.one("partner")
    if value is not None and value not in services().partners:
        query.errors.append(("partner", f"not a partner of this service: {quoted(value)}"))
        return None
    return value


def _country(query: _Query) -> str | None:
    value = query.one("country")
    if value is None:
        return None
    code = value.upper()
    if not (code.isascii() and is_country(code)):
        query.errors.append(("country", f"not an ISO 3166-1 alpha-2 country code: {quoted(value)}"))
        return None
    return code


def _region(query: _Query, country: str | None) -> str | None:
    value = query.one("region")
    if value is None:
        return None
    code = value.upper()
    if not (code.isascii() and is_region(code)):
        query.errors.append(("region", f"not an ISO 3166-2 region code (such as PT-13): {quoted(value)}"))
        return None
    if country and not code.startswith(f"{country}-"):
        query.errors.append(("region", f"is not a region of {country}, the country asked for"))
        return None
    return code


def _approaches(query: _Query) -> frozenset[str]:
    values = [part.strip() for value in request.args.getlist("approach") for part in value.split(",")]
    if not values:
        return frozenset()
    most = _spec().MAX_APPROACHES
    if len(values) > most or any(len(v) > MAX_PARAMETER for v in values):
        query.errors.append(("approach", f"at most {most} approaches, each a term's code or id"))
        return frozenset()
    taxonomy = services().directory.taxonomy
    found, unknown = set(), []
    for value in values:
        term = taxonomy.by_code(value) or taxonomy.by_id(value)
        if term is not None and taxonomy.is_approach(term):
            found.add(term.code)
        else:
            unknown.append(value)
    if unknown:
        listed = ", ".join(quoted(v) for v in dict.fromkeys(unknown))
        query.errors.append(("approach", f"not an approach: {listed}; GET /api/v1/taxonomy lists them"))
    return frozenset(found)


def _near(query: _Query) -> Town | None:
    value = query.one("near")
    if value is None:
        return None
    town = town_by_id(value) if value.isascii() and value.isdigit() else None
    if town is None:
        # The value is not quoted back: it may be where the person is.
        query.errors.append(("near", "not the GeoNames id of a town this service knows"))
    return town


def _hsds_response(data: object) -> Response:
    """HSDS as published: in English for the taxonomy; a service's own text in its own languages."""
    return Response(json.dumps(data, ensure_ascii=False, separators=(",", ":")), mimetype="application/json")


def _directory_unavailable() -> ApiProblem:
    return ApiProblem(503, DETAILS[503])


def _taxonomy_terms(query: _Query) -> list[Term]:
    taxonomy = services().directory.taxonomy
    taxonomy_id, parent_id = query.one("taxonomy_id"), query.one("parent_id")
    terms = list(taxonomy.terms)
    if taxonomy_id is not None:
        terms = terms if taxonomy_id == TAXONOMY_ID else []
    if parent_id is not None:
        terms = [t for t in terms if t.parent_id == parent_id]
    return terms


@bp.get("/taxonomy")
@_read_limit()
def taxonomy():
    _Query(()).fail_if_wrong()
    return _json_response(_models().TaxonomyDocument.of(services().directory.taxonomy).model_dump(mode="json"), "en")


@bp.get("/taxonomies")
@_read_limit()
def taxonomies():
    query = _Query(("page", "per_page"))
    page, per_page = _paging(query)
    query.fail_if_wrong()
    listed = page_of([services().directory.taxonomy], page, per_page)
    return _json_response(_models().TaxonomyList.of(listed).model_dump(mode="json"), "en")


@bp.get("/taxonomies/<path:taxonomy_id>")
@_read_limit()
def taxonomy_by_id(taxonomy_id: str):
    _Query(()).fail_if_wrong()
    if taxonomy_id != TAXONOMY_ID:
        raise ApiProblem(404, "There is no taxonomy with this id; GET /api/v1/taxonomies lists them.")
    return _json_response(_models().HsdsTaxonomy(**services().directory.taxonomy.hsds()).model_dump(mode="json"), "en")


@bp.get("/taxonomy_terms")
@_read_limit()
def taxonomy_terms():
    query = _Query(("taxonomy_id", "parent_id", "page", "per_page"))
    page, per_page = _paging(query)
    terms = _taxonomy_terms(query)
    query.fail_if_wrong()
    listed = page_of(terms, page, per_page)
    return _json_response(
        _models().TaxonomyTermList.of(listed, services().directory.taxonomy).model_dump(mode="json"), "en"
    )


@bp.get("/taxonomy_terms/<path:term_id>")
@_read_limit()
def taxonomy_term(term_id: str):
    _Query(()).fail_if_wrong()
    taxonomy = services().directory.taxonomy
    term = taxonomy.by_id(term_id)
    if term is None:
        raise ApiProblem(404, "There is no taxonomy term with this id; GET /api/v1/taxonomy_terms lists them.")
    return _json_response(_models().HsdsTaxonomyTerm.of(term, taxonomy).model_dump(mode="json"), "en")


@bp.get("/services")
@_read_limit()
def list_services():
    query = _Query(_spec().SERVICE_FILTERS)
    country = _country(query)
    filters = Filters(
        country=country,
        region=_region(query, country),
        approaches=_approaches(query),
        near=_near(query),
    )
    partner = _partner(query)
    full = query.flag("full")
    page, per_page = _paging(query)
    query.fail_if_wrong()
    directory = services().directory
    listed = page_of(directory.browse(filters, partner=partner), page, per_page)
    try:
        stored = directory.store.get_many([entry.id for entry in listed.items])
    except Exception as exc:
        log.warning("directory_unavailable", extra={"error": type(exc).__name__})
        raise _directory_unavailable() from None
    documents = [
        found.listing.document if full else list_item(found.listing.document)
        for entry in listed.items
        if (found := stored.get(entry.id)) is not None and directory.is_public(found, partner=partner)
    ]
    return _hsds_response(_models().ServiceList.dump(listed, documents))


@bp.get("/services/<path:service_id>")
@_read_limit()
def service(service_id: str):
    query = _Query(("partner",))
    partner = _partner(query)
    query.fail_if_wrong()
    directory = services().directory
    try:
        found = directory.store.get(service_id) if len(service_id) <= MAX_PARAMETER else None
    except Exception as exc:
        log.warning("directory_unavailable", extra={"error": type(exc).__name__})
        raise _directory_unavailable() from None
    if found is None or not directory.is_public(found, partner=partner):
        raise ApiProblem(404, "There is no public service with this id; GET /api/v1/services lists them.")
    return _hsds_response(found.listing.document)
