"""English message ids that are translated where they are shown.

The rules engine and the journey work in English only and import nothing
from Flask; the web layer translates each message id, and its parameters,
for the person's language.
"""

from __future__ import annotations


def N_(text: str) -> str:
    """Mark a string for extraction into the catalogues without translating it here."""
    return text


class Message(str):
    """A message id with named parameters, translated and filled in when displayed."""

    params: dict[str, str]

    def __new__(cls, msgid: str, **params: str) -> Message:
        message = super().__new__(cls, msgid)
        message.params = params
        return message

    def english(self) -> str:
        if not self.params:
            return str.__str__(self)
        params = dict(self.params)
        if "country" in params:
            # As the web layer does for the reader's language: a country code shows as its name.
            from babel import Locale

            params["country"] = Locale.parse("en").territories.get(params["country"], params["country"])
        return str.__str__(self) % params
