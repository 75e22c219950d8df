"""What the price service can price: coins, tokens by contract, and fiat currencies.

An asset is named the way a person types it: a coin's ticker (``BTC``) or CoinGecko id
(``bitcoin``), a token as ``NETWORK:CONTRACT`` (``ethereum:0xA0b8...``), or an ISO 4217
currency (``USD``). ``resolve_asset`` turns that text into a ``PricedAsset``, whose ``key`` is
how the cache stores it.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from babel.numbers import is_currency

from wallet.errors import UnknownAsset

__all__ = ["COINS", "PLATFORMS", "AssetKind", "PricedAsset", "coin_for_symbol", "resolve_asset"]


class AssetKind(enum.Enum):
    """What sort of asset a price is for."""

    COIN = "coin"
    TOKEN = "token"  # noqa: S105 - an asset kind, not a secret
    FIAT = "fiat"


@dataclass(frozen=True, slots=True)
class PricedAsset:
    """An asset the providers know.

    Attributes:
        key: the cache key (``BTC``, ``token:ethereum:0xa0b8...``, ``EUR``).
        symbol: the ticker shown.
        kind: coin, token or fiat.
        coingecko_id: the coin's CoinGecko id (coins only).
        cryptocompare: the coin's CryptoCompare symbol, for history older than CoinGecko's
            free 365 days (coins only).
        platform: the token's CoinGecko asset platform (tokens only).
        contract: the token contract, lower case (tokens only).
    """

    key: str
    symbol: str
    kind: AssetKind
    coingecko_id: str | None = None
    cryptocompare: str | None = None
    platform: str | None = None
    contract: str | None = None


COINS: dict[str, PricedAsset] = {
    symbol: PricedAsset(symbol, symbol, AssetKind.COIN, cg, symbol)
    for symbol, cg in (
        ("BTC", "bitcoin"),
        ("LTC", "litecoin"),
        ("DOGE", "dogecoin"),
        ("ETH", "ethereum"),
        ("POL", "polygon-ecosystem-token"),
        ("BNB", "binancecoin"),
        ("AVAX", "avalanche-2"),
    )
}
"""The native coins of the registry's main networks, by ticker."""

PLATFORMS: dict[str, str] = {
    "ethereum": "ethereum",
    "polygon": "polygon-pos",
    "arbitrum": "arbitrum-one",
    "optimism": "optimistic-ethereum",
    "base": "base",
    "bsc": "binance-smart-chain",
    "avalanche": "avalanche",
}
"""CoinGecko's asset platform of each EVM main network of the registry."""

_CONTRACT = re.compile(r"0x[0-9a-fA-F]{40}")


def coin_for_symbol(symbol: str) -> PricedAsset | None:
    """Return the coin with this ticker, or ``None``."""
    return COINS.get(symbol.upper())


def token(network: str, contract: str, symbol: str = "") -> PricedAsset:
    """Return the token ``contract`` of EVM network ``network``.

    Raises:
        UnknownAsset: a network CoinGecko does not price, or not a contract address.
    """
    platform = PLATFORMS.get(network.lower())
    if platform is None:
        raise UnknownAsset(
            f"Tokens of {network[:40]!r} have no price source (main EVM networks only: "
            f"{', '.join(PLATFORMS)}).",
            f"{network}:{contract}",
        )
    if not _CONTRACT.fullmatch(contract):
        raise UnknownAsset(f"{contract[:60]!r} is not a token contract address.", contract)
    lower = contract.lower()
    return PricedAsset(
        f"token:{network.lower()}:{lower}",
        symbol or lower[:10],
        AssetKind.TOKEN,
        platform=platform,
        contract=lower,
    )


def resolve_asset(text: str) -> PricedAsset:
    """Return the asset a person named: a ticker, a CoinGecko id, NETWORK:CONTRACT, a currency.

    Raises:
        UnknownAsset: nothing of that name.
    """
    name = text.strip()
    if ":" in name:
        network, _, contract = name.partition(":")
        return token(network, contract)
    upper = name.upper()
    if upper in COINS:
        return COINS[upper]
    by_id = next((c for c in COINS.values() if c.coingecko_id == name.lower()), None)
    if by_id is not None:
        return by_id
    if len(upper) == 3 and upper.isascii() and upper.isalpha() and is_currency(upper):
        return PricedAsset(upper, upper, AssetKind.FIAT)
    shown = name if len(name) <= 40 else name[:40] + "..."
    raise UnknownAsset(
        f"{shown!r} is not a coin, token or currency Coffer prices (coins: "
        f"{', '.join(COINS)}; tokens as NETWORK:CONTRACT; currencies as ISO 4217 codes).",
        text,
    )
