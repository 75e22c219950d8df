"""Nonces and replacements: the next nonce, gaps, and the fee bumps a node accepts.

An account's transactions run in nonce order (Yellow Paper, section 6): a transaction with
nonce ``n`` waits until every nonce below ``n`` is mined. The node knows two counts, the
mined one (``eth_getTransactionCount`` at "latest") and the one including its pending pool
("pending"); the wallet also remembers the transactions it sent itself, which a node may
have dropped or never seen (another node, a restart). ``plan_nonce`` merges the three and
finds gaps: nonces nobody holds below a transaction the wallet still waits for, which keep
that transaction from ever being mined.

A transaction is replaced by another of the same sender and nonce. geth's pool (and
anvil's, checked in the tests) takes a replacement only when it raises the fee cap and the
tip both by at least 10% (``txpool.pricebump``); a legacy replacement raises the gas price
by as much. ``replacement_fees`` gives the fees that pass, never below the current level.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from chains.evm import _parse as p
from chains.evm.backend import EvmBackend, RpcCall, RpcError
from chains.evm.fees import FeeEstimate, FeeQuote

__all__ = [
    "PRICE_BUMP_PERCENT",
    "NonceState",
    "bump",
    "fetch_nonces",
    "plan_nonce",
    "replacement_fees",
]

PRICE_BUMP_PERCENT = 10
"""geth's ``txpool.pricebump``: the least a replacement must raise each fee, in percent."""


@dataclass(frozen=True, slots=True)
class NonceState:
    """Where an account's nonces stand.

    Attributes:
        mined: the node's count of mined transactions: every nonce below is final.
        pending: the node's count including its pending pool.
        in_flight: nonces of the wallet's own unconfirmed transactions (``>= mined``).
        next_nonce: the nonce the next new transaction takes: the lowest one nobody holds.
        gaps: nonces nobody holds below the highest one the wallet waits for; while a gap
            is open, the transactions above it cannot be mined.
    """

    mined: int
    pending: int
    in_flight: tuple[int, ...]
    next_nonce: int
    gaps: tuple[int, ...]

    @property
    def stuck(self) -> tuple[int, ...]:
        """Return the wallet's in-flight nonces that wait behind a gap."""
        if not self.gaps:
            return ()
        return tuple(n for n in self.in_flight if n > self.gaps[0])


def plan_nonce(mined: int, pending: int, in_flight: Iterable[int]) -> NonceState:
    """Merge the node's counts with the wallet's own in-flight nonces (pure).

    Args:
        mined: ``eth_getTransactionCount(address, "latest")``.
        pending: ``eth_getTransactionCount(address, "pending")``.
        in_flight: nonces of transactions the wallet sent that it has not seen mined.

    Returns:
        The next nonce (filling the lowest gap first) and the gaps.
    """
    ours = tuple(sorted({n for n in in_flight if n >= mined}))
    held = set(range(mined, max(pending, mined))) | set(ours)
    top = max(held) if held else mined - 1
    gaps = tuple(n for n in range(mined, top) if n not in held)
    next_nonce = gaps[0] if gaps else top + 1
    return NonceState(mined, max(pending, mined), ours, next_nonce, gaps)


def fetch_nonces(backend: EvmBackend, address: str) -> tuple[int, int]:
    """Return an address's mined and pending transaction counts, in one round trip.

    Raises:
        MalformedAddress: not an EVM address.
        NodeError: the node refused the request.
        BackendUnavailable: the node cannot be reached.
    """
    addr = p.check_address(address)
    mined, pending = backend.batch(
        [
            RpcCall("eth_getTransactionCount", (addr, "latest")),
            RpcCall("eth_getTransactionCount", (addr, "pending")),
        ]
    )
    counts = []
    for outcome in (mined, pending):
        if isinstance(outcome, RpcError):
            raise p.node_error(outcome, backend.server)
        counts.append(p.quantity(outcome, backend.server, "transaction count"))
    return counts[0], counts[1]


def bump(fee_per_gas: int) -> int:
    """Return the least fee a replacement offers over ``fee_per_gas``: +10% rounded up, +1 wei.

    geth refuses a replacement whose fee is below ``old * 110 // 100`` or not above ``old``;
    rounding up keeps clear of nodes that round the other way.
    """
    raised = -(-fee_per_gas * (100 + PRICE_BUMP_PERCENT) // 100)
    return max(raised, fee_per_gas + 1)


def replacement_fees(original: FeeQuote, estimate: FeeEstimate, level: str = "fast") -> FeeQuote:
    """Return fees that replace a pending transaction: each raised by 10% and at least a level.

    Args:
        original: the fees of the transaction being replaced.
        estimate: the network's levels now.
        level: the level the replacement should reach at least.

    Returns:
        A quote of the original's kind (legacy or EIP-1559).
    """
    target = estimate.level(level)
    if original.gas_price is not None:
        floor = target.gas_price if target.gas_price is not None else target.fee_per_gas
        return FeeQuote("replacement", gas_price=max(bump(original.gas_price), floor))
    assert original.max_fee_per_gas is not None  # noqa: S101 - an EIP-1559 quote
    old_tip = original.max_priority_fee_per_gas or 0
    tip = max(bump(old_tip), target.max_priority_fee_per_gas or 0)
    cap = max(bump(original.max_fee_per_gas), target.fee_per_gas, tip)
    return FeeQuote("replacement", cap, tip)
