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
        plain = _json.dumps(value).encode("utf-8")
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
                return _json.loads(cipher.decrypt(sealed[:NONCE], sealed[NONCE:], self.kind).decode("utf-8"))
        raise ValueError("not sealed by this server for this cookie")
