"""What a transaction was worth when it happened, and what the same amount is worth now.

``transaction_value(prices, sources, row)`` values a history row in the base currency twice:
at the daily close of its day (``PriceService.quote(asset, day=...)``) and at the current
price. The asset is the one the portfolio prices for that network and symbol (so the demo's
sample prices apply the same way); each value carries its rate's source and time, or the
reason it is unknown (a test network's coin, a day that has not ended, a provider that cannot
be reached): never zero, never another day's rate. ``coin_value(prices, sources, network,
units)`` values an amount of a network's coin now (a draft's fee, for the review).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

from chains.registry import get_network
from wallet.amounts import to_decimal
from wallet.errors import PriceUnavailable, WalletError, translate_errors
from wallet.history.types import HistoryRow
from wallet.money.portfolio import HoldingKind, HoldingsSource
from wallet.money.prices import PriceService
from wallet.money.prices.currencies import currency, quantize

__all__ = ["TransactionValue", "Valuation", "coin_value", "transaction_value"]

_DAY_STATES = ("has not ended yet", "is in the future")
"""Reasons that describe the day itself (``PriceService`` refuses a close before it exists)."""


@dataclass(frozen=True, slots=True)
class Valuation:
    """An amount's value in a currency at one price, or why it is unknown.

    Attributes:
        currency: the currency (ISO 4217).
        value: the value, to the currency's minor unit (signed as the amount); ``None`` when
            unknown.
        price: the price of one unit; ``None`` when unknown.
        source: where the price comes from (``coingecko``, ``sample``...).
        at: the price's time.
        reason: why the value is unknown ("" when known).
    """

    currency: str
    value: Decimal | None
    price: Decimal | None = None
    source: str = ""
    at: datetime | None = None
    reason: str = ""


@dataclass(frozen=True, slots=True)
class TransactionValue:
    """A history row's value then (its day's close) and now (the current price)."""

    then: Valuation
    now: Valuation


def _asset(
    sources: Sequence[HoldingsSource], network: str, symbol: str, kind: HoldingKind
) -> tuple[str | None, str]:
    """Return the priced asset of a network's coin or token, or ``None`` and why."""
    for source in sources:
        for holding in source.holdings():
            same = holding.network == network and holding.symbol == symbol
            if holding.kind is kind and same:
                return holding.asset, holding.unknown_reason or "no price source for it"
    return None, "no price source for it (no balance of it as of the last sync)"


def coin_value(
    prices: PriceService,
    sources: Sequence[HoldingsSource],
    network: str,
    amount: int,
    base: str | None = None,
    *,
    online: bool = True,
) -> Valuation:
    """Value an amount of a network's coin (base units) at the current price: a fee, say.

    Args:
        prices: the wallet's price service (``Wallet.prices``).
        sources: the holdings the portfolio values (``Wallet.holdings_sources``).
        network: the registry name of the network.
        amount: base units of its coin.
        base: the currency; ``None``: the wallet's base currency.
        online: ``False`` answers from the cache alone.

    Raises:
        UnknownNetwork: no such network.
        UnknownCurrency: ``base`` is not an ISO 4217 code.
    """
    code = currency(base).code if base is not None else prices.base_currency
    with translate_errors():
        net = get_network(network)
    asset, reason = _asset(sources, network, net.symbol, HoldingKind.COIN)
    if asset is None:
        return Valuation(code, None, reason=reason)
    return _value(prices, asset, to_decimal(amount, net.decimals), code, None, online)


def transaction_value(
    prices: PriceService,
    sources: Sequence[HoldingsSource],
    row: HistoryRow,
    base: str | None = None,
    *,
    online: bool = True,
) -> TransactionValue:
    """Value a history row's amount at its day's close and at the current price.

    Args:
        prices: the wallet's price service (``Wallet.prices``).
        sources: the holdings the portfolio values (``Wallet.holdings_sources``).
        row: the transaction's row.
        base: the currency; ``None``: the wallet's base currency.
        online: ``False`` answers from the cache alone.

    Raises:
        UnknownCurrency: ``base`` is not an ISO 4217 code.
    """
    code = currency(base).code if base is not None else prices.base_currency
    kind = HoldingKind.COIN if row.token is None else HoldingKind.TOKEN
    asset, reason = _asset(sources, row.network, row.symbol, kind)
    if asset is None:
        unknown = Valuation(code, None, reason=reason)
        return TransactionValue(unknown, unknown)
    amount = to_decimal(row.amount, row.decimals)
    if row.timestamp is None:
        then = Valuation(code, None, reason="the transaction's time is unknown")
    else:
        day = datetime.fromtimestamp(row.timestamp, UTC).date()
        then = _value(prices, asset, amount, code, day, online)
    return TransactionValue(then, _value(prices, asset, amount, code, None, online))


def _value(
    prices: PriceService,
    asset: str,
    amount: Decimal,
    code: str,
    day: date | None,
    online: bool,
) -> Valuation:
    try:
        quote = prices.quote(asset, code, day, online=online)
    except WalletError as err:
        reason = str(getattr(err, "reason", "") or err)
        if day is not None and isinstance(err, PriceUnavailable) and err.day:
            # Name the day whose close is missing: "2026-12-07 has not ended yet".
            glue = " " if reason in _DAY_STATES else ": "
            reason = f"{day.isoformat()}{glue}{reason}"
        return Valuation(code, None, reason=reason)
    return Valuation(
        code,
        quantize(amount * quote.rate, code),
        quote.rate,
        quote.source,
        quote.as_of,
    )
