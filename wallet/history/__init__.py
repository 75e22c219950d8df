"""The wallet-wide history: one table over every account, sorted and filtered in SQL."""

from __future__ import annotations

from wallet.history.book import CSV_COLUMNS, HistoryBook, HistorySource
from wallet.history.checks import SendWarning, WarningKind, send_warnings
from wallet.history.types import (
    HistoryChanges,
    HistoryFilter,
    HistoryKey,
    HistoryRow,
    SortColumn,
)

__all__ = [
    "CSV_COLUMNS",
    "HistoryBook",
    "HistoryChanges",
    "HistoryFilter",
    "HistoryKey",
    "HistoryRow",
    "HistorySource",
    "SendWarning",
    "SortColumn",
    "WarningKind",
    "send_warnings",
]
