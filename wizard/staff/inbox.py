"""The console's pages: the inbox, one request, marking it handled, export and the audit log.

Every page here is behind the sign-in check in auth.py. Each look at personal
data is written to the audit log, which itself holds no personal data: only
usernames, references, actions and counts.
"""

from __future__ import annotations

import re
import unicodedata

from flask import Response, abort, g, redirect, render_template, request, session, url_for

from wizard.platform.services import services
from wizard.staff import presenters
from wizard.staff.auth import NOTICE, accounts, bp, current_source, pop_notice
from wizard.storage import audit
from wizard.storage.callbacks import CallbackStore, normalise_reference
from wizard.storage.models import utcnow

PER_PAGE = 50
AUDIT_PER_PAGE = 100
NOTE_MAX = 1000
# Why a bulk export is needed, in a few words; kept in the audit log with the export.
EXPORT_REASON_MAX = 150
FILTERS = ("open", "handled", "all")
REFERENCE = re.compile(r"^[0-9A-Z]{4}-[0-9A-Z]{4}$")


def _store() -> CallbackStore:
    return services().callbacks


def _log(action: str, target: str | None = None, detail: str = "") -> None:
    audit.log(services().database, actor=g.staff.username, action=action, target=target, detail=detail)


def _status(value: object) -> str:
    # A forged or missing filter shows the open requests.
    return value if value in FILTERS else "open"


def _page_number(value: object) -> int:
    text = value if isinstance(value, str) else ""
    return int(text) if text.isascii() and text.isdigit() and 0 < len(text) < 7 else 1


def _partner_names() -> dict[str, str]:
    return {pid: partner.name for pid, partner in services().partners.items()}


