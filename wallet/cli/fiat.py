"""``coffer fiat add|import|list|entry|transfer|link``: fiat accounts, through ``Wallet.fiat``.

Points, tickets and attachments are ``wallet.cli.fiat_items``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import click

from wallet.cli._app import (
    NETWORK,
    Options,
    TextGroup,
    emit,
    errors,
    open_wallet,
    table,
)
from wallet.errors import StatementError, WalletError
from wallet.money.fiat import (
    PRESETS,
    CsvMapping,
    FiatAccount,
    FiatLine,
    ImportReport,
    StatementFormat,
)

__all__ = ["COMMANDS"]

_DATE = click.DateTime(formats=["%Y-%m-%d"])
_SHOWN = 50  # lines of an import report printed one by one; --json lists every one


def _day(value: dt.datetime | None) -> dt.date | None:
    return None if value is None else value.date()


def _account_row(a: FiatAccount) -> dict[str, Any]:
    return {
        "name": a.name,
        "kind": a.kind.value,
        "currency": a.currency,
        "institution": a.institution,
        "number": a.number,
        "opening_balance": f"{a.opening_balance}",
        "balance": f"{a.balance}",
        "statement_balance": None if a.statement_balance is None else f"{a.statement_balance}",
        "statement_date": None if a.statement_date is None else a.statement_date.isoformat(),
    }


def _line_row(line: FiatLine) -> dict[str, Any]:
    return {
        "id": line.id,
        "date": line.booked.isoformat(),
        "amount": f"{line.amount}",
        "currency": line.currency,
        "payee": line.payee,
        "memo": line.memo,
        "reference": line.reference,
        "origin": line.origin,
        "transfer": line.transfer_id,
        "chain_network": line.chain_network,
        "chain_txid": line.chain_txid,
    }


@click.group(cls=TextGroup)
def fiat() -> None:
    """Bank, card and cash accounts, their statements, entries and transfers."""


@fiat.command("add")
@click.argument("name")
@click.option("--currency", required=True, help="ISO 4217 code: EUR, USD, JPY...")
@click.option("--kind", type=click.Choice(["bank", "card", "cash"]), default="bank")
@click.option("--institution", default="", help="The bank or card issuer.")
@click.option("--number", default="", help="Account number or IBAN (other statements refused).")
@click.option("--opening", default="0", help="The balance before the first line.")
@click.pass_obj
def fiat_add(
    opts: Options, name: str, currency: str, kind: str, institution: str, number: str, opening: str
) -> None:
    """Add a fiat account NAME."""
    with open_wallet(opts) as wallet:
        account = wallet.fiat.add_account(
            name,
            currency,
            kind=kind,
            institution=institution,
            number=number,
            opening_balance=opening,
        )
    emit(
        opts,
        _account_row(account),
        lambda: click.echo(
            f"Added {account.kind.value} account {account.name} in {account.currency}, "
            f"balance {account.balance}."
        ),
    )


@fiat.command("edit")
@click.argument("name")
@click.option("--institution", default=None, help="The bank or card issuer.")
@click.option("--number", default=None, help="Account number or IBAN.")
@click.option("--opening", default=None, help="The balance before the first line.")
@click.pass_obj
def fiat_edit(
    opts: Options, name: str, institution: str | None, number: str | None, opening: str | None
) -> None:
    """Change account NAME's institution, number or opening balance."""
    with open_wallet(opts) as wallet:
        if institution is None and number is None and opening is None:
            wallet.fiat.account(name)  # an unknown name is still named as such
            raise WalletError("Give --institution, --number or --opening to change.")
        account = wallet.fiat.edit_account(
            name, institution=institution, number=number, opening_balance=opening
        )
    emit(
        opts,
        _account_row(account),
        lambda: click.echo(
            f"{account.name}: opening balance {account.opening_balance}, "
            f"balance {account.balance} {account.currency}."
        ),
    )


@fiat.command("remove")
@click.argument("name")
@click.option("--yes", is_flag=True, help="Do not ask.")
@click.pass_obj
def fiat_remove(opts: Options, name: str, yes: bool) -> None:
    """Remove account NAME with its lines and the files attached to them."""
    with open_wallet(opts) as wallet:
        account = wallet.fiat.account(name)
        count = len(wallet.fiat.lines(account.name))
        if not yes and not click.confirm(
            f"Remove {account.name} and its {count} line(s)? It cannot be undone.",
            default=False,
            err=True,
        ):
            raise WalletError("Nothing was removed.")
        wallet.fiat.remove_account(account.name)
    emit(
        opts,
        {"removed": account.name, "lines": count},
        lambda: click.echo(f"Removed {account.name} and its {count} line(s)."),
    )


