"""One account's state on chain, as a wallet sync wants it: two round trips at most.

A sync needs the native and token balances, the pending balance, the mined and pending
nonces, the tip, and whether the block its last sync ended at is still on the chain (a
reorganisation). ``account_snapshot`` builds those ``eth_*`` calls and reads the answers, so
that the wallet asks for what it needs and gets one typed value back, whatever the backend
(a JSON-RPC node or the in-process embedded chain).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from chains.errors import BackendProtocolError
from chains.evm import _parse as p
from chains.evm.backend import Block, BlockTag, EvmBackend, RpcCall, RpcError, RpcOutcome, Wei
from chains.evm.balances import AccountBalances, fetch_balances

__all__ = ["AccountSnapshot", "account_snapshot"]

_METHOD_NOT_FOUND = -32601


@dataclass(frozen=True, slots=True)
class AccountSnapshot:
    """An account's balances and nonces, the tip, and the fate of the last sync's block.

    Attributes:
        balances: the native balance and every asked token balance (latest block).
        pending_balance: the native balance counting pending transactions, in wei.
        nonce_mined: the count of the account's mined transactions.
        nonce_pending: the same counting pending ones.
        tip: the latest block.
        reorganised: whether the anchor block given is no longer on the chain (another block
            at its height, or none); ``False`` without an anchor.
    """

    balances: AccountBalances
    pending_balance: Wei
    nonce_mined: int
    nonce_pending: int
    tip: Block
    reorganised: bool


def _block_of(backend: EvmBackend, outcome: RpcOutcome, block: BlockTag) -> Block | None:
    if isinstance(outcome, RpcError):
        if outcome.code != _METHOD_NOT_FOUND:
            raise p.node_error(outcome, backend.server)
        return backend.get_block(block)  # a batch without eth_getBlockByNumber (in-process)
    return None if outcome is None else p.block(outcome, backend.server)


def account_snapshot(
    backend: EvmBackend,
    address: str,
    tokens: Sequence[str],
    anchor: tuple[int, str] | None,
) -> AccountSnapshot:
    """Read an account's balances, nonces, the tip and the anchor block's fate.

    The balances take one round trip (``chains.evm.balances``), the rest one batch.

    Args:
        backend: the node.
        address: the account address.
        tokens: the ERC-20 contracts whose balance to read.
        anchor: the block (number, hash) the last sync ended at, if any.

    Returns:
        The snapshot.

    Raises:
        BackendUnavailable: the node cannot be reached.
        BackendProtocolError: it answered garbage, or has no latest block.
        NodeError: it refused a call.
    """
    (balances,) = fetch_balances(backend, [address], tokens)
    calls = [
        RpcCall("eth_getBalance", (address, "pending")),
        RpcCall("eth_getTransactionCount", (address, "latest")),
        RpcCall("eth_getTransactionCount", (address, "pending")),
        RpcCall("eth_getBlockByNumber", ("latest", False)),
    ]
    if anchor is not None:
        calls.append(RpcCall("eth_getBlockByNumber", (hex(anchor[0]), False)))
    outcomes = backend.batch(calls)
    values = []
    for outcome in outcomes[:3]:
        if isinstance(outcome, RpcError):
            raise p.node_error(outcome, backend.server)
        values.append(p.quantity(outcome, backend.server))
    tip = _block_of(backend, outcomes[3], "latest")
    if tip is None:
        raise BackendProtocolError(
            f"The node {backend.server} has no latest block.", backend.server
        )
    reorganised = False
    if anchor is not None:
        then = _block_of(backend, outcomes[4], anchor[0])
        reorganised = then is None or then.hash != anchor[1]
    return AccountSnapshot(balances, Wei(values[0]), values[1], values[2], tip, reorganised)
