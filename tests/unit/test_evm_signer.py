"""The EVM signer: EIP-155 / EIP-1559 vectors, eth-account differential tests, its own review."""

from __future__ import annotations

import contextlib
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from eth_account import Account
from eth_account.messages import encode_defunct
from eth_utils import keccak, to_checksum_address
from hypothesis import given, settings
from hypothesis import strategies as st

from keystore.errors import SigningCancelled, SigningRefused
from keystore.keystore import Keystore
from keystore.mnemonic import parse_mnemonic
from keystore.signers import evm_summary
from keystore.signers.base import SigningContext
from keystore.signers.evm_signer import (
    decode_signed,
    personal_message_hash,
    sign_evm_with_key,
    sign_personal_message,
    signing_hash,
    summarize,
)
from keystore.types import EvmParams, EvmTxRequest, SummaryOutput, TxSummary, UtxoParams
from tests.conftest import TEST_JUNK

VECTORS = Path(__file__).parents[1] / "vectors"
EIP155 = json.loads((VECTORS / "eip155.json").read_text())
EIP1559 = json.loads((VECTORS / "eip1559.json").read_text())
ANVIL_0 = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"

ETH = EvmParams("ethereum", "Ethereum", "ETH", 1)
_ORDER = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
DEV = EvmParams("evm-local", "Local EVM node", "ETH", 1337)
KEY = bytes.fromhex("4646464646464646464646464646464646464646464646464646464646464646")
SENDER = Account.from_key(KEY).address
FRIEND = "0x3535353535353535353535353535353535353535"
TOKEN = "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48"


def _ctx(network: EvmParams = ETH, **kw: Any) -> SigningContext:
    return SigningContext(network=network, account_path=(), **kw)


def _request(v: dict[str, Any]) -> EvmTxRequest:
    return EvmTxRequest(
        chain_id=v["chain_id"],
        nonce=v["nonce"],
        to=v["to"],
        value=int(v["value"]),
        data=bytes.fromhex(v["data"]),
        gas=v["gas"],
        max_fee_per_gas=v.get("max_fee_per_gas"),
        max_priority_fee_per_gas=v.get("max_priority_fee_per_gas"),
        gas_price=v.get("gas_price"),
        access_list=tuple(
            (address, tuple(bytes.fromhex(k) for k in keys))
            for address, keys in v.get("access_list", [])
        ),
    )


def test_vector_files_name_their_sources() -> None:
    assert "eip-155.md" in EIP155["source"]
    assert "github.com/ethereum/tests" in EIP155["source"]
    assert "eth-account" in EIP1559["source"]


def test_selectors_are_the_keccak_of_their_signatures() -> None:
    for name, signature in (
        ("_TRANSFER", "transfer(address,uint256)"),
        ("_APPROVE", "approve(address,uint256)"),
        ("_TRANSFER_FROM", "transferFrom(address,address,uint256)"),
        ("_SAFE_721", "safeTransferFrom(address,address,uint256)"),
        ("_SAFE_721_DATA", "safeTransferFrom(address,address,uint256,bytes)"),
        ("_SAFE_1155", "safeTransferFrom(address,address,uint256,uint256,bytes)"),
    ):
        assert getattr(evm_summary, name) == keccak(text=signature)[:4], signature


# -- EIP-155 -----------------------------------------------------------------------------------


def test_eip155_example() -> None:
    ex = EIP155["example"]
    tx = _request(ex)
    assert keccak(bytes.fromhex(ex["signing_data"])).hex() == ex["signing_hash"]
    assert signing_hash(tx).hex() == ex["signing_hash"]
    signed = sign_evm_with_key(bytes.fromhex(ex["private_key"]), tx, _ctx())
    assert signed.raw.hex() == ex["signed"]
    assert signed.tx_hash == "0x" + keccak(signed.raw).hex()
    decoded, sender = decode_signed(signed.raw)
    assert decoded == tx
    assert sender == signed.sender == Account.from_key(bytes.fromhex(ex["private_key"])).address
    from primitives.rlp import decode

    items = decode(signed.raw)
    assert isinstance(items, list)
    v, r, s = (int.from_bytes(x, "big") for x in items[6:9] if isinstance(x, bytes))
    assert (v, str(r), str(s)) == (ex["v"], ex["r"], ex["s"])


