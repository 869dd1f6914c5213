"""A stored call-back request in plain English, for the detail page and the CSV export.

Requests store codes ("morning", "someone_else"); staff read words. The words
here are written for staff ("the person asking"), not the wording the person
saw, and are never translated: the console is English only.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from urllib.parse import quote

from babel import Locale

from wizard.domain.audience import audience_of
from wizard.domain.contact_details import BEST_TIMES, format_phone
from wizard.domain.journey import Journey
from wizard.storage.callbacks import StoredRequest

STATUSES = {"open": "Open", "handled": "Handled"}
CONTACT_METHODS = {"call": "Phone call", "text": "Text message", "email": "Email"}
OTHER_LANGUAGE = "Another language (named in the message)"
YES_NO = {"yes": "Yes", "no": "No"}
FOR_WHOM_STAFF_LABELS = {"myself": "The person asking", "someone_else": "Someone else"}
WHOSE_DETAILS = {
    "mine": "The person asking: contact them",
    "theirs": "The person who needs help: contact them (they have agreed)",
}


@lru_cache(maxsize=1)
def _language_names() -> dict[str, str]:
    return dict(Locale.parse("en").languages)


def language_name(code: str | None) -> str:
    if not code:
        return ""
    if code == "other":
        return OTHER_LANGUAGE
    # Babel names variants by their ids ("pt_PT": "European Portuguese"); requests name them by tag.
    return _language_names().get(code.replace("-", "_"), code)


# Shown wherever a request's sealed values cannot be opened (L9); the reference is added after it.
UNREADABLE = "This request cannot be opened (a key or record problem)."


def mailto_href(email: str) -> str:
    """A mailto: link that only ever addresses `email`.

    The local part may legally hold "?", "&" and "=", which a mail program would read as
    subject= or body= fields chosen by the person who filled in the form: every character
    of it is percent-encoded, and the "@" kept.
    """
    local, at, domain = email.rpartition("@")
    if not at:
        return "mailto:" + quote(email, safe="")
    return f"mailto:{quote(local, safe='')}@{quote(domain, safe='')}"


def when(moment: datetime | None) -> str:
    """21 November 2026, 14:15 UTC: every time in the database is UTC."""
    if moment is None:
        return ""
    return f"{moment.day} {moment:%B %Y, %H:%M} UTC"


def _label(options: dict, code: object) -> str:
    if not code:
        return ""
    return str(options.get(code, code))


@dataclass(frozen=True)
class Described:
    """Every field of a request as words, in the order staff read them."""

    name: str
    phone: str
    email: str
    contact_method: str
    best_time: str
    language: str
    leave_message: str
    say_who: str
    for_whom: str
    whose_details: str
    message: str
    # "website" for a call-back request; "conversation" for a record staff made of a call.
    source: str = "website"
    # Who ticked "the caller agreed that we keep a record" (conversations only).
    consent_recorded_by: str = ""

    @property
    def is_conversation(self) -> bool:
        return self.source == "conversation"

    @property
    def email_href(self) -> str:
        return mailto_href(self.email)


def request_fields(item: StoredRequest) -> Described:
    d = item.details
    return Described(
        name=d.get("name", ""),
        phone=format_phone(d["phone"]) if d.get("phone") else "",
        email=d.get("email", ""),
        contact_method=_label(CONTACT_METHODS, d.get("contact_method")),
        best_time=_label(BEST_TIMES, d.get("best_time")),
        language=language_name(d.get("language")),
        leave_message=_label(YES_NO, d.get("leave_message")),
        say_who=_label(YES_NO, d.get("say_who")),
        for_whom=_label(FOR_WHOM_STAFF_LABELS, d.get("for_whom")),
        whose_details=_label(WHOSE_DETAILS, d.get("whose_details")),
        message=d.get("message", ""),
        source="conversation" if d.get("source") == "conversation" else "website",
        consent_recorded_by=str(d.get("consent_recorded_by") or ""),
    )


@dataclass(frozen=True)
class AnswerRow:
    question: str
    answers: list[str]


def answer_rows(journey: Journey, summary: dict) -> list[AnswerRow]:
    """The answers in question order, each question's summary with the English labels."""
    answers = summary.get("answers") if isinstance(summary, dict) else None
    if not isinstance(answers, dict):
        return []
    audience = audience_of(answers)
    rows = []
    for question in journey.questions:
        if question.id in answers:
            labels = journey.answer_labels(question, answers[question.id], audience)
            rows.append(AnswerRow(str(question.summary), [str(label) for label in labels]))
    return rows


def approach_names(journey: Journey, summary: dict) -> list[str]:
    """The approaches the person was shown, best match first."""
    ids = summary.get("approaches") if isinstance(summary, dict) else None
    if not isinstance(ids, list):
        return []
    known = journey.matcher.approaches
    return [str(known[i].name) if i in known else f"{i} (no longer in the rules)" for i in ids if isinstance(i, str)]


# --- CSV export ------------------------------------------------------------------------

CSV_HEADER = [
    "Reference",
    "Received (UTC)",
    "Status",
    "Kind",
    "Name",
    "Phone",
    "Email",
    "How to contact",
    "Best time to contact",
    "Language",
    "Safe to leave a message",
    "Can say who is calling",
    "Help is for",
    "Whose contact details",
    "Message",
    "Partner site",
    "Handled by",
    "Handled at (UTC)",
    "Note",
]
# A spreadsheet runs a cell that starts with one of these as a formula (OWASP's list).
# Two known side effects: phone numbers export as '+44 ..., and full-width look-alikes
# ("－1+1", "＝...") are not prefixed; no spreadsheet is known to evaluate those on CSV import.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def sortable(moment: datetime | None) -> str:
    """2026-11-21 14:15: a spreadsheet sorts these, and reads them as dates."""
    return f"{moment:%Y-%m-%d %H:%M}" if moment else ""


def _kind(item: StoredRequest, d: Described) -> str:
    if not item.readable:
        return UNREADABLE
    return "Conversation record" if d.is_conversation else "Call-back request"


def csv_row(item: StoredRequest, partner_names: dict[str, str]) -> list[str]:
    d = request_fields(item)
    partner = partner_names.get(item.partner, item.partner) if item.partner else ""
    cells = [
        item.reference,
        sortable(item.created_at),
        STATUSES.get(item.status, item.status),
        _kind(item, d),
        d.name,
        d.phone,
        d.email,
        d.contact_method,
        d.best_time,
        d.language,
        d.leave_message,
        d.say_who,
        d.for_whom,
        d.whose_details,
        d.message,
        partner,
        item.handled_by or "",
        sortable(item.handled_at),
        item.note or "",
    ]
    return [safe_cell(cell) for cell in cells]


def to_csv(items: Iterable[StoredRequest], partner_names: dict[str, str]) -> str:
    # The byte order mark makes spreadsheet programs read the file as UTF-8.
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for item in items:
        writer.writerow(csv_row(item, partner_names))
    return out.getvalue()
