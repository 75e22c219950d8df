"""The EVM backend protocol: what every EVM node kind offers the wallet, as typed values.

A backend is transport to one EVM node kind (Ethereum JSON-RPC over HTTP or WebSocket, the
embedded eth-tester chain). It knows nothing about accounts, tokens or history: adapters in
``chains.evm`` build those from the calls below. Every backend checks the chain id of its node
on connect and turns timeouts, socket errors and garbage into ``BackendUnavailable`` /
``BackendProtocolError`` naming the server; JSON-RPC error objects become ``NodeError`` or one
of its subclasses from ``chains.evm.errors``.

Values crossing this interface are frozen dataclasses: quantities are ``int`` (wei, gas),
byte strings are ``bytes``, addresses are EIP-55 checksummed ``str`` and hashes are
``0x``-prefixed lowercase hex ``str``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal, NewType, Protocol, TypeAlias, runtime_checkable

from chains.registry import EvmNetwork

__all__ = [
    "Block",
    "BlockTag",
    "CallRequest",
    "EvmBackend",
    "EvmTransaction",
    "FeeHistory",
    "JsonValue",
    "Log",
    "LogFilter",
    "Receipt",
    "RpcCall",
    "RpcError",
    "RpcOutcome",
    "TxHash",
    "Wei",
    "block_param",
]

Wei = NewType("Wei", int)
"""An amount of the native coin in wei (10**-18 of a coin on every current network)."""

TxHash = NewType("TxHash", str)
"""A transaction hash: ``0x`` and 64 lowercase hex digits."""

BlockTag: TypeAlias = int | Literal["latest", "pending", "earliest", "safe", "finalized"]
"""A block by number, or one of the JSON-RPC block tags."""

JsonValue: TypeAlias = (
    bool | int | Decimal | str | list["JsonValue"] | dict[str, "JsonValue"] | None
)
"""A JSON value from a node's answer; non-integer numbers are ``Decimal``, never float."""


def block_param(block: BlockTag) -> str:
    """Return the JSON-RPC form of a block: a hex quantity or the tag itself."""
    if isinstance(block, bool):
        raise TypeError("a block is a number or a tag, not a bool")
    if isinstance(block, int):
        if block < 0:
            raise ValueError(f"block number {block} is negative")
        return hex(block)
    return block


@dataclass(frozen=True, slots=True)
class RpcCall:
    """One raw JSON-RPC request for ``EvmBackend.batch``.

    Attributes:
        method: the JSON-RPC method, for example ``"eth_getBalance"``.
        params: its positional parameters, already in JSON-RPC form.
    """

    method: str
    params: tuple[JsonValue, ...] = ()


@dataclass(frozen=True, slots=True)
class RpcError:
    """A JSON-RPC error object answered for one call of a batch (a value, not an exception).

    Attributes:
        code: the JSON-RPC error code.
        message: the node's error text.
        data: the error's ``data`` member as hex (revert data), if any.
    """

    code: int
    message: str
    data: str | None = None


RpcOutcome: TypeAlias = JsonValue | RpcError
"""The answer to one call of a batch: the ``result`` member, or the error object."""


@dataclass(frozen=True, slots=True)
class CallRequest:
    """The fields of a call or gas estimate (``eth_call`` / ``eth_estimateGas``).

    Attributes:
        to: the recipient or contract, ``None`` to estimate a contract creation.
        data: the call data.
        sender: the ``from`` address, if the call depends on it.
        value: wei sent along.
        gas: a gas limit for the call, or ``None`` for the node's default.
        gas_price: a legacy gas price, if the estimate must account for it.
        max_fee_per_gas: the EIP-1559 fee cap, if any.
        max_priority_fee_per_gas: the EIP-1559 tip, if any.
    """

    to: str | None
    data: bytes = b""
    sender: str | None = None
    value: int = 0
    gas: int | None = None
    gas_price: int | None = None
    max_fee_per_gas: int | None = None
    max_priority_fee_per_gas: int | None = None


@dataclass(frozen=True, slots=True)
class FeeHistory:
    """The answer of ``eth_feeHistory`` (EIP-1559 fee fields).

    Attributes:
        oldest_block: the number of the first block covered.
        base_fee_per_gas: base fees in wei per block, one more than the blocks covered (the
            last is the next block's base fee).
        gas_used_ratio: how full each block was, between 0 and 1.
        reward: per block, the priority fees in wei at the requested percentiles.
    """

    oldest_block: int
    base_fee_per_gas: tuple[int, ...]
    gas_used_ratio: tuple[Decimal, ...]
    reward: tuple[tuple[int, ...], ...]


