"""Parts of the send form: fee presets with their confirmation targets, the amount's value.

``FeeChooser`` lists the fee levels; for a UTXO account it asks ``fee_presets()`` off the GUI
thread and shows each level's rate and target (blocks and minutes, ``FeePresets.target``);
for an EVM account ``fee_levels()``: each level's most per gas and a transfer's most cost.
``ValueField`` shows what an amount is worth in the base currency and takes an amount typed
in that currency, converted exactly with ``units_for_value``; the price is the portfolio's
(its source and time shown); an unknown price disables the field and says why.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from gui.session import Session
from wallet import (
    Account,
    EvmAccount,
    EvmFeeLevels,
    FeePresets,
    PortfolioRow,
    UtxoAccount,
    Wallet,
    format_amount,
    parse_decimal,
    units_for_value,
)
from wallet.errors import WalletError
from wallet.money import quantize

__all__ = ["AddressBook", "FeeChooser", "ValueField"]

_LEVELS = ("normal", "fast", "slow")


class AddressBook(QComboBox):
    """Past counterparties of the account's network, labelled ones first (BIP-329 ``addr``)."""

    picked = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("addressBook")
        self.activated.connect(self._activated)

    def fill(self, wallet: Wallet, acct: Account | None) -> None:
        """List the addresses of the network's history, with their labels."""
        self.clear()
        self.addItem(self.tr("Address book"), None)
        entries: list[tuple[bool, str, str, str]] = []
        if acct is not None:
            for address in wallet.history.counterparties(acct.network.name):
                label = wallet.labels.get("addr", address)
                entries.append((label == "", label.lower(), address, label))
        for _unlabelled, _key, address, label in sorted(entries):
            self.addItem(f"{label}: {address}" if label else address, address)
        self.setEnabled(bool(entries))
        self.setToolTip(
            self.tr("Addresses of your past transactions on this network, with their labels")
            if entries
            else self.tr("No past transactions on this network yet")
        )

    def _activated(self, index: int) -> None:
        address = self.itemData(index)
        if isinstance(address, str):
            self.picked.emit(address)
        self.setCurrentIndex(0)


class FeeChooser(QWidget):
    """The fee level, and for UTXO accounts each level's rate and expected confirmation time."""

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.presets: FeePresets | None = None
        self.evm_levels: EvmFeeLevels | None = None
        self._ask = 0
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.combo = QComboBox()
        self.combo.setObjectName("feeLevel")
        self.info = QLabel("")
        self.info.setObjectName("feeInfo")
        self.info.setWordWrap(True)
        layout.addWidget(self.combo)
        layout.addWidget(self.info)

    def _word(self, level: str) -> str:
        return {"slow": self.tr("Slow"), "normal": self.tr("Normal"), "fast": self.tr("Fast")}[
            level
        ]

    def level(self) -> str:
        """Return the chosen level's name."""
        return str(self.combo.currentData() or "normal")

    @property
    def loading(self) -> bool:
        """Return whether the estimates are still being asked for."""
        return self._ask > 0

    def load(self, acct: Account | None) -> None:
        """Show the levels of ``acct``; their rates arrive from the network, off the GUI thread.

        A UTXO account's levels come with their rate and target (``fee_presets``), an EVM
        account's with their most per gas and a transfer's most cost (``fee_levels``).
        """
        self.presets = None
        self.evm_levels = None
        self.combo.clear()
        for level in _LEVELS:
            self.combo.addItem(self._word(level), level)
        self.combo.setEnabled(acct is not None)
        if not isinstance(acct, UtxoAccount | EvmAccount):
            self.info.clear()
            return
        self.info.setText(self.tr("Asking the server for fee estimates..."))
        self._ask += 1
        ask = self._ask

        def done(levels: object) -> None:
            if ask != self._ask:
                return
            self._ask = 0
            if isinstance(levels, FeePresets):
                self.show_presets(levels)
            elif isinstance(levels, EvmFeeLevels) and isinstance(acct, EvmAccount):
                self.show_evm_levels(levels, acct.network.symbol)

        def failed(message: str) -> None:
            if ask == self._ask:
                self._ask = 0
                self.info.setText(self.tr("Fee estimates unavailable: %1").replace("%1", message))

        work = acct.fee_presets if isinstance(acct, UtxoAccount) else acct.fee_levels
        self.session.run(work, done, failed, self.tr("Fee estimates"))

    def show_presets(self, presets: FeePresets) -> None:
        """Write each level's rate and target into the list."""
        self.presets = presets
        for i in range(self.combo.count()):
            level = str(self.combo.itemData(i))
            target = presets.target(level)
            text = (
                self.tr("%1: %2 sat/vB, %n block(s), about %3 min", "", target.blocks)
                .replace("%1", self._word(level))
                .replace("%2", f"{presets.rate(level).sat_vb.normalize():f}")
                .replace("%3", str(target.minutes))
            )
            self.combo.setItemText(i, text)
        self.info.setText(
            ""
            if presets.estimated
            else self.tr("The server has no estimates: these are the network's fallback rates.")
        )

    def show_evm_levels(self, levels: EvmFeeLevels, symbol: str) -> None:
        """Write each level's most per gas and a transfer's most cost into the list."""
        self.evm_levels = levels
        for i in range(self.combo.count()):
            level = levels.level(str(self.combo.itemData(i)))
            text = (
                self.tr("%1: up to %2 gwei per gas, a transfer at most %3")
                .replace("%1", self._word(level.level))
                .replace("%2", format_amount(level.fee_per_gas, 9))
                .replace("%3", format_amount(level.transfer_fee, 18, symbol))
            )
            self.combo.setItemText(i, text)
        self.info.setText(self.tr("Each level's price comes from the network's recent blocks."))


