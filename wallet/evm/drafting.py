"""What every EVM draft shares: fee choice, nonce, gas, funds checks and the summary.

A draft gets its nonce from the node's pending count merged with the wallet's own in-flight
transactions (``chains.evm.nonces``: gaps are filled first and reported on the draft), its
fee from the network's levels (``chains.evm.fees``) or the user's own fees (refused when far
above the network's level unless allowed), its gas limit from the node's estimate plus a
margin, and is refused when the sender cannot pay the value plus the maximum fee (on OP
Stack chains with the L1 data fee, ``chains.evm.l1fee``). A nonce
given on purpose that a pending transaction of this wallet holds makes the draft that
transaction's replacement (``EvmDraft.replaces``); the node then wants its fees 10% higher.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from chains.addresses import parse_evm_address
from chains.evm.abi import encode_call
from chains.evm.backend import EvmBackend
from chains.evm.errors import InsufficientBalance
from chains.evm.fees import TRANSFER_GAS, FeeEstimate, FeeQuote, check_fee_cap, custom_quote
from chains.evm.l1fee import l1_fee as l1_data_fee
from chains.evm.nonces import NonceState, fetch_nonces, plan_nonce
from chains.evm.tokens import TokenInfo
from chains.evm.transfers import TransferPlan, UnsignedTx, build_transaction, check_funds
from chains.registry import EvmNetwork
from keystore.types import EvmTxRequest, SummaryOutput, TxSummary
from wallet.amounts import format_amount
from wallet.errors import (
    FloatAmountError,
    InsufficientFunds,
    InvalidAmount,
    InvalidTransactionField,
    NonceConflict,
    WalletError,
    translate_errors,
)
from wallet.evm.context import EvmContext
from wallet.evm.review import review_for
from wallet.evm.store import EvmStore
from wallet.evm.types import EvmDraft
from wallet.types import FeeLevel, TxStatus

__all__ = [
    "FeeChoice",
    "finish",
    "funds_in_coins",
    "in_flight",
    "make_draft",
    "nonce_state",
    "outputs_of",
    "quote_for",
    "read_token_balance",
    "recipient_of",
    "whole_field",
]

FeeChoice = FeeLevel | str
"""A fee level by value or name: ``"slow"``, ``"normal"`` or ``"fast"``."""


@contextmanager
def funds_in_coins(
    network: EvmNetwork, token: TokenInfo | None = None, l1_fee: int = 0
) -> Iterator[None]:
    """Turn the chain layer's shortfall (in wei or token base units) into coin units.

    A person reads ``1.00005775 ETH missing``, not ``1000057750000000000 wei``; programs
    still get ``shortfall`` in base units.

    Raises:
        InsufficientFunds: the account is short of the coin or of the token.
    """
    try:
        yield
    except InsufficientBalance as err:
        if err.asset == network.symbol:
            symbol, decimals = network.symbol, network.decimals
            what = "the amount plus the maximum fee"
            if l1_fee:
                what += f" (with an L1 data fee of {format_amount(l1_fee, decimals, symbol)})"
        else:
            known = token is not None and token.address.lower() == err.asset.lower()
            symbol = token.symbol if token is not None and known else f"the token {err.asset}"
            decimals = token.decimals if token is not None and known else 0
            what = "the amount to send"
        raise InsufficientFunds(
            f"Not enough {symbol}: {format_amount(err.shortfall, decimals, symbol)} missing; "
            f"{what} come to {format_amount(err.needed, decimals, symbol)} and the account "
            f"has {format_amount(err.available, decimals, symbol)}.",
            err.shortfall,
        ) from err


def in_flight(store: EvmStore, account_id: int) -> list[int]:
    """Return the nonces of the account's own transactions that are still pending."""
    return [r.sent.nonce for r in store.sent(account_id) if r.sent.status is TxStatus.PENDING]


def nonce_state(ctx: EvmContext) -> NonceState:
    """Return where the account's nonces stand. See ``EvmAccount.nonces``."""
    backend = ctx.backend()
    with translate_errors():
        mined, pending = fetch_nonces(backend, ctx.address)
    return plan_nonce(mined, pending, in_flight(ctx.store, ctx.account_id))


def quote_for(
    estimate: FeeEstimate,
    fee: FeeChoice,
    max_fee_per_gas: int | None,
    max_priority_fee_per_gas: int | None,
    gas_price: int | None,
) -> FeeQuote:
    """Return the quote of a fee level, or of the user's own fees (int wei, never float)."""
    if max_fee_per_gas is None and max_priority_fee_per_gas is None and gas_price is None:
        return estimate.level(FeeLevel.parse(fee).value)
    for value in (max_fee_per_gas, max_priority_fee_per_gas, gas_price):
        if isinstance(value, float):
            raise FloatAmountError()
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
            raise InvalidAmount("Fees per gas are whole numbers of wei.")
    try:
        return custom_quote(
            estimate,
            max_fee_per_gas=max_fee_per_gas,
            max_priority_fee_per_gas=max_priority_fee_per_gas,
            gas_price=gas_price,
        )
    except ValueError as err:
        raise WalletError(str(err)) from None


_MAX_NONCE = 2**64 - 2  # EIP-2681
_MAX_GAS = 2**64 - 1
_MAX_UINT256 = 2**256 - 1


