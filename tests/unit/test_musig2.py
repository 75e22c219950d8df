"""BIP-327 MuSig2 and BIP-328 synthetic xpubs, held to the official vectors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from keystore.bip32 import ExtendedPublicKey
from primitives.musig2 import (
    MUSIG_CHAIN_CODE,
    InvalidContribution,
    MusigError,
    key_agg,
    key_agg_context,
    key_sort,
    synthetic_xpub,
    synthetic_xpub_string,
)

VECTORS = Path(__file__).parents[1] / "vectors" / "musig2"


def _load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((VECTORS / name).read_text())
    return data


def _hexes(items: list[str]) -> list[bytes]:
    return [bytes.fromhex(h) for h in items]


def _check_error(err: Exception, expected: dict[str, Any]) -> None:
    """Assert that ``err`` is the error a vector names (BIP-327 ``get_error_details``)."""
    if expected["type"] == "invalid_contribution":
        assert isinstance(err, InvalidContribution)
        assert err.signer == expected["signer"]
        if "contrib" in expected:
            assert err.contrib == expected["contrib"]
    else:
        assert expected["type"] == "value"
        assert isinstance(err, MusigError)
        assert not isinstance(err, InvalidContribution)
        assert str(err) == expected["message"]


KEY_SORT = _load("key_sort_vectors.json")
KEY_AGG = _load("key_agg_vectors.json")
BIP328 = _load("bip328_vectors.json")


def test_key_sort() -> None:
    assert key_sort(_hexes(KEY_SORT["pubkeys"])) == _hexes(KEY_SORT["sorted_pubkeys"])


@pytest.mark.parametrize(
    "case", KEY_AGG["valid_test_cases"], ids=lambda c: ",".join(map(str, c["key_indices"]))
)
def test_key_agg_valid(case: dict[str, Any]) -> None:
    keys = _hexes(KEY_AGG["pubkeys"])
    pubkeys = [keys[i] for i in case["key_indices"]]
    aggregate = key_agg(pubkeys)
    assert len(aggregate) == 33
    assert aggregate[1:] == bytes.fromhex(case["expected"])
    assert key_agg_context(pubkeys).xonly == bytes.fromhex(case["expected"])


@pytest.mark.parametrize("case", KEY_AGG["error_test_cases"], ids=lambda c: c["comment"])
def test_key_agg_errors(case: dict[str, Any]) -> None:
    keys = _hexes(KEY_AGG["pubkeys"])
    tweaks = _hexes(KEY_AGG["tweaks"])
    with pytest.raises(MusigError) as info:
        key_agg_context(
            [keys[i] for i in case["key_indices"]],
            [tweaks[i] for i in case["tweak_indices"]],
            case["is_xonly"],
        )
    _check_error(info.value, case["error"])


def test_key_agg_refuses_empty_list() -> None:
    with pytest.raises(MusigError):
        key_agg([])


@pytest.mark.parametrize("case", BIP328["test_cases"], ids=lambda c: c["aggregate_pubkey"][:8])
def test_bip328_synthetic_xpub(case: dict[str, Any]) -> None:
    aggregate = key_agg(_hexes(case["keys"]))
    assert aggregate.hex() == case["aggregate_pubkey"]
    assert synthetic_xpub(aggregate) == (MUSIG_CHAIN_CODE, aggregate)
    assert synthetic_xpub_string(aggregate) == case["xpub"]
    parsed, _version = ExtendedPublicKey.parse(case["xpub"])
    assert (parsed.chain_code, parsed.public_key) == synthetic_xpub(aggregate)


def test_bip328_chain_code_is_sha256_of_its_text() -> None:
    from primitives.hashes import sha256

    assert sha256(b"MuSig2MuSig2MuSig2") == MUSIG_CHAIN_CODE


def test_synthetic_xpub_refuses_non_points() -> None:
    with pytest.raises(MusigError):
        synthetic_xpub(bytes(33))
