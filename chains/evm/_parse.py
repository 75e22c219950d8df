"""Turn Ethereum JSON-RPC answers into the typed values of ``chains.evm.backend``, and back.

Every parser takes the server name so that garbage becomes a ``BackendProtocolError`` naming
the node. JSON-RPC quantities are ``0x``-prefixed hex without leading zeros; data is
``0x``-prefixed hex of even length (Ethereum JSON-RPC specification, "Hex value encoding").
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import NoReturn

from eth_abi.abi import decode as abi_decode
from eth_abi.exceptions import DecodingError

from chains.errors import BackendProtocolError
from chains.evm.backend import (
    Block,
    BlockTag,
    CallRequest,
    EvmTransaction,
    FeeHistory,
    JsonValue,
    Log,
    LogFilter,
    Receipt,
    RpcError,
    TxHash,
    block_param,
)
from chains.evm.errors import (
    AlreadyKnown,
    ExecutionReverted,
    InsufficientFundsForGas,
    NodeError,
    NonceTooLow,
    ReplacementUnderpriced,
    TransactionUnderpriced,
)

# Re-exported: the backends and readers in ``chains.evm`` call them as ``p.check_address``.
from chains.evm.validate import check_address as check_address
from chains.evm.validate import check_hash as check_hash
from primitives.evm_address import to_checksum_address

_ERROR_STRING = bytes.fromhex("08c379a0")  # selector of Error(string), Solidity revert reasons


def _bad(server: str, what: str) -> NoReturn:
    raise BackendProtocolError(f"The node {server} answered malformed data: {what}.", server)


def loads(body: bytes | str, server: str) -> JsonValue:
    """Decode a JSON document, with non-integer numbers as ``Decimal``."""
    try:
        value: JsonValue = json.loads(body, parse_float=Decimal)
    except (ValueError, UnicodeDecodeError):
        _bad(server, "the answer is not JSON")
    return value


def quantity(value: JsonValue, server: str, what: str = "quantity") -> int:
    """Parse a JSON-RPC quantity (hex string; a plain non-negative integer is also accepted).

    Only hex digits may follow ``0x``: Python's ``int`` would also take a sign, underscores
    and spaces, and a node answering ``0x-1`` would give a negative balance.
    """
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    if isinstance(value, str) and value[:2] in ("0x", "0X") and _is_hex(value[2:]):
        return int(value[2:], 16)
    _bad(server, f"{what} {str(value)[:40]!r} is not a hex quantity")


def opt_quantity(value: JsonValue, server: str, what: str = "quantity") -> int | None:
    """Parse a quantity that may be absent (``None``)."""
    return None if value is None else quantity(value, server, what)


def data(value: JsonValue, server: str, what: str = "data") -> bytes:
    """Parse JSON-RPC data (``0x``-prefixed hex of even length, nothing else: no spaces)."""
    if isinstance(value, str) and value[:2] in ("0x", "0X") and len(value) % 2 == 0:
        body = value[2:]
        if not body or _is_hex(body):
            return bytes.fromhex(body)
    _bad(server, f"{what} {str(value)[:40]!r} is not hex data")


def hash32(value: JsonValue, server: str, what: str = "hash") -> str:
    """Parse a 32-byte hash into lowercase ``0x`` hex."""
    raw = data(value, server, what)
    if len(raw) != 32:
        _bad(server, f"{what} is {len(raw)} bytes, not 32")
    return "0x" + raw.hex()


def address(value: JsonValue, server: str, what: str = "address") -> str:
    """Parse a 20-byte address into its EIP-55 checksummed form."""
    raw = data(value, server, what)
    if len(raw) != 20:
        _bad(server, f"{what} is {len(raw)} bytes, not 20")
    return to_checksum_address(raw)


def opt_address(value: JsonValue, server: str, what: str = "address") -> str | None:
    """Parse an address that may be absent."""
    return None if value is None else address(value, server, what)


def obj(value: JsonValue, server: str, what: str) -> dict[str, JsonValue]:
    """Check that a value is a JSON object."""
    if not isinstance(value, dict):
        _bad(server, f"{what} is not an object")
    return value


def array(value: JsonValue, server: str, what: str) -> list[JsonValue]:
    """Check that a value is a JSON array."""
    if not isinstance(value, list):
        _bad(server, f"{what} is not an array")
    return value


def transaction(value: JsonValue, server: str) -> EvmTransaction:
    """Parse a transaction object (``eth_getTransactionByHash``, full blocks)."""
    o = obj(value, server, "transaction")
    return EvmTransaction(
        hash=TxHash(hash32(o.get("hash"), server, "transaction hash")),
        sender=address(o.get("from"), server, "from"),
        to=opt_address(o.get("to"), server, "to"),
        value=quantity(o.get("value"), server, "value"),
        nonce=quantity(o.get("nonce"), server, "nonce"),
        gas=quantity(o.get("gas"), server, "gas"),
        input=data(o.get("input", "0x"), server, "input"),
        tx_type=quantity(o.get("type", "0x0"), server, "type"),
        gas_price=opt_quantity(o.get("gasPrice"), server, "gasPrice"),
        max_fee_per_gas=opt_quantity(o.get("maxFeePerGas"), server, "maxFeePerGas"),
        max_priority_fee_per_gas=opt_quantity(
            o.get("maxPriorityFeePerGas"), server, "maxPriorityFeePerGas"
        ),
        chain_id=opt_quantity(o.get("chainId"), server, "chainId"),
        block_number=opt_quantity(o.get("blockNumber"), server, "blockNumber"),
        block_hash=None if o.get("blockHash") is None else hash32(o["blockHash"], server),
        transaction_index=opt_quantity(o.get("transactionIndex"), server, "transactionIndex"),
    )


def log(value: JsonValue, server: str) -> Log:
    """Parse a log object."""
    o = obj(value, server, "log")
    return Log(
        address=address(o.get("address"), server, "log address"),
        topics=tuple(data(t, server, "topic") for t in array(o.get("topics"), server, "topics")),
        data=data(o.get("data"), server, "log data"),
        block_number=quantity(o.get("blockNumber"), server, "blockNumber"),
        block_hash=hash32(o.get("blockHash"), server, "blockHash"),
        transaction_hash=TxHash(hash32(o.get("transactionHash"), server, "transactionHash")),
        transaction_index=quantity(o.get("transactionIndex"), server, "transactionIndex"),
        log_index=quantity(o.get("logIndex"), server, "logIndex"),
        removed=o.get("removed") is True,
    )


def receipt(value: JsonValue, server: str) -> Receipt:
    """Parse a receipt object."""
    o = obj(value, server, "receipt")
    status = quantity(o.get("status"), server, "status")
    return Receipt(
        transaction_hash=TxHash(hash32(o.get("transactionHash"), server, "transactionHash")),
        block_number=quantity(o.get("blockNumber"), server, "blockNumber"),
        block_hash=hash32(o.get("blockHash"), server, "blockHash"),
        transaction_index=quantity(o.get("transactionIndex"), server, "transactionIndex"),
        sender=address(o.get("from"), server, "from"),
        to=opt_address(o.get("to"), server, "to"),
        success=status == 1,
        gas_used=quantity(o.get("gasUsed"), server, "gasUsed"),
        cumulative_gas_used=quantity(o.get("cumulativeGasUsed"), server, "cumulativeGasUsed"),
        effective_gas_price=quantity(o.get("effectiveGasPrice"), server, "effectiveGasPrice"),
        contract_address=opt_address(o.get("contractAddress"), server, "contractAddress"),
        logs=tuple(log(x, server) for x in array(o.get("logs"), server, "logs")),
    )


def block(value: JsonValue, server: str) -> Block:
    """Parse a block object; full transactions are parsed when present."""
    o = obj(value, server, "block")
    txs = array(o.get("transactions"), server, "transactions")
    full = tuple(transaction(t, server) for t in txs if isinstance(t, dict))
    hashes = (
        tuple(t.hash for t in full)
        if full
        else tuple(TxHash(hash32(t, server, "transaction hash")) for t in txs)
    )
    return Block(
        number=quantity(o.get("number"), server, "number"),
        hash=hash32(o.get("hash"), server, "block hash"),
        parent_hash=hash32(o.get("parentHash"), server, "parentHash"),
        timestamp=quantity(o.get("timestamp"), server, "timestamp"),
        gas_limit=quantity(o.get("gasLimit"), server, "gasLimit"),
        gas_used=quantity(o.get("gasUsed"), server, "gasUsed"),
        base_fee_per_gas=opt_quantity(o.get("baseFeePerGas"), server, "baseFeePerGas"),
        miner=address(o.get("miner"), server, "miner"),
        transaction_hashes=hashes,
        transactions=full,
    )


def fee_history(value: JsonValue, server: str) -> FeeHistory:
    """Parse an ``eth_feeHistory`` answer."""
    o = obj(value, server, "fee history")
    ratios: list[Decimal] = []
    for r in array(o.get("gasUsedRatio"), server, "gasUsedRatio"):
        if isinstance(r, bool) or not isinstance(r, int | Decimal):
            _bad(server, "gasUsedRatio holds a non-number")
        ratios.append(Decimal(r))
    rewards = o.get("reward") or []
    return FeeHistory(
        oldest_block=quantity(o.get("oldestBlock"), server, "oldestBlock"),
        base_fee_per_gas=tuple(
            quantity(x, server, "baseFeePerGas")
            for x in array(o.get("baseFeePerGas"), server, "baseFeePerGas")
        ),
        gas_used_ratio=tuple(ratios),
        reward=tuple(
            tuple(quantity(x, server, "reward") for x in array(row, server, "reward"))
            for row in array(rewards, server, "reward")
        ),
    )


def call_object(request: CallRequest) -> dict[str, JsonValue]:
    """Encode a ``CallRequest`` as a JSON-RPC transaction call object."""
    out: dict[str, JsonValue] = {}
    if request.to is not None:
        out["to"] = request.to
    if request.sender is not None:
        out["from"] = request.sender
    if request.data:
        out["data"] = "0x" + request.data.hex()
    if request.value:
        out["value"] = hex(request.value)
    for key, v in (
        ("gas", request.gas),
        ("gasPrice", request.gas_price),
        ("maxFeePerGas", request.max_fee_per_gas),
        ("maxPriorityFeePerGas", request.max_priority_fee_per_gas),
    ):
        if v is not None:
            out[key] = hex(v)
    return out


def filter_object(log_filter: LogFilter) -> dict[str, JsonValue]:
    """Encode a ``LogFilter`` as a JSON-RPC filter object."""
    out: dict[str, JsonValue] = {
        "fromBlock": block_param(log_filter.from_block),
        "toBlock": block_param(log_filter.to_block),
    }
    if log_filter.addresses:
        out["address"] = list(log_filter.addresses)
    if log_filter.topics:
        topics: list[JsonValue] = []
        for t in log_filter.topics:
            if t is None:
                topics.append(None)
            else:
                topics.append(["0x" + x.hex() for x in t])
        out["topics"] = topics
    return out


def tag(block: BlockTag) -> str:
    """Return the JSON-RPC form of a block (re-exported for the backends)."""
    return block_param(block)


def rpc_error(value: JsonValue, server: str) -> RpcError:
    """Parse a JSON-RPC error object into an ``RpcError`` value."""
    o = obj(value, server, "error")
    code = o.get("code")
    message = o.get("message")
    if isinstance(code, bool) or not isinstance(code, int) or not isinstance(message, str):
        _bad(server, "an error object lacks its code or message")
    extra = o.get("data")
    if isinstance(extra, dict):  # some nodes nest the revert data one level down
        extra = extra.get("data")
    return RpcError(code, message, extra if isinstance(extra, str) else None)


def revert_reason(revert_data: bytes) -> str | None:
    """Decode a Solidity/Vyper ``Error(string)`` revert reason, if the data carries one."""
    if not revert_data.startswith(_ERROR_STRING):
        return None
    try:
        (reason,) = abi_decode(["string"], revert_data[4:])
    except (DecodingError, ValueError, OverflowError):
        return None
    return str(reason)


def node_error(err: RpcError, server: str) -> NodeError:
    """Map a JSON-RPC error to the most precise ``NodeError`` subclass.

    Nodes agree on error codes only loosely, so the message text decides; the texts matched
    are those of geth, reth and anvil.
    """
    text = err.message.lower()
    if err.code == 3 or "revert" in text:
        revert = b""
        if err.data:
            try:
                revert = bytes.fromhex(err.data.removeprefix("0x"))
            except ValueError:
                revert = b""
        reason = revert_reason(revert)
        shown = f": {reason}" if reason else ""
        return ExecutionReverted(
            f"The contract call reverted on {server}{shown}.",
            server,
            err.code,
            err.message,
            revert,
            reason,
        )
    kinds: tuple[tuple[str, type[NodeError], str], ...] = (
        ("nonce too low", NonceTooLow, "The transaction's nonce is already used"),
        (
            "replacement transaction underpriced",
            ReplacementUnderpriced,
            "The replacement does not raise the fee enough over the transaction it replaces",
        ),
        ("underpriced", TransactionUnderpriced, "The transaction's fee is too low for the node"),
        (
            "less than block base fee",
            TransactionUnderpriced,
            "The transaction's fee cap is below the block's base fee",
        ),
        (
            "insufficient funds",
            InsufficientFundsForGas,
            "The sender cannot pay the amount plus the maximum fee",
        ),
        ("already known", AlreadyKnown, "The node already has this transaction"),
        ("already imported", AlreadyKnown, "The node already has this transaction"),
    )
    for needle, cls, sentence in kinds:
        if needle in text:
            return cls(f"{sentence} ({server}).", server, err.code, err.message)
    return NodeError(
        f"The node {server} refused the request: {err.message[:200]}.",
        server,
        err.code,
        err.message,
    )


_HEX = frozenset("0123456789abcdefABCDEF")


def _is_hex(text: str) -> bool:
    return bool(text) and _HEX.issuperset(text)
