"""Building unsigned EVM transactions: native coin, ERC-20, ERC-721 and ERC-1155 transfers.

A ``TransferPlan`` says what moves (call data from the token standards: EIP-20 ``transfer``,
EIP-721 ``safeTransferFrom``, EIP-1155 ``safeTransferFrom``); ``build_transaction`` adds the
nonce, gas limit and fees and checks that the sender can pay. The result is an
``UnsignedTx``, the plain data the wallet turns into the keystore's ``EvmTxRequest``: this
layer never sees a key.

Two recipients are refused because what is sent there is lost: the zero address (no key
exists for it) and, for a token, the token's own contract (tokens sent to it are stuck, the
most common token-loss mistake).
"""

from __future__ import annotations

from dataclasses import dataclass

from chains.evm import _parse as p
from chains.evm.abi import encode_call
from chains.evm.backend import CallRequest, EvmBackend
from chains.evm.errors import InsufficientBalance, RecipientRefused
from chains.evm.fees import TRANSFER_GAS, FeeQuote, estimate_gas_limit
from chains.evm.history import TransferKind

__all__ = [
    "ZERO_ADDRESS",
    "TransferPlan",
    "UnsignedTx",
    "build_transaction",
    "check_funds",
    "erc20_transfer",
    "erc721_transfer",
    "erc1155_transfer",
    "max_native_amount",
    "native_transfer",
]

ZERO_ADDRESS = "0x0000000000000000000000000000000000000000"


@dataclass(frozen=True, slots=True)
class TransferPlan:
    """What one transaction moves, before nonce and fees.

    Attributes:
        kind: native coin, ERC-20, ERC-721 or ERC-1155.
        recipient: who receives (EIP-55).
        amount: wei, token base units, or the number of items (1 for ERC-721).
        to: the transaction's recipient: ``recipient`` for the native coin, else the contract.
        value: wei the transaction carries.
        data: its call data.
        contract: the token contract, ``None`` for the native coin.
        token_id: the ERC-721/1155 item.
    """

    kind: TransferKind
    recipient: str
    amount: int
    to: str
    value: int
    data: bytes = b""
    contract: str | None = None
    token_id: int | None = None


@dataclass(frozen=True, slots=True)
class UnsignedTx:
    """An unsigned EVM transaction as plain data (EIP-1559 type 2, or legacy with EIP-155).

    Attributes mirror the keystore's ``EvmTxRequest``: ``chain_id``, ``nonce``, ``to``,
    ``value`` (wei), ``data``, ``gas`` and either both EIP-1559 fee fields or ``gas_price``.
    """

    chain_id: int
    nonce: int
    to: str
    value: int
    data: bytes
    gas: int
    max_fee_per_gas: int | None = None
    max_priority_fee_per_gas: int | None = None
    gas_price: int | None = None

    @property
    def fee_per_gas(self) -> int:
        """Return the most the transaction pays per gas."""
        if self.gas_price is not None:
            return self.gas_price
        return self.max_fee_per_gas or 0

    @property
    def max_fee(self) -> int:
        """Return the most the transaction can cost in fees, in wei (gas limit x fee cap)."""
        return self.gas * self.fee_per_gas


def _refuse_zero(recipient: str) -> str:
    address = p.check_address(recipient)
    if address == ZERO_ADDRESS:
        raise RecipientRefused(
            "Sending to the zero address burns what is sent: nobody holds its key.",
            address,
            "zero-address",
        )
    return address


def _refuse_own_contract(contract: str, recipient: str) -> tuple[str, str]:
    token = p.check_address(contract)
    address = _refuse_zero(recipient)
    if address == token:
        raise RecipientRefused(
            f"That is the token's own contract ({token}): tokens sent to it are lost. Send "
            "them to a person's or an exchange's address instead.",
            address,
            "token-contract",
        )
    return token, address


def _positive(amount: int, what: str) -> None:
    if isinstance(amount, bool) or not isinstance(amount, int) or amount < 0:
        raise ValueError(f"The {what} must be a whole number of base units, 0 or more.")


def native_transfer(recipient: str, amount: int) -> TransferPlan:
    """Plan a transfer of the native coin (``amount`` wei).

    Raises:
        MalformedAddress: the recipient is not an EVM address.
        InvalidAddressChecksum: it fails its EIP-55 checksum.
        RecipientRefused: it is the zero address.
    """
    _positive(amount, "amount")
    address = _refuse_zero(recipient)
    return TransferPlan(TransferKind.NATIVE, address, amount, address, amount)


def erc20_transfer(token: str, recipient: str, amount: int) -> TransferPlan:
    """Plan an ERC-20 ``transfer(recipient, amount)`` (EIP-20, "transfer").

    Raises:
        RecipientRefused: the zero address, or the token's own contract.
    """
    _positive(amount, "amount")
    contract, address = _refuse_own_contract(token, recipient)
    data = encode_call("transfer(address,uint256)", address, amount)
    return TransferPlan(TransferKind.ERC20, address, amount, contract, 0, data, contract)


