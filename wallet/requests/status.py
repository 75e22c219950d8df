"""What a payment request's status is, from what the account's last sync stored.

Pure functions over plain values: the payments a request received (``Receipt``) come from
the UTXO view (outputs to the request's own address) or the EVM history (incoming transfers
of the asset, shared out among the account's requests: an EVM account has one address).

How EVM payments are told apart. One address receives every request's payment, so a
transfer is matched to a request by its asset, its time and its amount: each incoming
transfer of the asset, oldest first, goes to the oldest request made before it that it pays
exactly; failing that, to the oldest request made before it that is not yet fully paid
(a partial payment, or the part that overpays the last one). Requests still open when the
transfer came are served before expired ones: an expired request of the same amount does not
take a fresh request's payment, and is paid late only when no open one fits. Transfers
before a request was made never count for it. Two open requests of the same asset and
amount are paid in the order they were made. Hence the CLI's advice: on EVM accounts ask
distinct amounts.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from wallet.requests.store import StoredRequest
from wallet.requests.types import RequestStatus
from wallet.types import HistoryEntry, TxStatus
from wallet.utxo.views import AccountView

__all__ = [
    "EvmAsk",
    "Receipt",
    "Settlement",
    "allocate_evm",
    "evm_payments",
    "settle",
    "utxo_payments",
]

_LIVE = (TxStatus.PENDING, TxStatus.CONFIRMED)


@dataclass(frozen=True, slots=True)
class Receipt:
    """One payment towards a request.

    Attributes:
        txid: the transaction.
        value: base units it paid.
        confirmed: whether it is in a block.
        time: when it was made, as far as the wallet knows (Unix seconds): the earlier of
            when the wallet first saw it and its block's time.
    """

    txid: str
    value: int
    confirmed: bool
    time: int


@dataclass(frozen=True, slots=True)
class Settlement:
    """A request's status with the sums behind it."""

    status: RequestStatus
    received: int
    confirmed: int
    txids: tuple[str, ...]


def settle(
    amount: int, expires_at: int | None, receipts: Iterable[Receipt], now: int
) -> Settlement:
    """Return a request's status from the payments it received.

    Args:
        amount: base units asked.
        expires_at: when it expires (Unix seconds), ``None`` if never.
        receipts: its payments (pending and confirmed; replaced ones left out).
        now: the time to judge expiry at.
    """
    paid = sorted(receipts, key=lambda r: (r.time, r.txid))
    received = sum(r.value for r in paid)
    confirmed = sum(r.value for r in paid if r.confirmed)
    txids = tuple(dict.fromkeys(r.txid for r in paid))
    expired = expires_at is not None and now >= expires_at
    if received == 0:
        status = RequestStatus.EXPIRED if expired else RequestStatus.UNPAID
    elif received < amount:
        status = RequestStatus.PARTIAL
    elif confirmed < amount:
        status = RequestStatus.PENDING
    else:
        running, completed_at = 0, paid[-1].time
        for receipt in paid:
            running += receipt.value
            if running >= amount:
                completed_at = receipt.time
                break
        if expires_at is not None and completed_at >= expires_at:
            status = RequestStatus.PAID_LATE
        elif confirmed > amount:
            status = RequestStatus.OVERPAID
        else:
            status = RequestStatus.PAID
    return Settlement(status, received, confirmed, txids)


@dataclass(frozen=True, slots=True)
class EvmAsk:
    """What the EVM allocation needs of one request."""

    id: int
    token: str | None
    amount: int
    created_at: int
    expires_at: int | None = None

    def open_at(self, time: int) -> bool:
        """Return whether the request had not yet expired at ``time``."""
        return self.expires_at is None or time < self.expires_at


def _receipt(entry: HistoryEntry) -> Receipt:
    return Receipt(
        entry.txid,
        entry.amount,
        entry.status is TxStatus.CONFIRMED,
        entry.timestamp if entry.timestamp is not None else 0,
    )


def allocate_evm(
    asks: Sequence[EvmAsk], history: Iterable[HistoryEntry]
) -> dict[int, list[Receipt]]:
    """Share an EVM account's incoming transfers among its requests (module docstring).

    Args:
        asks: the account's requests.
        history: the account's history (per transaction and asset).

    Returns:
        Each request's payments, by request id.
    """
    result: dict[int, list[Receipt]] = {a.id: [] for a in asks}
    received: dict[int, int] = {a.id: 0 for a in asks}
    incoming = sorted(
        (e for e in history if e.amount > 0 and e.status in _LIVE and e.token_id is None),
        key=lambda e: (e.timestamp or 0, e.txid),
    )
    ordered = sorted(asks, key=lambda a: (a.created_at, a.id))
    for entry in incoming:
        asset = entry.token.lower() if entry.token else None
        time = entry.timestamp or 0
        candidates = [
            a
            for a in ordered
            if (a.token.lower() if a.token else None) == asset and a.created_at <= time
        ]
        # Requests still open when the transfer came first, then expired ones (paid late).
        candidates.sort(key=lambda a: not a.open_at(time))
        exact = next(
            (a for a in candidates if received[a.id] == 0 and a.amount == entry.amount), None
        )
        chosen = exact or next((a for a in candidates if received[a.id] < a.amount), None)
        if chosen is None:
            continue
        result[chosen.id].append(_receipt(entry))
        received[chosen.id] += entry.amount
    return result


def utxo_payments(view: AccountView, stored: Sequence[StoredRequest]) -> dict[int, list[Receipt]]:
    """Return each request's payments: the live outputs to its reserved address.

    A replaced or dropped transaction pays nothing; a payment's time is the earlier of when
    the wallet first saw it and its block's time.
    """
    by_address = {s.request.address: s.id for s in stored}
    found: dict[int, list[Receipt]] = {s.id: [] for s in stored}
    for txid, effect in view.state.effects.items():
        if effect.status not in _LIVE:
            continue
        kept = view.transactions[txid]
        seen = kept.first_seen if kept.block_time is None else min(kept.first_seen, kept.block_time)
        for output in kept.tx.outputs:
            own = view.scripts.get(output.script_pubkey)
            if own is not None and own.address in by_address:
                found[by_address[own.address]].append(
                    Receipt(txid, output.value, effect.status is TxStatus.CONFIRMED, seen)
                )
    return found


def evm_payments(
    history: Iterable[HistoryEntry], stored: Sequence[StoredRequest]
) -> dict[int, list[Receipt]]:
    """Return each request's payments on an EVM account (``allocate_evm``)."""
    asks = [
        EvmAsk(s.id, s.request.token, s.request.amount, s.request.created_at, s.request.expires_at)
        for s in stored
    ]
    return allocate_evm(asks, history)
