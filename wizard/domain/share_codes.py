"""Share links: a short code that reopens the same results, and holds only answer codes.

The code is the answers packed by position (an option's place in its question, a
country's two letters), sealed with ChaCha20-Poly1305 under a key derived from
SECRET_KEY. Sealing makes it both tamper-proof and unreadable to anyone without the
server's key (a link in a browser history or a server log reveals nothing), and the
server stores nothing. A code carries the day it was made and stops working after
30 days. A fingerprint of the questions and options is sealed in too: a code made
before the questions changed is refused rather than read as other answers.
"""

from __future__ import annotations

import base64
import hashlib
import os
import struct
import time
from collections.abc import Mapping

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from wizard.domain.journey import Answers, Journey, Walk
from wizard.domain.rulebook.models import PLACE_KINDS
from wizard.domain.vocabulary import PREFER_NOT_TO_SAY

VERSION = 1
LIFETIME_DAYS = 30
DAY = 86_400
NONCE = 12
# A country byte pair that means "prefer not to say" (no ISO code is "--").
NO_COUNTRY = b"--"


class ShareError(Exception):
    """The code cannot be used; `reason` says why, for the page the person sees."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason  # "invalid" or "expired"


def _key(secret: str) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"wizard share link v1").derive(
        secret.encode("utf-8")
    )


def fingerprint(journey: Journey) -> bytes:
    """Four bytes that change whenever a question, its kind or its options (or whom they are offered
    to) change."""
    parts = [
        f"{q.id}:{q.kind}:{','.join(o.code + (f'@{o.audience}' if o.audience else '') for o in q.options)}"
        for q in journey.questions
    ]
    return hashlib.sha256("|".join(parts).encode()).digest()[:4]


def _pack(journey: Journey, answers: Mapping[str, object]) -> bytes:
    out = bytearray()
    for question in journey.questions:
        value = answers.get(question.id)
        if question.kind in PLACE_KINDS:
            out += _pack_place(question.kind, question.id in answers, value)
        elif question.kind == "country":
            if value == PREFER_NOT_TO_SAY:
                out += NO_COUNTRY
            elif isinstance(value, str) and len(value) == 2:
                out += value.encode("ascii")
            else:
                out += b"\0\0"
        elif question.kind == "single":
            codes = [o.code for o in question.options]
            # 0: not answered; n: the n-th option; 255: seen and left blank.
            if question.id not in answers:
                out.append(0)
            elif value in codes:
                out.append(codes.index(value) + 1)
            else:
                out.append(255)
        else:
            codes = [o.code for o in question.options]
            chosen = value if isinstance(value, list) else []
            mask = sum(1 << codes.index(c) for c in chosen if c in codes)
            present = 1 if question.id in answers else 0
            width = (len(codes) + 1 + 7) // 8
            out += ((mask << 1) | present).to_bytes(width, "big")
    return bytes(out)


# A region is its ISO 3166-2 code after a length byte; a town its GeoNames id in four bytes. These
# stand for the answers that are not a place.
PLACE_ABSENT, PLACE_BLANK, PLACE_NOT_SAID = 0, 0xFF, 0xFE
TOWN_ABSENT, TOWN_BLANK, TOWN_NOT_SAID = 0, 0xFFFFFFFF, 0xFFFFFFFE


def _pack_place(kind: str, present: bool, value: object) -> bytes:
    if kind == "town":
        if not present:
            number = TOWN_ABSENT
        elif value == PREFER_NOT_TO_SAY:
            number = TOWN_NOT_SAID
        elif isinstance(value, str) and value.isascii() and value.isdigit() and 0 < int(value) < TOWN_NOT_SAID:
            number = int(value)
        else:
            number = TOWN_BLANK
        return number.to_bytes(4, "big")
    if not present:
        return bytes([PLACE_ABSENT])
    if value == PREFER_NOT_TO_SAY:
        return bytes([PLACE_NOT_SAID])
    if isinstance(value, str) and value.isascii() and 0 < len(value) <= 12:
        return bytes([len(value)]) + value.encode("ascii")
    return bytes([PLACE_BLANK])


def _unpack_place(question, data: bytes, at: int, answers: Answers) -> int:
    if question.kind == "town":
        number = int.from_bytes(data[at : at + 4], "big")
        if len(data) < at + 4:
            raise ValueError("cut short")
        if number == TOWN_NOT_SAID:
            answers[question.id] = PREFER_NOT_TO_SAY
        elif number == TOWN_BLANK:
            answers[question.id] = ""
        elif number:
            answers[question.id] = str(number)
        return at + 4
    size = data[at]
    at += 1
    if size == PLACE_NOT_SAID:
        answers[question.id] = PREFER_NOT_TO_SAY
    elif size == PLACE_BLANK:
        answers[question.id] = ""
    elif size:
        if size > 12 or len(data) < at + size:
            raise ValueError("a region code of the wrong length")
        answers[question.id] = data[at : at + size].decode("ascii")
        at += size
    return at


def _unpack(journey: Journey, data: bytes) -> Answers:
    answers: Answers = {}
    at = 0
    for question in journey.questions:
        if question.kind in PLACE_KINDS:
            at = _unpack_place(question, data, at, answers)
        elif question.kind == "country":
            raw = data[at : at + 2]
            at += 2
            if raw == NO_COUNTRY:
                answers[question.id] = PREFER_NOT_TO_SAY
            elif raw != b"\0\0":
                answers[question.id] = raw.decode("ascii")
        elif question.kind == "single":
            index = data[at]
            at += 1
            if index == 255:
                answers[question.id] = ""
            elif index:
                answers[question.id] = question.options[index - 1].code
        else:
            codes = [o.code for o in question.options]
            width = (len(codes) + 1 + 7) // 8
            number = int.from_bytes(data[at : at + width], "big")
            at += width
            if number & 1:
                answers[question.id] = [c for i, c in enumerate(codes) if number >> (i + 1) & 1]
    if at != len(data):
        raise ValueError("length does not match the questions")
    return answers


def make_code(journey: Journey, answers: Mapping[str, object], secret: str, *, now: float | None = None) -> str:
    day = int((time.time() if now is None else now) // DAY)
    plain = struct.pack(">BH", VERSION, day & 0xFFFF) + fingerprint(journey) + _pack(journey, answers)
    nonce = os.urandom(NONCE)
    sealed = ChaCha20Poly1305(_key(secret)).encrypt(nonce, plain, b"share")
    return base64.urlsafe_b64encode(nonce + sealed).decode("ascii").rstrip("=")


def read_code(journey: Journey, code: str, secret: str, *, now: float | None = None) -> Walk:
    """The walk of the answers in a code, checked against the questions as they are now."""
    if not isinstance(code, str) or not 20 <= len(code) <= 200:
        raise ShareError("invalid")
    try:
        raw = base64.urlsafe_b64decode(code + "=" * (-len(code) % 4))
        # The decoder skips characters outside the alphabet and ignores unused trailing
        # bits: only the exact form make_code writes is accepted, so a changed link never works.
        if base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=") != code:
            raise ValueError("not the form make_code writes")
        plain = ChaCha20Poly1305(_key(secret)).decrypt(raw[:NONCE], raw[NONCE:], b"share")
        version, day = struct.unpack(">BH", plain[:3])
    except Exception as exc:  # any failure to open it means the code was changed or made elsewhere
        raise ShareError("invalid") from exc
    if version != VERSION or plain[3:7] != fingerprint(journey):
        raise ShareError("invalid")
    today = int((time.time() if now is None else now) // DAY) & 0xFFFF
    if (today - day) % 0x10000 > LIFETIME_DAYS:
        raise ShareError("expired")
    try:
        answers = _unpack(journey, plain[7:])
    except (ValueError, IndexError, UnicodeDecodeError) as exc:
        raise ShareError("invalid") from exc
    # Whatever was sealed, only answers that are valid today, on the path, come back.
    return journey.sanitise(answers)
