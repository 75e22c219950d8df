"""Convert eth-tester's answers and failures for ``EmbeddedBackend``.

Answers become the typed values of ``chains.evm.backend``, failures the ``NodeError`` a
JSON-RPC node would give.

eth-tester hands out dicts of Python values (ints, bytes, hex strings); each converter checks
what it reads, so that a surprise becomes a ``BackendProtocolError`` naming the embedded chain.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping, Sequence
from typing import TypeAlias, cast

from eth_abi.abi import encode as abi_encode
from eth_tester.exceptions import TransactionFailed

from chains.errors import BackendProtocolError
from chains.evm import _parse as p
from chains.evm.backend import (
    Block,
    BlockTag,
    EvmTransaction,
    JsonValue,
    Log,
    Receipt,
    RpcError,
    TxHash,
)
from chains.evm.errors import NodeError

SERVER = "embedded"
ZERO = "0x0000000000000000000000000000000000000000"
Raw: TypeAlias = Mapping[str, object]
_ERROR_STRING = bytes.fromhex("08c379a0")  # selector of Error(string)
_ELASTICITY = 2  # EIP-1559: gas target is half the gas limit
_BASE_FEE_DENOMINATOR = 8  # EIP-1559: base fee moves by at most 1/8 per block


def as_int(value: object, what: str) -> int:
    """Return an eth-tester integer (an int, or ``0x`` hex text) as an int."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.startswith("0x"):
        return int(value, 16)
    raise BackendProtocolError(f"The embedded chain gave a malformed {what}.", SERVER)


def as_opt_int(value: object, what: str) -> int | None:
    """Return an optional eth-tester integer as an int or ``None``."""
    return None if value is None else as_int(value, what)


def as_bytes(value: object, what: str) -> bytes:
    """Return eth-tester data (bytes or ``0x`` hex text) as bytes."""
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return bytes.fromhex(value.removeprefix("0x"))
    raise BackendProtocolError(f"The embedded chain gave malformed {what}.", SERVER)


def as_hash(value: object) -> str:
    """Return a hash as ``0x`` and lowercase hex."""
    return "0x" + as_bytes(value, "hash").hex()


def as_address(value: object) -> str:
    """Return an address in its EIP-55 form."""
    return p.address("0x" + as_bytes(value, "address").hex(), SERVER)


def as_opt_address(value: object) -> str | None:
    """Return an address in its EIP-55 form, or ``None`` when empty (a contract creation)."""
    return None if value in (None, b"", "", "0x") else as_address(value)


def transaction(raw: Raw) -> EvmTransaction:
    """Return an eth-tester transaction as an ``EvmTransaction``."""
    type_ = raw.get("type", 0)
    return EvmTransaction(
        hash=TxHash(as_hash(raw["hash"])),
        sender=as_address(raw["from"]),
        to=as_opt_address(raw.get("to")),
        value=as_int(raw["value"], "value"),
        nonce=as_int(raw["nonce"], "nonce"),
        gas=as_int(raw["gas"], "gas"),
        input=as_bytes(raw.get("data", "0x"), "input"),
        tx_type=as_int(type_, "type"),
        gas_price=as_opt_int(raw.get("gas_price"), "gas price"),
        max_fee_per_gas=as_opt_int(raw.get("max_fee_per_gas"), "max fee"),
        max_priority_fee_per_gas=as_opt_int(raw.get("max_priority_fee_per_gas"), "tip"),
        chain_id=as_opt_int(raw.get("chain_id"), "chain id"),
        block_number=as_opt_int(raw.get("block_number"), "block number"),
        block_hash=None if raw.get("block_hash") is None else as_hash(raw["block_hash"]),
        transaction_index=as_opt_int(raw.get("transaction_index"), "index"),
    )


def log(raw: Raw) -> Log:
    """Return an eth-tester log entry as a ``Log``."""
    topics = cast(Sequence[object], raw.get("topics", ()))
    return Log(
        address=as_address(raw["address"]),
        topics=tuple(as_bytes(t, "topic") for t in topics),
        data=as_bytes(raw.get("data", "0x"), "log data"),
        block_number=as_int(raw["block_number"], "block number"),
        block_hash=as_hash(raw["block_hash"]),
        transaction_hash=TxHash(as_hash(raw["transaction_hash"])),
        transaction_index=as_int(raw["transaction_index"], "index"),
        log_index=as_int(raw["log_index"], "log index"),
    )


