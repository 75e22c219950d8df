"""Which addresses have been used: balance and nonce of many addresses, batched.

Account discovery (restoring a seed, finding the accounts a user had) asks one question of
many addresses: does any coin sit there, or has it ever sent? ``eth_getBalance`` and
``eth_getTransactionCount`` of every address travel in batched JSON-RPC requests of
``CHUNK`` addresses, so a thousand addresses take two round trips.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from chains.evm import _parse as p
from chains.evm.backend import BlockTag, EvmBackend, RpcCall, RpcError, Wei

__all__ = ["CHUNK", "AddressActivity", "scan_activity"]

CHUNK = 500
"""Addresses per batched request (two calls each): well below common node batch limits."""


@dataclass(frozen=True, slots=True)
class AddressActivity:
    """What an address holds and has sent.

    Attributes:
        address: the address (EIP-55).
        balance: its native balance in wei.
        nonce: how many transactions it has sent.
    """

    address: str
    balance: Wei
    nonce: int

    @property
    def used(self) -> bool:
        """Return whether the address holds coins or has ever sent a transaction."""
        return self.balance > 0 or self.nonce > 0


def scan_activity(
    backend: EvmBackend, addresses: Sequence[str], block: BlockTag = "latest"
) -> tuple[AddressActivity, ...]:
    """Return the balance and nonce of every address, in order, in batches of ``CHUNK``.

    Raises:
        MalformedAddress: an address is not an EVM address.
        NodeError: the node refused a call.
        BackendUnavailable: the node cannot be reached.
    """
    checked = [p.check_address(a) for a in addresses]
    tag = p.tag(block)
    out: list[AddressActivity] = []
    for start in range(0, len(checked), CHUNK):
        chunk = checked[start : start + CHUNK]
        calls = []
        for address in chunk:
            calls.append(RpcCall("eth_getBalance", (address, tag)))
            calls.append(RpcCall("eth_getTransactionCount", (address, tag)))
        outcomes = backend.batch(calls)
        for i, address in enumerate(chunk):
            balance, nonce = outcomes[2 * i], outcomes[2 * i + 1]
            if isinstance(balance, RpcError):
                raise p.node_error(balance, backend.server)
            if isinstance(nonce, RpcError):
                raise p.node_error(nonce, backend.server)
            out.append(
                AddressActivity(
                    address,
                    Wei(p.quantity(balance, backend.server, "balance")),
                    p.quantity(nonce, backend.server, "transaction count"),
                )
            )
    return tuple(out)
