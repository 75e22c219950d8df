"""Qt item models over display-ready rows; they never hold secrets."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import (
    QAbstractTableModel,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)

from wallet import Account

__all__ = ["AccountRow", "AccountsModel", "TitledTable"]

_Index = QModelIndex | QPersistentModelIndex


class TitledTable(QAbstractTableModel):
    """A flat table: ``HEADERS`` are its column titles, translated in the ``CONTEXT`` context.

    A subclass says how many rows it has (``row_count``) and gives ``data``.
    """

    HEADERS: tuple[str, ...] = ()
    CONTEXT = ""

    def row_count(self) -> int:
        """Return the number of rows."""
        raise NotImplementedError

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        """Return the number of rows (a flat table: no children)."""
        return 0 if parent.isValid() else self.row_count()

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        """Return the number of columns."""
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        """Return the column titles, in the interface's language."""
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(self.HEADERS)
        ):
            return QCoreApplication.translate(self.CONTEXT, self.HEADERS[section])
        return None


@dataclass(frozen=True, slots=True)
class AccountRow:
    """One account as the accounts table shows it."""

    network: str
    kind: str
    path: str
    address: str
    watch_only: bool

    @classmethod
    def of(cls, account: Account) -> AccountRow:
        """Build the row from an account through the public API."""
        return cls(
            account.network.title,
            account.kind,
            account.path or "",
            account.receive_address(),
            account.watch_only,
        )


class AccountsModel(TitledTable):
    """The wallet's accounts: network, kind, path, receive address."""

    CONTEXT = "AccountsModel"

    HEADERS = ("Network", "Kind", "Path", "Receive address")

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[AccountRow] = []

    def set_rows(self, rows: list[AccountRow]) -> None:
        """Replace every row."""
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row_count(self) -> int:
        """Return the number of accounts."""
        return len(self._rows)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        """Return the text of a cell."""
        if not index.isValid() or role not in (
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.ToolTipRole,
        ):
            return None
        row = self._rows[index.row()]
        values = (
            row.network,
            row.kind + (" (watch-only)" if row.watch_only else ""),
            row.path,
            row.address,
        )
        return values[index.column()]
