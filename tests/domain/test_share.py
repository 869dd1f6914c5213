"""Share codes: only answer codes, sealed so they cannot be read or changed, and 30 days long."""

from __future__ import annotations

import base64
import random
import re
import string

import pytest
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305

from tests.support.answers import FULL
from wizard.domain import share_codes as share
from wizard.domain.coverage import walk
from wizard.domain.journey import Journey
from wizard.domain.rulebook.models import Option
from wizard.domain.share_codes import DAY, LIFETIME_DAYS, ShareError, make_code, read_code
from wizard.domain.vocabulary import PREFER_NOT_TO_SAY

SECRET = "unit-test-secret"
# Noon on some day: the expiry tests move whole days from here.
NOW = 20_000 * DAY + DAY / 2
ALPHABET = string.ascii_letters + string.digits + "-_"


@pytest.fixture(scope="module")
def journey(rulebook, matcher) -> Journey:
    return Journey(rulebook, matcher)


@pytest.fixture(scope="module")
def sample(rulebook, matcher) -> list[dict]:
    """A few hundred people from the whole answer space (every single-choice combination)."""
    everyone = list(walk(rulebook, matcher))
    return random.Random(2026).sample(everyone, 400)  # noqa: S311 - a repeatable sample, not a secret


def code_for(journey: Journey, answers: dict, **kwargs) -> str:
    return make_code(journey, answers, SECRET, now=kwargs.pop("now", NOW), **kwargs)


def reason(journey: Journey, code: object, *, secret: str = SECRET, now: float = NOW) -> str:
    with pytest.raises(ShareError) as caught:
        read_code(journey, code, secret, now=now)  # type: ignore[arg-type]
    return caught.value.reason


def raw_bytes(code: str) -> bytes:
    return base64.urlsafe_b64decode(code + "=" * (-len(code) % 4))


