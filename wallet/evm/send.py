"""Preparing EVM transfers: the native coin, ERC-20 tokens, send-max and collectibles.

Every function returns an ``EvmDraft`` and sends nothing (see ``wallet.evm.drafting`` for the
nonce, fee, gas and funds rules every draft follows).
"""

from __future__ import annotations

from chains.evm.abi import encode_call
from chains.evm.backend import EvmBackend
from chains.evm.errors import ExecutionReverted
from chains.evm.fees import TRANSFER_GAS, estimate_fees
from chains.evm.l1fee import l1_fee
from chains.evm.tokens import TokenInfo
from chains.evm.transfers import (
    build_transaction,
    erc20_transfer,
    erc721_transfer,
    erc1155_transfer,
    max_native_amount,
    native_transfer,
)
from chains.evm.validate import check_address
from wallet.amounts import Amount, to_base_units
from wallet.errors import InsufficientFunds, WalletError, translate_errors
from wallet.evm.context import EvmContext
from wallet.evm.drafting import (
    FeeChoice,
    finish,
    funds_in_coins,
    quote_for,
    recipient_of,
    whole_field,
)
from wallet.evm.types import EvmDraft

__all__ = ["prepare_nft_transfer", "prepare_send", "send_max"]

_ERC721 = bytes.fromhex("80ac58cd")  # EIP-165 interface ids: EIP-721 and EIP-1155
_ERC1155 = bytes.fromhex("d9b67a26")


def prepare_send(
    ctx: EvmContext,
    to: str,
    amount: Amount,
    fee: FeeChoice = "normal",
    *,
    token: str | None = None,
    max_fee_per_gas: int | None = None,
    max_priority_fee_per_gas: int | None = None,
    gas_price: int | None = None,
    gas_limit: int | None = None,
    nonce: int | None = None,
    allow_high_fee: bool = False,
) -> EvmDraft:
    """Prepare a transfer of the native coin or of an ERC-20 token.

    See ``EvmAccount.prepare_send`` for the arguments and errors.
    """
    recipient = recipient_of(ctx, to)
    backend = ctx.backend()
    info: TokenInfo | None = None
    net = ctx.network
    if token is not None:
        info = ctx.tokens.find(token)
        units = to_base_units(amount, info.decimals, info.symbol)
        with translate_errors():
            plan = erc20_transfer(info.address, recipient, units)
    else:
        units = to_base_units(amount, net.decimals, net.symbol)
        with translate_errors():
            plan = native_transfer(recipient, units)
    with translate_errors():
        estimate = estimate_fees(backend)
    quote = quote_for(estimate, fee, max_fee_per_gas, max_priority_fee_per_gas, gas_price)
    return finish(
        ctx,
        backend,
        plan,
        info,
        estimate,
        quote,
        gas_limit=gas_limit,
        nonce=nonce,
        allow_high_fee=allow_high_fee,
    )


def send_max(
    ctx: EvmContext,
    to: str,
    fee: FeeChoice = "normal",
    *,
    max_fee_per_gas: int | None = None,
    max_priority_fee_per_gas: int | None = None,
    gas_price: int | None = None,
    allow_high_fee: bool = False,
) -> EvmDraft:
    """Prepare a transfer of the whole native balance less the maximum fee.

    On an OP Stack chain the maximum fee includes the L1 data fee's upper bound.
    See ``EvmAccount.send_max``.
    """
    recipient = recipient_of(ctx, to)
    backend = ctx.backend()
    net = ctx.network
    with translate_errors():
        native_transfer(recipient, 0)  # the recipient checks (zero address)
        estimate = estimate_fees(backend)
        code = backend.get_code(recipient)
        balance = backend.get_balance(ctx.address, "pending")
    quote = quote_for(estimate, fee, max_fee_per_gas, max_priority_fee_per_gas, gas_price)
    gas = TRANSFER_GAS
    if code:
        with translate_errors():
            probe = build_transaction(backend, ctx.address, native_transfer(recipient, 1), quote, 0)
        gas = probe.gas
    with translate_errors():
        # OP Stack: the L1 data fee is left too, sized for the whole balance and any nonce
        # (the oracle's upper bound, so the node never finds the balance short of it).
        whole = build_transaction(
            backend, ctx.address, native_transfer(recipient, balance), quote, 0, gas
        )
        l1 = l1_fee(backend, whole, any_nonce=True)
        with funds_in_coins(net, l1_fee=l1):
            value = max_native_amount(balance, gas, quote, net.symbol, l1)
        plan = native_transfer(recipient, value)
    return finish(
        ctx,
        backend,
        plan,
        None,
        estimate,
        quote,
        gas_limit=gas,
        nonce=None,
        allow_high_fee=allow_high_fee,
        l1_fee=l1,
    )


def _standard(backend: EvmBackend, contract: str) -> str:
    """Return ``"erc721"`` or ``"erc1155"`` from the contract's EIP-165 answers."""
    for interface, name in ((_ERC721, "erc721"), (_ERC1155, "erc1155")):
        try:
            out = backend.call(contract, encode_call("supportsInterface(bytes4)", interface))
        except ExecutionReverted:
            continue
        if len(out) == 32 and out[-1] == 1:
            return name
    raise WalletError(f"The contract {contract} is neither an ERC-721 nor an ERC-1155 collection.")


def prepare_nft_transfer(
    ctx: EvmContext,
    to: str,
    contract: str,
    token_id: int,
    amount: int = 1,
    fee: FeeChoice = "normal",
    *,
    max_fee_per_gas: int | None = None,
    max_priority_fee_per_gas: int | None = None,
    allow_high_fee: bool = False,
) -> EvmDraft:
    """Prepare a transfer of an ERC-721 item or ERC-1155 items. See ``EvmAccount``."""
    whole_field(token_id, "token_id", "item id", 0, 2**256 - 1)
    amount = to_base_units(amount, 0, "items")  # at least one; never a float
    recipient = recipient_of(ctx, to)
    backend = ctx.backend()
    with translate_errors():
        collection = check_address(contract)
        standard = _standard(backend, collection)
        if standard == "erc721":
            if amount != 1:
                raise WalletError("An ERC-721 item is unique: its amount is 1.")
            owner = backend.call(collection, encode_call("ownerOf(uint256)", token_id))
            held = 1 if owner[-20:] == bytes.fromhex(ctx.address[2:]) else 0
            plan = erc721_transfer(collection, ctx.address, recipient, token_id)
        else:
            out = backend.call(
                collection, encode_call("balanceOf(address,uint256)", ctx.address, token_id)
            )
            held = int.from_bytes(out, "big") if len(out) == 32 else 0
            plan = erc1155_transfer(collection, ctx.address, recipient, token_id, amount)
        if held < amount:
            raise InsufficientFunds(
                f"The account holds {held} of item {token_id} of {collection}; {amount} are "
                "to be sent.",
                amount - held,
            )
        estimate = estimate_fees(backend)
    quote = quote_for(estimate, fee, max_fee_per_gas, max_priority_fee_per_gas, None)
    return finish(
        ctx,
        backend,
        plan,
        None,
        estimate,
        quote,
        gas_limit=None,
        nonce=None,
        allow_high_fee=allow_high_fee,
    )
