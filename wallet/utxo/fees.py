"""Fee rates of UTXO transactions: presets from the backend's estimates, custom rates, caps.

Presets: ``slow``, ``normal`` and ``fast`` ask the backend for the rate that confirms within
25, 6 and 2 blocks (Core's ``estimatesmartfee`` conf targets, Electrum's
``blockchain.estimatefee``). A backend without an estimate (regtest has none: NODES.md) gives
the network's ``fallback_fee_sat_vb``, as Core's ``-fallbackfee``. No preset is ever below the
network's minimum relay rate, and a slower preset never costs more than a faster one.

Caps (a guard against a typo in a custom rate, or a fee out of proportion with a small send):

* the fee rate may not exceed ``rate_multiple`` (10) times the ``fast`` preset;
* the fee may not exceed ``max_share`` of the amount sent: 10% unless the wallet's setting
  (``set_max_fee_share``, stored in the wallet file) says otherwise.

Either refuses with ``FeeTooHigh(fee, cap)`` unless the caller passes ``allow_high_fee``.
The cap that held becomes the signer's ``max_fee``, so an offline signer refuses the same.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal, InvalidOperation

from chains.registry import UtxoNetwork
from chains.utxo.backend import FeeRate, UtxoBackend
from wallet.amounts import format_amount
from wallet.errors import (
    FeeTooHigh,
    FeeTooLow,
    FloatAmountError,
    InvalidAmount,
    WalletError,
    translate_errors,
)
from wallet.storage import WalletDatabase
from wallet.types import FeeLevel

__all__ = [
    "DEFAULT_MAX_FEE_SHARE",
    "RATE_CAP_MULTIPLE",
    "TARGETS",
    "FeePolicy",
    "FeePresets",
    "check_fee",
    "custom_rate",
    "fee_presets",
    "load_policy",
    "resolve_rate",
    "set_max_fee_share",
]

TARGETS: dict[FeeLevel, int] = {FeeLevel.SLOW: 25, FeeLevel.NORMAL: 6, FeeLevel.FAST: 2}
"""Confirmation targets in blocks of the presets."""

RATE_CAP_MULTIPLE = 10
"""A fee rate above this many times the ``fast`` preset is refused."""

DEFAULT_MAX_FEE_SHARE = Decimal("0.10")
"""A fee above this share of the amount sent is refused (the wallet setting's default)."""

_SHARE_KEY = "utxo:max_fee_share"


def _sat_vb(rate: FeeRate) -> str:
    return f"{rate.sat_vb.normalize():f}"


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

    def rate(self, level: FeeLevel | str) -> FeeRate:
        """Return the rate of a level (``"slow"``, ``"normal"``, ``"fast"``).

        Raises:
            WalletError: an unknown level.
        """
        try:
            chosen = FeeLevel.parse(level)
        except ValueError as err:
            raise WalletError(str(err)) from None
        return {FeeLevel.SLOW: self.slow, FeeLevel.NORMAL: self.normal}.get(chosen, self.fast)

    @classmethod
    def from_rates(
        cls,
        network: UtxoNetwork,
        slow: FeeRate | None,
        normal: FeeRate | None,
        fast: FeeRate | None,
    ) -> FeePresets:
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
    def fallback(cls, network: UtxoNetwork) -> FeePresets:
        """Return the presets of a network whose backend has no estimates."""
        return cls.from_rates(network, None, None, None)


def fee_presets(backend: UtxoBackend, network: UtxoNetwork) -> FeePresets:
    """Ask the backend for the three presets (one estimate per level).

    Raises:
        BackendUnavailable: the server cannot be reached or answers garbage.
    """
    with translate_errors():
        rates = [backend.fee_rate(TARGETS[level]) for level in FeeLevel]
    return FeePresets.from_rates(network, rates[0], rates[1], rates[2])


def custom_rate(value: Decimal | int | str, network: UtxoNetwork) -> FeeRate:
    """Return a custom fee rate given in sat/vB (``Decimal``, ``int`` or text; never float).

    Fractions below 0.001 sat/vB round up (rates are kept in sat/kvB, as Core keeps them).

    Raises:
        FloatAmountError: a float.
        InvalidAmount: not a positive number.
        FeeTooLow: below the network's minimum relay rate (no node would relay it).
    """
    if isinstance(value, float):
        raise FloatAmountError()
    if isinstance(value, bool) or not isinstance(value, Decimal | int | str):
        raise InvalidAmount(f"A fee rate is a Decimal, int or text, not {type(value).__name__}.")
    try:
        number = Decimal(value.strip()) if isinstance(value, str) else Decimal(value)
    except InvalidOperation:
        raise InvalidAmount(f"The fee rate {value!r} is not a number.") from None
    if not number.is_finite() or number <= 0:
        raise InvalidAmount("A fee rate is a positive number of sat/vB.")
    per_kvb = int((number * 1000).to_integral_value(rounding=ROUND_CEILING))
    minimum = network.min_relay_sat_vb
    if per_kvb < minimum * 1000:
        raise FeeTooLow(
            f"{number:f} sat/vB is below the minimum relay fee of {minimum} sat/vB on "
            f"{network.title}: no node would relay the transaction."
        )
    return FeeRate(per_kvb)


def resolve_rate(
    presets: FeePresets,
    fee: FeeLevel | str,
    fee_rate: Decimal | int | str | None,
    network: UtxoNetwork,
) -> FeeRate:
    """Return the custom rate if one is given, else the preset ``fee``."""
    if fee_rate is not None:
        return custom_rate(fee_rate, network)
    return presets.rate(fee)


@dataclass(frozen=True, slots=True)
class FeePolicy:
    """The wallet's fee caps (see the module docstring).

    Attributes:
        max_share: the largest fee as a share of the amount sent (0.10 is 10%).
        rate_multiple: the largest fee rate as a multiple of the ``fast`` preset.
    """

    max_share: Decimal = DEFAULT_MAX_FEE_SHARE
    rate_multiple: int = RATE_CAP_MULTIPLE


def load_policy(database: WalletDatabase) -> FeePolicy:
    """Return the wallet's fee policy (the defaults until it is set)."""
    stored = database.get_meta(_SHARE_KEY)
    return FeePolicy(Decimal(stored)) if stored else FeePolicy()


def set_max_fee_share(database: WalletDatabase, share: Decimal | int | str | None) -> None:
    """Set the largest fee as a share of the amount sent (``Decimal("0.05")`` is 5%).

    ``None`` restores the default of 10%.

    Raises:
        InvalidAmount: not a number above 0 and at most 1.
        FloatAmountError: a float.
    """
    if share is None:
        with database.transaction():
            database.execute("DELETE FROM meta WHERE key = ?", (_SHARE_KEY,))
        return
    if isinstance(share, float):
        raise FloatAmountError()
    try:
        value = Decimal(share)
    except InvalidOperation:
        raise InvalidAmount(f"The fee share {share!r} is not a number.") from None
    if not value.is_finite() or not 0 < value <= 1:
        raise InvalidAmount("The fee share is above 0 and at most 1 (0.10 is 10%).")
    with database.transaction():
        database.set_meta(_SHARE_KEY, str(value))


def check_fee(
    fee: int,
    vsize: int,
    amount: int,
    presets: FeePresets,
    policy: FeePolicy,
    network: UtxoNetwork,
    *,
    allow_high_fee: bool = False,
) -> int:
    """Refuse a fee above the caps; return the cap the signer is given.

    Args:
        fee: the fee in base units (for a CPFP child, the whole package's).
        vsize: the virtual size it pays for (for CPFP, the package's).
        amount: what the transaction sends (base units); 0 skips the share cap.
        presets: the network's presets (the rate cap is a multiple of ``fast``).
        policy: the wallet's caps.
        network: the network, for messages.
        allow_high_fee: accept any fee; the cap returned is then the fee itself.

    Returns:
        The largest fee the caps allow (or ``fee`` when ``allow_high_fee``).

    Raises:
        FeeTooHigh: the fee is above a cap (the error names which and by how much).
    """
    if allow_high_fee:
        return fee
    symbol, decimals = network.symbol, network.decimals
    rate_cap = presets.fast.fee_for(vsize) * policy.rate_multiple
    if fee > rate_cap:
        paid = FeeRate(fee * 1000 // max(vsize, 1))
        raise FeeTooHigh(
            f"The fee of {format_amount(fee, decimals, symbol)} ({_sat_vb(paid)} sat/vB) is more "
            f"than {policy.rate_multiple} times the fast estimate of {_sat_vb(presets.fast)} "
            "sat/vB; allow a high fee explicitly if you mean it.",
            fee,
            rate_cap,
        )
    if amount <= 0:
        return rate_cap
    share_cap = int(Decimal(amount) * policy.max_share)
    if fee > share_cap:
        percent = f"{(policy.max_share * 100).normalize():f}"
        raise FeeTooHigh(
            f"The fee of {format_amount(fee, decimals, symbol)} is more than {percent}% of the "
            f"{format_amount(amount, decimals, symbol)} sent; allow a high fee explicitly if "
            "you mean it.",
            fee,
            share_cap,
        )
    return min(rate_cap, share_cap)
