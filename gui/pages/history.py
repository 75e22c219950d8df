"""The history page: every transaction, searched and filtered in SQL, labels edited in place.

A row's details (``TransactionDialog``) and its context menu offer what the API allows for it:
a fee bump of a pending Bitcoin-like payment (``UtxoAccount.can_replace`` / ``bump_fee``), a
speed-up or cancellation of a pending EVM transaction (``EvmAccount.speed_up`` / ``cancel``).
The draft is prepared off the GUI thread and goes to the send page's review
(``review_requested``), signed with ``Wallet.sign`` like any payment.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPoint, Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from gui.history_model import KEY_ROLE, HistoryModel
from gui.pages.review import checks
from gui.pages.transaction import TransactionDialog
from gui.session import Session
from gui.texts import status_text
from gui.theme import ERROR_STYLE
from wallet import Draft, EvmAccount, UtxoAccount, Valuation
from wallet.errors import WalletError
from wallet.history import HistoryChanges, HistoryFilter, HistoryRow
from wallet.types import TxStatus

__all__ = ["HistoryPage", "TransactionDialog"]


class HistoryPage(QWidget):
    """Search, filters, the paged table, CSV export, a row's details and its replacements."""

    review_requested = Signal(object, object, object, object)
    """A replacement to review: the Account, the Draft, its warnings, its fee's Valuation."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.model: HistoryModel | None = None
        layout = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.search = QLineEdit()
        self.search.setObjectName("historySearch")
        self.search.setPlaceholderText(self.tr("Search transaction id, label, address"))
        self.search.textChanged.connect(self._apply_filter)
        self.direction = QComboBox()
        self.direction.setObjectName("historyDirection")
        for text, value in (
            (self.tr("Sent and received"), None),
            (self.tr("Sent"), "sent"),
            (self.tr("Received"), "received"),
        ):
            self.direction.addItem(text, value)
        self.direction.currentIndexChanged.connect(self._apply_filter)
        self.status = QComboBox()
        self.status.setObjectName("historyStatus")
        self.status.addItem(self.tr("Any status"), None)
        for status in TxStatus:
            self.status.addItem(status_text(status), status)
        self.status.currentIndexChanged.connect(self._apply_filter)
        self.account = QComboBox()
        self.account.setObjectName("historyAccount")
        self.account.currentIndexChanged.connect(self._apply_filter)
        export = QPushButton(self.tr("Export CSV..."))
        export.setObjectName("exportCsv")
        export.clicked.connect(self._export)
        for widget in (self.search, self.account, self.direction, self.status, export):
            bar.addWidget(widget)
        bar.setStretch(0, 1)
        layout.addLayout(bar)
        self.table = QTableView()
        self.table.setObjectName("history")
        self.table.setSortingEnabled(True)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.doubleClicked.connect(self._details)
        self.table.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.table.customContextMenuRequested.connect(self._menu)
        layout.addWidget(self.table)
        self.summary = QLabel("")
        self.summary.setObjectName("historySummary")
        layout.addWidget(self.summary)
        self.action_error = QLabel("")
        self.action_error.setObjectName("historyActionError")
        self.action_error.setWordWrap(True)
        self.action_error.setStyleSheet(ERROR_STYLE)
        layout.addWidget(self.action_error)
        self.dialog: TransactionDialog | None = None
        """The details dialog open now, if any."""
        session.opened.connect(self._opened)
        session.locked.connect(self._locked)
        session.synced.connect(self._synced)

    def _opened(self) -> None:
        wallet = self.session.require()
        self.model = HistoryModel(wallet.history, self.session.privacy, self)
        self.model.label_editor = lambda txid, text: wallet.labels.set("tx", txid, text)
        self.model.network_titles = {a.network.name: a.network.title for a in wallet.accounts()}
        self.model.loaded.connect(self._update_summary)
        self.model.load_failed.connect(self.summary.setText)
        self.table.setModel(self.model)
        self.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)
        for column, width in enumerate((130, 150, 180, 130, 60, 120)):
            self.table.setColumnWidth(column, width)
        self.account.blockSignals(True)
        self.account.clear()
        self.account.addItem(self.tr("All accounts"), None)
        for acct in wallet.accounts():
            self.account.addItem(f"{acct.network.title} #{acct.index} {acct.kind}", acct.id)
        self.account.blockSignals(False)
        self._update_summary()

    def _locked(self) -> None:
        self.table.setModel(None)
        self.model = None
        self.search.clear()
        self.summary.clear()
        self.action_error.clear()
        if self.dialog is not None:
            self.dialog.reject()
            self.dialog = None

    def _synced(self, changes: object) -> None:
        if self.model is not None and isinstance(changes, HistoryChanges):
            self.model.apply_changes(changes)

    def current_filter(self) -> HistoryFilter:
        """Return the filter the controls describe."""
        account = self.account.currentData()
        status = self.status.currentData()
        return HistoryFilter(
            account_ids=None if account is None else (int(account),),
            statuses=None if status is None else (status,),
            direction=self.direction.currentData(),
            text=self.search.text().strip(),
        )

    def _apply_filter(self) -> None:
        if self.model is not None:
            self.model.set_filter(self.current_filter())

    def _update_summary(self) -> None:
        if self.model is not None and not self.model.loading:
            self.summary.setText(self.tr("%n transaction(s)", "", self.model.rowCount()))

    def row_of(self, index: QModelIndex) -> HistoryRow | None:
        """Return the history row a table index shows, read afresh from the store."""
        if self.model is None or not index.isValid():
            return None
        key = index.data(KEY_ROLE)
        return self.session.require().history.rows([key]).get(key)

    def replacements(self, row: HistoryRow) -> list[tuple[str, str]]:
        """Return what may replace a row now: ``(kind, text)`` for the menu and the dialog."""
        if row.status is not TxStatus.PENDING:
            return []
        acct = self.session.require().accounts_book.by_id(row.key.account_id)
        if acct.watch_only:
            return []
        if isinstance(acct, UtxoAccount) and acct.can_replace(row.txid):
            return [("bump", self.tr("Bump fee..."))]
        if isinstance(acct, EvmAccount) and row.replaceable:
            return [("speed-up", self.tr("Speed up...")), ("cancel", self.tr("Cancel..."))]
        return []

    def details(self, index: QModelIndex) -> TransactionDialog | None:
        """Open the details of the row at ``index`` (value then and now, replacements)."""
        row = self.row_of(index)
        if row is None:
            return None
        dialog = TransactionDialog(
            row,
            self.session,
            self.replacements(row),
            lambda kind: self.replace(row, kind),
            self,
        )
        dialog.finished.connect(lambda _result: self._closed(dialog))
        self.dialog = dialog
        dialog.open()
        return dialog

    def _closed(self, dialog: TransactionDialog) -> None:
        if self.dialog is dialog:
            self.dialog = None

    def _details(self, index: QModelIndex) -> None:
        self.details(index)

    def menu_for(self, index: QModelIndex) -> QMenu | None:
        """Return the context menu of the row at ``index``: details, then its replacements."""
        row = self.row_of(index)
        if row is None:
            return None
        menu = QMenu(self)
        menu.addAction(self.tr("Details..."), lambda: self.details(index))
        for kind, text in self.replacements(row):
            menu.addAction(text, lambda k=kind: self.replace(row, k))
        return menu

    def _menu(self, point: QPoint) -> None:
        menu = self.menu_for(self.table.indexAt(point))
        if menu is not None:
            menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            menu.popup(self.table.viewport().mapToGlobal(point))

    def replace(self, row: HistoryRow, kind: str) -> None:
        """Prepare a bump, speed-up or cancel of ``row`` off the GUI thread, then review it."""
        wallet = self.session.require()
        acct = wallet.accounts_book.by_id(row.key.account_id)
        txid = row.txid

        def work() -> tuple[object, Draft, list[str], Valuation]:
            draft: Draft
            if kind == "bump" and isinstance(acct, UtxoAccount):
                draft = acct.bump_fee(txid)
            elif kind == "speed-up" and isinstance(acct, EvmAccount):
                draft = acct.speed_up(txid)
            elif kind == "cancel" and isinstance(acct, EvmAccount):
                draft = acct.cancel(txid)
            else:
                raise WalletError(f"{kind} does not apply to this transaction.")
            return acct, draft, *checks(wallet, draft)

        def done(result: tuple[object, Draft, list[str], Valuation]) -> None:
            self.review_requested.emit(*result)

        self.action_error.clear()
        self.session.run(work, done, self.action_error.setText, self.tr("Preparing"))

    def _export(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, self.tr("Export history"), "history.csv", self.tr("CSV files (*.csv)")
        )
        if path:
            self.export_to(path)

    def export_to(self, path: str) -> int:
        """Write the rows the filter shows to ``path`` as CSV; return how many."""
        with open(path, "w", newline="", encoding="utf-8") as out:
            return self.session.require().history.export_csv(out, self.current_filter())
