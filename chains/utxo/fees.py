"""Fee presets of UTXO networks from a backend's estimates: the chains layer of fees.

``slow``, ``normal`` and ``fast`` ask the backend for the rate that confirms within 25, 6
and 2 blocks (Core's ``estimatesmartfee`` conf targets, Electrum's
``blockchain.estimatefee``). A backend without an estimate (regtest has none: NODES.md) gives
the network's ``fallback_fee_sat_vb``, as Core's ``-fallbackfee``. No preset is ever below the
network's minimum relay rate, and a slower preset never costs more than a faster one.

The EVM family's estimates live beside it in ``chains.evm.fees``; the wallet's policy (caps,
stored settings, public errors) lives in ``wallet.utxo.fees``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Self

from chains.registry import UtxoNetwork
from chains.utxo.backend import FeeRate, UtxoBackend

__all__ = ["LEVELS", "TARGETS", "FeePresets"]

LEVELS = ("slow", "normal", "fast")
"""The preset levels, slowest first."""

TARGETS: dict[str, int] = {"slow": 25, "normal": 6, "fast": 2}
"""Confirmation targets in blocks of the presets."""


@dataclass(frozen=True, slots=True)
class FeePresets:
    """The fee rates of the three levels for one network, as of one request.

    Attributes:
        network: the registry name of the network.
        slow: about 25 blocks.
        normal: about 6 blocks.
        fast: about 2 blocks.
        estimated: whether the backend gave estimates (``False``: the network's fallback).
    """

    network: str
    slow: FeeRate
    normal: FeeRate
    fast: FeeRate
    estimated: bool = True

    def level(self, name: str) -> FeeRate:
        """Return the rate of the level ``name`` (one of ``LEVELS``).

        Raises:
            ValueError: an unknown level.
        """
        if name not in TARGETS:
            raise ValueError(f"Fee levels are slow, normal or fast; not {name!r}.")
        return {"slow": self.slow, "normal": self.normal}.get(name, self.fast)

    @classmethod
    def from_rates(
        cls,
        network: UtxoNetwork,
        slow: FeeRate | None,
        normal: FeeRate | None,
        fast: FeeRate | None,
    ) -> Self:
        """Return presets from estimates (``None``: none), floored and put in order.

        A missing estimate is the network's fallback rate; every rate is at least the
        minimum relay rate; ``normal`` is at least ``slow`` and ``fast`` at least ``normal``
        (estimators can cross, and a faster level must never be the cheaper one).
        """
        floor = FeeRate(network.min_relay_sat_vb * 1000)
        fallback = FeeRate.from_sat_vb(network.fallback_fee_sat_vb)
        got = [fallback if r is None else r for r in (slow, normal, fast)]
        ordered: list[FeeRate] = []
        for rate in got:
            ordered.append(max(rate, floor, *ordered[-1:]))
        return cls(
            network.name,
            ordered[0],
            ordered[1],
            ordered[2],
            estimated=all(r is not None for r in (slow, normal, fast)),
        )

    @classmethod
    def fallback(cls, network: UtxoNetwork) -> Self:
        """Return the presets of a network whose backend has no estimates."""
        return cls.from_rates(network, None, None, None)

    @classmethod
    def estimate(cls, backend: UtxoBackend, network: UtxoNetwork) -> Self:
        """Ask the backend for the three presets (one estimate per level).

        Raises:
            ChainError: the server cannot be reached or answers garbage.
        """
        rates = [backend.fee_rate(TARGETS[name]) for name in LEVELS]
        return cls.from_rates(network, rates[0], rates[1], rates[2])
