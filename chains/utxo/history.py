"""What every UTXO backend computes the same way: history order, statuses, fees, refusals.

The Electrum protocol defines a script's status over its history in a fixed order
(protocol-basics, "Status"); the Core RPC backend and the devnet build their histories in
that order too, so the wallet gets the same ``SyncUpdate`` from every server kind.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from chains.errors import BackendProtocolError
from chains.utxo.backend import HistoryItem, Txid, electrum_status
from primitives.tx import Transaction, TxDecodeError

__all__ = [
    "ALREADY_KNOWN",
    "RawHistoryItem",
    "check_txid",
    "fees_of",
    "history_items",
    "missing_parents",
    "order_history",
    "parse_transaction",
    "reject_reason",
    "status_of",
]

# Reasons under which a broadcast has nonetheless reached its goal: the node has the
# transaction already (a retried broadcast after a reconnect sees these).
ALREADY_KNOWN = frozenset(
    {"txn-already-in-mempool", "txn-already-known", "Transaction already in block chain"}
)


@dataclass(frozen=True, slots=True)
class RawHistoryItem:
    """A history entry as Electrum servers send it.

    Attributes:
        txid: display byte order.
        height: block height; ``0`` in the mempool with confirmed inputs, ``-1`` in the
            mempool with an unconfirmed input.
        position: index in the block, when known (used for ordering only).
    """

    txid: Txid
    height: int
    position: int = 0


def order_history(items: Iterable[RawHistoryItem]) -> list[RawHistoryItem]:
    """Put a history in the Electrum status order (protocol-basics, "Status", steps 2-5).

    Confirmed by height and position in the block; then mempool, height ``0`` before ``-1``,
    each by txid (display hex).
    """
    every = list(items)
    confirmed = sorted((i for i in every if i.height > 0), key=_block_order)
    mempool = sorted((i for i in every if i.height <= 0), key=_mempool_order)
    return confirmed + mempool


def _block_order(item: RawHistoryItem) -> tuple[int, int]:
    return item.height, item.position


def _mempool_order(item: RawHistoryItem) -> tuple[int, str]:
    return -item.height, item.txid


def status_of(history: Iterable[RawHistoryItem]) -> str | None:
    """Return the Electrum status of a history already in status order."""
    return electrum_status((i.txid, i.height) for i in history)


def history_items(history: Iterable[RawHistoryItem]) -> tuple[HistoryItem, ...]:
    """Return the wallet's view of a history: unconfirmed heights become ``None``."""
    return tuple(HistoryItem(i.txid, i.height if i.height > 0 else None) for i in history)


def parse_transaction(raw: bytes, server: str) -> Transaction:
    """Parse a transaction a server sent.

    Raises:
        BackendProtocolError: the bytes are not a transaction.
    """
    try:
        return Transaction.parse(raw)
    except TxDecodeError as e:
        raise BackendProtocolError(
            f"The server {server} sent a malformed transaction ({e}).", server
        ) from None


def check_txid(raw: bytes, txid: str, server: str) -> Transaction:
    """Parse a transaction and check that it is the one asked for.

    Raises:
        BackendProtocolError: malformed, or its hash is not ``txid``.
    """
    tx = parse_transaction(raw, server)
    if tx.txid != txid:
        raise BackendProtocolError(
            f"The server {server} answered transaction {tx.txid} when asked for {txid}.", server
        )
    return tx


def fees_of(
    txs: Mapping[Txid, Transaction], parents: Mapping[Txid, Transaction], server: str
) -> dict[Txid, int]:
    """Return the fee of every transaction whose spent outputs are all known.

    Coinbase transactions have no fee and are left out, as are transactions with a parent
    missing from ``txs`` and ``parents``.

    Raises:
        BackendProtocolError: an input spends an output its parent does not have, or the
            outputs are worth more than the inputs.
    """
    known: dict[Txid, Transaction] = {**parents, **txs}
    fees: dict[Txid, int] = {}
    for txid, tx in txs.items():
        if tx.is_coinbase:
            continue
        total_in = 0
        for txin in tx.inputs:
            parent = known.get(Txid(txin.prevout.txid_hex))
            if parent is None:
                break
            if txin.prevout.vout >= len(parent.outputs):
                raise BackendProtocolError(
                    f"Transaction {txid} from {server} spends an output that does not exist.",
                    server,
                )
            total_in += parent.outputs[txin.prevout.vout].value
        else:
            fee = total_in - sum(o.value for o in tx.outputs)
            if fee < 0:
                raise BackendProtocolError(
                    f"Transaction {txid} from {server} spends more than its inputs hold.", server
                )
            fees[txid] = fee
    return fees


def missing_parents(txs: Mapping[Txid, Transaction], have: Iterable[str]) -> list[Txid]:
    """Return the txids of spent outputs' transactions not in ``txs`` nor ``have`` (sorted)."""
    known = set(have) | set(txs)
    wanted = {
        Txid(i.prevout.txid_hex)
        for tx in txs.values()
        if not tx.is_coinbase
        for i in tx.inputs
        if i.prevout.txid_hex not in known
    }
    return sorted(wanted)


def reject_reason(message: str) -> str:
    """Return the reason code at the start of a node's refusal message.

    ``"min relay fee not met, 100 < 141"`` gives ``"min relay fee not met"``;
    ``"mandatory-script-verify-flag-failed (Signature must be zero ...)"`` gives
    ``"mandatory-script-verify-flag-failed"``.
    """
    text = message.strip()
    for sep in (", ", " (", ": ", ";"):
        head, found, _ = text.partition(sep)
        if found:
            text = head
    return text.strip()