def receipt(raw: Raw) -> Receipt:
    """Return an eth-tester receipt as a ``Receipt``."""
    logs = cast(Sequence[Raw], raw.get("logs", ()))
    return Receipt(
        transaction_hash=TxHash(as_hash(raw["transaction_hash"])),
        block_number=as_int(raw["block_number"], "block number"),
        block_hash=as_hash(raw["block_hash"]),
        transaction_index=as_int(raw["transaction_index"], "index"),
        sender=as_address(raw["from"]),
        to=as_opt_address(raw.get("to")),
        success=as_int(raw.get("status", 1), "status") == 1,
        gas_used=as_int(raw["gas_used"], "gas used"),
        cumulative_gas_used=as_int(raw["cumulative_gas_used"], "cumulative gas"),
        effective_gas_price=as_int(raw["effective_gas_price"], "gas price"),
        contract_address=as_opt_address(raw.get("contract_address")),
        logs=tuple(log(x) for x in logs),
    )


def block(raw: Raw) -> Block:
    """Return an eth-tester block as a ``Block`` (with full transactions when it has them)."""
    txs = cast(Sequence[object], raw.get("transactions", ()))
    full = tuple(transaction(cast(Raw, t)) for t in txs if isinstance(t, Mapping))
    hashes = tuple(t.hash for t in full) if full else tuple(TxHash(as_hash(t)) for t in txs)
    return Block(
        number=as_int(raw["number"], "number"),
        hash=as_hash(raw["hash"]),
        parent_hash=as_hash(raw["parent_hash"]),
        timestamp=as_int(raw["timestamp"], "timestamp"),
        gas_limit=as_int(raw["gas_limit"], "gas limit"),
        gas_used=as_int(raw["gas_used"], "gas used"),
        base_fee_per_gas=as_opt_int(raw.get("base_fee_per_gas"), "base fee"),
        miner=as_address(raw.get("coinbase", ZERO)),
        transaction_hashes=hashes,
        transactions=full,
    )


def next_base_fee(parent: Block) -> int:
    """Return the base fee of the block after ``parent`` (EIP-1559, "Specification")."""
    base = parent.base_fee_per_gas or 0
    target = parent.gas_limit // _ELASTICITY
    if target == 0 or parent.gas_used == target:
        return base
    if parent.gas_used > target:
        delta = max(base * (parent.gas_used - target) // target // _BASE_FEE_DENOMINATOR, 1)
        return base + delta
    return base - base * (target - parent.gas_used) // target // _BASE_FEE_DENOMINATOR


def failure(err: Exception, what: str) -> NodeError:
    """Turn an eth-tester / py-evm exception into the ``NodeError`` a JSON-RPC node would give."""
    if isinstance(err, TransactionFailed):
        arg = err.args[0] if err.args else b""
        data = arg if isinstance(arg, bytes) else b""
        message = "execution reverted"
        if isinstance(arg, str) and arg.startswith(("b'", 'b"')):
            # eth-tester's text for revert data that is no Error(string): a bytes literal.
            try:
                parsed = ast.literal_eval(arg)
            except (ValueError, SyntaxError):
                parsed = b""
            data = parsed if isinstance(parsed, bytes) else b""
        elif isinstance(arg, str) and arg:
            # eth-tester hands over the decoded Error(string) reason; encode it again so that
            # callers see the same revert data a JSON-RPC node would return.
            reason = arg.removeprefix("execution reverted: ")
            message += f": {reason}"
            data = _ERROR_STRING + abi_encode(["string"], [reason])
        return p.node_error(RpcError(3, message, "0x" + data.hex()), SERVER)
    text = str(err)
    lowered = text.lower()
    if "nonce" in lowered and ("expected" in lowered or "too low" in lowered):
        text = f"nonce too low: {text}"
    elif "balance" in lowered or "insufficient" in lowered:
        text = f"insufficient funds for gas * price + value: {text}"
    elif "base fee" in lowered or "max fee per gas" in lowered:
        text = f"max fee per gas less than block base fee: {text}"
    return p.node_error(RpcError(-32000, f"{what}: {text}"), SERVER)


def block_tag(value: JsonValue) -> BlockTag:
    """Return a JSON-RPC block parameter (hex number or tag) as a ``BlockTag``."""
    if isinstance(value, str) and value.startswith("0x"):
        return int(value, 16)
    if value in ("latest", "pending", "earliest", "safe", "finalized"):
        return cast(BlockTag, value)
    raise ValueError(f"{value!r} is not a block")


def topics_match(topics: tuple[bytes, ...], wanted: tuple[tuple[bytes, ...] | None, ...]) -> bool:
    """Return whether a log's topics match a filter's (``None``: any topic at that place)."""
    for i, accepted in enumerate(wanted):
        if accepted is None:
            continue
        if i >= len(topics) or topics[i] not in accepted:
            return False
    return True
