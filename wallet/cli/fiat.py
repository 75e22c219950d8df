"""Commands of money outside the chains: ``coffer fiat``, ``points``, ``tickets``, ``attach``.

``coffer fiat add|import|list|entry|transfer|link``, ``coffer points add|set|list|remove``,
``coffer tickets add|list|remove``, ``coffer attach TARGET FILE`` and ``coffer attachments
list|export``. Every one goes through ``Wallet.fiat``.
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
    TextCommand,
    TextGroup,
    emit,
    errors,
    open_wallet,
    table,
)
from wallet.errors import StatementError, WalletError
from wallet.money.fiat import (
    PRESETS,
    Attachment,
    CsvMapping,
    FiatAccount,
    FiatLine,
    ImportReport,
    PointsProgramme,
    StatementFormat,
    Ticket,
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


# -- points ---------------------------------------------------------------------------------


def _programme_row(p: PointsProgramme) -> dict[str, Any]:
    return {
        "name": p.name,
        "balance": f"{p.balance}",
        "expires": None if p.expires is None else p.expires.isoformat(),
        "value_per_point": None if p.value_per_point is None else f"{p.value_per_point}",
        "value_currency": p.value_currency,
    }


@click.group(cls=TextGroup)
def points() -> None:
    """Loyalty programmes: points, expiry, and what a point is worth."""


@points.command("add")
@click.argument("name")
@click.argument("balance")
@click.option("--expires", type=_DATE, default=None, help="YYYY-MM-DD.")
@click.option("--value", default=None, help="What one point is worth (needs --currency).")
@click.option("--currency", default=None, help="The currency of --value.")
@click.pass_obj
def points_add(
    opts: Options,
    name: str,
    balance: str,
    expires: dt.datetime | None,
    value: str | None,
    currency: str | None,
) -> None:
    """Add programme NAME with BALANCE points."""
    with open_wallet(opts) as wallet:
        programme = wallet.fiat.points.add(
            name, balance, expires=_day(expires), value_per_point=value, value_currency=currency
        )
    emit(opts, _programme_row(programme), lambda: click.echo(f"Added {programme.name}."))


@points.command("set")
@click.argument("name")
@click.argument("balance")
@click.pass_obj
def points_set(opts: Options, name: str, balance: str) -> None:
    """Set the BALANCE of programme NAME."""
    with open_wallet(opts) as wallet:
        programme = wallet.fiat.points.update(name, balance=balance)
    emit(
        opts,
        _programme_row(programme),
        lambda: click.echo(f"{programme.name}: {programme.balance} points."),
    )


@points.command("list")
@click.pass_obj
def points_list(opts: Options) -> None:
    """List the programmes with their balance, expiry and value."""
    today = dt.datetime.now(dt.UTC).date()
    with open_wallet(opts, reads_only=True) as wallet:
        programmes = wallet.fiat.points.programmes()
    emit(
        opts,
        [_programme_row(p) for p in programmes],
        lambda: table(
            "Points",
            ["Programme", "Points", "Expires", "Worth"],
            [
                [
                    p.name,
                    f"{p.balance}",
                    ("" if p.expires is None else p.expires.isoformat())
                    + (" (expired)" if p.expired(today) else ""),
                    "" if p.value_currency is None else f"{p.value_on(today)} {p.value_currency}",
                ]
                for p in programmes
            ],
        ),
    )


@points.command("remove")
@click.argument("name")
@click.pass_obj
def points_remove(opts: Options, name: str) -> None:
    """Remove programme NAME."""
    with open_wallet(opts) as wallet:
        wallet.fiat.points.remove(name)
    emit(opts, {"removed": name}, lambda: click.echo(f"Removed {name}."))


# -- tickets --------------------------------------------------------------------------------


def _attachment_row(a: Attachment) -> dict[str, Any]:
    invoice = a.invoice
    return {
        "id": a.id,
        "target": a.target,
        "file_name": a.file_name,
        "content_type": a.content_type,
        "size": a.size,
        "sha256": a.sha256,
        "invoice": None
        if invoice is None
        else {
            "amount": None if invoice.amount is None else f"{invoice.amount}",
            "currency": invoice.currency,
            "date": None if invoice.issued is None else invoice.issued.isoformat(),
            "seller": invoice.seller,
        },
        "note": a.note,
    }


def _ticket_row(t: Ticket) -> dict[str, Any]:
    return {
        "id": t.id,
        "event": t.event,
        "starts": t.starts.isoformat(),
        "venue": t.venue,
        "seat": t.seat,
        "nft": None
        if t.nft is None
        else {"network": t.nft[0], "contract": t.nft[1], "token_id": str(t.nft[2])},
        "attachments": [_attachment_row(a) for a in t.attachments],
    }


@click.group(cls=TextGroup)
def tickets() -> None:
    """Event tickets, with their files; NFTs marked as tickets."""


@tickets.command("add")
@click.argument("event")
@click.argument("date", type=click.DateTime(formats=["%Y-%m-%d", "%Y-%m-%dT%H:%M"]))
@click.option("--venue", default="")
@click.option("--seat", default="")
@click.option(
    "--file",
    "file",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The ticket's PDF or image.",
)
@click.pass_obj
def tickets_add(
    opts: Options, event: str, date: dt.datetime, venue: str, seat: str, file: Path | None
) -> None:
    """Add a ticket for EVENT on DATE (YYYY-MM-DD or YYYY-MM-DDTHH:MM)."""
    starts: dt.date | dt.datetime = date if (date.hour, date.minute) != (0, 0) else date.date()
    with open_wallet(opts) as wallet:
        ticket = wallet.fiat.tickets.add(event, starts, venue=venue, seat=seat, file=file)
    emit(opts, _ticket_row(ticket), lambda: click.echo(f"Added ticket #{ticket.id}."))


@tickets.command("list")
@click.pass_obj
def tickets_list(opts: Options) -> None:
    """List the tickets."""
    with open_wallet(opts, reads_only=True) as wallet:
        found = wallet.fiat.tickets.tickets()
    emit(
        opts,
        [_ticket_row(t) for t in found],
        lambda: table(
            "Tickets",
            ["#", "Event", "When", "Venue", "Seat", "Files"],
            [
                [
                    str(t.id),
                    t.event,
                    t.starts.isoformat(),
                    t.venue,
                    t.seat,
                    "NFT" if t.nft else ", ".join(a.file_name for a in t.attachments),
                ]
                for t in found
            ],
        ),
    )


@tickets.command("remove")
@click.argument("ticket_id", type=click.IntRange(1, 2**62))
@click.pass_obj
def tickets_remove(opts: Options, ticket_id: int) -> None:
    """Remove ticket TICKET_ID and its files."""
    with open_wallet(opts) as wallet:
        wallet.fiat.tickets.remove(ticket_id)
    emit(opts, {"removed": ticket_id}, lambda: click.echo(f"Removed ticket #{ticket_id}."))


# -- attachments ----------------------------------------------------------------------------


@click.command(cls=TextCommand)
@click.argument("target")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--type",
    "content_type",
    default=None,
    help="The type claimed (application/pdf, image/png...); default by its name.",
)
@click.pass_obj
def attach(opts: Options, target: str, file: Path, content_type: str | None) -> None:
    """Attach a receipt or e-invoice FILE to TARGET: a txid, line:ID or ticket:ID.

    Stored encrypted in the wallet; a Factur-X/ZUGFeRD or UBL invoice is read for amount,
    date and seller.
    """
    with open_wallet(opts) as wallet:
        attached = wallet.fiat.attachments.attach(target, file, content_type=content_type)

    def human() -> None:
        click.echo(f"Attached {attached.file_name} as #{attached.id} to {attached.target}.")
        if attached.invoice is not None:
            inv = attached.invoice
            click.echo(f"Invoice: {inv.amount} {inv.currency or ''} on {inv.issued}, {inv.seller}")
        elif attached.note:
            click.echo(f"note: {attached.note}.", err=True)

    emit(opts, _attachment_row(attached), human)


@click.group(cls=TextGroup)
def attachments() -> None:
    """List and export the files attached to transactions and tickets."""


@attachments.command("list")
@click.argument("target", required=False)
@click.pass_obj
def attachments_list(opts: Options, target: str | None) -> None:
    """List the attachments (of TARGET, or all)."""
    with open_wallet(opts, reads_only=True) as wallet:
        found = wallet.fiat.attachments.list(target)
    emit(
        opts,
        [_attachment_row(a) for a in found],
        lambda: table(
            "Attachments",
            ["#", "On", "File", "Type", "Bytes", "Invoice"],
            [
                [
                    str(a.id),
                    a.target,
                    a.file_name,
                    a.content_type,
                    str(a.size),
                    ""
                    if a.invoice is None
                    else f"{a.invoice.amount} {a.invoice.currency or ''} {a.invoice.seller}",
                ]
                for a in found
            ],
        ),
    )


@attachments.command("export")
@click.argument("attachment_id", type=click.IntRange(1, 2**62))
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_obj
def attachments_export(opts: Options, attachment_id: int, file: Path) -> None:
    """Write attachment ATTACHMENT_ID to a new FILE."""
    with open_wallet(opts, reads_only=True) as wallet:
        written = wallet.fiat.attachments.export(attachment_id, file)
    emit(opts, {"id": attachment_id, "file": str(written)}, lambda: click.echo(f"Wrote {written}."))


COMMANDS: tuple[click.Command, ...] = (fiat, points, tickets, attach, attachments)
