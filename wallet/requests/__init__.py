"""Payment requests and payment links: BIP-21/BIP-321 and EIP-681, both ways.

``acct.request(...)`` makes a request (a fresh address on UTXO accounts, a link, a QR code),
``acct.requests()`` lists them with their status as of the last sync, and
``acct.prepare_payment(link)`` prepares paying a link with the same draft ``prepare_send``
builds. ``parse_payment_link`` reads a link on its own; ``read_link_image`` finds one in a
picture of its QR code.
"""

from __future__ import annotations

from wallet.requests.book import parse_expiry
from wallet.requests.fx import PriceSource, fx_quote
from wallet.requests.links import parse_payment_link, qr_form
from wallet.requests.pay import read_link_image
from wallet.requests.types import FxQuote, Payment, PaymentLink, PaymentRequest, RequestStatus

__all__ = [
    "FxQuote",
    "Payment",
    "PaymentLink",
    "PaymentRequest",
    "PriceSource",
    "RequestStatus",
    "fx_quote",
    "parse_expiry",
    "parse_payment_link",
    "qr_form",
    "read_link_image",
]
