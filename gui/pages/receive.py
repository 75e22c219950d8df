"""The receive page: an account's address, its QR code, copy, a new address."""

from __future__ import annotations

import io

import segno
from PySide6.QtGui import QGuiApplication, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from gui.pages.requests import RequestPanel
from gui.session import Session
from wallet import UtxoAccount

__all__ = ["ReceivePage", "qr_pixmap"]


def qr_pixmap(text: str, scale: int = 6) -> QPixmap:
    """Return the QR code of ``text`` as a pixmap (segno, in memory)."""
    buffer = io.BytesIO()
    segno.make(text, error="m").save(buffer, kind="png", scale=scale, border=2)
    pixmap = QPixmap()
    pixmap.loadFromData(buffer.getvalue(), "PNG")
    return pixmap


class ReceivePage(QWidget):
    """Pick an account, show where to pay it."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<h2>" + self.tr("Receive") + "</h2>"))
        self.account = QComboBox()
        self.account.setObjectName("receiveAccount")
        self.account.currentIndexChanged.connect(self._show)
        layout.addWidget(self.account)
        row = QHBoxLayout()
        self.address = QLineEdit()
        self.address.setObjectName("receiveAddress")
        self.address.setReadOnly(True)
        copy = QPushButton(self.tr("Copy"))
        copy.setObjectName("copyAddress")
        copy.clicked.connect(self.copy)
        self.fresh = QPushButton(self.tr("New address"))
        self.fresh.setObjectName("newAddress")
        self.fresh.clicked.connect(self.new_address)
        row.addWidget(self.address, 1)
        row.addWidget(copy)
        row.addWidget(self.fresh)
        layout.addLayout(row)
        columns = QHBoxLayout()
        plain = QVBoxLayout()
        self.qr = QLabel()
        self.qr.setObjectName("receiveQr")
        plain.addWidget(self.qr)
        self.note = QLabel("")
        self.note.setWordWrap(True)
        self.note.setMaximumWidth(260)
        plain.addWidget(self.note)
        plain.addStretch()
        columns.addLayout(plain)
        self.requests = RequestPanel(session)
        columns.addWidget(self.requests, 1)
        layout.addLayout(columns)
        layout.addStretch()
        session.opened.connect(self._opened)
        session.locked.connect(self._locked)

    def _opened(self) -> None:
        self.account.blockSignals(True)
        self.account.clear()
        for acct in self.session.require().accounts():
            self.account.addItem(f"{acct.network.title} #{acct.index} {acct.kind}", acct.id)
        self.account.blockSignals(False)
        self._show()

    def _locked(self) -> None:
        self.requests.set_account(None)
        self.account.clear()
        self.address.clear()
        self.qr.clear()

    def _account(self) -> object:
        account_id = self.account.currentData()
        if account_id is None:
            return None
        return self.session.require().accounts_book.by_id(int(account_id))

    def _show(self) -> None:
        acct = self._account()
        if acct is None:
            return
        address = acct.receive_address()  # type: ignore[attr-defined]
        self._set(address)
        self.requests.set_account(acct)  # type: ignore[arg-type]
        utxo = isinstance(acct, UtxoAccount)
        self.fresh.setEnabled(utxo)
        self.note.setText(
            self.tr("A new address for each payment keeps your payments apart.")
            if utxo
            else self.tr("An EVM account has one address on every chain.")
        )

    def _set(self, address: str) -> None:
        self.address.setText(address)
        self.qr.setPixmap(qr_pixmap(address))

    def new_address(self) -> None:
        """Issue the next unused address of a UTXO account and show it."""
        acct = self._account()
        if isinstance(acct, UtxoAccount):
            self._set(acct.new_receive_address().address)

    def copy(self) -> None:
        """Put the address on the clipboard."""
        QGuiApplication.clipboard().setText(self.address.text())
