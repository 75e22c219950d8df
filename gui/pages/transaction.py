"""The details of one transaction: its row, its value then and now, what may replace it.

The replacements it allows: a fee bump, a speed-up, a cancellation.

The values come from ``wallet.transaction_value`` off the GUI thread: from the price cache
first (asking a provider for a past day tells it when you transacted), then from the providers
if the person asks. Each value says its rate's source and time, or that it is unknown and why.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC

from PySide6.QtCore import QDateTime, QLocale, Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)
from shiboken6 import isValid

from gui.pages.dashboard import money_text
from gui.session import Session
from gui.texts import status_text
from wallet import TransactionValue, Valuation, format_amount, transaction_value
from wallet.history import HistoryRow

__all__ = ["TransactionDialog"]


def _when(moment: QDateTime) -> str:
    """Return the day in full and the time short, as the interface's locale writes them."""
    locale = QLocale()
    day = locale.toString(moment.date(), QLocale.FormatType.LongFormat)
    return day + " " + locale.toString(moment.time(), QLocale.FormatType.ShortFormat)


class TransactionDialog(QDialog):
    """Every detail of one history row; amounts masked while balances are hidden."""

    def __init__(
        self,
        row: HistoryRow,
        session: Session,
        actions: list[tuple[str, str]] | None = None,
        on_action: Callable[[str], None] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        """Show ``row``; ``actions`` are ``(kind, button text)`` handed to ``on_action``."""
        super().__init__(parent)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.row = row
        self.session = session
        self.values: TransactionValue | None = None
        self.setWindowTitle(self.tr("Transaction"))
        form = QFormLayout(self)
        mask = session.privacy.amount
        when = (
            self.tr("unknown")
            if row.timestamp is None
            else _when(QDateTime.fromSecsSinceEpoch(row.timestamp))
        )
        network = session.require().accounts_book.by_id(row.key.account_id).network.title
        txid = QLineEdit(row.txid)
        txid.setReadOnly(True)
        txid.setObjectName("txid")
        form.addRow(self.tr("Transaction id"), txid)
        form.addRow(self.tr("Network"), QLabel(network))
        form.addRow(self.tr("Status"), QLabel(status_text(row.status)))
        form.addRow(self.tr("Confirmations"), QLabel(str(row.confirmations)))
        form.addRow(self.tr("Time"), QLabel(when))
        form.addRow(
            self.tr("Amount"), QLabel(mask(format_amount(row.amount, row.decimals, row.symbol)))
        )
        if row.fee_decimal is not None:
            form.addRow(self.tr("Fee paid"), QLabel(mask(f"{row.fee_decimal:f}")))
        self.value_then = self._value_label("valueThen")
        self.value_now = self._value_label("valueNow")
        form.addRow(self.tr("Value then"), self.value_then)
        form.addRow(self.tr("Value now"), self.value_now)
        self.ask_online = QPushButton(self.tr("Ask the price providers"))
        self.ask_online.setObjectName("askPrices")
        self.ask_online.setToolTip(
            self.tr("The providers learn which day and asset you ask about.")
        )
        self.ask_online.clicked.connect(lambda: self.load_values(online=True))
        form.addRow("", self.ask_online)
        others = QLabel("\n".join(row.counterparties) or self.tr("unknown"))
        others.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        form.addRow(self.tr("Other side"), others)
        form.addRow(self.tr("Label"), QLabel(row.label or self.tr("(none)")))
        self.action_buttons: dict[str, QPushButton] = {}
        if actions:
            bar = QHBoxLayout()
            for kind, text in actions:
                button = QPushButton(text)
                button.setObjectName("action-" + kind)
                button.clicked.connect(lambda _=False, k=kind: self._act(k, on_action))
                self.action_buttons[kind] = button
                bar.addWidget(button)
            bar.addStretch()
            form.addRow(self.tr("Replace"), bar)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        session.privacy.changed.connect(self._show_values)
        self.loading = False
        self.load_values(online=False)

    def _value_label(self, name: str) -> QLabel:
        label = QLabel(self.tr("Asking for prices..."))
        label.setObjectName(name)
        label.setWordWrap(True)
        label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        return label

    def _act(self, kind: str, on_action: Callable[[str], None] | None) -> None:
        self.accept()
        if on_action is not None:
            on_action(kind)

    def load_values(self, *, online: bool) -> None:
        """Value the row then and now off the GUI thread (``online``: ask the providers)."""
        wallet = self.session.require()
        row = self.row
        self.loading = True
        self.ask_online.setEnabled(False)

        def work() -> TransactionValue:
            return transaction_value(wallet.prices, wallet.holdings_sources, row, online=online)

        def done(values: TransactionValue) -> None:
            if not isValid(self):
                return  # closed (and deleted) before the prices came
            self.loading = False
            self.values = values
            self.ask_online.setEnabled(values.then.value is None or values.now.value is None)
            self._show_values()

        def failed(message: str) -> None:
            if not isValid(self):
                return
            self.loading = False
            self.ask_online.setEnabled(True)
            for label in (self.value_then, self.value_now):
                label.setText(self.tr("unknown: %1").replace("%1", message))

        self.session.run(work, done, failed, self.tr("Prices"))

    def _show_values(self, _hidden: bool = False) -> None:
        if self.values is not None:
            self.value_then.setText(self._text(self.values.then, then=True))
            self.value_now.setText(self._text(self.values.now, then=False))

    def _text(self, valuation: Valuation, *, then: bool) -> str:
        if valuation.value is None or valuation.price is None:
            return self.tr("unknown: %1").replace("%1", valuation.reason)
        at = valuation.at
        when = "" if at is None else at.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
        rate = (
            self.tr("1 %1 = %2 (the day's close), from %3 at %4")
            if then
            else self.tr("1 %1 = %2, from %3 at %4")
        )
        rate = (
            rate.replace("%1", self.row.symbol)
            .replace("%2", money_text(valuation.price, valuation.currency))
            .replace("%3", valuation.source)
            .replace("%4", when)
        )
        value = self.session.privacy.amount(money_text(valuation.value, valuation.currency))
        return f"{value}\n{rate}"
