"""Bech32 and Bech32m: the BIP-173 and BIP-350 test vectors, and segwit addresses."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chains.addresses import parse_address
from chains.errors import InvalidAddressChecksum, MalformedAddress
from chains.registry import UtxoNetwork, all_networks, get_network
from primitives.bech32 import (
    Bech32ChecksumError,
    Bech32Error,
    Encoding,
    bech32_decode,
    bech32_encode,
    convertbits,
    decode_segwit,
    encode_segwit,
)

VECTORS = Path(__file__).parents[1] / "vectors"
BIP173 = json.loads((VECTORS / "bip173.json").read_text("utf-8"))
BIP350 = json.loads((VECTORS / "bip350.json").read_text("utf-8"))
NETWORK_OF_HRP = {"bc": "bitcoin", "tb": "bitcoin-testnet"}

VALID_STRINGS = [(s, Encoding.BECH32) for s in BIP173["valid_bech32"]] + [
    (s, Encoding.BECH32M) for s in BIP350["valid_bech32m"]
]
INVALID_STRINGS = BIP173["invalid_bech32"] + BIP350["invalid_bech32m"]
VALID_SEGWIT = BIP173["valid_segwit"] + BIP350["valid_segwit"]
INVALID_SEGWIT = BIP173["invalid_segwit"] + BIP350["invalid_segwit"]


def _script(version: int, program: bytes) -> bytes:
    return bytes([0x50 + version if version else 0, len(program)]) + program


@pytest.mark.parametrize(("text", "encoding"), VALID_STRINGS, ids=[s for s, _ in VALID_STRINGS])
def test_valid_strings(text: str, encoding: Encoding) -> None:
    hrp, data, found = bech32_decode(text)
    assert found is encoding
    assert bech32_encode(hrp, data, encoding) == text.lower()


@pytest.mark.parametrize(
    "vector", INVALID_STRINGS, ids=[repr(v["string"]) for v in INVALID_STRINGS]
)
def test_invalid_strings(vector: dict[str, str]) -> None:
    with pytest.raises(Bech32Error) as info:
        bech32_decode(vector["string"])
    # Only a wrong checksum is reported as one; every other reason is a malformed string.
    is_checksum = vector["reason"] == "checksum calculated with uppercase form of HRP"
    assert isinstance(info.value, Bech32ChecksumError) is is_checksum


def test_a_string_is_never_valid_in_both_encodings() -> None:
    # BIP-350: "No string can be simultaneously valid Bech32 and Bech32m".
    for text, encoding in VALID_STRINGS:
        hrp, data, _ = bech32_decode(text)
        other = Encoding.BECH32M if encoding is Encoding.BECH32 else Encoding.BECH32
        assert bech32_decode(bech32_encode(hrp, data, other))[2] is other
        assert bech32_encode(hrp, data, other) != text.lower()


@pytest.mark.parametrize("vector", VALID_SEGWIT, ids=[v["address"] for v in VALID_SEGWIT])
def test_valid_segwit_addresses(vector: dict[str, str]) -> None:
    address, script = vector["address"], bytes.fromhex(vector["script_pubkey"])
    hrp, version, program = decode_segwit(address)
    assert _script(version, program) == script
    assert encode_segwit(hrp, version, program) == address.lower()
    network = get_network(NETWORK_OF_HRP[hrp])
    assert isinstance(network, UtxoNetwork)
    parsed = parse_address(network, address)
    assert parsed.script_pubkey == script
    assert parsed.address == address.lower()


V1_BECH32 = BIP173["valid_segwit_v1_plus"]


@pytest.mark.parametrize("vector", V1_BECH32, ids=[v["address"] for v in V1_BECH32])
def test_bip173_v1_plus_addresses_need_bech32m_since_bip350(vector: dict[str, str]) -> None:
    address = vector["address"]
    assert bech32_decode(address)[2] is Encoding.BECH32  # a valid Bech32 string ...
    with pytest.raises(Bech32Error, match="must use bech32m"):
        decode_segwit(address)  # ... but no longer a valid address
    network = get_network(NETWORK_OF_HRP[address[:2].lower()])
    assert isinstance(network, UtxoNetwork)
    with pytest.raises(MalformedAddress, match="must use bech32m"):
        parse_address(network, address)


@pytest.mark.parametrize("vector", INVALID_SEGWIT, ids=[v["address"] for v in INVALID_SEGWIT])
def test_invalid_segwit_addresses(vector: dict[str, str]) -> None:
    address, reason = vector["address"], vector["reason"]
    try:
        hrp, _, _ = decode_segwit(address)
    except Bech32Error:
        pass
    else:  # decode_segwit takes any hrp; the address is invalid for Bitcoin's
        assert reason == "Invalid human-readable part"
        assert hrp not in NETWORK_OF_HRP
    names = [NETWORK_OF_HRP[address[:2].lower()]] if address[:2].lower() in NETWORK_OF_HRP else []
    expected = InvalidAddressChecksum if reason == "Invalid checksum" else MalformedAddress
    for name in names or ["bitcoin", "bitcoin-testnet"]:
        network = get_network(name)
        assert isinstance(network, UtxoNetwork)
        with pytest.raises((MalformedAddress, InvalidAddressChecksum)) as info:
            parse_address(network, address)
        assert type(info.value) is expected, (name, info.value)


def test_other_bitcoin_networks_refuse_the_invalid_addresses_as_malformed() -> None:
    # An invalid bc1/tb1 string is not a typo of another network's address.
    for vector in INVALID_SEGWIT:
        address = vector["address"]
        for name in ("bitcoin", "bitcoin-testnet", "bitcoin-regtest", "litecoin"):
            network = get_network(name)
            assert isinstance(network, UtxoNetwork)
            if NETWORK_OF_HRP.get(address[:2].lower()) == name:
                continue
            with pytest.raises(MalformedAddress):
                parse_address(network, address)


_REGISTRY_HRPS = {n.hrp for n in all_networks() if isinstance(n, UtxoNetwork) and n.hrp}
HRPS = [*sorted(_REGISTRY_HRPS), "a", "an83characterlonghumanreadablepart"]


@settings(max_examples=300, deadline=None)
@given(
    hrp=st.sampled_from(HRPS),
    version=st.integers(0, 16),
    program=st.binary(min_size=0, max_size=48),
)
def test_encode_segwit_matches_the_generic_encoder(hrp: str, version: int, program: bytes) -> None:
    encoding = Encoding.BECH32 if version == 0 else Encoding.BECH32M
    expected = bech32_encode(hrp, [version, *convertbits(program, 8, 5)], encoding)
    assert encode_segwit(hrp, version, program) == expected
    valid = 2 <= len(program) <= 40 and (version != 0 or len(program) in (20, 32))
    if valid and len(expected) <= 90:
        assert decode_segwit(expected) == (hrp, version, program)
    else:
        with pytest.raises(Bech32Error):
            decode_segwit(expected)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=64))
def test_convertbits_round_trip(data: bytes) -> None:
    assert bytes(convertbits(convertbits(data, 8, 5), 5, 8, pad=False)) == data


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=100))
def test_decoders_only_raise_bech32_errors(text: str) -> None:
    for decoder in (bech32_decode, decode_segwit):
        with contextlib.suppress(Bech32Error):
            decoder(text)
