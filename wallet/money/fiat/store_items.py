"""The stores of points programmes, tickets and attachments: the only SQL on their tables.

Attachments are BLOBs inside the SQLCipher file, so they are encrypted with everything else.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from wallet.errors import FiatAccountNotFound, WalletError
from wallet.money.fiat.points_types import PointsProgramme
from wallet.storage import WalletDatabase

__all__ = ["AttachmentRow", "AttachmentStore", "PointsStore", "TicketRow", "TicketStore"]


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


def _day(text: str | None) -> dt.date | None:
    return None if text is None else dt.date.fromisoformat(text)


class PointsStore:
    """Loyalty programmes in the wallet file."""

    def __init__(self, database: WalletDatabase) -> None:
        """Bind to the wallet database."""
        self._db = database

    def save(self, programme: PointsProgramme, *, new: bool) -> PointsProgramme:
        """Insert (``new``) or update a programme by name; return it as stored.

        Raises:
            WalletError: ``new`` and the name is taken.
            FiatAccountNotFound: not ``new`` and no programme has that name.
        """
        values = (
            f"{programme.balance}",
            None if programme.expires is None else programme.expires.isoformat(),
            None if programme.value_per_point is None else f"{programme.value_per_point}",
            programme.value_currency,
        )
        with self._db.transaction():
            exists = self._db.query(
                "SELECT id FROM points_programmes WHERE name = ?", (programme.name,)
            )
            if new and exists:
                raise WalletError(f"There is already a programme named {programme.name!r}.")
            if not new and not exists:
                raise FiatAccountNotFound(f"There is no points programme named {programme.name!r}.")
            if new:
                self._db.execute(
                    "INSERT INTO points_programmes(name, balance, expires, value_per_point, "
                    "value_currency) VALUES (?, ?, ?, ?, ?)",
                    (programme.name, *values),
                )
            else:
                self._db.execute(
                    "UPDATE points_programmes SET balance = ?, expires = ?, value_per_point = ?, "
                    "value_currency = ? WHERE name = ?",
                    (*values, programme.name),
                )
        return self.get(programme.name)

    def get(self, name: str) -> PointsProgramme:
        """Return the programme named ``name``.

        Raises:
            FiatAccountNotFound: none has that name.
        """
        rows = self._db.query(
            "SELECT id, name, balance, expires, value_per_point, value_currency "
            "FROM points_programmes WHERE name = ?",
            (name,),
        )
        if not rows:
            shown = name if len(name) <= 40 else name[:40] + "..."
            raise FiatAccountNotFound(f"There is no points programme named {shown!r}.")
        return _programme(rows[0])

    def all(self) -> list[PointsProgramme]:
        """Return every programme, by name."""
        rows = self._db.query(
            "SELECT id, name, balance, expires, value_per_point, value_currency "
            "FROM points_programmes ORDER BY name"
        )
        return [_programme(r) for r in rows]

    def remove(self, name: str) -> None:
        """Remove a programme.

        Raises:
            FiatAccountNotFound: none has that name.
        """
        self.get(name)
        self._db.execute("DELETE FROM points_programmes WHERE name = ?", (name,))


def _programme(row: tuple[Any, ...]) -> PointsProgramme:
    return PointsProgramme(
        int(row[0]),
        str(row[1]),
        Decimal(row[2]),
        _day(row[3]),
        None if row[4] is None else Decimal(row[4]),
        row[5],
    )


@dataclass(frozen=True, slots=True)
class TicketRow:
    """A ticket as stored (``wallet.money.fiat.tickets.Ticket`` adds its attachments)."""

    id: int
    event: str
    starts: str
    venue: str
    seat: str
    nft_network: str | None
    nft_contract: str | None
    nft_token_id: str | None


class TicketStore:
    """Tickets in the wallet file."""

    def __init__(self, database: WalletDatabase) -> None:
        """Bind to the wallet database."""
        self._db = database

    def add(self, row: TicketRow) -> int:
        """Store a ticket; return its number.

        Raises:
            WalletError: that NFT is already a ticket.
        """
        if row.nft_contract is not None and self._db.query(
            "SELECT 1 FROM tickets WHERE nft_network = ? AND nft_contract = ? AND nft_token_id = ?",
            (row.nft_network, row.nft_contract, row.nft_token_id),
        ):
            raise WalletError("That collectible is already marked as a ticket.")
        return self._db.execute(
            "INSERT INTO tickets(event, starts, venue, seat, nft_network, nft_contract, "
            "nft_token_id) VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                row.event,
                row.starts,
                row.venue,
                row.seat,
                row.nft_network,
                row.nft_contract,
                row.nft_token_id,
            ),
        )

    def all(self) -> list[TicketRow]:
        """Return every ticket, by start then number."""
        rows = self._db.query(
            "SELECT id, event, starts, venue, seat, nft_network, nft_contract, nft_token_id "
            "FROM tickets ORDER BY starts, id"
        )
        return [TicketRow(*r) for r in rows]

    def get(self, ticket_id: int) -> TicketRow:
        """Return one ticket.

        Raises:
            FiatAccountNotFound: no ticket has that number.
        """
        rows = self._db.query(
            "SELECT id, event, starts, venue, seat, nft_network, nft_contract, nft_token_id "
            "FROM tickets WHERE id = ?",
            (ticket_id,),
        )
        if not rows:
            raise FiatAccountNotFound(f"There is no ticket number {ticket_id}.")
        return TicketRow(*rows[0])

    def remove(self, ticket_id: int) -> None:
        """Remove a ticket and its attachments."""
        with self._db.transaction():
            self._db.execute(
                "DELETE FROM attachments WHERE target_kind = 'ticket' AND target_ref = ?",
                (str(ticket_id),),
            )
            self._db.execute("DELETE FROM tickets WHERE id = ?", (ticket_id,))


@dataclass(frozen=True, slots=True)
class AttachmentRow:
    """An attachment's record, without its bytes."""

    id: int
    target_kind: str
    target_ref: str
    file_name: str
    content_type: str
    size: int
    sha256: str
    invoice_amount: str | None
    invoice_currency: str | None
    invoice_date: str | None
    invoice_seller: str | None
    invoice_note: str | None
    added_at: str