@pytest.mark.parametrize("vector", EIP155["vitalik"], ids=lambda v: v["sender"][:10])
def test_eip155_vitalik_vectors_recover_their_senders(vector: dict[str, str]) -> None:
    tx, sender = decode_signed(bytes.fromhex(vector["raw"]))
    assert tx.chain_id == 1
    assert sender.lower() == vector["sender"]


def _tt_id(v: dict[str, Any]) -> str:
    return str(v["name"])


@pytest.mark.parametrize("vector", EIP155["transaction_tests"], ids=_tt_id)
def test_ethereum_tests_legacy_transactions(vector: dict[str, Any]) -> None:
    raw = bytes.fromhex(vector["raw"])
    if "invalid" in vector:
        with pytest.raises(SigningRefused):
            decode_signed(raw, chain_id=1)  # the tests' network is mainnet
        return
    if not vector["protected"]:
        with pytest.raises(SigningRefused, match="replay protection"):
            decode_signed(raw)
        return
    _, sender = decode_signed(raw)
    assert sender.lower() == vector["sender"].lower()
    assert "0x" + keccak(raw).hex() == vector["hash"]


# -- EIP-1559 ----------------------------------------------------------------------------------


@pytest.mark.parametrize("vector", EIP1559["sign"], ids=lambda v: v["name"])
def test_eip1559_signing_vectors(vector: dict[str, Any]) -> None:
    tx = _request(vector)
    key = bytes.fromhex(vector["private_key"])
    network = EvmParams("dev", "Dev chain", "ETH", vector["chain_id"])
    signed = sign_evm_with_key(key, tx, _ctx(network))
    assert signed.raw.hex() == vector["signed"]
    assert signed.sender == Account.from_key(key).address
    decoded, sender = decode_signed(signed.raw)
    assert decoded == tx
    assert sender == signed.sender


@pytest.mark.parametrize("vector", EIP1559["encoded"], ids=lambda v: v["name"])
def test_eip1559_encoded_vectors(vector: dict[str, Any]) -> None:
    raw = bytes.fromhex(vector["raw"])
    tx, sender = decode_signed(raw)
    assert tx == _request(vector)
    assert "0x" + signing_hash(tx).hex() == vector["signing_hash"]
    assert sender == Account.recover_transaction(raw)


@pytest.mark.parametrize("vector", EIP1559["transaction_tests"], ids=_tt_id)
def test_ethereum_tests_eip1559_transactions(vector: dict[str, Any]) -> None:
    raw = bytes.fromhex(vector["raw"])
    if "invalid" in vector:
        with pytest.raises(SigningRefused):
            decode_signed(raw)
        return
    _, sender = decode_signed(raw)
    assert sender.lower() == vector["sender"].lower()
    assert "0x" + keccak(raw).hex() == vector["hash"]


# -- differential: the same random transactions through eth-account ---------------------------

_addresses = st.binary(min_size=20, max_size=20).map(to_checksum_address)
_access = st.lists(
    st.tuples(_addresses, st.lists(st.binary(min_size=32, max_size=32), max_size=3)),
    max_size=3,
)


@st.composite
def _transactions(draw: st.DrawFn) -> EvmTxRequest:
    legacy = draw(st.booleans())
    fee_cap = draw(st.integers(0, 2**192 - 1))  # times a 64-bit gas limit: within uint256
    return EvmTxRequest(
        chain_id=draw(st.sampled_from([1, 10, 56, 137, 31337, 131277322940537, 2**40 + 7])),
        nonce=draw(st.integers(0, 2**64 - 2)),
        to=draw(st.none() | _addresses),
        value=draw(st.integers(0, 2**256 - 1)),
        data=draw(st.binary(max_size=200)),
        gas=draw(st.integers(0, 2**64 - 1)),
        gas_price=fee_cap if legacy else None,
        max_fee_per_gas=None if legacy else fee_cap,
        max_priority_fee_per_gas=None if legacy else draw(st.integers(0, fee_cap)),
        access_list=() if legacy else tuple((a, tuple(k)) for a, k in draw(_access)),
    )


