"""The history page: every transaction, searched and filtered in SQL, labels edited in place."""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import QModelIndex, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from gui.history_model import KEY_ROLE, HistoryModel
from gui.session import Session
from gui.texts import status_text
from wallet import format_amount
from wallet.history import HistoryChanges, HistoryFilter, HistoryRow
from wallet.types import TxStatus

__all__ = ["HistoryPage", "TransactionDialog"]


class TransactionDialog(QDialog):
    """Every detail of one history row; amounts masked while balances are hidden."""

    def __init__(self, row: HistoryRow, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Transaction"))
        form = QFormLayout(self)
        mask = session.privacy.amount
        when = (
            self.tr("unknown")
            if row.timestamp is None
            else datetime.fromtimestamp(row.timestamp, UTC).astimezone().strftime("%c")
        )
        txid = QLineEdit(row.txid)
        txid.setReadOnly(True)
        txid.setObjectName("txid")
        form.addRow(self.tr("Transaction id"), txid)
        form.addRow(self.tr("Network"), QLabel(row.network))
        form.addRow(self.tr("Status"), QLabel(status_text(row.status)))
        form.addRow(self.tr("Confirmations"), QLabel(str(row.confirmations)))
        form.addRow(self.tr("Time"), QLabel(when))
        form.addRow(
            self.tr("Amount"), QLabel(mask(format_amount(row.amount, row.decimals, row.symbol)))
        )
        if row.fee_decimal is not None:
            form.addRow(self.tr("Fee paid"), QLabel(mask(f"{row.fee_decimal:f}")))
        others = QLabel("\n".join(row.counterparties) or self.tr("unknown"))
        others.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form.addRow(self.tr("Other side"), others)
        form.addRow(self.tr("Label"), QLabel(row.label or self.tr("(none)")))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)


class HistoryPage(QWidget):
    """Search, filters, the paged table, CSV export and the details of a row."""

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
        layout.addWidget(self.table)
        self.summary = QLabel("")
        self.summary.setObjectName("historySummary")
        layout.addWidget(self.summary)
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

    def _details(self, index: QModelIndex) -> None:
        if self.model is None:
            return
        key = index.data(KEY_ROLE)
        row = self.session.require().history.rows([key]).get(key)
        if row is not None:
            TransactionDialog(row, self.session, self).exec()

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
