"""Qt item models over display-ready rows; they never hold secrets."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from wallet import Account

__all__ = ["AccountRow", "AccountsModel"]

_Index = QModelIndex | QPersistentModelIndex


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


class AccountsModel(QAbstractTableModel):
    """The wallet's accounts: network, kind, path, receive address."""

    HEADERS = ("Network", "Kind", "Path", "Receive address")

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[AccountRow] = []

    def set_rows(self, rows: list[AccountRow]) -> None:
        """Replace every row."""
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        """Return the number of accounts (no children)."""
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        """Return the number of columns."""
        return 0 if parent.isValid() else len(self.HEADERS)

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

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        """Return the column titles."""
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.tr(self.HEADERS[section])
        return None
