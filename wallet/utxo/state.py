"""An account's coins, balance and history, computed from the transactions the wallet stores.

Pure functions over plain values: no database, no network. The store hands in every
transaction of the account's script histories (plus the ones the wallet broadcast itself and
no server reported yet) with its height; this module works out which of them are live (a
transaction that conflicts with a confirmed one, that a replacement superseded, or an own
broadcast whose parents no server reports any more, is not), which outputs are the
account's coins, which coins are spent, and what each transaction did to the balance.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from primitives.tx import OutPoint, Transaction
from wallet.types import TxStatus

__all__ = [
    "AccountState",
    "Coin",
    "OwnScript",
    "StoredTx",
    "TxEffect",
    "compute_state",
    "order_history",
]


@dataclass(frozen=True, slots=True)
class OwnScript:
    """Where one of the account's output scripts comes from."""

    chain: int
    index: int
    address: str


@dataclass(frozen=True, slots=True)
class StoredTx:
    """A transaction as the store keeps it.

    Attributes:
        tx: the parsed transaction.
        height: its block height, ``None`` while unconfirmed.
        fee: the fee the backend reported (or the wallet computed), if known.
        first_seen: when the wallet first stored it (Unix seconds).
        local: the wallet broadcast it and no server reported it yet.
        replaces: for a local replacement, the txid it replaces.
        block_time: the block's timestamp, if known.
    """

    tx: Transaction
    height: int | None
    fee: int | None
    first_seen: int
    local: bool = False
    replaces: str | None = None
    block_time: int | None = None


@dataclass(frozen=True, slots=True)
class Coin:
    """An unspent output of the account (a UTXO).

    Attributes:
        outpoint: the output's transaction and index.
        value: its value in base units.
        script: its output script.
        chain: 0 receive, 1 change.
        index: the address index on that chain.
        address: the address it pays.
        height: the block height of its transaction, ``None`` while unconfirmed.
        from_self: its transaction spends only the account's own coins (own change, which
            may be spent unconfirmed).
        spent_pending: a pending transaction of the account spends it (not spendable).
    """

    outpoint: OutPoint
    value: int
    script: bytes
    chain: int
    index: int
    address: str
    height: int | None
    from_self: bool
    spent_pending: bool = False

    def confirmations(self, tip_height: int) -> int:
        """Return the confirmations at ``tip_height`` (0 while unconfirmed)."""
        return 0 if self.height is None else max(tip_height - self.height + 1, 0)


@dataclass(frozen=True, slots=True)
class TxEffect:
    """What one transaction did to the account.

    Attributes:
        txid: the transaction.
        status: confirmed, pending, replaced (superseded by a conflicting transaction) or
            dropped.
        height: its block height when confirmed.
        received: base units paid to the account's scripts.
        sent: base units of the account's coins it spent.
        fee: the fee, when known and paid by the account (it spent the account's coins).
        recipients: addresses outside the account that it paid (for sends).
        replaceable: pending, signals BIP-125, and the account paid for it.
        all_inputs_ours: every input spends a coin of the account.
    """

    txid: str
    status: TxStatus
    height: int | None
    received: int
    sent: int
    fee: int | None
    recipients: tuple[str, ...]
    replaceable: bool
    all_inputs_ours: bool

    @property
    def net(self) -> int:
        """Return the net change of the balance: received less sent (fees included)."""
        return self.received - self.sent


@dataclass(frozen=True, slots=True)
class AccountState:
    """Coins, balance parts and per-transaction effects of one account.

    Attributes:
        coins: unspent outputs by outpoint (including those a pending spend consumes, marked
            ``spent_pending``).
        effects: per transaction (live and superseded), by txid.
        confirmed: value of coins created and not spent by confirmed transactions.
        total: value of coins not spent by any live transaction.
    """

    coins: Mapping[OutPoint, Coin]
    effects: Mapping[str, TxEffect]
    confirmed: int
    total: int


def _conflict_losers(txs: Mapping[str, StoredTx]) -> dict[str, str]:
    """Return txid -> the txid that supersedes it, for transactions that lost a conflict.

    Two transactions conflict when they spend the same outpoint. A confirmed one beats every
    unconfirmed one; between unconfirmed ones, one a server reports beats a local one, a
    local replacement beats what it replaces, and otherwise the one first seen wins.
    """
    spenders: dict[OutPoint, list[str]] = {}
    for txid, stored in txs.items():
        if stored.tx.is_coinbase:
            continue
        for txin in stored.tx.inputs:
            spenders.setdefault(txin.prevout, []).append(txid)
    losers: dict[str, str] = {}
    replaced = {s.replaces for s in txs.values() if s.replaces is not None}

    def rank(txid: str) -> tuple[int, int, int, int, str]:
        s = txs[txid]
        return (
            0 if s.height is not None else 1,
            1 if txid in replaced else 0,
            1 if s.local else 0,
            s.first_seen,
            txid,
        )

    for ids in spenders.values():
        if len(ids) < 2:
            continue
        winner = min(ids, key=rank)
        for txid in ids:
            if txid != winner and txid not in losers:
                losers[txid] = winner
    # A transaction spending an output of a loser is gone with it.
    changed = True
    while changed:
        changed = False
        for txid, stored in txs.items():
            if txid in losers:
                continue
            for txin in stored.tx.inputs:
                parent = txin.prevout.txid_hex
                if parent in losers:
                    losers[txid] = losers[parent]
                    changed = True
                    break
    return losers


