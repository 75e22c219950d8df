"""Preparing a contract call: any call data to any contract, with its review.

A call follows the rules of every draft (``wallet.evm.drafting``: nonce, fee, gas, funds).
Its summary is the one the signer itself recomputes from the transaction
(``keystore.signers.evm_summary``), so the signer's check passes only for that very call;
its review (``wallet.evm.review``) reads it with the clear-signing descriptors and the
node's simulation, and a call no descriptor reads is blind.
"""

from __future__ import annotations

from dataclasses import replace

from chains.evm.backend import CallRequest
from chains.evm.fees import estimate_fees, estimate_gas_limit
from chains.evm.history import TransferKind
from chains.evm.transfers import TransferPlan
from chains.evm.validate import check_address
from keystore.signers.evm_summary import summarize
from wallet.amounts import Amount, to_base_units
from wallet.errors import InvalidTransactionField, translate_errors
from wallet.evm.context import EvmContext
from wallet.evm.drafting import FeeChoice, finish, quote_for
from wallet.evm.types import EvmDraft

__all__ = ["call_data", "prepare_call"]


def call_data(data: bytes | str) -> bytes:
    """Return call data given as bytes or as ``0x`` hex text.

    Raises:
        InvalidTransactionField: text that is not ``0x`` and an even number of hex digits.
    """
    if isinstance(data, bytes):
        return data
    text = data.strip()
    if not isinstance(data, str) or not text.lower().startswith("0x"):
        raise InvalidTransactionField("Call data is hex text starting with 0x.", "data")
    try:
        return bytes.fromhex(text[2:])
    except ValueError as e:
        raise InvalidTransactionField(
            "Call data is hex text starting with 0x, with an even number of hex digits.", "data"
        ) from e


def prepare_call(
    ctx: EvmContext,
    to: str,
    data: bytes | str,
    value: Amount = 0,
    fee: FeeChoice = "normal",
    *,
    max_fee_per_gas: int | None = None,
    max_priority_fee_per_gas: int | None = None,
    gas_price: int | None = None,
    gas_limit: int | None = None,
    nonce: int | None = None,
    allow_high_fee: bool = False,
) -> EvmDraft:
    """Prepare a call of a contract. See ``EvmAccount.prepare_call``."""
    payload = call_data(data)
    net = ctx.network
    wei = to_base_units(value, net.decimals, net.symbol) if value != 0 else 0
    backend = ctx.backend()
    with translate_errors():
        contract = check_address(to)
        plan = TransferPlan(TransferKind.NATIVE, contract, wei, contract, wei, payload)
        estimate = estimate_fees(backend)
        if gas_limit is None:
            gas_limit = estimate_gas_limit(
                backend, CallRequest(to=contract, data=payload, sender=ctx.address, value=wei)
            )
    quote = quote_for(estimate, fee, max_fee_per_gas, max_priority_fee_per_gas, gas_price)
    draft = finish(
        ctx,
        backend,
        plan,
        None,
        estimate,
        quote,
        gas_limit=gas_limit,
        nonce=nonce,
        allow_high_fee=allow_high_fee,
    )
    with translate_errors():
        summary = summarize(draft.request, ctx.signer_params(), ctx.address)
    return replace(draft, summary=summary)
