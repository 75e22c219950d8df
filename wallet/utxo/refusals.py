"""A node's refusal of a transaction, in words (Bitcoin Core's reject codes).

``broadcast`` turns a refusal into ``TransactionRefused`` (or ``FeeTooLow``); a sync's
rebroadcast turns it into a warning. Both read the reasons here.
"""

from __future__ import annotations

from chains.utxo.backend import TransactionRejected
from wallet.errors import FeeTooLow, TransactionRefused, WalletError

__all__ = ["ALREADY_KNOWN", "REASONS", "refusal"]

REASONS: dict[str, str] = {
    "txn-mempool-conflict": (
        "a coin it spends is already spent by another transaction in the node's mempool, "
        "which does not allow replacing it"
    ),
    "insufficient fee": (
        "as a replacement (BIP-125) it must pay more, in total and per vbyte, than what it replaces"
    ),
    "min relay fee not met": "its fee rate is below the node's minimum relay fee",
    "mempool min fee not met": "its fee rate is below what the node's full mempool accepts",
    "dust": "an output is below the dust limit",
    "bad-txns-inputs-missingorspent": "a coin it spends is already spent or unknown to the node",
    "missing-inputs": "a coin it spends is already spent or unknown to the node",
    "bad-txns-premature-spend-of-coinbase": (
        "it spends a mining reward that has not matured (100 blocks) yet"
    ),
    "non-final": "its locktime has not been reached yet",
    "bad-txns-in-belowout": "its outputs add up to more than its inputs",
    "too-long-mempool-chain": "too many of its ancestors are still unconfirmed",
    "replacement-adds-unconfirmed": "a replacement may not add unconfirmed inputs",
    "too many potential replacements": "it would replace too many transactions",
    "max-fee-exceeded": "its fee is above the node's own fee limit",
    "absurdly-high-fee": "its fee is above the node's own fee limit",
    "tx-size": "it is too large",
    "scriptpubkey": "an output script is non-standard",
}
"""The node's reject codes (Bitcoin Core's ``validation.cpp`` and ``policy``) in words."""

_FEE_REASONS = frozenset({"insufficient fee", "min relay fee not met", "mempool min fee not met"})
ALREADY_KNOWN = frozenset({"txn-already-in-mempool", "txn-already-known"})
"""Reject codes that mean the node has the transaction already: the broadcast reached it."""


def refusal(err: TransactionRejected, network_title: str) -> WalletError:
    """Return the public error for a node's refusal, its reason in words."""
    words = REASONS.get(err.reason)
    if words is None and "script-verify-flag" in err.reason:
        words = "a signature or script does not verify"
    text = words or f"the node says {err.detail}"
    message = (
        f"{network_title} refused the transaction ({err.reason}): {text}. Nothing was sent "
        "or recorded."
    )
    if err.reason in _FEE_REASONS:
        return FeeTooLow(message)
    return TransactionRefused(message, err.server, err.detail, err.reason)
