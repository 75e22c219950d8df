"""What the money features read of the open wallet: the accounts' history, addresses, labels.

``WalletMoney`` is built once by the ``Wallet`` with callables returning its accounts; it
builds ``Budgets`` and ``OnRamp`` and computes tax events and reports. It reads the accounts
through their public methods only (history, coins, receive address) and never the wallet.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime
from decimal import Decimal

from wallet.accounts import Account, UtxoAccount
from wallet.errors import InvalidTaxMethod, PriceProviderError, PriceUnavailable, UnknownAsset
from wallet.labels import LabelStore
from wallet.money.budgets import SpendingLine, lines_from_history
from wallet.money.onramp import Arrival, OnRamp, ReceiveTarget
from wallet.money.prices import PriceService
from wallet.money.spending import Budgets
from wallet.money.tax.history import (
    AccountHistory,
    HistoryEvents,
    PriceLookup,
    PriceQuote,
    PriceTable,
    apply_purchases,
    events_from_history,
)
from wallet.money.tax.lots import Method, Pooling
from wallet.money.tax.report import TaxReport, check_currency, tax_report
from wallet.money.tax.store import MoneyStore, PurchaseRow
from wallet.storage import WalletDatabase
from wallet.storage.settings import SettingsStore
from wallet.types import TxStatus

__all__ = ["ServicePrices", "WalletMoney", "account_name", "now"]


def account_name(account: Account) -> str:
    """Return the account's name in reports: ``network#index`` and its kind."""
    return f"{account.network.name}#{account.index}:{account.kind}"


def _method(method: str | Method) -> Method:
    if isinstance(method, Method):
        return method
    try:
        return Method(method.strip().lower())
    except ValueError as err:
        raise InvalidTaxMethod(
            f"No lot method is called {method[:20]!r} (fifo, lifo, hifo)."
        ) from err


def _pooling(pooling: str | Pooling) -> Pooling:
    if isinstance(pooling, Pooling):
        return pooling
    try:
        return Pooling(pooling.strip().lower())
    except ValueError as err:
        raise InvalidTaxMethod(
            f"No pooling is called {pooling[:20]!r} (universal, per-account)."
        ) from err


class ServicePrices:
    """The wallet's price service as a ``PriceLookup``: the daily close of the day.

    Asset keys are the history's: a coin's ticker, or ``SYMBOL:network:contract`` for a token
    (asked as ``network:contract``); ``points:...`` and other names the service does not know
    have no price (listed, not zero). A provider that fails once is not asked again for the
    rest of this lookup's life: what the cache holds still answers, and every other day is
    listed as missing with the reason, instead of retrying with backoff for each day.
    """

    def __init__(self, service: PriceService, *, online: bool = True) -> None:
        """Wrap the service; ``online=False`` answers from the cache alone."""
        self._service = service
        self._online = online
        self._failed: set[str] = set()

    def __repr__(self) -> str:
        return "<ServicePrices>"

    def price(self, asset: str, day: date, base: str) -> PriceQuote:
        """Return the asset's daily close in ``base``, or why there is none."""
        parts = asset.split(":")
        key = f"{parts[1]}:{parts[2]}" if len(parts) == 3 else asset
        online = self._online and key not in self._failed
        try:
            quote = self._service.quote(key, base, day, online=online)
        except PriceProviderError as err:
            self._failed.add(key)
            return PriceQuote(None, "prices", f"{asset} on {day.isoformat()}: {err}")
        except (PriceUnavailable, UnknownAsset) as err:
            return PriceQuote(None, "prices", f"{asset} on {day.isoformat()}: {err}")
        return PriceQuote(quote.rate, quote.source)