def _mapping(preset: str | None, pairs: tuple[str, ...]) -> CsvMapping | None:
    if preset is None and not pairs:
        return None
    changes: dict[str, str] = {}
    for pair in pairs:
        key, sep, column = pair.partition("=")
        if not sep or not key.strip():
            raise StatementError(f"--map takes FIELD=COLUMN (date=Datum); not {pair[:40]!r}.")
        changes[key.strip()] = column
    if preset is not None and preset not in PRESETS:
        raise StatementError(f"CSV presets are {', '.join(sorted(PRESETS))}; not {preset[:30]!r}.")
    base = PRESETS[preset or "generic"]
    try:
        return base.with_changes(changes)
    except ValueError as err:
        raise StatementError(f"The CSV mapping is refused: {err}") from None


@fiat.command("import")
@click.argument("name")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice([f.value for f in StatementFormat]),
    default=None,
    help="The statement's format (default: told from its content).",
)
@click.option("--preset", default=None, help=f"CSV: {', '.join(sorted(PRESETS))}.")
@click.option(
    "--map",
    "pairs",
    multiple=True,
    help="CSV: FIELD=COLUMN (date, amount, debit, credit, payee, memo, reference, currency), "
    "or date_format=%d.%m.%Y, decimal=',', thousands='.', delimiter=';', skip_lines=N; "
    "repeat it.",
)
@click.option(
    "--dry-run", is_flag=True, help="Show what would be added and matched; write nothing."
)
@click.pass_obj
def fiat_import(
    opts: Options,
    name: str,
    file: Path,
    fmt: str | None,
    preset: str | None,
    pairs: tuple[str, ...],
    dry_run: bool,
) -> None:
    """Import statement FILE (OFX/QFX, camt.053, MT940 or CSV) into account NAME.

    A line already in the account is matched, not added again (each match is explained);
    a malformed file is refused whole, naming the line and field.
    """
    with errors(opts):
        mapping = _mapping(preset, pairs)
    with open_wallet(opts) as wallet:
        report = wallet.fiat.import_statement(name, file, fmt=fmt, mapping=mapping, dry_run=dry_run)
    emit(opts, _report_json(report), lambda: _print_report(report))


def _report_json(report: ImportReport) -> dict[str, Any]:
    return {
        "account": _account_row(report.account),
        "format": report.format.value,
        "source": report.source,
        "dry_run": report.dry_run,
        "added": [_line_row(line) for line in report.added],
        "matched": [
            {
                "line": m.line.line,
                "existing": m.existing.id,
                "score": m.score,
                "reasons": list(m.reasons),
            }
            for m in report.matched
        ],
        "refused": [{"line": r.line.line, "reason": r.reason} for r in report.refused],
        "balance_note": report.balance_note,
    }


def _print_report(report: ImportReport) -> None:
    verb = "Would import" if report.dry_run else "Imported"
    account = report.account
    click.echo(
        f"{verb} {report.source} ({report.format.value}) into {account.name}: "
        f"{len(report.added)} added, {len(report.matched)} matched, "
        f"{len(report.refused)} refused. Balance {account.balance} {account.currency}."
    )
    for line in report.added[:_SHOWN]:
        click.echo(f"  added    {line.booked} {line.amount:>12} {line.payee} {line.memo}".rstrip())
    for m in report.matched[:_SHOWN]:
        click.echo(
            f"  matched  line {m.line.line}: {m.line.booked} {m.line.amount} = #{m.existing.id} "
            f"(score {m.score}: {', '.join(m.reasons)})"
        )
    for r in report.refused[:_SHOWN]:
        click.echo(f"  refused  line {r.line.line}: {r.reason}")
    hidden = sum(max(0, len(x) - _SHOWN) for x in (report.added, report.matched, report.refused))
    if hidden:
        click.echo(f"  ... and {hidden} more (--json lists every line).")
    if report.balance_note:
        click.echo(f"note: {report.balance_note}", err=True)


