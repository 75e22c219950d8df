"""Insights on spending: what stands out against the user's own history.

Pure, over ``ValuedLine`` values (lines with their category and value in the base currency,
from ``wallet.money.budgets.value_lines``). Four kinds:

- **Outlier**: a payment far from the category's usual payment. The measure is robust (a
  mean and a standard deviation are pulled by the very outliers they look for): the modified
  z-score ``0.6745 * (x - median) / MAD`` of Iglewicz and Hoaglin, an outlier above 3.5, over
  the category's earlier payments (at least 5). When MAD is 0 (the earlier payments are all
  the same), any payment of another amount is an outlier.
- **New recipient**: the first payment to a counterparty never paid before.
- **Spike**: a category's month that spent more than 1.5 times its usual month (the median of
  its earlier months with spending, at least 3 of them).
- **Subscription changed**: a counterparty paid the same amount (in its own currency) about
  monthly (25 to 35 days apart) at least 3 times, and then another amount.

Only what happens on or after ``since`` is reported; everything before is history.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import Enum
from itertools import pairwise
from statistics import median

from wallet.money.budgets import ValuedLine

__all__ = ["Insight", "InsightKind", "find_insights"]

_Z = Decimal("0.6745")
_Z_LIMIT = Decimal("3.5")
_MIN_HISTORY = 5
_SPIKE = Decimal("1.5")
_MIN_MONTHS = 3
_MIN_REPEATS = 3


class InsightKind(Enum):
    """What an insight is about."""

    OUTLIER = "outlier"
    NEW_RECIPIENT = "new-recipient"
    SPIKE = "spike"
    SUBSCRIPTION_CHANGED = "subscription-changed"


@dataclass(frozen=True, slots=True)
class Insight:
    """One thing worth a look.

    Attributes:
        kind: what it is.
        day: the day (the 1st of the month for a spike).
        category: the category.
        amount: the amount in question (base currency; own currency for a subscription).
        usual: what is usual (the median, the previous amount), ``None`` for a new recipient.
        message: one sentence for a person.
        ref: the line's id (empty for a spike).
    """

    kind: InsightKind
    day: date
    category: str
    amount: Decimal
    usual: Decimal | None
    message: str
    ref: str = ""


def _spent(v: ValuedLine) -> Decimal | None:
    return -v.value if v.value is not None and v.value < 0 else None


def find_insights(lines: Sequence[ValuedLine], since: date, base: str) -> list[Insight]:
    """Return the insights of the lines on or after ``since`` (see the module).

    Args:
        lines: every valued line (the earlier ones are the history).
        since: the first day to report on.
        base: the currency of the values (for the messages).
    """
    ordered = sorted(lines, key=lambda v: (v.line.day, v.line.ref))
    found = _outliers(ordered, since, base) + _new_recipients(ordered, since, base)
    found += _spikes(ordered, since, base) + _subscriptions(ordered, since)
    return sorted(found, key=lambda i: (i.day, i.kind.value, i.ref))


def _outliers(lines: Sequence[ValuedLine], since: date, base: str) -> list[Insight]:
    out: list[Insight] = []
    seen: dict[str, list[Decimal]] = defaultdict(list)
    for v in lines:
        amount = _spent(v)
        if amount is None:
            continue
        history = seen[v.category]
        if v.line.day >= since and len(history) >= _MIN_HISTORY:
            mid = median(history)
            mad = median(abs(x - mid) for x in history)
            far = amount != mid if mad == 0 else _Z * abs(amount - mid) / mad > _Z_LIMIT
            if far:
                out.append(
                    Insight(
                        InsightKind.OUTLIER,
                        v.line.day,
                        v.category,
                        amount,
                        mid,
                        f"{amount} {base} in {v.category} is far from the usual {mid} {base}.",
                        v.line.ref,
                    )
                )
        history.append(amount)
    return out


def _new_recipients(lines: Sequence[ValuedLine], since: date, base: str) -> list[Insight]:
    out: list[Insight] = []
    paid: set[str] = set()
    for v in lines:
        who = v.line.counterparty
        if not who or v.line.amount >= 0:
            continue
        if who not in paid and v.line.day >= since:
            amount = _spent(v) or -v.line.amount
            unit = base if v.value is not None else v.line.currency
            out.append(
                Insight(
                    InsightKind.NEW_RECIPIENT,
                    v.line.day,
                    v.category,
                    amount,
                    None,
                    f"First payment to {who}: {amount} {unit}.",
                    v.line.ref,
                )
            )
        paid.add(who)
    return out


def _spikes(lines: Sequence[ValuedLine], since: date, base: str) -> list[Insight]:
    per_month: dict[str, dict[date, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for v in lines:
        amount = _spent(v)
        if amount is not None:
            per_month[v.category][v.line.day.replace(day=1)] += amount
    out: list[Insight] = []
    for category, months in per_month.items():
        earlier: list[Decimal] = []
        for month in sorted(months):
            total = months[month]
            if month >= since.replace(day=1) and len(earlier) >= _MIN_MONTHS:
                usual = median(earlier)
                if total > usual * _SPIKE:
                    out.append(
                        Insight(
                            InsightKind.SPIKE,
                            month,
                            category,
                            total,
                            usual,
                            f"{category} spent {total} {base} in {month:%Y-%m}, "
                            f"against a usual month of {usual} {base}.",
                        )
                    )
            earlier.append(total)
    return out


def _subscriptions(lines: Sequence[ValuedLine], since: date) -> list[Insight]:
    by_payee: dict[tuple[str, str], list[ValuedLine]] = defaultdict(list)
    for v in lines:
        if v.line.counterparty and v.line.amount < 0:
            by_payee[(v.line.counterparty, v.line.currency)].append(v)
    out: list[Insight] = []
    for (who, currency), payments in by_payee.items():
        run = 1
        for before, now in pairwise(payments):
            monthly = 25 <= (now.line.day - before.line.day).days <= 35
            if monthly and now.line.amount == before.line.amount:
                run += 1
                continue
            if monthly and run >= _MIN_REPEATS and now.line.day >= since:
                old, new = -before.line.amount, -now.line.amount
                out.append(
                    Insight(
                        InsightKind.SUBSCRIPTION_CHANGED,
                        now.line.day,
                        now.category,
                        new,
                        old,
                        f"The monthly payment to {who} changed from {old} to {new} {currency}.",
                        now.line.ref,
                    )
                )
            run = 1
    return out
