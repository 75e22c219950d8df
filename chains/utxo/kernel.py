"""Script verification with libbitcoinkernel: Bitcoin Core's own consensus code, in-process.

Every Bitcoin transaction the wallet signs can be checked here input by input with the exact
interpreter Bitcoin Core runs (``py-bitcoinkernel``, import name ``pbk``), and the embedded
regtest devnet admits nothing to its mempool that fails it.
"""

from __future__ import annotations

from collections.abc import Sequence

import pbk

from chains.errors import ChainError
from primitives.tx import Transaction, TxOut

__all__ = ["ScriptVerificationFailed", "verify_transaction"]

_ALL_FLAGS = pbk.ScriptVerificationFlags.ALL


class ScriptVerificationFailed(ChainError):
    """An input of a transaction does not satisfy the script it spends.

    Attributes:
        txid: the transaction (display byte order).
        input_index: the first input that failed.
    """

    def __init__(self, message: str, txid: str, input_index: int) -> None:
        """Record which transaction and input failed."""
        super().__init__(message)
        self.txid = txid
        self.input_index = input_index


def verify_transaction(tx: Transaction, spent: Sequence[TxOut]) -> None:
    """Verify every input of ``tx`` against the output it spends, with all consensus flags.

    Args:
        tx: the signed transaction.
        spent: the outputs its inputs spend, in input order (value and script of each).

    Raises:
        ScriptVerificationFailed: an input's signature or script does not verify.
        ValueError: ``spent`` does not have one output per input.
    """
    if len(spent) != len(tx.inputs):
        raise ValueError(f"{len(tx.inputs)} inputs but {len(spent)} spent outputs were given")
    kernel_tx = pbk.Transaction(tx.serialize())
    outputs = [pbk.TransactionOutput(pbk.ScriptPubkey(o.script_pubkey), o.value) for o in spent]
    precomputed = pbk.script.PrecomputedTransactionData(kernel_tx, outputs)
    for index, out in enumerate(spent):
        try:
            ok = pbk.ScriptPubkey(out.script_pubkey).verify(
                out.value, kernel_tx, precomputed, index, _ALL_FLAGS
            )
        except pbk.ScriptVerifyException as err:
            raise ScriptVerificationFailed(
                f"Input {index} of {tx.txid} could not be verified: {err}.", tx.txid, index
            ) from err
        if not ok:
            raise ScriptVerificationFailed(
                f"Input {index} of {tx.txid} does not satisfy the script it spends.",
                tx.txid,
                index,
            )
