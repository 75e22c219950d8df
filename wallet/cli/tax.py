"""Commands of money: ``coffer tax``, ``coffer budget``, ``coffer insights``, ``coffer buy``.

Prices are the wallet's price service (daily closes, cached in the wallet; ``--offline``
answers from the cache alone), or a price table (``--prices FILE``, CSV
``date,asset,base,price``). A value without a price is unknown, flagged and listed, never
taken as zero.
"""

from __future__ import annotations

import os
import stat
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import click

from wallet import Wallet
from wallet.amounts import parse_decimal
from wallet.cli._app import (
    Options,
    TextGroup,
    emit,
    errors,
    open_wallet,
    table,
)
from wallet.errors import InvalidAmount, WalletError
from wallet.money.budgets import UNCATEGORISED
from wallet.money.sources import ServicePrices
from wallet.money.tax import (
    Disposal,
    LotUse,
    PriceLookup,
    PriceTable,
    koinly_csv,
    money,
    report_csv,
)

__all__ = ["COMMANDS"]

_PRICES_HELP = "A CSV price table date,asset,base,price instead of the price service."
_OFFLINE_HELP = "Ask the price service's cache only (no provider is contacted)."


def _read_text(file: Path) -> str:
    try:
        fd = os.open(file, os.O_RDONLY | os.O_NONBLOCK)
        with os.fdopen(fd, "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                raise WalletError(f"{file} is not a regular file.")
            data = handle.read(50_000_001)
    except OSError as err:
        raise WalletError(f"Cannot read {file}: {err.strerror}.") from err
    if len(data) > 50_000_000:
        raise WalletError(f"{file} is larger than 50 MB.")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise WalletError(f"{file} is not UTF-8 text.") from err


def _table(file: Path | None) -> PriceTable | None:
    return None if file is None else PriceTable.from_csv(_read_text(file), source=file.name)


def _lookup(wallet: Wallet, table_: PriceTable | None, offline: bool) -> PriceLookup:
    return table_ if table_ is not None else ServicePrices(wallet.prices, online=not offline)


def _write_text(file: Path, text: str) -> None:
    """Write ``text`` to ``file`` (``-``: standard output), readable by its owner only."""
    if str(file) == "-":
        click.echo(text, nl=False)
        return
    try:
        fd = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NONBLOCK, 0o600)
        os.set_blocking(fd, True)
        if stat.S_ISREG(os.fstat(fd).st_mode):
            os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
    except OSError as err:
        raise WalletError(f"Cannot write {file}: {err.strerror}.") from err


def _check_writable(file: Path) -> None:
    """Refuse at once a path ``_write_text`` could not write, before any work is done."""
    if str(file) == "-":
        return
    try:
        if file.exists() or file.is_symlink():
            os.close(os.open(file, os.O_WRONLY | os.O_NONBLOCK))
        elif not file.parent.is_dir() or not os.access(file.parent, os.W_OK):
            raise WalletError(f"Cannot write {file}: no such folder, or it cannot be written.")
    except OSError as err:
        raise WalletError(f"Cannot write {file}: {err.strerror}.") from err


def _base(text: str) -> str:
    return text.strip().upper()


def _amount(value: Decimal | None, currency: str) -> str | None:
    return None if value is None else str(money(value, currency))


def _use_data(use: LotUse, currency: str) -> dict[str, str | None]:
    return {
        "acquired": None if use.acquired is None else use.acquired.astimezone(UTC).isoformat(),
        "quantity": format(use.quantity, "f"),
        "cost": _amount(use.cost, currency),
        "txid": use.ref,
    }


def _disposal_data(d: Disposal, currency: str) -> dict[str, object]:
    return {
        "date": d.when.astimezone(UTC).isoformat(),
        "asset": d.asset,
        "account": d.account,
        "kind": d.kind,
        "quantity": format(d.quantity, "f"),
        "proceeds": _amount(d.proceeds, currency),
        "cost": _amount(d.cost, currency),
        "gain": _amount(d.gain, currency),
        "lots": [_use_data(use, currency) for use in d.uses],
        "flags": list(d.flags),
        "txid": d.ref,
    }


def _disposal_rows(d: Disposal, currency: str) -> list[list[str]]:
    """A disposal's row, then one row per lot it used (acquired, quantity, that part's cost)."""
    rows = [
        [
            d.when.astimezone(UTC).date().isoformat(),
            d.asset,
            d.kind,
            format(d.quantity, "f"),
            _amount(d.proceeds, currency) or "?",
            _amount(d.cost, currency) or "?",
            _amount(d.gain, currency) or "?",
        ]
    ]
    for use in d.uses:
        acquired = "no lot" if use.acquired is None else use.acquired.astimezone(UTC).date()
        cost = _amount(use.cost, currency) or "?"
        rows.append([f"{acquired}", "", "└ lot", format(use.quantity, "f"), "", cost, ""])
    return rows


# -- tax ---------------------------------------------------------------------------------------


