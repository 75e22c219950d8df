"""EIP-2930 (type 1) signing and decoding against eth-account, and recovering the sender of
any historical transaction: pre-EIP-155 legacy, EIP-155, EIP-2930 and EIP-1559."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest
from eth_account import Account
from hypothesis import given, settings
from hypothesis import strategies as st

from keystore.errors import SigningRefused
from keystore.signers.base import SigningContext
from keystore.signers.evm_signer import decode_signed, sign_evm_with_key, signing_hash
from keystore.signers.evm_tx import recover_sender
from keystore.types import EvmParams, EvmTxRequest

ETH = EvmParams("ethereum", "Ethereum", "ETH", 1)
KEY = bytes.fromhex("4646464646464646464646464646464646464646464646464646464646464646")
SENDER = Account.from_key(KEY).address
FRIEND = "0x3535353535353535353535353535353535353535"
SLOT = bytes(31) + b"\x07"


def _type1(**change: Any) -> EvmTxRequest:
    base = EvmTxRequest(
        chain_id=1,
        nonce=9,
        to=FRIEND,
        value=10**18,
        data=b"\xab\xcd",
        gas=60_000,
        gas_price=20 * 10**9,
        access_list=((FRIEND, (SLOT, bytes(32))), (SENDER, ())),
        eip2930=True,
    )
    return replace(base, **change)


def _theirs(tx: EvmTxRequest) -> bytes:
    fields: dict[str, Any] = {
        "type": 1,
        "chainId": tx.chain_id,
        "nonce": tx.nonce,
        "gasPrice": tx.gas_price,
        "gas": tx.gas,
        "to": tx.to,
        "value": tx.value,
        "data": tx.data,
        "accessList": [
            {"address": a, "storageKeys": ["0x" + k.hex() for k in keys]}
            for a, keys in tx.access_list
        ],
    }
    return bytes(Account.sign_transaction(fields, KEY).raw_transaction)


@pytest.mark.parametrize(
    "tx",
    [_type1(), _type1(access_list=()), _type1(to=None, value=0), _type1(data=b"")],
    ids=["with-list", "empty-list", "creation", "no-data"],
)
def test_type1_byte_identical_to_eth_account_and_decodes(tx: EvmTxRequest) -> None:
    signed = sign_evm_with_key(KEY, tx, SigningContext(ETH, ()))
    assert signed.raw[0] == 1
    assert signed.raw == _theirs(tx)
    assert tx.tx_type == 1
    assert decode_signed(signed.raw, 1) == (tx, SENDER)
    assert recover_sender(signed.raw) == (1, 1, SENDER)


@settings(max_examples=40, deadline=None)
@given(
    nonce=st.integers(0, 2**64 - 2),
    price=st.integers(0, 2**64),
    value=st.integers(0, 2**200),
    data=st.binary(max_size=80),
)
def test_type1_random_fields_match_eth_account(
    nonce: int, price: int, value: int, data: bytes
) -> None:
    tx = _type1(nonce=nonce, gas_price=price, value=value, data=data)
    assert sign_evm_with_key(KEY, tx, SigningContext(ETH, ())).raw == _theirs(tx)


def test_type1_needs_a_gas_price_and_another_chain_is_refused() -> None:
    with pytest.raises(SigningRefused, match="has a gas price"):
        sign_evm_with_key(
            KEY,
            _type1(gas_price=None, max_fee_per_gas=1, max_priority_fee_per_gas=1),
            SigningContext(ETH, ()),
        )
    with pytest.raises(SigningRefused, match="chain"):
        sign_evm_with_key(KEY, _type1(chain_id=5), SigningContext(ETH, ()))


def test_sender_of_a_pre_eip155_transaction_is_recovered_but_signing_one_stays_refused() -> None:
    legacy = {
        "nonce": 3,
        "gasPrice": 50 * 10**9,
        "gas": 21_000,
        "to": FRIEND,
        "value": 12345,
        "data": b"",
    }
    raw = bytes(Account.sign_transaction(legacy, KEY).raw_transaction)
    assert recover_sender(raw) == (0, None, SENDER)
    with pytest.raises(SigningRefused, match="EIP-155"):
        decode_signed(raw)
    unprotected = EvmTxRequest(0, 3, FRIEND, 12345, b"", 21_000, gas_price=50 * 10**9)
    with pytest.raises(SigningRefused, match="chain id 0"):
        sign_evm_with_key(KEY, unprotected, SigningContext(ETH, ()))
    with pytest.raises(SigningRefused, match="no replay protection"):
        signing_hash(unprotected)


@pytest.mark.parametrize(
    "fields",
    [
        {"chainId": 1, "nonce": 1, "gasPrice": 10, "gas": 21_000, "to": FRIEND, "value": 1},
        {
            "type": 2,
            "chainId": 10,
            "nonce": 1,
            "maxFeePerGas": 10,
            "maxPriorityFeePerGas": 1,
            "gas": 21_000,
            "to": FRIEND,
            "value": 1,
        },
    ],
    ids=["eip155", "eip1559"],
)
def test_sender_of_155_and_1559_transactions(fields: dict[str, Any]) -> None:
    raw = bytes(Account.sign_transaction(fields, KEY).raw_transaction)
    kind, chain, sender = recover_sender(raw)
    assert (kind, chain, sender) == (fields.get("type", 0), fields["chainId"], SENDER)


@pytest.mark.parametrize("raw", [b"", b"\x01", b"\x03\xc0", b"\xc0", bytes(40)])
def test_garbage_is_refused_clearly(raw: bytes) -> None:
    with pytest.raises(SigningRefused, match="not a valid signed EVM transaction"):
        recover_sender(raw)
