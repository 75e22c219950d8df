"""``TicketBook`` (``Wallet.fiat.tickets``): event tickets, and NFTs the user marks as tickets.

A ticket may carry files (the PDF or the wallet pass image), stored as attachments of the
ticket. An ERC-721/1155 item the EVM accounts found (``wallet.evm.types.Collectible``) is
marked as a ticket by its network, contract and token id; the collectible itself stays the
EVM family's.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass

from wallet.errors import WalletError
from wallet.evm.types import Collectible
from wallet.money.fiat.attachments import Attachment, AttachmentBook
from wallet.money.fiat.store_items import TicketRow, TicketStore
from wallet.storage import WalletDatabase

__all__ = ["Ticket", "TicketBook", "find_collectible"]

_ITEM = re.compile(r"(0x[0-9a-fA-F]{40}):([0-9]{1,78})")


@dataclass(frozen=True, slots=True)
class Ticket:
    """A ticket.

    Attributes:
        id: its number in the wallet.
        event: the event.
        starts: when it starts (a date, or a date and time).
        venue: where.
        seat: the seat, row or block, or ``""``.
        nft: ``(network, contract, token id)`` when the ticket is an NFT, else ``None``.
        attachments: the files attached to it.
    """

    id: int
    event: str
    starts: dt.date | dt.datetime
    venue: str
    seat: str
    nft: tuple[str, str, int] | None
    attachments: tuple[Attachment, ...] = ()


def find_collectible(held: Iterable[Collectible], item: str) -> Collectible:
    """Return the collectible ``CONTRACT:TOKEN_ID`` among ``held`` (EVM accounts' ``nfts()``).

    Args:
        held: the items the accounts held at their last sync.
        item: ``0x`` and the 40 hex digits of the contract, ``:``, the token id in decimal.

    Raises:
        WalletError: ``item`` is malformed, or none of ``held`` is that item.
    """
    found = _ITEM.fullmatch(item.strip())
    if found is None or int(found[2]) >= 2**256:
        raise WalletError(
            "An item is CONTRACT:TOKEN_ID: 0x and 40 hex digits, a colon, a whole number."
        )
    contract, token_id = found[1].lower(), int(found[2])
    for collectible in held:
        if collectible.contract.lower() == contract and collectible.token_id == token_id:
            return collectible
    raise WalletError(
        f"No account held {contract} #{token_id} at its last sync (coffer nfts lists them)."
    )


def _text(value: str, what: str, *, required: bool = False) -> str:
    text = value.strip()
    if (required and not text) or len(text) > 200 or not (text.isprintable() or not text):
        raise WalletError(f"The {what} is one line of at most 200 characters.")
    return text


class TicketBook:
    """The wallet's tickets."""

    def __init__(self, database: WalletDatabase) -> None:
        """Bind to the wallet database."""
        self._store = TicketStore(database)
        self._files = AttachmentBook(database)

    def add(
        self,
        event: str,
        starts: dt.date | dt.datetime,
        *,
        venue: str = "",
        seat: str = "",
        file: str | os.PathLike[str] | None = None,
    ) -> Ticket:
        """Add a ticket, with its file if given (checked like any attachment).

        Raises:
            WalletError: an empty event, or a start that is not a date.
            AttachmentTooLarge, AttachmentTypeMismatch: the file is refused (no ticket made).
        """
        row = self._row(event, starts, venue, seat, None)
        if file is not None:
            prepared = self._files.prepare(file)  # checked before anything is written
        ticket_id = self._store.add(row)
        if file is not None:
            self._files.store_prepared("ticket", str(ticket_id), prepared)
        return self.get(ticket_id)

    def mark_collectible(
        self,
        collectible: Collectible,
        event: str,
        starts: dt.date | dt.datetime,
        *,
        venue: str = "",
        seat: str = "",
    ) -> Ticket:
        """List an ERC-721/1155 item the EVM account holds as a ticket.

        Raises:
            WalletError: it is already a ticket, or the event or start is missing.
        """
        nft = (collectible.network, collectible.contract.lower(), str(collectible.token_id))
        return self.get(self._store.add(self._row(event, starts, venue, seat, nft)))

    def tickets(self) -> list[Ticket]:
        """Return every ticket, by start."""
        return [self._ticket(row) for row in self._store.all()]

    def get(self, ticket_id: int) -> Ticket:
        """Return one ticket.

        Raises:
            FiatAccountNotFound: no ticket has that number.
        """
        return self._ticket(self._store.get(ticket_id))

    def remove(self, ticket_id: int) -> None:
        """Remove a ticket and its files.

        Raises:
            FiatAccountNotFound: no ticket has that number.
        """
        self._store.get(ticket_id)
        self._store.remove(ticket_id)

    def _row(
        self,
        event: str,
        starts: dt.date | dt.datetime,
        venue: str,
        seat: str,
        nft: tuple[str, str, str] | None,
    ) -> TicketRow:
        if not isinstance(starts, dt.date):
            raise WalletError("A ticket's start is a date or a datetime.")
        return TicketRow(
            0,
            _text(event, "event", required=True),
            starts.isoformat(),
            _text(venue, "venue"),
            _text(seat, "seat"),
            *(nft or (None, None, None)),
        )

    def _ticket(self, row: TicketRow) -> Ticket:
        starts: dt.date | dt.datetime = (
            dt.datetime.fromisoformat(row.starts)
            if "T" in row.starts
            else dt.date.fromisoformat(row.starts)
        )
        nft = (
            (row.nft_network, row.nft_contract, int(row.nft_token_id))
            if row.nft_network and row.nft_contract and row.nft_token_id is not None
            else None
        )
        files = tuple(self._files.list(f"ticket:{row.id}"))
        return Ticket(row.id, row.event, starts, row.venue, row.seat, nft, files)
