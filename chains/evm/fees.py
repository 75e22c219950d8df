"""EVM fees: EIP-1559 levels from ``eth_feeHistory``, legacy gas prices, the high-fee cap, gas.

EIP-1559 ("Specification"): a transaction pays ``min(max_fee_per_gas, base_fee + tip)`` per
gas and never more than its fee cap. The levels here follow what MetaMask and ethers do:

- the tip of each level is the median, over the last ``blocks`` blocks that held
  transactions, of the block's priority-fee percentile (10th slow, 50th normal, 90th fast),
  geth's ``eth_feeHistory`` reward column; with no such block the node's own
  ``eth_maxPriorityFeePerGas`` suggestion serves every level;
- the fee cap is twice the next block's base fee plus the tip: room for six full blocks in
  a row, each raising the base fee by 12.5%, before the transaction stops being includable.

Chains without EIP-1559 (``EvmNetwork.eip1559`` false, BNB Smart Chain) get legacy gas prices
from ``eth_gasPrice``: the suggestion is "slow", 10% above it "normal", 25% above "fast"
(nodes of such chains suggest their minimum).

A fee per gas above ``HIGH_FEE_FACTOR`` times the fast level is refused with
``FeeAboveMarket`` unless the caller overrides it: a custom fee with one zero too many costs
real money, and no honest hurry needs three times the fast level.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from chains.errors import BackendProtocolError, Unsupported
from chains.evm.backend import CallRequest, EvmBackend
from chains.evm.errors import FeeAboveMarket

__all__ = [
    "GAS_MARGIN_PERCENT",
    "HIGH_FEE_FACTOR",
    "LEVELS",
    "TRANSFER_GAS",
    "FeeEstimate",
    "FeeQuote",
    "check_fee_cap",
    "custom_quote",
    "estimate_fees",
    "estimate_gas_limit",
    "fees_from_history",
    "gwei",
]

LEVELS = ("slow", "normal", "fast")
HIGH_FEE_FACTOR = 3
"""A fee per gas above this many times the fast level is refused unless overridden."""
GAS_MARGIN_PERCENT = 20
"""Added to a node's gas estimate of a contract call: state may change before it is mined."""
TRANSFER_GAS = 21000
"""The exact gas of a plain transfer to an account without code (Yellow Paper, G_transaction)."""

_PERCENTILES = (10, 50, 90)
_LEGACY_STEPS = (100, 110, 125)  # percent of the node's gas price for slow, normal, fast


@dataclass(frozen=True, slots=True)
class FeeQuote:
    """The fee fields of one transaction: EIP-1559 (cap and tip) or a legacy gas price.

    Attributes:
        level: ``"slow"``, ``"normal"``, ``"fast"`` or ``"custom"``.
        max_fee_per_gas: the EIP-1559 fee cap in wei, ``None`` for legacy.
        max_priority_fee_per_gas: the EIP-1559 tip in wei, ``None`` for legacy.
        gas_price: the legacy gas price in wei, ``None`` for EIP-1559.
    """

    level: str
    max_fee_per_gas: int | None = None
    max_priority_fee_per_gas: int | None = None
    gas_price: int | None = None

    @property
    def legacy(self) -> bool:
        """Return whether this is a legacy gas price."""
        return self.gas_price is not None

    @property
    def fee_per_gas(self) -> int:
        """Return the most this quote pays per gas (the fee cap, or the gas price)."""
        if self.gas_price is not None:
            return self.gas_price
        assert self.max_fee_per_gas is not None  # noqa: S101 - one of the two kinds is set
        return self.max_fee_per_gas


@dataclass(frozen=True, slots=True)
class FeeEstimate:
    """The three fee levels of a network now.

    Attributes:
        base_fee: the next block's base fee in wei (0 on a legacy chain).
        slow: the slow level.
        normal: the normal level.
        fast: the fast level.
        oldest_block: the first block the estimate looked at, for display.
    """

    base_fee: int
    slow: FeeQuote
    normal: FeeQuote
    fast: FeeQuote
    oldest_block: int = 0

    @property
    def legacy(self) -> bool:
        """Return whether the network prices gas the legacy way."""
        return self.normal.legacy

    @property
    def cap_per_gas(self) -> int:
        """Return the highest fee per gas accepted without an override."""
        return HIGH_FEE_FACTOR * self.fast.fee_per_gas

    def level(self, name: str) -> FeeQuote:
        """Return the quote of a level by name.

        Raises:
            ValueError: not slow, normal or fast.
        """
        if name not in LEVELS:
            raise ValueError(f"Fee levels are slow, normal or fast; not {name!r}.")
        quote: FeeQuote = getattr(self, name)
        return quote


def _ceil_div(a: int, b: int) -> int:
    return -(-a // b)


def gwei(wei: int) -> str:
    """Return wei per gas as gwei text, exactly (``1500000000`` -> ``"1.5"``)."""
    text = f"{Decimal(wei).scaleb(-9):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _median(values: Sequence[int]) -> int:
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle] + 1) // 2


