"""The values coin selection takes and returns: coins, recipients, parameters, results, errors.

Amounts are ``int`` base units; every constructor refuses anything else (a ``float`` above
all) with ``TypeError``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from chains.errors import ChainError
from chains.registry import ScriptKind, UtxoNetwork
from chains.utxo.backend import FeeRate
from chains.utxo.sizes import (
    MAX_STANDARD_TX_WEIGHT,
    DustPolicy,
    InputSize,
    dust_policy,
    template_script,
)
from primitives.tx import OutPoint

__all__ = [
    "CHANGE_LOWER",
    "CHANGE_UPPER",
    "MAX_ANCESTORS",
    "TOTAL_TRIES",
    "Algorithm",
    "Coin",
    "CoinSelectionError",
    "DustOutput",
    "InsufficientFunds",
    "InvalidSelectionRequest",
    "MaxWeightExceeded",
    "Recipient",
    "Selection",
    "SelectionParams",
]

TOTAL_TRIES = 100_000
"""Core's limit on the nodes BnB and CoinGrinder visit."""
CHANGE_LOWER = 50_000
"""Core's lower bound of the randomly chosen change target (``GenerateChangeTarget``)."""
CHANGE_UPPER = 1_000_000
"""Core's upper bound of the randomly chosen change target."""
MAX_ANCESTORS = 25
"""Core's ``-limitancestorcount`` default: a transaction and its unconfirmed ancestors."""
_CORE_LONG_TERM = FeeRate(10_000)  # Core's DEFAULT_CONSOLIDATE_FEERATE and DEFAULT_DISCARD_FEE


class Algorithm(enum.Enum):
    """Which algorithm chose the inputs."""

    BNB = "bnb"
    KNAPSACK = "knapsack"
    SRD = "srd"
    CG = "cg"
    MANUAL = "manual"
    """The preset inputs covered the target by themselves."""
    SWEEP = "sweep"
    """Every usable coin: send-max, or the last resort when every algorithm missed."""


class CoinSelectionError(ChainError):
    """Root of the coin selection errors."""


class InvalidSelectionRequest(CoinSelectionError, ValueError):
    """The request itself is malformed (no recipients, a coin twice, a negative amount)."""


class InsufficientFunds(CoinSelectionError):
    """The usable coins do not cover the recipients and the fee.

    Attributes:
        shortfall: the value of one more confirmed coin, of the change script kind, that
            would make the same request succeed: what is missing plus the fee to spend that
            coin at the requested rate (nothing extra when recipients pay the fee).
        available: the total value of the coins that could be used.
    """

    def __init__(self, message: str, shortfall: int, available: int) -> None:
        """Record the shortfall and the usable total, in base units."""
        super().__init__(message)
        self.shortfall = shortfall
        self.available = available


class DustOutput(CoinSelectionError, ValueError):
    """An output would be below the network's dust limit, so no node would relay it.

    Attributes:
        index: the position of the output among the recipients.
        amount: its amount (after the fee was taken from it, where it was).
        threshold: the smallest amount that is not dust for its script.
    """

    def __init__(self, message: str, index: int, amount: int, threshold: int) -> None:
        """Record which output, its amount and the threshold."""
        super().__init__(message)
        self.index = index
        self.amount = amount
        self.threshold = threshold


class MaxWeightExceeded(CoinSelectionError):
    """Funds suffice, but only with more inputs than a standard transaction may carry."""

    def __init__(self, message: str, max_weight: int) -> None:
        """Record the weight limit that was applied."""
        super().__init__(message)
        self.max_weight = max_weight


def _require_int(value: object, what: str) -> None:
    if type(value) is not int:
        raise TypeError(f"{what} is an int in base units, not {type(value).__name__}")


@dataclass(frozen=True, slots=True)
class Coin:
    """A spendable output the wallet owns (frozen coins are left out by the caller).

    Attributes:
        outpoint: which output; the key that keeps a coin from being used twice.
        value: its value in base units.
        spend_size: the maximum size of the input spending it.
        kind: its script kind; coins of different kinds are mixed only when needed.
        confirmations: 0 while unconfirmed.
        is_change: an output of our own change chain.
        from_self: created by a transaction this wallet sent (Core's ``from_me``).
        unconfirmed_chain: unconfirmed transactions it depends on, counting the one that
            created it (Core's count with ancestors); 0 when confirmed, taken as at least 1
            when unconfirmed.
    """

    outpoint: OutPoint
    value: int
    spend_size: InputSize
    kind: ScriptKind | None = None
    confirmations: int = 0
    is_change: bool = False
    from_self: bool = False
    unconfirmed_chain: int = 0

    def __post_init__(self) -> None:
        """Refuse non-integer and negative values."""
        _require_int(self.value, "a coin's value")
        if self.value < 0:
            raise InvalidSelectionRequest("A coin's value cannot be negative.")

    @classmethod
    def of_kind(
        cls,
        outpoint: OutPoint,
        value: int,
        kind: ScriptKind,
        *,
        confirmations: int = 0,
        is_change: bool = False,
        from_self: bool = False,
        unconfirmed_chain: int = 0,
        low_r: bool = False,
    ) -> Coin:
        """Return a coin whose input size follows from its script kind (``InputSize.for_kind``)."""
        size = InputSize.for_kind(kind, low_r=low_r)
        return cls(
            outpoint, value, size, kind, confirmations, is_change, from_self, unconfirmed_chain
        )

    @property
    def is_mine(self) -> bool:
        """Return whether the coin comes from this wallet's own transaction."""
        return self.is_change or self.from_self


