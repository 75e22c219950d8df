"""The fee levels of an EVM network now, as a send form shows them before any draft.

``EvmAccount.fee_levels()`` asks the node's recent blocks (``eth_feeHistory``, or the gas
price on a legacy chain) for the slow, normal and fast levels that ``prepare_send(fee=...)``
uses, and gives each level's most per gas and the most a plain transfer (21,000 gas) can
cost at it. A rollup's L1 data fee comes on top of that and is known only for a draft.
"""

from __future__ import annotations

from dataclasses import dataclass

from chains.evm.fees import LEVELS, TRANSFER_GAS, FeeQuote, estimate_fees
from wallet.errors import translate_errors
from wallet.evm.context import EvmContext

__all__ = ["EvmFeeLevel", "EvmFeeLevels", "fee_levels"]


@dataclass(frozen=True, slots=True)
class EvmFeeLevel:
    """One fee level.

    Attributes:
        level: ``"slow"``, ``"normal"`` or ``"fast"``.
        fee_per_gas: the most paid per gas in wei (the EIP-1559 fee cap, or the gas price).
        priority_fee_per_gas: the EIP-1559 tip in wei; ``None`` on a legacy chain.
        transfer_fee: the most a plain coin transfer pays at this level, in wei.
    """

    level: str
    fee_per_gas: int
    priority_fee_per_gas: int | None
    transfer_fee: int


@dataclass(frozen=True, slots=True)
class EvmFeeLevels:
    """The three levels of a network now.

    Attributes:
        base_fee: the next block's base fee in wei (0 on a legacy chain).
        legacy: whether the network prices gas the legacy way.
        levels: slow, normal and fast, in that order.
    """

    base_fee: int
    legacy: bool
    levels: tuple[EvmFeeLevel, ...]

    def level(self, name: str) -> EvmFeeLevel:
        """Return the level called ``name`` (``slow``, ``normal``, ``fast``).

        Raises:
            KeyError: no such level.
        """
        for level in self.levels:
            if level.level == name:
                return level
        raise KeyError(name)


def _level(quote: FeeQuote) -> EvmFeeLevel:
    return EvmFeeLevel(
        quote.level,
        quote.fee_per_gas,
        quote.max_priority_fee_per_gas,
        quote.fee_per_gas * TRANSFER_GAS,
    )


def fee_levels(ctx: EvmContext) -> EvmFeeLevels:
    """Return the network's fee levels now. See ``EvmAccount.fee_levels``."""
    backend = ctx.backend()
    with translate_errors():
        estimate = estimate_fees(backend)
    return EvmFeeLevels(
        estimate.base_fee, estimate.legacy, tuple(_level(estimate.level(n)) for n in LEVELS)
    )
