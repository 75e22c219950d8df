"""The history table: a model that reads ``Wallet.history`` a page at a time, off the GUI thread.

Nothing is loaded up front and nothing is read on the GUI thread while the view paints: the
count of a filter and its first page are read on a worker (``loaded`` says when they are in);
a page the view draws that is not held yet is read on a worker too, and its rows show as soon
as it arrives (``dataChanged``). Pages are 200 rows, sorted and filtered in SQL, and a bounded
number of them is kept. A sort or a new filter reads the count again; results of an older sort
or filter that arrive late are dropped. After a sync only the rows that changed are read again
(``apply_changes``); rows added or removed change the count, which resets the view cheaply
because nothing is held. So a 1,000,000-row history, or a sync holding the database, never
stalls the event loop.
"""

from __future__ import annotations

import dataclasses
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QAbstractTableModel,
    QCoreApplication,
    QDateTime,
    QLocale,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    QThreadPool,
    Signal,
)

from gui.privacy import Privacy
from gui.texts import status_text
from gui.workers import Task, run_task
from wallet import format_amount
from wallet.history import HistoryBook, HistoryChanges, HistoryFilter, HistoryRow, SortColumn

__all__ = ["COLUMNS", "KEY_ROLE", "HistoryModel"]

_Index = QModelIndex | QPersistentModelIndex
PAGE = 200
_KEEP_PAGES = 50

# (title, sort column) in the order shown.
COLUMNS: tuple[tuple[str, SortColumn], ...] = (
    (QT_TRANSLATE_NOOP("HistoryModel", "Date"), SortColumn.TIME),
    (QT_TRANSLATE_NOOP("HistoryModel", "Network"), SortColumn.NETWORK),
    (QT_TRANSLATE_NOOP("HistoryModel", "Label"), SortColumn.LABEL),
    (QT_TRANSLATE_NOOP("HistoryModel", "Amount"), SortColumn.AMOUNT),
    (QT_TRANSLATE_NOOP("HistoryModel", "Asset"), SortColumn.ASSET),
    (QT_TRANSLATE_NOOP("HistoryModel", "Status"), SortColumn.STATUS),
    (QT_TRANSLATE_NOOP("HistoryModel", "Transaction"), SortColumn.TXID),
)
LABEL_COLUMN = 2
AMOUNT_COLUMN = 3
KEY_ROLE = Qt.ItemDataRole.UserRole + 1
"""The row's ``HistoryKey``: what a page needs to act on it; it carries no amount."""


def _when(timestamp: int | None) -> str:
    if timestamp is None:
        return QCoreApplication.translate("HistoryModel", "unknown")
    when = QDateTime.fromSecsSinceEpoch(timestamp)
    return QLocale().toString(when, QLocale.FormatType.ShortFormat)


def _signed(row: HistoryRow) -> str:
    text = format_amount(row.amount, row.decimals)
    return text if text.startswith("-") else "+" + text


