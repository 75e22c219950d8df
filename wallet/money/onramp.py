"""Buying coins through an on-ramp provider's widget, and recording the purchase on arrival.

The flow: ``OnRamp.buy`` takes a fresh receive address of the account, records a pending
purchase, and returns the provider's widget URL, signed as the provider documents it; the
front opens it in the browser. After a sync, ``OnRamp.check`` matches the pending purchases
to the transactions that paid their addresses and records them as purchases (the tax report
then counts them as buys).

**MoonPay** (https://dev.moonpay.com, "URL signing"): the widget is
``https://buy.moonpay.com?apiKey=...&currencyCode=btc&walletAddress=...``; a URL carrying a
wallet address must end with ``&signature=``, the Base64 of HMAC-SHA256 over the URL's query
string *with* its leading ``?`` (``new URL(url).search``), keyed with the secret key, with
every query value URL-encoded before signing and the signature URL-encoded after. Testnets
use the sandbox host. Other providers (Transak, Ramp) are not built: their widget URLs are
not signed this way.

**Selling** (MoonPay's off-ramp, "Off-ramp widget parameters"): ``OnRamp.sell`` builds
``https://sell.moonpay.com?apiKey=...&baseCurrencyCode=btc&quoteCurrencyCode=eur
&refundWalletAddress=...``, signed the same way (a refund address makes the signature
mandatory), with a fresh receive address of the account as the refund address. The widget
then shows MoonPay's deposit address; the coins go there with an ordinary ``send``, which the
tax report counts as a disposal at the day's market value. Nothing is stored for a sale.

The keys are settings, stored inside the encrypted wallet file (``onramp:<provider>:...``).
Neither key is ever logged, put in an error, or shown by ``repr``; the secret never leaves
this module except inside the signature.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum
from urllib.parse import quote, urlencode

from wallet.errors import InvalidAmount, OnRampKeyMissing, UnknownProvider, Unsupported
from wallet.money.tax.report import check_currency
from wallet.money.tax.store import MoneyStore, PurchaseRow
from wallet.storage.settings import SettingsStore

__all__ = [
    "Arrival",
    "OnRamp",
    "Provider",
    "ProviderKeys",
    "PurchaseLink",
    "ReceiveTarget",
    "SaleLink",
    "match_purchases",
    "moonpay_sell_url",
    "moonpay_url",
    "provider_named",
]

_MOONPAY_HOSTS = ("https://buy.moonpay.com", "https://buy-sandbox.moonpay.com")
_MOONPAY_SELL_HOSTS = ("https://sell.moonpay.com", "https://sell-sandbox.moonpay.com")
# MoonPay's currency codes of the coins of Coffer's networks; testnets use the sandbox.
_MOONPAY_CODES = {
    "bitcoin": ("btc", False),
    "bitcoin-testnet": ("btc", True),
    "litecoin": ("ltc", False),
    "dogecoin": ("doge", False),
    "ethereum": ("eth", False),
    "sepolia": ("eth", True),
    # The sandbox pays testnet coins, never regtest: on regtest the URL is built so that the
    # whole flow can be tried, and the coins come from one's own devnet.
    "bitcoin-regtest": ("btc", True),
}
# A block's time may be a little before the clock of the machine that opened the widget.
_SLACK_S = 2 * 3600


class Provider(Enum):
    """The on-ramp providers Coffer builds widget URLs for."""

    MOONPAY = "moonpay"


def provider_named(name: str) -> Provider:
    """Return the provider of a name (any case).

    Raises:
        UnknownProvider: no such provider.
    """
    try:
        return Provider(name.strip().lower())
    except ValueError as err:
        names = ", ".join(p.value for p in Provider)
        raise UnknownProvider(
            f"No on-ramp provider is called {name[:40]!r} (known: {names})."
        ) from err


@dataclass(frozen=True, slots=True)
class ProviderKeys:
    """A provider's publishable key and secret key (the secret never shown by ``repr``)."""

    api_key: str
    secret: str = field(repr=False)


@dataclass(frozen=True, slots=True)
class ReceiveTarget:
    """Where a purchase is to arrive: the account, its fresh address, its network and coin."""

    account_id: int
    address: str
    network: str
    asset: str


@dataclass(frozen=True, slots=True)
class PurchaseLink:
    """A purchase opened: its number, where it will arrive, and the signed widget URL."""

    purchase_id: int
    url: str
    target: ReceiveTarget
    provider: Provider


@dataclass(frozen=True, slots=True)
class SaleLink:
    """A sale opened: the refund address (a fresh receive address) and the signed widget URL."""

    url: str
    target: ReceiveTarget
    provider: Provider


@dataclass(frozen=True, slots=True)
class Arrival:
    """Coins that came into an account at one of its addresses.

    Attributes:
        account_id: the account.
        address: the address paid.
        txid: the transaction.
        amount: the coins received.
        timestamp: the block time (Unix seconds).
    """

    account_id: int
    address: str
    txid: str
    amount: Decimal
    timestamp: int


