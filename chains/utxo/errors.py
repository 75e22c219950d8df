"""Errors of the UTXO family's backends and of the embedded devnet, under ``ChainError``.

The broadcast refusal ``TransactionRejected`` lives with the backend protocol
(``chains.utxo.backend``), where every backend finds it.
"""

from __future__ import annotations

from chains.errors import ChainError, DevnetStorageError

__all__ = [
    "BlockRejected",
    "DevnetError",
    "DevnetStorageError",
    "FaucetEmpty",
    "TransactionNotFound",
]


class TransactionNotFound(ChainError, LookupError):
    """A server knows no transaction with that id (neither confirmed nor in its mempool).

    Attributes:
        txid: the transaction asked for (display byte order).
        server: the server asked.
    """

    def __init__(self, message: str, txid: str, server: str) -> None:
        """Keep a user-facing message, the txid and the server."""
        super().__init__(message)
        self.txid = txid
        self.server = server


class DevnetError(ChainError):
    """A devnet-only operation (mining, funding, reorganising) could not be done."""


class BlockRejected(DevnetError):
    """libbitcoinkernel refused a block the devnet built.

    Attributes:
        block_hash: the block (display byte order).
        result: the kernel's ``BlockValidationResult`` name, for example ``"CONSENSUS"``.
        reason: the kernel's reject reason, for example ``"bad-cb-amount"``, when its log
            named one; otherwise the same as ``result``.
    """

    def __init__(self, message: str, block_hash: str, result: str, reason: str) -> None:
        """Keep a message, the block hash and the kernel's verdict."""
        super().__init__(message)
        self.block_hash = block_hash
        self.result = result
        self.reason = reason


class FaucetEmpty(DevnetError):
    """The devnet's faucet holds too few spendable (mature) coins for a ``fund`` call.

    Attributes:
        needed: the satoshis the call needed, fee included.
        available: the satoshis the faucet could spend.
    """

    def __init__(self, message: str, needed: int, available: int) -> None:
        """Keep a message and the amounts."""
        super().__init__(message)
        self.needed = needed
        self.available = available
