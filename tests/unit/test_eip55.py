"""EIP-55 mixed-case checksum addresses: the EIP's test cases and their one-letter mutations."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from coincurve import PrivateKey
from eth_keys import keys
from eth_utils import to_checksum_address as peer_checksum
from hypothesis import given, settings
from hypothesis import strategies as st

from chains.addresses import parse_evm_address
from chains.errors import InvalidAddressChecksum, MalformedAddress
from chains.registry import get_network
from primitives.evm_address import evm_address_from_pubkey, to_checksum_address

VECTORS = json.loads((Path(__file__).parents[1] / "vectors" / "eip55.json").read_text("utf-8"))
EXAMPLES = VECTORS["all_caps"] + VECTORS["all_lower"] + VECTORS["normal"]
CURVE_ORDER = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141


def _flip(address: str, index: int) -> str:
    return address[:index] + address[index].swapcase() + address[index + 1 :]


@pytest.mark.parametrize("address", EXAMPLES)
def test_examples_are_their_own_checksum(address: str) -> None:
    assert to_checksum_address(address.lower()) == address
    assert to_checksum_address(bytes.fromhex(address[2:])) == address
    assert parse_evm_address(address) == address
    assert parse_evm_address(address, get_network("ethereum")) == address


@pytest.mark.parametrize("address", EXAMPLES)
def test_unchecksummed_forms_are_accepted(address: str) -> None:
    # EIP-55 is backwards compatible: all-lowercase (and all-uppercase) hex carries no checksum.
    assert parse_evm_address(address.lower()) == address
    assert parse_evm_address("0x" + address[2:].upper()) == address
    assert parse_evm_address("  " + address.lower() + "\n") == address


@pytest.mark.parametrize(
    "vector", VECTORS["mutated"], ids=[v["address"] for v in VECTORS["mutated"]]
)
def test_mutated_case_is_a_checksum_error(vector: dict[str, object]) -> None:
    address, original, index = (
        str(vector["address"]),
        str(vector["from"]),
        int(str(vector["flipped_index"])),
    )
    assert _flip(address, index) == original  # the vector is what it says it is
    with pytest.raises(InvalidAddressChecksum) as info:
        parse_evm_address(address)
    assert info.value.address == address


@pytest.mark.parametrize("address", EXAMPLES)
def test_every_single_case_flip_is_refused(address: str) -> None:
    letters = [i for i, c in enumerate(address) if i >= 2 and c.isalpha()]
    assert letters
    for index in letters:
        mutated = _flip(address, index)
        body = mutated[2:]
        if body in (body.lower(), body.upper()):  # a flip that leaves no mixed case
            assert parse_evm_address(mutated) == address
            continue
        with pytest.raises(InvalidAddressChecksum):
            parse_evm_address(mutated)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "0x",
        "5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAe",
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAedd",
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeg",
        "0x 5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAe",
    ],
)
def test_malformed_addresses(text: str) -> None:
    with pytest.raises(MalformedAddress):
        parse_evm_address(text)


def test_to_checksum_address_needs_twenty_bytes() -> None:
    with pytest.raises(ValueError, match="20 bytes"):
        to_checksum_address(bytes(19))
    with pytest.raises(ValueError, match="20 bytes"):
        to_checksum_address("0x" + "00" * 21)


@settings(max_examples=500, deadline=None)
@given(st.binary(min_size=20, max_size=20))
def test_differential_against_eth_utils(raw: bytes) -> None:
    ours = to_checksum_address(raw)
    assert ours == peer_checksum(raw)
    assert parse_evm_address(ours.lower()) == ours


@settings(max_examples=100, deadline=None)
@given(st.integers(1, CURVE_ORDER - 1))
def test_address_of_a_public_key_matches_eth_keys(secret: int) -> None:
    private = secret.to_bytes(32, "big")
    public = PrivateKey(private).public_key
    expected = keys.PrivateKey(private).public_key.to_checksum_address()
    assert evm_address_from_pubkey(public.format(compressed=False)) == expected
    assert evm_address_from_pubkey(public.format(compressed=True)) == expected