@bp.get("")
def inbox():
    store = _store()
    status = _status(request.args.get("status"))
    searched = request.args.get("reference", "").strip()[:40]
    counts = {name: store.count(name) for name in FILTERS}
    if searched:
        # A reference is looked for among all requests: a caller's may be handled already.
        reference = normalise_reference(searched)
        items, page, pages = store.list("all", reference=searched, limit=PER_PAGE), 1, 1
        # What was typed may be a name by mistake: only something shaped like a reference is logged.
        detail = f"search: {reference}" if REFERENCE.match(reference) else "search: not a reference"
    else:
        pages = max(1, -(-counts[status] // PER_PAGE))
        page = min(_page_number(request.args.get("page")), pages)
        items = store.list(status, limit=PER_PAGE, offset=(page - 1) * PER_PAGE)
        detail = f"filter: {status}, page {page}"
    _log("viewed inbox", detail=detail)
    rows = [(item, presenters.request_fields(item)) for item in items]
    return render_template(
        "staff/inbox.html",
        rows=rows,
        status=status,
        searched=searched,
        counts=counts,
        page=page,
        pages=pages,
        notice=pop_notice(),
    )


def _find(reference: str):
    # A request whose sealed values cannot be opened still has a page that says so.
    item = _store().get(normalise_reference(reference), mark_unreadable=True)
    if item is None:
        abort(404)
    return item


def _render_detail(item, *, note: str = "", errors: list | None = None, notice: str | None = None):
    journey = services().journey
    summary = item.details.get("summary") or {}
    return render_template(
        "staff/detail.html",
        item=item,
        fields=presenters.request_fields(item),
        answers=presenters.answer_rows(journey, summary),
        approaches=presenters.approach_names(journey, summary),
        interface_language=presenters.language_name(summary.get("interface_language")),
        partner=_partner_names().get(item.partner, item.partner) if item.partner else None,
        note=note,
        note_max=NOTE_MAX,
        errors=errors or [],
        notice=notice,
    )


@bp.get("/requests/<reference>")
def detail(reference: str):
    item = _find(reference)
    _log("viewed", target=item.reference)
    return _render_detail(item, notice=pop_notice())


def is_control(ch: str) -> bool:
    return unicodedata.category(ch) in {"Cc", "Cs", "Co", "Cn"} and ch not in "\n\t"


def read_note(value: str) -> str:
    """A staff note as typed, with Windows line ends made plain and the text normalised."""
    return unicodedata.normalize("NFC", value.replace("\r\n", "\n").strip())


def note_error(note: str) -> str | None:
    if len(note) > NOTE_MAX:
        return f"The note must be {NOTE_MAX:,} characters or fewer"
    if any(is_control(ch) for ch in note):
        return "The note must not contain special control characters. Check the note, then send it again"
    return None


@bp.post("/requests/<reference>/handled")
def mark_handled(reference: str):
    item = _find(reference)
    if item.status == "handled":
        return redirect(url_for("staff.detail", reference=item.reference), 303)
    note = read_note(request.form.get("note", ""))
    error = note_error(note)
    if error:
        # Shown again without the invisible characters, ready to send once checked.
        shown = "".join(ch for ch in note if not is_control(ch))
        return _render_detail(item, note=shown, errors=[{"href": "#note", "message": error}])
    _store().mark_handled(item.reference, staff=g.staff.username, note=note)
    session[NOTICE] = "handled"
    return redirect(url_for("staff.detail", reference=item.reference), 303)


def confirm_code(code: str) -> str:
    """Check the signed-in person's authenticator code again, before a bulk export (step-up).

    Returns "ok", "wrong", "locked" or "refused". This is the one call into the accounts
    module for it: a wrong code counts towards the lockout like one at sign-in, and a code
    works once.
    """
    return accounts().confirm_code(g.staff.id, code, current_source())


# For the audit log: why a step-up code was refused.
CODE_REFUSALS = {"wrong": "wrong code", "refused": "account changed", "locked": "account locked"}
CODE_ERRORS = {
    "wrong": "The code is not right. Enter the code your authenticator app shows now",
    "refused": "Your account changed since you signed in. Sign out, then sign in again",
    "locked": "Too many codes were not right, so the account is locked for a while. "
    "Ask the person who manages staff accounts to unlock it",
}


def reason_error(reason: str) -> str | None:
    if not reason:
        return "Enter why you need this export"
    if len(reason) > EXPORT_REASON_MAX:
        return f"The reason must be {EXPORT_REASON_MAX} characters or fewer"
    if any(is_control(ch) or ch == "\n" for ch in reason):
        return "The reason must be one line without special control characters"
    return None


def _render_export(*, status: str = "open", reason: str = "", errors: list | None = None):
    return render_template(
        "staff/export.html",
        counts={name: _store().count(name) for name in FILTERS},
        status=status,
        reason=reason,
        reason_max=EXPORT_REASON_MAX,
        errors=errors or [],
    )


@bp.get("/export")
def export():
    return _render_export()


@bp.get("/export.csv")
def export_csv_form():
    # An old link or bookmark gets the form, never the data: an export is POSTed with a reason and a code.
    return _render_export(status=_status(request.args.get("status")))


@bp.post("/export.csv")
def export_csv():
    status = _status(request.form.get("status"))
    reason = unicodedata.normalize("NFC", request.form.get("reason", "")).strip()
    code = request.form.get("code", "")
    errors = []
    if error := reason_error(reason):
        errors.append({"href": "#reason", "message": error})
    if not code.strip():
        errors.append({"href": "#code", "message": "Enter the code your authenticator app shows now"})
    elif not errors and (checked := confirm_code(code)) != "ok":
        errors.append({"href": "#code", "message": CODE_ERRORS[checked]})
        _log("export refused", detail=f"{status}: {CODE_REFUSALS[checked]}")
    if errors:
        shown = "".join(ch for ch in reason if not is_control(ch))[: EXPORT_REASON_MAX * 2]
        return _render_export(status=status, reason=shown, errors=errors)
    store = _store()
    items = []
    while batch := store.list(status, limit=500, offset=len(items)):
        items.extend(batch)
        if len(batch) < 500:
            break
    body = presenters.to_csv(items, _partner_names())
    _log("exported", detail=f"{status}: {len(items)} request(s); reason: {reason}")
    filename = f"callback-requests-{status}-{utcnow():%Y-%m-%d}.csv"
    return Response(
        body,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.get("/audit")
def audit_log():
    page = _page_number(request.args.get("page"))
    events = audit.recent(services().database, limit=AUDIT_PER_PAGE + 1, offset=(page - 1) * AUDIT_PER_PAGE)
    return render_template(
        "staff/audit.html",
        events=events[:AUDIT_PER_PAGE],
        page=page,
        has_older=len(events) > AUDIT_PER_PAGE,
    )


# "21 November 2026, 14:15 UTC" in every staff template, and the same for <time datetime>.
bp.add_app_template_filter(presenters.when, "utc")
bp.add_app_template_filter(lambda moment: f"{moment:%Y-%m-%dT%H:%M:%S}Z", "iso")
