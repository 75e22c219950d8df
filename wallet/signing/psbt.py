"""PSBT files on the watch-only side: read one back as a draft, combine, accept the signed one.

The online wallet writes a draft's PSBT to a file (or QR) and reads it back later, possibly
in another process (``coffer psbt create`` now, ``coffer psbt broadcast`` after the signer
is done). Reading it back does not trust the file: the summary is recomputed with the
keystore's own review from the account's public key (the same review a signer runs, minus
the private keys), every input must be a coin of this account, and the fee cap of the
wallet applies again.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from keystore.errors import InvalidPsbt as KeyInvalidPsbt
from keystore.signers.airgap import read_psbt_bytes
from keystore.signers.base import SigningContext
from keystore.signers.utxo_review import review_psbt
from primitives.psbt import Psbt, PsbtError
from primitives.psbt_roles import combine
from primitives.tx import OutPoint
from wallet.amounts import format_amount
from wallet.errors import FeeTooHigh, InvalidPsbt, WalletError, WatchOnly, translate_errors
from wallet.utxo.context import UtxoContext
from wallet.utxo.draft import UtxoDraft, utxo_params
from wallet.utxo.views import AccountView

__all__ = ["combine_psbts", "draft_from_psbt", "read_psbt"]


def read_psbt(data: bytes | str) -> Psbt:
    """Parse a PSBT file or pasted text: binary, or Base64 (line breaks allowed).

    Raises:
        InvalidPsbt: not a PSBT, or one that breaks BIP-174/370.
    """
    raw = data.encode("ascii", "replace") if isinstance(data, str) else data
    if not raw.strip():
        raise InvalidPsbt("The PSBT is empty.")
    try:
        return read_psbt_bytes(raw)
    except KeyInvalidPsbt as err:
        raise InvalidPsbt(str(err)) from None


def combine_psbts(items: Sequence[bytes | str]) -> bytes:
    """Merge the signatures of several copies of one PSBT (BIP-174 Combiner).

    Raises:
        InvalidPsbt: a copy cannot be read, or the copies are of different transactions.
    """
    psbts = [read_psbt(item) for item in items]
    if not psbts:
        raise InvalidPsbt("Nothing to combine: give two or more PSBTs of one transaction.")
    try:
        return combine(psbts).serialize()
    except PsbtError as err:
        raise InvalidPsbt(f"These PSBTs cannot be combined: {err}.") from None


def _share_cap(ctx: UtxoContext, amount: int, fee: int, allow_high_fee: bool) -> int:
    """Apply the wallet's fee share cap to a PSBT read back (no estimate is asked for)."""
    if allow_high_fee or amount <= 0:
        return fee
    cap = int(Decimal(amount) * ctx.fee_policy().max_share)
    if fee > cap:
        net = ctx.network
        raise FeeTooHigh(
            f"The PSBT's fee of {format_amount(fee, net.decimals, net.symbol)} is more than "
            f"the wallet's share of the {format_amount(amount, net.decimals, net.symbol)} sent; "
            "allow a high fee explicitly if you mean it.",
            fee,
            cap,
        )
    return cap


def draft_from_psbt(
    ctx: UtxoContext, data: bytes | str, *, allow_high_fee: bool = False
) -> UtxoDraft:
    """Read back a PSBT this account made (or one spending only its coins) as a draft.

    Raises:
        InvalidPsbt: not a PSBT.
        WatchOnly: the account has no key origin, so no PSBT can name its keys.
        SigningRefused: the review refused it (no input of this account, a key outside
            it, a fee above the cap...), saying why.
        WalletError: an input is not an unspent coin of this account as of the last sync.
        FeeTooHigh: the fee is above the wallet's share cap and ``allow_high_fee`` is not set.
    """
    psbt = read_psbt(data)
    if ctx.path is None or ctx.fingerprint is None:
        raise WatchOnly("This account was imported without its key origin (an xpub alone).")
    params = utxo_params(ctx.network)
    review_ctx = SigningContext(network=params, account_path=ctx.path)
    with translate_errors():
        review = review_psbt(psbt, ctx.fingerprint, ctx.xpub, review_ctx)
    view = AccountView(ctx.store, ctx.labels, ctx.account_id)
    tx = psbt.unsigned_tx()
    coins = []
    for n, txin in enumerate(tx.inputs):
        coin = view.state.coins.get(OutPoint(txin.prevout.txid, txin.prevout.vout))
        if coin is None:
            raise WalletError(
                f"Input {n} ({txin.prevout}) is not an unspent coin of this account as of "
                "the last sync: sync, or sign it with the wallet that owns it."
            )
        coins.append(coin)
    change = [n for n, out in enumerate(review.summary.outputs) if out.is_change]
    vsize = review.summary.vsize or 0
    fee = review.summary.fee
    rate = review.summary.fee_rate
    amount = sum(o.amount for o in review.summary.outputs if not o.is_change)
    return UtxoDraft(
        network=params.name,
        account_id=ctx.account_id,
        summary=review.summary,
        psbt=psbt.serialize(),
        inputs=tuple(coins),
        change_index=change[0] if change else None,
        fee=fee,
        vsize=vsize,
        fee_rate=rate if rate is not None else Decimal(0),
        fee_cap=_share_cap(ctx, amount, fee, allow_high_fee),
        kind="psbt",
    )
