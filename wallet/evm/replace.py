"""Replacing a pending EVM transaction: speed-up (same transaction, higher fees) and cancel.

Both reuse the pending transaction's nonce with the fee cap and the tip each raised by at
least 10% (``chains.evm.nonces.replacement_fees``), never below the chosen level; a cancel is
a 0-value transfer to the account itself. Only a transaction this wallet sent, still pending
and whose nonce is not mined, can be replaced.
"""

from __future__ import annotations

from dataclasses import replace as with_fields

from chains.evm.backend import EvmBackend
from chains.evm.fees import TRANSFER_GAS, FeeEstimate, FeeQuote, check_fee_cap, estimate_fees
from chains.evm.l1fee import l1_fee
from chains.evm.nonces import bump, fetch_nonces, replacement_fees
from chains.evm.transfers import UnsignedTx, check_funds
from chains.evm.validate import check_hash
from keystore.signers.evm_signer import decode_signed
from keystore.signers.evm_summary import summarize
from keystore.types import EvmTxRequest, SummaryOutput
from wallet.errors import FeeTooLow, NotReplaceable, TransactionNotFound, translate_errors
from wallet.evm.context import EvmContext
from wallet.evm.drafting import FeeChoice, funds_in_coins, make_draft, quote_for
from wallet.evm.store import SentRow
from wallet.evm.types import EvmDraft
from wallet.types import FeeLevel, TxStatus

__all__ = ["cancel", "speed_up"]


def _pending_row(ctx: EvmContext, tx_hash: str) -> SentRow:
    with translate_errors():
        wanted = check_hash(tx_hash)
    for row in ctx.store.sent(ctx.account_id):
        if row.sent.tx_hash == wanted:
            if row.sent.status is not TxStatus.PENDING:
                raise NotReplaceable(
                    f"The transaction {wanted} is {row.sent.status.value}: only a pending "
                    "transaction can be sped up or cancelled."
                )
            return row
    raise TransactionNotFound(f"This account has sent no transaction {wanted}.")


def _replacement(
    ctx: EvmContext,
    tx_hash: str,
    fee: FeeChoice,
    max_fee_per_gas: int | None,
    max_priority_fee_per_gas: int | None,
    allow_high_fee: bool,
) -> tuple[SentRow, EvmTxRequest, FeeQuote, FeeEstimate, EvmBackend]:
    row = _pending_row(ctx, tx_hash)
    backend = ctx.backend()
    with translate_errors():
        original, _sender = decode_signed(row.raw, ctx.network.chain_id)
        mined, _pending = fetch_nonces(backend, ctx.address)
        if original.nonce < mined:
            raise NotReplaceable(
                f"The transaction {row.sent.tx_hash} can no longer be replaced: its nonce "
                f"{original.nonce} is already mined. Sync to see which transaction took it."
            )
        estimate = estimate_fees(backend)
    old = FeeQuote(
        "original",
        original.max_fee_per_gas,
        original.max_priority_fee_per_gas,
        original.gas_price,
    )
    if max_fee_per_gas is None and max_priority_fee_per_gas is None:
        quote = replacement_fees(old, estimate, FeeLevel.parse(fee).value)
    else:
        quote = quote_for(estimate, fee, max_fee_per_gas, max_priority_fee_per_gas, None)
        if quote.fee_per_gas < bump(old.fee_per_gas) or (
            old.max_priority_fee_per_gas is not None
            and (quote.max_priority_fee_per_gas or 0) < bump(old.max_priority_fee_per_gas)
        ):
            raise FeeTooLow(
                "A replacement must raise the fee cap and the priority fee by at least 10% "
                "over the transaction it replaces."
            )
    if not allow_high_fee:
        with translate_errors():
            check_fee_cap(quote, estimate, original.gas, ctx.network.symbol)
    return row, original, quote, estimate, backend


def speed_up(
    ctx: EvmContext,
    tx_hash: str,
    fee: FeeChoice = "fast",
    *,
    max_fee_per_gas: int | None = None,
    max_priority_fee_per_gas: int | None = None,
    allow_high_fee: bool = False,
) -> EvmDraft:
    """Prepare the same transaction with raised fees (same nonce). See ``EvmAccount``."""
    row, original, quote, _estimate, backend = _replacement(
        ctx, tx_hash, fee, max_fee_per_gas, max_priority_fee_per_gas, allow_high_fee
    )
    tx = UnsignedTx(
        original.chain_id,
        original.nonce,
        original.to or "",
        original.value,
        original.data,
        original.gas,
        quote.max_fee_per_gas,
        quote.max_priority_fee_per_gas,
        quote.gas_price,
    )
    with translate_errors():
        balance = backend.get_balance(ctx.address, "latest")
        l1 = l1_fee(backend, tx)
        with funds_in_coins(ctx.network, l1_fee=l1):
            check_funds(tx, balance, ctx.network.symbol, l1_fee=l1)
    outputs = tuple(_output_of(o) for o in row.summary)
    draft = make_draft(ctx, tx, outputs, kind="speed-up", replaces=row.sent.tx_hash, l1_fee=l1)
    # The stored summary keeps outputs only; a contract call other than a token transfer
    # (an approve, a call prepared with prepare_call) is summed up in words by the signer,
    # so the replacement shows the signer's own summary of it.
    with translate_errors():
        own = summarize(draft.request, ctx.signer_params(), ctx.address)
    return draft if own.contract_call is None else with_fields(draft, summary=own)


def cancel(
    ctx: EvmContext,
    tx_hash: str,
    fee: FeeChoice = "fast",
    *,
    max_fee_per_gas: int | None = None,
    max_priority_fee_per_gas: int | None = None,
    allow_high_fee: bool = False,
) -> EvmDraft:
    """Prepare a 0-value transfer to the account itself with the same nonce. See ``EvmAccount``."""
    row, original, quote, _estimate, backend = _replacement(
        ctx, tx_hash, fee, max_fee_per_gas, max_priority_fee_per_gas, allow_high_fee
    )
    tx = UnsignedTx(
        original.chain_id,
        original.nonce,
        ctx.address,
        0,
        b"",
        TRANSFER_GAS,
        quote.max_fee_per_gas,
        quote.max_priority_fee_per_gas,
        quote.gas_price,
    )
    with translate_errors():
        balance = backend.get_balance(ctx.address, "latest")
        l1 = l1_fee(backend, tx)
        with funds_in_coins(ctx.network, l1_fee=l1):
            check_funds(tx, balance, ctx.network.symbol, l1_fee=l1)
    outputs = (SummaryOutput(ctx.address, 0),)
    return make_draft(ctx, tx, outputs, kind="cancel", replaces=row.sent.tx_hash, l1_fee=l1)


def _output_of(stored: dict[str, object]) -> SummaryOutput:
    def opt_int(key: str) -> int | None:
        value = stored.get(key)
        return None if value is None else int(str(value))

    asset, contract = stored.get("asset"), stored.get("contract")
    return SummaryOutput(
        address=str(stored["address"]),
        amount=int(str(stored["amount"])),
        asset=None if asset is None else str(asset),
        decimals=opt_int("decimals"),
        contract=None if contract is None else str(contract),
        token_id=opt_int("token_id"),
    )
