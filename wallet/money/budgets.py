"""Spending categories, monthly budgets with rollover, and a spending report in any currency.

Pure: values in, values out; the wallet keeps the categories and budgets in its file
(``wallet.money.tax.store``) and hands the lines over.

- **Lines.** A ``SpendingLine`` is one payment or income, in its own currency: a coin
  (``BTC``), a fiat currency (``EUR``), or a points programme (``points:Miles``). Chain
  history gives them here (``lines_from_history``); fiat statements and points give them
  through the same value (an adapter on the fiat side builds them from its lines).
- **Categories** are checked in order; the first whose rule matches takes the line. Rules:
  ``counterparty`` (the counterparty, whole, any case), ``label`` (one of the line's labels,
  whole, any case), ``address-book`` (the counterparty's name in the address book, that is
  its address label, whole, any case), ``text`` (a part of the payee text, any case).
- **Exact to the minor unit.** Each line is converted once (``amount * price of the day``)
  and rounded half up to the base currency's minor unit; every total is a sum of those, so a
  report's totals are exactly the sums of the lines it shows. A line without a price is
  never counted as zero: it is listed in ``missing``.
- **Rollover.** A budget with rollover carries what was left (or, negative, what was
  overspent) into the next month, from the month the budget starts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from enum import Enum

from wallet.errors import InvalidAmount, InvalidCategoryRule
from wallet.money.tax.history import PriceLookup
from wallet.money.tax.report import check_currency, money
from wallet.types import HistoryEntry, TxStatus

__all__ = [
    "UNCATEGORISED",
    "Budget",
    "BudgetMonth",
    "Category",
    "CategoryRule",
    "RuleKind",
    "SpendingLine",
    "SpendingReport",
    "ValuedLine",
    "categorise",
    "lines_from_history",
    "spending_report",
    "value_lines",
]

UNCATEGORISED = "uncategorised"


@dataclass(frozen=True, slots=True)
class SpendingLine:
    """One payment (negative) or income (positive) in its own currency.

    Attributes:
        day: the day it happened.
        amount: the amount, negative when spent.
        currency: an ISO 4217 code, a coin symbol, or ``points:PROGRAMME``.
        counterparty: the other side (an address, a payee's account or name).
        text: the payee text or memo.
        labels: the user's labels on it.
        source: where it comes from (``bitcoin#0``, ``fiat:Checking``).
        ref: its id there (a txid, a statement line's id).
    """

    day: date
    amount: Decimal
    currency: str
    counterparty: str = ""
    text: str = ""
    labels: tuple[str, ...] = ()
    source: str = ""
    ref: str = ""


class RuleKind(Enum):
    """What a category rule looks at."""

    COUNTERPARTY = "counterparty"
    LABEL = "label"
    ADDRESS_BOOK = "address-book"
    TEXT = "text"


@dataclass(frozen=True, slots=True)
class CategoryRule:
    """One rule: a kind and the text it looks for."""

    kind: RuleKind
    pattern: str

    def matches(self, line: SpendingLine, address_book: Mapping[str, str]) -> bool:
        """Return whether the line matches (see the module for each kind)."""
        want = self.pattern.casefold()
        if self.kind is RuleKind.COUNTERPARTY:
            return line.counterparty.casefold() == want
        if self.kind is RuleKind.LABEL:
            return any(label.casefold() == want for label in line.labels)
        if self.kind is RuleKind.ADDRESS_BOOK:
            return address_book.get(line.counterparty, "").casefold() == want
        return want in line.text.casefold()


@dataclass(frozen=True, slots=True)
class Category:
    """A spending category and its rules (any one matching is enough)."""

    name: str
    rules: tuple[CategoryRule, ...] = ()

    def __post_init__(self) -> None:
        """Refuse an empty name.

        Raises:
            InvalidCategoryRule: an empty name or an empty pattern.
        """
        if not self.name.strip():
            raise InvalidCategoryRule("A category needs a name.")
        if any(not rule.pattern.strip() for rule in self.rules):
            raise InvalidCategoryRule(f"A rule of {self.name!r} has nothing to look for.")


@dataclass(frozen=True, slots=True)
class Budget:
    """A monthly budget of one category in the base currency.

    Attributes:
        category: the category's name.
        amount: the amount per month.
        currency: the base currency it is in.
        rollover: whether what is left (or overspent) carries into the next month.
        since: the first month it applies to (the 1st of that month).
    """

    category: str
    amount: Decimal
    currency: str
    rollover: bool = False
    since: date = date(1970, 1, 1)


@dataclass(frozen=True, slots=True)
class ValuedLine:
    """A line with its category and its value in the base currency (``None`` if unknown)."""

    line: SpendingLine
    category: str
    value: Decimal | None


@dataclass(frozen=True, slots=True)
class BudgetMonth:
    """One category in one month.

    Attributes:
        month: the 1st of the month.
        category: the category.
        spent: what went out (positive), in the base currency.
        income: what came in.
        budget: the month's budget, ``None`` without one.
        carried: what the previous month carried in (rollover), else 0.
        left: ``budget + carried - spent`` (``None`` without a budget).
    """

    month: date
    category: str
    spent: Decimal
    income: Decimal
    budget: Decimal | None
    carried: Decimal
    left: Decimal | None


@dataclass(frozen=True, slots=True)
class SpendingReport:
    """Spending per month and category in one currency, and what could not be valued."""

    base: str
    months: tuple[BudgetMonth, ...]
    lines: tuple[ValuedLine, ...]
    missing: tuple[str, ...]

    def total_spent(self) -> Decimal:
        """Return everything spent over the report's months."""
        return sum((m.spent for m in self.months), Decimal(0))


def categorise(
    line: SpendingLine, categories: Sequence[Category], address_book: Mapping[str, str]
) -> str:
    """Return the name of the first category whose rules match, or ``uncategorised``."""
    for category in categories:
        if any(rule.matches(line, address_book) for rule in category.rules):
            return category.name
    return UNCATEGORISED


def value_lines(
    lines: Iterable[SpendingLine],
    base: str,
    prices: PriceLookup,
    categories: Sequence[Category] = (),
    address_book: Mapping[str, str] | None = None,
) -> tuple[list[ValuedLine], list[str]]:
    """Categorise every line and value it in ``base``, rounded to its minor unit.

    Returns:
        The valued lines, and the reasons of those that have no value.

    Raises:
        UnknownCurrency: ``base`` is not an ISO 4217 code.
    """
    base = check_currency(base)
    book = address_book or {}
    valued: list[ValuedLine] = []
    missing: list[str] = []
    for line in lines:
        category = categorise(line, categories, book)
        if line.currency.upper() == base:
            valued.append(ValuedLine(line, category, money(line.amount, base)))
            continue
        quote = prices.price(line.currency, line.day, base)
        if quote.value is None:
            missing.append(f"{line.source} {line.ref}: {quote.reason}".strip())
            valued.append(ValuedLine(line, category, None))
        else:
            valued.append(ValuedLine(line, category, money(line.amount * quote.value, base)))
    return valued, missing


def _month(day: date) -> date:
    return day.replace(day=1)


def _next(month: date) -> date:
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def spending_report(
    lines: Iterable[SpendingLine],
    base: str,
    prices: PriceLookup,
    *,
    first: date,
    last: date,
    categories: Sequence[Category] = (),
    budgets: Sequence[Budget] = (),
    address_book: Mapping[str, str] | None = None,
) -> SpendingReport:
    """Sum spending per month and category in ``base``, against the budgets.

    Args:
        lines: every line (earlier months feed the rollover).
        base: the report's currency (ISO 4217).
        prices: the price of a coin, currency or point on a day.
        first: a day of the first month shown.
        last: a day of the last month shown.
        categories: the categories, in the order they are tried.
        budgets: the monthly budgets (in ``base``).
        address_book: address -> name.

    Raises:
        UnknownCurrency: ``base`` is not an ISO 4217 code.
        InvalidAmount: a budget in another currency than ``base``.
    """
    base = check_currency(base)
    valued, missing = value_lines(lines, base, prices, categories, address_book)
    spent: dict[tuple[date, str], Decimal] = defaultdict(Decimal)
    income: dict[tuple[date, str], Decimal] = defaultdict(Decimal)
    for v in valued:
        if v.value is None:
            continue
        key = (_month(v.line.day), v.category)
        if v.value < 0:
            spent[key] -= v.value
        else:
            income[key] += v.value
    by_category = {b.category: b for b in budgets}
    for b in budgets:
        if b.currency.upper() != base:
            raise InvalidAmount(f"The budget of {b.category} is in {b.currency}, not {base}.")
    names = sorted({c for _, c in spent} | {c for _, c in income} | set(by_category))
    start, end = _month(first), _month(last)
    months: list[BudgetMonth] = []
    for name in names:
        budget = by_category.get(name)
        month = min(start, _month(budget.since)) if budget and budget.rollover else start
        carried = Decimal(0)
        while month <= end:
            out, came = spent[(month, name)], income[(month, name)]
            active = budget is not None and month >= _month(budget.since)
            amount = budget.amount if active and budget is not None else None
            left = None if amount is None else amount + carried - out
            if month >= start:
                months.append(BudgetMonth(month, name, out, came, amount, carried, left))
            carried = (
                left if left is not None and budget is not None and budget.rollover else Decimal(0)
            )
            month = _next(month)
    months.sort(key=lambda m: (m.month, m.category))
    shown = tuple(v for v in valued if start <= _month(v.line.day) <= end)
    return SpendingReport(base, tuple(months), shown, tuple(missing))


def lines_from_history(
    source: str,
    entries: Iterable[HistoryEntry],
    labels: Mapping[str, str] | None = None,
) -> list[SpendingLine]:
    """Turn one account's confirmed history into spending lines (tokens included).

    Args:
        source: the account's name (``bitcoin#0``).
        entries: its history.
        labels: txid -> the user's label (the entry's own label is used too).
    """
    out: list[SpendingLine] = []
    for e in entries:
        if e.status is not TxStatus.CONFIRMED or e.timestamp is None or e.token_id is not None:
            continue
        label = e.label or (labels or {}).get(e.txid, "")
        out.append(
            SpendingLine(
                day=datetime.fromtimestamp(e.timestamp, UTC).date(),
                amount=Decimal(e.amount).scaleb(-e.decimals),
                currency=e.symbol,
                counterparty=e.counterparties[0] if e.counterparties else "",
                text=label,
                labels=(label,) if label else (),
                source=source,
                ref=e.txid,
            )
        )
    return out
