"""A fictional operator's details, which production refuses to start without (reserved example numbers and addresses)."""

from __future__ import annotations

OPERATOR_SETTINGS = {
    "OPERATOR_NAME": "Example Recovery Line",
    "OPERATOR_COUNTRY": "PT",
    "OPERATOR_LANGUAGES": "pt,en",
    "OPERATOR_CALLER_ID": "withheld",
    "OPERATOR_RESPONSE_TIME": "2 working days",
    "OPERATOR_CANCEL_CONTACT": "cancel@example.org",
}


def set_operator(monkeypatch) -> None:
    """The operator's details in the environment, as a production deployment gives them."""
    for name, value in OPERATOR_SETTINGS.items():
        monkeypatch.setenv(name, value)
