"""Decoding Script back to miniscript: Core's vectors round-trip, and Core's refusals."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from primitives.hashes import hash160
from primitives.miniscript import Context, MiniscriptDecodeError, decode, parse
from primitives.secp256k1 import pubkey_from_secret
from tests.unit.test_miniscript_properties import P2WSH_TEXT, TAPSCRIPT_TEXT, key_bytes
from tests.unit.test_miniscript_properties import _parse_or_discard as parse_or_discard
from tests.unit.test_miniscript_vectors import CASES, key_bytes_for, parse_valid

COMPRESSED = [pubkey_from_secret(i.to_bytes(32, "big")) for i in range(1, 256)]
BY_HASH = {hash160(k): k for k in COMPRESSED} | {hash160(k[1:]): k[1:] for k in COMPRESSED}
VALID = [(v, ctx) for v, ctx in CASES if parse_valid(v["ms"], ctx) is not None]


def from_hash(digest: bytes) -> bytes:
    if digest not in BY_HASH:
        raise ValueError("no key has this hash")
    return BY_HASH[digest]


@pytest.mark.parametrize(
    ("vector", "ctx"), VALID, ids=[f"{c.value}:{v['ms'][:60]}" for v, c in VALID]
)
def test_core_vectors_decode_to_the_same_script(vector: dict[str, object], ctx: Context) -> None:
    ms = parse_valid(str(vector["ms"]), ctx)
    assert ms is not None
    script = ms.script(key_bytes_for(ctx))
    decoded = decode(script, ctx, bytes, from_hash)
    assert decoded.script(bytes) == script
    assert decoded.type == ms.type


@pytest.mark.parametrize(
    ("hex_script", "ctx"),
    [
        ("ac519c", Context.TAPSCRIPT),  # multi_a without any key
        (  # no key before a CHECKSIGADD
            "ba20c6047f9441ed7d6d3045406e95c07cd85c778e4b8cef3ca7abac09b95c709ee5ba519c",
            Context.TAPSCRIPT,
        ),
        (  # no key before the CHECKSIG
            "ac2079be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798ac20c6047f9441ed7d"
            "6d3045406e95c07cd85c778e4b8cef3ca7abac09b95c709ee5ba519c",
            Context.TAPSCRIPT,
        ),
        (  # <key> CHECKSIG VERIFY 1: the VERIFY should have been CHECKSIGVERIFY
            "2103a0434d9e47f3c86235477c7b1ae6ae5d3442d49b1943c2b752a68e2a47e247c7ac6951",
            Context.P2WSH,
        ),
        ("4c0151", Context.P2WSH),  # OP_PUSHDATA1 of one byte: not minimal
        ("6951", Context.P2WSH),  # VERIFY of nothing
        ("", Context.P2WSH),
    ],
)
def test_core_refusals(hex_script: str, ctx: Context) -> None:
    with pytest.raises(MiniscriptDecodeError):
        decode(bytes.fromhex(hex_script), ctx, bytes, from_hash)


def test_core_non_minimal_push_script() -> None:
    script = bytes.fromhex(
        "0000210232780000feff00ffffffffffff21ff005f00ae21ae00000000060602060406564c2102320000"
        "060900fe00005f00ae21ae00100000060606060606000000000000000000000000000000000000000000"
        "000000000000000000000000000000"
    )
    for ctx in Context:
        with pytest.raises(MiniscriptDecodeError):
            decode(script, ctx, bytes, from_hash)


def test_inheritance_wallet_decodes_to_its_text() -> None:
    owner, heir = COMPRESSED[0], COMPRESSED[1]
    text = f"or_d(pk({owner.hex()}),and_v(v:pkh({heir.hex()}),older(52560)))"
    ms = parse(text, Context.P2WSH, bytes.fromhex)
    decoded = decode(ms.script(bytes), Context.P2WSH, bytes, from_hash)
    assert decoded == ms
    assert decoded.text(bytes.hex) == text


def _names(raw: bytes) -> str:
    return raw.rstrip(b"\x02").decode()


@given(P2WSH_TEXT)
def test_random_p2wsh_scripts_round_trip(text: str) -> None:
    _round_trip(text, Context.P2WSH)


@given(TAPSCRIPT_TEXT)
def test_random_tapscripts_round_trip(text: str) -> None:
    _round_trip(text, Context.TAPSCRIPT)


def _round_trip(text: str, ctx: Context) -> None:
    ms = parse_or_discard(text, ctx)
    if ms.type.basic != "B":
        return
    to_bytes = key_bytes(ctx)
    script = ms.script(to_bytes)
    keys = ms.keys()
    by_hash = {hash160(to_bytes(k)): to_bytes(k) for k in keys}
    decoded = decode(script, ctx, bytes, by_hash.__getitem__)
    assert decoded.script(bytes) == script


@given(st.binary(max_size=80))
def test_random_bytes_only_raise_decode_errors(script: bytes) -> None:
    for ctx in Context:
        with contextlib.suppress(MiniscriptDecodeError):
            decode(script, ctx, bytes, from_hash)
