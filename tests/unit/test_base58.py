"""Base58 and Base58Check against Bitcoin Core's test data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from primitives.base58 import (
    Base58ChecksumError,
    Base58Error,
    b58check_decode,
    b58check_encode,
    b58decode,
    b58encode,
)

VECTORS = json.loads((Path(__file__).parents[1] / "vectors" / "base58.json").read_text("utf-8"))
PAIRS = VECTORS["encode_decode"]


@pytest.mark.parametrize(("hex_data", "text"), PAIRS, ids=[t[:16] or "empty" for _, t in PAIRS])
def test_core_encode_decode(hex_data: str, text: str) -> None:
    assert b58encode(bytes.fromhex(hex_data)) == text
    assert b58decode(text) == bytes.fromhex(hex_data)


@pytest.mark.parametrize("text", VECTORS["valid_base58"])
def test_core_valid_base58(text: str) -> None:
    assert b58encode(b58decode(text)) == text


@pytest.mark.parametrize("text", VECTORS["invalid_base58"], ids=repr)
def test_core_invalid_base58(text: str) -> None:
    with pytest.raises(Base58Error):
        b58decode(text)


@pytest.mark.parametrize("text", VECTORS["valid_base58check"])
def test_core_valid_base58check(text: str) -> None:
    payload = b58check_decode(text)
    assert b58check_encode(payload) == text


def test_core_invalid_base58check() -> None:
    bad_checksum, *bad_characters = VECTORS["invalid_base58check"]
    with pytest.raises(Base58ChecksumError):
        b58check_decode(bad_checksum)
    for text in bad_characters:
        with pytest.raises(Base58Error) as info:
            b58check_decode(text)
        assert not isinstance(info.value, Base58ChecksumError)


def test_too_short_for_a_checksum() -> None:
    with pytest.raises(Base58Error, match="too short"):
        b58check_decode(b58encode(b"\x01\x02\x03"))


@settings(max_examples=300, deadline=None)
@given(st.integers(0, 8), st.binary(max_size=80))
def test_round_trip_keeps_leading_zeros(zeros: int, data: bytes) -> None:
    raw = b"\x00" * zeros + data
    assert b58decode(b58encode(raw)) == raw
    assert b58check_decode(b58check_encode(raw)) == raw


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=60))
def test_decoders_only_raise_base58_errors(text: str) -> None:
    for decoder in (b58decode, b58check_decode):
        try:
            decoder(text)
        except Base58Error:
            continue
