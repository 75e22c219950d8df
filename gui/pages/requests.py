"""Payment requests in the GUI: ask for a payment on the receive page, pay a link on the send page.

``RequestPanel`` (receive page) makes a request with ``acct.request`` (a fresh address on a
UTXO account, the amount, a label, a message, an expiry), shows its link and QR code, and
lists the account's requests with their status as of the last sync (``acct.requests()``).
``PayLinkRow`` (send page) reads a pasted link or a QR image (``parse_payment_link``,
``read_link_image``) and hands the link to the form; the form pays it with
``prepare_payment``. Everything that touches the wallet runs off the GUI thread.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from html import escape
from pathlib import Path

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from gui.session import Session
from gui.theme import ERROR_STYLE
from wallet import (
    Account,
    PaymentLink,
    PaymentRequest,
    RequestStatus,
    format_amount,
    parse_payment_link,
    read_link_image,
)
from wallet.errors import WalletError

__all__ = ["PayLinkRow", "RequestPanel", "status_words"]

_EXPIRIES: tuple[tuple[str, timedelta | None], ...] = (
    (QT_TRANSLATE_NOOP("RequestPanel", "Never expires"), None),
    (QT_TRANSLATE_NOOP("RequestPanel", "Expires in 1 hour"), timedelta(hours=1)),
    (QT_TRANSLATE_NOOP("RequestPanel", "Expires in 1 day"), timedelta(days=1)),
    (QT_TRANSLATE_NOOP("RequestPanel", "Expires in 1 week"), timedelta(weeks=1)),
)


def status_words(request: PaymentRequest) -> str:
    """Return a request's status in words, with what is missing or paid beyond it."""
    words = {
        RequestStatus.UNPAID: QCoreApplication.translate("RequestPanel", "unpaid"),
        RequestStatus.PENDING: QCoreApplication.translate("RequestPanel", "pending"),
        RequestStatus.PARTIAL: QCoreApplication.translate("RequestPanel", "partially paid"),
        RequestStatus.PAID: QCoreApplication.translate("RequestPanel", "paid"),
        RequestStatus.OVERPAID: QCoreApplication.translate("RequestPanel", "overpaid"),
    }
    text = words.get(request.status, request.status.value)
    if request.status is RequestStatus.PARTIAL:
        missing = format_amount(request.amount - request.received, request.decimals)
        text += " " + QCoreApplication.translate("RequestPanel", "(%1 missing)").replace(
            "%1", f"{missing} {request.symbol}"
        )
    return text