def moonpay_url(
    keys: ProviderKeys,
    currency_code: str,
    address: str,
    fiat_currency: str,
    *,
    fiat_amount: Decimal | None = None,
    external_id: str | None = None,
    sandbox: bool = False,
) -> str:
    """Return MoonPay's buy widget URL, signed (see the module for the recipe).

    Args:
        keys: the publishable and secret keys.
        currency_code: MoonPay's code of the coin (``btc``, ``eth``).
        address: the address the coins go to.
        fiat_currency: the currency paid with (ISO 4217).
        fiat_amount: the amount to pay, if chosen here.
        external_id: our purchase number, echoed back by MoonPay.
        sandbox: use the sandbox host (testnets).
    """
    params = [
        ("apiKey", keys.api_key),
        ("currencyCode", currency_code),
        ("walletAddress", address),
        ("baseCurrencyCode", fiat_currency.lower()),
    ]
    if fiat_amount is not None:
        params.append(("baseCurrencyAmount", format(fiat_amount, "f")))
    if external_id is not None:
        params.append(("externalTransactionId", external_id))
    return _moonpay_signed(_MOONPAY_HOSTS[sandbox], params, keys)


def moonpay_sell_url(
    keys: ProviderKeys,
    currency_code: str,
    refund_address: str,
    fiat_currency: str,
    *,
    coin_amount: Decimal | None = None,
    sandbox: bool = False,
) -> str:
    """Return MoonPay's sell (off-ramp) widget URL, signed (see the module for the recipe).

    Args:
        keys: the publishable and secret keys.
        currency_code: MoonPay's code of the coin sold (``btc``, ``eth``).
        refund_address: where MoonPay returns the coins if the sale fails.
        fiat_currency: the currency paid out (ISO 4217).
        coin_amount: the coins to sell, if chosen here.
        sandbox: use the sandbox host (testnets).
    """
    params = [
        ("apiKey", keys.api_key),
        ("baseCurrencyCode", currency_code),
        ("quoteCurrencyCode", fiat_currency.lower()),
        ("refundWalletAddress", refund_address),
    ]
    if coin_amount is not None:
        params.append(("baseCurrencyAmount", format(coin_amount, "f")))
    return _moonpay_signed(_MOONPAY_SELL_HOSTS[sandbox], params, keys)


def _moonpay_signed(host: str, params: list[tuple[str, str]], keys: ProviderKeys) -> str:
    """``host?query&signature=...``: Base64 HMAC-SHA256 of ``?query``, URL-encoded."""
    search = "?" + urlencode(params, quote_via=quote, safe="")
    digest = hmac.new(keys.secret.encode(), search.encode(), hashlib.sha256).digest()
    signature = quote(base64.b64encode(digest).decode("ascii"), safe="")
    return f"{host}{search}&signature={signature}"


def match_purchases(
    pending: Sequence[PurchaseRow], arrivals: Sequence[Arrival]
) -> list[tuple[PurchaseRow, Arrival]]:
    """Pair each pending purchase with the first arrival at its address after it was opened.

    An arrival pays one purchase at most; an arrival older than the purchase (by more than
    two hours of clock slack) is someone else's payment.
    """
    used: set[str] = set()
    pairs: list[tuple[PurchaseRow, Arrival]] = []
    ordered = sorted(arrivals, key=lambda a: (a.timestamp, a.txid))
    for purchase in sorted(pending, key=lambda p: p.id):
        for arrival in ordered:
            same = arrival.account_id == purchase.account_id and (
                arrival.address.lower() == purchase.address.lower()
            )
            if (
                same
                and arrival.txid not in used
                and arrival.timestamp >= purchase.created_at - _SLACK_S
            ):
                used.add(arrival.txid)
                pairs.append((purchase, arrival))
                break
    return pairs


