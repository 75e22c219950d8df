"""Realised gains per tax year: a lot engine (FIFO, LIFO, HIFO) and its reports.

``lots`` is the pure engine over events, ``history`` turns the accounts' history into events
valued through a ``PriceLookup``, ``report`` gives one tax year and its CSV files.
"""

from __future__ import annotations

from wallet.money.tax.history import (
    AccountHistory,
    HistoryEvents,
    PriceLookup,
    PriceQuote,
    PriceTable,
    asset_key,
    events_from_history,
)
from wallet.money.tax.lots import (
    Acquire,
    Disposal,
    Dispose,
    Fee,
    Lot,
    LotResult,
    LotUse,
    Method,
    Pooling,
    TaxEvent,
    Transfer,
    run_lots,
)
from wallet.money.tax.report import TaxReport, koinly_csv, money, report_csv, tax_report

__all__ = [
    "AccountHistory",
    "Acquire",
    "Disposal",
    "Dispose",
    "Fee",
    "HistoryEvents",
    "Lot",
    "LotResult",
    "LotUse",
    "Method",
    "Pooling",
    "PriceLookup",
    "PriceQuote",
    "PriceTable",
    "TaxEvent",
    "TaxReport",
    "Transfer",
    "asset_key",
    "events_from_history",
    "koinly_csv",
    "money",
    "report_csv",
    "run_lots",
    "tax_report",
]