def encode(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode("ascii").rstrip("=")


# --- round trip ----------------------------------------------------------------------


def test_round_trip_over_the_answer_space(journey, sample):
    for answers in sample:
        assert journey.walk(answers).complete, answers
        code = code_for(journey, answers)
        assert read_code(journey, code, SECRET, now=NOW).answers == answers


def test_codes_are_short_and_safe_in_a_web_address(journey, sample):
    lengths = set()
    for answers in sample[:50]:
        code = code_for(journey, answers)
        assert re.fullmatch(r"[A-Za-z0-9_-]+", code), code
        lengths.add(len(code))
    assert max(lengths) <= 80


def test_optional_questions_left_blank(journey):
    answers = dict(FULL, injecting="", substances=["opioids"], support=[], needs=[])
    code = code_for(journey, answers)
    assert read_code(journey, code, SECRET, now=NOW).answers == answers


def test_optional_questions_never_shown_stay_unanswered(journey):
    # Alcohol only: "injecting" is not on the path, so it is not in the answers at all.
    answers = {k: v for k, v in FULL.items() if k != "injecting"} | {"substances": ["alcohol"]}
    back = read_code(journey, code_for(journey, answers), SECRET, now=NOW).answers
    assert back == answers
    assert "injecting" not in back


def test_prefer_not_to_say_country(journey):
    answers = dict(FULL, country=PREFER_NOT_TO_SAY)
    assert read_code(journey, code_for(journey, answers), SECRET, now=NOW).answers["country"] == PREFER_NOT_TO_SAY


def test_each_code_is_different_but_opens_the_same_answers(journey):
    first, second = code_for(journey, FULL), code_for(journey, FULL)
    assert first != second  # a fresh nonce each time: two links cannot be compared
    assert read_code(journey, first, SECRET, now=NOW).answers == read_code(journey, second, SECRET, now=NOW).answers


# --- only answer codes, and nothing readable -------------------------------------------


def test_decoded_content_is_only_answer_codes(journey, sample, rulebook):
    countries = {c.code for c in rulebook.countries}
    for answers in [*sample, FULL]:
        back = read_code(journey, code_for(journey, answers), SECRET, now=NOW).answers
        for key, value in back.items():
            question = journey.by_id[key]  # every key is a question id
            codes = {o.code for o in question.options}
            if question.kind == "country":
                assert value == PREFER_NOT_TO_SAY or (re.fullmatch(r"[A-Z]{2}", value) and value in countries)
            elif question.kind == "multiple":
                assert isinstance(value, list) and set(value) <= codes, (key, value)
            elif question.kind in ("subdivision", "town"):
                assert value in ("", PREFER_NOT_TO_SAY) or value.isdigit() or value.startswith(back["country"] + "-")
            else:
                assert value in codes or (value == "" and not question.required), (key, value)


def test_a_region_and_a_town_come_back_from_a_code(journey):
    answers = {**FULL, "country": "US", "subdivision": "US-IL", "town": "4887398"}
    assert read_code(journey, code_for(journey, answers), SECRET, now=NOW).answers == answers
    # A region or town of another country is dropped when the code is opened.
    elsewhere = {**answers, "subdivision": "PT-13", "town": "2735943"}
    back = read_code(journey, code_for(journey, elsewhere), SECRET, now=NOW).answers
    assert "subdivision" not in back and "town" not in back


def test_nothing_else_is_kept_from_what_was_given(journey):
    noisy = dict(FULL, name="Sam", phone="07700 900123", message="help", faith="<script>", support=["x", "online"])
    back = read_code(journey, code_for(journey, noisy), SECRET, now=NOW).answers
    assert set(back) <= set(journey.by_id)
    assert "Sam" not in repr(back) and "07700" not in repr(back)
    assert "faith" not in back  # not an option code: dropped, so the answers are incomplete
    assert back["support"] == ["online"]


def test_the_code_reveals_nothing_readable(journey, sample):
    for answers in [*sample[:100], FULL]:
        code = code_for(journey, answers)
        raw = raw_bytes(code)
        packed = share._pack(journey, answers)
        assert packed not in raw  # the answers are sealed, not just encoded
        for value in answers.values():
            for item in value if isinstance(value, list) else [value]:
                if len(item) >= 4:  # two-letter codes can turn up by chance in random bytes
                    assert item.encode() not in raw, item


# --- tampering -----------------------------------------------------------------------


def test_flipping_any_bit_of_any_byte_is_refused(journey):
    raw = raw_bytes(code_for(journey, FULL))
    for position in range(len(raw)):
        for bit in (0x01, 0x80):
            changed = bytearray(raw)
            changed[position] ^= bit
            assert reason(journey, encode(bytes(changed))) == "invalid", position


def test_changing_any_character_is_refused(journey):
    code = code_for(journey, FULL)
    for position, char in enumerate(code):
        other = ALPHABET[(ALPHABET.index(char) + 1) % len(ALPHABET)]
        assert reason(journey, code[:position] + other + code[position + 1 :]) == "invalid", position


def test_the_last_characters_spare_bits_cannot_be_changed(journey):
    # Base64 leaves some bits of the last character unused: a decoder ignores them,
    # so without a check two different links would open the same results.
    code = code_for(journey, FULL)
    last = ALPHABET.index(code[-1])
    for spare in (1, 2, 3):
        assert reason(journey, code[:-1] + ALPHABET[last ^ spare]) == "invalid"


@pytest.mark.parametrize(
    "change",
    [
        lambda c: c[:-1],
        lambda c: c[:-4],
        lambda c: c[: len(c) // 2],
        lambda c: c[1:],
        lambda c: c + "A",
        lambda c: c + "AAAA",
        lambda c: c + "~~~~",
        lambda c: c + "====",
        lambda c: c[:10] + "...." + c[10:],
        lambda c: c[:10] + "%20" + c[10:],
        lambda c: c.upper(),
        lambda c: c[::-1],
        lambda c: c.replace("-", "+").replace("_", "/"),
        lambda c: " " + c,
    ],
    ids=[
        "truncate-1",
        "truncate-4",
        "half",
        "drop-first",
        "extend-1",
        "extend-4",
        "junk",
        "padding",
        "inserted-dots",
        "inserted-escape",
        "upper-case",
        "reversed",
        "standard-alphabet",
        "leading-space",
    ],
)
def test_truncated_or_extended_codes_are_refused(journey, change):
    # Some changes need a code with a given character ("-" or "_"): take the first that has one.
    code = next(c for c in (code_for(journey, FULL) for _ in range(1000)) if change(c) != c)
    assert reason(journey, change(code)) == "invalid"


def test_a_code_made_with_another_secret_is_refused(journey):
    code = make_code(journey, FULL, "another-secret", now=NOW)
    assert reason(journey, code) == "invalid"


@pytest.mark.parametrize(
    "garbage",
    ["", "a", "hello", "A" * 66, "-" * 66, "!" * 66, "é" * 40, "A" * 10_000, "../../etc/passwd" * 3, None, 123],
)
def test_garbage_is_refused(journey, garbage):
    assert reason(journey, garbage) == "invalid"


def test_random_codes_of_the_right_length_are_refused(journey):
    rng = random.Random(7)  # noqa: S311 - a repeatable sample, not a secret
    length = len(code_for(journey, FULL))
    for _ in range(200):
        assert reason(journey, "".join(rng.choice(ALPHABET) for _ in range(length))) == "invalid"


def test_a_sealed_code_of_another_version_is_refused(journey):
    # Only someone with the server's key could make one; it is still not read.
    plain = bytes([share.VERSION + 1]) + (int(NOW // DAY) & 0xFFFF).to_bytes(2, "big")
    plain += share.fingerprint(journey) + share._pack(journey, FULL)
    nonce = bytes(share.NONCE)
    code = encode(nonce + ChaCha20Poly1305(share._key(SECRET)).encrypt(nonce, plain, b"share"))
    assert reason(journey, code) == "invalid"


# --- the questions changed -------------------------------------------------------------


def _journey_with(rulebook, matcher, question_id: str, change) -> Journey:
    questions = tuple(change(q) if q.id == question_id else q for q in rulebook.questions)
    return Journey(rulebook.model_copy(update={"questions": questions}), matcher)


@pytest.mark.parametrize(
    ("question_id", "change"),
    [
        ("faith", lambda q: q.model_copy(update={"options": (*q.options, Option(code="new", label="New"))})),
        ("setting", lambda q: q.model_copy(update={"options": tuple(reversed(q.options))})),
        ("needs", lambda q: q.model_copy(update={"options": q.options[:-1]})),
        ("readiness", lambda q: q.model_copy(update={"id": "readiness_v2"})),
    ],
    ids=["option-added", "options-reordered", "option-removed", "question-renamed"],
)
def test_a_code_made_for_other_questions_is_refused(rulebook, matcher, journey, question_id, change):
    other = _journey_with(rulebook, matcher, question_id, change)
    assert share.fingerprint(other) != share.fingerprint(journey)
    code = make_code(other, FULL, SECRET, now=NOW)
    assert reason(journey, code) == "invalid"
    # And the other way round: today's codes do not open under the changed questions.
    assert reason(other, code_for(journey, FULL)) == "invalid"


def test_wording_changes_do_not_break_links(rulebook, matcher, journey):
    reworded = _journey_with(rulebook, matcher, "faith", lambda q: q.model_copy(update={"summary": "Beliefs"}))
    code = code_for(journey, FULL)
    assert read_code(reworded, code, SECRET, now=NOW).answers == FULL


# --- expiry ----------------------------------------------------------------------------


def test_a_code_works_for_30_days(journey):
    assert LIFETIME_DAYS == 30
    code = code_for(journey, FULL)
    for days in range(LIFETIME_DAYS + 1):
        assert read_code(journey, code, SECRET, now=NOW + days * DAY).answers == FULL, days
    # The very last second of day 30 still counts.
    last_second = (int(NOW // DAY) + LIFETIME_DAYS + 1) * DAY - 1
    assert read_code(journey, code, SECRET, now=last_second).answers == FULL


def test_a_code_expires_on_day_31(journey):
    code = code_for(journey, FULL)
    assert reason(journey, code, now=NOW + 31 * DAY) == "expired"
    assert reason(journey, code, now=(int(NOW // DAY) + LIFETIME_DAYS + 1) * DAY) == "expired"
    assert reason(journey, code, now=NOW + 400 * DAY) == "expired"


def test_a_tampered_expired_code_is_invalid_not_expired(journey):
    code = code_for(journey, FULL)
    changed = code[:5] + ("A" if code[5] != "A" else "B") + code[6:]
    assert reason(journey, changed, now=NOW + 31 * DAY) == "invalid"


def test_i_do_not_know_comes_back_only_for_someone_else(journey):
    theirs = {"who": "someone_else", "country": "GB", "danger": "not_now", "substances": ["dont_know"]}
    assert read_code(journey, code_for(journey, theirs), SECRET, now=NOW).answers == theirs
    # A code sealed with "I do not know" for oneself (no form offers it) opens without it.
    mine = {**theirs, "who": "myself"}
    assert "substances" not in read_code(journey, code_for(journey, mine), SECRET, now=NOW).answers
