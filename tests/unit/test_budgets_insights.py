"""Budgets, the spending report and the insights (issue 16 item 5), on values only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

import pytest

from wallet import Wallet
from wallet.errors import InvalidCategoryRule, UnknownCurrency
from wallet.money.budgets import (
    UNCATEGORISED,
    Budget,
    Category,
    CategoryRule,
    RuleKind,
    SpendingLine,
    spending_report,
    value_lines,
)
from wallet.money.insights import InsightKind, find_insights
from wallet.money.spending import fiat_spending_lines
from wallet.money.tax import PriceTable

D = Decimal
PRICES = PriceTable(
    {
        ("BTC", date(2024, 1, 10), "EUR"): D("40000"),
        ("BTC", date(2024, 2, 10), "EUR"): D("45000"),
        ("USD", date(2024, 1, 15), "EUR"): D("0.9"),
        ("points:Miles", date(2024, 1, 20), "EUR"): D("0.011"),
        ("JPY", date(2024, 1, 25), "EUR"): D("0.0063"),
    }
)
FOOD = Category(
    "food", (CategoryRule(RuleKind.TEXT, "bakery"), CategoryRule(RuleKind.LABEL, "groceries"))
)
TRAVEL = Category("travel", (CategoryRule(RuleKind.COUNTERPARTY, "AirLine Ltd"),))
FRIENDS = Category("friends", (CategoryRule(RuleKind.ADDRESS_BOOK, "alice"),))
BOOK = {"bc1qalice": "Alice"}


def line(
    day: date, amount: str, currency: str = "EUR", **kw: str | tuple[str, ...]
) -> SpendingLine:
    return SpendingLine(day, D(amount), currency, **kw)  # type: ignore[arg-type]


def test_rules_pick_the_first_matching_category() -> None:
    lines = [
        line(date(2024, 1, 3), "-4.20", text="Corner BAKERY #12"),
        line(date(2024, 1, 4), "-30", labels=("Groceries",)),
        line(date(2024, 1, 5), "-200", counterparty="airline ltd"),
        line(date(2024, 1, 6), "-10", counterparty="bc1qalice"),
        line(date(2024, 1, 7), "-1", counterparty="someone"),
    ]
    valued, missing = value_lines(lines, "EUR", PRICES, [FOOD, TRAVEL, FRIENDS], BOOK)
    assert [v.category for v in valued] == ["food", "food", "travel", "friends", UNCATEGORISED]
    assert missing == []


def test_report_over_crypto_fiat_and_points_is_exact_to_the_cent() -> None:
    # 0.00012345 BTC at 40000 = 4.938 -> 4.94; 12.34 USD at 0.9 = 11.106 -> 11.11;
    # 1234 Miles at 0.011 = 13.574 -> 13.57; 0.10 EUR stays 0.10. Sum 4.94+11.11+13.57+0.10 = 29.72.
    lines = [
        line(date(2024, 1, 10), "-0.00012345", "BTC", text="bakery"),
        line(date(2024, 1, 15), "-12.34", "USD", text="bakery"),
        line(date(2024, 1, 20), "-1234", "points:Miles", text="bakery"),
        line(date(2024, 1, 21), "-0.10", "EUR", text="bakery"),
    ]
    report = spending_report(
        lines, "EUR", PRICES, first=date(2024, 1, 1), last=date(2024, 1, 31), categories=[FOOD]
    )
    (month,) = report.months
    assert month.spent == D("29.72")
    assert sum(-v.value for v in report.lines if v.value is not None) == month.spent


def test_report_in_yen_has_no_minor_unit() -> None:
    # 1000 JPY is JPY; 0.5 EUR in JPY needs a price: none, so it is listed, not zero.
    lines = [line(date(2024, 1, 25), "-1000", "JPY"), line(date(2024, 1, 25), "-0.5", "EUR")]
    report = spending_report(lines, "JPY", PRICES, first=date(2024, 1, 1), last=date(2024, 1, 31))
    assert report.months[0].spent == D("1000")
    assert len(report.missing) == 1
    assert "EUR" in report.missing[0]


def test_rollover_carries_what_is_left_and_what_is_overspent() -> None:
    # Budget 100/month from January with rollover. Jan spends 70: left 30, carried.
    # Feb spends 150: 100 + 30 - 150 = -20, carried. Mar spends 0: 100 - 20 = 80.
    lines = [
        line(date(2024, 1, 5), "-70", text="bakery"),
        line(date(2024, 2, 5), "-150", text="bakery"),
    ]
    budget = Budget("food", D(100), "EUR", rollover=True, since=date(2024, 1, 1))
    report = spending_report(
        lines,
        "EUR",
        PRICES,
        first=date(2024, 2, 1),
        last=date(2024, 3, 31),
        categories=[FOOD],
        budgets=[budget],
    )
    assert [(m.month.month, m.carried, m.left) for m in report.months] == [
        (2, D(30), D(-20)),
        (3, D(-20), D(80)),
    ]


def test_without_rollover_each_month_starts_afresh() -> None:
    lines = [
        line(date(2024, 1, 5), "-70", text="bakery"),
        line(date(2024, 2, 5), "-150", text="bakery"),
    ]
    budget = Budget("food", D(100), "EUR", since=date(2024, 1, 1))
    report = spending_report(
        lines,
        "EUR",
        PRICES,
        first=date(2024, 1, 1),
        last=date(2024, 2, 28),
        categories=[FOOD],
        budgets=[budget],
    )
    assert [m.left for m in report.months] == [D(30), D(-50)]


def test_bad_categories_and_currencies_are_refused() -> None:
    with pytest.raises(InvalidCategoryRule):
        Category(" ")
    with pytest.raises(InvalidCategoryRule):
        Category("x", (CategoryRule(RuleKind.TEXT, ""),))
    with pytest.raises(UnknownCurrency):
        spending_report([], "EURO", PRICES, first=date(2024, 1, 1), last=date(2024, 1, 1))


def _valued(lines: list[SpendingLine]) -> list:  # type: ignore[type-arg]
    valued, _ = value_lines(lines, "EUR", PRICES, [FOOD], BOOK)
    return valued


def test_an_outlier_by_median_and_mad() -> None:
    # Earlier bakery payments 4, 5, 5, 6, 5, 4: median 5, MAD 0.5 (deviations 1,0,0,1,0,1).
    # 9 on Feb 1: 0.6745 x 4 / 0.5 = 5.4 > 3.5, an outlier. Then 6 on Feb 2 against
    # 4,5,5,6,5,4,9: median 5, deviations 1,0,0,1,0,1,4 -> MAD 1: 0.6745 x 1 / 1 = 0.67, not.
    history = [
        line(date(2024, 1, d), f"-{a}", text="bakery", ref=f"h{d}")
        for d, a in enumerate((4, 5, 5, 6, 5, 4), 1)
    ]
    new = [
        line(date(2024, 2, 1), "-9", text="bakery", ref="odd"),
        line(date(2024, 2, 2), "-6", text="bakery", ref="ok"),
    ]
    found = [
        i
        for i in find_insights(_valued(history + new), date(2024, 2, 1), "EUR")
        if i.kind is InsightKind.OUTLIER
    ]
    assert [i.ref for i in found] == ["odd"]
    assert found[0].usual == D(5)


def test_a_mean_would_hide_what_the_median_sees() -> None:
    # One huge earlier payment (1000) drags a mean; the median (5) still flags 60.
    history = [
        line(date(2024, 1, d), f"-{a}", text="bakery", ref=f"h{d}")
        for d, a in enumerate((5, 5, 1000, 5, 6), 1)
    ]
    found = find_insights(
        _valued([*history, line(date(2024, 2, 1), "-60", text="bakery", ref="x")]),
        date(2024, 2, 1),
        "EUR",
    )
    assert "x" in [i.ref for i in found if i.kind is InsightKind.OUTLIER]


def test_first_payment_to_a_new_recipient() -> None:
    lines = [
        line(date(2024, 1, 1), "-5", counterparty="bc1qold", ref="a"),
        line(date(2024, 2, 1), "-5", counterparty="bc1qold", ref="b"),
        line(date(2024, 2, 2), "-7", counterparty="bc1qnew", ref="c"),
        line(date(2024, 2, 3), "+7", counterparty="bc1qpayer", ref="d"),
    ]
    found = find_insights(_valued(lines), date(2024, 2, 1), "EUR")
    assert [i.ref for i in found if i.kind is InsightKind.NEW_RECIPIENT] == ["c"]


def test_a_spike_against_the_usual_month() -> None:
    # Food: 100, 120, 110 in Jan-Mar (median 110); April 200 > 1.5 x 110 = 165: a spike.
    lines = [
        line(date(2024, m, 3), f"-{a}", text="bakery")
        for m, a in ((1, 100), (2, 120), (3, 110), (4, 200))
    ]
    found = [
        i
        for i in find_insights(_valued(lines), date(2024, 4, 1), "EUR")
        if i.kind is InsightKind.SPIKE
    ]
    assert [(i.day, i.amount, i.usual) for i in found] == [(date(2024, 4, 1), D(200), D(110))]


def test_a_subscription_that_changed_its_amount() -> None:
    # 9.99 on the 5th of Jan-Apr, then 12.99 in May: changed from 9.99 to 12.99.
    lines = [
        line(date(2024, m, 5), "-9.99", counterparty="StreamCo", ref=f"s{m}") for m in (1, 2, 3, 4)
    ]
    lines.append(line(date(2024, 5, 5), "-12.99", counterparty="StreamCo", ref="s5"))
    found = [
        i
        for i in find_insights(_valued(lines), date(2024, 5, 1), "EUR")
        if i.kind is InsightKind.SUBSCRIPTION_CHANGED
    ]
    assert [(i.ref, i.usual, i.amount) for i in found] == [("s5", D("9.99"), D("12.99"))]


@dataclass(frozen=True, slots=True)
class Line:
    """The fields of the fiat branch's ``FiatLine`` (wallet.money.fiat.types), as it has them."""

    id: int
    account_id: int
    booked: date
    amount: Decimal
    currency: str
    payee: str = ""
    memo: str = ""
    reference: str = ""
    origin: str = "manual"
    transfer_id: int | None = None
    chain_network: str | None = None
    chain_txid: str | None = None


