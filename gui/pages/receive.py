"""The receive page: an account's address, its QR code, copy, a new address.

For an account whose keys are on a hardware wallet (``signing_device`` names it), "Show on
the device" has the device show the address on its own screen (``show_address_on_device``,
off the GUI thread) and says whether it matched; a mismatch is drawn as a danger and the QR
code is taken away. For an account this wallet signs for itself, the button is hidden.
"""

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
from gui.theme import DANGER_STYLE, ERROR_STYLE, GOOD_STYLE
from wallet import Account, UtxoAccount, show_address_on_device, signing_device
from wallet.errors import DeviceAddressMismatch

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
        self.on_device = QPushButton(self.tr("Show on the device"))
        self.on_device.setObjectName("showOnDevice")
        self.on_device.setToolTip(
            self.tr("Have the hardware wallet show this address on its own screen")
        )
        self.on_device.clicked.connect(self.show_on_device)
        self.on_device.hide()
        row.addWidget(self.address, 1)
        row.addWidget(copy)
        row.addWidget(self.fresh)
        row.addWidget(self.on_device)
        layout.addLayout(row)
        self.device_check = QLabel("")
        self.device_check.setObjectName("deviceCheck")
        self.device_check.setWordWrap(True)
        self.device_check.hide()  # shown once the device was asked
        layout.addWidget(self.device_check)
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
        self.device_check.clear()
        self.on_device.hide()

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
        device = signing_device(acct) if isinstance(acct, Account) else None
        self.on_device.setVisible(device is not None)
        self.on_device.setEnabled(True)
        if device is not None:
            self.on_device.setToolTip(
                self.tr("Have the hardware wallet %1 show this address on its own screen").replace(
                    "%1", device
                )
            )
        self.note.setText(
            self.tr("A new address for each payment keeps your payments apart.")
            if utxo
            else self.tr("An EVM account has one address on every chain.")
        )

    def _set(self, address: str) -> None:
        self.address.setText(address)
        self.qr.setStyleSheet("")
        self.qr.setPixmap(qr_pixmap(address))
        self.device_check.clear()
        self.device_check.setStyleSheet("")
        self.device_check.hide()

    def show_on_device(self) -> None:
        """Have the account's hardware wallet show the address; say whether it matched."""
        acct = self._account()
        address = self.address.text()
        if not isinstance(acct, Account) or not address:
            return
        hardware = self.session.hardware

        def work() -> tuple[bool, str]:
            try:
                shown = show_address_on_device(
                    acct, address, hardware.find(), open_client=hardware.open_client
                )
            except DeviceAddressMismatch as err:
                return False, str(err)
            return True, shown

        self.on_device.setEnabled(False)
        self.device_check.setStyleSheet("")
        self.device_check.setText(
            self.tr("Check the device's screen: it shows the address it derives itself.")
        )
        self.device_check.show()
        self.session.run(
            work, self._device_answered, self._device_failed, self.tr("Asking the device")
        )

    def _device_answered(self, result: tuple[bool, str]) -> None:
        self.on_device.setEnabled(True)
        matched, text = result
        if matched:
            self.device_check.setStyleSheet(GOOD_STYLE)
            self.device_check.setText(
                self.tr("The device shows the same address: %1").replace("%1", text)
            )
            return
        # A device that disagrees: nobody should pay this address until the cause is known.
        self.qr.clear()
        self.qr.setStyleSheet(ERROR_STYLE + " font-weight: bold;")
        self.qr.setText(self.tr("Do not use this address."))
        self.device_check.setStyleSheet(DANGER_STYLE)
        self.device_check.setText(text)

    def _device_failed(self, message: str) -> None:
        self.on_device.setEnabled(True)
        self.device_check.setStyleSheet(ERROR_STYLE)
        self.device_check.setText(message)

    def new_address(self) -> None:
        """Issue the next unused address of a UTXO account and show it."""
        acct = self._account()
        if isinstance(acct, UtxoAccount):
            self._set(acct.new_receive_address().address)

    def copy(self) -> None:
        """Put the address on the clipboard."""
        QGuiApplication.clipboard().setText(self.address.text())
