"""The portfolio: every holding valued in one currency, its 24-hour change, allocation, net worth.

Holdings come from **holdings sources**, a small protocol (``HoldingsSource``): each returns
its rows (``Holding``: an account, an asset the price service can price, an amount) and the
dated changes of those amounts (``BalanceChange``), from which net worth over time is
computed. ``CryptoHoldings`` is the source of the wallet's coin and token accounts; fiat
accounts and loyalty points plug in as further sources (``Wallet.add_holdings_source``, or one
line in ``Wallet.__init__``), without changing this module:

```python
class FiatHoldings:                      # a sketch of another source
    name = "fiat"
    def holdings(self) -> list[Holding]:
        return [Holding(HoldingKind.FIAT, "Bank: checking", "EUR", "EUR", Decimal("1200.50"))]
    def changes(self) -> list[BalanceChange]:
        return [BalanceChange("Bank: checking", "EUR", date(2026, 6, 1), Decimal("-40.00"))]
```

A row whose amount or price is unknown is kept, marked unknown with the reason, and left out
of the total (never counted as zero); the portfolio says how many such rows there are. Each
row's value is rounded half-even to the base currency's minor unit first, so the total is
exactly the sum of the known rows.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Protocol

from wallet.accounts import Account, EvmAccount
from wallet.amounts import to_decimal
from wallet.errors import PriceUnavailable, WalletError
from wallet.money.prices.assets import PLATFORMS, coin_for_symbol
from wallet.money.prices.currencies import currency, quantize
from wallet.money.prices.service import MAX_BACKFILL_DAYS, PriceService
from wallet.money.prices.types import MissingDay, Quote
from wallet.types import TxStatus

__all__ = [
    "Allocation",
    "BalanceChange",
    "CryptoHoldings",
    "Holding",
    "HoldingKind",
    "HoldingsSource",
    "NetWorthPoint",
    "NetWorthSeries",
    "Portfolio",
    "PortfolioRow",
    "build_portfolio",
    "net_worth",
]


class HoldingKind(enum.Enum):
    """What sort of holding a row is (the allocation by kind groups by it)."""

    COIN = "coin"
    TOKEN = "token"  # noqa: S105 - a kind of holding, not a secret
    FIAT = "fiat"
    POINTS = "points"


@dataclass(frozen=True, slots=True)
class Holding:
    """One thing held, as a holdings source reports it.

    Attributes:
        kind: coin, token, fiat or points.
        account: where it is held, as a person reads it (``bitcoin #0``, ``Bank: checking``).
        asset: what the price service prices (``BTC``, ``ethereum:0x...``, ``EUR``); ``None``
            when it has no price (a test network's coin), with ``unknown_reason``.
        symbol: the ticker or currency shown.
        amount: how much, in whole units; ``None`` when unknown (never synced).
        unknown_reason: why the amount or the asset is unknown ("" when both are known).
        source: the holdings source's name.
        network: the registry name of a crypto holding's network (``None`` otherwise).
    """

    kind: HoldingKind
    account: str
    asset: str | None
    symbol: str
    amount: Decimal | None
    unknown_reason: str = ""
    source: str = "crypto"
    network: str | None = None


@dataclass(frozen=True, slots=True)
class BalanceChange:
    """A dated change of a holding's amount (for net worth over time).

    Attributes:
        account: the holding's ``account``.
        asset: the holding's ``asset``.
        day: the UTC day it happened.
        amount: the change in whole units (negative when it went out).
    """

    account: str
    asset: str
    day: date
    amount: Decimal


class HoldingsSource(Protocol):
    """A source of holdings for the portfolio: crypto accounts, fiat accounts, points."""

    @property
    def name(self) -> str:
        """Return the source's name (``crypto``, ``fiat``, ``points``)."""
        ...

    def holdings(self) -> Sequence[Holding]:
        """Return what is held now, one row per account and asset."""
        ...

    def changes(self) -> Sequence[BalanceChange]:
        """Return the dated changes of the holdings' amounts (any order)."""
        ...


@dataclass(frozen=True, slots=True)
class PortfolioRow:
    """One holding valued in the base currency.

    Attributes:
        holding: the holding.
        value: its value in the base currency, to the minor unit; ``None`` when unknown.
        price: the price of one unit in the base currency; ``None`` when unknown.
        change_24h: the price's change over 24 hours in percent, if known.
        source: where the price comes from (``coingecko``, ``coingecko+ecb``, ``sample``...).
        as_of: the price's time; ``age_s`` its age in seconds; ``offline`` whether it is
            the last known price because the provider could not be reached.
        unknown_reason: why ``value`` is unknown ("" when it is known).
    """

    holding: Holding
    value: Decimal | None
    price: Decimal | None = None
    change_24h: Decimal | None = None
    source: str = ""
    as_of: datetime | None = None
    age_s: int | None = None
    offline: bool = False
    unknown_reason: str = ""

    @property
    def known(self) -> bool:
        """Return whether the row has a value."""
        return self.value is not None


@dataclass(frozen=True, slots=True)
class Allocation:
    """A share of the portfolio's known value.

    Attributes:
        key: the asset's symbol, or the kind's name.
        value: the value in the base currency.
        share: percent of the known total, to two places.
    """

    key: str
    value: Decimal
    share: Decimal


@dataclass(frozen=True, slots=True)
class Portfolio:
    """Every holding valued in one currency (``Wallet.portfolio``).

    Attributes:
        base: the currency (ISO 4217).
        rows: one per holding, known or not.
        total: the sum of the known rows' values, exactly.
        unknown: how many rows have no value (left out of ``total``).
        change_24h: the change of the known value over 24 hours, in ``base`` (rows whose
            price has a 24-hour change).
        change_24h_pct: the same in percent of the value 24 hours ago, if any.
        by_asset: allocation per asset, largest first.
        by_kind: allocation per kind (coin, token, fiat, points), largest first.
    """

    base: str
    rows: tuple[PortfolioRow, ...]
    total: Decimal
    unknown: int
    change_24h: Decimal
    change_24h_pct: Decimal | None
    by_asset: tuple[Allocation, ...]
    by_kind: tuple[Allocation, ...]


@dataclass(frozen=True, slots=True)
class NetWorthPoint:
    """Net worth at the end of one day.

    Attributes:
        day: the day.
        value: the sum of what could be valued, in the base currency.
        complete: whether every holding of that day was valued.
        missing: the holdings left out that day: (symbol, reason).
    """

    day: date
    value: Decimal
    complete: bool
    missing: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class NetWorthSeries:
    """Net worth per day (``Wallet.net_worth``).

    Attributes:
        base: the currency.
        points: one per day, oldest first.
        errors: provider errors met while fetching the prices it needed.
    """

    base: str
    points: tuple[NetWorthPoint, ...]
    errors: tuple[str, ...] = ()


class CryptoHoldings:
    """The holdings source of the wallet's coin and token accounts (as of their last sync).

    Args:
        accounts: returns the wallet's accounts (``Wallet.accounts``).
    """

    name = "crypto"

    def __init__(self, accounts: Callable[[], Sequence[Account]]) -> None:
        """Read the accounts through ``accounts`` at each use."""
        self._accounts = accounts

    @staticmethod
    def _where(account: Account) -> str:
        label = f" {account.label}" if account.label else ""
        return f"{account.network.name} #{account.index}{label}"

    @staticmethod
    def _coin(
        where: str, asset: str | None, symbol: str, amount: Decimal | None, why: str, net: str
    ) -> Holding:
        return Holding(HoldingKind.COIN, where, asset, symbol, amount, why, "crypto", net)

    def holdings(self) -> list[Holding]:
        """Return each account's coin and (EVM) its tokens with a balance."""
        rows: list[Holding] = []
        for account in self._accounts():
            net = account.network
            where = self._where(account)
            balance = account.balance()
            coin = coin_for_symbol(net.symbol)
            if not balance.synced:
                rows.append(self._coin(where, None, net.symbol, None, "not synced", net.name))
                continue
            amount = to_decimal(balance.confirmed + balance.unconfirmed, balance.decimals)
            if net.is_testnet:
                reason = "a test network's coins have no market value"
                rows.append(self._coin(where, None, net.symbol, amount, reason, net.name))
            elif coin is None:
                reason = f"no price source for {net.symbol}"
                rows.append(self._coin(where, None, net.symbol, amount, reason, net.name))
            else:
                rows.append(self._coin(where, coin.key, net.symbol, amount, "", net.name))
            if isinstance(account, EvmAccount):
                rows += self._tokens(account, where)
        return rows

    @staticmethod
    def _tokens(account: EvmAccount, where: str) -> list[Holding]:
        rows = []
        net = account.network
        for token in account.token_balances():
            if token.token is None or token.confirmed + token.unconfirmed == 0:
                continue
            asset = f"{net.name}:{token.token}" if net.name in PLATFORMS else None
            amount = to_decimal(token.confirmed + token.unconfirmed, token.decimals)
            reason = ""
            if asset is None:
                reason = (
                    "a test network's tokens have no market value"
                    if net.is_testnet
                    else f"no price source for tokens on {net.name}"
                )
            rows.append(
                Holding(
                    HoldingKind.TOKEN,
                    where,
                    asset,
                    token.symbol,
                    amount,
                    reason,
                    "crypto",
                    net.name,
                )
            )
        return rows

    def changes(self) -> list[BalanceChange]:
        """Return each confirmed history entry as a dated change of its holding."""
        changes = []
        for account in self._accounts():
            net = account.network
            if net.is_testnet or not account.balance().synced:
                continue
            where = self._where(account)
            for entry in account.history():
                if entry.status is not TxStatus.CONFIRMED or entry.timestamp is None:
                    continue
                if entry.token is not None:
                    asset = f"{net.name}:{entry.token}"
                else:
                    coin = coin_for_symbol(net.symbol)
                    if coin is None:
                        continue
                    asset = coin.key
                day = datetime.fromtimestamp(entry.timestamp, UTC).date()
                changes.append(
                    BalanceChange(where, asset, day, to_decimal(entry.amount, entry.decimals))
                )
        return changes


def _share(value: Decimal, total: Decimal) -> Decimal:
    return (value * 100 / total).quantize(Decimal("0.01")) if total else Decimal(0)


def _allocation(groups: dict[str, Decimal], total: Decimal) -> tuple[Allocation, ...]:
    ordered = sorted(groups.items(), key=lambda kv: (-kv[1], kv[0]))
    return tuple(Allocation(key, value, _share(value, total)) for key, value in ordered)


def _asset_key(asset: str) -> str:
    """Return the price service's key of a holding's asset (tokens' contracts lower-cased)."""
    network, sep, contract = asset.partition(":")
    return f"token:{network.lower()}:{contract.lower()}" if sep else asset


def build_portfolio(
    sources: Iterable[HoldingsSource],
    prices: PriceService,
    base: str | None = None,
    *,
    refresh: bool = False,
    online: bool = True,
) -> Portfolio:
    """Value every holding of ``sources`` in ``base``.

    Raises:
        UnknownCurrency: ``base`` is not an ISO 4217 code.
    """
    code = currency(base).code if base is not None else prices.base_currency
    holdings = [h for source in sources for h in source.holdings()]
    wanted = sorted({h.asset for h in holdings if h.asset is not None and h.amount is not None})
    answers: dict[str, Quote | PriceUnavailable] = {}
    if wanted:
        try:
            answers = prices.current(wanted, code, refresh=refresh, online=online)
        except WalletError as err:  # an asset a source names that prices cannot resolve
            answers = {
                _asset_key(a): PriceUnavailable(str(err), a, code, "", str(err)) for a in wanted
            }
    rows = [_row(h, answers, code) for h in holdings]
    known = [r for r in rows if r.value is not None]
    total = sum((r.value for r in known if r.value is not None), Decimal(0))
    change = Decimal(0)
    before = Decimal(0)
    for r in known:
        assert r.value is not None  # noqa: S101 - known rows have a value
        if r.change_24h is not None and r.change_24h > -100:
            earlier = r.value * 100 / (100 + r.change_24h)
            change += r.value - earlier
            before += earlier
        else:
            before += r.value
    by_asset: dict[str, Decimal] = {}
    by_kind: dict[str, Decimal] = {}
    for r in known:
        assert r.value is not None  # noqa: S101 - known rows have a value
        by_asset[r.holding.symbol] = by_asset.get(r.holding.symbol, Decimal(0)) + r.value
        kind = r.holding.kind.value
        by_kind[kind] = by_kind.get(kind, Decimal(0)) + r.value
    return Portfolio(
        code,
        tuple(rows),
        total,
        len(rows) - len(known),
        quantize(change, code),
        (change * 100 / before).quantize(Decimal("0.01")) if before and change else None,
        _allocation(by_asset, total),
        _allocation(by_kind, total),
    )


def _row(h: Holding, answers: dict[str, Quote | PriceUnavailable], code: str) -> PortfolioRow:
    if h.amount is None or h.asset is None:
        return PortfolioRow(h, None, unknown_reason=h.unknown_reason or "unknown")
    answer = answers.get(_asset_key(h.asset))
    if answer is None:
        return PortfolioRow(h, None, unknown_reason="no price was asked for")
    if isinstance(answer, PriceUnavailable):
        return PortfolioRow(h, None, unknown_reason=answer.reason or str(answer))
    return PortfolioRow(
        h,
        quantize(h.amount * answer.rate, code),
        answer.rate,
        answer.change_24h,
        answer.source,
        answer.as_of,
        answer.age_s,
        answer.offline,
    )


def net_worth(
    sources: Iterable[HoldingsSource],
    prices: PriceService,
    start: date | None = None,
    end: date | None = None,
    base: str | None = None,
    *,
    online: bool = True,
) -> NetWorthSeries:
    """Return net worth at the end of each day from ``start`` to ``end`` (default: yesterday).

    ``start`` ``None`` is the day of the first recorded change (the wallet's whole history:
    the backfill fetches every daily close it needs, paced), or ``end`` when there is none.

    Each day's amounts are today's, less the changes after that day; each asset held that
    day is valued at that day's close (fetched and cached first when ``online``). A day
    whose close is missing is reported in the point's ``missing``, never filled.

    Raises:
        UnknownCurrency: ``base`` is not an ISO 4217 code.
        WalletError: a range that ends before it starts, or longer than 25 years.
    """
    code = currency(base).code if base is not None else prices.base_currency
    last = end if end is not None else prices.today() - timedelta(days=1)
    listed = list(sources)
    if start is None:
        start = min([*(c.day for s in listed for c in s.changes()), last])
    if last < start:
        raise WalletError(f"The range ends ({last}) before it starts ({start}).")
    if (last - start).days > MAX_BACKFILL_DAYS:
        raise WalletError(f"A range of at most {MAX_BACKFILL_DAYS} days, please.")
    holdings = [h for s in listed for h in s.holdings()]
    valued = [h for h in holdings if h.asset is not None and h.amount is not None]
    errors: tuple[str, ...] = ()
    assets = sorted({h.asset for h in valued if h.asset is not None})
    if online and assets:
        errors = prices.backfill(assets, start, last, code).errors
    unknown = tuple((h.symbol, h.unknown_reason) for h in holdings if h.amount is None)
    # Per holding: its amount now, and the net change on each day (to step back in time).
    amounts: dict[tuple[str, str], Decimal] = {}
    names: dict[tuple[str, str], tuple[str, str]] = {}
    for h in valued:
        key = (h.account, _asset_key(h.asset or ""))
        amounts[key] = amounts.get(key, Decimal(0)) + (h.amount or Decimal(0))
        names[key] = (h.asset or "", h.symbol)
    per_day: dict[tuple[str, str], dict[date, Decimal]] = {}
    for s in listed:
        for c in s.changes():
            key = (c.account, _asset_key(c.asset))
            if key in amounts:
                days = per_day.setdefault(key, {})
                days[c.day] = days.get(c.day, Decimal(0)) + c.amount
    for key, days in per_day.items():  # undo the changes after the last day shown
        amounts[key] -= sum((v for d, v in days.items() if d > last), Decimal(0))
    points = []
    day = last
    while day >= start:
        value = Decimal(0)
        missing = list(unknown)
        for key, amount in amounts.items():
            if amount == 0:
                continue
            asset, symbol = names[key]
            close = prices.cached_close(asset, day, code)
            if isinstance(close, MissingDay):
                missing.append((symbol, close.reason))
            else:
                value += quantize(amount * close.rate, code)
        points.append(NetWorthPoint(day, value, not missing, tuple(missing)))
        for key, days in per_day.items():  # step back a day: undo that day's changes
            amounts[key] -= days.get(day, Decimal(0))
        day -= timedelta(days=1)
    return NetWorthSeries(code, tuple(reversed(points)), errors)
