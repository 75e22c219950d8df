"""The wallet-wide history (``Wallet.history``): refreshed after each sync, read page by page.

A front that shows 100,000 transactions asks for the count and the rows it draws, in the order
and with the filter the person chose; SQLite sorts and filters on indexes, so the first rows and
a re-sort take milliseconds whatever the size. After a sync, ``refresh`` compares each account's
history with the stored rows and returns only the keys that changed, so a view updates those
rows instead of rebuilding itself.
"""

from __future__ import annotations

import csv
import threading
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Protocol, TextIO

from wallet.history.store import HistoryStore
from wallet.history.types import HistoryChanges, HistoryFilter, HistoryKey, HistoryRow, SortColumn
from wallet.storage import WalletDatabase
from wallet.types import HistoryEntry

__all__ = ["CSV_COLUMNS", "HistoryBook", "HistorySource"]

CSV_COLUMNS = (
    "time_utc",
    "network",
    "account_id",
    "txid",
    "status",
    "confirmations",
    "asset",
    "token",
    "token_id",
    "amount",
    "fee",
    "counterparties",
    "label",
)
_MAX_PAGE = 10_000


class HistorySource(Protocol):
    """An account as the history needs it: its id and its own history."""

    @property
    def id(self) -> int:
        """Return the account's id in the wallet file."""
        ...

    def history(self) -> list[HistoryEntry]:
        """Return the account's history as stored after its last sync."""
        ...


class HistoryBook:
    """Every account's history as one sortable, filterable, paged table."""

    def __init__(
        self,
        database: WalletDatabase,
        sources: Callable[[str | None], Sequence[HistorySource]],
    ) -> None:
        """Bind to the wallet database and to the accounts (of one network, or all)."""
        self._store = HistoryStore(database)
        self._sources = sources
        self._pending = HistoryChanges()
        self._pending_lock = threading.Lock()

    def refresh(self, network: str | None = None) -> HistoryChanges:
        """Bring the rows of every account (of one network) in step with its history.

        Returns:
            The keys of the rows added, changed and removed; empty when nothing changed.

        Raises:
            UnknownNetwork: no such network.
        """
        changes = HistoryChanges()
        for source in self._sources(network):
            changes = changes.merged(self._store.replace_account(source.id, source.history()))
        with self._pending_lock:
            self._pending = self._pending.merged(changes)
        return changes

    def take_changes(self) -> HistoryChanges:
        """Return what every refresh changed since the last call (a view's update), and forget it.

        ``Wallet.sync`` refreshes the history and returns the sync reports; a view that shows
        the history asks here which rows to update.
        """
        with self._pending_lock:
            changes, self._pending = self._pending, HistoryChanges()
        return changes

    def count(self, flt: HistoryFilter | None = None) -> int:
        """Return how many rows match ``flt`` (every row without one)."""
        return self._store.count(flt or HistoryFilter())

    def page(
        self,
        offset: int = 0,
        limit: int = 100,
        *,
        flt: HistoryFilter | None = None,
        sort: SortColumn = SortColumn.TIME,
        descending: bool = True,
    ) -> list[HistoryRow]:
        """Return rows ``offset`` to ``offset + limit`` in the order asked.

        Rows of the same sort value are ordered by txid, so pages never overlap or skip.

        Raises:
            ValueError: a negative offset, or a limit outside 1 to 10,000.
        """
        if offset < 0:
            raise ValueError("A page starts at row 0 or later.")
        if not 1 <= limit <= _MAX_PAGE:
            raise ValueError(f"A page holds 1 to {_MAX_PAGE:,} rows.")
        return self._store.page(flt or HistoryFilter(), sort, descending, offset, limit)

    def counterparties(self, network: str) -> set[str]:
        """Return every address the network's history has on the other side."""
        return self._store.counterparties(network)

    def rows(self, keys: Sequence[HistoryKey]) -> dict[HistoryKey, HistoryRow]:
        """Return the current rows of these keys (those that still exist)."""
        return self._store.rows(keys)

    def iter_rows(
        self,
        flt: HistoryFilter | None = None,
        sort: SortColumn = SortColumn.TIME,
        descending: bool = True,
        page_size: int = 2_000,
    ) -> Iterator[HistoryRow]:
        """Yield every matching row in order, a page at a time."""
        offset = 0
        while True:
            rows = self.page(offset, page_size, flt=flt, sort=sort, descending=descending)
            yield from rows
            if len(rows) < page_size:
                return
            offset += len(rows)

    def export_csv(
        self,
        out: TextIO,
        flt: HistoryFilter | None = None,
        sort: SortColumn = SortColumn.TIME,
        descending: bool = True,
    ) -> int:
        """Write the matching rows as CSV (exact amounts in coins, UTC times).

        Returns:
            How many rows were written.
        """
        writer = csv.writer(out)
        writer.writerow(CSV_COLUMNS)
        written = 0
        for row in self.iter_rows(flt, sort, descending):
            writer.writerow(_csv_fields(row))
            written += 1
        return written


def _csv_fields(row: HistoryRow) -> list[str]:
    when = (
        ""
        if row.timestamp is None
        else datetime.fromtimestamp(row.timestamp, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    )
    fee = "" if row.fee_decimal is None else format(row.fee_decimal, "f")
    return [
        when,
        row.network,
        str(row.key.account_id),
        row.txid,
        row.status.value,
        str(row.confirmations),
        row.symbol,
        row.token or "",
        "" if row.token_id is None else str(row.token_id),
        format(row.amount_decimal, "f"),
        fee,
        " ".join(row.counterparties),
        row.label,
    ]
