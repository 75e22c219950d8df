"""The wallet's budgets: categories and budgets kept in the file, reports and insights.

``Budgets`` is what ``Wallet.budgets`` returns. Its lines come from sources handed over at
construction: the wallet gives the accounts' chain history; a fiat or points source is one
more callable returning ``SpendingLine`` values (the fiat statements' adapter plugs in
there, or passes them as ``extra_lines``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Protocol

from wallet.amounts import parse_decimal
from wallet.errors import FloatAmountError, InvalidAmount, InvalidCategoryRule, UnknownCategory
from wallet.money.budgets import (
    Budget,
    Category,
    CategoryRule,
    RuleKind,
    SpendingLine,
    SpendingReport,
    spending_report,
    value_lines,
)
from wallet.money.insights import Insight, find_insights
from wallet.money.tax.history import PriceLookup
from wallet.money.tax.report import check_currency, money
from wallet.money.tax.store import MoneyStore

__all__ = [
    "Budgets",
    "FiatAccountLike",
    "FiatBookLike",
    "FiatLineLike",
    "LineSource",
    "fiat_spending_lines",
]

LineSource = Callable[[], Sequence[SpendingLine]]
"""A callable that returns spending lines (the chain history, a fiat adapter)."""


def _rule(kind: str, pattern: str) -> CategoryRule:
    try:
        parsed = RuleKind(kind.strip().lower())
    except ValueError as err:
        kinds = ", ".join(k.value for k in RuleKind)
        raise InvalidCategoryRule(
            f"No rule kind is called {kind[:40]!r} (known: {kinds})."
        ) from err
    if not pattern.strip() or not pattern.isprintable():
        raise InvalidCategoryRule(f"A {parsed.value} rule needs printable text to look for.")
    return CategoryRule(parsed, pattern.strip())


class Budgets:
    """Spending categories, monthly budgets, the spending report and insights."""

    def __init__(
        self,
        store: MoneyStore,
        sources: Sequence[LineSource],
        address_book: Callable[[], Mapping[str, str]],
        default_prices: Callable[[], PriceLookup],
        today: Callable[[], date],
    ) -> None:
        """Bind to the store, the line sources, the address book, default prices, a clock."""
        self._today = today
        self._store = store
        self._sources = list(sources)
        self._address_book = address_book
        self._default_prices = default_prices

    def add_source(self, source: LineSource) -> None:
        """Add a source of spending lines (a fiat account adapter, points)."""
        self._sources.append(source)

    def __repr__(self) -> str:
        return "<Budgets>"

    def categories(self) -> list[Category]:
        """Return the categories in the order they are tried."""
        return [
            Category(name, tuple(CategoryRule(RuleKind(k), p) for k, p in rules))
            for name, rules in self._store.categories()
        ]

    def add_category(self, name: str, rules: Sequence[tuple[str, str]] = ()) -> Category:
        """Add a category at the end, or add rules to one that exists.

        Args:
            name: the category's name.
            rules: (kind, text) pairs: ``counterparty``, ``label``, ``address-book``, ``text``.

        Raises:
            InvalidCategoryRule: an empty name, an unknown kind, or nothing to look for.
        """
        clean = name.strip()
        if not clean or not clean.isprintable() or len(clean) > 100:
            raise InvalidCategoryRule(
                "A category needs a printable name of at most 100 characters."
            )
        parsed = [_rule(k, p) for k, p in rules]
        self._store.add_category(clean, [(r.kind.value, r.pattern) for r in parsed])
        return next(c for c in self.categories() if c.name == clean)

    def remove_category(self, name: str) -> None:
        """Remove a category with its rules and budget.

        Raises:
            UnknownCategory: no such category.
        """
        if not self._store.remove_category(name.strip()):
            raise UnknownCategory(f"No category is called {name[:100]!r}.")

    def set_budget(
        self,
        category: str,
        amount: Decimal | str | int,
        currency: str,
        *,
        rollover: bool = False,
        since: date | None = None,
    ) -> Budget:
        """Set the monthly budget of a category.

        Args:
            category: the category's name.
            amount: the amount per month, zero or more.
            currency: the base currency (ISO 4217); the report must use the same.
            rollover: carry what is left (or overspent) into the next month.
            since: the first month it applies to (default: this month; a rollover starts
                there).

        Raises:
            UnknownCategory: no such category.
            InvalidAmount: not a number of zero or more, or finer than the currency's unit.
            FloatAmountError: a float.
            UnknownCurrency: not an ISO 4217 code.
        """
        code = check_currency(currency)
        if isinstance(amount, float):
            raise FloatAmountError
        value = parse_decimal(str(amount), "budget") if not isinstance(amount, Decimal) else amount
        if not value.is_finite() or value < 0:
            raise InvalidAmount("A budget must be zero or more.")
        if value != money(value, code):
            raise InvalidAmount(f"A budget in {code} has at most the currency's minor unit.")
        if category not in {c.name for c in self.categories()}:
            raise UnknownCategory(f"No category is called {category[:100]!r}; add it first.")
        start = (since or self._today()).replace(day=1)
        self._store.set_budget(category, value, code, rollover, start)
        return Budget(category, value, code, rollover, start)

    def budgets(self) -> list[Budget]:
        """Return every budget."""
        return [Budget(c, a, cur, r, s) for c, a, cur, r, s in self._store.budgets()]

    def remove_budget(self, category: str) -> None:
        """Remove a category's budget.

        Raises:
            UnknownCategory: the category has no budget.
        """
        if not self._store.remove_budget(category):
            raise UnknownCategory(f"{category[:100]!r} has no budget.")

    def lines(self, extra_lines: Sequence[SpendingLine] = ()) -> list[SpendingLine]:
        """Return every spending line of the sources, and ``extra_lines``, by day."""
        lines = [line for source in self._sources for line in source()]
        return sorted([*lines, *extra_lines], key=lambda line: (line.day, line.source, line.ref))

    def report(
        self,
        base: str,
        prices: PriceLookup | None = None,
        *,
        first: date,
        last: date,
        extra_lines: Sequence[SpendingLine] = (),
    ) -> SpendingReport:
        """Return spending per month and category in ``base``, against the budgets.

        Prices are the wallet's price service (daily closes) unless ``prices`` is given.

        Raises:
            UnknownCurrency: ``base`` is not an ISO 4217 code.
            InvalidAmount: a budget is in another currency than ``base``.
        """
        return spending_report(
            self.lines(extra_lines),
            base,
            prices or self._default_prices(),
            first=first,
            last=last,
            categories=self.categories(),
            budgets=self.budgets(),
            address_book=self._address_book(),
        )

    def insights(
        self,
        base: str,
        prices: PriceLookup | None = None,
        *,
        since: date,
        extra_lines: Sequence[SpendingLine] = (),
    ) -> list[Insight]:
        """Return what stands out on or after ``since`` (``wallet.money.insights``).

        Raises:
            UnknownCurrency: ``base`` is not an ISO 4217 code.
        """
        valued, _missing = value_lines(
            self.lines(extra_lines),
            base,
            prices or self._default_prices(),
            self.categories(),
            self._address_book(),
        )
        return find_insights(valued, since, check_currency(base))


class FiatAccountLike(Protocol):
    """What the adapter reads of a fiat account (``wallet.money.fiat.FiatAccount``)."""

    @property
    def id(self) -> int:
        """The account's number."""
        ...

    @property
    def name(self) -> str:
        """The account's name."""
        ...


