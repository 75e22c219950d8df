"""Money management: prices and exchange rates, the portfolio, fiat accounts (issue 16).

``Wallet.prices`` answers prices and rates (``wallet.money.prices``); ``Wallet.portfolio`` and
``Wallet.net_worth`` value every holding of the wallet's holdings sources
(``wallet.money.portfolio``). The values they return are re-exported here and from ``wallet``.
``Wallet.fiat`` keeps fiat accounts, points, tickets and receipts (``wallet.money.fiat``).
"""

from wallet.money.portfolio import (
    Allocation,
    BalanceChange,
    CryptoHoldings,
    Holding,
    HoldingKind,
    HoldingsSource,
    NetWorthPoint,
    NetWorthSeries,
    Portfolio,
    PortfolioRow,
)
from wallet.money.prices import (
    BackfillReport,
    Currency,
    MissingDay,
    Money,
    PriceService,
    Quote,
    currency,
    quantize,
)

__all__ = [
    "Allocation",
    "BackfillReport",
    "BalanceChange",
    "CryptoHoldings",
    "Currency",
    "Holding",
    "HoldingKind",
    "HoldingsSource",
    "MissingDay",
    "Money",
    "NetWorthPoint",
    "NetWorthSeries",
    "Portfolio",
    "PortfolioRow",
    "PriceService",
    "Quote",
    "currency",
    "quantize",
]