@dataclass(frozen=True, slots=True)
class Recipient:
    """One output to pay: its script, its amount, and whether it pays (part of) the fee."""

    script_pubkey: bytes
    amount: int
    subtract_fee: bool = False

    def __post_init__(self) -> None:
        """Refuse non-integer and negative amounts."""
        _require_int(self.amount, "an amount")
        if self.amount < 0:
            raise InvalidSelectionRequest("An amount to send cannot be negative.")


@dataclass(frozen=True, slots=True)
class SelectionParams:
    """How to select: fee rates, the change output, dust and eligibility rules.

    Attributes:
        fee_rate: the rate the transaction pays.
        change_script: the change output's script (its size and dust rule matter here).
        change_spend: the size of the input that will later spend the change.
        dust: the network's dust rule.
        long_term_fee_rate: the rate expected to spend coins later (Core's consolidate rate);
            spending now at a lower rate lowers the waste of a larger input set.
        discard_fee_rate: the rate at which change is judged worth keeping (Core's
            ``-discardfee``), also used for the future cost of spending change.
        min_change: change below this is never created (on top of the dust rules).
        segwit: whether the network has segregated witness (inputs are sized for it).
        max_tx_weight: the largest transaction weight to build.
        spend_unconfirmed_change: allow our own unconfirmed outputs (Core's
            ``-spendzeroconfchange``).
        include_unsafe: as a last resort, allow unconfirmed outputs from others.
        max_ancestors: the mempool's ancestor limit (Core ``-limitancestorcount``).
    """

    fee_rate: FeeRate
    change_script: bytes
    change_spend: InputSize
    dust: DustPolicy
    long_term_fee_rate: FeeRate = _CORE_LONG_TERM
    discard_fee_rate: FeeRate = _CORE_LONG_TERM
    min_change: int = 0
    segwit: bool = True
    max_tx_weight: int = MAX_STANDARD_TX_WEIGHT
    spend_unconfirmed_change: bool = True
    include_unsafe: bool = False
    max_ancestors: int = MAX_ANCESTORS

    @classmethod
    def for_network(
        cls,
        network: UtxoNetwork,
        fee_rate: FeeRate,
        *,
        change_kind: ScriptKind | None = None,
        change_script: bytes | None = None,
        change_spend: InputSize | None = None,
    ) -> SelectionParams:
        """Return parameters with the network's dust rule and Core-like defaults.

        The long-term and discard rates default to ten times the network's minimum relay
        rate (Core's 10 sat/vB on Bitcoin and Litecoin, 1,000 koinu/vB on Dogecoin); the
        discard rate is at least the dust relay rate, as Core's ``GetDiscardRate`` has it.

        Args:
            network: the network the transaction is for.
            fee_rate: the rate the transaction pays.
            change_kind: the change chain's script kind (default: the network's default).
            change_script: the actual change script, if already derived.
            change_spend: the size of the input that will spend the change (default: one of
                ``change_kind``; a policy account's change is spent by its own script).
        """
        kind = change_kind or network.default_kind
        script = template_script(kind) if change_script is None else change_script
        long_term = FeeRate(10 * network.min_relay_sat_vb * 1000)
        dust = dust_policy(network)
        discard = long_term
        if dust.relay_fee is not None and dust.relay_fee > discard:
            discard = dust.relay_fee
        return cls(
            fee_rate=fee_rate,
            change_script=script,
            change_spend=InputSize.for_kind(kind) if change_spend is None else change_spend,
            dust=dust,
            long_term_fee_rate=long_term,
            discard_fee_rate=discard,
            segwit=network.segwit,
        )


@dataclass(frozen=True, slots=True)
class Selection:
    """The chosen inputs and the resulting amounts, ready for the transaction builder.

    ``fee == input_value - output_value - (change or 0)`` always holds. Inputs are in a
    deterministic order (preset inputs first); the builder shuffles them and places the
    change output.

    Attributes:
        inputs: the coins to spend.
        outputs: the recipients with their final amounts (reduced where they pay the fee).
        change: the change amount, or ``None`` when the transaction has no change output.
        fee: the fee in base units.
        vsize: the transaction's virtual size with maximum-size signatures.
        waste: Core's waste metric of the selection.
        algorithm: which algorithm chose the inputs.
    """

    inputs: tuple[Coin, ...]
    outputs: tuple[Recipient, ...]
    change: int | None
    fee: int
    vsize: int
    waste: int
    algorithm: Algorithm

    @property
    def input_value(self) -> int:
        """Return the total value of the inputs."""
        return sum(c.value for c in self.inputs)

    @property
    def output_value(self) -> int:
        """Return the total paid to the recipients (change not included)."""
        return sum(r.amount for r in self.outputs)
