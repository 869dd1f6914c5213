"""Staff password hashes: scrypt with a random salt, its parameters in the hash, compared in constant time."""

from __future__ import annotations

import base64
import hashlib

import pytest

from wizard.storage.staff_accounts import passwords

N = 2**4  # small, for speed: the format and logic are the same at 2**15


def test_the_right_password_verifies_and_a_wrong_one_does_not():
    stored = passwords.hash_password("correct horse battery", n=N)
    assert passwords.verify_password("correct horse battery", stored)
    assert not passwords.verify_password("correct horse batterY", stored)
    assert not passwords.verify_password("", stored)


def test_the_hash_names_scrypt_and_its_parameters():
    stored = passwords.hash_password("correct horse battery", n=N)
    scheme, params, salt, key = stored.split("$")
    assert scheme == "scrypt"
    assert params == f"n={N},r=8,p=1"
    assert len(base64.b64decode(salt)) == 16
    # It really is scrypt with those parameters and that salt.
    expected = hashlib.scrypt(b"correct horse battery", salt=base64.b64decode(salt), n=N, r=8, p=1, dklen=32)
    assert base64.b64decode(key) == expected


def test_the_default_cost_meets_owasp_guidance():
    """L11: OWASP's minimum for scrypt is N=2^17, r=8, p=1, for the default and the floor alike."""
    assert passwords.DEFAULT_N == 2**17
    assert passwords.MINIMUM_PRODUCTION_N == 2**17
    stored = passwords.hash_password("correct horse battery")
    assert stored.startswith("scrypt$n=131072,r=8,p=1$")
    assert passwords.verify_password("correct horse battery", stored)


def test_each_hash_has_its_own_salt():
    first = passwords.hash_password("the same password", n=N)
    second = passwords.hash_password("the same password", n=N)
    assert first != second
    assert first.split("$")[2] != second.split("$")[2]
    assert passwords.verify_password("the same password", first)
    assert passwords.verify_password("the same password", second)


def test_unicode_forms_of_the_same_password_match():
    stored = passwords.hash_password("caf\u00e9 au lait 123", n=N)
    assert passwords.verify_password("cafe\u0301 au lait 123", stored)


@pytest.mark.parametrize(
    "stored",
    ["", "plain", "scrypt$n=16,r=8,p=1$!!$!!", "scrypt$n=15,r=8,p=1$AAAA$AAAA", "bcrypt$2b$12$abc", "scrypt$n=16$a$b"],
)
def test_a_malformed_hash_never_matches(stored):
    assert not passwords.verify_password("anything at all", stored)


def test_an_overlong_password_is_refused_without_hashing_it():
    stored = passwords.hash_password("x" * 20, n=N)
    assert not passwords.verify_password("x" * (passwords.MAX_PASSWORD_LENGTH + 1), stored)


def test_a_cheaper_hash_is_flagged_for_rehashing():
    assert passwords.needs_rehash(passwords.hash_password("some password", n=N), n=2**15)
    assert not passwords.needs_rehash(passwords.hash_password("some password", n=N), n=N)


@pytest.mark.parametrize("n", [0, 1, 3, 1000, 2**21])
def test_invalid_costs_are_refused(n):
    with pytest.raises(ValueError, match="power of two"):
        passwords.hash_password("some password", n=n)
