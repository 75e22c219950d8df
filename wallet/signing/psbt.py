"""PSBT files on the watch-only side: read one back as a draft, combine, accept the signed one.

The online wallet writes a draft's PSBT to a file (or QR) and reads it back later, possibly
in another process (``coffer psbt create`` now, ``coffer psbt broadcast`` after the signer
is done). Reading it back does not trust the file: every input must be a coin of this
account in the wallet's own records (amounts from there), change is what pays the account's
change chain, and the fee cap of the wallet applies again.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from chains.utxo.sizes import estimate_vsize
from keystore.errors import InvalidPsbt as KeyInvalidPsbt
from keystore.signers.airgap import read_psbt_bytes
from keystore.types import SummaryOutput, TxSummary
from primitives.psbt import Psbt, PsbtError
from primitives.psbt_roles import combine
from wallet.amounts import format_amount
from wallet.errors import FeeTooHigh, InvalidPsbt, NothingToSign, WalletError
from wallet.utxo.context import CHANGE, UtxoContext
from wallet.utxo.draft import UtxoDraft, summary_address, utxo_params
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
    """Read back a PSBT spending this account's coins (unsigned, signed or final) as a draft.

    The summary is the wallet's own reading: every input must be an unspent coin of the
    account as of the last sync (so the amounts are the wallet's, not the file's), an output
    is change when it pays a script of the account's change chain, and the fee is what the
    coins hold less what the outputs pay. The signer recomputes its own summary again.

    Raises:
        InvalidPsbt: not a PSBT.
        NothingToSign: no input is a coin of this account.
        WalletError: some inputs are this account's and some are not.
        FeeTooHigh: the fee is above the wallet's share cap and ``allow_high_fee`` is not set.
    """
    psbt = read_psbt(data)
    params = utxo_params(ctx.network)
    view = AccountView(ctx.store, ctx.labels, ctx.account_id)
    try:
        tx = psbt.unsigned_tx()
    except PsbtError as err:
        raise InvalidPsbt(f"The PSBT's transaction cannot be built: {err}.") from None
    found = [view.state.coins.get(txin.prevout) for txin in tx.inputs]
    coins = [c for c in found if c is not None]
    if not coins:
        raise NothingToSign(
            f"No input of this PSBT is a coin of this {ctx.network.title} account (as of the "
            "last sync): it is another wallet's, or already spent."
        )
    if len(coins) != len(found):
        missing = next(n for n, c in enumerate(found) if c is None)
        raise WalletError(
            f"Input {missing} of this PSBT is not a coin of this account (as of the last "
            "sync): a PSBT mixing wallets is signed, not sent, from here."
        )
    own = view.scripts
    outputs = tuple(
        SummaryOutput(
            summary_address(out.script_pubkey, params),
            out.value,
            out.script_pubkey in own and own[out.script_pubkey].chain == CHANGE,
        )
        for out in tx.outputs
    )
    fee = sum(c.value for c in coins) - sum(o.value for o in tx.outputs)
    if fee < 0:
        raise InvalidPsbt("The PSBT's outputs pay more than its inputs hold.")
    vsize = estimate_vsize(
        [ctx.scripts.spend_size] * len(coins), [o.script_pubkey for o in tx.outputs]
    )
    amount = sum(o.amount for o in outputs if not o.is_change)
    summary = TxSummary(
        network=params.name, outputs=outputs, fee=fee, replaceable=tx.signals_rbf(), vsize=vsize
    )
    change = [n for n, out in enumerate(outputs) if out.is_change]
    return UtxoDraft(
        network=params.name,
        account_id=ctx.account_id,
        summary=summary,
        psbt=psbt.serialize(),
        inputs=tuple(coins),
        change_index=change[0] if change else None,
        fee=fee,
        vsize=vsize,
        fee_rate=(Decimal(fee) / Decimal(vsize)).quantize(Decimal("0.001")),
        fee_cap=_share_cap(ctx, amount, fee, allow_high_fee),
        kind="psbt",
    )
