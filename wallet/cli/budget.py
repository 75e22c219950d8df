"""Commands of budgets: ``coffer budget`` (categories, budgets, the report) and ``coffer insights``.

Amounts are in the base currency, to its minor unit; prices as in ``wallet.cli._money_io``.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import click

from wallet.amounts import parse_decimal
from wallet.cli._app import Options, TextGroup, emit, errors, open_wallet, table
from wallet.cli._money_io import (
    OFFLINE_HELP,
    PRICES_HELP,
    amount_text,
    base_code,
    price_lookup,
    price_table,
)
from wallet.errors import InvalidAmount, WalletError
from wallet.money.budgets import UNCATEGORISED

__all__ = ["budget", "insights"]


# -- budgets -----------------------------------------------------------------------------------


@click.group(cls=TextGroup)
def budget() -> None:
    """Spending categories with rules, monthly budgets with rollover, and the report."""


@budget.command("add-category")
@click.argument("name")
@click.option(
    "--rule",
    "rules",
    multiple=True,
    metavar="KIND=TEXT",
    help="counterparty=..., label=..., address-book=..., text=... (repeatable).",
)
@click.pass_obj
def add_category(opts: Options, name: str, rules: tuple[str, ...]) -> None:
    """Add the category NAME (tried after the others), or add rules to it."""
    with errors(opts):
        pairs = []
        for rule in rules:
            kind, sep, text = rule.partition("=")
            if not sep:
                raise WalletError(f"A rule is KIND=TEXT, not {rule[:40]!r}.")
            pairs.append((kind, text))
    with open_wallet(opts) as wallet, errors(opts):
        category = wallet.budgets.add_category(name, pairs)
    shown = [f"{r.kind.value}={r.pattern}" for r in category.rules]
    emit(
        opts,
        {"category": category.name, "rules": shown},
        lambda: click.echo(f"Category {category.name}: {', '.join(shown) or 'no rules'}."),
    )


@budget.command("remove-category")
@click.argument("name")
@click.pass_obj
def remove_category(opts: Options, name: str) -> None:
    """Remove the category NAME with its rules and budget."""
    with open_wallet(opts) as wallet, errors(opts):
        wallet.budgets.remove_category(name)
    emit(opts, {"removed": name}, lambda: click.echo(f"Removed the category {name}."))


@budget.command("set")
@click.argument("category")
@click.argument("amount")
@click.option("--currency", default="EUR", show_default=True, help="ISO 4217.")
@click.option("--rollover", is_flag=True, help="Carry what is left or overspent onwards.")
@click.option(
    "--since", type=click.DateTime(["%Y-%m"]), help="The first month, YYYY-MM (default: this one)."
)
@click.pass_obj
def set_budget(
    opts: Options,
    category: str,
    amount: str,
    currency: str,
    rollover: bool,
    since: datetime | None,
) -> None:
    """Set the monthly budget of CATEGORY to AMOUNT."""
    with errors(opts):
        value = parse_decimal(amount, "budget")
        if value < 0:
            raise InvalidAmount("A budget must be zero or more.")
    with open_wallet(opts) as wallet, errors(opts):
        made = wallet.budgets.set_budget(
            category, value, currency, rollover=rollover, since=since.date() if since else None
        )
    emit(
        opts,
        {
            "category": made.category,
            "amount": str(made.amount),
            "currency": made.currency,
            "rollover": made.rollover,
            "since": made.since.isoformat(),
        },
        lambda: click.echo(
            f"Budget of {made.category}: {made.amount} {made.currency} a month"
            + (" with rollover." if made.rollover else ".")
        ),
    )


@budget.command("list")
@click.pass_obj
def list_budgets(opts: Options) -> None:
    """List the categories, their rules and budgets."""
    with open_wallet(opts, reads_only=True) as wallet, errors(opts):
        categories = wallet.budgets.categories()
        budgets = {b.category: b for b in wallet.budgets.budgets()}
    rows = []
    for c in categories:
        b = budgets.get(c.name)
        rows.append(
            {
                "category": c.name,
                "rules": [f"{r.kind.value}={r.pattern}" for r in c.rules],
                "budget": None if b is None else f"{b.amount} {b.currency}",
                "rollover": bool(b and b.rollover),
            }
        )
    emit(
        opts,
        rows,
        lambda: table(
            "Categories",
            ["Category", "Rules", "Budget", "Rollover"],
            [
                [
                    c.name,
                    ", ".join(f"{r.kind.value}={r.pattern}" for r in c.rules),
                    f"{budgets[c.name].amount} {budgets[c.name].currency}"
                    if c.name in budgets
                    else "",
                    "yes" if c.name in budgets and budgets[c.name].rollover else "",
                ]
                for c in categories
            ],
        ),
    )


@budget.command("report")
@click.option("--month", type=click.DateTime(["%Y-%m"]), help="The last month, YYYY-MM.")
@click.option("--months", type=click.IntRange(1, 120), default=1, show_default=True)
@click.option("--base", default="EUR", show_default=True, help="The currency (ISO 4217).")
@click.option("--prices", type=click.Path(dir_okay=False, path_type=Path), help=PRICES_HELP)
@click.option("--offline", is_flag=True, help=OFFLINE_HELP)
@click.pass_obj
def budget_report(
    opts: Options,
    month: datetime | None,
    months: int,
    base: str,
    prices: Path | None,
    offline: bool,
) -> None:
    """Spending per month and category over coins (and other sources), against the budgets."""
    last = (month.date() if month else datetime.now(UTC).date()).replace(day=1)
    first = last
    for _ in range(months - 1):
        first = (first - timedelta(days=1)).replace(day=1)
    with errors(opts):
        table_ = price_table(prices)
    with open_wallet(opts, reads_only=True) as wallet, errors(opts):
        lookup = price_lookup(wallet, table_, offline)
        report = wallet.budgets.report(base_code(base), lookup, first=first, last=last)
    cur = report.base
    rows = [
        {
            "month": m.month.strftime("%Y-%m"),
            "category": m.category,
            "spent": amount_text(m.spent, cur),
            "income": amount_text(m.income, cur),
            "budget": amount_text(m.budget, cur),
            "carried": amount_text(m.carried, cur),
            "left": amount_text(m.left, cur),
        }
        for m in report.months
    ]

    def human() -> None:
        table(
            f"Spending in {cur}",
            ["Month", "Category", "Spent", "Income", "Budget", "Carried", "Left"],
            [
                [
                    str(row["month"]),
                    str(row["category"]),
                    str(row["spent"]),
                    str(row["income"]),
                    row["budget"] or "",
                    str(row["carried"]),
                    row["left"] or "",
                ]
                for row in rows
            ],
        )
        for line in report.missing[:20]:
            click.echo(f"no value: {line}")

    emit(opts, {"base": cur, "months": rows, "missing": list(report.missing)}, human)


# -- insights ----------------------------------------------------------------------------------


@click.command("insights")
@click.option(
    "--since", type=click.DateTime(["%Y-%m-%d"]), help="The first day (default: 30 days ago)."
)
@click.option("--base", default="EUR", show_default=True, help="The currency (ISO 4217).")
@click.option("--prices", type=click.Path(dir_okay=False, path_type=Path), help=PRICES_HELP)
@click.option("--offline", is_flag=True, help=OFFLINE_HELP)
@click.pass_obj
def insights(
    opts: Options, since: datetime | None, base: str, prices: Path | None, offline: bool
) -> None:
    """What stands out: outliers (median and MAD), new recipients, spikes, changed subscriptions."""
    start: date = since.date() if since else datetime.now(UTC).date() - timedelta(days=30)
    with errors(opts):
        table_ = price_table(prices)
    with open_wallet(opts, reads_only=True) as wallet, errors(opts):
        lookup = price_lookup(wallet, table_, offline)
        found = wallet.budgets.insights(base_code(base), lookup, since=start)
    rows = [
        {
            "day": i.day.isoformat(),
            "kind": i.kind.value,
            "category": i.category,
            "message": i.message,
            "ref": i.ref,
        }
        for i in found
    ]

    def human() -> None:
        if not rows:
            click.echo(f"Nothing stands out since {start.isoformat()}.")
            return
        table(
            f"Insights since {start.isoformat()}",
            ["Day", "Kind", "Category", "What"],
            [[r["day"], r["kind"], r["category"] or UNCATEGORISED, r["message"]] for r in rows],
        )

    emit(opts, rows, human)