def erc721_transfer(contract: str, sender: str, recipient: str, token_id: int) -> TransferPlan:
    """Plan an ERC-721 ``safeTransferFrom(sender, recipient, token_id)`` (EIP-721).

    Raises:
        RecipientRefused: the zero address, or the collection's own contract.
    """
    _positive(token_id, "item id")
    token, address = _refuse_own_contract(contract, recipient)
    data = encode_call(
        "safeTransferFrom(address,address,uint256)", p.check_address(sender), address, token_id
    )
    return TransferPlan(TransferKind.ERC721, address, 1, token, 0, data, token, token_id)


def erc1155_transfer(
    contract: str, sender: str, recipient: str, token_id: int, amount: int
) -> TransferPlan:
    """Plan an ERC-1155 ``safeTransferFrom(sender, recipient, id, amount, "")`` (EIP-1155).

    Raises:
        RecipientRefused: the zero address, or the collection's own contract.
    """
    _positive(token_id, "item id")
    _positive(amount, "number of items")
    token, address = _refuse_own_contract(contract, recipient)
    data = encode_call(
        "safeTransferFrom(address,address,uint256,uint256,bytes)",
        p.check_address(sender),
        address,
        token_id,
        amount,
        b"",
    )
    return TransferPlan(TransferKind.ERC1155, address, amount, token, 0, data, token, token_id)


def check_funds(
    tx: UnsignedTx,
    native_balance: int,
    symbol: str,
    token_balance: int | None = None,
    plan: TransferPlan | None = None,
    l1_fee: int = 0,
) -> None:
    """Check that the sender can pay the value plus the maximum fee (and hold the tokens).

    ``l1_fee`` is an OP Stack chain's L1 data fee (``chains.evm.l1fee``), paid on top of the
    gas and counted in the maximum fee.

    Raises:
        InsufficientBalance: the coin or the token is short; ``shortfall`` says by how much.
    """
    token = plan.contract if plan is not None else None
    wanted = plan.amount if plan is not None else 0
    if token is not None and token_balance is not None and token_balance < wanted:
        raise InsufficientBalance(
            f"The account holds {token_balance} base units of the token {token}; "
            f"{wanted} are to be sent.",
            token,
            wanted,
            token_balance,
        )
    needed = tx.value + tx.max_fee + l1_fee
    if native_balance < needed:
        l1 = f" (with an L1 data fee of {l1_fee} wei)" if l1_fee else ""
        raise InsufficientBalance(
            f"The account has {native_balance} wei of {symbol}; the amount plus the maximum "
            f"fee{l1} come to {needed} wei ({needed - native_balance} wei missing).",
            symbol,
            needed,
            native_balance,
        )


def max_native_amount(balance: int, gas: int, fee: FeeQuote, symbol: str, l1_fee: int = 0) -> int:
    """Return the most wei a transfer can send: the balance less the maximum fee.

    ``l1_fee`` is an OP Stack chain's L1 data fee (``chains.evm.l1fee``), also left unsent.

    Raises:
        InsufficientBalance: the balance does not cover the fee.
    """
    max_fee = gas * fee.fee_per_gas + l1_fee
    if balance <= max_fee:
        raise InsufficientBalance(
            f"The account has {balance} wei of {symbol}, not more than the maximum fee of "
            f"{max_fee} wei: nothing is left to send.",
            symbol,
            max_fee + 1,
            balance,
        )
    return balance - max_fee


def build_transaction(
    backend: EvmBackend,
    sender: str,
    plan: TransferPlan,
    fee: FeeQuote,
    nonce: int,
    gas: int | None = None,
) -> UnsignedTx:
    """Give a plan its nonce, gas limit and fees.

    Args:
        backend: the node (for the gas estimate and the chain id).
        sender: the sending account.
        plan: what moves.
        fee: the fee fields.
        nonce: the nonce (``plan_nonce``'s ``next_nonce``, or a replaced transaction's).
        gas: a gas limit; the node's estimate plus a margin when omitted.

    Raises:
        ExecutionReverted: the transaction would revert (a token the sender lacks...).
    """
    if gas is None:
        request = CallRequest(
            to=plan.to, data=plan.data, sender=p.check_address(sender), value=plan.value
        )
        gas = (
            TRANSFER_GAS
            if plan.kind is TransferKind.NATIVE and not _has_code(backend, plan.to)
            else estimate_gas_limit(backend, request)
        )
    return UnsignedTx(
        chain_id=backend.network.chain_id,
        nonce=nonce,
        to=plan.to,
        value=plan.value,
        data=plan.data,
        gas=gas,
        max_fee_per_gas=fee.max_fee_per_gas,
        max_priority_fee_per_gas=fee.max_priority_fee_per_gas,
        gas_price=fee.gas_price,
    )


def _has_code(backend: EvmBackend, address: str) -> bool:
    return bool(backend.get_code(address))
