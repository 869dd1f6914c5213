"""The pieces a partner site uses: the loader script, its theme, and the documentation page."""

from __future__ import annotations

from flask import Blueprint, Response, g, render_template, send_from_directory

from wizard.platform.services import services
from wizard.platform.settings import PROJECT_ROOT

bp = Blueprint("embed", __name__)
LOADER_DIR = PROJECT_ROOT / "static" / "embed"


@bp.get("/embed/v1/loader.js")
def loader():
    # A versioned address: a new major version gets a new path, so this one can be cached.
    response = send_from_directory(LOADER_DIR, "loader-v1.js", mimetype="text/javascript", max_age=3600)
    response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response


@bp.get("/embed/<partner>/theme.css")
def theme():
    # The partner was looked up (or refused with a 404) before this view runs.
    colours = g.partner.theme
    css = f":root {{ --teal: {colours.accent}; --dark: {colours.accent}; --on-accent: {colours.text}; }}\n"
    return Response(css, mimetype="text/css", headers={"Cache-Control": "public, max-age=600"})


@bp.get("/partners")
def partners_page():
    partners = services().partners
    example = next(iter(partners.values()), None)
    return render_template("pages/partners.html", example=example)
