"""Prices and exchange rates: providers, the cache, the currency catalogue (issue 16 item 1).

``Wallet.prices`` is a ``PriceService``; the values it returns and the catalogue's helpers are
re-exported here.
"""

from wallet.money.prices.assets import AssetKind, PricedAsset, resolve_asset
from wallet.money.prices.currencies import Currency, Money, currency, default_currency, quantize
from wallet.money.prices.providers import DEFAULT_URLS, Pacing
from wallet.money.prices.service import PriceService
from wallet.money.prices.types import BackfillReport, MissingDay, Quote

__all__ = [
    "DEFAULT_URLS",
    "AssetKind",
    "BackfillReport",
    "Currency",
    "MissingDay",
    "Money",
    "Pacing",
    "PriceService",
    "PricedAsset",
    "Quote",
    "currency",
    "default_currency",
    "quantize",
    "resolve_asset",
]
