"""Coin control: the UTXO account's unspent coins, to choose which ones a payment spends.

The coins are ``UtxoAccount.coins()`` as the last sync stored them (a quick read of the wallet
file); the chosen outpoints go to ``prepare_send(..., utxos=[...])``, which spends those and
only those (a frozen coin too, when it is chosen). Amounts follow the privacy switch.
"""

from __future__ import annotations

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from gui.models import TitledTable
from gui.privacy import Privacy
from wallet import format_amount
from wallet.types import CoinInfo

__all__ = ["CoinControlDialog", "CoinsModel"]

_Index = QModelIndex | QPersistentModelIndex


class CoinsModel(TitledTable):
    """Unspent coins with a check box each: amount, confirmations, label, frozen, outpoint."""

    HEADERS = (
        QT_TRANSLATE_NOOP("CoinsModel", "Amount"),
        QT_TRANSLATE_NOOP("CoinsModel", "Confirmations"),
        QT_TRANSLATE_NOOP("CoinsModel", "Label"),
        QT_TRANSLATE_NOOP("CoinsModel", "Frozen"),
        QT_TRANSLATE_NOOP("CoinsModel", "Coin"),
    )
    CONTEXT = "CoinsModel"

    def __init__(
        self,
        coins: list[CoinInfo],
        decimals: int,
        symbol: str,
        privacy: Privacy,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._coins = list(coins)
        self._decimals = decimals
        self._symbol = symbol
        self._privacy = privacy
        self._chosen: set[str] = set()
        privacy.changed.connect(self._privacy_changed)

    def row_count(self) -> int:
        """Return the number of coins."""
        return len(self._coins)

    def coin(self, row: int) -> CoinInfo:
        """Return the coin of a row."""
        return self._coins[row]

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        """Return a cell's text, or the check state of the first column."""
        if not index.isValid() or not 0 <= index.row() < len(self._coins):
            return None
        coin = self._coins[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.CheckStateRole and column == 0:
            chosen = coin.outpoint in self._chosen
            return Qt.CheckState.Checked if chosen else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.TextAlignmentRole and column in (0, 1):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        if column == 0:
            return self._privacy.amount(format_amount(coin.value, self._decimals, self._symbol))
        if column == 1:
            return str(coin.confirmations)
        if column == 2:
            return coin.label
        if column == 3:
            return self.tr("frozen") if coin.frozen else ""
        return coin.outpoint

    def flags(self, index: _Index) -> Qt.ItemFlag:
        """Return the flags: the first column is checkable."""
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.column() == 0:
            flags |= Qt.ItemFlag.ItemIsUserCheckable
        return flags

    def setData(self, index: _Index, value: object, role: int = Qt.ItemDataRole.EditRole) -> bool:
        """Choose or leave a coin through its check box."""
        if not index.isValid() or index.column() != 0 or role != Qt.ItemDataRole.CheckStateRole:
            return False
        outpoint = self._coins[index.row()].outpoint
        checked = value in (Qt.CheckState.Checked, Qt.CheckState.Checked.value)
        if checked:
            self._chosen.add(outpoint)
        else:
            self._chosen.discard(outpoint)
        self.dataChanged.emit(index, index, [Qt.ItemDataRole.CheckStateRole])
        return True

    def chosen(self) -> list[str]:
        """Return the chosen outpoints, in the table's order."""
        return [c.outpoint for c in self._coins if c.outpoint in self._chosen]

    def chosen_value(self) -> int:
        """Return the sum of the chosen coins, in base units."""
        return sum(c.value for c in self._coins if c.outpoint in self._chosen)

    def set_chosen(self, outpoints: list[str]) -> None:
        """Choose exactly these coins (unknown ones are ignored)."""
        known = {c.outpoint for c in self._coins}
        self._chosen = {o for o in outpoints if o in known}
        if self._coins:
            self.dataChanged.emit(
                self.index(0, 0),
                self.index(len(self._coins) - 1, 0),
                [Qt.ItemDataRole.CheckStateRole],
            )

    def _privacy_changed(self, _hidden: bool) -> None:
        if self._coins:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._coins) - 1, 0))


class CoinControlDialog(QDialog):
    """Choose the coins a payment spends; none chosen lets the wallet choose."""

    def __init__(self, model: CoinsModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Coin control"))
        self.model = model
        layout = QVBoxLayout(self)
        intro = QLabel(
            self.tr(
                "Tick the coins this payment spends; it spends those and only those. "
                "Tick none to let the wallet choose (frozen coins are never chosen for you)."
            )
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.table = QTableView()
        self.table.setObjectName("coinsTable")
        self.table.setModel(model)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(self.table)
        if model.rowCount() == 0:
            layout.addWidget(QLabel(self.tr("The account has no coins as of the last sync.")))
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(720, 360)
