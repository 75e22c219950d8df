"""Native and ERC-20 balances of accounts, in one round trip (two at most).

On a network with Multicall3, every balance (``getEthBalance`` and ``balanceOf``) is read by
``aggregate3`` calls; elsewhere, ``eth_getBalance`` and one ``eth_call`` per token travel as one
batched JSON-RPC request. A token whose ``balanceOf`` reverts or answers garbage is listed in
``failed`` and does not spoil the others.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Literal

from eth_abi.abi import decode
from eth_abi.exceptions import DecodingError

from chains.errors import BackendProtocolError
from chains.evm import _parse as p
from chains.evm.abi import encode_call
from chains.evm.backend import BlockTag, EvmBackend, RpcCall, RpcError, Wei
from chains.evm.errors import MulticallUnavailable
from chains.evm.multicall import Call3, CallResult, get_eth_balance, read_many

__all__ = ["AccountBalances", "fetch_balances"]


@dataclass(frozen=True, slots=True)
class AccountBalances:
    """Balances of one account.

    Attributes:
        account: the account address (EIP-55).
        native: the native-coin balance in wei.
        tokens: token contract address to balance in the token's base units.
        failed: token contracts whose ``balanceOf`` reverted or answered garbage.
    """

    account: str
    native: Wei
    tokens: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))
    failed: tuple[str, ...] = ()


def _uint(result: CallResult) -> int | None:
    if not result.success or len(result.data) != 32:
        return None
    try:
        (value,) = decode(["uint256"], result.data, strict=True)
    except (DecodingError, ValueError):
        return None
    return int(value)


def fetch_balances(
    backend: EvmBackend,
    accounts: Sequence[str],
    tokens: Sequence[str],
    block: BlockTag = "latest",
    multicall: str | Literal["network"] | None = "network",
) -> tuple[AccountBalances, ...]:
    """Read the native balance and every token balance of each account.

    One round trip: through Multicall3 where the network has it, a plain JSON-RPC batch
    elsewhere. If the network names a Multicall3 address where nothing is deployed (a fork, a
    fresh chain), the plain batch follows: two round trips.

    Args:
        backend: the node.
        accounts: the account addresses.
        tokens: ERC-20 contract addresses.
        block: the block to read at.
        multicall: the Multicall3 address to use; ``"network"`` (the default) takes the
            network's, ``None`` forces the plain batch.

    Returns:
        One ``AccountBalances`` per account, in order.

    Raises:
        MalformedAddress: an account or token is not an EVM address.
        NodeError: the node refused the request.
        BackendProtocolError: the node answered garbage.
    """
    accts = [p.check_address(a) for a in accounts]
    toks = [p.check_address(t) for t in tokens]
    if multicall == "network":
        multicall = backend.network.multicall3
    if multicall is not None:
        multicall = p.check_address(multicall)
        try:
            return _via_multicall(backend, multicall, accts, toks, block)
        except MulticallUnavailable:
            pass
    return _via_batch(backend, accts, toks, block)


def _via_multicall(
    backend: EvmBackend, multicall: str, accts: list[str], toks: list[str], block: BlockTag
) -> tuple[AccountBalances, ...]:
    calls: list[Call3] = []
    for a in accts:
        calls.append(get_eth_balance(multicall, a))
        data = encode_call("balanceOf(address)", a)
        calls.extend(Call3(t, data) for t in toks)
    results, _ = read_many(backend, calls, multicall, block)
    step = len(toks) + 1
    out = []
    for i, a in enumerate(accts):
        native = _uint(results[i * step])
        if native is None:
            raise BackendProtocolError(
                f"The node {backend.server} answered garbage for a native balance.",
                backend.server,
            )
        out.append(_sheet(a, native, toks, results[i * step + 1 : (i + 1) * step]))
    return tuple(out)


def _via_batch(
    backend: EvmBackend, accts: list[str], toks: list[str], block: BlockTag
) -> tuple[AccountBalances, ...]:
    calls: list[Call3] = []
    for a in accts:
        data = encode_call("balanceOf(address)", a)
        calls.extend(Call3(t, data) for t in toks)
    natives = [RpcCall("eth_getBalance", (a, p.tag(block))) for a in accts]
    results, native_out = read_many(backend, calls, None, block, natives)
    step = len(toks)
    out = []
    for i, (a, o) in enumerate(zip(accts, native_out, strict=True)):
        if isinstance(o, RpcError):
            raise p.node_error(o, backend.server)
        native = p.quantity(o, backend.server, "balance")
        out.append(_sheet(a, native, toks, results[i * step : (i + 1) * step]))
    return tuple(out)


def _sheet(
    account: str, native: int, toks: list[str], row: Sequence[CallResult]
) -> AccountBalances:
    amounts: dict[str, int] = {}
    failed: list[str] = []
    for t, r in zip(toks, row, strict=True):
        value = _uint(r)
        if value is None:
            failed.append(t)
        else:
            amounts[t] = value
    return AccountBalances(account, Wei(native), MappingProxyType(amounts), tuple(failed))
