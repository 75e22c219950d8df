"""``coffer points``, ``coffer tickets``, ``coffer attach TARGET FILE``, ``coffer attachments``.

Loyalty programmes, tickets and the files attached to transactions, through ``Wallet.fiat``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import click

from wallet.accounts import EvmAccount
from wallet.cli._app import (
    NETWORK,
    Options,
    TextCommand,
    TextGroup,
    emit,
    open_wallet,
    table,
)
from wallet.errors import WalletError
from wallet.money.fiat import (
    Attachment,
    PointsProgramme,
    Ticket,
    find_collectible,
)
from wallet.networks import EvmNetwork, network_info

__all__ = ["COMMANDS"]

_DATE = click.DateTime(formats=["%Y-%m-%d"])
_WHEN = click.DateTime(formats=["%Y-%m-%d", "%Y-%m-%dT%H:%M"])


def _day(value: dt.datetime | None) -> dt.date | None:
    return None if value is None else value.date()


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
@click.argument("date", type=_WHEN, metavar="DATE")
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


@tickets.command("mark")
@click.argument("network", type=NETWORK)
@click.argument("item")
@click.argument("event")
@click.argument("date", type=_WHEN, metavar="DATE")
@click.option("--venue", default="")
@click.option("--seat", default="")
@click.pass_obj
def tickets_mark(
    opts: Options, network: str, item: str, event: str, date: dt.datetime, venue: str, seat: str
) -> None:
    """Mark collectible ITEM (CONTRACT:TOKEN_ID, as coffer nfts lists it) as a ticket.

    The item must be held by one of the wallet's accounts on NETWORK at its last sync.
    """
    starts: dt.date | dt.datetime = date if (date.hour, date.minute) != (0, 0) else date.date()
    with open_wallet(opts) as wallet:
        if not isinstance(network_info(network), EvmNetwork):
            raise WalletError(f"{network} is not an EVM network; collectibles are on EVM ones.")
        accounts = [a for a in wallet.accounts(network) if isinstance(a, EvmAccount)]
        if not accounts:
            raise WalletError(f"This wallet has no account on {network}.")
        collectible = find_collectible([c for a in accounts for c in a.nfts()], item)
        ticket = wallet.fiat.tickets.mark_collectible(
            collectible, event, starts, venue=venue, seat=seat
        )
    emit(opts, _ticket_row(ticket), lambda: click.echo(f"Marked as ticket #{ticket.id}."))


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
                    f"NFT {t.nft[1]} #{t.nft[2]}"
                    if t.nft
                    else ", ".join(a.file_name for a in t.attachments),
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
    """List, export and remove the files attached to transactions and tickets."""


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


@attachments.command("remove")
@click.argument("attachment_id", type=click.IntRange(1, 2**62))
@click.pass_obj
def attachments_remove(opts: Options, attachment_id: int) -> None:
    """Remove attachment ATTACHMENT_ID from the wallet."""
    with open_wallet(opts) as wallet:
        wallet.fiat.attachments.remove(attachment_id)
    emit(
        opts,
        {"removed": attachment_id},
        lambda: click.echo(f"Removed attachment #{attachment_id}."),
    )


COMMANDS: tuple[click.Command, ...] = (points, tickets, attach, attachments)