class OnRamp:
    """On-ramp purchases of an open wallet (``Wallet.onramp``)."""

    def __init__(
        self,
        settings: SettingsStore,
        store: MoneyStore,
        receive: Callable[[str], ReceiveTarget],
        arrivals: Callable[[Sequence[PurchaseRow]], list[Arrival]],
        clock: Callable[[], int],
    ) -> None:
        """Bind to the settings, the store, and the wallet's receive and history callables."""
        self._settings = settings
        self._store = store
        self._receive = receive
        self._arrivals = arrivals
        self._clock = clock

    def __repr__(self) -> str:
        return "<OnRamp>"

    def set_keys(self, provider: str, api_key: str | None, secret: str | None = None) -> None:
        """Store (or with ``None`` clear) a provider's publishable and secret keys.

        Raises:
            UnknownProvider: no such provider.
            OnRampKeyMissing: a key that is empty or not one printable word, or a secret
                missing while the publishable key is given.
        """
        name = provider_named(provider).value
        if api_key is None:
            self._settings.clear(f"onramp:{name}:api_key")
            self._settings.clear(f"onramp:{name}:secret")
            return
        for what, key in (("publishable key", api_key), ("secret key", secret or "")):
            if not key or not key.isprintable() or any(c.isspace() for c in key) or len(key) > 200:
                raise OnRampKeyMissing(f"The {name} {what} must be one printable word.")
        self._settings.set(f"onramp:{name}:api_key", api_key)
        self._settings.set(f"onramp:{name}:secret", secret or "")

    def keys_set(self, provider: str) -> bool:
        """Return whether a provider's keys are set (never the keys).

        Raises:
            UnknownProvider: no such provider.
        """
        name = provider_named(provider).value
        return bool(self._settings.get(f"onramp:{name}:api_key"))

    def _keys(self, provider: Provider) -> ProviderKeys:
        api_key = self._settings.get(f"onramp:{provider.value}:api_key")
        secret = self._settings.get(f"onramp:{provider.value}:secret")
        if not api_key or not secret:
            raise OnRampKeyMissing(
                f"Set the {provider.value} keys first (coffer buy keys {provider.value})."
            )
        return ProviderKeys(api_key, secret)

    def _widget(
        self,
        provider: str,
        network: str,
        fiat_currency: str,
        amount: Decimal | None,
        amount_verb: str,
        provider_verb: str,
    ) -> tuple[Provider, ProviderKeys, str, tuple[str, bool], ReceiveTarget]:
        """Check what a buy or a sell widget needs, in the order the person reads the errors.

        Returns the provider, its keys, the currency, the provider's coin code and the
        wallet's fresh receive address.
        """
        chosen = provider_named(provider)
        keys = self._keys(chosen)
        fiat = check_currency(fiat_currency)
        if amount is not None and (not amount.is_finite() or amount <= 0):
            raise InvalidAmount(f"The amount to {amount_verb} must be above zero.")
        code = _MOONPAY_CODES.get(network)
        if code is None:
            raise Unsupported(f"{chosen.value} does not {provider_verb} the coin of {network}.")
        return chosen, keys, fiat, code, self._receive(network)

    def buy(
        self,
        provider: str,
        network: str,
        fiat_currency: str = "EUR",
        amount: Decimal | None = None,
    ) -> PurchaseLink:
        """Open a purchase: a fresh receive address, a pending record, a signed widget URL.

        Args:
            provider: ``moonpay``.
            network: the network of the coin to buy (``bitcoin``, ``ethereum``).
            fiat_currency: the currency to pay with.
            amount: the amount to pay, if chosen here (else in the widget).

        Raises:
            UnknownProvider: no such provider.
            OnRampKeyMissing: the provider's keys are not set.
            UnknownCurrency: not an ISO 4217 code.
            InvalidAmount: an amount that is not above zero.
            Unsupported: the provider does not sell that network's coin.
            UnknownNetwork: no such network.
        """
        chosen, keys, fiat, code, target = self._widget(
            provider, network, fiat_currency, amount, "pay", "sell"
        )
        purchase_id = self._store.add_purchase(
            chosen.value,
            target.account_id,
            target.address,
            target.asset,
            fiat,
            amount,
            self._clock(),
        )
        url = moonpay_url(
            keys,
            code[0],
            target.address,
            fiat,
            fiat_amount=amount,
            external_id=f"coffer-{purchase_id}",
            sandbox=code[1],
        )
        return PurchaseLink(purchase_id, url, target, chosen)

    def sell(
        self,
        provider: str,
        network: str,
        fiat_currency: str = "EUR",
        amount: Decimal | None = None,
    ) -> SaleLink:
        """Open a sale: the provider's signed sell widget, a fresh receive address for refunds.

        The widget names the provider's deposit address; the coins go there with a ``send``
        (a disposal in the tax report). Nothing is stored.

        Args:
            provider: ``moonpay``.
            network: the network of the coin to sell (``bitcoin``, ``ethereum``).
            fiat_currency: the currency to be paid out in.
            amount: the coins to sell, if chosen here (else in the widget).

        Raises:
            UnknownProvider: no such provider.
            OnRampKeyMissing: the provider's keys are not set.
            UnknownCurrency: not an ISO 4217 code.
            InvalidAmount: an amount that is not above zero.
            Unsupported: the provider does not buy that network's coin.
            UnknownNetwork: no such network.
        """
        chosen, keys, fiat, code, target = self._widget(
            provider, network, fiat_currency, amount, "sell", "buy"
        )
        url = moonpay_sell_url(
            keys, code[0], target.address, fiat, coin_amount=amount, sandbox=code[1]
        )
        return SaleLink(url, target, chosen)

    def purchases(self) -> list[PurchaseRow]:
        """Return every purchase, pending or received, oldest first."""
        return self._store.purchases()

    def check(self) -> list[PurchaseRow]:
        """Match pending purchases to the coins that arrived (run it after a sync).

        Returns:
            The purchases matched now, with their transaction.
        """
        pending = self._store.purchases(pending_only=True)
        if not pending:
            return []
        for purchase, arrival in match_purchases(pending, self._arrivals(pending)):
            self._store.mark_received(purchase.id, arrival.txid, arrival.amount, arrival.timestamp)
        matched = {p.id for p in pending}
        return [p for p in self._store.purchases() if p.id in matched and p.txid is not None]
