"""Password hashing with scrypt (memory-hard, in the standard library).

A hash records its own parameters, `scrypt$n=131072,r=8,p=1$<salt>$<key>`, so the
cost can be raised later: old hashes still verify, and are replaced at the next
successful sign-in (see `needs_rehash`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
import unicodedata

# OWASP's Password Storage Cheat Sheet minimum for scrypt: N=2**17, r=8, p=1 (128 MiB a hash).
DEFAULT_N = 2**17
# Below this a stolen hash is too cheap to attack; only tests may go lower, for speed.
MINIMUM_PRODUCTION_N = 2**17
R = 8
P = 1
SALT_BYTES = 16
KEY_BYTES = 32
# Long enough for any passphrase; bounded so nobody can make us hash megabytes.
MAX_PASSWORD_LENGTH = 1024
FORMAT = re.compile(r"^scrypt\$n=(\d+),r=(\d+),p=(\d+)\$([A-Za-z0-9+/=]+)\$([A-Za-z0-9+/=]+)$")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _derive(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    # The same password typed on different systems may arrive in different Unicode forms.
    secret = unicodedata.normalize("NFC", password).encode("utf-8")
    # OpenSSL needs about 128 * r * (n + p + 2) bytes; allow that and a little more.
    maxmem = 128 * r * (n + p + 2) + 1024 * 1024
    return hashlib.scrypt(secret, salt=salt, n=n, r=r, p=p, maxmem=maxmem, dklen=KEY_BYTES)


def valid_cost(n: int) -> bool:
    return n >= 2 and n & (n - 1) == 0 and n <= 2**20


def hash_password(password: str, *, n: int = DEFAULT_N) -> str:
    if not valid_cost(n):
        raise ValueError("n must be a power of two between 2 and 2**20")
    salt = secrets.token_bytes(SALT_BYTES)
    key = _derive(password, salt, n, R, P)
    return f"scrypt$n={n},r={R},p={P}${_b64(salt)}${_b64(key)}"


def _parse(stored: str) -> tuple[int, int, int, bytes, bytes] | None:
    match = FORMAT.match(stored or "")
    if not match:
        return None
    n, r, p = (int(match.group(i)) for i in (1, 2, 3))
    if not valid_cost(n) or not 1 <= r <= 32 or not 1 <= p <= 16:
        return None
    try:
        salt, key = base64.b64decode(match.group(4), validate=True), base64.b64decode(match.group(5), validate=True)
    except ValueError:
        return None
    return n, r, p, salt, key


def too_long(password: str) -> bool:
    return len(password) > MAX_PASSWORD_LENGTH


def verify_password(password: str, stored: str) -> bool:
    """True only for the right password; a malformed hash never matches."""
    parsed = _parse(stored)
    if parsed is None or too_long(password):
        return False
    n, r, p, salt, key = parsed
    return hmac.compare_digest(_derive(password, salt, n, r, p), key)


def needs_rehash(stored: str, *, n: int) -> bool:
    parsed = _parse(stored)
    return parsed is None or parsed[0] < n or parsed[1] != R or parsed[2] != P


# A hash that no password matches: accounts waiting for their enrolment link have it.
UNUSABLE = "!"

# Verified against when a username does not exist, so that takes as long as a wrong password.
_DUMMY: dict[int, str] = {}


def burn_time(password: str, *, n: int) -> None:
    if n not in _DUMMY:
        _DUMMY[n] = hash_password(secrets.token_urlsafe(16), n=n)
    verify_password(password[:MAX_PASSWORD_LENGTH], _DUMMY[n])
