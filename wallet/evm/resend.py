"""Sending again the own transactions a node lost, during a sync (as UTXO accounts do).

A transaction the wallet broadcast can vanish from the node before it is mined: the node
restarted, evicted it from a full pool, or the one that took it was another node of a
fail-over list. A sync finds such a transaction pending in the wallet, unknown to the node,
and its nonce still unused (``wallet.evm.sync`` would mark it dropped). Its signed bytes are
still valid, so it is sent again, lowest nonce first (a nonce can only be mined after the
one below it), and stays pending.

Only transactions that were pending until this sync are sent again: one shown dropped
before (a refused resend, a block that a reorganisation took away) is never brought back
without the user, because its nonce may already be promised to a new payment.

A refusal does not fail the sync: the transaction is marked dropped and the sync's
``warnings`` say why and that its nonce goes to the next transaction; the later nonces of
the same account are not sent either (they could never be mined) and are marked dropped
too. A node that cannot be reached leaves the rest pending, for the next sync to try.
"""

from __future__ import annotations

from collections.abc import Sequence

from chains.errors import ChainError
from chains.evm.backend import EvmBackend
from chains.evm.errors import AlreadyKnown, NodeError, NonceTooLow
from wallet.evm.store import SentRow
from wallet.types import TxStatus

__all__ = ["SentUpdate", "resend_lost"]

SentUpdate = tuple[str, TxStatus, int | None, int | None]
"""A status change of an own transaction: hash, status, block number and fee (as stored)."""


def _lost(rows: Sequence[SentRow], updates: Sequence[SentUpdate]) -> list[SentRow]:
    """Return the rows this sync turns from pending to dropped, one per nonce, lowest first."""
    dropped = {h for h, status, _, _ in updates if status is TxStatus.DROPPED}
    by_nonce: dict[int, SentRow] = {}
    for row in rows:  # newest first: the first row of a nonce is its latest transaction
        s = row.sent
        if s.status is TxStatus.PENDING and s.tx_hash in dropped:
            by_nonce.setdefault(s.nonce, row)
    return [by_nonce[n] for n in sorted(by_nonce)]


def resend_lost(
    backend: EvmBackend, title: str, rows: Sequence[SentRow], updates: Sequence[SentUpdate]
) -> tuple[list[SentUpdate], list[str]]:
    """Send again the own pending transactions a sync found lost; return what to store.

    Args:
        backend: the node.
        title: the network's name for people (``"Ethereum"``).
        rows: the account's own transactions as stored before this sync, newest first.
        updates: the status changes this sync found (``wallet.evm.sync``).

    Returns:
        The status changes to store instead of ``updates`` (a transaction sent again, or
        one the node could not be asked about, stays pending), and the warnings, in words.
    """
    keep_pending: set[str] = set()
    warnings: list[str] = []
    refused_at: int | None = None
    for row in _lost(rows, updates):
        s = row.sent
        if refused_at is not None:
            warnings.append(
                f"{s.tx_hash} (nonce {s.nonce}), which the node no longer holds, was not sent "
                f"again: nonce {refused_at} before it was refused. It is marked dropped."
            )
            continue
        try:
            backend.send_raw_transaction(row.raw)
        except AlreadyKnown:
            pass  # the node has it after all (it answered between the two requests)
        except NonceTooLow:
            # Mined meanwhile by another transaction (another wallet of the same seed): the
            # next sync shows it replaced; the nonces above it can still be mined.
            warnings.append(
                f"{s.tx_hash}, which the node no longer holds, was not sent again: nonce "
                f"{s.nonce} was used meanwhile by another transaction of this account."
            )
            continue
        except NodeError as err:
            refused_at = s.nonce
            warnings.append(
                f"{title} refused {s.tx_hash}, which this wallet sent and the node no longer "
                f"holds, again: {str(err).rstrip('.')}. It is marked dropped, and its nonce "
                f"{s.nonce} goes to the next transaction."
            )
            continue
        except ChainError as err:
            warnings.append(
                f"Could not send {s.tx_hash} again: {err} It stays pending until the next sync."
            )
            keep_pending.update(
                r.sent.tx_hash for r in _lost(rows, updates) if r.sent.nonce >= s.nonce
            )
            break
        keep_pending.add(s.tx_hash)
    kept = [u for u in updates if u[0] not in keep_pending]
    return kept, warnings
