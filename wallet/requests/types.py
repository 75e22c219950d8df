"""The values of payment requests and payment links, as the API returns them."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from wallet.types import Draft

__all__ = [
    "FxQuote",
    "Payment",
    "PaymentLink",
    "PaymentRequest",
    "RequestStatus",
]


class RequestStatus(enum.Enum):
    """Where a payment request stands, as of the account's last sync.

    ``PENDING`` means enough was paid but not all of it is confirmed yet; ``PAID`` and
    ``OVERPAID`` are confirmed; ``PAID_LATE`` was paid in full, confirmed, by a payment first
    seen after the request expired.
    """

    UNPAID = "unpaid"
    PENDING = "pending"
    PARTIAL = "partially paid"
    PAID = "paid"
    OVERPAID = "overpaid"
    EXPIRED = "expired"
    PAID_LATE = "paid after expiry"


@dataclass(frozen=True, slots=True)
class FxQuote:
    """A rate between a coin and a fiat currency, with where and when it was read.

    Attributes:
        asset: the coin's symbol (``BTC``) or token symbol.
        currency: the fiat currency (ISO 4217, ``EUR``).
        rate: how many units of ``currency`` one coin is worth (``Decimal``, never float).
        source: who gave the rate (a price provider's name).
        time: when the rate was read (Unix seconds).
    """

    asset: str
    currency: str
    rate: Decimal
    source: str
    time: int

    def describe(self) -> str:
        """Return the rate in words: ``1 BTC = 50000 EUR (coingecko, 2026-12-07 06:00 UTC)``."""
        when = _utc(self.time)
        return f"1 {self.asset} = {self.rate:f} {self.currency} ({self.source}, {when})"


def _utc(seconds: int) -> str:
    return datetime.fromtimestamp(seconds, tz=UTC).strftime("%Y-%m-%d %H:%M UTC")


@dataclass(frozen=True, slots=True)
class PaymentLink:
    """A payment link read and checked against the network it belongs to.

    Attributes:
        text: the link as given.
        network: the registry name of the network it pays on.
        address: who is paid, in canonical form (EIP-55 on EVM).
        amount: what is asked, in base units of the asset, if the link says.
        symbol: the asset's symbol (the network's coin; ``None`` for a token until the
            paying account reads the token).
        decimals: the asset's decimals (``None`` for a token, likewise).
        token: the ERC-20 contract of a token transfer link, ``None`` for the coin.
        label: the receiver's label (BIP-21 ``label``), empty if none.
        message: what the payment is for (BIP-21 ``message``), empty if none.
        created_at: when the request was made, if the link says (Electrum's ``time``).
        expires_at: when it expires, if the link says (Electrum's ``time`` + ``exp``).
    """

    text: str
    network: str
    address: str
    amount: int | None
    symbol: str | None
    decimals: int | None
    token: str | None = None
    label: str = ""
    message: str = ""
    created_at: int | None = None
    expires_at: int | None = None

    def expired(self, now: int) -> bool:
        """Return whether the request behind the link has expired at ``now``."""
        return self.expires_at is not None and now >= self.expires_at


@dataclass(frozen=True, slots=True)
class PaymentRequest:
    """A payment request of the wallet, with its status as of the last sync.

    Attributes:
        id: the request's id in the wallet.
        account_id: the account that receives it.
        network: the registry name of the network.
        address: the address it is paid to (on a UTXO account, reserved for it alone).
        amount: what is asked, in base units.
        symbol: the asset's symbol.
        decimals: the asset's decimals.
        token: the ERC-20 contract for a token request, ``None`` for the coin.
        label: the label given (also the address's BIP-329 label on UTXO accounts).
        message: the message given.
        created_at: when it was made (Unix seconds).
        expires_at: when it expires, ``None`` if never.
        link: the payment link (BIP-21, or EIP-681 on EVM networks).
        status: where it stands.
        received: base units received for it (pending included).
        confirmed: base units of that received in confirmed transactions.
        txids: the transactions that paid it, oldest first.
        fx: the rate a fiat-amount request was converted at, if it was.
        fiat_amount: the amount asked in ``fx.currency``, if it was.
    """

    id: int
    account_id: int
    network: str
    address: str
    amount: int
    symbol: str
    decimals: int
    token: str | None
    label: str
    message: str
    created_at: int
    expires_at: int | None
    link: str
    status: RequestStatus = RequestStatus.UNPAID
    received: int = 0
    confirmed: int = 0
    txids: tuple[str, ...] = ()
    fx: FxQuote | None = None
    fiat_amount: Decimal | None = None

    @property
    def missing(self) -> int:
        """Return what is still to be paid, in base units (0 once enough is received)."""
        return max(self.amount - self.received, 0)

    @property
    def excess(self) -> int:
        """Return what was paid beyond the amount, in base units."""
        return max(self.received - self.amount, 0)


@dataclass(frozen=True, slots=True)
class Payment:
    """A payment prepared from a link: the same draft ``prepare_send`` builds, and context.

    Sign ``draft`` with ``Wallet.sign`` and broadcast it with the account, as any draft: the
    signer reviews the transaction itself; ``label``, ``message`` and the rate are what the
    link said, to show beside it.

    Attributes:
        draft: the unsigned transaction and the summary to approve.
        link: the link it pays.
        label: the link's label (who asks), empty if none.
        message: the link's message (what for), empty if none.
        amount: what is paid, in base units of the asset.
        fx: the rate a fiat amount was converted at, or shown beside the amount.
        fiat_amount: the amount in ``fx.currency`` at that rate.
        expired: the link's request had expired (the payer allowed it explicitly).
    """

    draft: Draft
    link: PaymentLink
    label: str
    message: str
    amount: int
    fx: FxQuote | None = None
    fiat_amount: Decimal | None = None
    expired: bool = False

    def summary_lines(self) -> list[str]:
        """Return what the link adds to the transaction's summary, in words."""
        lines = []
        if self.label:
            lines.append(f"  to      {self.label}")
        if self.message:
            lines.append(f"  for     {self.message}")
        if self.fx is not None and self.fiat_amount is not None:
            lines.append(
                f"  worth   {self.fiat_amount:f} {self.fx.currency} at {self.fx.describe()}"
            )
        if self.expired:
            lines.append("  note    the request had expired; the payee may not expect it")
        return lines
