"""Public JSON API (/api/v1): questions, matching, approaches and organisations."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")
