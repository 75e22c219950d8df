"""The history table: a model that reads ``Wallet.history`` a page at a time.

Nothing is loaded up front: the view asks for the rows it draws, the model fetches their page
(200 rows) from the wallet's history store, sorted and filtered in SQL, and keeps a bounded
number of pages. A sort or a new filter drops the cache and counts again. After a sync, only the
rows that changed are fetched again (``apply_changes``); rows added or removed change the count,
which resets the view cheaply because nothing is held.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable

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
)

from gui.privacy import Privacy
from gui.texts import status_text
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
    """Every transaction of the wallet, paged from the store; labels are editable."""

    def __init__(self, book: HistoryBook, privacy: Privacy, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._book = book
        self._privacy = privacy
        self._filter = HistoryFilter()
        self._sort = SortColumn.TIME
        self._descending = True
        self._count = book.count(self._filter)
        self._pages: OrderedDict[int, list[HistoryRow]] = OrderedDict()
        self.network_titles: dict[str, str] = {}
        """Registry names to the names people read (``Bitcoin regtest``); set by the page."""
        self.label_editor: Callable[[str, str], None] | None = None
        """Saves a label typed in the table: ``(txid, text)``; set by the page."""
        privacy.changed.connect(self._privacy_changed)

    # -- what the view asks ---------------------------------------------------------------

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        """Return how many rows match the filter (the view fetches only what it draws)."""
        return 0 if parent.isValid() else self._count

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        """Return the number of columns."""
        return 0 if parent.isValid() else len(COLUMNS)

    def row_at(self, row: int) -> HistoryRow | None:
        """Return the history row shown at ``row``, fetching its page if needed."""
        if not 0 <= row < self._count:
            return None
        number = row // PAGE
        page = self._pages.get(number)
        if page is None:
            page = self._book.page(
                number * PAGE, PAGE, flt=self._filter, sort=self._sort, descending=self._descending
            )
            self._pages[number] = page
            if len(self._pages) > _KEEP_PAGES:
                self._pages.popitem(last=False)
        else:
            self._pages.move_to_end(number)
        offset = row - number * PAGE
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
        self.refresh_rows([index.row()])
        return True

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort by a column in SQL: the cache is dropped, nothing else is read now."""
        if not 0 <= column < len(COLUMNS):
            return
        self.layoutAboutToBeChanged.emit()
        self._sort = COLUMNS[column][1]
        self._descending = order == Qt.SortOrder.DescendingOrder
        self._pages.clear()
        self.layoutChanged.emit()

    # -- what the page tells it -----------------------------------------------------------

    @property
    def filter(self) -> HistoryFilter:
        """Return the filter in force."""
        return self._filter

    def set_filter(self, flt: HistoryFilter) -> None:
        """Show only the rows that match (counted in SQL)."""
        self.beginResetModel()
        self._filter = flt
        self._pages.clear()
        self._count = self._book.count(flt)
        self.endResetModel()

    def apply_changes(self, changes: HistoryChanges) -> None:
        """Show what a refresh changed: only the changed rows, unless rows came or went."""
        if not changes:
            return
        if changes.added or changes.removed:
            self.set_filter(self._filter)
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
        """Read these rows again from the store and tell the view."""
        for row_number in rows:
            number, offset = divmod(row_number, PAGE)
            page = self._pages.get(number)
            if page is None or offset >= len(page):
                continue
            fresh = self._book.rows([page[offset].key]).get(page[offset].key)
            if fresh is not None:
                page[offset] = fresh
            self.dataChanged.emit(
                self.index(row_number, 0), self.index(row_number, len(COLUMNS) - 1)
            )

    def _privacy_changed(self, _hidden: bool) -> None:
        if self._count:
            self.dataChanged.emit(
                self.index(0, AMOUNT_COLUMN), self.index(self._count - 1, AMOUNT_COLUMN)
            )