@dataclass(frozen=True, slots=True)
class EvmTransaction:
    """A transaction as a node reports it.

    Attributes:
        hash: the transaction hash.
        sender: the ``from`` address.
        to: the recipient, ``None`` for a contract creation.
        value: wei transferred.
        nonce: the sender's nonce.
        gas: the gas limit.
        input: the call data.
        tx_type: the EIP-2718 type (0 legacy, 1 access list, 2 EIP-1559, ...).
        gas_price: the gas price (for mined EIP-1559 transactions, the effective price).
        max_fee_per_gas: the EIP-1559 fee cap, ``None`` for legacy transactions.
        max_priority_fee_per_gas: the EIP-1559 tip, ``None`` for legacy transactions.
        chain_id: the chain id the transaction was signed for, if it carries one.
        block_number: the block holding it, ``None`` while pending.
        block_hash: that block's hash, ``None`` while pending.
        transaction_index: its position in that block, ``None`` while pending.
    """

    hash: TxHash
    sender: str
    to: str | None
    value: int
    nonce: int
    gas: int
    input: bytes
    tx_type: int
    gas_price: int | None
    max_fee_per_gas: int | None
    max_priority_fee_per_gas: int | None
    chain_id: int | None
    block_number: int | None
    block_hash: str | None
    transaction_index: int | None


@dataclass(frozen=True, slots=True)
class Log:
    """One event log (``eth_getLogs`` or a receipt's ``logs``).

    Attributes:
        address: the contract that emitted it.
        topics: the indexed topics, 32 bytes each; ``topics[0]`` is the event signature hash.
        data: the non-indexed data.
        block_number: the block holding the log.
        block_hash: that block's hash.
        transaction_hash: the transaction that emitted it.
        transaction_index: that transaction's position in the block.
        log_index: the log's position in the block.
        removed: ``True`` when a reorg removed the log (subscriptions only).
    """

    address: str
    topics: tuple[bytes, ...]
    data: bytes
    block_number: int
    block_hash: str
    transaction_hash: TxHash
    transaction_index: int
    log_index: int
    removed: bool = False


@dataclass(frozen=True, slots=True)
class Receipt:
    """A mined transaction's receipt.

    Attributes:
        transaction_hash: the transaction.
        block_number: the block holding it.
        block_hash: that block's hash.
        transaction_index: its position in the block.
        sender: the ``from`` address.
        to: the recipient, ``None`` for a contract creation.
        success: ``True`` for status 1, ``False`` when the transaction reverted.
        gas_used: gas used by this transaction.
        cumulative_gas_used: gas used in the block up to and including this transaction.
        effective_gas_price: the wei per gas actually paid.
        contract_address: the created contract, for a contract creation.
        logs: the logs the transaction emitted.
    """

    transaction_hash: TxHash
    block_number: int
    block_hash: str
    transaction_index: int
    sender: str
    to: str | None
    success: bool
    gas_used: int
    cumulative_gas_used: int
    effective_gas_price: int
    contract_address: str | None
    logs: tuple[Log, ...]

    @property
    def fee(self) -> Wei:
        """Return the fee paid in wei (gas used times the effective gas price)."""
        return Wei(self.gas_used * self.effective_gas_price)


@dataclass(frozen=True, slots=True)
class LogFilter:
    """An ``eth_getLogs`` filter.

    Attributes:
        from_block: the first block searched.
        to_block: the last block searched.
        addresses: contracts whose logs are wanted; empty for every contract.
        topics: per topic position, ``None`` for any value, or the accepted 32-byte values.
    """

    from_block: BlockTag = "earliest"
    to_block: BlockTag = "latest"
    addresses: tuple[str, ...] = ()
    topics: tuple[tuple[bytes, ...] | None, ...] = ()


@dataclass(frozen=True, slots=True)
class Block:
    """A block header with its transactions.

    Attributes:
        number: the height.
        hash: the block hash.
        parent_hash: the parent's hash.
        timestamp: seconds since the Unix epoch.
        gas_limit: the block's gas limit.
        gas_used: gas used by its transactions.
        base_fee_per_gas: the EIP-1559 base fee, ``None`` before London.
        miner: the fee recipient.
        transaction_hashes: the hashes of its transactions, in order.
        transactions: the full transactions when asked for, otherwise empty.
    """

    number: int
    hash: str
    parent_hash: str
    timestamp: int
    gas_limit: int
    gas_used: int
    base_fee_per_gas: int | None
    miner: str
    transaction_hashes: tuple[TxHash, ...]
    transactions: tuple[EvmTransaction, ...] = ()