def whole_field(value: object, field: str, what: str, low: int, high: int) -> int:
    """Check a nonce, gas limit or item id given by the caller: an int within ``low..high``.

    Raises:
        InvalidTransactionField: a float, a bool, another type, or out of range.
    """
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        top = f"{high:,}" if high < 10**20 else f"2**{high.bit_length()} - 1"
        raise InvalidTransactionField(
            f"The {what} must be a whole number from {low:,} to {top}, not {value!r:.40}.",
            field,
        )
    return value


def recipient_of(ctx: EvmContext, to: str) -> str:
    """Check a recipient for the account's network and return its EIP-55 form."""
    with translate_errors():
        return parse_evm_address(to, ctx.network)


def outputs_of(plan: TransferPlan, token: TokenInfo | None) -> tuple[SummaryOutput, ...]:
    """Return the summary outputs of a plan, with the token's labels for display."""
    if plan.contract is None:
        return (SummaryOutput(plan.recipient, plan.amount),)
    if plan.token_id is not None:
        return (
            SummaryOutput(
                plan.recipient,
                plan.amount,
                asset="NFT",
                contract=plan.contract,
                token_id=plan.token_id,
            ),
        )
    return (
        SummaryOutput(
            plan.recipient,
            plan.amount,
            asset=token.symbol if token else None,
            decimals=token.decimals if token else None,
            contract=plan.contract,
        ),
    )


def make_draft(
    ctx: EvmContext,
    tx: UnsignedTx,
    outputs: tuple[SummaryOutput, ...],
    *,
    kind: str = "send",
    replaces: str | None = None,
    gaps: tuple[int, ...] = (),
    l1_fee: int = 0,
) -> EvmDraft:
    """Turn an unsigned transaction and its outputs into a draft with its summary and review."""
    request = EvmTxRequest(
        chain_id=tx.chain_id,
        nonce=tx.nonce,
        to=tx.to,
        value=tx.value,
        data=tx.data,
        gas=tx.gas,
        max_fee_per_gas=tx.max_fee_per_gas,
        max_priority_fee_per_gas=tx.max_priority_fee_per_gas,
        gas_price=tx.gas_price,
    )
    summary = TxSummary(ctx.network.name, outputs, tx.max_fee, chain_id=tx.chain_id, nonce=tx.nonce)
    return EvmDraft(
        ctx.network.name,
        ctx.account_id,
        summary,
        request,
        kind,
        replaces,
        gaps,
        l1_fee,
        review=review_for(ctx, request),
    )


def read_token_balance(backend: EvmBackend, token: str, owner: str) -> int:
    """Return ``balanceOf(owner)`` of a token (0 when it answers no uint256)."""
    out = backend.call(token, encode_call("balanceOf(address)", owner))
    if len(out) != 32:
        return 0
    return int.from_bytes(out, "big")


def finish(
    ctx: EvmContext,
    backend: EvmBackend,
    plan: TransferPlan,
    token: TokenInfo | None,
    estimate: FeeEstimate,
    quote: FeeQuote,
    *,
    gas_limit: int | None,
    nonce: int | None,
    allow_high_fee: bool,
    token_balance: int | None = None,
    l1_fee: int | None = None,
) -> EvmDraft:
    """Give a plan its nonce, gas and fee, check fee cap and funds, and make the draft.

    On an OP Stack chain the L1 data fee (``chains.evm.l1fee``) joins the maximum fee and
    the funds check; ``l1_fee`` gives it when the caller already reserved it (send-max).

    Raises:
        InvalidTransactionField: a nonce or gas limit that is no whole number in range (a
            transaction needs at least 21,000 gas).
    """
    if nonce is not None:
        whole_field(nonce, "nonce", "nonce", 0, _MAX_NONCE)
    if gas_limit is not None:
        whole_field(gas_limit, "gas_limit", "gas limit", TRANSFER_GAS, _MAX_GAS)
    store = ctx.store
    net = ctx.network
    # A nonce chosen on purpose that a pending own transaction holds replaces that one.
    replaces = next(
        (
            r.sent.tx_hash
            for r in store.sent(ctx.account_id)
            if nonce is not None and r.sent.nonce == nonce and r.sent.status is TxStatus.PENDING
        ),
        None,
    )
    with translate_errors(), funds_in_coins(net, token):
        mined, pending = fetch_nonces(backend, ctx.address)
        state = plan_nonce(mined, pending, in_flight(store, ctx.account_id))
        chosen = state.next_nonce if nonce is None else nonce
        if nonce is not None and nonce < mined:
            raise NonceConflict(
                f"Nonce {nonce} is already used by a mined transaction of this account.", nonce
            )
        balance = backend.get_balance(ctx.address, "pending")
        if token_balance is None and plan.contract is not None and plan.token_id is None:
            token_balance = read_token_balance(backend, plan.contract, ctx.address)
        if token_balance is not None and plan.contract is not None:
            # A token transfer the sender cannot cover would revert the estimate: say why.
            check_funds(
                UnsignedTx(net.chain_id, chosen, plan.to, 0, b"", 0),
                balance,
                net.symbol,
                token_balance,
                plan,
            )
        tx = build_transaction(backend, ctx.address, plan, quote, chosen, gas_limit)
        if not allow_high_fee:
            check_fee_cap(quote, estimate, tx.gas, net.symbol)
        l1 = l1_data_fee(backend, tx) if l1_fee is None else l1_fee
        with funds_in_coins(net, token, l1):
            check_funds(tx, balance, net.symbol, token_balance, plan, l1)
    return make_draft(
        ctx, tx, outputs_of(plan, token), replaces=replaces, gaps=state.gaps, l1_fee=l1
    )
