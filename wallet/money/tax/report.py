"""A tax year's realised gains, and the CSV files a person or a tax tool reads.

``tax_report`` runs the lot engine over every event up to the end of the tax year and keeps
the disposals inside it. Totals add up the complete disposals only; a disposal with an
unknown cost or unknown proceeds is listed in ``flagged`` (never counted as zero).

Two CSV shapes:

- ``report_csv``: Coffer's own, one row per lot a disposal used (date, asset, account, kind,
  quantity, proceeds, lot acquired, lot quantity, lot cost, gain, flags), amounts rounded to
  the base currency's minor unit (half up) only here.
- ``koinly_csv``: Koinly's "universal" import format (columns ``Date, Sent Amount, Sent
  Currency, Received Amount, Received Currency, Fee Amount, Fee Currency, Net Worth Amount,
  Net Worth Currency, Label, Description, TxHash``; dates ``YYYY-MM-DD HH:MM UTC``), one row
  per event. A transfer between own accounts is left out (Koinly would read a send to a
  wallet it does not know as a disposal); its fee is kept as a ``cost`` row.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal

from babel.numbers import get_currency_precision, is_currency

from wallet.errors import NoTaxData, UnknownCurrency
from wallet.money.tax.lots import (
    Acquire,
    Disposal,
    Dispose,
    Fee,
    Lot,
    Method,
    Pooling,
    TaxEvent,
    Transfer,
    run_lots,
)

__all__ = ["TaxReport", "check_currency", "koinly_csv", "money", "report_csv", "tax_report"]

REPORT_COLUMNS = (
    "date",
    "asset",
    "account",
    "kind",
    "quantity",
    "proceeds",
    "lot_acquired",
    "lot_quantity",
    "lot_cost",
    "cost",
    "gain",
    "flags",
    "txid",
)
KOINLY_COLUMNS = (
    "Date",
    "Sent Amount",
    "Sent Currency",
    "Received Amount",
    "Received Currency",
    "Fee Amount",
    "Fee Currency",
    "Net Worth Amount",
    "Net Worth Currency",
    "Label",
    "Description",
    "TxHash",
)


def check_currency(code: str) -> str:
    """Return an ISO 4217 code in upper case.

    Raises:
        UnknownCurrency: not an ISO 4217 currency code.
    """
    upper = code.strip().upper()
    if len(upper) != 3 or not upper.isascii() or not is_currency(upper):
        raise UnknownCurrency(f"{code!r} is not an ISO 4217 currency code (EUR, USD, JPY...).")
    return upper


def money(value: Decimal, currency: str) -> Decimal:
    """Round ``value`` to the minor unit of ``currency`` (2 for EUR, 0 for JPY), half up."""
    return value.quantize(Decimal(1).scaleb(-get_currency_precision(currency)), ROUND_HALF_UP)


@dataclass(frozen=True, slots=True)
class TaxReport:
    """Realised gains of one tax year.

    Attributes:
        year: the tax year (the year it starts in).
        start: its first day.
        end: the first day of the next tax year.
        method: FIFO, LIFO or HIFO.
        pooling: one pool, or one per account.
        base: the base currency (ISO 4217).
        disposals: every disposal inside the year, in time order.
        proceeds: the proceeds of the complete disposals.
        cost: their cost.
        gain: ``proceeds - cost``.
        flagged: the disposals with an unknown cost or proceeds (not in the totals).
        lots: the lots open at the end of the year.
        missing: every price that could not be found, with its reason.
    """

    year: int
    start: date
    end: date
    method: Method
    pooling: Pooling
    base: str
    disposals: tuple[Disposal, ...]
    proceeds: Decimal
    cost: Decimal
    gain: Decimal
    flagged: tuple[Disposal, ...]
    lots: tuple[Lot, ...]
    missing: tuple[str, ...] = ()


def _utc(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def tax_report(
    events: Sequence[TaxEvent],
    year: int,
    *,
    method: Method = Method.FIFO,
    pooling: Pooling = Pooling.UNIVERSAL,
    base: str = "EUR",
    year_start: tuple[int, int] = (1, 1),
    missing: Iterable[str] = (),
) -> TaxReport:
    """Compute the realised gains of the tax year ``year``.

    Args:
        events: every event of the wallet (earlier years give the lots).
        year: the tax year, named by the calendar year it starts in.
        method: which lots a disposal uses first.
        pooling: one pool per asset, or one per asset and account.
        base: the currency the events are valued in.
        year_start: the (month, day) a tax year starts on: (1, 1), or (4, 6) in the UK.
        missing: prices that could not be found, carried into the report.

    Raises:
        NoTaxData: nothing was acquired, disposed of or moved in that year.
        UnknownCurrency: ``base`` is not an ISO 4217 code.
    """
    base = check_currency(base)
    start = date(year, *year_start)
    end = date(year + 1, *year_start)
    lo, hi = _utc(start), _utc(end)
    if not any(lo <= e.when < hi for e in events):
        raise NoTaxData(
            f"There is nothing to report for the tax year {year}: no coins were acquired, "
            f"disposed of or moved from {start.isoformat()} to {end.isoformat()} (exclusive).",
            year,
        )
    result = run_lots([e for e in events if e.when < hi], method, pooling)
    inside = tuple(d for d in result.disposals if lo <= d.when)
    complete = [d for d in inside if d.gain is not None]
    proceeds = sum((d.proceeds for d in complete if d.proceeds is not None), Decimal(0))
    cost = sum((d.cost for d in complete if d.cost is not None), Decimal(0))
    return TaxReport(
        year=year,
        start=start,
        end=end,
        method=method,
        pooling=pooling,
        base=base,
        disposals=inside,
        proceeds=proceeds,
        cost=cost,
        gain=proceeds - cost,
        flagged=tuple(d for d in inside if d.gain is None),
        lots=result.lots,
        missing=tuple(missing),
    )


def _text(value: Decimal | None, currency: str | None = None) -> str:
    if value is None:
        return ""
    if currency is not None:
        value = money(value, currency)
    return format(value.normalize() if currency is None else value, "f")


def report_csv(report: TaxReport) -> str:
    """Return the report as CSV, one row per lot each disposal used (see the module)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(REPORT_COLUMNS)
    base = report.base
    for d in report.disposals:
        for index, use in enumerate(d.uses):
            first = index == 0
            writer.writerow(
                [
                    d.when.astimezone(UTC).isoformat(),
                    d.asset,
                    d.account,
                    d.kind,
                    _text(d.quantity) if first else "",
                    _text(d.proceeds, base) if first else "",
                    use.acquired.astimezone(UTC).isoformat() if use.acquired else "missing",
                    _text(use.quantity),
                    _text(use.cost, base),
                    _text(d.cost, base) if first else "",
                    _text(d.gain, base) if first else "",
                    "; ".join(d.flags) if first else "",
                    d.ref,
                ]
            )
    return out.getvalue()


def _koinly_currency(asset: str) -> str:
    return asset.split(":", 1)[0]


def koinly_csv(events: Iterable[TaxEvent], base: str) -> str:
    """Return the events in Koinly's universal CSV format (see the module).

    Raises:
        UnknownCurrency: ``base`` is not an ISO 4217 code.
    """
    base = check_currency(base)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(KOINLY_COLUMNS)
    for e in sorted(events, key=lambda e: e.when):
        when = e.when.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")
        currency = _koinly_currency(e.asset)
        if isinstance(e, Transfer):
            continue
        if isinstance(e, Acquire):
            row = [when, "", "", _text(e.quantity), currency, "", ""]
            worth, label = e.cost, ""
        elif isinstance(e, Dispose):
            row = [when, _text(e.quantity), currency, "", "", "", ""]
            worth, label = e.proceeds, ""
        else:
            assert isinstance(e, Fee)  # noqa: S101 - the four kinds are exhaustive
            row = [when, _text(e.quantity), currency, "", "", "", ""]
            worth, label = e.value, "cost"
        worth_text = _text(worth, base)
        row += [worth_text, base if worth_text else "", label, e.note, e.ref]
        writer.writerow(row)
    return out.getvalue()
