"""Would the node take it? ``testmempoolaccept`` on a signed UTXO transaction, before sending.

After the signer's own review and libbitcoinkernel's script check (``wallet.utxo.signing``),
a node that offers Bitcoin Core's ``testmempoolaccept`` (a ``core://`` server, the embedded
devnet) is asked whether its mempool would accept the signed transaction now: policy the
consensus check does not cover (relay fee, dust, a coin spent meanwhile, an unfinished
locktime). Nothing is sent. The Electrum protocol has no such call: the check then says it
is unavailable, and the node's answer comes with the broadcast.
"""

from __future__ import annotations

from dataclasses import dataclass

from chains.errors import Unsupported
from chains.utxo.backend import TransactionRejected
from wallet.errors import WalletError, translate_errors
from wallet.types import SignedTransaction
from wallet.utxo.context import UtxoContext
from wallet.utxo.refusals import REASONS

__all__ = ["MempoolCheck", "check_mempool"]


@dataclass(frozen=True, slots=True)
class MempoolCheck:
    """The node's answer to ``testmempoolaccept`` for a signed transaction.

    Attributes:
        available: the node offers ``testmempoolaccept``.
        allowed: its mempool would accept the transaction now (``None`` when unavailable).
        reason: the node's reject code when it would refuse it.
        explanation: that reason in words.
        vsize: the transaction's virtual size, as the node counts it.
        fee: the fee in base units, as the node counts it (accepted transactions).
        note: why the check is unavailable.
    """

    available: bool
    allowed: bool | None
    reason: str | None = None
    explanation: str | None = None
    vsize: int | None = None
    fee: int | None = None
    note: str | None = None

    def line(self) -> str:
        """Return the check in one line for a person."""
        if not self.available:
            return f"Mempool check: {self.note}"
        if self.allowed:
            size = f" ({self.vsize} vB)" if self.vsize is not None else ""
            return f"Mempool check (testmempoolaccept): the node would accept it{size}"
        return (
            f"Mempool check (testmempoolaccept): the node would REFUSE it ({self.reason}): "
            f"{self.explanation}"
        )


def _words(reason: str, detail: str | None = None) -> str:
    words = REASONS.get(reason)
    if words is None and "script-verify-flag" in reason:
        words = "a signature or script does not verify"
    return words or f"the node says {detail or reason}"


def check_mempool(ctx: UtxoContext, signed: SignedTransaction) -> MempoolCheck:
    """Ask the account's node whether its mempool would accept ``signed`` now.

    Raises:
        WalletError: ``signed`` is not a transaction of this account.
        BackendUnavailable: the node cannot be reached.
    """
    if signed.account_id != ctx.account_id or signed.network != ctx.network.name:
        raise WalletError("That transaction was not signed for this account.")
    with translate_errors():
        backend = ctx.backend()
        try:
            result = backend.test_accept(signed.raw)
        except Unsupported:
            note = f"unavailable: {backend.server_name} has no testmempoolaccept"
            return MempoolCheck(False, None, note=note)
        except TransactionRejected as err:
            return MempoolCheck(True, False, err.reason, _words(err.reason, err.detail))
    if result.allowed:
        return MempoolCheck(True, True, vsize=result.vsize, fee=result.fee)
    reason = result.reason or "unknown"
    return MempoolCheck(True, False, reason, _words(reason), result.vsize)
