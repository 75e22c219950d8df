"""Run a transaction on the node without sending it: ``eth_simulateV1``, with native transfers.

``eth_simulateV1`` (the execution-apis "eth_simulateV1" method, in geth, Nethermind, Reth and
anvil) executes calls on top of a block and returns each call's status, gas and logs. With
``traceTransfers`` the node adds a synthetic ERC-20-shaped ``Transfer`` log from
``0xEeeeeEeeeEeEeeEeEeEeeEEEeeeeEeeeeeeeEEeE`` for every movement of the native coin,
internal ones included, so one list of logs shows every asset the transaction moves.
``validation`` is off: the nonce and fee are the signer's business, the simulation answers
what the call does.

A node without the method (the embedded eth-tester chain, older nodes) raises
``Unsupported`` with the node's reason; the review then says the simulation is unavailable.
"""

from __future__ import annotations

from dataclasses import dataclass

from chains.errors import BackendProtocolError, Unsupported
from chains.evm import _parse as p
from chains.evm.backend import BlockTag, CallRequest, EvmBackend, JsonValue, RpcCall, RpcError

__all__ = ["NATIVE_TRANSFER_ADDRESS", "SimulatedLog", "Simulation", "simulate_transaction"]

NATIVE_TRANSFER_ADDRESS = "0xEeeeeEeeeEeEeeEeEeEeeEEEeeeeEeeeeeeeEEeE"
"""The address of the synthetic logs that ``traceTransfers`` adds for native transfers."""

_METHOD_MISSING = (-32601, -32004)  # method not found / not supported (JSON-RPC, EIP-1474)


@dataclass(frozen=True, slots=True)
class SimulatedLog:
    """One log the simulated call emitted.

    Attributes:
        address: the emitting contract (``NATIVE_TRANSFER_ADDRESS`` for native transfers).
        topics: the indexed topics, 32 bytes each.
        data: the non-indexed data.
    """

    address: str
    topics: tuple[bytes, ...]
    data: bytes


@dataclass(frozen=True, slots=True)
class Simulation:
    """What the node says the transaction would do.

    Attributes:
        success: the call would succeed (``False``: it reverts).
        gas_used: gas it would use.
        logs: its logs in order, native transfers included.
        error: the node's reason for a revert (decoded ``Error(string)`` when possible).
        block: the block the simulation ran on.
    """

    success: bool
    gas_used: int
    logs: tuple[SimulatedLog, ...]
    error: str | None
    block: str


def _call_object(request: CallRequest) -> dict[str, JsonValue]:
    out = p.call_object(request)
    # A simulation with a fee cap would also check the sender can pay it; what the call does
    # is the question here (validation is off), so the fee fields stay out.
    for key in ("gasPrice", "maxFeePerGas", "maxPriorityFeePerGas"):
        out.pop(key, None)
    return out


def simulate_transaction(
    backend: EvmBackend, request: CallRequest, block: BlockTag = "latest"
) -> Simulation:
    """Simulate one transaction with ``eth_simulateV1`` and return its outcome and logs.

    Args:
        backend: the network's node.
        request: the transaction (``sender`` should be set: the call depends on it).
        block: the block to run on top of.

    Returns:
        The outcome (a revert is a ``Simulation`` with ``success=False``, not an error).

    Raises:
        Unsupported: the node does not offer ``eth_simulateV1``; the message says why.
        BackendUnavailable: the node could not be reached.
        BackendProtocolError: the node answered something that is not a simulation.
    """
    params: dict[str, JsonValue] = {
        "blockStateCalls": [{"calls": [_call_object(request)]}],
        "traceTransfers": True,
        "validation": False,
    }
    (outcome,) = backend.batch([RpcCall("eth_simulateV1", (params, p.tag(block)))])
    server = backend.server
    if isinstance(outcome, RpcError):
        if outcome.code in _METHOD_MISSING or "not supported" in outcome.message.lower():
            raise Unsupported(f"{server} does not offer eth_simulateV1")
        raise p.node_error(outcome, server)
    blocks = p.array(outcome, server, "simulated blocks")
    if len(blocks) != 1:
        raise BackendProtocolError("eth_simulateV1 answered another number of blocks", server)
    sim_block = p.obj(blocks[0], server, "simulated block")
    calls = p.array(sim_block.get("calls"), server, "simulated calls")
    if len(calls) != 1:
        raise BackendProtocolError("eth_simulateV1 answered another number of calls", server)
    call = p.obj(calls[0], server, "simulated call")
    logs = tuple(
        SimulatedLog(
            p.address(o.get("address"), server),
            tuple(p.data(t, server, "topic") for t in p.array(o.get("topics"), server, "topics")),
            p.data(o.get("data", "0x"), server),
        )
        for o in (p.obj(x, server, "log") for x in p.array(call.get("logs", []), server, "logs"))
    )
    success = p.quantity(call.get("status"), server, "status") == 1
    error = None
    if not success:
        error = _revert_text(call.get("error"), call.get("returnData"), server)
    return Simulation(
        success,
        p.quantity(call.get("gasUsed"), server, "gasUsed"),
        logs,
        error,
        p.tag(block),
    )


def _revert_text(error: JsonValue, return_data: JsonValue, server: str) -> str:
    data = b""
    if isinstance(return_data, str):
        data = p.data(return_data, server)
    reason = p.revert_reason(data) if data else None
    if reason:
        return reason
    if isinstance(error, dict) and isinstance(error.get("message"), str):
        return str(error["message"])
    return "reverted without a reason"
