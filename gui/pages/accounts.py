"""The accounts page: every account with what it holds (confirmed, pending, frozen)."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QCoreApplication,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtWidgets import QHeaderView, QLabel, QTableView, QVBoxLayout, QWidget

from gui.models import TitledTable
from gui.privacy import Privacy
from gui.session import Session
from wallet import Account, Wallet, format_amount

__all__ = ["AccountBalanceRow", "AccountsPage", "BalancesModel", "balance_rows"]

_Index = QModelIndex | QPersistentModelIndex
ACCOUNT_ID_ROLE = Qt.ItemDataRole.UserRole + 1


@dataclass(frozen=True, slots=True)
class AccountBalanceRow:
    """One account and one asset, as display text (no number reaches the view otherwise)."""

    account_id: int
    network: str
    account: str
    asset: str
    confirmed: str
    pending: str
    frozen: str
    address: str
    synced: bool


def _rows_of(account: Account) -> list[AccountBalanceRow]:
    watch = QCoreApplication.translate("BalancesModel", " (watch-only)")
    name = f"#{account.index} {account.kind}" + (watch if account.watch_only else "")
    balances = [account.balance()]
    token_balances = getattr(account, "token_balances", None)
    if callable(token_balances):
        balances += token_balances()
    rows = []
    for balance in balances:
        if balance.synced:
            confirmed = format_amount(balance.confirmed, balance.decimals)
            pending = format_amount(balance.unconfirmed, balance.decimals)
            frozen = format_amount(balance.frozen, balance.decimals)
        else:
            confirmed = pending = frozen = ""
        rows.append(
            AccountBalanceRow(
                account.id,
                account.network.title,
                name,
                balance.symbol,
                confirmed,
                pending,
                frozen,
                account.receive_address(),
                balance.synced,
            )
        )
    return rows


def balance_rows(wallet: Wallet) -> list[AccountBalanceRow]:
    """Read every account's balances from the wallet file (no network)."""
    return [row for account in wallet.accounts() for row in _rows_of(account)]


class BalancesModel(TitledTable):
    """Accounts and their balances; amounts masked while balances are hidden."""

    HEADERS = (
        QT_TRANSLATE_NOOP("BalancesModel", "Network"),
        QT_TRANSLATE_NOOP("BalancesModel", "Account"),
        QT_TRANSLATE_NOOP("BalancesModel", "Asset"),
        QT_TRANSLATE_NOOP("BalancesModel", "Confirmed"),
        QT_TRANSLATE_NOOP("BalancesModel", "Pending"),
        QT_TRANSLATE_NOOP("BalancesModel", "Frozen"),
        QT_TRANSLATE_NOOP("BalancesModel", "Address"),
    )
    CONTEXT = "BalancesModel"

    def __init__(self, privacy: Privacy, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._privacy = privacy
        self._rows: list[AccountBalanceRow] = []
        privacy.changed.connect(self._masked)

    def set_rows(self, rows: list[AccountBalanceRow]) -> None:
        """Replace every row."""
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row_count(self) -> int:
        """Return the number of accounts and assets."""
        return len(self._rows)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        """Return a cell's text; amounts are the mask while hidden, "not synced" if unknown."""
        if not index.isValid():
            return None
        row = self._rows[index.row()]
        column = index.column()
        if role == ACCOUNT_ID_ROLE:
            return row.account_id
        if role == Qt.ItemDataRole.TextAlignmentRole and 3 <= column <= 5:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        if 3 <= column <= 5:
            if not row.synced:
                return self.tr("not synced")
            return self._privacy.amount((row.confirmed, row.pending, row.frozen)[column - 3])
        return (row.network, row.account, row.asset, "", "", "", row.address)[column]

    def _masked(self, _hidden: bool) -> None:
        if self._rows:
            self.dataChanged.emit(self.index(0, 3), self.index(len(self._rows) - 1, 5))


class AccountsPage(QWidget):
    """Every account's balances, refreshed after each sync."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.model = BalancesModel(session.privacy, self)
        layout = QVBoxLayout(self)
        self.title = QLabel("")
        self.title.setObjectName("accountsTitle")
        layout.addWidget(self.title)
        self.warnings = QLabel("")
        self.warnings.setObjectName("warnings")
        self.warnings.setWordWrap(True)
        self.warnings.hide()
        layout.addWidget(self.warnings)
        self.view = QTableView()
        self.view.setObjectName("accounts")
        self.view.setModel(self.model)
        self.view.verticalHeader().hide()
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.view.horizontalHeader().setStretchLastSection(True)
        layout.addWidget(self.view)
        session.opened.connect(self.reload)
        session.synced.connect(self.reload)
        session.locked.connect(lambda: self.model.set_rows([]))

    def reload(self, *_: object) -> None:
        """Read the balances again from the wallet file."""
        wallet = self.session.require()
        rows = balance_rows(wallet)
        self.model.set_rows(rows)
        accounts = len({r.account_id for r in rows})
        self.title.setText(
            "<h2>"
            + self.tr("Accounts")
            + "</h2><p>"
            + self.tr("%1 - %n account(s)", "", accounts).replace("%1", wallet.path.name)
            + "</p>"
        )
        self.warnings.setText("\n".join(wallet.warnings))
        self.warnings.setVisible(bool(wallet.warnings))