def _as_eth_account(tx: EvmTxRequest) -> dict[str, Any]:
    out: dict[str, Any] = {
        "chainId": tx.chain_id,
        "nonce": tx.nonce,
        "to": tx.to or b"",
        "value": tx.value,
        "data": tx.data,
        "gas": tx.gas,
    }
    if tx.gas_price is not None:
        out["gasPrice"] = tx.gas_price
    else:
        out["maxFeePerGas"] = tx.max_fee_per_gas
        out["maxPriorityFeePerGas"] = tx.max_priority_fee_per_gas
        out["accessList"] = [
            {"address": a, "storageKeys": ["0x" + k.hex() for k in keys]}
            for a, keys in tx.access_list
        ]
    return out


@settings(max_examples=150, deadline=None)
@given(_transactions(), st.integers(1, _ORDER - 1))
def test_differential_against_eth_account(tx: EvmTxRequest, secret: int) -> None:
    key = secret.to_bytes(32, "big")
    network = EvmParams("net", "Net", "ETH", tx.chain_id)
    ours = sign_evm_with_key(key, tx, _ctx(network))
    theirs = Account.sign_transaction(_as_eth_account(tx), key)
    assert ours.raw == bytes(theirs.raw_transaction)
    assert ours.tx_hash == "0x" + bytes(theirs.hash).hex()
    assert ours.sender == Account.from_key(key).address
    assert decode_signed(ours.raw) == (tx, ours.sender)


@given(st.binary(max_size=300))
def test_decoding_garbage_only_refuses(data: bytes) -> None:
    with contextlib.suppress(SigningRefused):
        decode_signed(data)


# -- the review: chain id, fields, summary, prompt ---------------------------------------------


def _tx(**kw: Any) -> EvmTxRequest:
    base: dict[str, Any] = {
        "chain_id": 1,
        "nonce": 4,
        "to": FRIEND,
        "value": 10**17,
        "data": b"",
        "gas": 21000,
        "max_fee_per_gas": 30 * 10**9,
        "max_priority_fee_per_gas": 10**9,
    }
    base.update(kw)
    return EvmTxRequest(**base)


def _summary(*outputs: SummaryOutput, fee: int = 21000 * 30 * 10**9, **kw: Any) -> TxSummary:
    return TxSummary("ethereum", outputs, fee, chain_id=1, nonce=kw.pop("nonce", 4), **kw)


class Prompt:
    def __init__(self, answer: bool) -> None:
        self.answer = answer
        self.seen: list[TxSummary] = []

    def confirm_transaction(self, summary: TxSummary) -> bool:
        self.seen.append(summary)
        return self.answer


def test_chain_id_mismatch_is_refused_and_never_rewritten() -> None:
    with pytest.raises(SigningRefused, match="chain id 1337, not Ethereum"):
        sign_evm_with_key(KEY, _tx(chain_id=1337), _ctx())
    with pytest.raises(SigningRefused, match="chain id 1, not Local EVM node"):
        sign_evm_with_key(KEY, _tx(), _ctx(DEV))
    utxo = UtxoParams("bitcoin", "Bitcoin", "BTC", 8, 0, "bc", 0, 5)
    with pytest.raises(SigningRefused, match="EVM network"):
        sign_evm_with_key(KEY, _tx(), SigningContext(network=utxo, account_path=()))


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"nonce": -1}, "nonce"),
        ({"nonce": 2**64 - 1}, "nonce"),  # EIP-2681
        ({"nonce": True}, "nonce"),
        ({"gas": 2**64}, "gas limit"),
        ({"value": 1.5}, "value"),
        ({"value": 2**256}, "value"),
        ({"data": "0x"}, "data"),
        ({"chain_id": 0}, "chain id"),
        ({"to": "0x1234"}, "recipient"),
        ({"to": FRIEND.lower().replace("0x", "0x" + "g")[:42]}, "recipient"),
        ({"to": "0x" + "aB" * 20}, "checksum"),
        ({"gas_price": 10**9}, "not both"),
        ({"max_fee_per_gas": None}, "both of its fee fields"),
        ({"max_priority_fee_per_gas": 31 * 10**9}, "above the fee cap"),
        ({"gas": 2**64 - 1, "max_fee_per_gas": 2**200}, "overflows"),
        ({"access_list": (("0x" + "00" * 20, (b"\x01",)),)}, "32 bytes"),
    ],
)
def test_bad_fields_are_refused(change: dict[str, Any], why: str) -> None:
    with pytest.raises(SigningRefused, match=why):
        sign_evm_with_key(KEY, _tx(**change), _ctx())