@runtime_checkable
class EvmBackend(Protocol):
    """Transport to one EVM node: the calls a wallet needs, with typed answers.

    Every method may raise ``chains.errors.BackendUnavailable`` (the node cannot be reached,
    timed out or went away), ``chains.errors.BackendProtocolError`` (it answered garbage) or
    ``chains.evm.errors.NodeError`` (it answered a JSON-RPC error); the methods list only what
    they add to these.
    """

    @property
    def network(self) -> EvmNetwork:
        """Return the network this backend serves (its chain id was checked on connect)."""
        ...

    @property
    def server(self) -> str:
        """Return a name for the node in messages: its URL, or ``"embedded"``."""
        ...

    def chain_id(self) -> int:
        """Return the node's chain id (``eth_chainId``)."""
        ...

    def block_number(self) -> int:
        """Return the number of the node's latest block."""
        ...

    def get_balance(self, address: str, block: BlockTag = "latest") -> Wei:
        """Return the native-coin balance of ``address`` in wei."""
        ...

    def get_transaction_count(self, address: str, block: BlockTag = "pending") -> int:
        """Return the nonce of ``address``: mined transactions, plus pending ones for "pending"."""
        ...

    def get_code(self, address: str, block: BlockTag = "latest") -> bytes:
        """Return the contract code at ``address`` (empty for an externally owned account)."""
        ...

    def fee_history(
        self, block_count: int, newest: BlockTag = "latest", percentiles: Sequence[int] = ()
    ) -> FeeHistory:
        """Return base fees and priority-fee percentiles of recent blocks (EIP-1559).

        Raises:
            Unsupported: the node has no ``eth_feeHistory``.
        """
        ...

    def gas_price(self) -> Wei:
        """Return the node's legacy gas price suggestion in wei."""
        ...

    def max_priority_fee(self) -> Wei:
        """Return the node's EIP-1559 priority fee suggestion in wei.

        Raises:
            Unsupported: the node has no ``eth_maxPriorityFeePerGas``.
        """
        ...

    def estimate_gas(self, request: CallRequest, block: BlockTag = "latest") -> int:
        """Return the gas a transaction would use.

        Raises:
            ExecutionReverted: the transaction would revert.
        """
        ...

    def call(
        self, to: str, data: bytes, block: BlockTag = "latest", sender: str | None = None
    ) -> bytes:
        """Run a read-only call and return its output.

        Raises:
            ExecutionReverted: the call reverted.
        """
        ...

    def send_raw_transaction(self, raw: bytes) -> TxHash:
        """Broadcast a signed transaction and return its hash.

        Raises:
            NonceTooLow: the nonce is already used.
            ReplacementUnderpriced: a replacement does not raise the fee enough.
            TransactionUnderpriced: the fee is below what the node accepts.
            InsufficientFundsForGas: the sender cannot pay value plus fee.
            AlreadyKnown: the node already has this transaction.
        """
        ...

    def get_transaction(self, tx_hash: str) -> EvmTransaction | None:
        """Return a transaction by hash, or ``None`` when the node does not know it."""
        ...

    def get_receipt(self, tx_hash: str) -> Receipt | None:
        """Return a transaction's receipt, or ``None`` while it is pending or unknown."""
        ...

    def get_logs(self, log_filter: LogFilter) -> tuple[Log, ...]:
        """Return the logs matching a filter, in chain order."""
        ...

    def get_block(self, block: BlockTag, full: bool = False) -> Block | None:
        """Return a block (with full transactions if ``full``), or ``None`` if it is unknown."""
        ...

    def batch(self, calls: Sequence[RpcCall]) -> tuple[RpcOutcome, ...]:
        """Send several raw JSON-RPC calls in one round trip where the transport allows it.

        Returns:
            One outcome per call, in order: the ``result`` member, or an ``RpcError`` value for
            a call the node refused (one refused call does not fail the batch).
        """
        ...

    def close(self) -> None:
        """Release connections; the backend is unusable afterwards."""
        ...