class ValueField(QWidget):
    """An amount's value in the base currency, both ways, with the price's source and time."""

    typed = Signal(str)  # an amount in the coin, converted from a typed value

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.row: PortfolioRow | None = None
        self.decimals = 0
        self._ask = 0
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        line = QHBoxLayout()
        self.edit = QLineEdit()
        self.edit.setObjectName("fiatAmount")
        self.edit.textEdited.connect(self._edited)
        self.code = QLabel("")
        line.addWidget(self.edit, 1)
        line.addWidget(self.code)
        layout.addLayout(line)
        self.info = QLabel("")
        self.info.setObjectName("priceInfo")
        self.info.setWordWrap(True)
        layout.addWidget(self.info)
        self.error = ""

    @property
    def loading(self) -> bool:
        """Return whether the price is still being asked for."""
        return self._ask > 0

    def _unknown(self, reason: str) -> None:
        self.row = None
        self.edit.clear()
        self.edit.setEnabled(False)
        text = self.tr("Price unknown: %1").replace("%1", reason)
        self.info.setText(text)
        self.edit.setToolTip(text)

    def load(self, acct: Account | None, symbol: str | None, decimals: int) -> None:
        """Ask for the price of ``symbol`` on the account's network (``None``: no price)."""
        self._ask += 1
        ask = self._ask
        self.decimals = decimals
        wallet = self.session.wallet
        if wallet is None or acct is None or symbol is None:
            self._ask = 0
            self.code.clear()
            self._unknown(self.tr("collectibles are not priced"))
            return
        self.code.setText(wallet.settings.base_currency)
        self.row = None
        self.edit.clear()
        self.edit.setEnabled(False)
        self.info.setText(self.tr("Asking for the price..."))
        network = acct.network.name

        def work() -> PortfolioRow | None:
            for row in wallet.portfolio().rows:
                if row.holding.network == network and row.holding.symbol == symbol:
                    return row
            return None

        def done(row: PortfolioRow | None) -> None:
            if ask != self._ask:
                return
            self._ask = 0
            if row is None:
                self._unknown(self.tr("no balance of it as of the last sync"))
            elif row.price is None or row.as_of is None:
                self._unknown(row.unknown_reason)
            else:
                self._known(row, row.price, row.as_of, symbol)

        def failed(message: str) -> None:
            if ask == self._ask:
                self._ask = 0
                self._unknown(message)

        self.session.run(work, done, failed, self.tr("Prices"))

    def _known(self, row: PortfolioRow, price: Decimal, as_of: datetime, symbol: str) -> None:
        self.row = row
        self.edit.setEnabled(True)
        self.edit.setToolTip("")
        when = as_of.astimezone().strftime("%Y-%m-%d %H:%M")
        text = (
            self.tr("1 %1 = %2 %3, from %4 at %5")
            .replace("%1", symbol)
            .replace("%2", f"{price.normalize():f}")
            .replace("%3", self.code.text())
            .replace("%4", row.source)
            .replace("%5", when)
        )
        if row.offline:
            text += " " + self.tr("(offline: the last known price)")
        self.info.setText(text)

    def show_amount(self, text: str) -> None:
        """Show the value of an amount typed in the coin (nothing for a bad amount)."""
        if self.row is None or self.row.price is None:
            return
        try:
            value = parse_decimal(text.strip())
        except WalletError:
            self.edit.clear()
            return
        self.edit.setText(f"{quantize(value * self.row.price, self.code.text()):f}")

    def _edited(self, text: str) -> None:
        self.error = ""
        if self.row is None or self.row.price is None:
            return
        try:
            units = units_for_value(parse_decimal(text.strip()), self.row.price, self.decimals)
        except WalletError as err:
            self.error = str(err)
            self.typed.emit("")
            return
        self.typed.emit(format_amount(units, self.decimals))
