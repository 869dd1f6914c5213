"""Translation set-up. English is the source language of every string."""

from __future__ import annotations

from flask import Flask
from flask_babel import Babel


def init_app(app: Flask) -> None:
    Babel(app, locale_selector=lambda: "en")
