"""The send page: a form checked as it is typed, a review of the draft, the result.

Every check is the API's own: ``accounts_book.check_address`` for the recipient, the amount
parsed to the asset's decimals and compared with the balance, ``prepare_send`` for the rest
(its errors shown under the form). The review shows the draft's summary as the signer will
check it, with ``Wallet.send_warnings``; signing and broadcasting run off the GUI thread.
"""

from __future__ import annotations

from decimal import Decimal

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from gui.session import Session
from wallet import (
    Account,
    Draft,
    EvmAccount,
    UtxoAccount,
    UtxoDraft,
    format_amount,
    parse_decimal,
    to_base_units,
)
from wallet.errors import WalletError

__all__ = ["SendPage"]

_ERROR_STYLE = "color: #b3261e;"
_WARN_STYLE = "color: #8a5300;"


class SendPage(QWidget):
    """Send form, review, result: three steps on one page."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.draft: Draft | None = None
        self.txid = ""
        self.steps = QStackedWidget()
        outer = QVBoxLayout(self)
        outer.addWidget(QLabel("<h2>" + self.tr("Send") + "</h2>"))
        outer.addWidget(self.steps)

        form_page = QWidget()
        form = QFormLayout(form_page)
        self.account = QComboBox()
        self.account.setObjectName("sendAccount")
        self.account.currentIndexChanged.connect(self._account_changed)
        form.addRow(self.tr("From"), self.account)
        self.recipient = QLineEdit()
        self.recipient.setObjectName("recipient")
        self.recipient.setPlaceholderText(self.tr("Address"))
        self.recipient.textChanged.connect(self._check_recipient)
        self.recipient_error = self._error_label("recipientError")
        form.addRow(self.tr("To"), self.recipient)
        form.addRow("", self.recipient_error)
        amount_row = QHBoxLayout()
        self.amount = QLineEdit()
        self.amount.setObjectName("amount")
        self.amount.textChanged.connect(self._check_amount)
        self.symbol = QLabel("")
        self.max = QCheckBox(self.tr("Max"))
        self.max.setObjectName("sendMax")
        self.max.toggled.connect(self._max_toggled)
        amount_row.addWidget(self.amount, 1)
        amount_row.addWidget(self.symbol)
        amount_row.addWidget(self.max)
        self.amount_error = self._error_label("amountError")
        form.addRow(self.tr("Amount"), amount_row)
        form.addRow("", self.amount_error)
        self.fee = QComboBox()
        self.fee.setObjectName("feeLevel")
        for text, level in (
            (self.tr("Normal"), "normal"),
            (self.tr("Fast"), "fast"),
            (self.tr("Slow"), "slow"),
        ):
            self.fee.addItem(text, level)
        form.addRow(self.tr("Fee"), self.fee)
        self.review_button = QPushButton(self.tr("Review"))
        self.review_button.setObjectName("review")
        self.review_button.clicked.connect(self.prepare)
        self.form_error = self._error_label("formError")
        form.addRow("", self.review_button)
        form.addRow("", self.form_error)
        self.steps.addWidget(form_page)

        review_page = QWidget()
        review = QVBoxLayout(review_page)
        self.review_text = QLabel("")
        self.review_text.setObjectName("reviewText")
        self.review_text.setWordWrap(True)
        review.addWidget(self.review_text)
        self.warnings = QLabel("")
        self.warnings.setObjectName("reviewWarnings")
        self.warnings.setWordWrap(True)
        self.warnings.setStyleSheet(_WARN_STYLE)
        review.addWidget(self.warnings)
        buttons = QHBoxLayout()
        back = QPushButton(self.tr("Back"))
        back.clicked.connect(lambda: self.steps.setCurrentIndex(0))
        self.send_button = QPushButton(self.tr("Sign and send"))
        self.send_button.setObjectName("signAndSend")
        self.send_button.clicked.connect(self.sign_and_send)
        buttons.addWidget(back)
        buttons.addStretch()
        buttons.addWidget(self.send_button)
        review.addLayout(buttons)
        self.send_error = self._error_label("sendError")
        review.addWidget(self.send_error)
        review.addStretch()
        self.steps.addWidget(review_page)

        result_page = QWidget()
        result = QVBoxLayout(result_page)
        self.result = QLabel("")
        self.result.setObjectName("sendResult")
        self.result.setWordWrap(True)
        self.result.setOpenExternalLinks(True)
        result.addWidget(self.result)
        again = QPushButton(self.tr("New payment"))
        again.clicked.connect(self._reset)
        result.addWidget(again)
        result.addStretch()
        self.steps.addWidget(result_page)

        session.opened.connect(self._opened)
        session.locked.connect(self._reset)

    def _error_label(self, name: str) -> QLabel:
        label = QLabel("")
        label.setObjectName(name)
        label.setWordWrap(True)
        label.setStyleSheet(_ERROR_STYLE)
        return label

    # -- the form -------------------------------------------------------------------------

    def _opened(self) -> None:
        self.account.blockSignals(True)
        self.account.clear()
        for acct in self.session.require().accounts():
            if not acct.watch_only:
                self.account.addItem(f"{acct.network.title} #{acct.index} {acct.kind}", acct.id)
        self.account.blockSignals(False)
        self._account_changed()

    def current_account(self) -> Account | None:
        """Return the account chosen in the form."""
        account_id = self.account.currentData()
        if account_id is None or self.session.wallet is None:
            return None
        return self.session.wallet.accounts_book.by_id(int(account_id))

    def _account_changed(self) -> None:
        acct = self.current_account()
        self.symbol.setText("" if acct is None else acct.balance().symbol)
        self.fee.setEnabled(isinstance(acct, UtxoAccount))
        self._check_recipient()
        self._check_amount()

    def _check_recipient(self) -> bool:
        acct = self.current_account()
        text = self.recipient.text().strip()
        if acct is None or not text:
            self.recipient_error.clear()
            return False
        try:
            self.session.require().accounts_book.check_address(acct.network.name, text)
        except WalletError as err:
            self.recipient_error.setText(str(err))
            return False
        self.recipient_error.clear()
        return True

    def _amount(self) -> int | None:
        acct = self.current_account()
        if acct is None or self.max.isChecked():
            return None
        balance = acct.balance()
        value = parse_decimal(self.amount.text().strip())
        units = to_base_units(value, balance.decimals)
        if units <= 0:
            raise WalletError(self.tr("The amount must be more than zero."))
        if balance.synced and units > balance.confirmed + max(balance.unconfirmed, 0):
            raise WalletError(
                self.tr("That is more than the balance (%1).").replace(
                    "%1", format_amount(balance.confirmed, balance.decimals, balance.symbol)
                )
            )
        return units

    def _check_amount(self) -> bool:
        if self.max.isChecked():
            self.amount_error.clear()
            return True
        if not self.amount.text().strip():
            self.amount_error.clear()
            return False
        try:
            self._amount()
        except WalletError as err:
            self.amount_error.setText(str(err))
            return False
        self.amount_error.clear()
        return True

    def _max_toggled(self, on: bool) -> None:
        self.amount.setEnabled(not on)
        self._check_amount()

    # -- review, sign, send ---------------------------------------------------------------

    def prepare(self) -> None:
        """Build the draft off the GUI thread (fees come from the network), then review it."""
        acct = self.current_account()
        if acct is None or not (self._check_recipient() & self._check_amount()):
            return
        wallet = self.session.require()
        to = self.recipient.text().strip()
        send_max = self.max.isChecked()
        amount = None if send_max else Decimal(self.amount.text().strip())
        level = str(self.fee.currentData())

        def work() -> tuple[Draft, list[str]]:
            if isinstance(acct, UtxoAccount):
                draft: Draft = acct.prepare_send(to, amount, level, send_max=send_max)
            elif isinstance(acct, EvmAccount):
                draft = acct.send_max(to) if send_max else acct.prepare_send(to, amount)
            else:
                raise WalletError("This account cannot send.")
            return draft, [w.message for w in wallet.send_warnings(draft)]

        self.review_button.setEnabled(False)
        self.form_error.clear()
        self.session.run(work, self._review, self._prepare_failed, self.tr("Preparing"))

    def _prepare_failed(self, message: str) -> None:
        self.review_button.setEnabled(True)
        self.form_error.setText(message)

    def _review(self, result: tuple[Draft, list[str]]) -> None:
        self.review_button.setEnabled(True)
        self.draft, warnings = result
        acct = self.current_account()
        assert acct is not None  # noqa: S101 - the form had one
        balance = acct.balance()
        summary = self.draft.summary
        network_word = self.tr("Network")
        change_word = self.tr("change, back to you")
        fee_word = self.tr("Fee")
        call_word = self.tr("Call")
        lines = [f"<b>{network_word}:</b> {acct.network.title}"]
        for output in summary.outputs:
            decimals = output.decimals if output.decimals is not None else balance.decimals
            symbol = output.asset or balance.symbol
            amount = self.session.privacy.amount(format_amount(output.amount, decimals, symbol))
            tag = f" <i>({change_word})</i>" if output.is_change else ""
            lines.append(f"{amount} &rarr; <tt>{output.address}</tt>{tag}")
        fee = self.session.privacy.amount(
            format_amount(summary.fee, balance.decimals, balance.symbol)
        )
        draft = self.draft
        rate = f" ({draft.fee_rate} sat/vB)" if isinstance(draft, UtxoDraft) else ""
        lines.append(f"<b>{fee_word}:</b> {fee}{rate}")
        if summary.contract_call:
            lines.append(f"<b>{call_word}:</b> {summary.contract_call}")
        self.review_text.setText("<br>".join(lines))
        self.warnings.setText("\n".join("\u26a0 " + w for w in warnings))
        self.send_error.clear()
        self.send_button.setEnabled(True)
        self.steps.setCurrentIndex(1)

    def sign_and_send(self) -> None:
        """Sign with the wallet's keys and broadcast, off the GUI thread."""
        draft = self.draft
        acct = self.current_account()
        if draft is None or acct is None:
            return
        wallet = self.session.require()

        def work() -> str:
            return acct.broadcast(wallet.sign(draft))

        self.send_button.setEnabled(False)
        self.session.run(work, self._sent, self._send_failed, self.tr("Sending"))

    def _send_failed(self, message: str) -> None:
        self.send_button.setEnabled(True)
        self.send_error.setText(message)

    def _sent(self, txid: str) -> None:
        self.txid = txid
        self.draft = None
        self.result.setText(
            "<h3>"
            + self.tr("Sent")
            + "</h3><p>"
            + self.tr("Transaction id")
            + f":<br><tt>{txid}</tt></p>"
        )
        self.steps.setCurrentIndex(2)

    def _reset(self) -> None:
        self.draft = None
        self.recipient.clear()
        self.amount.clear()
        self.max.setChecked(False)
        self.form_error.clear()
        self.steps.setCurrentIndex(0)
