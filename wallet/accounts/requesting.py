"""Payment requests and payment links on any account: the entry points, written once.

``UtxoAccount`` and ``EvmAccount`` derive from ``RequestingAccount`` and supply three things:
the ``RequestContext`` of ``wallet.requests.book`` (how a request gets its address and its
payments), the asset a link names, and the draft of a payment (their own ``prepare_send``).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from wallet.accounts.base import Account
from wallet.amounts import Amount
from wallet.errors import NetworkMismatch
from wallet.qr import qr_png, qr_terminal
from wallet.requests import book
from wallet.requests.book import Asset, RequestContext
from wallet.requests.links import parse_payment_link, qr_form
from wallet.requests.pay import plan_payment
from wallet.requests.types import FxQuote, Payment, PaymentLink, PaymentRequest, RequestStatus
from wallet.types import Draft, FeeLevel

__all__ = ["RequestingAccount"]


class RequestingAccount(Account):
    """An account that makes payment requests and pays payment links."""

    def _request_context(self) -> RequestContext:
        raise NotImplementedError

    def _link_asset(self, link: PaymentLink) -> Asset:
        raise NotImplementedError

    def _payment_draft(
        self, link: PaymentLink, amount: int, fee: FeeLevel | str, allow_high_fee: bool
    ) -> Draft:
        raise NotImplementedError

    def request(
        self,
        amount: Amount,
        label: str = "",
        message: str = "",
        expires_in: timedelta | int | None = None,
        *,
        token: str | None = None,
        fx: FxQuote | None = None,
    ) -> PaymentRequest:
        """Ask for a payment: store a request and return it with its link.

        On a UTXO account the request gets a fresh receive address, never given to another
        request (nor handed out before), and its label becomes the address's BIP-329 label.
        An EVM account has one address: its requests share it and are told apart by asset,
        time and amount (``wallet.requests.status``), so two open requests there never ask
        the same amount of the same asset (``AmbiguousRequest``).

        Args:
            amount: coins (``Decimal`` or text) or base units (``int``); with ``fx``, an
                amount of ``fx.currency`` (at most 2 decimals) converted at ``fx.rate``,
                rounded half up to the coin's base units; a float is refused.
            label: who asks (BIP-21 ``label``).
            message: what for (BIP-21 ``message``).
            expires_in: how long the request stands (a ``timedelta`` or seconds, at most a
                year); ``None`` for ever.
            token: an ERC-20 token's symbol or contract (EVM accounts).
            fx: the rate of a request made in a fiat currency (``w.prices`` gives one when
                the price service is there; any ``FxQuote`` otherwise).

        Raises:
            FloatAmountError, InvalidAmount, AmountPrecisionError: a bad amount, or a rate
                of another asset.
            WalletError: a bad expiry, label or message; on a UTXO account, as many unused
                addresses handed out as the gap limit (a restored wallet would not look
                further): wait for one to be paid.
            UnknownToken, InvalidToken: the token is unknown or no token contract.
            AmbiguousRequest: EVM: an open (unpaid or partly paid, unexpired) request
                already asks that amount of that asset.
        """
        return book.create(
            self._request_context(),
            amount,
            label=label,
            message=message,
            expires_in=expires_in,
            token=token,
            fx=fx,
        )

    def requests(
        self, status: RequestStatus | str | Sequence[RequestStatus | str] | None = None
    ) -> list[PaymentRequest]:
        """Return the account's payment requests, newest first, with their status now.

        Status comes from the last sync: unpaid, pending (enough paid, not all confirmed),
        partially paid (``missing`` says what is left), paid, overpaid (``excess``),
        expired, paid after expiry.

        Args:
            status: only requests of this status (or these), by value or name.

        Raises:
            WalletError: an unknown status name.
        """
        return book.list_requests(self._request_context(), status)

    def payment_request(self, request_id: int) -> PaymentRequest:
        """Return one of the account's requests by id, with its status now.

        Raises:
            RequestNotFound: the account has no such request.
        """
        return book.get(self._request_context(), request_id)

    def request_qr(self, request: PaymentRequest, png: bool = True) -> bytes | str:
        """Return a request's QR code: PNG bytes, or text drawn for a terminal (``png=False``).

        The code holds the link in its QR form (scheme and segwit address upper case).
        """
        text = qr_form(request.link)
        return qr_png(text) if png else qr_terminal(text)

    def refresh_requests(self) -> list[PaymentRequest]:
        """Store the requests' status after a sync; label what paid them (BIP-329).

        ``sync`` calls this; it returns the requests whose status changed.
        """
        return book.refresh(self._request_context())

    def prepare_payment(
        self,
        link: str | PaymentLink,
        amount: Amount | None = None,
        fee: FeeLevel | str = "normal",
        *,
        fiat_amount: Amount | None = None,
        fx: FxQuote | None = None,
        allow_expired: bool = False,
        allow_high_fee: bool = False,
    ) -> Payment:
        """Prepare paying a link: the draft ``prepare_send`` builds, with the link's words.

        Sign ``payment.draft`` with ``Wallet.sign`` and broadcast it with ``broadcast``.

        Args:
            link: a BIP-21/BIP-321 or EIP-681 link (text, or as ``parse_payment_link``
                returned it: it is read again against this account's network).
            amount: what to pay when the link names no amount (a different one is refused).
            fee: ``"slow"``, ``"normal"`` or ``"fast"``.
            fiat_amount: instead of ``amount``, an amount of ``fx.currency`` to convert.
            fx: the rate to convert ``fiat_amount`` at, or to show the amount's value at.
            allow_expired: pay a request that has expired (the caller asked the person).
            allow_high_fee: accept a fee above the caps.

        Raises:
            InvalidPaymentLink: not a payment link, or one Coffer cannot pay.
            UnsupportedRequirement: the link requires a parameter Coffer lacks (``req-``).
            NetworkMismatch: a link of another network or chain id (the error names it).
            InvalidAddress: a malformed address or a typo in it.
            InvalidAmount, AmountPrecisionError: a bad amount (negative, too precise, two
                different ones, none at all).
            RequestExpired: the request expired and ``allow_expired`` is not set.
            InvalidToken, UnknownToken: the link's token contract is not a token.
            InsufficientFunds, FeeTooHigh, BackendUnavailable: as ``prepare_send``.
        """
        text = link.text if isinstance(link, PaymentLink) else link
        parsed = parse_payment_link(text, self.network)
        if parsed.network != self.network.name:  # pragma: no cover - parse checks it
            raise NetworkMismatch(
                f"This link pays on {parsed.network}; the account is on {self.network.title}.",
                parsed.address,
                (parsed.network,),
                self.network.name,
            )
        asset = self._link_asset(parsed)
        plan = plan_payment(
            parsed,
            asset,
            int(self._request_context().clock()),
            amount=amount,
            fiat_amount=fiat_amount,
            fx=fx,
            allow_expired=allow_expired,
        )
        draft = self._payment_draft(parsed, plan.amount, fee, allow_high_fee)
        return Payment(
            draft=draft,
            link=parsed,
            label=parsed.label,
            message=parsed.message,
            amount=plan.amount,
            fx=plan.fx,
            fiat_amount=plan.fiat_amount,
            expired=plan.expired,
        )