class FiatLineLike(Protocol):
    """What the adapter reads of a fiat line (``wallet.money.fiat.FiatLine``)."""

    @property
    def id(self) -> int:
        """The line's number."""
        ...

    @property
    def account_id(self) -> int:
        """Its account."""
        ...

    @property
    def booked(self) -> date:
        """The booking date."""
        ...

    @property
    def amount(self) -> Decimal:
        """Positive in, negative out."""
        ...

    @property
    def currency(self) -> str:
        """The account's currency."""
        ...

    @property
    def payee(self) -> str:
        """The counterparty."""
        ...

    @property
    def memo(self) -> str:
        """The bank's text."""
        ...

    @property
    def transfer_id(self) -> int | None:
        """Set on both lines of a transfer between own accounts."""
        ...

    @property
    def chain_txid(self) -> str | None:
        """The chain transaction a buy or sell paid for, if linked."""
        ...


class FiatBookLike(Protocol):
    """The fiat accounts as ``Wallet.fiat`` gives them (``wallet.money.fiat.FiatBook``)."""

    def accounts(self) -> Sequence[FiatAccountLike]:
        """Return every fiat account."""
        ...

    def lines(self, name: str | None = None) -> Sequence[FiatLineLike]:
        """Return the lines of one account, or of all."""
        ...


def fiat_spending_lines(book: FiatBookLike) -> list[SpendingLine]:
    """Return the spending lines of every fiat account (the adapter of ``w.fiat``).

    A transfer between own accounts, and a line that paid for (or was paid by) a chain
    transaction, move money between the user's own pockets: they are not spending, and are
    left out. Wire it with ``w.budgets.add_source(lambda: fiat_spending_lines(w.fiat))``.
    """
    names = {account.id: account.name for account in book.accounts()}
    return [
        SpendingLine(
            day=line.booked,
            amount=line.amount,
            currency=line.currency,
            counterparty=line.payee,
            text=" ".join(part for part in (line.payee, line.memo) if part),
            source=f"fiat:{names.get(line.account_id, line.account_id)}",
            ref=f"fiat-line:{line.id}",
        )
        for line in book.lines()
        if line.transfer_id is None and line.chain_txid is None
    ]
