"""The published descriptor vectors of BIP-380 to BIP-390, valid and invalid.

Coffer holds public keys only: a vector with a private key must be refused with
``PrivateKeyError``, and its public rewrite (see the vector files' ``note``) must give the
BIP's scripts.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from primitives.descriptors import (
    BITCOIN_MAINNET_XPUBS,
    ChecksumError,
    ContextError,
    DescriptorError,
    DescriptorSyntaxError,
    HardenedDerivationError,
    KeyExpressionError,
    MultipathError,
    ParseOptions,
    PrivateKeyError,
    UnknownFunctionError,
    parse_descriptor,
)
from primitives.script import AddressParams

VECTORS = Path(__file__).parents[1] / "vectors" / "descriptors"
MAINNET = AddressParams("bc", 0x00, 0x05)
OPTIONS = ParseOptions(BITCOIN_MAINNET_XPUBS, MAINNET)


def _load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((VECTORS / name).read_text("utf-8"))
    assert data["source"].startswith("https://github.com/bitcoin/bips/")
    return data


BIPS = ["bip381", "bip382", "bip383", "bip384", "bip385", "bip386", "bip387", "bip389", "bip390"]
VALID = [(b, v) for b in BIPS for v in _load(f"{b}.json")["valid"]]
INVALID = [(b, v) for b in BIPS for v in _load(f"{b}.json")["invalid"]]
BIP380 = _load("bip380.json")


def _ids(cases: list[tuple[str, dict[str, Any]]]) -> list[str]:
    return [f"{b}-{i}" for i, (b, _) in enumerate(cases)]


@pytest.mark.parametrize(("bip", "vector"), VALID, ids=_ids(VALID))
def test_valid_vector(bip: str, vector: dict[str, Any]) -> None:
    if vector["descriptor"].startswith("combo("):
        # combo() describes up to four outputs at once; Coffer reads one output per descriptor.
        with pytest.raises(UnknownFunctionError, match="combo"):
            parse_descriptor(vector["descriptor"], OPTIONS)
        return
    if vector["private"]:
        with pytest.raises(PrivateKeyError) as info:
            parse_descriptor(vector["descriptor"], OPTIONS)
        assert "L4rK" not in str(info.value)
        assert "prv" not in str(info.value)
    text = vector["public"]
    if text is None:
        return
    descriptor = parse_descriptor(text, OPTIONS)
    assert parse_descriptor(str(descriptor), OPTIONS) == descriptor
    scripts = vector["scripts"]
    if descriptor.is_ranged:
        got = [s.hex() for s in descriptor.script_pubkeys(0, len(scripts))]
        assert got == scripts
        assert [descriptor.derive(i).script_pubkey.hex() for i in range(len(scripts))] == scripts
    elif scripts:
        assert [descriptor.derive().script_pubkey.hex()] == scripts
    if vector.get("expands_public"):
        expected = [parse_descriptor(e, OPTIONS) for e in vector["expands_public"]]
        assert list(descriptor.single_paths()) == expected


# What each invalid vector must raise, by the BIP's own description of it.
_ERRORS: list[tuple[str, type[DescriptorError]]] = [
    ("combo", UnknownFunctionError),
    ("participants", KeyExpressionError),
    ("multipath", MultipathError),
    ("Multiple multipath", MultipathError),
    ("hardened", HardenedDerivationError),
    ("Uncompressed", KeyExpressionError),
    ("only accepts key", ContextError),
    ("only accepts script", DescriptorSyntaxError),
    ("Key in", DescriptorSyntaxError),
    ("nested", ContextError),
    ("top level", ContextError),
    ("Unsupported", ContextError),
    ("not allowed", ContextError),
    ("threshold", DescriptorSyntaxError),
    ("Threshold", DescriptorSyntaxError),
    ("More than 15", ContextError),
    ("Script in", ContextError),
    ("Non-hex", DescriptorSyntaxError),
    ("Invalid address", DescriptorSyntaxError),
    ("musig", KeyExpressionError),
]


def _expected_error(vector: dict[str, Any]) -> type[DescriptorError]:
    for needle, error in _ERRORS:
        if needle in vector["reason"]:
            return error
    return DescriptorError


@pytest.mark.parametrize(("bip", "vector"), INVALID, ids=_ids(INVALID))
def test_invalid_vector(bip: str, vector: dict[str, Any]) -> None:
    expected = PrivateKeyError if vector["private"] else _expected_error(vector)
    with pytest.raises(DescriptorError) as info:
        parse_descriptor(vector["descriptor"], OPTIONS)
    assert isinstance(info.value, expected), (vector["reason"], info.value)


CHECKSUM_OK = {"Valid checksum", "No checksum"}


@pytest.mark.parametrize("case", BIP380["checksum"], ids=lambda c: c["label"])
def test_bip380_checksum(case: dict[str, str]) -> None:
    if case["label"] in CHECKSUM_OK:
        assert str(parse_descriptor(case["descriptor"])) == "raw(deadbeef)#89f8spxm"
        return
    expected = DescriptorSyntaxError if "characters" in case["label"] else ChecksumError
    with pytest.raises(expected):
        parse_descriptor(case["descriptor"])


@pytest.mark.parametrize("case", BIP380["keys_valid"], ids=lambda c: c["label"])
def test_bip380_valid_key_expressions(case: dict[str, Any]) -> None:
    text = f"pk({case['key']})"
    if case["private"]:
        with pytest.raises(PrivateKeyError):
            parse_descriptor(text)
    elif "hardened derivation" in case["label"]:
        # Valid for a private key; from an xpub a hardened step cannot be derived.
        with pytest.raises(HardenedDerivationError):
            parse_descriptor(text)
    else:
        descriptor = parse_descriptor(text)
        assert parse_descriptor(str(descriptor)) == descriptor


@pytest.mark.parametrize("case", BIP380["keys_invalid"], ids=lambda c: c["label"])
def test_bip380_invalid_key_expressions(case: dict[str, Any]) -> None:
    with pytest.raises(KeyExpressionError) as info:
        parse_descriptor(f"pk({case['key']})")
    assert "prv" not in str(info.value)
    assert "L4rK" not in str(info.value)
