"""Paying a link: what amount, at what rate, and whether an expired request may be paid.

The draft itself is the account's ``prepare_send``: a link adds nothing the signer does not
check itself (the address and the amount are in the transaction it reviews). This module
works out the amount in base units and the rate shown beside it; the account calls
``prepare_send`` with them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal, localcontext

from wallet.amounts import Amount, format_amount, to_base_units, to_decimal
from wallet.errors import InvalidAmount, InvalidPaymentLink, NoPaymentLink, RequestExpired
from wallet.qr import QrImageError, read_qr_texts
from wallet.requests.book import EXACT_DIGITS, Asset, check_rate, fiat_to_units
from wallet.requests.types import FxQuote, PaymentLink

__all__ = ["PaymentPlan", "plan_payment", "read_link_image"]

_CENT = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class PaymentPlan:
    """What to send for a link: base units, and the fiat value at the rate given."""

    amount: int
    fx: FxQuote | None
    fiat_amount: Decimal | None
    expired: bool


def plan_payment(
    link: PaymentLink,
    asset: Asset,
    now: int,
    *,
    amount: Amount | None = None,
    fiat_amount: Amount | None = None,
    fx: FxQuote | None = None,
    allow_expired: bool = False,
) -> PaymentPlan:
    """Return the amount to pay for a link (the account's ``prepare_payment`` documents it).

    Raises:
        RequestExpired: the link's request expired and ``allow_expired`` is not set.
        InvalidAmount: no amount anywhere, two different ones, or a rate of another asset.
        InvalidPaymentLink: a fiat amount without a rate.
    """
    expired = link.expired(now)
    if expired and not allow_expired:
        when = datetime.fromtimestamp(link.expires_at or 0, tz=UTC).strftime("%Y-%m-%d %H:%M UTC")
        raise RequestExpired(
            f"This payment request expired on {when}; the payee may no longer expect it. "
            "Ask for a new one, or pay it anyway (allow_expired=True).",
            link.expires_at or 0,
        )
    if fiat_amount is not None and fx is None:
        raise InvalidPaymentLink("A fiat amount needs the rate to convert it at (fx).", link.text)
    given: int | None = None
    fiat: Decimal | None = None
    if fx is not None:
        check_rate(fx, asset)
    if fiat_amount is not None and fx is not None:
        given, fiat = fiat_to_units(fiat_amount, fx, asset)
    elif amount is not None:
        given = to_base_units(amount, asset.decimals, asset.symbol)
    if link.amount is not None and given is not None and given != link.amount:
        asked = format_amount(link.amount, asset.decimals, asset.symbol)
        raise InvalidAmount(f"The link asks for {asked}; pay that amount, or give none.")
    units = link.amount if link.amount is not None else given
    if units is None:
        raise InvalidAmount("The link names no amount: give the amount to pay.")
    if fx is not None and fiat is None:
        with localcontext(prec=EXACT_DIGITS):
            fiat = (to_decimal(units, asset.decimals) * fx.rate).quantize(_CENT, ROUND_HALF_UP)
    return PaymentPlan(units, fx, fiat, expired)


def read_link_image(image: bytes) -> str:
    """Return the payment link a QR code in an image holds (PNG, JPEG, a screenshot).

    Raises:
        NoPaymentLink: not an image, no QR code in it, or none holding a payment link.
    """
    try:
        texts = read_qr_texts(image)
    except QrImageError as err:
        raise NoPaymentLink(str(err)) from err
    schemes = ("bitcoin:", "litecoin:", "dogecoin:", "ethereum:")
    links = [t.strip() for t in texts if t.strip().lower().startswith(schemes)]
    if not texts:
        raise NoPaymentLink("The image holds no QR code Coffer can read.")
    if not links:
        raise NoPaymentLink("The image's QR code holds no payment link.")
    return links[0]
