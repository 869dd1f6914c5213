"""Signing in and out of the staff console, and the check that guards every other page.

Steps: password, then (first time) set up an authenticator app or (later) enter
its code. Between the two steps the staff cookie remembers only who passed the
password and when; that half-signed-in state lasts 5 minutes. A full sign-in
replaces the cookie's contents with a random session token, checked against the
database on every request.
"""

from __future__ import annotations

import io
from datetime import UTC

import pyotp
import segno
from flask import Blueprint, Response, current_app, g, redirect, render_template, request, session, url_for

from ..limits import limiter
from .accounts import PENDING_LIFETIME, Accounts, Enrolment, SessionCheck

bp = Blueprint("staff", __name__, url_prefix="/staff")

TOKEN = "staff_token"  # noqa: S105 (a session key's name, not a secret)
PENDING = "staff_pending"
NOTICE = "staff_notice"
# The sign-in steps; every other page of the console needs a full sign-in.
SIGN_IN_STEPS = {"staff.sign_in", "staff.enter_code", "staff.enrol", "staff.enrol_qr"}

NOTICES = {
    "idle": "You were signed out after 30 minutes without activity. Sign in again to continue.",
    "signed-out": "You have signed out.",
    "expired": "Signing in took longer than 5 minutes, so it was stopped. Start again.",
    "locked": "Too many codes were not right, so the account is locked for a while. Try again later, "
    "or ask the person who manages staff accounts to unlock it.",
    "refused": "Your account changed while you were signing in. Sign in again.",
    "handled": "The request is marked as handled.",
    "recorded": "The conversation is recorded. It is in the inbox under Handled.",
}


def accounts() -> Accounts:
    return current_app.extensions["staff_accounts"]


def pop_notice() -> str | None:
    return NOTICES.get(session.pop(NOTICE, None) or "")


def _now() -> float:
    return accounts().clock().replace(tzinfo=UTC).timestamp()


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
            session[NOTICE] = "idle"
    if request.endpoint in SIGN_IN_STEPS:
        return None
    return redirect(url_for("staff.sign_in"), 303)


def _generic_failure() -> str:
    config = current_app.config
    # The same words for an unknown name, a wrong password, a locked or a disabled account.
    return (
        "The username or password is not right, or the account is locked. Check them and try again. "
        f"After {config['STAFF_LOCKOUT_ATTEMPTS']} failed attempts an account is locked for "
        f"{config['STAFF_LOCKOUT_MINUTES']} minutes."
    )


def _sign_in_limit() -> str:
    return current_app.config["STAFF_SIGNIN_RATE_LIMIT"]


# One allowance per address for every sign-in step together.
rate_limited = limiter.shared_limit(_sign_in_limit, scope="staff-sign-in", methods=["POST"])


@bp.route("/sign-in", methods=["GET", "POST"])
@rate_limited
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
            check = accounts().check_password(username, password)
            if check.user is not None:
                # A fresh cookie at each step up in privilege.
                session.clear()
                session[PENDING] = {"user": check.user.id, "since": _now(), "enrolled": check.enrolled}
                return redirect(url_for("staff.enter_code" if check.enrolled else "staff.enrol"), 303)
            errors.append({"href": "#username", "message": _generic_failure()})
    return render_template("staff/sign_in.html", errors=errors, username=username, notice=pop_notice())


def _pending(*, enrolled: bool) -> int | None:
    """Who passed the password step, if they did so less than 5 minutes ago."""
    pending = session.get(PENDING)
    if not isinstance(pending, dict) or not isinstance(pending.get("user"), int):
        return None
    since = pending.get("since")
    if not isinstance(since, int | float) or _now() - since > PENDING_LIFETIME.total_seconds():
        session.pop(PENDING, None)
        session[NOTICE] = "expired"
        return None
    return pending["user"] if pending.get("enrolled") is enrolled else None


def _check_code(user_id: int):
    """Check the posted code. Returns a redirect when done, or the errors to show."""
    code = request.form.get("code", "")
    if not code.strip():
        return [{"href": "#code", "message": "Enter the 6-digit code from your authenticator app"}]
    result = accounts().verify_code(user_id, code[:40])
    if result.status == "ok":
        session.clear()
        session[TOKEN] = result.token
        return redirect(url_for("staff.inbox"), 303)
    if result.status == "wrong":
        message = "That code is not right. Enter the newest 6-digit code from your authenticator app."
        return [{"href": "#code", "message": message}]
    session.clear()
    session[NOTICE] = result.status
    return redirect(url_for("staff.sign_in"), 303)


@bp.route("/sign-in/code", methods=["GET", "POST"])
@rate_limited
def enter_code():
    user_id = _pending(enrolled=True)
    if user_id is None:
        return redirect(url_for("staff.sign_in"), 303)
    errors: list[dict] = []
    if request.method == "POST":
        outcome = _check_code(user_id)
        if not isinstance(outcome, list):
            return outcome
        errors = outcome
    return render_template("staff/code.html", errors=errors)


@bp.route("/enrol", methods=["GET", "POST"])
@rate_limited
def enrol():
    user_id = _pending(enrolled=False)
    enrolment = accounts().enrolment(user_id) if user_id is not None else None
    if enrolment is None:
        return redirect(url_for("staff.sign_in"), 303)
    errors: list[dict] = []
    if request.method == "POST":
        outcome = _check_code(user_id)
        if not isinstance(outcome, list):
            return outcome
        errors = outcome
    # Grouped in fours, as authenticator apps show a typed key.
    secret = enrolment.secret
    grouped = " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))
    size = _qr_code(enrolment).symbol_size(scale=QR_SCALE, border=QR_BORDER)[0]
    return render_template("staff/enrol.html", errors=errors, secret=grouped, qr_size=size)


QR_SCALE = 5
QR_BORDER = 4


def _qr_code(enrolment: Enrolment) -> segno.QRCode:
    issuer = f"{current_app.config['OPERATOR_NAME']} staff console"
    uri = pyotp.TOTP(enrolment.secret).provisioning_uri(name=enrolment.username, issuer_name=issuer)
    return segno.make_qr(uri, error="m")


@bp.get("/enrol/qr.svg")
def enrol_qr():
    # An image of our own origin (the CSP allows no data: URIs), only while setting up.
    user_id = _pending(enrolled=False)
    enrolment = accounts().enrolment(user_id) if user_id is not None else None
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