def fees_from_history(
    base_fees: Sequence[int],
    gas_used_ratios: Sequence[object],
    rewards: Sequence[Sequence[int]],
    fallback_tip: int,
    oldest_block: int = 0,
) -> FeeEstimate:
    """Compute the EIP-1559 levels from an ``eth_feeHistory`` answer (pure arithmetic).

    Args:
        base_fees: base fees per block, the last being the next block's.
        gas_used_ratios: how full each block was; empty blocks (ratio 0) carry no tips.
        rewards: per block, the tips at the 10th, 50th and 90th percentiles.
        fallback_tip: the tip for every level when no block held transactions.
        oldest_block: the first block covered.

    Returns:
        Slow, normal and fast quotes with fee cap ``2 * next base fee + tip``.
    """
    next_base = base_fees[-1] if base_fees else 0
    busy = [row for row, ratio in zip(rewards, gas_used_ratios, strict=False) if ratio and row]
    if busy:
        tips = [_median([row[i] for row in busy]) for i in range(len(_PERCENTILES))]
    else:
        tips = [fallback_tip] * len(_PERCENTILES)
    for i in range(1, len(tips)):  # a faster level never tips less than a slower one
        tips[i] = max(tips[i], tips[i - 1])
    quotes = [
        FeeQuote(level, 2 * next_base + tip, tip) for level, tip in zip(LEVELS, tips, strict=True)
    ]
    slow, normal, fast = quotes
    return FeeEstimate(next_base, slow, normal, fast, oldest_block)


def estimate_fees(backend: EvmBackend, blocks: int = 20) -> FeeEstimate:
    """Return the slow, normal and fast fee levels of the backend's network now.

    Args:
        backend: the node.
        blocks: how many recent blocks ``eth_feeHistory`` covers.

    Raises:
        BackendUnavailable: the node cannot be reached.
        BackendProtocolError: its fee history lacks the percentiles asked for.
        NodeError: the node refused the requests.
    """
    if not backend.network.eip1559:
        price = backend.gas_price()
        quotes = [
            FeeQuote(level, gas_price=_ceil_div(price * step, 100))
            for level, step in zip(LEVELS, _LEGACY_STEPS, strict=True)
        ]
        return FeeEstimate(0, quotes[0], quotes[1], quotes[2])
    try:
        history = backend.fee_history(blocks, "latest", _PERCENTILES)
    except Unsupported:
        latest = backend.get_block("latest")
        base = 0 if latest is None or latest.base_fee_per_gas is None else latest.base_fee_per_gas
        return fees_from_history([base], [], [], _fallback_tip(backend))
    if any(len(row) != len(_PERCENTILES) for row in history.reward):
        raise BackendProtocolError(
            f"The node {backend.server} answered a fee history without the percentiles asked.",
            backend.server,
        )
    busy = any(r and row for r, row in zip(history.gas_used_ratio, history.reward, strict=False))
    return fees_from_history(
        history.base_fee_per_gas,
        history.gas_used_ratio,
        history.reward,
        0 if busy else _fallback_tip(backend),
        history.oldest_block,
    )


def _fallback_tip(backend: EvmBackend) -> int:
    try:
        return int(backend.max_priority_fee())
    except Unsupported:
        return 10**9  # 1 gwei: what geth and anvil suggest on an idle chain


def custom_quote(
    estimate: FeeEstimate,
    *,
    max_fee_per_gas: int | None = None,
    max_priority_fee_per_gas: int | None = None,
    gas_price: int | None = None,
) -> FeeQuote:
    """Return a quote from fees the user chose, filling what they left out.

    On an EIP-1559 chain a gas price alone is taken as the fee cap; a cap without a tip keeps
    the normal tip (lowered to the cap); a tip without a cap gets ``2 * base fee + tip``.

    Raises:
        ValueError: a negative fee, or a tip above the cap.
    """
    for value in (max_fee_per_gas, max_priority_fee_per_gas, gas_price):
        if value is not None and value < 0:
            raise ValueError("A fee per gas cannot be negative.")
    if estimate.legacy:
        price = gas_price if gas_price is not None else max_fee_per_gas
        return FeeQuote(
            "custom", gas_price=price if price is not None else estimate.normal.gas_price
        )
    cap = max_fee_per_gas if max_fee_per_gas is not None else gas_price
    tip = max_priority_fee_per_gas
    normal_tip = estimate.normal.max_priority_fee_per_gas or 0
    if cap is None:
        tip = normal_tip if tip is None else tip
        cap = 2 * estimate.base_fee + tip
    elif tip is None:
        tip = min(normal_tip, cap)
    if tip > cap:
        raise ValueError("The priority fee cannot be above the fee cap (EIP-1559).")
    return FeeQuote("custom", cap, tip)


def check_fee_cap(quote: FeeQuote, estimate: FeeEstimate, gas: int, symbol: str) -> None:
    """Refuse a fee far above the network's current level.

    Raises:
        FeeAboveMarket: the quote's fee per gas exceeds ``HIGH_FEE_FACTOR`` times the fast
            level's.
    """
    cap = estimate.cap_per_gas
    if quote.fee_per_gas > cap:
        raise FeeAboveMarket(
            f"A fee of up to {gwei(quote.fee_per_gas)} gwei per gas is more than "
            f"{HIGH_FEE_FACTOR} times the network's fast level ({gwei(estimate.fast.fee_per_gas)}"
            f" gwei); allow a high fee explicitly to send it anyway (maximum fee "
            f"{gas * quote.fee_per_gas} wei of {symbol}).",
            gas * quote.fee_per_gas,
            gas * cap,
        )


def estimate_gas_limit(backend: EvmBackend, request: CallRequest) -> int:
    """Return a gas limit for a transaction: the node's estimate plus a margin.

    A plain transfer (no data) to an account without code takes exactly 21,000 gas, and
    send-max depends on that number being exact, so it gets no margin; any other transaction
    gets ``GAS_MARGIN_PERCENT`` more than estimated, within the latest block's gas limit.

    Raises:
        ExecutionReverted: the transaction would revert (the error carries the reason).
    """
    estimate = backend.estimate_gas(request)
    if not request.data and estimate == TRANSFER_GAS:
        return TRANSFER_GAS
    padded = _ceil_div(estimate * (100 + GAS_MARGIN_PERCENT), 100)
    latest = backend.get_block("latest")
    if latest is not None and latest.gas_limit:
        padded = min(padded, max(latest.gas_limit, estimate))
    return padded