def test_legacy_with_access_list_is_refused() -> None:
    tx = _tx(max_fee_per_gas=None, max_priority_fee_per_gas=None, gas_price=10**9)
    sign_evm_with_key(KEY, tx, _ctx())
    with pytest.raises(SigningRefused, match="access list"):
        sign_evm_with_key(KEY, replace(tx, access_list=((FRIEND, ()),)), _ctx())


def test_summary_of_a_plain_send_and_its_checks() -> None:
    expected = _summary(SummaryOutput(FRIEND, 10**17))
    prompt = Prompt(True)
    signed = sign_evm_with_key(KEY, _tx(), _ctx(expected=expected, prompt=prompt))
    assert prompt.seen == [expected]
    assert signed.sender == SENDER
    for wrong in (
        _summary(SummaryOutput(FRIEND, 10**17 + 1)),
        _summary(SummaryOutput(SENDER, 10**17)),
        _summary(SummaryOutput(FRIEND, 10**17), fee=1),
        _summary(SummaryOutput(FRIEND, 10**17), nonce=5),
        replace(expected, chain_id=10),
        replace(expected, network="optimism"),
        _summary(),
    ):
        with pytest.raises(SigningRefused, match="does not match"):
            sign_evm_with_key(KEY, _tx(), _ctx(expected=wrong, prompt=prompt))
    assert len(prompt.seen) == 1  # a refused request is never shown for approval


def test_declining_cancels() -> None:
    with pytest.raises(SigningCancelled):
        sign_evm_with_key(KEY, _tx(), _ctx(prompt=Prompt(False)))


def _call(signature: str, *words: bytes) -> bytes:
    return keccak(text=signature)[:4] + b"".join(words)


def _word(value: int | str) -> bytes:
    if isinstance(value, str):
        return bytes(12) + bytes.fromhex(value[2:])
    return value.to_bytes(32, "big")


def test_erc20_transfer_is_read_from_the_call_data() -> None:
    data = _call("transfer(address,uint256)", _word(FRIEND), _word(2_500_000))
    tx = _tx(to=TOKEN, value=0, data=data, gas=60000)
    labelled = SummaryOutput(FRIEND, 2_500_000, asset="USDC", decimals=6, contract=TOKEN)
    expected = _summary(labelled, fee=60000 * 30 * 10**9)
    prompt = Prompt(True)
    sign_evm_with_key(KEY, tx, _ctx(expected=expected, prompt=prompt))
    assert prompt.seen[0].outputs == (labelled,)  # the labels of a matching summary are kept
    unlabelled = summarize(tx, ETH, SENDER)
    assert unlabelled.outputs == (SummaryOutput(FRIEND, 2_500_000, contract=TOKEN),)
    # A summary claiming another amount, recipient or token is refused.
    for wrong in (
        replace(labelled, amount=2_500_001),
        replace(labelled, address=SENDER),
        replace(labelled, contract=FRIEND),
        SummaryOutput(FRIEND, 0),
    ):
        with pytest.raises(SigningRefused):
            summarize(tx, ETH, SENDER, _summary(wrong, fee=60000 * 30 * 10**9))


