"""Commands of money: ``coffer tax``; ``coffer budget`` and ``insights`` come from ``budget``.

Prices are the wallet's price service (daily closes, cached in the wallet; ``--offline``
answers from the cache alone), or a price table (``--prices FILE``, CSV
``date,asset,base,price``). A value without a price is unknown, flagged and listed, never
taken as zero.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click

from wallet.cli._app import Options, emit, errors, open_wallet, table
from wallet.cli._money_io import (
    OFFLINE_HELP,
    PRICES_HELP,
    amount_text,
    base_code,
    check_writable,
    price_lookup,
    price_table,
    write_text,
)
from wallet.cli.budget import budget, insights
from wallet.money.tax import Disposal, LotUse, koinly_csv, money, report_csv

__all__ = ["COMMANDS"]


def _use_data(use: LotUse, currency: str) -> dict[str, str | None]:
    return {
        "acquired": None if use.acquired is None else use.acquired.astimezone(UTC).isoformat(),
        "quantity": format(use.quantity, "f"),
        "cost": amount_text(use.cost, currency),
        "txid": use.ref,
    }


def _disposal_data(d: Disposal, currency: str) -> dict[str, object]:
    return {
        "date": d.when.astimezone(UTC).isoformat(),
        "asset": d.asset,
        "account": d.account,
        "kind": d.kind,
        "quantity": format(d.quantity, "f"),
        "proceeds": amount_text(d.proceeds, currency),
        "cost": amount_text(d.cost, currency),
        "gain": amount_text(d.gain, currency),
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
            amount_text(d.proceeds, currency) or "?",
            amount_text(d.cost, currency) or "?",
            amount_text(d.gain, currency) or "?",
        ]
    ]
    for use in d.uses:
        acquired = "no lot" if use.acquired is None else use.acquired.astimezone(UTC).date()
        cost = amount_text(use.cost, currency) or "?"
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
@click.option("--prices", type=click.Path(dir_okay=False, path_type=Path), help=PRICES_HELP)
@click.option("--offline", is_flag=True, help=OFFLINE_HELP)
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
        table_ = price_table(prices)
        if out is not None:
            check_writable(out)
    with open_wallet(opts, reads_only=True) as wallet, errors(opts):
        start = (year_start.month, year_start.day)
        lookup = price_lookup(wallet, table_, offline)
        report = wallet.tax_report(
            year, lookup, method=method, pooling=pooling, base=base_code(base), year_start=start
        )
        if out is not None:
            found = wallet.tax_events(lookup, base_code(base))
            text = report_csv(report) if fmt == "coffer" else koinly_csv(found.events, report.base)
            write_text(out, text)
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


COMMANDS: tuple[click.Command, ...] = (tax, budget, insights)
