"""Sealing personal fields with Fernet (AES-128-CBC + HMAC-SHA256).

Keys come from configuration, never from the database. Several keys may be
given (newest first): new data is sealed with the first, and older data stays
readable while it is re-sealed or purged, so keys can be rotated.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet


class SealError(Exception):
    """A sealed value could not be opened: wrong key, tampering, or a value moved between records."""


def new_key() -> str:
    return Fernet.generate_key().decode("ascii")


def parse_keys(text: str) -> list[str]:
    return [part.strip() for part in text.replace("\n", ",").split(",") if part.strip()]


class Sealer:
    def __init__(self, keys: Sequence[str]):
        if not keys:
            raise ValueError("at least one data key is needed")
        try:
            self._fernet = MultiFernet([Fernet(key.encode("ascii")) for key in keys])
        except (ValueError, UnicodeEncodeError) as exc:
            # Never echo the key itself.
            raise ValueError("a data key is not a valid Fernet key (32 url-safe base64-encoded bytes)") from exc

    def seal(self, data: dict, *, bound_to: str, purpose: str | None = None) -> bytes:
        """Seal a JSON-able dict. `bound_to` (a record's reference) and `purpose` (which of the
        record's values this is) are sealed with it and checked on opening, so a sealed value
        copied onto another record, or into another column of the same record, is refused."""
        envelope: dict = {"for": bound_to, "data": data}
        if purpose is not None:
            envelope["purpose"] = purpose
        payload = json.dumps(envelope, ensure_ascii=False, separators=(",", ":"))
        return self._fernet.encrypt(payload.encode("utf-8"))

    def open(self, token: bytes, *, bound_to: str, purpose: str | None = None) -> dict:
        try:
            payload = json.loads(self._fernet.decrypt(bytes(token)).decode("utf-8"))
        except (InvalidToken, ValueError, TypeError) as exc:
            raise SealError("sealed value cannot be opened with the configured keys") from exc
        if not isinstance(payload, dict) or payload.get("for") != bound_to or not isinstance(payload.get("data"), dict):
            raise SealError("sealed value belongs to another record")
        # Values sealed before purposes were added have none, and stay readable; a value
        # that names a purpose must name this one.
        if "purpose" in payload and payload["purpose"] != purpose:
            raise SealError("sealed value belongs to another field of the record")
        return payload["data"]

    def seal_text(self, text: str, *, bound_to: str, purpose: str | None = None) -> bytes:
        return self.seal({"text": text}, bound_to=bound_to, purpose=purpose)

    def open_text(self, token: bytes, *, bound_to: str, purpose: str | None = None) -> str:
        value = self.open(token, bound_to=bound_to, purpose=purpose).get("text")
        if not isinstance(value, str):
            raise SealError("sealed value is not text")
        return value
