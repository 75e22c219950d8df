"""EIP-712: the EIP's own Mail example, nested structs and arrays against eth-account
(byte-identical digests and signatures), and malformed documents refused clearly."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from eth_account import Account
from eth_account.messages import encode_typed_data
from hypothesis import given, settings
from hypothesis import strategies as st

from keystore.errors import SigningRefused
from keystore.signers.base import SigningContext
from keystore.signers.message_signer import sign_message_with_key
from keystore.types import EvmParams, MessageFormat, MessageRequest
from primitives.eip712 import Eip712Error, encode_type, parse_typed_data, typed_data_digest
from primitives.hashes import keccak256
from primitives.signmessage import recover_evm_digest

ETH = EvmParams("ethereum", "Ethereum", "ETH", 1)
COW = keccak256(b"cow")
COW_ADDRESS = "0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826"

MAIL: dict[str, Any] = {
    "types": {
        "EIP712Domain": [
            {"name": "name", "type": "string"},
            {"name": "version", "type": "string"},
            {"name": "chainId", "type": "uint256"},
            {"name": "verifyingContract", "type": "address"},
        ],
        "Person": [{"name": "name", "type": "string"}, {"name": "wallet", "type": "address"}],
        "Mail": [
            {"name": "from", "type": "Person"},
            {"name": "to", "type": "Person"},
            {"name": "contents", "type": "string"},
        ],
    },
    "primaryType": "Mail",
    "domain": {
        "name": "Ether Mail",
        "version": "1",
        "chainId": 1,
        "verifyingContract": "0xCcCCccccCCCCcCCCCCCcCcCccCcCCCcCcccccccC",
    },
    "message": {
        "from": {"name": "Cow", "wallet": "0xCD2a3d9F938E13CD947Ec05AbC7FE734Df8DD826"},
        "to": {"name": "Bob", "wallet": "0xbBbBBBBbbBBBbbbBbbBbbbbBBbBbbbbBbBbbBBbB"},
        "contents": "Hello, Bob!",
    },
}

# Nested structs, arrays of structs, fixed and nested arrays, every atomic kind.
NESTED: dict[str, Any] = {
    "types": {
        "EIP712Domain": [
            {"name": "name", "type": "string"},
            {"name": "chainId", "type": "uint256"},
            {"name": "verifyingContract", "type": "address"},
            {"name": "salt", "type": "bytes32"},
        ],
        "Person": [
            {"name": "name", "type": "string"},
            {"name": "wallets", "type": "address[]"},
        ],
        "Group": [
            {"name": "name", "type": "string"},
            {"name": "members", "type": "Person[]"},
        ],
        "Order": [
            {"name": "groups", "type": "Group[2]"},
            {"name": "matrix", "type": "int8[][]"},
            {"name": "flag", "type": "bool"},
            {"name": "blob", "type": "bytes"},
            {"name": "tag", "type": "bytes4"},
            {"name": "amount", "type": "uint128"},
            {"name": "delta", "type": "int256"},
            {"name": "owner", "type": "Person"},
        ],
    },
    "primaryType": "Order",
    "domain": {
        "name": "Nested",
        "chainId": 1,
        "verifyingContract": "0x1111111111111111111111111111111111111111",
        "salt": "0x" + "ab" * 32,
    },
    "message": {
        "groups": [
            {
                "name": "a",
                "members": [
                    {"name": "x", "wallets": ["0x2222222222222222222222222222222222222222"]},
                    {"name": "y", "wallets": []},
                ],
            },
            {"name": "b", "members": []},
        ],
        "matrix": [[1, -2], [], [127, -128, 0]],
        "flag": True,
        "blob": "0xdeadbeef",
        "tag": "0x01020304",
        "amount": "340282366920938463463374607431768211455",
        "delta": -12345678901234567890,
        "owner": {"name": "Zoë ✓", "wallets": ["0x3333333333333333333333333333333333333333"]},
    },
}


def _theirs(document: dict[str, Any], key: bytes = COW) -> tuple[bytes, bytes]:
    signed = Account.sign_message(encode_typed_data(full_message=copy.deepcopy(document)), key)
    return bytes(signed.message_hash), bytes(signed.signature)


def _sign(document: dict[str, Any], key: bytes = COW) -> bytes:
    address = Account.from_key(key).address
    request = MessageRequest(
        MessageFormat.EIP712, json.dumps(document).encode(), (), address, ETH.name
    )
    return sign_message_with_key(key, request, SigningContext(ETH, ())).signature


def test_mail_example_of_the_eip() -> None:
    data = parse_typed_data(json.dumps(MAIL))
    assert encode_type("Mail", data.types) == (
        "Mail(Person from,Person to,string contents)Person(string name,address wallet)"
    )
    digest = typed_data_digest(data)
    assert digest.hex() == "be609aee343fb3c4b28e1df9e632fca64fcfaede20f02e86244efddf30957bd2"
    signature = _sign(MAIL)
    assert signature[64] == 28
    assert signature[:32].hex() == (
        "4355c47d63924e8a72e509b65029052eb6c299d53a04e167c5775fd466751c9d"
    )
    assert signature[32:64].hex() == (
        "07299936d304c153f6443dfa05f40ff007d72911b6f72307f996231605b91562"
    )
    assert recover_evm_digest(digest, signature) == COW_ADDRESS


@pytest.mark.parametrize("document", [MAIL, NESTED], ids=["mail", "nested"])
def test_byte_identical_to_eth_account(document: dict[str, Any]) -> None:
    digest, signature = _theirs(document)
    assert typed_data_digest(parse_typed_data(json.dumps(document))) == digest
    assert _sign(document) == signature


def test_encode_type_orders_dependencies_alphabetically() -> None:
    types = parse_typed_data(json.dumps(NESTED)).types
    assert encode_type("Order", types) == (
        "Order(Group[2] groups,int8[][] matrix,bool flag,bytes blob,bytes4 tag,"
        "uint128 amount,int256 delta,Person owner)"
        "Group(string name,Person[] members)Person(string name,address[] wallets)"
    )


@settings(max_examples=60, deadline=None)
@given(
    contents=st.text(max_size=40),
    amount=st.integers(min_value=0, max_value=2**256 - 1),
    delta=st.integers(min_value=-(2**255), max_value=2**255 - 1),
    blob=st.binary(max_size=70),
    flags=st.lists(st.booleans(), max_size=4),
    key=st.binary(min_size=32, max_size=32).filter(
        lambda k: 0 < int.from_bytes(k, "big") < 2**256 - 2**129
    ),
)
def test_random_documents_match_eth_account(
    contents: str, amount: int, delta: int, blob: bytes, flags: list[bool], key: bytes
) -> None:
    document = {
        "types": {
            "EIP712Domain": [
                {"name": "name", "type": "string"},
                {"name": "version", "type": "string"},
                {"name": "chainId", "type": "uint256"},
            ],
            "Item": [{"name": "text", "type": "string"}, {"name": "flags", "type": "bool[]"}],
            "Top": [
                {"name": "items", "type": "Item[]"},
                {"name": "amount", "type": "uint256"},
                {"name": "delta", "type": "int256"},
                {"name": "blob", "type": "bytes"},
            ],
        },
        "primaryType": "Top",
        "domain": {"name": contents, "version": "2", "chainId": 1},
        "message": {
            "items": [{"text": contents, "flags": flags}, {"text": "", "flags": []}],
            "amount": amount,
            "delta": delta,
            "blob": "0x" + blob.hex(),
        },
    }
    assert _sign(document, key) == _theirs(document, key)[1]


def _broken(path: tuple[str, ...], value: object) -> bytes:
    document = copy.deepcopy(MAIL)
    target: Any = document
    for part in path[:-1]:
        target = target[part]
    if value is KeyError:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return json.dumps(document).encode()


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"{not json", "not JSON"),
        (b"[]", "not a JSON object"),
        (_broken(("types",), KeyError), "no 'types'"),
        (_broken(("primaryType",), "Letter"), "primary type 'Letter' is not defined"),
        (_broken(("types", "Mail", 0, "type"), "Persn"), "unknown type 'Persn'"),
        (_broken(("types", "Mail", 2, "type"), "uint7"), "unknown type 'uint7'"),
        (_broken(("message", "contents"), KeyError), "message.contents is missing"),
        (_broken(("message", "from", "wallet"), "0x1234"), "message.from.wallet is not an"),
        (_broken(("message", "to"), "Bob"), "message.to is not an object of type Person"),
        (_broken(("domain", "chainId"), -1), "domain.chainId is out of range"),
        (_broken(("domain", "chainId"), "one"), "domain.chainId is not a whole number"),
    ],
)
def test_malformed_documents_are_refused_clearly(raw: bytes, reason: str) -> None:
    with pytest.raises(Eip712Error, match=reason):
        typed_data_digest(parse_typed_data(raw))
    request = MessageRequest(MessageFormat.EIP712, raw, (), COW_ADDRESS, ETH.name)
    with pytest.raises(SigningRefused, match="The typed data is malformed"):
        sign_message_with_key(COW, request, SigningContext(ETH, ()))


def test_typed_data_for_another_chain_is_refused() -> None:
    raw = _broken(("domain", "chainId"), 5)
    request = MessageRequest(MessageFormat.EIP712, raw, (), COW_ADDRESS, ETH.name)
    with pytest.raises(SigningRefused, match="chain id 5"):
        sign_message_with_key(COW, request, SigningContext(ETH, ()))


def test_overflowing_values_are_refused() -> None:
    document = copy.deepcopy(NESTED)
    document["message"]["amount"] = 2**128
    with pytest.raises(Eip712Error, match=r"message.amount is out of range for uint128"):
        typed_data_digest(parse_typed_data(document))
    document = copy.deepcopy(NESTED)
    document["message"]["tag"] = "0x0102030405"
    with pytest.raises(Eip712Error, match="longer than 4 bytes"):
        typed_data_digest(parse_typed_data(document))
    document = copy.deepcopy(NESTED)
    document["message"]["groups"] = document["message"]["groups"][:1]
    with pytest.raises(Eip712Error, match="has 1 elements, not 2"):
        typed_data_digest(parse_typed_data(document))
