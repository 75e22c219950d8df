"""Tax events from the accounts' history, valued through a ``PriceLookup``.

The wallet hands over each account's history (``HistoryEntry`` values, coins and tokens
alike) with the account's name and its network's coin; nothing here reaches the wallet.

- Only confirmed transactions count (a failed EVM transaction still paid its fee: that fee
  counts). Pending, replaced and dropped ones moved nothing.
- A transaction seen by two of the wallet's accounts, going out of one and into the other, is
  a transfer between own accounts: the amount the other account received is a ``Transfer``,
  never a disposal. Whatever else went out (to someone else) is a ``Dispose``.
- The fee the account paid is a ``Fee`` in the network's coin (see ``lots`` for why).
- Collectibles (ERC-721/1155 items) are not fungible lots: they are left out.
- Every value is ``quantity * price`` of the day (UTC) in the base currency; a missing price
  leaves the value ``None`` and its reason in ``missing``.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from typing import Protocol

from wallet.errors import InvalidPriceTable
from wallet.money.tax.lots import Acquire, Dispose, Fee, TaxEvent, Transfer
from wallet.types import HistoryEntry, TxStatus

__all__ = [
    "AccountHistory",
    "HistoryEvents",
    "PriceLookup",
    "PriceQuote",
    "PriceTable",
    "apply_purchases",
    "asset_key",
    "events_from_history",
]


@dataclass(frozen=True, slots=True)
class PriceQuote:
    """A price of one unit of an asset on one day, or why there is none.

    Attributes:
        value: the price in the base currency, ``None`` when unknown.
        source: where it comes from (a provider, a file).
        reason: why it is missing (empty when found).
    """

    value: Decimal | None
    source: str
    reason: str = ""


class PriceLookup(Protocol):
    """Prices by asset, day and base currency (the prices service satisfies it)."""

    def price(self, asset: str, day: date, base: str) -> PriceQuote:
        """Return the price of one unit of ``asset`` on ``day`` in ``base``."""
        ...


@dataclass(frozen=True, slots=True)
class PriceTable:
    """Prices from a table (a CSV file ``date,asset,base,price``): for tests, demos, imports.

    Attributes:
        prices: (asset, day, base) -> price.
        source: the name shown as the prices' source.
    """

    prices: Mapping[tuple[str, date, str], Decimal]
    source: str = "price table"

    def price(self, asset: str, day: date, base: str) -> PriceQuote:
        """Return the table's price, or a quote saying it has none."""
        value = self.prices.get((asset, day, base.upper()))
        if value is None:
            return PriceQuote(
                None, self.source, f"no {base.upper()} price of {asset} on {day.isoformat()}"
            )
        return PriceQuote(value, self.source)

    @classmethod
    def from_csv(cls, text: str, source: str = "price table") -> PriceTable:
        """Read ``date,asset,base,price`` lines (a header line is allowed).

        Raises:
            InvalidPriceTable: a line with another number of fields, a date that is not
                YYYY-MM-DD, or a price that is not a decimal number above zero (the line
                and field are named).
        """
        prices: dict[tuple[str, date, str], Decimal] = {}
        for number, row in enumerate(csv.reader(io.StringIO(text)), start=1):
            if not row or (number == 1 and row[0].strip().lower() == "date"):
                continue
            if len(row) != 4:
                raise InvalidPriceTable(
                    f"Line {number}: expected 4 fields (date,asset,base,price), got {len(row)}."
                )
            day_text, asset, base, price_text = (cell.strip() for cell in row)
            try:
                day = date.fromisoformat(day_text)
            except ValueError as err:
                raise InvalidPriceTable(
                    f"Line {number}, field date: {day_text[:40]!r} is not YYYY-MM-DD."
                ) from err
            try:
                price = Decimal(price_text)
            except InvalidOperation as err:
                raise InvalidPriceTable(
                    f"Line {number}, field price: {price_text[:40]!r} is not a number."
                ) from err
            if not price.is_finite() or price <= 0:
                raise InvalidPriceTable(f"Line {number}, field price: must be above zero.")
            prices[(asset, day, base.upper())] = price
        return cls(prices, source)


@dataclass(frozen=True, slots=True)
class AccountHistory:
    """One account's history as the tax report reads it.

    Attributes:
        account: the account's name in the report (and its pool).
        coin: the network's coin symbol (fees are paid in it).
        coin_decimals: its decimal places.
        entries: the account's history.
    """

    account: str
    coin: str
    coin_decimals: int
    entries: Sequence[HistoryEntry]


@dataclass(frozen=True, slots=True)
class HistoryEvents:
    """Events from the history, and every price that could not be found."""

    events: tuple[TaxEvent, ...]
    missing: tuple[str, ...] = field(default=())


def asset_key(entry: HistoryEntry) -> str:
    """Return the asset's key: the coin's symbol, or ``SYMBOL:network:contract`` for a token."""
    if entry.token is None:
        return entry.symbol
    return f"{entry.symbol}:{entry.network}:{entry.token.lower()}"


