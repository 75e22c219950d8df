"""Settings: base currency, servers per network, explorer keys, language, theme, auto-lock, privacy.

Each is the API's own setting (``Wallet.settings``, ``Wallet.backends``), stored in the wallet
file; a refused value is said next to its field and nothing is saved.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from gui.session import Session
from gui.theme import ERROR_STYLE
from wallet import DisplaySettings, EvmAccount
from wallet.errors import WalletError

__all__ = ["SettingsPage"]

_COMMON_CURRENCIES = ("USD", "EUR", "CNY", "JPY", "GBP", "CHF", "CAD", "AUD", "HKD", "SGD")


class SettingsPage(QWidget):
    """Edit the wallet's settings; ``apply`` saves them all or says what is wrong.

    Signals:
        saved: whether the last ``apply`` saved (after the servers were asked).
    """

    saved = Signal(bool)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<h2>" + self.tr("Settings") + "</h2>"))

        money = QGroupBox(self.tr("Money"))
        money_form = QFormLayout(money)
        self.currency = QComboBox()
        self.currency.setObjectName("baseCurrency")
        self.currency.setEditable(True)
        self.currency.addItems(list(_COMMON_CURRENCIES))
        self.currency_error = self._error("currencyError")
        money_form.addRow(self.tr("Base currency"), self.currency)
        money_form.addRow("", self.currency_error)
        layout.addWidget(money)

        display = QGroupBox(self.tr("Display and privacy"))
        display_form = QFormLayout(display)
        self.language = QComboBox()
        self.language.setObjectName("language")
        for text, code in (
            (self.tr("As the system"), "system"),
            ("English", "en"),
            ("简体中文", "zh_CN"),
        ):
            self.language.addItem(text, code)
        self.theme = QComboBox()
        self.theme.setObjectName("theme")
        for text, code in (
            (self.tr("As the system"), "system"),
            (self.tr("Light"), "light"),
            (self.tr("Dark"), "dark"),
        ):
            self.theme.addItem(text, code)
        self.autolock = QSpinBox()
        self.autolock.setObjectName("autolock")
        self.autolock.setRange(0, 1440)
        self.autolock.setSuffix(self.tr(" min"))
        self.autolock.setSpecialValueText(self.tr("never"))
        self.hide = QCheckBox(self.tr("Hide balances when the wallet opens"))
        self.hide.setObjectName("hideAtStart")
        display_form.addRow(self.tr("Language"), self.language)
        display_form.addRow(self.tr("Theme"), self.theme)
        display_form.addRow(self.tr("Lock after"), self.autolock)
        display_form.addRow("", self.hide)
        self.language_note = QLabel(self.tr("A new language shows after the next start."))
        self.language_note.hide()
        display_form.addRow("", self.language_note)
        layout.addWidget(display)

        self.servers_box = QGroupBox(self.tr("Servers and explorers"))
        self.servers_form = QFormLayout(self.servers_box)
        layout.addWidget(self.servers_box)
        self.check_servers = QCheckBox(self.tr("Ask new servers before saving them"))
        self.check_servers.setChecked(True)
        layout.addWidget(self.check_servers)
        self.server_edits: dict[str, QLineEdit] = {}
        self.server_errors: dict[str, QLabel] = {}
        self.key_edits: dict[str, QLineEdit] = {}

        self.save = QPushButton(self.tr("Save"))
        self.save.setObjectName("saveSettings")
        self.save.clicked.connect(self.apply)
        self.status = QLabel("")
        self.status.setObjectName("settingsStatus")
        self.status.setWordWrap(True)
        layout.addWidget(self.save)
        layout.addWidget(self.status)
        layout.addStretch()
        session.opened.connect(self.load)

    def _error(self, name: str) -> QLabel:
        label = QLabel("")
        label.setObjectName(name)
        label.setStyleSheet(ERROR_STYLE)
        return label

    def load(self) -> None:
        """Show the wallet's settings."""
        wallet = self.session.require()
        settings = wallet.settings
        self.currency.setCurrentText(settings.base_currency)
        display = settings.display
        self.language.setCurrentIndex(max(0, self.language.findData(display.language)))
        self.theme.setCurrentIndex(max(0, self.theme.findData(display.theme)))
        self.autolock.setValue(display.autolock_minutes)
        self.hide.setChecked(display.hide_balances)
        while self.servers_form.rowCount():
            self.servers_form.removeRow(0)
        self.server_edits.clear()
        self.server_errors.clear()
        self.key_edits.clear()
        networks: dict[str, str] = {}
        evm: set[str] = set()
        for account in wallet.accounts():
            networks[account.network.name] = account.network.title
            if isinstance(account, EvmAccount):
                evm.add(account.network.name)
        for name, title in networks.items():
            edit = QLineEdit(", ".join(wallet.backends.servers(name)))
            edit.setObjectName(f"servers:{name}")
            self.server_edits[name] = edit
            self.servers_form.addRow(title, edit)
            error = self._error(f"serversError:{name}")
            error.setWordWrap(True)
            error.hide()
            self.server_errors[name] = error
            self.servers_form.addRow("", error)
            if name in evm:
                key = QLineEdit()
                key.setObjectName(f"explorerKey:{name}")
                key.setEchoMode(QLineEdit.EchoMode.Password)
                key.setPlaceholderText(
                    self.tr("explorer API key (set)")
                    if settings.explorer_key_set(name)
                    else self.tr("explorer API key (none)")
                )
                self.key_edits[name] = key
                self.servers_form.addRow("", key)
        self.status.clear()

    def apply(self) -> bool | None:
        """Save every setting; on a refused value say which and keep the others unsaved.

        New servers are asked first, off the GUI thread (``backends.check_servers``): one that
        does not answer, or answers for another network, is said next to its field and
        nothing is saved. Returns whether it saved, or ``None`` while the servers are asked
        (``saved`` follows).
        """
        wallet = self.session.require()
        for error in self.server_errors.values():
            error.clear()
            error.hide()
        changed = {
            name: chosen
            for name, chosen in self._servers().items()
            if chosen and list(chosen) != list(wallet.backends.servers(name))
        }
        if not changed or not self.check_servers.isChecked():
            return self._save()

        def work() -> dict[str, str]:
            refused: dict[str, str] = {}
            for name, chosen in changed.items():
                try:
                    wallet.backends.check_servers(name, chosen)
                except WalletError as err:
                    refused[name] = str(err)
            return refused

        def done(refused: dict[str, str]) -> None:
            self.save.setEnabled(True)
            if not refused:
                self._save()
                return
            for name, message in refused.items():
                self.server_errors[name].setText(message)
                self.server_errors[name].show()
            self.status.setStyleSheet(ERROR_STYLE)
            self.status.setText(
                self.tr("Nothing was saved: a server did not answer for its network.")
            )
            self.saved.emit(False)

        def failed(message: str) -> None:
            self.save.setEnabled(True)
            self.status.setStyleSheet(ERROR_STYLE)
            self.status.setText(self.tr("Nothing was saved: %1").replace("%1", message))
            self.saved.emit(False)

        self.save.setEnabled(False)
        self.status.setStyleSheet("")
        self.status.setText(self.tr("Asking the new servers..."))
        self.session.run(work, done, failed, self.tr("Asking the servers"))
        return None

    def _servers(self) -> dict[str, list[str]]:
        return {
            name: [s.strip() for s in edit.text().split(",") if s.strip()]
            for name, edit in self.server_edits.items()
        }

    def _save(self) -> bool:
        wallet = self.session.require()
        settings = wallet.settings
        self.currency_error.clear()
        display = DisplaySettings(
            autolock_minutes=self.autolock.value(),
            theme=str(self.theme.currentData()),
            language=str(self.language.currentData()),
            hide_balances=self.hide.isChecked(),
        )
        servers = self._servers()
        try:
            with wallet.database.transaction():
                try:
                    settings.set_base_currency(self.currency.currentText().strip())
                except WalletError as err:
                    self.currency_error.setText(str(err))
                    raise
                settings.set_display(display)
                for name, chosen in servers.items():
                    if chosen and list(chosen) != list(wallet.backends.servers(name)):
                        wallet.backends.set_servers(name, chosen)
                for name, edit in self.key_edits.items():
                    if edit.text().strip():
                        settings.set_explorer_key(name, edit.text().strip())
        except WalletError as err:
            self.status.setStyleSheet(ERROR_STYLE)
            self.status.setText(self.tr("Nothing was saved: %1").replace("%1", str(err)))
            self.saved.emit(False)
            return False
        for edit in self.key_edits.values():
            edit.clear()
        self.status.setStyleSheet("")
        self.status.setText(self.tr("Saved."))
        self.language_note.setVisible(True)
        self.session.display_changed.emit(display)
        self.saved.emit(True)
        return True
