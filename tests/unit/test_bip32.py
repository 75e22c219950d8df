"""BIP-32: the published test vectors 1-5, public derivation, and a differential check."""

from __future__ import annotations

import contextlib
import hmac
import json
import re
from pathlib import Path

import pytest
from bip32 import BIP32
from coincurve import PublicKey
from hypothesis import given, settings
from hypothesis import strategies as st

from chains.registry import UtxoNetwork, all_networks
from keystore.bip32 import (
    HARDENED,
    KNOWN_VERSIONS,
    ExtendedPrivateKey,
    ExtendedPublicKey,
    format_path,
    parse_path,
)
from keystore.errors import InvalidExtendedKey, InvalidPath
from primitives.bip32 import _hmac_sha512_pads

VECTORS = json.loads((Path(__file__).parents[1] / "vectors" / "bip32.json").read_text("utf-8"))
XPUB = 0x0488B21E
XPRV = 0x0488ADE4
ZPUB = 0x04B24746

STEPS = [(vector["seed"], step) for vector in VECTORS["vectors"] for step in vector["chains"]]
STEP_IDS = [
    f"{vector['name'][-1]}:{step['path']}"
    for vector in VECTORS["vectors"]
    for step in vector["chains"]
]


@pytest.mark.parametrize(("seed", "step"), STEPS, ids=STEP_IDS)
def test_vectors_from_the_seed(seed: str, step: dict[str, str]) -> None:
    key = ExtendedPrivateKey.from_seed(bytes.fromhex(seed)).derive_path(parse_path(step["path"]))
    assert key.serialize() == step["ext_prv"]
    assert key.public().serialize(XPUB) == step["ext_pub"]


@pytest.mark.parametrize(("seed", "step"), STEPS, ids=STEP_IDS)
def test_vectors_parse_and_serialise_back(seed: str, step: dict[str, str]) -> None:
    public, version = ExtendedPublicKey.parse(step["ext_pub"])
    assert version == XPUB
    assert public.serialize(XPUB) == step["ext_pub"]
    assert public.depth == len(parse_path(step["path"]))
    private = ExtendedPrivateKey.parse(step["ext_prv"])
    assert private.serialize() == step["ext_prv"]
    assert private.public() == public


PUBLIC_STEPS = [
    (parent["ext_pub"], child)
    for vector in VECTORS["vectors"]
    for parent, child in zip(vector["chains"], vector["chains"][1:], strict=False)
    if parse_path(child["path"])[-1] < HARDENED
]


@pytest.mark.parametrize(
    ("parent", "child"), PUBLIC_STEPS, ids=[c["path"] for _, c in PUBLIC_STEPS]
)
def test_public_parent_to_public_child(parent: str, child: dict[str, str]) -> None:
    key, _ = ExtendedPublicKey.parse(parent)
    index = parse_path(child["path"])[-1]
    derived = key.child(index)
    assert derived.serialize(XPUB) == child["ext_pub"]
    # the batch path (HMAC pads copied per child) agrees with the single-child path
    assert key.child_pubkeys(index, 1) == [derived.public_key]
    assert key.child_pubkeys_uncompressed(index, 1) == [
        PublicKey(derived.public_key).format(compressed=False)
    ]


def test_batch_derivation_matches_one_at_a_time() -> None:
    seed = bytes.fromhex(VECTORS["vectors"][0]["seed"])
    key = ExtendedPrivateKey.from_seed(seed).derive_path(parse_path("m/84h/0h/0h/0")).public()
    batch = key.child_pubkeys(1000, 40)
    assert batch == [key.child(i).public_key for i in range(1000, 1040)]
    assert key.child_pubkeys(0, 0) == []


def test_hardened_child_of_a_public_key_is_refused() -> None:
    key, _ = ExtendedPublicKey.parse(VECTORS["vectors"][0]["chains"][0]["ext_pub"])
    with pytest.raises(InvalidPath):
        key.child(HARDENED)
    with pytest.raises(InvalidPath):
        key.child_pubkeys(HARDENED - 1, 2)
    with pytest.raises(InvalidPath):
        key.child_pubkeys(-1, 1)


# What each vector-5 reason must produce from the parser its prefix asks for (xpub... goes to
# ExtendedPublicKey.parse, xprv... to ExtendedPrivateKey.parse, anything else to both).
REASON_MESSAGES = {
    "pubkey version / prvkey mismatch": "version says public, but it holds a private key",
    "prvkey version / pubkey mismatch": "version says private, but it holds a public key",
    "invalid pubkey prefix 04": "does not hold a compressed public key",
    "invalid prvkey prefix 04": "bad key prefix",
    "invalid pubkey prefix 01": "does not hold a compressed public key",
    "invalid prvkey prefix 01": "bad key prefix",
    "zero depth with non-zero parent fingerprint": "master key but names a parent",
    "zero depth with non-zero index": "master key but names a parent",
    "unknown extended key version": "unknown version prefix",
    "private key 0 not in 1..n-1": "outside the valid range",
    "private key n not in 1..n-1": "outside the valid range",
    "invalid pubkey 020000000000000000000000000000000000000000000000000000000000000007": (
        "not on the curve"
    ),
    "invalid checksum": "checksum does not match",
}
INVALID = VECTORS["invalid"]


def test_every_vector_5_reason_has_an_expected_message() -> None:
    assert {v["reason"] for v in INVALID} == set(REASON_MESSAGES)
    assert len(INVALID) == 16