def _units(amount: int, decimals: int) -> Decimal:
    return Decimal(amount).scaleb(-decimals)


@dataclass(slots=True)
class _Valuer:
    prices: PriceLookup
    base: str
    missing: list[str]

    def value(self, asset: str, quantity: Decimal, when: datetime) -> tuple[Decimal | None, str]:
        quote = self.prices.price(asset, when.astimezone(UTC).date(), self.base)
        if quote.value is None:
            self.missing.append(quote.reason or f"no price of {asset} on {when.date()}")
            return None, quote.reason
        return quantity * quote.value, quote.source


def events_from_history(
    histories: Sequence[AccountHistory], prices: PriceLookup, base: str
) -> HistoryEvents:
    """Turn the accounts' histories into tax events (see the module for the rules).

    Args:
        histories: every account's history.
        prices: where the day's prices come from.
        base: the base currency.

    Returns:
        The events, and the prices that were missing.
    """
    valuer = _Valuer(prices, base.upper(), [])
    by_tx: dict[tuple[str, str, str], list[tuple[AccountHistory, HistoryEntry]]] = defaultdict(list)
    for history in histories:
        for entry in history.entries:
            counted = entry.status is TxStatus.CONFIRMED or entry.status is TxStatus.FAILED
            if not counted or entry.token_id is not None or entry.timestamp is None:
                continue
            by_tx[(entry.network, entry.txid.lower(), asset_key(entry))].append((history, entry))

    # In block order: two blocks of one second keep their heights' order (the engine sorts
    # by time, stably).
    def position(seen: list[tuple[AccountHistory, HistoryEntry]]) -> tuple[int, int]:
        entry = seen[0][1]
        return (entry.timestamp or 0, entry.height if entry.height is not None else 2**62)

    events: list[TaxEvent] = []
    for (_network, txid, asset), seen in sorted(by_tx.items(), key=lambda kv: position(kv[1])):
        events.extend(_tx_events(txid, asset, seen, valuer))
    return HistoryEvents(tuple(events), tuple(dict.fromkeys(valuer.missing)))


def _tx_events(
    txid: str, asset: str, seen: list[tuple[AccountHistory, HistoryEntry]], valuer: _Valuer
) -> list[TaxEvent]:
    events: list[TaxEvent] = []
    incoming = {h.account: _units(e.amount, e.decimals) for h, e in seen if e.amount > 0}
    for history, entry in seen:
        if entry.amount >= 0 and not entry.fee:
            continue
        when = _when(entry)
        fee_paid = _units(entry.fee or 0, history.coin_decimals)
        on_coin = entry.token is None
        out = _units(-entry.amount, entry.decimals) - (fee_paid if on_coin else 0)
        if fee_paid > 0:
            value, note = valuer.value(history.coin, fee_paid, when)
            events.append(Fee(when, history.coin, fee_paid, value, history.account, txid, note))
        for account, left in incoming.items():
            if account == history.account or out <= 0 or left <= 0:
                continue
            moved = min(left, out)
            events.append(Transfer(when, asset, moved, history.account, account, txid))
            incoming[account] = left - moved
            out -= moved
        if out > 0:
            value, note = valuer.value(asset, out, when)
            events.append(Dispose(when, asset, out, value, history.account, txid, "send", note))
    for history, entry in seen:
        left = incoming.get(history.account, Decimal(0))
        if entry.amount <= 0 or left <= 0:
            continue  # nothing, or all of it came from another own account
        value, note = valuer.value(asset, left, _when(entry))
        events.append(
            Acquire(_when(entry), asset, left, value, history.account, txid, "receive", note)
        )
    return events


def _when(entry: HistoryEntry) -> datetime:
    assert entry.timestamp is not None  # noqa: S101 - entries without a time are left out
    return datetime.fromtimestamp(entry.timestamp, UTC)


def apply_purchases(
    events: Sequence[TaxEvent], purchases: Mapping[str, tuple[str, Decimal | None, str]], base: str
) -> list[TaxEvent]:
    """Mark receipts that were on-ramp purchases as buys, at the price paid when known.

    Args:
        events: the events.
        purchases: txid -> (provider, amount paid, currency paid).
        base: the report's currency: the amount paid is the cost when it is in this currency
            (else the market value stays).
    """
    out: list[TaxEvent] = []
    for e in events:
        bought = purchases.get(e.ref) if isinstance(e, Acquire) else None
        if isinstance(e, Acquire) and bought is not None:
            provider, paid, currency = bought
            if paid is not None and currency.upper() == base.upper():
                e = Acquire(
                    e.when,
                    e.asset,
                    e.quantity,
                    paid,
                    e.account,
                    e.ref,
                    "buy",
                    f"paid through {provider}",
                )
            else:
                e = Acquire(e.when, e.asset, e.quantity, e.cost, e.account, e.ref, "buy", e.note)
        out.append(e)
    return out