class HistoryModel(QAbstractTableModel):
    """Every transaction of the wallet, paged from the store on a worker; labels are editable.

    Signals:
        loaded: the count and first page of the current sort and filter are in.
        load_failed: reading the history failed (the text says why); what was shown stays.
    """

    loaded = Signal()
    load_failed = Signal(str)

    def __init__(
        self,
        book: HistoryBook,
        privacy: Privacy,
        parent: QObject | None = None,
        pool: QThreadPool | None = None,
    ) -> None:
        super().__init__(parent)
        self._book = book
        self._privacy = privacy
        self._pool = pool
        self._filter = HistoryFilter()
        self._sort = SortColumn.TIME
        self._descending = True
        self._count = 0
        self._pages: OrderedDict[int, list[HistoryRow]] = OrderedDict()
        self._pending: set[int] = set()
        self._generation = 0
        self._tasks: set[Task] = set()
        self.loading = False
        """A count is being read (``loaded`` follows)."""
        self.network_titles: dict[str, str] = {}
        """Registry names to the names people read (``Bitcoin regtest``); set by the page."""
        self.label_editor: Callable[[str, str], None] | None = None
        """Saves a label typed in the table: ``(txid, text)``; set by the page."""
        privacy.changed.connect(self._privacy_changed)
        self._reload()

    # -- work on the pool -----------------------------------------------------------------

    def _start(self, work: Callable[[], Any], on_done: Callable[[Any], None]) -> None:
        generation = self._generation

        def done(result: Any) -> None:
            self._tasks.discard(task)
            if generation == self._generation:
                on_done(result)

        def failed(message: str) -> None:
            self._tasks.discard(task)
            if generation == self._generation:
                self._pending.clear()
                self.loading = False
                self.load_failed.emit(message)

        task = run_task(work, done, failed, self._pool)
        self._tasks.add(task)

    def _reload(self) -> None:
        """Count the rows of the current sort and filter, and read their first page."""
        self._generation += 1
        self.loading = True
        book, flt, sort, descending = self._book, self._filter, self._sort, self._descending

        def work() -> tuple[int, list[HistoryRow]]:
            count = book.count(flt)
            first = book.page(0, PAGE, flt=flt, sort=sort, descending=descending) if count else []
            return count, first

        def done(result: tuple[int, list[HistoryRow]]) -> None:
            count, first = result
            self.beginResetModel()
            self._count = count
            self._pages.clear()
            self._pending.clear()
            if first:
                self._pages[0] = first
            self.endResetModel()
            self.loading = False
            self.loaded.emit()

        self._start(work, done)

    def _request_page(self, number: int) -> None:
        if self.loading or number in self._pending:
            return
        self._pending.add(number)
        book, flt, sort, descending = self._book, self._filter, self._sort, self._descending

        def work() -> list[HistoryRow]:
            return book.page(number * PAGE, PAGE, flt=flt, sort=sort, descending=descending)

        def done(page: list[HistoryRow]) -> None:
            self._pending.discard(number)
            self._keep(number, page)
            first = number * PAGE
            last = min(first + len(page), self._count) - 1
            if last >= first:
                self.dataChanged.emit(self.index(first, 0), self.index(last, len(COLUMNS) - 1))

        self._start(work, done)

    def _keep(self, number: int, page: list[HistoryRow]) -> None:
        self._pages[number] = page
        self._pages.move_to_end(number)
        while len(self._pages) > _KEEP_PAGES:
            self._pages.popitem(last=False)

    # -- what the view asks ---------------------------------------------------------------

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        """Return how many rows match the filter (the view fetches only what it draws)."""
        return 0 if parent.isValid() else self._count

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        """Return the number of columns."""
        return 0 if parent.isValid() else len(COLUMNS)

    def row_at(self, row: int) -> HistoryRow | None:
        """Return the history row shown at ``row`` if its page is held.

        ``None`` when it is not (yet): its page is then read on a worker and ``dataChanged``
        follows. The rows a person sees or selects are always held.
        """
        if not 0 <= row < self._count:
            return None
        number, offset = divmod(row, PAGE)
        page = self._pages.get(number)
        if page is None:
            self._request_page(number)
            return None
        self._pages.move_to_end(number)
        return page[offset] if offset < len(page) else None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        """Return a cell's text, its alignment, or the row's key (``KEY_ROLE``)."""
        if not index.isValid():
            return None
        row = self.row_at(index.row())
        if row is None:
            return None
        column = index.column()
        if role == KEY_ROLE:
            return row.key
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if column == AMOUNT_COLUMN:
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            return None
        if role == Qt.ItemDataRole.EditRole and column == LABEL_COLUMN:
            return row.label
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == AMOUNT_COLUMN:
                return self._privacy.amount(_signed(row) + " " + row.symbol)
            return row.txid if column == len(COLUMNS) - 1 else None
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if column == 0:
            return _when(row.timestamp)
        if column == 1:
            return self.network_titles.get(row.network, row.network)
        if column == LABEL_COLUMN:
            return row.label
        if column == AMOUNT_COLUMN:
            return self._privacy.amount(_signed(row))
        if column == 4:
            return row.symbol if row.token_id is None else f"{row.symbol} #{row.token_id}"
        if column == 5:
            if row.confirmations:
                return self.tr("%n confirmation(s)", "", row.confirmations)
            return status_text(row.status)
        return row.txid[:16] + "\u2026"

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        """Return the column titles."""
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(COLUMNS)
        ):
            return QCoreApplication.translate("HistoryModel", COLUMNS[section][0])
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        """Labels are editable; every cell is selectable."""
        base = super().flags(index)
        if index.isValid() and index.column() == LABEL_COLUMN:
            return base | Qt.ItemFlag.ItemIsEditable
        return base

    def setData(self, index: _Index, value: object, role: int = Qt.ItemDataRole.EditRole) -> bool:
        """Hand a label edit to ``label_edited`` (the page saves it through the wallet API)."""
        if (
            not index.isValid()
            or index.column() != LABEL_COLUMN
            or role != Qt.ItemDataRole.EditRole
        ):
            return False
        row = self.row_at(index.row())
        if row is None or not isinstance(value, str):
            return False
        if self.label_editor is None:
            return False
        self.label_editor(row.txid, value)
        number, offset = divmod(index.row(), PAGE)
        self._pages[number][offset] = dataclasses.replace(row, label=value)
        self.dataChanged.emit(self.index(index.row(), 0), self.index(index.row(), len(COLUMNS) - 1))
        return True

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort by a column in SQL, on a worker: the view resets when the first page is in."""
        if not 0 <= column < len(COLUMNS):
            return
        self._sort = COLUMNS[column][1]
        self._descending = order == Qt.SortOrder.DescendingOrder
        self._reload()

    # -- what the page tells it -----------------------------------------------------------

    @property
    def filter(self) -> HistoryFilter:
        """Return the filter in force."""
        return self._filter

    def set_filter(self, flt: HistoryFilter) -> None:
        """Show only the rows that match (counted in SQL on a worker; ``loaded`` follows)."""
        self._filter = flt
        self._reload()

    def apply_changes(self, changes: HistoryChanges) -> None:
        """Show what a refresh changed: only the changed rows, unless rows came or went."""
        if not changes:
            return
        if changes.added or changes.removed:
            self._reload()
            return
        changed = set(changes.changed)
        rows = [
            number * PAGE + i
            for number, page in self._pages.items()
            for i, row in enumerate(page)
            if row.key in changed
        ]
        self.refresh_rows(rows)

    def refresh_rows(self, rows: list[int]) -> None:
        """Read these rows again from the store (on a worker) and tell the view."""
        held = {
            r: self._pages[r // PAGE][r % PAGE]
            for r in rows
            if r // PAGE in self._pages and r % PAGE < len(self._pages[r // PAGE])
        }
        if not held:
            return
        book = self._book
        keys = [row.key for row in held.values()]

        def done(fresh: dict[Any, HistoryRow]) -> None:
            for row_number, old in held.items():
                number, offset = divmod(row_number, PAGE)
                page = self._pages.get(number)
                if page is None or offset >= len(page) or page[offset].key != old.key:
                    continue
                if old.key in fresh:
                    page[offset] = fresh[old.key]
                self.dataChanged.emit(
                    self.index(row_number, 0), self.index(row_number, len(COLUMNS) - 1)
                )

        self._start(lambda: book.rows(keys), done)

    def _privacy_changed(self, _hidden: bool) -> None:
        if self._count:
            self.dataChanged.emit(
                self.index(0, AMOUNT_COLUMN), self.index(self._count - 1, AMOUNT_COLUMN)
            )
