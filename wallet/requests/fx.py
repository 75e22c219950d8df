"""The rate of a fiat-amount request or payment, read from the wallet's price service.

``acct.request(..., fx=...)`` and ``acct.prepare_payment(..., fx=...)`` take an ``FxQuote``
value; this turns the price service's answer (``w.prices.quote``, ``wallet.money``) into one,
so the rate shown with a request says where and when it came from.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Protocol

from chains.registry import Network
from wallet.errors import InvalidAmount
from wallet.requests.types import FxQuote

__all__ = ["PriceSource", "fx_quote"]


class QuoteLike(Protocol):
    """What this module reads of a price service's quote (``wallet.money.Quote``)."""

    @property
    def base(self) -> str:
        """The currency of the rate."""
        ...

    @property
    def rate(self) -> Decimal:
        """Units of ``base`` per unit of the asset."""
        ...

    @property
    def source(self) -> str:
        """The provider(s)."""
        ...

    @property
    def at(self) -> int:
        """The time of the rate (Unix seconds)."""
        ...

    @property
    def offline(self) -> bool:
        """The provider could not be reached: the last known value."""
        ...


class PriceSource(Protocol):
    """A price service: ``w.prices`` is one.

    A protocol, not ``wallet.money.PriceService`` itself: the money package imports the
    accounts, which import this package, so naming its class here would close a loop.
    """

    def quote(self, asset: str, base: str | None = None) -> QuoteLike:
        """Return the current price of one unit of ``asset`` in ``base``."""
        ...


def fx_quote(
    prices: PriceSource,
    network: Network,
    currency: str | None = None,
    *,
    token: str | None = None,
    symbol: str | None = None,
) -> FxQuote:
    """Return the current rate of a network's coin (or a token) in a fiat currency.

    Args:
        prices: the wallet's price service (``w.prices``).
        network: the network of the coin.
        currency: an ISO 4217 code; ``None`` for the wallet's base currency.
        token: an ERC-20 contract, to price the token instead of the coin.
        symbol: the token's symbol (the asset named in the quote); the coin's by default.

    Raises:
        InvalidAmount: the network is a test network (its coins have no price).
        UnknownAsset, UnknownCurrency, PriceUnavailable, PriceProviderError: as
            ``PriceService.quote``.
    """
    if network.is_testnet:
        raise InvalidAmount(
            f"{network.title} coins have no price: give the amount in {network.symbol}."
        )
    asset = f"{network.name}:{token}" if token is not None else network.symbol
    quote = prices.quote(asset, currency)
    source = quote.source + (", last known value (offline)" if quote.offline else "")
    return FxQuote(symbol or network.symbol, quote.base, quote.rate, source, quote.at)
