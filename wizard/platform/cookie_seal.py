"""The answers cookie's content, sealed so that only this server can read it.

The answers are health information. Signing alone (Flask's default) stops anyone
changing them, but leaves them readable to whatever sees the cookie: the
browser's cookie store and developer tools, crash dumps, a proxy that logs
cookies. Here Flask's session JSON is sealed with ChaCha20-Poly1305 under a key
derived from SECRET_KEY (its own HKDF info, so it is never the key that seals
share links), then signed with a timestamp as before, which keeps the 30-minute
idle limit. The sealed text is padded to a multiple of PAD bytes, so its length
says little about how many answers it holds.

The kind of cookie (public or embedded) is bound in as associated data: one
cannot be presented as the other.
"""

from __future__ import annotations

import os
from contextlib import suppress
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import json
from flask.json.tag import TaggedJSONSerializer

NONCE = 12
PAD = 64
_json = TaggedJSONSerializer()


@lru_cache(maxsize=8)
def _cipher(secret: str | bytes) -> ChaCha20Poly1305:
    material = secret.encode("utf-8") if isinstance(secret, str) else secret
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"wizard session cookie v1").derive(material)
    return ChaCha20Poly1305(key)


class SealedJSON:
    """A serializer for itsdangerous: dumps to sealed bytes, loads them back.

    `secrets` is the current SECRET_KEY first, then any SECRET_KEY_FALLBACKS, so a
    cookie sealed before the key was changed still opens while its signature does."""

    def __init__(self, secrets: list[str | bytes], kind: bytes):
        self.ciphers = [_cipher(secret) for secret in secrets]
        self.kind = kind

    def dumps(self, value) -> bytes:
        plain = _dumps(value).encode("utf-8")
        # JSON ignores trailing spaces, so padding needs no length field.
        plain += b" " * (-len(plain) % PAD)
        nonce = os.urandom(NONCE)
        return nonce + self.ciphers[0].encrypt(nonce, plain, self.kind)

    def loads(self, sealed: bytes):
        """The value, or an exception if it was not sealed by this server for this kind of cookie."""
        if len(sealed) <= NONCE:
            raise ValueError("too short to be sealed")
        for cipher in self.ciphers:
            with suppress(InvalidTag):  # not this key: try the next one
                return _loads(cipher.decrypt(sealed[:NONCE], sealed[NONCE:], self.kind).decode("utf-8"))
        raise ValueError("not sealed by this server for this cookie")


# Flask's session JSON ("tagged": a tuple, bytes, a date... is written as a one-key object whose key starts
# with a space) costs four times plain JSON to write and three times to read, in Python, value by value. A
# session of plain JSON values (the answers, the language, the CSRF token: in practice every one) is the
# same text either way, so it is written and read as plain JSON, and anything else as Flask does.


def _dumps(value) -> str:
    if _plain(value):
        return json.dumps(value, separators=(",", ":"))  # what TaggedJSONSerializer.dumps writes for it
    return _json.dumps(value)


def _loads(text: str):
    # Every tag is an object key that starts with a space, so JSON without '" ' has none to undo.
    if '" ' not in text:
        return json.loads(text)
    return _json.loads(text)


def _plain(value) -> bool:
    """Whether Flask's tagging leaves this value as it is: JSON's own types only, and no object
    that could be read back as a tag."""
    kind = type(value)
    if kind is str or kind is int or kind is float or kind is bool or value is None:
        return True
    if kind is list:
        return all(_plain(item) for item in value)
    if kind is dict:
        if len(value) == 1 and next(iter(value)) in _json.tags:
            return False
        return all(type(key) is str and _plain(item) for key, item in value.items())
    return False
