"""Fill the send form from a payment link (BIP-21, EIP-681).

The part of the send page that reads a link the ``PayLinkRow`` parsed and picks the account,
asset, address and amount. The link was parsed by the API (``parse_payment_link``); this only
finds the form's rows that match it, and says in ``info`` why it cannot (no account of the
link's network, a token the wallet does not know). Asking about an expired link stays with
the send page, which pays it.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QCheckBox, QComboBox, QLabel, QLineEdit

from gui.session import Session
from wallet import Balance, Collectible, PaymentLink, format_amount, network_info

__all__ = ["LinkFiller"]


class LinkFiller(QObject):
    """Fill the send form's fields from a payment link.

    Args:
        session: the open wallet.
        account: the form's account choice (item data: the account id).
        asset: the form's asset choice (item data: a ``Balance`` or ``Collectible``).
        send_max: the form's "Max" box, cleared when a link fills the amount.
        recipient: the address field.
        amount: the amount field.
        info: where a link that cannot be paid from this wallet is explained.
        current_asset: the asset chosen now (after the account changed).
    """

    def __init__(
        self,
        session: Session,
        account: QComboBox,
        asset: QComboBox,
        send_max: QCheckBox,
        recipient: QLineEdit,
        amount: QLineEdit,
        info: QLabel,
        current_asset: Callable[[], Balance | Collectible | None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.session = session
        self.account = account
        self.asset = asset
        self.send_max = send_max
        self.recipient = recipient
        self.amount = amount
        self.info = info
        self.current_asset = current_asset

    def fill(self, link: PaymentLink) -> bool:
        """Fill the form: the account of the link's network, asset, address, amount.

        Returns:
            Whether the form was filled (``info`` says why not).
        """
        row = self._account_row(link.network)
        if row is None:
            title = network_info(link.network).title
            self.info.setText(
                self.tr("This wallet has no %1 account to pay it from.").replace("%1", title)
            )
            return False
        self.account.setCurrentIndex(row)
        if link.token is not None:
            token_row = self._token_row(link.token)
            if token_row is None:
                self.info.setText(
                    self.tr("Add the token %1 first: the wallet does not know it.").replace(
                        "%1", link.token
                    )
                )
                return False
            self.asset.setCurrentIndex(token_row)
        else:
            self.asset.setCurrentIndex(0)
        self.send_max.setChecked(False)
        self.recipient.setText(link.address)
        asset = self.current_asset()
        if link.amount is not None and isinstance(asset, Balance):
            decimals = link.decimals if link.decimals is not None else asset.decimals
            self.amount.setText(format_amount(link.amount, decimals))
        return True

    def _account_row(self, network: str) -> int | None:
        book = self.session.require().accounts_book
        return next(
            (
                i
                for i in range(self.account.count())
                if book.by_id(int(self.account.itemData(i))).network.name == network
            ),
            None,
        )

    def _token_row(self, token: str) -> int | None:
        return next(
            (
                i
                for i in range(self.asset.count())
                if isinstance(self.asset.itemData(i), Balance)
                and (self.asset.itemData(i).token or "").lower() == token.lower()
            ),
            None,
        )
