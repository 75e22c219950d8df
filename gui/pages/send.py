"""The send page: a form checked as it is typed, a review of the draft, the result.

Every check is the API's own: ``accounts_book.check_address`` for the recipient, the amount
parsed to the asset's decimals and compared with the balance, ``prepare_send`` for the rest
(its errors shown under the form). What is sent: the coin, an EVM account's tokens
(``prepare_send(..., token=...)``) or its collectibles (``prepare_nft_transfer``). Fee levels
with their confirmation targets, the amount's value in the base currency (``send_form``), coin
control for UTXO accounts (``coins``), an address book of past counterparties with their
BIP-329 labels. The review shows the draft's summary as the signer will check it, with
``Wallet.send_warnings``; signing and broadcasting run off the GUI thread; the result links to
the network's explorer (``WalletSettings.transaction_link``) where it has one.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from decimal import Decimal
from html import escape

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from gui.pages.coins import CoinControlDialog, CoinsModel
from gui.pages.requests import PayLinkRow
from gui.pages.review import checks, review_html
from gui.pages.send_form import AddressBook, FeeChooser, ValueField
from gui.pages.send_link import LinkFiller
from gui.session import Session
from gui.theme import ERROR_STYLE
from wallet import (
    Account,
    Balance,
    Collectible,
    Draft,
    EvmAccount,
    PaymentLink,
    UtxoAccount,
    UtxoDraft,
    Valuation,
    format_amount,
    parse_decimal,
    to_base_units,
)
from wallet.errors import WalletError

__all__ = ["SendPage"]

_WARN_STYLE = "color: #8a5300;"


class SendPage(QWidget):
    """Send form, review, result: three steps on one page.

    Signals:
        sign_elsewhere: ``(account, draft)``: the person hands a UTXO draft to another signer.
    """

    sign_elsewhere = Signal(object, object)

    def __init__(self, session: Session, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.draft: Draft | None = None
        self.review_account: Account | None = None
        """The account of the draft under review (the form's, or a replaced transaction's)."""
        self._shown: tuple[list[str], Valuation | None] = ([], None)
        session.privacy.changed.connect(self._render_review)
        self.txid = ""
        self.chosen_coins: list[str] = []
        self._from_value = False
        self.steps = QStackedWidget()
        outer = QVBoxLayout(self)
        outer.addWidget(QLabel("<h2>" + self.tr("Send") + "</h2>"))
        outer.addWidget(self.steps)

        form_page = QWidget()
        form = QFormLayout(form_page)
        self.link: PaymentLink | None = None
        """The payment link the form was filled from, paid with ``prepare_payment``."""
        self.confirm_expired: Callable[[PaymentLink], bool] = self._ask_expired
        self.pay_link = PayLinkRow(session)
        self.pay_link.link_read.connect(self.use_link)
        form.addRow(self.tr("Pay a request"), self.pay_link)
        self.account = QComboBox()
        self.account.setObjectName("sendAccount")
        self.account.currentIndexChanged.connect(self._account_changed)
        form.addRow(self.tr("From"), self.account)
        self.asset = QComboBox()
        self.asset.setObjectName("sendAsset")
        self.asset.currentIndexChanged.connect(self._asset_changed)
        form.addRow(self.tr("Asset"), self.asset)
        to_row = QHBoxLayout()
        self.recipient = QLineEdit()
        self.recipient.setObjectName("recipient")
        self.recipient.setPlaceholderText(self.tr("Address"))
        self.recipient.textChanged.connect(self._check_recipient)
        self.address_book = AddressBook()
        self.address_book.picked.connect(self.recipient.setText)
        to_row.addWidget(self.recipient, 3)
        to_row.addWidget(self.address_book, 2)
        self.recipient_error = self._error_label("recipientError")
        form.addRow(self.tr("To"), to_row)
        form.addRow("", self.recipient_error)
        amount_row = QHBoxLayout()
        self.amount = QLineEdit()
        self.amount.setObjectName("amount")
        self.amount.textChanged.connect(self._amount_edited)
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
        self._link_filler = LinkFiller(
            session,
            self.account,
            self.asset,
            self.max,
            self.recipient,
            self.amount,
            self.pay_link.info,
            self.current_asset,
            self,
        )
        self.value = ValueField(session)
        self.value.typed.connect(self._value_typed)
        form.addRow(self.tr("Value"), self.value)
        self.fees = FeeChooser(session)
        self.fee = self.fees.combo
        form.addRow(self.tr("Fee"), self.fees)
        coins_row = QHBoxLayout()
        self.coin_button = QPushButton(self.tr("Coin control..."))
        self.coin_button.setObjectName("coinControl")
        self.coin_button.clicked.connect(self.choose_coins)
        self.coins_info = QLabel("")
        self.coins_info.setObjectName("coinsChosen")
        self.coins_info.setWordWrap(True)
        coins_row.addWidget(self.coin_button)
        coins_row.addWidget(self.coins_info, 1)
        form.addRow(self.tr("Coins"), coins_row)
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
        self.elsewhere_button = QPushButton(self.tr("Sign elsewhere"))
        self.elsewhere_button.setObjectName("signElsewhere")
        self.elsewhere_button.setToolTip(
            self.tr("Hand this transaction to an air-gapped signer or a hardware wallet")
        )
        self.elsewhere_button.clicked.connect(self._sign_elsewhere)
        buttons.addWidget(back)
        buttons.addStretch()
        buttons.addWidget(self.elsewhere_button)
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
        session.synced.connect(self._synced)
        session.locked.connect(self._reset)

    def _error_label(self, name: str) -> QLabel:
        label = QLabel("")
        label.setObjectName(name)
        label.setWordWrap(True)
        label.setStyleSheet(ERROR_STYLE)
        return label

    # -- the form -------------------------------------------------------------------------

    def _opened(self) -> None:
        self.account.blockSignals(True)
        self.account.clear()
        for acct in self.session.require().accounts():
            # A watch-only Bitcoin-family account pays through another signer (its PSBT).
            if not acct.watch_only or isinstance(acct, UtxoAccount):
                self.account.addItem(f"{acct.network.title} #{acct.index} {acct.kind}", acct.id)
        self.account.blockSignals(False)
        self._account_changed()

    def _synced(self, _changes: object) -> None:
        # Balances and the address book as the sync left them; the choices stay.
        acct = self.current_account()
        if acct is None or self.steps.currentIndex() != 0:
            return
        self.address_book.fill(self.session.require(), acct)
        fresh: dict[str | None, Balance] = {acct.balance().token: acct.balance()}
        if isinstance(acct, EvmAccount):
            fresh.update({b.token: b for b in acct.token_balances()})
        for i in range(self.asset.count()):
            old = self.asset.itemData(i)
            if isinstance(old, Balance) and old.token in fresh:
                self.asset.setItemData(i, fresh[old.token])
        self._check_amount()

    def current_account(self) -> Account | None:
        """Return the account chosen in the form."""
        account_id = self.account.currentData()
        if account_id is None or self.session.wallet is None:
            return None
        return self.session.wallet.accounts_book.by_id(int(account_id))

    def current_asset(self) -> Balance | Collectible | None:
        """Return what is sent: the coin's or a token's balance, or a collectible."""
        data = self.asset.currentData()
        return data if isinstance(data, Balance | Collectible) else None

    def use_link(self, link: object) -> None:
        """Fill the form from a payment link: the account of its network, asset, address, amount."""
        if isinstance(link, PaymentLink) and self._link_filler.fill(link):
            self.link = link

    def _ask_expired(self, link: PaymentLink) -> bool:
        answer = QMessageBox.question(
            self,
            self.tr("An expired request"),
            self.tr(
                "This payment request has expired: the payee may no longer expect it. "
                "Pay it anyway?"
            ),
        )
        return answer == QMessageBox.StandardButton.Yes

    def _account_changed(self) -> None:
        acct = self.current_account()
        self.asset.blockSignals(True)
        self.asset.clear()
        if acct is not None:
            coin = acct.balance()
            self.asset.addItem(coin.symbol, coin)
            if isinstance(acct, EvmAccount):
                for token in acct.token_balances():
                    if token.token is not None:
                        self.asset.addItem(self.tr("%1 (token)").replace("%1", token.symbol), token)
                for nft in acct.nfts():
                    name = nft.name or f"#{nft.token_id}"
                    self.asset.addItem(self.tr("%1 (collectible)").replace("%1", name), nft)
        self.asset.setEnabled(self.asset.count() > 1)
        self.asset.blockSignals(False)
        self.address_book.fill(self.session.require(), acct)
        self.chosen_coins = []
        utxo = isinstance(acct, UtxoAccount)
        self.coin_button.setEnabled(utxo)
        self.coins_info.setText(
            self.tr("The wallet chooses the coins.")
            if utxo
            else self.tr("Coin control is for Bitcoin-like accounts.")
        )
        self.fees.load(acct)
        self._asset_changed()

    def _asset_changed(self) -> None:
        asset = self.current_asset()
        nft = isinstance(asset, Collectible)
        self.symbol.setText(
            self.tr("items") if nft else "" if not isinstance(asset, Balance) else asset.symbol
        )
        self.max.setEnabled(isinstance(asset, Balance) and asset.token is None)
        if not self.max.isEnabled():
            self.max.setChecked(False)
        if nft:
            self.amount.setText("1")
        if isinstance(asset, Balance):
            self.value.load(self.current_account(), asset.symbol, asset.decimals)
        else:
            self.value.load(None, None, 0)
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
        asset = self.current_asset()
        if asset is None or self.max.isChecked():
            return None
        if isinstance(asset, Collectible):
            count = to_base_units(parse_decimal(self.amount.text().strip()), 0)
            if not 1 <= count <= asset.amount:
                raise WalletError(
                    self.tr("You hold %n of this item.", "", asset.amount)
                    if count > 0
                    else self.tr("The amount must be more than zero.")
                )
            return count
        value = parse_decimal(self.amount.text().strip())
        units = to_base_units(value, asset.decimals)
        if units <= 0:
            raise WalletError(self.tr("The amount must be more than zero."))
        if self.chosen_coins and units > self._chosen_value():
            raise WalletError(self.tr("That is more than the coins chosen."))
        if asset.synced and units > asset.confirmed + max(asset.unconfirmed, 0):
            raise WalletError(
                self.tr("That is more than the balance (%1).").replace(
                    "%1", format_amount(asset.confirmed, asset.decimals, asset.symbol)
                )
            )
        return units

    def _check_amount(self) -> bool:
        if self.max.isChecked():
            self.amount_error.clear()
            return True
        if not self.amount.text().strip():
            self.amount_error.setText(self.value.error)
            return False
        try:
            self._amount()
        except WalletError as err:
            self.amount_error.setText(str(err))
            return False
        self.amount_error.clear()
        return True

    def _amount_edited(self) -> None:
        self._check_amount()
        if not self._from_value:
            self.value.show_amount(self.amount.text())

    def _value_typed(self, amount: str) -> None:
        self._from_value = True
        self.max.setChecked(False)
        self.amount.setText(amount)
        self._from_value = False

    def _max_toggled(self, on: bool) -> None:
        self.amount.setEnabled(not on)
        self._check_amount()

    # -- coin control ---------------------------------------------------------------------

    def choose_coins(self) -> CoinControlDialog | None:
        """Open coin control for a UTXO account; the chosen coins go to ``prepare_send``."""
        acct = self.current_account()
        if not isinstance(acct, UtxoAccount):
            return None
        balance = acct.balance()
        model = CoinsModel(acct.coins(), balance.decimals, balance.symbol, self.session.privacy)
        model.set_chosen(self.chosen_coins)
        dialog = CoinControlDialog(model, self)
        dialog.accepted.connect(lambda: self.set_coins(model.chosen()))
        dialog.open()
        return dialog

    def _chosen_value(self) -> int:
        acct = self.current_account()
        if not isinstance(acct, UtxoAccount):
            return 0
        return sum(c.value for c in acct.coins() if c.outpoint in self.chosen_coins)

    def set_coins(self, outpoints: list[str]) -> None:
        """Spend exactly these coins (``TXID:N``); none: the wallet chooses."""
        self.chosen_coins = list(outpoints)
        asset = self.current_asset()
        if not self.chosen_coins or not isinstance(asset, Balance):
            self.coins_info.setText(self.tr("The wallet chooses the coins."))
        else:
            total = format_amount(self._chosen_value(), asset.decimals, asset.symbol)
            self.coins_info.setText(
                self.tr("%n coin(s) chosen, %1", "", len(self.chosen_coins)).replace(
                    "%1", self.session.privacy.amount(total)
                )
            )
        self._check_amount()

    # -- review, sign, send ---------------------------------------------------------------

    def prepare(self) -> None:
        """Build the draft off the GUI thread (fees come from the network), then review it."""
        acct = self.current_account()
        asset = self.current_asset()
        if acct is None or asset is None:
            return
        if not (self._check_recipient() & self._check_amount()):
            return
        wallet = self.session.require()
        to = self.recipient.text().strip()
        send_max = self.max.isChecked()
        amount = None if send_max else Decimal(self.amount.text().strip())
        level = self.fees.level()
        coins = list(self.chosen_coins)
        link = self.link
        if link is not None and (link.address != to or link.network != acct.network.name):
            link = None  # the form was changed by hand after the link filled it
        late = link is not None and link.expired(int(time.time()))
        if link is not None and late and not self.confirm_expired(link):
            return

        def work() -> tuple[Draft, list[str], Valuation]:
            if link is not None and isinstance(acct, UtxoAccount | EvmAccount) and not send_max:
                # The link's own amount, label and message go into the draft's summary.
                payment = acct.prepare_payment(
                    link, None if link.amount is not None else amount, level, allow_expired=late
                )
                draft: Draft = payment.draft
            elif isinstance(acct, UtxoAccount):
                draft = acct.prepare_send(to, amount, level, send_max=send_max, utxos=coins or None)
            elif isinstance(acct, EvmAccount) and isinstance(asset, Collectible):
                count = int(amount or 1)
                draft = acct.prepare_nft_transfer(to, asset.contract, asset.token_id, count, level)
            elif isinstance(acct, EvmAccount) and send_max:
                draft = acct.send_max(to, level)
            elif isinstance(acct, EvmAccount):
                assert amount is not None  # noqa: S101 - not send_max
                token = asset.token if isinstance(asset, Balance) else None
                draft = acct.prepare_send(to, amount, level, token=token)
            else:
                raise WalletError("This account cannot send.")
            return draft, *checks(wallet, draft)

        self.review_button.setEnabled(False)
        self.form_error.clear()
        self.session.run(work, self._review, self._prepare_failed, self.tr("Preparing"))

    def _prepare_failed(self, message: str) -> None:
        self.review_button.setEnabled(True)
        self.form_error.setText(message)

    def _review(self, result: tuple[Draft, list[str], Valuation]) -> None:
        self.review_button.setEnabled(True)
        acct = self.current_account()
        assert acct is not None  # noqa: S101 - the form had one
        draft, warnings, fee = result
        self.show_review(acct, draft, warnings, self.chosen_coins, fee)

    def show_review(
        self,
        acct: Account,
        draft: Draft,
        warnings: list[str],
        coins: list[str] | None = None,
        fee_value: Valuation | None = None,
    ) -> None:
        """Show a draft for review: a payment from the form, or a replacement from the history.

        Args:
            acct: the account that signs and broadcasts it.
            draft: what the signer will check (``summary``).
            warnings: ``Wallet.send_warnings`` of the draft, as text.
            coins: the coins chosen by hand, if any.
            fee_value: the fee in the base currency (``coin_value``), or why it is unknown.
        """
        self.draft = draft
        self.review_account = acct
        self._shown = (coins or [], fee_value)
        self._render_review()
        self.warnings.setText("\n".join("\u26a0 " + w for w in warnings))
        self.send_error.clear()
        self.send_button.setEnabled(True)
        # A watch-only account has no key here: another signer signs its PSBT.
        self.elsewhere_button.setVisible(isinstance(draft, UtxoDraft))
        self.send_button.setVisible(not acct.watch_only)
        self.steps.setCurrentIndex(1)

    def _render_review(self, _hidden: bool = False) -> None:
        # Again when balances are hidden or shown: the review masks its amounts too.
        if self.draft is not None and self.review_account is not None:
            coins, fee_value = self._shown
            privacy = self.session.privacy
            html = review_html(self.review_account, self.draft, privacy, coins, fee_value)
            self.review_text.setText(html)

    def _sign_elsewhere(self) -> None:
        if self.draft is not None and self.review_account is not None:
            self.sign_elsewhere.emit(self.review_account, self.draft)

    def sign_and_send(self) -> None:
        """Sign with the wallet's keys and broadcast, off the GUI thread."""
        draft = self.draft
        acct = self.review_account
        if draft is None or acct is None:
            return
        wallet = self.session.require()

        def work() -> str:
            return acct.broadcast(wallet.sign(draft))

        self.send_button.setEnabled(False)
        self.session.run(work, self.show_result, self._send_failed, self.tr("Sending"))

    def _send_failed(self, message: str) -> None:
        self.send_button.setEnabled(True)
        self.send_error.setText(message)

    def show_result(self, txid: str) -> None:
        """Show a broadcast transaction: its id, and its explorer page where the network has one."""
        self.txid = txid
        self.draft = None
        acct = self.review_account
        link = None
        if acct is not None:
            link = self.session.require().settings.transaction_link(acct.network.name, txid)
        where = (
            f'<a href="{escape(link)}">' + self.tr("See it on the explorer") + "</a>"
            if link
            else self.tr("No explorer link: %1 has no block explorer.").replace(
                "%1", escape(acct.network.title if acct else "")
            )
        )
        self.result.setText(
            "<h3>"
            + self.tr("Sent")
            + "</h3><p>"
            + self.tr("Transaction id")
            + f":<br><tt>{escape(txid)}</tt></p><p>{where}</p>"
        )
        self.steps.setCurrentIndex(2)

    def _reset(self) -> None:
        self.link = None
        self.pay_link.text.clear()
        self.pay_link.info.clear()
        self.draft = None
        self.review_account = None
        self.recipient.clear()
        self.amount.clear()
        self.max.setChecked(False)
        self.chosen_coins = []
        self.form_error.clear()
        self.steps.setCurrentIndex(0)
