"""The wallet's fee policy for UTXO transactions: presets by level, custom rates, caps.

Presets (``slow``, ``normal``, ``fast``) come from the backend's estimates in the chains layer
(``chains.utxo.fees``, beside ``chains.evm.fees``); this module adds what is the wallet's:
levels by name, custom rates, the caps and their stored setting, and the public errors.

Caps (a guard against a typo in a custom rate, or a fee out of proportion with a small send):

* the fee rate may not exceed ``rate_multiple`` (10) times the ``fast`` preset;
* the fee may not exceed ``max_share`` of the amount sent: 10% unless the wallet's setting
  (``set_max_fee_share``, stored in the wallet file) says otherwise.

Either refuses with ``FeeTooHigh(fee, cap)`` unless the caller passes ``allow_high_fee``.
The cap that held becomes the signer's ``max_fee``, so an offline signer refuses the same.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal

from chains.registry import UtxoNetwork, get_network
from chains.utxo import fees as chains_fees
from chains.utxo.backend import FeeRate, UtxoBackend
from wallet.amounts import check_magnitude, format_amount, parse_decimal
from wallet.errors import (
    FeeTooHigh,
    FeeTooLow,
    FloatAmountError,
    InvalidAmount,
    WalletError,
    translate_errors,
)
from wallet.storage import WalletDatabase
from wallet.storage.settings import SettingsStore
from wallet.types import FeeLevel

__all__ = [
    "DEFAULT_MAX_FEE_SHARE",
    "RATE_CAP_MULTIPLE",
    "TARGETS",
    "FeePolicy",
    "FeePresets",
    "FeeTarget",
    "check_fee",
    "custom_rate",
    "fee_presets",
    "load_policy",
    "resolve_rate",
    "set_max_fee_share",
]

TARGETS: dict[FeeLevel, int] = {level: chains_fees.TARGETS[level.value] for level in FeeLevel}
"""Confirmation targets in blocks of the presets."""

RATE_CAP_MULTIPLE = 10
"""A fee rate above this many times the ``fast`` preset is refused."""

DEFAULT_MAX_FEE_SHARE = Decimal("0.10")
"""A fee above this share of the amount sent is refused (the wallet setting's default)."""

_SHARE_KEY = "utxo:max_fee_share"


def _sat_vb(rate: FeeRate) -> str:
    return f"{rate.sat_vb.normalize():f}"


@dataclass(frozen=True, slots=True)
class FeeTarget:
    """What a preset aims at: a confirmation within ``blocks``, about ``minutes`` from now.

    Attributes:
        level: ``"slow"``, ``"normal"`` or ``"fast"``.
        blocks: the confirmation target the estimate was asked for.
        minutes: ``blocks`` times the network's target block interval, rounded up.
    """

    level: str
    blocks: int
    minutes: int


class FeePresets(chains_fees.FeePresets):
    """The fee rates of the three levels for one network (``chains.utxo.fees.FeePresets``).

    The wallet's own face of the presets: ``rate`` takes a ``FeeLevel`` or its name and
    refuses an unknown one with a ``WalletError``.
    """

    __slots__ = ()

    def rate(self, level: FeeLevel | str) -> FeeRate:
        """Return the rate of a level (``"slow"``, ``"normal"``, ``"fast"``).

        Raises:
            WalletError: an unknown level.
        """
        try:
            chosen = FeeLevel.parse(level)
        except ValueError as err:
            raise WalletError(str(err)) from None
        return self.level(chosen.value)

    def target(self, level: FeeLevel | str) -> FeeTarget:
        """Return the confirmation target of a level, in blocks and in minutes.

        Raises:
            WalletError: an unknown level.
        """
        try:
            chosen = FeeLevel.parse(level)
        except ValueError as err:
            raise WalletError(str(err)) from None
        network = get_network(self.network)
        seconds = network.block_seconds if isinstance(network, UtxoNetwork) else 600
        blocks = TARGETS[chosen]
        return FeeTarget(chosen.value, blocks, -(-blocks * seconds // 60))


def fee_presets(backend: UtxoBackend, network: UtxoNetwork) -> FeePresets:
    """Ask the backend for the three presets (one estimate per level).

    Raises:
        BackendUnavailable: the server cannot be reached or answers garbage.
    """
    with translate_errors():
        return FeePresets.estimate(backend, network)


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
    number = parse_decimal(value, "fee rate") if isinstance(value, str) else Decimal(value)
    check_magnitude(number, "fee rate")
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
    stored = SettingsStore(database).get(_SHARE_KEY)
    return FeePolicy(Decimal(stored)) if stored else FeePolicy()


def set_max_fee_share(database: WalletDatabase, share: Decimal | int | str | None) -> None:
    """Set the largest fee as a share of the amount sent (``Decimal("0.05")`` is 5%).

    ``None`` restores the default of 10%.

    Raises:
        InvalidAmount: not a number above 0 and at most 1.
        FloatAmountError: a float.
    """
    if share is None:
        SettingsStore(database).clear(_SHARE_KEY)
        return
    if isinstance(share, float):
        raise FloatAmountError()
    if isinstance(share, bool) or not isinstance(share, Decimal | int | str):
        raise InvalidAmount(f"A fee share is a Decimal, int or text, not {type(share).__name__}.")
    value = parse_decimal(share, "fee share") if isinstance(share, str) else Decimal(share)
    check_magnitude(value, "fee share")
    if not value.is_finite() or not 0 < value <= 1:
        raise InvalidAmount("The fee share is above 0 and at most 1 (0.10 is 10%).")
    SettingsStore(database).set(_SHARE_KEY, str(value))


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
