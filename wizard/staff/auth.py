"""Signing in and out of the staff console, and the check that guards every other page.

A new account (or one whose authenticator was reset) is set up through a single-use
enrolment link from `python -m wizard staff create|reset-totp`: the person chooses
their password and scans a new authenticator secret in one step. Later sign-ins are
the password, then a code. Between the two steps the staff cookie holds only a random
token for a server-side row that lasts minutes and is used up by the sign-in. A full
sign-in replaces the cookie's contents with a random session token, checked against
the database on every request.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import logging
from typing import TYPE_CHECKING

from flask import Blueprint, Response, current_app, g, redirect, render_template, request, session, url_for

from wizard.platform.proxies import client_key
from wizard.platform.rate_limits import limiter
from wizard.platform.services import services
from wizard.storage.staff_accounts import (
    ENROLMENT_PENDING_LIFETIME,
    PENDING_LIFETIME,
    Accounts,
    CodeCheck,
    Enrolment,
    SessionCheck,
)
from wizard.storage.staff_accounts import normalise_username as _normalise
from wizard.storage.staff_accounts.sign_in_sources import Source, source_of

if TYPE_CHECKING:
    import segno

bp = Blueprint("staff", __name__, url_prefix="/staff")
logger = logging.getLogger(__name__)

TOKEN = "staff_token"  # noqa: S105 (a session key's name, not a secret)
PENDING = "staff_pending"
NOTICE = "staff_notice"
LOCK_NOTICE = "staff_lock_notice"
# The sign-in steps; every other page of the console needs a full sign-in.
SIGN_IN_STEPS = {"staff.sign_in", "staff.enter_code", "staff.enrol", "staff.enrol_qr"}

NOTICES = {
    "idle": "You were signed out after 30 minutes without activity. Sign in again to continue.",
    "maximum": "You were signed out because a session lasts at most one shift. Sign in again to continue.",
    "signed-out": "You have signed out.",
    "expired": f"Signing in took longer than {int(PENDING_LIFETIME.total_seconds() // 60)} minutes, "
    "so it was stopped. Start again.",
    "locked": "Too many codes were not right, so the account is locked. Try again later, "
    "or ask the person who manages staff accounts to unlock it.",
    "refused": "Your account changed while you were signing in. Sign in again.",
    "handled": "The request is marked as handled.",
    "recorded": "The conversation is recorded. It is in the inbox under Handled.",
    "password-changed": "Your password is changed. You were signed out everywhere else.",
    "others-ended": "You were signed out everywhere else.",
    "directory-checked": "The listing is marked as checked today.",
    "report-resolved": "The problem report is marked as resolved.",
    "report-not-open": "That problem report was already resolved, or is no longer there.",
}


def accounts() -> Accounts:
    return services().staff_accounts


def pop_notice() -> str | None:
    lock = session.pop(LOCK_NOTICE, None)
    notice = NOTICES.get(session.pop(NOTICE, None) or "")
    if isinstance(lock, list) and len(lock) == 2:
        # Told once, at the first sign-in after a lock: the person may not have caused it.
        told = (
            f"Your account was locked at {lock[0]} UTC after {lock[1]} wrong security codes. "
            "If that was not you, tell the person who manages staff accounts: someone may know your password."
        )
        return f"{told} {notice}" if notice else told
    return notice


def current_source() -> Source:
    key = hashlib.sha256(f"staff-source|{current_app.secret_key}".encode()).hexdigest()
    return source_of(request.remote_addr, request.headers.get("User-Agent"), secret=key, throttle_as=client_key())


def _refused_route() -> str:
    # The route's pattern, never the path as typed (it may hold a reference or a token).
    return request.url_rule.rule if request.url_rule is not None else "(no route)"


@bp.before_request
def require_sign_in():
    g.staff = None
    check = accounts().resume(session.get(TOKEN)) if TOKEN in session else SessionCheck(None)
    if check.user is not None:
        g.staff = check.user
        if check.touched:
            session.modified = True  # re-sign the cookie while the session is in use
        if request.endpoint in SIGN_IN_STEPS:
            return redirect(url_for("staff.inbox"), 303)
        return None
    if TOKEN in session:
        session.clear()
        if check.expired:
            session[NOTICE] = check.expired
    if request.endpoint in SIGN_IN_STEPS:
        return None
    if request.url_rule is not None:
        logger.warning("Staff page refused without a sign-in: %s %s", request.method, _refused_route())
    return redirect(url_for("staff.sign_in"), 303)


def _generic_failure() -> str:
    # The same words for an unknown name, a wrong password, a locked or a disabled account.
    return (
        "The username or password is not right, or the account is locked. Check them and try again. "
        "After several wrong passwords you need to wait a few minutes before trying again."
    )


def _sign_in_limit() -> str:
    return current_app.config["STAFF_SIGNIN_RATE_LIMIT"]


def _username_limit() -> str:
    return current_app.config["STAFF_SIGNIN_USERNAME_RATE_LIMIT"]


def _username_key() -> str:
    """The username typed, as a keyed hash: the limit store never holds what was typed."""
    name = _normalise(request.form.get("username", ""))[:64]
    return "staff-username:" + hmac.new(current_app.secret_key.encode(), name.encode(), "sha256").hexdigest()[:32]


# One allowance per address for every sign-in step together.
rate_limited = limiter.shared_limit(_sign_in_limit, scope="staff-sign-in", methods=["POST"])
# And one per username, wherever the attempts come from. Only refusals count, so the
# person's own successful sign-ins never use it up.
username_limited = limiter.limit(
    _username_limit,
    key_func=_username_key,
    methods=["POST"],
    scope="staff-sign-in-username",
    deduct_when=lambda response: response.status_code != 303,
)


@bp.route("/sign-in", methods=["GET", "POST"])
@rate_limited
@username_limited
def sign_in():
    errors: list[dict] = []
    username = ""
    if request.method == "POST":
        # Echoed back into the form, so nothing that is not printable.
        username = "".join(ch for ch in request.form.get("username", "").strip()[:200] if ch.isprintable())
        password = request.form.get("password", "")
        if not username:
            errors.append({"href": "#username", "message": "Enter your username"})
        if not password:
            errors.append({"href": "#password", "message": "Enter your password"})
        if not errors:
            check = accounts().check_password(username, password, current_source())
            if check.pending is not None:
                # A fresh cookie at each step up in privilege.
                session.clear()
                session[PENDING] = check.pending
                return redirect(url_for("staff.enter_code"), 303)
            errors.append({"href": "#username", "message": _generic_failure()})
    return render_template("staff/sign_in.html", errors=errors, username=username, notice=pop_notice())


def _signed_in(result: CodeCheck):
    session.clear()
    session[TOKEN] = result.token
    if result.lock_notice is not None:
        session[LOCK_NOTICE] = [f"{result.lock_notice.at:%Y-%m-%d %H:%M}", result.lock_notice.failures]
    return redirect(url_for("staff.inbox"), 303)


def _back_to_sign_in(notice: str):
    session.clear()
    session[NOTICE] = notice
    return redirect(url_for("staff.sign_in"), 303)


@bp.route("/sign-in/code", methods=["GET", "POST"])
@rate_limited
def enter_code():
    pending = session.get(PENDING)
    state = accounts().pending_state(pending, enrolling=False)
    if state != "live":
        if state == "expired":
            return _back_to_sign_in("expired")
        return redirect(url_for("staff.sign_in"), 303)
    errors: list[dict] = []
    if request.method == "POST":
        code = request.form.get("code", "")
        if not code.strip():
            errors = [{"href": "#code", "message": "Enter the 6-digit code from your authenticator app"}]
        else:
            result = accounts().verify_code(pending, code[:40], current_source())
            if result.status == "ok":
                return _signed_in(result)
            if result.status != "wrong":
                return _back_to_sign_in(result.status)
            message = "That code is not right. Enter the newest 6-digit code from your authenticator app."
            errors = [{"href": "#code", "message": message}]
    return render_template("staff/code.html", errors=errors)


# --- enrolment: the link from `python -m wizard staff create|reset-totp` ------------------------------------------


def _enrolment_page(enrolment: Enrolment, link: str, errors: list[dict], status: int = 200):
    # Grouped in fours, as authenticator apps show a typed key.
    secret = enrolment.secret
    grouped = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
    size = _qr_code(enrolment).symbol_size(scale=QR_SCALE, border=QR_BORDER)[0]
    minutes = int(ENROLMENT_PENDING_LIFETIME.total_seconds() // 60)
    return (
        render_template(
            "staff/enrol.html",
            errors=errors,
            secret=grouped,
            qr_size=size,
            username=enrolment.username,
            link=link,
            minutes=minutes,
        ),
        status,
    )


@bp.route("/enrol/<link>", methods=["GET", "POST"])
@rate_limited
def enrol(link: str):
    staff = accounts()
    enrolment = staff.begin_enrolment(link, session.get(PENDING))
    if enrolment is None:
        session.pop(PENDING, None)
        return render_template("staff/enrol_unavailable.html"), 404
    if enrolment.pending != session.get(PENDING):
        # A new attempt (another browser, or the old one took too long): a new secret.
        session.clear()
        session[PENDING] = enrolment.pending
        if request.method == "POST":
            errors = [{"href": "#code", "message": "Setting up took too long. Scan this new QR code, then try again."}]
            return _enrolment_page(enrolment, link, errors)
    errors: list[dict] = []
    if request.method == "POST":
        password = request.form.get("password", "")
        again = request.form.get("password_again", "")
        code = request.form.get("code", "")
        if not password:
            errors.append({"href": "#password", "message": "Choose a password"})
        elif password != again:
            errors.append({"href": "#password_again", "message": "The two passwords are not the same"})
        else:
            problem = staff.password_problem(enrolment.username, password)
            if problem:
                errors.append({"href": "#password", "message": problem})
        if not code.strip():
            errors.append({"href": "#code", "message": "Enter the 6-digit code from your authenticator app"})
        if not errors:
            result = staff.complete_enrolment(link, enrolment.pending, password, code[:40], current_source())
            if result.status == "ok":
                return _signed_in(result)
            if result.status == "password":
                errors.append({"href": "#password", "message": result.problem})
            elif result.status == "wrong":
                message = "That code is not right. Enter the 6-digit code the app shows now for this account."
                errors.append({"href": "#code", "message": message})
            else:
                session.pop(PENDING, None)
                return render_template("staff/enrol_unavailable.html"), 404
    return _enrolment_page(enrolment, link, errors)


QR_SCALE = 5
QR_BORDER = 4


def _qr_code(enrolment: Enrolment) -> segno.QRCode:
    # Loaded here, on a staff member's set-up page, rather than in every worker.
    import pyotp
    import segno

    issuer = f"{current_app.config['OPERATOR_NAME']} staff console"
    uri = pyotp.TOTP(enrolment.secret).provisioning_uri(name=enrolment.username, issuer_name=issuer)
    return segno.make_qr(uri, error="m")


@bp.get("/enrol/qr.svg")
def enrol_qr():
    # An image of our own origin (the CSP allows no data: URIs), only while setting up.
    enrolment = accounts().enrolment(session.get(PENDING))
    if enrolment is None:
        return redirect(url_for("staff.sign_in"), 303)
    buffer = io.BytesIO()
    _qr_code(enrolment).save(
        buffer, kind="svg", scale=QR_SCALE, border=QR_BORDER, xmldecl=False, title="QR code for your authenticator app"
    )
    return Response(buffer.getvalue(), mimetype="image/svg+xml")


@bp.post("/sign-out")
def sign_out():
    accounts().end_session(session.get(TOKEN))
    session.clear()
    session[NOTICE] = "signed-out"
    return redirect(url_for("staff.sign_in"), 303)
