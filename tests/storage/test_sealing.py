"""Sealing personal fields: round trip, binding to a record, keys, rotation."""

from __future__ import annotations

import base64

import pytest

from wizard.storage.callbacks import new_reference, normalise_reference
from wizard.storage.crypto import Sealer, SealError, new_key, parse_keys


def test_round_trip_keeps_every_character():
    sealer = Sealer([new_key()])
    data = {"name": "Zoë 🌱 سارة", "message": "line one\nline two"}
    token = sealer.seal(data, bound_to="AB12-CD34")
    # Neither the token nor the bytes inside its base64 carry the text (long strings: short
    # ones turn up in random ciphertext by chance).
    raw = base64.urlsafe_b64decode(token)
    for text in ("Zoë 🌱 سارة", "line one\nline two"):
        assert text.encode() not in token and text.encode() not in raw
    assert sealer.open(token, bound_to="AB12-CD34") == data


def test_a_sealed_value_moved_to_another_record_is_refused():
    sealer = Sealer([new_key()])
    token = sealer.seal({"name": "Sam"}, bound_to="AB12-CD34")
    with pytest.raises(SealError):
        sealer.open(token, bound_to="ZZ99-ZZ99")


def test_another_key_or_a_changed_byte_is_refused():
    token = Sealer([new_key()]).seal({"name": "Sam"}, bound_to="R")
    with pytest.raises(SealError):
        Sealer([new_key()]).open(token, bound_to="R")
    sealer = Sealer([new_key()])
    token = bytearray(sealer.seal({"name": "Sam"}, bound_to="R"))
    token[-5] ^= 1
    with pytest.raises(SealError):
        sealer.open(bytes(token), bound_to="R")


def test_rotation_reads_old_values_and_seals_with_the_newest_key():
    old, new = new_key(), new_key()
    token = Sealer([old]).seal({"n": 1}, bound_to="R")
    rotated = Sealer(parse_keys(f"{new}, {old}"))
    assert rotated.open(token, bound_to="R") == {"n": 1}
    fresh = rotated.seal({"n": 2}, bound_to="R")
    assert Sealer([new]).open(fresh, bound_to="R") == {"n": 2}
    with pytest.raises(SealError):
        Sealer([old]).open(fresh, bound_to="R")


def test_a_bad_key_is_reported_without_echoing_it():
    with pytest.raises(ValueError, match="not a valid Fernet key") as caught:
        Sealer(["not-a-key-secret-value"])
    assert "secret-value" not in str(caught.value)
    with pytest.raises(ValueError, match="at least one"):
        Sealer([])


def test_references_are_easy_to_read_out_and_to_type_back():
    for _ in range(200):
        reference = new_reference()
        assert len(reference) == 9 and reference[4] == "-"
        assert not set(reference) & set("ILOU")
    assert normalise_reference(" ab12 cd34 ") == "AB12-CD34"
    assert normalise_reference("abl2-cdo4") == "AB12-CD04"
