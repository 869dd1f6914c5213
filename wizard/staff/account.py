"""The signed-in person's own account: where they are signed in, signing out
everywhere else, and changing their password."""

from __future__ import annotations

from flask import current_app, g, redirect, render_template, request, session, url_for

from wizard.staff.auth import NOTICE, TOKEN, accounts, bp, current_source, pop_notice, rate_limited


@bp.get("/account")
def account():
    staff = accounts()
    return render_template(
        "staff/account.html",
        sessions=staff.sessions(g.staff.id, session.get(TOKEN)),
        max_session_hours=staff.policy.max_session_hours,
        idle_minutes=staff.policy.idle_minutes,
        max_sessions=staff.policy.max_sessions,
        notice=pop_notice(),
    )


@bp.post("/account/sign-out-others")
def sign_out_others():
    accounts().end_other_sessions(g.staff.id, session.get(TOKEN))
    session[NOTICE] = "others-ended"
    return redirect(url_for("staff.account"), 303)


@bp.route("/account/password", methods=["GET", "POST"])
@rate_limited
def change_password():
    errors: list[dict] = []
    if request.method == "POST":
        current = request.form.get("current_password", "")
        new = request.form.get("new_password", "")
        again = request.form.get("new_password_again", "")
        if not current:
            errors.append({"href": "#current_password", "message": "Enter your current password"})
        if not new:
            errors.append({"href": "#new_password", "message": "Choose a new password"})
        elif new != again:
            errors.append({"href": "#new_password_again", "message": "The two new passwords are not the same"})
        if not errors:
            problem = accounts().change_password(g.staff.id, session.get(TOKEN), current, new, current_source())
            if problem is None:
                session[NOTICE] = "password-changed"
                return redirect(url_for("staff.account"), 303)
            href = "#current_password" if "current" in problem else "#new_password"
            errors.append({"href": href, "message": problem})
    operator = current_app.config.get("OPERATOR_NAME", "")
    return render_template("staff/password.html", errors=errors, operator_name=operator)