@fiat.command("list")
@click.argument("name", required=False)
@click.pass_obj
def fiat_list(opts: Options, name: str | None) -> None:
    """List the fiat accounts, or with NAME the lines of that account."""
    with open_wallet(opts, reads_only=True) as wallet:
        if name is None:
            accounts = wallet.fiat.accounts()
            lines: list[FiatLine] = []
        else:
            accounts = [wallet.fiat.account(name)]
            lines = wallet.fiat.lines(name)
    if name is None:
        emit(
            opts,
            [_account_row(a) for a in accounts],
            lambda: table(
                "Fiat accounts",
                ["Name", "Kind", "Balance", "Institution", "Statement"],
                [
                    [
                        a.name,
                        a.kind.value,
                        f"{a.balance} {a.currency}",
                        a.institution,
                        ""
                        if a.statement_date is None
                        else f"{a.statement_balance} on {a.statement_date}",
                    ]
                    for a in accounts
                ],
            ),
        )
        return
    account = accounts[0]
    emit(
        opts,
        {"account": _account_row(account), "lines": [_line_row(line) for line in lines]},
        lambda: table(
            f"{account.name}: {account.balance} {account.currency}",
            ["#", "Date", "Amount", "Payee", "Text", "Link"],
            [
                [
                    str(line.id),
                    line.booked.isoformat(),
                    f"{line.amount}",
                    line.payee,
                    line.memo,
                    f"{line.chain_network}:{line.chain_txid}" if line.chain_txid else "",
                ]
                for line in lines
            ],
        ),
    )


@fiat.command("entry")
@click.argument("name")
@click.argument("date", type=_DATE)
@click.argument("amount")
@click.option("--out", "money_out", is_flag=True, help="Money out: the amount is subtracted.")
@click.option("--payee", default="")
@click.option("--memo", default="")
@click.pass_obj
def fiat_entry(
    opts: Options,
    name: str,
    date: dt.datetime,
    amount: str,
    money_out: bool,
    payee: str,
    memo: str,
) -> None:
    """Add a line to account NAME by hand: DATE (YYYY-MM-DD) and AMOUNT (--out for money out)."""
    with open_wallet(opts) as wallet:
        value: str | Decimal = amount
        if money_out:
            with errors(opts):
                if amount.strip().startswith("-"):
                    raise WalletError("With --out, give the amount without a sign.")
            value = "-" + amount.strip()
        line = wallet.fiat.add_entry(name, date.date(), value, payee=payee, memo=memo)
    emit(opts, _line_row(line), lambda: click.echo(f"Added line #{line.id}: {line.amount}."))


@fiat.command("transfer")
@click.argument("source")
@click.argument("target")
@click.argument("amount")
@click.option("--date", "date", type=_DATE, default=None, help="YYYY-MM-DD (default: today).")
@click.option("--received", default=None, help="What arrives, when the currencies differ.")
@click.option("--memo", default="")
@click.pass_obj
def fiat_transfer(
    opts: Options,
    source: str,
    target: str,
    amount: str,
    date: dt.datetime | None,
    received: str | None,
    memo: str,
) -> None:
    """Move AMOUNT from own account SOURCE to own account TARGET (two linked lines)."""
    day = _day(date) or dt.datetime.now(dt.UTC).date()
    with open_wallet(opts) as wallet:
        out, into = wallet.fiat.transfer(source, target, amount, day, received=received, memo=memo)
    emit(
        opts,
        {"out": _line_row(out), "in": _line_row(into)},
        lambda: click.echo(
            f"Moved {-out.amount} {out.currency} from {source} to {target} "
            f"({into.amount} {into.currency} received)."
        ),
    )


@fiat.command("remove-line")
@click.argument("line_id", type=click.IntRange(1, 2**62))
@click.pass_obj
def fiat_remove_line(opts: Options, line_id: int) -> None:
    """Remove line LINE_ID (both lines of a transfer) and the files attached to it."""
    with open_wallet(opts) as wallet:
        removed = wallet.fiat.remove_line(line_id)
    emit(
        opts,
        {"removed": [_line_row(ln) for ln in removed]},
        lambda: click.echo(
            "Removed "
            + ", ".join(f"#{ln.id} ({ln.booked} {ln.amount} {ln.currency})" for ln in removed)
            + "."
        ),
    )


@fiat.command("link")
@click.argument("line_id", type=click.IntRange(1, 2**62))
@click.argument("network", type=NETWORK)
@click.argument("txid")
@click.pass_obj
def fiat_link(opts: Options, line_id: int, network: str, txid: str) -> None:
    """Link fiat line LINE_ID to the chain transaction TXID on NETWORK it bought or sold."""
    with open_wallet(opts) as wallet:
        line = wallet.fiat.link_transaction(line_id, network, txid)
    emit(
        opts,
        _line_row(line),
        lambda: click.echo(f"Linked line #{line.id} to {line.chain_network} {line.chain_txid}."),
    )


COMMANDS: tuple[click.Command, ...] = (fiat,)