_ATTACHMENT_COLUMNS = (
    "id, target_kind, target_ref, file_name, content_type, size, sha256, invoice_amount, "
    "invoice_currency, invoice_date, invoice_seller, invoice_note, added_at"
)

_SELECT_ATTACHMENTS = f"SELECT {_ATTACHMENT_COLUMNS} FROM attachments"  # noqa: S608 - constants
_INSERT_ATTACHMENT = (
    "INSERT INTO attachments(target_kind, target_ref, file_name, content_type, size, sha256, "
    "invoice_amount, invoice_currency, invoice_date, invoice_seller, invoice_note, added_at, "
    "data) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


class AttachmentStore:
    """Files attached to transactions and tickets, inside the encrypted wallet file."""

    def __init__(self, database: WalletDatabase) -> None:
        """Bind to the wallet database."""
        self._db = database

    def add(self, row: AttachmentRow, data: bytes) -> int:
        """Store a file with its record; return its number."""
        return self._db.execute(
            _INSERT_ATTACHMENT,
            (
                row.target_kind,
                row.target_ref,
                row.file_name,
                row.content_type,
                row.size,
                row.sha256,
                row.invoice_amount,
                row.invoice_currency,
                row.invoice_date,
                row.invoice_seller,
                row.invoice_note,
                _now(),
                data,
            ),
        )

    def rows(
        self, target_kind: str | None = None, target_ref: str | None = None
    ) -> list[AttachmentRow]:
        """Return the records (of one target, or all), by number."""
        if target_kind is None:
            rows = self._db.query(_SELECT_ATTACHMENTS + " ORDER BY id")
        else:
            rows = self._db.query(
                _SELECT_ATTACHMENTS + " WHERE target_kind = ? AND target_ref = ? ORDER BY id",
                (target_kind, target_ref or ""),
            )
        return [AttachmentRow(*r) for r in rows]

    def row(self, attachment_id: int) -> AttachmentRow:
        """Return one record.

        Raises:
            FiatAccountNotFound: no attachment has that number.
        """
        rows = self._db.query(_SELECT_ATTACHMENTS + " WHERE id = ?", (attachment_id,))
        if not rows:
            raise FiatAccountNotFound(f"There is no attachment number {attachment_id}.")
        return AttachmentRow(*rows[0])

    def data(self, attachment_id: int) -> bytes:
        """Return a file's bytes.

        Raises:
            FiatAccountNotFound: no attachment has that number.
        """
        rows = self._db.query("SELECT data FROM attachments WHERE id = ?", (attachment_id,))
        if not rows:
            raise FiatAccountNotFound(f"There is no attachment number {attachment_id}.")
        return bytes(rows[0][0])

    def remove(self, attachment_id: int) -> None:
        """Remove an attachment.

        Raises:
            FiatAccountNotFound: no attachment has that number.
        """
        self.row(attachment_id)
        self._db.execute("DELETE FROM attachments WHERE id = ?", (attachment_id,))