def test_nft_transfers_are_read_from_the_call_data() -> None:
    fee = 90000 * 30 * 10**9
    safe = _call(
        "safeTransferFrom(address,address,uint256)", _word(SENDER), _word(FRIEND), _word(7)
    )
    s = summarize(_tx(to=TOKEN, value=0, data=safe, gas=90000), ETH, SENDER)
    assert s.outputs == (SummaryOutput(FRIEND, 1, contract=TOKEN, token_id=7),)
    with_data = _call(
        "safeTransferFrom(address,address,uint256,bytes)",
        _word(SENDER),
        _word(FRIEND),
        _word(7),
        _word(128),
        _word(0),
    )
    s = summarize(_tx(to=TOKEN, value=0, data=with_data, gas=90000), ETH, SENDER)
    assert s.outputs == (SummaryOutput(FRIEND, 1, contract=TOKEN, token_id=7),)
    multi = _call(
        "safeTransferFrom(address,address,uint256,uint256,bytes)",
        _word(SENDER),
        _word(FRIEND),
        _word(3),
        _word(40),
        _word(160),
        _word(0),
    )
    s = summarize(_tx(to=TOKEN, value=0, data=multi, gas=90000), ETH, SENDER)
    assert s.outputs == (SummaryOutput(FRIEND, 40, contract=TOKEN, token_id=3),)
    # transferFrom is ERC-20's and ERC-721's: either reading may be the expected one.
    plain = _call("transferFrom(address,address,uint256)", _word(SENDER), _word(FRIEND), _word(9))
    tx = _tx(to=TOKEN, value=0, data=plain, gas=90000)
    as_nft = _summary(SummaryOutput(FRIEND, 1, asset="TIX", contract=TOKEN, token_id=9), fee=fee)
    as_token = _summary(SummaryOutput(FRIEND, 9, asset="CFT", decimals=0, contract=TOKEN), fee=fee)
    assert summarize(tx, ETH, SENDER, as_nft) == as_nft
    assert summarize(tx, ETH, SENDER, as_token) == as_token
    # Moving someone else's tokens is not a transfer of ours: it is shown as a contract call.
    theirs = _call("transferFrom(address,address,uint256)", _word(FRIEND), _word(SENDER), _word(9))
    s = summarize(_tx(to=TOKEN, value=0, data=theirs, gas=90000), ETH, SENDER)
    assert s.contract_call is not None
    assert "23b872dd" in s.contract_call
    with pytest.raises(SigningRefused):
        summarize(_tx(to=TOKEN, value=0, data=theirs, gas=90000), ETH, SENDER, as_nft)


def test_other_calls_are_described() -> None:
    approve = _call("approve(address,uint256)", _word(FRIEND), _word(2**256 - 1))
    s = summarize(_tx(to=TOKEN, value=0, data=approve, gas=50000), ETH, SENDER)
    assert s.contract_call == f"approve: let {FRIEND} spend any amount of the token {TOKEN}"
    assert s.outputs == (SummaryOutput(TOKEN, 0),)
    s = summarize(_tx(to=TOKEN, value=5, data=b"\xde\xad\xbe\xef", gas=50000), ETH, SENDER)
    assert s.contract_call == "contract call deadbeef (4 bytes of data)"
    assert s.outputs == (SummaryOutput(TOKEN, 5),)
    s = summarize(_tx(to=None, value=0, data=b"\x60\x00", gas=50000), ETH, SENDER)
    assert s.contract_call == "contract creation (2 bytes of code)"
    assert s.outputs == ()
    # A plain summary of a transaction that carries a hidden call is refused.
    with pytest.raises(SigningRefused):
        summarize(
            _tx(to=TOKEN, value=0, data=approve, gas=50000),
            ETH,
            SENDER,
            _summary(SummaryOutput(TOKEN, 0), fee=50000 * 30 * 10**9),
        )


def test_legacy_fee_is_gas_times_price() -> None:
    tx = _tx(max_fee_per_gas=None, max_priority_fee_per_gas=None, gas_price=5 * 10**9)
    assert summarize(tx, ETH, SENDER).fee == 21000 * 5 * 10**9


# -- EIP-191, the hot signer, secrets ----------------------------------------------------------


@pytest.mark.parametrize("message", [b"", b"hello", "I \u2665 coffer".encode(), bytes(range(256))])
def test_personal_sign_matches_eth_account(message: bytes) -> None:
    theirs = Account.sign_message(encode_defunct(message), KEY)
    assert sign_personal_message(KEY, message) == bytes(theirs.signature)
    assert personal_message_hash(message) == bytes(theirs.message_hash)


def test_hot_signer_signs_with_the_key_at_the_account_path() -> None:
    signer = Keystore(parse_mnemonic(TEST_JUNK)).signer()
    path = (44 + 2**31, 60 + 2**31, 2**31, 0, 0)
    ctx = SigningContext(network=DEV, account_path=path)
    signed = signer.sign_evm(_tx(chain_id=1337), ctx)
    assert signed.sender == ANVIL_0


def test_errors_never_carry_the_key() -> None:
    texts = []
    for bad in (_tx(chain_id=5), _tx(nonce=-1), _tx(to="0x" + "aB" * 20)):
        with pytest.raises(SigningRefused) as info:
            sign_evm_with_key(KEY, bad, _ctx())
        texts.append(str(info.value) + repr(info.value.args))
    assert all(KEY.hex() not in t and "4646" not in t for t in texts)