def _dropped(txs: Mapping[str, StoredTx], losers: Mapping[str, str]) -> set[str]:
    """Return the own broadcasts that can no longer confirm: their parents are gone.

    The wallet's own transaction spends only the account's coins, so every parent is in
    the account's history until a server stops reporting it (a replaced or evicted parent,
    a block orphaned for good). A broadcast no server has reported yet then spends coins
    that do not exist; it and whatever spends its outputs are dropped.
    """
    dropped = {
        txid
        for txid, stored in txs.items()
        if stored.local
        and txid not in losers
        and stored.height is None
        and any(i.prevout.txid_hex not in txs for i in stored.tx.inputs)
    }
    changed = bool(dropped)
    while changed:
        changed = False
        for txid, stored in txs.items():
            if (
                txid not in dropped
                and txid not in losers
                and stored.height is None
                and any(i.prevout.txid_hex in dropped for i in stored.tx.inputs)
            ):
                dropped.add(txid)
                changed = True
    return dropped


def compute_state(
    txs: Mapping[str, StoredTx],
    scripts: Mapping[bytes, OwnScript],
    address_of: Callable[[bytes], str | None],
) -> AccountState:
    """Work out the account's coins and what each transaction did.

    Args:
        txs: every transaction of the account's histories and own broadcasts, by txid.
        scripts: the account's output scripts.
        address_of: the network's address of an output script (``None`` if it has none).

    Returns:
        The account's state.
    """
    losers = _conflict_losers(txs)
    dropped = _dropped(txs, losers)
    live = {txid: s for txid, s in txs.items() if txid not in losers and txid not in dropped}
    outputs: dict[OutPoint, tuple[int, bytes, OwnScript, str]] = {}
    for txid, stored in txs.items():
        txid_bytes = stored.tx.txid_bytes  # hashed once per transaction, not per output
        for vout, out in enumerate(stored.tx.outputs):
            own = scripts.get(out.script_pubkey)
            if own is not None:
                outputs[OutPoint(txid_bytes, vout)] = (out.value, out.script_pubkey, own, txid)
    spent_by: dict[OutPoint, str] = {}
    for txid, stored in live.items():
        for txin in stored.tx.inputs:
            if txin.prevout in outputs:
                spent_by[txin.prevout] = txid
    coins: dict[OutPoint, Coin] = {}
    confirmed = 0
    total = 0
    effects: dict[str, TxEffect] = {}
    ours_only: dict[str, bool] = {}
    for txid, stored in txs.items():
        ins = stored.tx.inputs
        ours_only[txid] = bool(ins) and all(i.prevout in outputs for i in ins)
    for outpoint, (value, script, own, txid) in outputs.items():
        if txid not in live:
            continue
        height = live[txid].height
        spender = spent_by.get(outpoint)
        spender_confirmed = spender is not None and live[spender].height is not None
        if spender_confirmed:
            continue  # spent for good
        if spender is None:
            total += value
        if height is not None:
            confirmed += value
        coins[outpoint] = Coin(
            outpoint,
            value,
            script,
            own.chain,
            own.index,
            own.address,
            height,
            ours_only[txid],
            spent_pending=spender is not None,
        )
    for txid, stored in txs.items():
        tx = stored.tx
        received = sum(o.value for o in tx.outputs if o.script_pubkey in scripts)
        sent = sum(outputs[i.prevout][0] for i in tx.inputs if i.prevout in outputs)
        if txid in dropped and not sent and stored.fee is not None:
            # Its parents are gone, but the wallet recorded the fee when it broadcast it:
            # show what the send would have cost.
            sent = sum(o.value for o in tx.outputs) + stored.fee
        fee: int | None = None
        if sent:  # the account paid for it: all of the fee when every input is ours
            fee = sent - sum(o.value for o in tx.outputs) if ours_only[txid] else stored.fee
        recipients = (
            tuple(
                address_of(o.script_pubkey) or ""
                for o in tx.outputs
                if o.script_pubkey not in scripts
            )
            if sent
            else ()
        )
        if txid in losers:
            status = TxStatus.REPLACED
        elif txid in dropped:
            status = TxStatus.DROPPED
        elif stored.height is not None:
            status = TxStatus.CONFIRMED
        else:
            status = TxStatus.PENDING
        effects[txid] = TxEffect(
            txid=txid,
            status=status,
            height=stored.height,
            received=received,
            sent=sent,
            fee=fee,
            recipients=tuple(r for r in recipients if r),
            replaceable=status is TxStatus.PENDING and bool(sent) and tx.signals_rbf(),
            all_inputs_ours=ours_only[txid],
        )
    return AccountState(coins, effects, confirmed, total)


def order_history(effects: Sequence[TxEffect], first_seen: Mapping[str, int]) -> list[TxEffect]:
    """Return effects newest first: pending by first-seen time, then confirmed by height.

    Replaced and dropped transactions come last (newest first among them): they did nothing,
    and at the top they would push what is live out of sight.
    """
    gone = (TxStatus.REPLACED, TxStatus.DROPPED)
    return sorted(
        effects,
        key=lambda e: (
            e.status in gone,
            0 if e.height is None else 1,
            -(e.height or 0),
            -first_seen.get(e.txid, 0),
            e.txid,
        ),
    )