@pytest.mark.parametrize("vector", INVALID, ids=[v["reason"] for v in INVALID])
def test_vector_5_invalid_keys_are_refused_by_both_parsers(vector: dict[str, str]) -> None:
    text, expected = vector["key"], REASON_MESSAGES[vector["reason"]]
    errors = []
    for parser in (ExtendedPublicKey.parse, ExtendedPrivateKey.parse):
        with pytest.raises(InvalidExtendedKey) as info:
            parser(text)
        errors.append(str(info.value))
    natural = {"xpub": [errors[0]], "xprv": [errors[1]]}.get(text[:4], errors)
    for message in natural:
        assert expected in message
    for message in errors:
        # the key is never echoed (it may be a private key), not even in part
        assert text not in message
        assert not any(text[i : i + 8] in message for i in range(len(text) - 7))


def test_vector_5_keys_are_refused_with_explicit_versions_too() -> None:
    for vector in INVALID:
        with pytest.raises(InvalidExtendedKey):
            ExtendedPublicKey.parse(vector["key"], [XPUB])
        with pytest.raises(InvalidExtendedKey):
            ExtendedPrivateKey.parse(vector["key"], [XPRV])


def test_a_version_outside_the_accepted_list_is_refused() -> None:
    xpub = VECTORS["vectors"][0]["chains"][0]["ext_pub"]
    with pytest.raises(InvalidExtendedKey, match="another network or account type"):
        ExtendedPublicKey.parse(xpub, [ZPUB])
    key, _ = ExtendedPublicKey.parse(xpub)
    assert ExtendedPublicKey.parse(key.serialize(ZPUB), [ZPUB]) == (key, ZPUB)


def test_registry_versions_are_known_to_the_keystore() -> None:
    for network in all_networks():
        if not isinstance(network, UtxoNetwork):
            continue
        pairs = [network.standard_xkey, *(v for vs in network.xkeys.values() for v in vs)]
        for pair in pairs:
            assert KNOWN_VERSIONS.get(pair.public) == pair.private, (network.name, pair)


def test_path_text() -> None:
    assert parse_path("m/0H/1/2h/2'/1000000000") == (HARDENED, 1, HARDENED + 2, HARDENED + 2, 10**9)
    assert format_path(parse_path("m/84'/0'/0'/0/5")) == "m/84'/0'/0'/0/5"
    assert parse_path("m") == ()
    for bad in ("m/x", "m/2147483648", "m/1/-2", "m//1"):
        with pytest.raises(InvalidPath):
            parse_path(bad)


def test_seed_length_is_checked() -> None:
    with pytest.raises(InvalidExtendedKey):
        ExtendedPrivateKey.from_seed(bytes(15))
    with pytest.raises(InvalidExtendedKey):
        ExtendedPrivateKey.from_seed(bytes(65))


_index = st.integers(0, HARDENED - 1)


@settings(max_examples=60, deadline=None)
@given(
    seed=st.binary(min_size=16, max_size=64),
    hardened=st.lists(_index, min_size=0, max_size=3),
    soft=st.lists(_index, min_size=1, max_size=2),
)
def test_differential_against_the_bip32_package(
    seed: bytes, hardened: list[int], soft: list[int]
) -> None:
    path = [i + HARDENED for i in hardened] + soft
    ours = ExtendedPrivateKey.from_seed(seed).derive_path(path)
    peer = BIP32.from_seed(seed)
    assert ours.serialize() == peer.get_xpriv_from_path(path)
    assert ours.public().serialize(XPUB) == peer.get_xpub_from_path(path)
    # public derivation of the soft steps from the hardened parent's xpub
    parent = ExtendedPrivateKey.from_seed(seed).derive_path(path[: len(hardened)]).public()
    assert parent.derive_path(soft) == ours.public()


@settings(max_examples=200, deadline=None)
@given(
    st.text(max_size=120) | st.from_regex(re.compile(r"[xt]p(ub|rv)[1-9A-HJ-NP-Za-km-z]{0,110}"))
)
def test_parsers_only_raise_invalid_extended_key(text: str) -> None:
    for parser in (ExtendedPublicKey.parse, ExtendedPrivateKey.parse):
        with contextlib.suppress(InvalidExtendedKey):
            parser(text)


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_one_changed_character_is_refused(data: st.DataObject) -> None:
    step = data.draw(st.sampled_from(STEPS))[1]
    text = step[data.draw(st.sampled_from(["ext_pub", "ext_prv"]))]
    position = data.draw(st.integers(0, len(text) - 1))
    alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
    replacement = data.draw(st.sampled_from(alphabet).filter(lambda c: c != text[position]))
    mutated = text[:position] + replacement + text[position + 1 :]
    for parser in (ExtendedPublicKey.parse, ExtendedPrivateKey.parse):
        with pytest.raises(InvalidExtendedKey):
            parser(mutated)


@settings(max_examples=100, deadline=None)
@given(key=st.binary(max_size=200), message=st.binary(max_size=80))
def test_hmac_pads_match_the_hmac_module(key: bytes, message: bytes) -> None:
    inner, outer = _hmac_sha512_pads(key)
    h = inner()
    h.update(message)
    o = outer()
    o.update(h.digest())
    assert o.digest() == hmac.digest(key, message, "sha512")
