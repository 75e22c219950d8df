"""RLP (Yellow Paper appendix B): the ethereum/tests vectors, strictness, round trips."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import rlp as pyrlp
from hypothesis import given
from hypothesis import strategies as st

from primitives.rlp import RlpError, decode, decode_int, encode, encode_int, encode_list

VECTORS = json.loads((Path(__file__).parents[1] / "vectors" / "rlp.json").read_text())


def _value(spec: dict[str, Any]) -> Any:
    if "list" in spec:
        return [_value(x) for x in spec["list"]]
    if "int" in spec:
        return int(spec["int"])
    return bytes.fromhex(spec["bytes"])


def _as_decoded(value: Any) -> Any:
    """What decoding gives back: integers come back as their minimal big-endian bytes."""
    if isinstance(value, list):
        return [_as_decoded(x) for x in value]
    if isinstance(value, int):
        return value.to_bytes((value.bit_length() + 7) // 8, "big")
    return value


def test_vectors_name_their_source() -> None:
    assert "github.com/ethereum/tests" in VECTORS["source"]


@pytest.mark.parametrize("vector", VECTORS["valid"], ids=[v["name"] for v in VECTORS["valid"]])
def test_valid_vectors(vector: dict[str, Any]) -> None:
    value = _value(vector["in"])
    out = bytes.fromhex(vector["out"])
    assert encode(value) == out
    assert decode(out) == _as_decoded(value)


@pytest.mark.parametrize("vector", VECTORS["invalid"], ids=[v["name"] for v in VECTORS["invalid"]])
def test_invalid_vectors_are_refused(vector: dict[str, str]) -> None:
    with pytest.raises(RlpError):
        decode(bytes.fromhex(vector["rlp"]))


@pytest.mark.parametrize(
    ("data", "why"),
    [
        (b"", "ends before"),
        (b"\x83ab", "ends inside an item"),
        (b"\xc2\x01", "ends inside an item"),
        (b"\x01\x02", "follow"),
        (b"\xc1\x82ab", "past the end of its list"),
    ],
)
def test_truncated_and_trailing_data(data: bytes, why: str) -> None:
    with pytest.raises(RlpError, match=why):
        decode(data)


def test_integers() -> None:
    assert encode_int(0) == b"\x80"
    assert encode_int(127) == b"\x7f"
    assert encode_int(128) == b"\x81\x80"
    assert encode_int(2**256 - 1) == b"\xa0" + b"\xff" * 32
    assert decode_int(b"") == 0
    assert decode_int(b"\x01\x00") == 256
    with pytest.raises(RlpError, match="leading zero"):
        decode_int(b"\x00\x01")
    for bad in (-1, True):
        with pytest.raises(RlpError):
            encode_int(bad)
    with pytest.raises(RlpError):
        encode(False)
    with pytest.raises(RlpError, match="cannot encode"):
        encode("text")  # type: ignore[arg-type]


def test_encode_list_of_encoded_items() -> None:
    items = [encode(b"dog"), encode(7), encode([b"x"])]
    assert encode_list(items) == encode([b"dog", 7, [b"x"]])


def test_deep_nesting_is_refused_not_a_crash() -> None:
    data = b"\xc0"
    for _ in range(100):
        data = encode_list([data])
    with pytest.raises(RlpError, match="nest"):
        decode(data)


_items = st.recursive(
    st.binary(max_size=80) | st.integers(min_value=0, max_value=2**300),
    lambda children: st.lists(children, max_size=6),
    max_leaves=30,
)


@given(_items)
def test_round_trip_and_agreement_with_pyrlp(value: Any) -> None:
    out = encode(value)
    assert out == pyrlp.encode(value)
    assert decode(out) == _as_decoded(value)


@given(st.binary(max_size=200))
def test_garbage_only_raises_rlp_errors(data: bytes) -> None:
    try:
        item = decode(data)
    except RlpError:
        return
    assert encode(item) == data  # whatever decodes is canonical: it encodes back the same
