"""Coins, balances and history computed from stored transactions (pure, no node needed)."""

from __future__ import annotations

from primitives.tx import OutPoint, Transaction, TxIn, TxOut
from wallet.types import TxStatus
from wallet.utxo.state import OwnScript, StoredTx, compute_state

OURS_A = b"\x00\x14" + b"\xaa" * 20
OURS_B = b"\x00\x14" + b"\xbb" * 20
CHANGE = b"\x00\x14" + b"\xcc" * 20
THEIRS = b"\x00\x14" + b"\xee" * 20
SCRIPTS = {
    OURS_A: OwnScript(0, 0, "a"),
    OURS_B: OwnScript(0, 1, "b"),
    CHANGE: OwnScript(1, 0, "c"),
}


def _addr(script: bytes) -> str:
    return "theirs" if script == THEIRS else "?"


def _tx(
    inputs: list[OutPoint], outputs: list[tuple[int, bytes]], seq: int = 0xFFFFFFFD
) -> Transaction:
    return Transaction(
        2,
        tuple(TxIn(p, b"", seq, (b"sig", b"key")) for p in inputs),
        tuple(TxOut(v, s) for v, s in outputs),
    )


FOREIGN = OutPoint(b"\x01" * 32, 0)


def test_receive_then_spend_with_change() -> None:
    fund = _tx([FOREIGN], [(100_000, OURS_A), (5_000, THEIRS)])
    spend = _tx([fund.outpoint(0)], [(60_000, THEIRS), (39_000, CHANGE)])
    txs = {
        fund.txid: StoredTx(fund, 10, None, 1),
        spend.txid: StoredTx(spend, None, None, 2),
    }
    state = compute_state(txs, SCRIPTS, _addr)
    # The pending spend consumes the confirmed coin and creates unconfirmed change.
    assert state.confirmed == 100_000
    assert state.total == 39_000
    assert state.coins[fund.outpoint(0)].spent_pending
    change = state.coins[spend.outpoint(1)]
    assert change.from_self
    assert change.height is None
    assert change.chain == 1
    effect = state.effects[spend.txid]
    assert effect.status is TxStatus.PENDING
    assert effect.fee == 1_000
    assert effect.net == -61_000
    assert effect.recipients == ("theirs",)
    assert effect.replaceable
    received = state.effects[fund.txid]
    assert received.net == 100_000
    assert received.fee is None
    assert received.recipients == ()


def test_confirmed_spend_removes_the_coin() -> None:
    fund = _tx([FOREIGN], [(100_000, OURS_A)])
    spend = _tx([fund.outpoint(0)], [(99_000, OURS_B)])
    txs = {fund.txid: StoredTx(fund, 10, None, 1), spend.txid: StoredTx(spend, 11, None, 2)}
    state = compute_state(txs, SCRIPTS, _addr)
    assert set(state.coins) == {spend.outpoint(0)}
    assert state.confirmed == state.total == 99_000
    assert state.effects[spend.txid].net == -1_000  # a send to self costs the fee


def test_replacement_supersedes_the_original_and_its_child() -> None:
    fund = _tx([FOREIGN], [(100_000, OURS_A)])
    original = _tx([fund.outpoint(0)], [(90_000, THEIRS), (9_000, CHANGE)])
    child = _tx([original.outpoint(1)], [(8_000, THEIRS)])
    bump = _tx([fund.outpoint(0)], [(90_000, THEIRS), (7_000, CHANGE)])
    txs = {
        fund.txid: StoredTx(fund, 10, None, 1),
        original.txid: StoredTx(original, None, None, 2),
        child.txid: StoredTx(child, None, None, 3),
        bump.txid: StoredTx(bump, None, None, 4, local=True, replaces=original.txid),
    }
    state = compute_state(txs, SCRIPTS, _addr)
    assert state.effects[original.txid].status is TxStatus.REPLACED
    assert state.effects[child.txid].status is TxStatus.REPLACED
    assert state.effects[bump.txid].status is TxStatus.PENDING
    assert state.total == 7_000
    assert original.outpoint(1) not in state.coins


def test_confirmed_conflict_wins_over_pending() -> None:
    fund = _tx([FOREIGN], [(100_000, OURS_A)])
    pending = _tx([fund.outpoint(0)], [(99_000, THEIRS)])
    mined = _tx([fund.outpoint(0)], [(98_000, OURS_B)])
    txs = {
        fund.txid: StoredTx(fund, 10, None, 1),
        pending.txid: StoredTx(pending, None, None, 2),
        mined.txid: StoredTx(mined, 12, None, 3),
    }
    state = compute_state(txs, SCRIPTS, _addr)
    assert state.effects[pending.txid].status is TxStatus.REPLACED
    assert state.total == state.confirmed == 98_000


def test_foreign_inputs_take_the_backend_fee() -> None:
    fund = _tx([FOREIGN], [(50_000, OURS_A)])
    mixed = _tx([fund.outpoint(0), OutPoint(b"\x02" * 32, 1)], [(120_000, THEIRS)])
    txs = {
        fund.txid: StoredTx(fund, 10, 300, 1),
        mixed.txid: StoredTx(mixed, 11, 700, 2),
    }
    state = compute_state(txs, SCRIPTS, _addr)
    effect = state.effects[mixed.txid]
    assert not effect.all_inputs_ours
    assert effect.fee == 700
    assert effect.net == -50_000


def test_own_broadcasts_whose_parent_is_gone_are_dropped_with_their_children() -> None:
    # The parent was in the history when the wallet spent it; no server reports it now.
    gone = _tx([FOREIGN], [(100_000, OURS_A)])
    spend = _tx([gone.outpoint(0)], [(60_000, THEIRS), (39_000, CHANGE)])
    child = _tx([spend.outpoint(1)], [(38_000, OURS_B)])
    fund = _tx([OutPoint(b"\x03" * 32, 0)], [(5_000, OURS_B)])
    txs = {
        fund.txid: StoredTx(fund, 10, None, 1),
        spend.txid: StoredTx(spend, None, 1_000, 2, local=True),
        child.txid: StoredTx(child, None, 1_000, 3, local=True),
    }
    state = compute_state(txs, SCRIPTS, _addr)
    assert state.effects[spend.txid].status is TxStatus.DROPPED
    assert state.effects[child.txid].status is TxStatus.DROPPED
    assert state.effects[spend.txid].net == -61_000  # its outputs and recorded fee
    assert not state.effects[spend.txid].replaceable
    assert set(state.coins) == {fund.outpoint(0)}
    assert state.total == state.confirmed == 5_000
    # A server that reports the spend knows its parent: then it is not the wallet's to drop.
    reported = {**txs, spend.txid: StoredTx(spend, None, 1_000, 2)}
    assert compute_state(reported, SCRIPTS, _addr).effects[spend.txid].status is TxStatus.PENDING
