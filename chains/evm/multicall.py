"""Multicall3 ``aggregate3``: many read-only calls answered by one ``eth_call``.

Multicall3 (github.com/mds1/multicall, deployed at 0xcA11bde05977b3631167028862bE2a173976CA11 on
most EVM chains) takes ``(address target, bool allowFailure, bytes callData)[]`` and returns
``(bool success, bytes returnData)[]``. Where it is not deployed, ``read_many`` sends one
``eth_call`` per call instead, all in one batched JSON-RPC request: either way, one round trip.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from eth_abi.abi import decode
from eth_abi.exceptions import DecodingError

from chains.evm import _parse as p
from chains.evm.abi import encode_call
from chains.evm.backend import BlockTag, EvmBackend, JsonValue, RpcCall, RpcError
from chains.evm.errors import ContractCallFailed, MulticallUnavailable

__all__ = [
    "AGGREGATE3",
    "CHUNK",
    "Call3",
    "CallResult",
    "decode_aggregate3",
    "encode_aggregate3",
    "get_eth_balance",
    "read_many",
]

AGGREGATE3 = "aggregate3((address,bool,bytes)[])"
CHUNK = 500
"""Calls per ``aggregate3``: keeps each ``eth_call`` far below node gas caps."""


@dataclass(frozen=True, slots=True)
class Call3:
    """One read-only call: target contract, call data, and whether it may fail."""

    target: str
    call_data: bytes
    allow_failure: bool = True


@dataclass(frozen=True, slots=True)
class CallResult:
    """The answer to one call: whether it succeeded, and what it returned."""

    success: bool
    data: bytes


def encode_aggregate3(calls: Sequence[Call3]) -> bytes:
    """Return the call data of ``aggregate3`` over ``calls``."""
    return encode_call(AGGREGATE3, [(c.target, c.allow_failure, c.call_data) for c in calls])


def decode_aggregate3(output: bytes, contract: str, count: int) -> tuple[CallResult, ...]:
    """Decode ``aggregate3``'s output, which must hold ``count`` results.

    Raises:
        ContractCallFailed: the output is not ``(bool,bytes)[]`` of that length.
    """
    try:
        (rows,) = decode(["(bool,bytes)[]"], output, strict=True)
    except (DecodingError, ValueError, OverflowError, TypeError) as e:
        raise ContractCallFailed(
            f"The contract {contract} did not answer like Multicall3.", contract, AGGREGATE3
        ) from e
    if len(rows) != count:
        raise ContractCallFailed(
            f"The contract {contract} answered {len(rows)} results for {count} calls.",
            contract,
            AGGREGATE3,
        )
    return tuple(CallResult(bool(ok), bytes(data)) for ok, data in rows)


def get_eth_balance(multicall: str, account: str) -> Call3:
    """Return the Multicall3 call that reads an account's native balance."""
    data = encode_call("getEthBalance(address)", p.check_address(account))
    return Call3(multicall, data, allow_failure=False)


def _eth_call(to: str, data: bytes, block: BlockTag) -> RpcCall:
    return RpcCall("eth_call", ({"to": to, "data": "0x" + data.hex()}, p.tag(block)))


def read_many(
    backend: EvmBackend,
    calls: Sequence[Call3],
    multicall: str | None,
    block: BlockTag = "latest",
    extra: Sequence[RpcCall] = (),
) -> tuple[tuple[CallResult, ...], tuple[JsonValue | RpcError, ...]]:
    """Run many read-only calls, plus optional raw calls, in one round trip.

    With a Multicall3 address, the calls go in chunks of ``CHUNK`` through ``aggregate3``;
    without one, each call is its own ``eth_call``. Either way every request travels in one
    batched JSON-RPC request.

    Args:
        backend: the node.
        calls: the read-only calls.
        multicall: the Multicall3 address of the network, or ``None``.
        block: the block to read at.
        extra: raw calls (``eth_getBalance``...) to send in the same batch.

    Returns:
        The calls' results in order, and the outcomes of ``extra`` in order.

    Raises:
        MulticallUnavailable: nothing answers at the Multicall3 address.
        ContractCallFailed: the Multicall3 contract answered garbage.
        NodeError: the node refused an ``aggregate3`` call.
        BackendProtocolError: the node answered garbage.
    """
    if multicall is None or not calls:
        outcomes = backend.batch(
            [*(_eth_call(c.target, c.call_data, block) for c in calls), *extra]
        )
        n = len(calls)
        return tuple(_plain_result(o, backend.server) for o in outcomes[:n]), outcomes[n:]
    chunks = [calls[i : i + CHUNK] for i in range(0, len(calls), CHUNK)]
    rpc = [_eth_call(multicall, encode_aggregate3(c), block) for c in chunks]
    outcomes = backend.batch([*rpc, *extra])
    results: list[CallResult] = []
    for chunk, outcome in zip(chunks, outcomes, strict=False):
        if isinstance(outcome, RpcError):
            raise p.node_error(outcome, backend.server)
        output = p.data(outcome, backend.server, "aggregate3 output")
        if not output:
            raise MulticallUnavailable(
                f"No Multicall3 contract answers at {multicall}.", multicall, AGGREGATE3
            )
        results.extend(decode_aggregate3(output, multicall, len(chunk)))
    return tuple(results), outcomes[len(rpc) :]


def _plain_result(outcome: JsonValue | RpcError, server: str) -> CallResult:
    if isinstance(outcome, RpcError):
        return CallResult(False, b"")
    return CallResult(True, p.data(outcome, server, "call output"))