class RequestPanel(QGroupBox):
    """Ask for a payment from the receive page's account; list its requests."""

    created = Signal(object)  # the PaymentRequest just made

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(self.tr("Request a payment"), parent)
        self.session = session
        self.account: Account | None = None
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.amount = QLineEdit()
        self.amount.setObjectName("requestAmount")
        self.amount.setPlaceholderText("0.00")
        self.label = QLineEdit()
        self.label.setObjectName("requestLabel")
        self.label.setPlaceholderText(self.tr("Who asks (shown to the payer)"))
        self.message = QLineEdit()
        self.message.setObjectName("requestMessage")
        self.message.setPlaceholderText(self.tr("What it is for"))
        self.expiry = QComboBox()
        for title, delta in _EXPIRIES:
            self.expiry.addItem(QCoreApplication.translate("RequestPanel", title), delta)
        self.expiry.setCurrentIndex(2)
        form.addRow(self.tr("Amount"), self.amount)
        form.addRow(self.tr("Label"), self.label)
        form.addRow(self.tr("Message"), self.message)
        form.addRow(self.tr("Expiry"), self.expiry)
        layout.addLayout(form)
        self.create_button = QPushButton(self.tr("Create request"))
        self.create_button.setObjectName("createRequest")
        self.create_button.clicked.connect(self.create)
        row = QHBoxLayout()
        row.addWidget(self.create_button)
        row.addStretch()
        layout.addLayout(row)
        self.error = QLabel("")
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.setWordWrap(True)
        layout.addWidget(self.error)
        self.link = QLineEdit()
        self.link.setObjectName("requestLink")
        self.link.setReadOnly(True)
        layout.addWidget(self.link)
        below = QHBoxLayout()
        self.qr = QLabel()
        self.qr.setObjectName("requestQr")
        below.addWidget(self.qr)
        listing = QVBoxLayout()
        listing.addWidget(QLabel(self.tr("Requests of this account (as of the last sync):")))
        self.list = QListWidget()
        self.list.setObjectName("requestList")
        listing.addWidget(self.list)
        below.addLayout(listing, 1)
        layout.addLayout(below)

    def set_account(self, account: Account | None) -> None:
        """Show the requests of ``account`` (read off the GUI thread)."""
        self.account = account
        self.error.clear()
        self.link.clear()
        self.qr.clear()
        self.refresh()

    def refresh(self) -> None:
        """Read the account's requests again and list them."""
        acct = self.account
        self.list.clear()
        if acct is None:
            return

        def done(requests: list[PaymentRequest]) -> None:
            if acct is not self.account:
                return
            self.list.clear()
            for req in requests:
                amount = self.session.privacy.amount(
                    format_amount(req.amount, req.decimals, req.symbol)
                )
                words = [f"#{req.id}", amount, req.label or req.message, status_words(req)]
                self.list.addItem("  ·  ".join(w for w in words if w))

        self.session.run(acct.requests, done, self.error.setText)  # type: ignore[attr-defined]

    def create(self) -> None:
        """Make a request of the amount typed (off the GUI thread) and show its QR code."""
        acct = self.account
        text = self.amount.text().strip()
        if acct is None:
            return
        try:
            amount = Decimal(text)
        except ArithmeticError:
            self.error.setText(self.tr("Type the amount to ask for, such as 0.01."))
            return
        label, message = self.label.text().strip(), self.message.text().strip()
        expires: timedelta | None = self.expiry.currentData()

        def work() -> tuple[PaymentRequest, bytes]:
            req: PaymentRequest = acct.request(amount, label, message, expires)  # type: ignore[attr-defined]
            png: bytes = acct.request_qr(req)  # type: ignore[attr-defined]
            return req, png

        def done(result: tuple[PaymentRequest, bytes]) -> None:
            req, png = result
            self.error.clear()
            self.link.setText(req.link)
            self.link.setCursorPosition(0)
            pixmap = QPixmap()
            pixmap.loadFromData(png, "PNG")
            # Half size, by whole modules (8 pixels each become 4): still sharp, still scans.
            half = pixmap.scaled(
                pixmap.width() // 2,
                pixmap.height() // 2,
                Qt.AspectRatioMode.KeepAspectRatio,
                Qt.TransformationMode.FastTransformation,
            )
            self.qr.setPixmap(half)
            self.amount.clear()
            self.label.clear()
            self.message.clear()
            self.created.emit(req)
            self.refresh()

        self.session.run(work, done, self.error.setText, self.tr("Making the request"))


class PayLinkRow(QWidget):
    """A pasted payment link or a QR image, read and checked, handed to the send form."""

    link_read = Signal(object)  # PaymentLink

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        self.text = QLineEdit()
        self.text.setObjectName("payLink")
        self.text.setPlaceholderText(
            self.tr("Paste a payment link (bitcoin:, litecoin:, dogecoin:, ethereum:)")
        )
        self.text.returnPressed.connect(lambda: self.read_text(self.text.text()))
        read = QPushButton(self.tr("Read link"))
        read.clicked.connect(lambda: self.read_text(self.text.text()))
        image = QPushButton(self.tr("QR image…"))
        image.clicked.connect(self._choose_image)
        row.addWidget(self.text, 1)
        row.addWidget(read)
        row.addWidget(image)
        layout.addLayout(row)
        self.info = QLabel("")
        self.info.setObjectName("payLinkInfo")
        self.info.setWordWrap(True)
        layout.addWidget(self.info)

    def read_text(self, text: str) -> None:
        """Read a pasted link; a bad one is said under it."""
        try:
            link = parse_payment_link(text.strip())
        except WalletError as err:
            self._refused(str(err))
            return
        self._read(link)

    def read_image(self, path: str) -> None:
        """Read the payment link in a QR image (off the GUI thread)."""

        def work() -> PaymentLink:
            try:
                image = Path(path).read_bytes()
            except OSError as err:
                raise WalletError(f"{path} cannot be read ({err.strerror or err}).") from None
            return parse_payment_link(read_link_image(image))

        self.session.run(work, self._read, self._refused, self.tr("Reading the QR code"))

    def _choose_image(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self,
            self.tr("A QR code of a payment link"),
            "",
            self.tr("Images (*.png *.jpg *.jpeg *.gif)"),
        )
        if path:
            self.read_image(path)

    def _read(self, link: object) -> None:
        if not isinstance(link, PaymentLink):
            return
        self.text.setText(link.text)
        words = [w for w in (link.label, link.message) if w]
        self.info.setStyleSheet("")
        self.info.setText(
            self.tr("Payment request") + (": " + escape(" — ".join(words)) if words else "")
        )
        self.link_read.emit(link)

    def _refused(self, message: str) -> None:
        self.info.setStyleSheet(ERROR_STYLE)
        self.info.setText(message)