@click.command("tax")
@click.option("--year", type=click.IntRange(1970, 9998), required=True, help="The tax year.")
@click.option(
    "--method", type=click.Choice(["fifo", "lifo", "hifo"]), default="fifo", show_default=True
)
@click.option(
    "--pooling",
    type=click.Choice(["universal", "per-account"]),
    default="universal",
    show_default=True,
    help="One pool for the wallet, or one per account (German and US rules from 2025).",
)
@click.option("--base", default="EUR", show_default=True, help="The currency (ISO 4217).")
@click.option(
    "--year-start",
    type=click.DateTime(["%m-%d"]),
    default="01-01",
    show_default=True,
    help="The day a tax year starts, MM-DD (04-06 in the UK).",
)
@click.option("--prices", type=click.Path(dir_okay=False, path_type=Path), help=_PRICES_HELP)
@click.option("--offline", is_flag=True, help=_OFFLINE_HELP)
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), help="Write a CSV here.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["coffer", "koinly"]),
    default="coffer",
    show_default=True,
    help=(
        "coffer: one row per lot each year's disposal used; koinly: Koinly's universal import "
        "of the whole history (Koinly matches its own lots)."
    ),
)
@click.pass_obj
def tax(
    opts: Options,
    year: int,
    method: str,
    pooling: str,
    base: str,
    year_start: datetime,
    prices: Path | None,
    offline: bool,
    out: Path | None,
    fmt: str,
) -> None:
    """Realised gains of a tax year from the accounts' history (FIFO, LIFO or HIFO lots).

    Transfers between own accounts are never taxed; network fees are disposals of the coins
    paid; a lot with no known cost is flagged, never taken as zero.
    """
    with errors(opts):
        table_ = _table(prices)
        if out is not None:
            _check_writable(out)
    with open_wallet(opts, reads_only=True) as wallet, errors(opts):
        start = (year_start.month, year_start.day)
        lookup = _lookup(wallet, table_, offline)
        report = wallet.tax_report(
            year, lookup, method=method, pooling=pooling, base=_base(base), year_start=start
        )
        if out is not None:
            found = wallet.tax_events(lookup, _base(base))
            text = report_csv(report) if fmt == "coffer" else koinly_csv(found.events, report.base)
            _write_text(out, text)
    cur = report.base
    flagged = [f"{d.ref} {d.kind} of {d.asset}: {'; '.join(d.flags)}" for d in report.flagged]
    data = {
        "year": year,
        "method": method,
        "pooling": pooling,
        "base": cur,
        "proceeds": str(money(report.proceeds, cur)),
        "cost": str(money(report.cost, cur)),
        "gain": str(money(report.gain, cur)),
        "disposals": [_disposal_data(d, cur) for d in report.disposals],
        "flagged": flagged,
        "missing_prices": list(report.missing),
        "out": None if out is None else str(out),
    }

    def human() -> None:
        table(
            f"Tax year {year} ({report.start} to {report.end}, {method.upper()}, {pooling})",
            ["Date", "Asset", "Kind", "Quantity", f"Proceeds {cur}", f"Cost {cur}", f"Gain {cur}"],
            [row for d in report.disposals for row in _disposal_rows(d, cur)],
            no_wrap=("Date", "Kind"),
        )
        click.echo(
            f"Proceeds {data['proceeds']} {cur}, cost {data['cost']} {cur}, "
            f"gain {data['gain']} {cur} over {len(report.disposals) - len(report.flagged)} "
            "complete disposal(s); under each, the lots it used (acquired, quantity, cost)."
        )
        if report.flagged:
            click.echo(f"{len(report.flagged)} disposal(s) flagged, not in the totals:")
            for line in flagged:
                click.echo(f"  {line}")
        if report.missing:
            click.echo(f"{len(report.missing)} price(s) missing:")
            for line in report.missing[:20]:
                click.echo(f"  {line}")
        if out is not None and str(out) != "-":
            click.echo(f"Wrote {out} ({fmt}).")

    if out is not None and str(out) == "-":
        return
    emit(opts, data, human)


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
@click.option("--prices", type=click.Path(dir_okay=False, path_type=Path), help=_PRICES_HELP)
@click.option("--offline", is_flag=True, help=_OFFLINE_HELP)
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
        table_ = _table(prices)
    with open_wallet(opts, reads_only=True) as wallet, errors(opts):
        lookup = _lookup(wallet, table_, offline)
        report = wallet.budgets.report(_base(base), lookup, first=first, last=last)
    cur = report.base
    rows = [
        {
            "month": m.month.strftime("%Y-%m"),
            "category": m.category,
            "spent": _amount(m.spent, cur),
            "income": _amount(m.income, cur),
            "budget": _amount(m.budget, cur),
            "carried": _amount(m.carried, cur),
            "left": _amount(m.left, cur),
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
@click.option("--prices", type=click.Path(dir_okay=False, path_type=Path), help=_PRICES_HELP)
@click.option("--offline", is_flag=True, help=_OFFLINE_HELP)
@click.pass_obj
def insights(
    opts: Options, since: datetime | None, base: str, prices: Path | None, offline: bool
) -> None:
    """What stands out: outliers (median and MAD), new recipients, spikes, changed subscriptions."""
    start: date = since.date() if since else datetime.now(UTC).date() - timedelta(days=30)
    with errors(opts):
        table_ = _table(prices)
    with open_wallet(opts, reads_only=True) as wallet, errors(opts):
        lookup = _lookup(wallet, table_, offline)
        found = wallet.budgets.insights(_base(base), lookup, since=start)
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


COMMANDS: tuple[click.Command, ...] = (tax, budget, insights)
