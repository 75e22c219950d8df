"""Pure helpers of the UTXO backends: server addresses, history order, fees, refusals."""

from __future__ import annotations

import pytest

from chains.errors import BackendProtocolError
from chains.utxo.backend import FeeRate, Txid, electrum_status
from chains.utxo.electrum.connection import ServerAddress
from chains.utxo.electrum.parsing import node_message
from chains.utxo.history import (
    RawHistoryItem,
    fees_of,
    missing_parents,
    order_history,
    reject_reason,
    status_of,
)
from primitives.tx import OutPoint, Transaction, TxIn, TxOut


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("tcp://127.0.0.1:50001", ServerAddress("127.0.0.1", 50001, False)),
        ("ssl://electrum.example:50002", ServerAddress("electrum.example", 50002, True)),
        ("electrum.example:50002:s", ServerAddress("electrum.example", 50002, True)),
        ("electrum.example:50001:t", ServerAddress("electrum.example", 50001, False)),
        ("electrum.example:50002", ServerAddress("electrum.example", 50002, True)),
        ("[::1]:50001:t", ServerAddress("::1", 50001, False)),
    ],
)
def test_server_address_forms(text: str, expected: ServerAddress) -> None:
    assert ServerAddress.parse(text) == expected


@pytest.mark.parametrize(
    "text", ["http://host:1", "tcp://host", "host", "host:port:t", ":50001", "ssl://:5"]
)
def test_bad_server_addresses_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match="is not"):
        ServerAddress.parse(text)


def test_server_names_say_the_transport() -> None:
    assert ServerAddress("h", 1, False).name == "tcp://h:1"
    assert ServerAddress("h", 2, True, "ab" * 32).name == "ssl://h:2"


@pytest.mark.parametrize(
    ("message", "reason"),
    [
        ("txn-mempool-conflict", "txn-mempool-conflict"),
        ("min relay fee not met, 100 < 141", "min relay fee not met"),
        ("insufficient fee, rejecting replacement ab; new feerate", "insufficient fee"),
        (
            "mandatory-script-verify-flag-failed (Signature must be zero for failed CHECK)",
            "mandatory-script-verify-flag-failed",
        ),
        ("bad-txns-inputs-missingorspent", "bad-txns-inputs-missingorspent"),
        ("dust", "dust"),
        ("  Transaction already in block chain ", "Transaction already in block chain"),
    ],
)
def test_reject_reason_is_the_code_at_the_start(message: str, reason: str) -> None:
    assert reject_reason(message) == reason


def test_electrumx_broadcast_refusal_is_unwrapped() -> None:
    wrapped = "the transaction was rejected by network rules.\n\ntxn-mempool-conflict\n[00ff]"
    assert node_message(wrapped, "00ff") == "txn-mempool-conflict"
    assert node_message("dust", "00ff") == "dust"


def test_history_order_is_electrums() -> None:
    a, b, c, d, e = (Txid(ch * 64) for ch in "abcde")
    shuffled = [
        RawHistoryItem(e, -1),
        RawHistoryItem(d, 0),
        RawHistoryItem(c, 0),
        RawHistoryItem(b, 7, position=2),
        RawHistoryItem(a, 7, position=1),
        RawHistoryItem(e, 5, position=9),
    ]
    ordered = order_history(shuffled)
    assert [(i.txid, i.height) for i in ordered] == [
        (e, 5),
        (a, 7),
        (b, 7),
        (c, 0),
        (d, 0),
        (e, -1),
    ]
    assert status_of(ordered) == electrum_status([(i.txid, i.height) for i in ordered])
    assert status_of([]) is None


def _tx(prevouts: list[tuple[bytes, int]], values: list[int]) -> Transaction:
    return Transaction(
        2,
        tuple(TxIn(OutPoint(t, v)) for t, v in prevouts),
        tuple(TxOut(x, b"\x00\x14" + bytes(20)) for x in values),
    )


def test_fees_are_inputs_minus_outputs_and_need_every_parent() -> None:
    parent = _tx([(b"\x01" * 32, 0)], [50_000, 20_000])
    child = _tx([(parent.txid_bytes, 0), (parent.txid_bytes, 1)], [69_000])
    orphan = _tx([(b"\x09" * 32, 3)], [1])
    txs = {Txid(child.txid): child, Txid(orphan.txid): orphan}
    assert missing_parents(txs, ()) == sorted([Txid(parent.txid), Txid("09" * 32)])
    assert missing_parents(txs, (parent.txid,)) == [Txid("09" * 32)]
    fees = fees_of(txs, {Txid(parent.txid): parent}, "test")
    assert fees == {Txid(child.txid): 1_000}


def test_fee_of_a_coinbase_is_left_out() -> None:
    coinbase = _tx([(bytes(32), 0xFFFFFFFF)], [5_000_000_000])
    assert coinbase.is_coinbase
    assert fees_of({Txid(coinbase.txid): coinbase}, {}, "test") == {}


@pytest.mark.parametrize(
    ("vout", "value", "words"),
    [(2, 1, "does not exist"), (0, 60_000, "more than its inputs")],
    ids=["missing-output", "negative-fee"],
)
def test_impossible_fees_are_protocol_errors(vout: int, value: int, words: str) -> None:
    parent = _tx([(b"\x01" * 32, 0)], [50_000, 20_000])
    child = _tx([(parent.txid_bytes, vout)], [value])
    with pytest.raises(BackendProtocolError, match=words):
        fees_of({Txid(child.txid): child}, {Txid(parent.txid): parent}, "test")


def test_fee_rate_arithmetic() -> None:
    rate = FeeRate(1_500)
    assert rate.fee_for(141) == 212  # rounded up
    with pytest.raises(TypeError):
        FeeRate.from_sat_vb(1.5)  # type: ignore[arg-type]