class WalletMoney:
    """Budgets, on-ramps and tax reports of one open wallet."""

    def __init__(
        self,
        database: WalletDatabase,
        labels: LabelStore,
        accounts: Callable[[], list[Account]],
        account: Callable[[str], Account],
        clock: Callable[[], int],
        prices: PriceService,
    ) -> None:
        """Bind to the database, the labels, the wallet's account look-ups and prices."""
        self._store = MoneyStore(database)
        self._labels = labels
        self._accounts = accounts
        self._account = account
        self.prices = prices
        self.budgets = Budgets(
            self._store,
            [self._chain_lines],
            self._address_book,
            lambda: ServicePrices(prices),
            lambda: datetime.fromtimestamp(clock(), UTC).date(),
        )
        self.onramp = OnRamp(
            SettingsStore(database), self._store, self._receive, self._arrivals, clock
        )

    # -- budgets ----------------------------------------------------------------------------

    def _chain_lines(self) -> list[SpendingLine]:
        return [
            line
            for account in self._accounts()
            for line in lines_from_history(account_name(account), account.history())
        ]

    def _address_book(self) -> dict[str, str]:
        return {
            label.ref: label.label
            for label in self._labels.all()
            if label.type == "addr" and label.label
        }

    # -- on-ramp ----------------------------------------------------------------------------

    def _receive(self, network: str) -> ReceiveTarget:
        account = self._account(network)
        return ReceiveTarget(
            account.id, account.receive_address(), account.network.name, account.network.symbol
        )

    def _arrivals(self, pending: Sequence[PurchaseRow]) -> list[Arrival]:
        wanted = {p.account_id for p in pending}
        out: list[Arrival] = []
        for account in self._accounts():
            if account.id not in wanted:
                continue
            times = {
                e.txid: e.timestamp
                for e in account.history()
                if e.status is TxStatus.CONFIRMED and e.timestamp is not None and e.amount > 0
            }
            decimals = account.network.decimals
            if isinstance(account, UtxoAccount):
                # Matched on the address paid: the coins still unspent at it (a purchase
                # spent before the first sync after it arrived is not found; see README).
                for coin in account.coins():
                    txid = coin.outpoint.split(":")[0]
                    if txid in times:
                        amount = Decimal(coin.value).scaleb(-decimals)
                        out.append(
                            Arrival(account.id, coin.address, txid, amount, int(times[txid] or 0))
                        )
            else:
                address = account.receive_address()
                for e in account.history():
                    if e.txid in times and e.token is None and e.token_id is None:
                        amount = Decimal(e.amount).scaleb(-e.decimals)
                        out.append(
                            Arrival(account.id, address, e.txid, amount, int(times[e.txid] or 0))
                        )
        return out

    # -- tax --------------------------------------------------------------------------------

    def tax_events(self, prices: PriceLookup | None = None, base: str = "EUR") -> HistoryEvents:
        """Return every account's tax events, valued in ``base`` (purchases as buys)."""
        base = check_currency(base)
        prices = prices or ServicePrices(self.prices)
        histories = [
            AccountHistory(account_name(a), a.network.symbol, a.network.decimals, a.history())
            for a in self._accounts()
        ]
        found = events_from_history(histories, prices, base)
        bought = {
            p.txid: (p.provider, p.fiat_amount, p.fiat_currency)
            for p in self._store.purchases()
            if p.txid is not None
        }
        return HistoryEvents(tuple(apply_purchases(found.events, bought, base)), found.missing)

    def tax_report(
        self,
        year: int,
        prices: PriceLookup | None = None,
        *,
        method: str | Method = "fifo",
        pooling: str | Pooling = "universal",
        base: str = "EUR",
        year_start: tuple[int, int] = (1, 1),
    ) -> TaxReport:
        """Return the realised gains of a tax year (``Wallet.tax_report``)."""
        chosen, pools = _method(method), _pooling(pooling)
        # A year with nothing in it is refused before any price is asked for (and cached).
        unpriced = self.tax_events(PriceTable({}, "none"), base).events
        tax_report(unpriced, year, method=chosen, pooling=pools, base=base, year_start=year_start)
        found = self.tax_events(prices, base)
        return tax_report(
            found.events,
            year,
            method=chosen,
            pooling=pools,
            base=base,
            year_start=year_start,
            missing=found.missing,
        )


def now() -> int:
    """Return the time now in Unix seconds (the wallet's clock for purchases)."""
    return int(datetime.now(UTC).timestamp())
