"""Onboarding's "Connect a hardware wallet" step: find a device, read an account from it.

The devices are listed off the GUI thread (``Session.hardware.find``: HWI's enumerate), the
chosen one is asked for the account's extended public key (``export_from_device``, through
``Session.hardware.open_client``), and a watch-only wallet is made from the export; its key
origin names the device, which then signs for the account and shows its addresses. Making
the file is the onboarding's (``make``): the KDF, Cancel and the opened wallet are its.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from gui.pages.wallet_fields import PasswordFields, path_row
from gui.session import Session
from gui.theme import ERROR_STYLE
from wallet import DEVICE_NETWORKS, HardwareWallet, Wallet, export_from_device, network_info

__all__ = ["HardwareStep"]


class HardwareStep(QWidget):
    """Find a hardware wallet and make a watch-only wallet of one of its accounts."""

    back = Signal()

    def __init__(
        self,
        session: Session,
        make: Callable[[Callable[[], Wallet], QLabel], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.session = session
        self._make = make
        self.devices: list[HardwareWallet] = []
        """The hardware wallets found by the last search, in the order listed."""
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<h2>" + self.tr("Connect a hardware wallet") + "</h2>"))
        intro = QLabel(
            self.tr(
                "Plug the device in and unlock it. Its keys stay on it: this computer keeps "
                "only the account's public key, and the device signs and shows addresses."
            )
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        device_row = QHBoxLayout()
        self.device = QComboBox()
        self.device.setObjectName("hwDevice")
        self.device.setPlaceholderText(self.tr("No device found yet"))
        self.find = QPushButton(self.tr("Look for devices"))
        self.find.setObjectName("findDevices")
        self.find.clicked.connect(self.find_devices)
        device_row.addWidget(self.device, 1)
        device_row.addWidget(self.find)
        form.addRow(self.tr("Device"), device_row)
        self.network = QComboBox()
        self.network.setObjectName("hwNetwork")
        for name in DEVICE_NETWORKS:
            self.network.addItem(network_info(name).title, name)
        form.addRow(self.tr("Network"), self.network)
        self.kind = QComboBox()
        self.kind.setObjectName("hwKind")
        for text, kind in (
            (self.tr("Native segwit (bc1q..., p2wpkh)"), "p2wpkh"),
            (self.tr("Taproot (bc1p..., p2tr)"), "p2tr"),
            (self.tr("Nested segwit (3..., p2sh-p2wpkh)"), "p2sh-p2wpkh"),
            (self.tr("Legacy (1..., p2pkh)"), "p2pkh"),
        ):
            self.kind.addItem(text, kind)
        form.addRow(self.tr("Account type"), self.kind)
        self.account_number = QSpinBox()
        self.account_number.setObjectName("hwAccount")
        self.account_number.setRange(0, 999)
        form.addRow(self.tr("Account number"), self.account_number)
        row, self.path = path_row(self, str(Path.home() / "hardware.coffer"))
        form.addRow(self.tr("Wallet file"), row)
        self.password = PasswordFields()
        form.addRow(self.password)
        layout.addLayout(form)
        self.go = QPushButton(self.tr("Read the account from the device"))
        self.go.setObjectName("hwWatch")
        self.go.setEnabled(False)
        self.go.clicked.connect(self._watch)
        self.error = QLabel("")
        self.error.setObjectName("hwError")
        self.error.setWordWrap(True)
        self.error.setStyleSheet(ERROR_STYLE)
        back = QPushButton(self.tr("Back"))
        back.setObjectName("hwBack")
        back.clicked.connect(self.back.emit)
        layout.addWidget(self.go)
        layout.addWidget(self.error)
        layout.addWidget(back)
        layout.addStretch()

    def find_devices(self) -> None:
        """List the connected hardware wallets (HWI's enumerate, off the GUI thread)."""
        self.find.setEnabled(False)
        self.error.setStyleSheet("")
        self.error.setText(self.tr("Looking for hardware wallets..."))

        def failed(message: str) -> None:
            self.find.setEnabled(True)
            self.error.setStyleSheet(ERROR_STYLE)
            self.error.setText(message)

        self.session.run(
            self.session.hardware.find,
            self._devices_found,
            failed,
            self.tr("Looking for hardware wallets"),
            on_cancelled=lambda: failed(self.tr("Cancelled.")),
        )

    def _devices_found(self, devices: list[HardwareWallet]) -> None:
        self.find.setEnabled(True)
        self.devices = list(devices)
        self.device.clear()
        for device in self.devices:
            text = device.title
            if device.needs_pin:
                text = self.tr("%1 (locked: unlock it on the device)").replace("%1", text)
            elif device.error:
                text = self.tr("%1 (cannot be used: %2)").replace("%1", text)
                text = text.replace("%2", device.error)
            self.device.addItem(text)
        self.device.setCurrentIndex(0 if self.devices else -1)
        self.go.setEnabled(bool(self.devices))
        self.error.setStyleSheet("" if self.devices else ERROR_STYLE)
        self.error.setText(
            self.tr("Found %n device(s).", "", len(self.devices))
            if self.devices
            else self.tr("No hardware wallet was found. Plug it in, unlock it, and look again.")
        )

    def _watch(self) -> None:
        row = self.device.currentIndex()
        if not 0 <= row < len(self.devices):
            self.error.setText(self.tr("Look for devices and choose one first."))
            return
        password = self.password.value()
        if password is None:
            self.error.setText(self.tr("Choose a password of 8 characters or more, twice."))
            return
        device = self.devices[row]
        network = str(self.network.currentData())
        kind = str(self.kind.currentData())
        index = self.account_number.value()
        path = Path(self.path.text())
        open_client = self.session.hardware.open_client

        def work() -> Wallet:
            # The device is asked first: a refusal there leaves no file behind.
            text = export_from_device(device, network, index, kind, open_client=open_client)
            return Wallet.create_watch_only(path, password, imports=[(network, text)])

        self._make(work, self.error)