@dataclass(frozen=True, slots=True)
class Account:
    id: int
    name: str


@dataclass(frozen=True, slots=True)
class Book:
    lines_: tuple[Line, ...]

    def accounts(self) -> list[Account]:
        return [Account(1, "Checking")]

    def lines(self, name: str | None = None) -> list[Line]:
        return list(self.lines_)


def test_fiat_lines_feed_the_budgets_without_own_transfers_or_crypto_buys(
    abandon_wallet: Wallet,
) -> None:
    day = date(2024, 3, 4)
    book = Book(
        (
            Line(1, 1, day, D("-23.40"), "EUR", "Corner Bakery", "CARD 1234"),
            Line(2, 1, day, D("-500"), "EUR", "Savings", transfer_id=7),
            Line(
                3,
                1,
                day,
                D("-100"),
                "EUR",
                "MoonPay",
                chain_network="bitcoin",
                chain_txid="ab" * 32,
            ),
            Line(4, 1, day, D("-9.99"), "USD", "StreamCo", "monthly"),
        )
    )
    lines = fiat_spending_lines(book)
    assert [(x.ref, x.source, x.text) for x in lines] == [
        ("fiat-line:1", "fiat:Checking", "Corner Bakery CARD 1234"),
        ("fiat-line:4", "fiat:Checking", "StreamCo monthly"),
    ]
    w = abandon_wallet
    w.budgets.add_source(lambda: fiat_spending_lines(book))
    w.budgets.add_category("food", [("text", "bakery")])
    prices = PriceTable({("USD", day, "EUR"): D("0.9")})
    report = w.budgets.report("EUR", prices, first=day, last=day)
    # 23.40 in food; 9.99 USD x 0.9 = 8.991 -> 8.99 uncategorised.
    assert [(m.category, m.spent) for m in report.months] == [
        ("food", D("23.40")),
        (UNCATEGORISED, D("8.99")),
    ]


def test_the_wallets_fiat_lines_count_in_its_budgets(abandon_wallet: Wallet) -> None:
    w = abandon_wallet
    w.fiat.add_account("Checking", "EUR")
    w.fiat.add_entry("Checking", date(2026, 3, 4), Decimal("-42.10"), payee="Grocer")
    lines = [line for line in w.budgets.lines() if line.source.startswith("fiat:")]
    assert [(line.day, line.amount, line.currency, line.text) for line in lines] == [
        (date(2026, 3, 4), Decimal("-42.10"), "EUR", "Grocer")
    ]
