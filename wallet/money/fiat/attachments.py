"""``AttachmentBook`` (``Wallet.fiat.attachments``): receipts and e-invoices on transactions.

A file is attached to a fiat line (``line:ID``), a chain transaction (its txid) or a ticket
(``ticket:ID``). It is checked before anything is written: at most ``MAX_ATTACHMENT_BYTES``,
and its first bytes must be the type it claims (by its name's suffix or the caller's
``content_type``): PDF, PNG, JPEG, WebP, GIF or XML. An XML e-invoice (Factur-X/ZUGFeRD CII or
UBL), or a PDF that embeds one, is read for amount, date and seller. The bytes live inside the
SQLCipher wallet file, encrypted with the rest, and come back out with ``export``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import stat
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from wallet.errors import (
    AttachmentTooLarge,
    AttachmentTypeMismatch,
    WalletError,
)
from wallet.money.fiat.facturx import Invoice, read_invoice_pdf, read_invoice_xml
from wallet.money.fiat.safexml import XmlRefused
from wallet.money.fiat.store import FiatStore
from wallet.money.fiat.store_items import AttachmentRow, AttachmentStore, TicketStore
from wallet.storage import WalletDatabase

__all__ = ["CONTENT_TYPES", "MAX_ATTACHMENT_BYTES", "Attachment", "AttachmentBook", "Prepared"]

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
"""The largest file attached (a scanned receipt or an invoice PDF is far smaller)."""

CONTENT_TYPES: dict[str, str] = {
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".webp": "image/webp",
    ".gif": "image/gif",
    ".xml": "application/xml",
}
"""The types accepted, by file name suffix."""

_TXID = re.compile(r"(0x)?[0-9a-f]{64}")


def _sniff(data: bytes) -> str | None:
    """Return the content type the first bytes show, or ``None``."""
    if data.startswith(b"%PDF-"):
        return "application/pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        return "application/xml"
    return None


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file attached to a transaction or a ticket.

    Attributes:
        id: its number in the wallet.
        target: what it is attached to: ``tx:TXID``, ``line:ID`` or ``ticket:ID``.
        file_name: the file's name.
        content_type: its type (checked by its first bytes).
        size: its size in bytes.
        sha256: its SHA-256, hex.
        invoice: what an e-invoice in it says, if it is or embeds one.
        note: why no invoice was read from a PDF, or ``""``.
        added: when it was attached (UTC).
    """

    id: int
    target: str
    file_name: str
    content_type: str
    size: int
    sha256: str
    invoice: Invoice | None
    note: str
    added: dt.datetime


@dataclass(frozen=True, slots=True)
class Prepared:
    """A file checked for attaching, not stored yet (``AttachmentBook.prepare``)."""

    file_name: str
    content_type: str
    data: bytes
    invoice: Invoice | None
    note: str


class AttachmentBook:
    """The files attached to the wallet's transactions and tickets."""

    def __init__(self, database: WalletDatabase) -> None:
        """Bind to the wallet database."""
        self._store = AttachmentStore(database)
        self._lines = FiatStore(database)
        self._tickets = TicketStore(database)

    def prepare(
        self,
        file: str | os.PathLike[str] | bytes,
        *,
        file_name: str | None = None,
        content_type: str | None = None,
    ) -> Prepared:
        """Read and check a file, and read the invoice in it; store nothing.

        Args:
            file: a path, or the bytes (then give ``file_name`` or ``content_type``).
            file_name: the name to keep (default: the path's).
            content_type: the type claimed (default: by the name's suffix).

        Raises:
            AttachmentTooLarge: larger than ``MAX_ATTACHMENT_BYTES``.
            AttachmentTypeMismatch: not a type accepted, or its bytes are not the type claimed.
            WalletError: the file cannot be read.
        """
        if isinstance(file, bytes):
            data, name = file, file_name or "attachment"
        else:
            path = Path(file)
            name = file_name or path.name
            data = _read_limited(path)
        if len(data) > MAX_ATTACHMENT_BYTES:
            raise AttachmentTooLarge(
                f"{name} is {len(data):,} bytes; an attachment is at most "
                f"{MAX_ATTACHMENT_BYTES // 2**20} MiB.",
                len(data),
                MAX_ATTACHMENT_BYTES,
            )
        claimed = content_type or CONTENT_TYPES.get(Path(name).suffix.lower())
        found = _sniff(data)
        if claimed is None or claimed not in CONTENT_TYPES.values():
            kinds = "PDF, PNG, JPEG, WebP, GIF or XML"
            raise AttachmentTypeMismatch(
                f"{name}: an attachment is {kinds} (by its name or --type).",
                claimed or "unknown",
                found,
            )
        if found != claimed:
            what = found or "none of the accepted types"
            raise AttachmentTypeMismatch(
                f"{name} claims to be {claimed}, but its content is {what}.", claimed, found
            )
        invoice, note = None, ""
        if claimed == "application/xml":
            try:
                invoice = read_invoice_xml(data)
            except XmlRefused as err:
                raise AttachmentTypeMismatch(
                    f"{name} is not well-formed XML ({err}).", claimed, None
                ) from None
        elif claimed == "application/pdf":
            invoice, note = read_invoice_pdf(data)
        return Prepared(name, claimed, data, invoice, note)

    def attach(
        self,
        target: str,
        file: str | os.PathLike[str] | bytes,
        *,
        file_name: str | None = None,
        content_type: str | None = None,
    ) -> Attachment:
        """Attach a receipt, invoice or picture to a transaction, a fiat line or a ticket.

        Args:
            target: a chain transaction's id, ``line:ID`` for a fiat line, ``ticket:ID``.
            file: a path, or the bytes.
            file_name: the name to keep.
            content_type: the type claimed (default: by the name's suffix).

        Returns:
            The attachment, with the invoice read from it if it is one.

        Raises:
            WalletError: a target that is none of these.
            FiatAccountNotFound: no such fiat line or ticket.
            AttachmentTooLarge, AttachmentTypeMismatch: the file is refused; nothing stored.
        """
        kind, ref = self._target(target)
        return self.store_prepared(
            kind, ref, self.prepare(file, file_name=file_name, content_type=content_type)
        )

    def store_prepared(self, kind: str, ref: str, prepared: Prepared) -> Attachment:
        """Store a prepared file on a target already checked (``tx``, ``line``, ``ticket``)."""
        inv = prepared.invoice
        row = AttachmentRow(
            0,
            kind,
            ref,
            prepared.file_name[:200],
            prepared.content_type,
            len(prepared.data),
            hashlib.sha256(prepared.data).hexdigest(),
            None if inv is None or inv.amount is None else f"{inv.amount}",
            None if inv is None else inv.currency,
            None if inv is None or inv.issued is None else inv.issued.isoformat(),
            None if inv is None else inv.seller,
            prepared.note or None,
            "",
        )
        return self.get(self._store.add(row, prepared.data))

    def list(self, target: str | None = None) -> list[Attachment]:
        """Return the attachments of one target (or all), by number.

        Raises:
            WalletError: a target that is none of the accepted forms.
        """
        if target is None:
            return [_attachment(r) for r in self._store.rows()]
        kind, ref = self._target(target, check=False)
        return [_attachment(r) for r in self._store.rows(kind, ref)]

    def get(self, attachment_id: int) -> Attachment:
        """Return one attachment's record.

        Raises:
            FiatAccountNotFound: no attachment has that number.
        """
        return _attachment(self._store.row(attachment_id))

    def data(self, attachment_id: int) -> bytes:
        """Return an attachment's bytes.

        Raises:
            FiatAccountNotFound: no attachment has that number.
        """
        return self._store.data(attachment_id)

    def export(self, attachment_id: int, path: str | os.PathLike[str]) -> Path:
        """Write an attachment to a new file (readable by its owner only); return its path.

        Raises:
            FiatAccountNotFound: no attachment has that number.
            WalletError: the file exists or cannot be written.
        """
        data = self._store.data(attachment_id)
        target = Path(path)
        try:
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            raise WalletError(f"{target} exists; choose a new file name.") from None
        except OSError as err:
            raise WalletError(f"Cannot write {target}: {err.strerror}.") from None
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        return target

    def remove(self, attachment_id: int) -> None:
        """Remove an attachment.

        Raises:
            FiatAccountNotFound: no attachment has that number.
        """
        self._store.remove(attachment_id)

    def _target(self, target: str, *, check: bool = True) -> tuple[str, str]:
        text = target.strip()
        kind, _, ref = text.partition(":")
        if kind in ("line", "ticket") and ref.isascii() and ref.isdigit() and len(ref) < 12:
            if check and kind == "line":
                self._lines.line(int(ref))
            elif check:
                self._tickets.get(int(ref))
            return kind, str(int(ref))
        txid = (ref if kind == "tx" else text).lower()
        if _TXID.fullmatch(txid):
            return "tx", txid
        raise WalletError(
            "Attach to a transaction id (64 hex digits), line:ID for a fiat line, or "
            "ticket:ID for a ticket."
        )


def _read_limited(path: Path) -> bytes:
    try:
        # Non-blocking open: a named pipe is refused below instead of waiting for a writer.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        os.set_blocking(fd, True)
        with os.fdopen(fd, "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                raise WalletError(f"{path.name} is not a regular file.")
            return handle.read(MAX_ATTACHMENT_BYTES + 1)
    except OSError as err:
        raise WalletError(f"Cannot read {path.name}: {err.strerror or err}.") from None


def _attachment(row: AttachmentRow) -> Attachment:
    invoice = None
    if row.invoice_seller is not None or row.invoice_amount is not None:
        invoice = Invoice(
            "",
            "",
            None if row.invoice_amount is None else Decimal(row.invoice_amount),
            row.invoice_currency,
            None if row.invoice_date is None else dt.date.fromisoformat(row.invoice_date),
            row.invoice_seller or "",
        )
    return Attachment(
        row.id,
        f"{row.target_kind}:{row.target_ref}",
        row.file_name,
        row.content_type,
        row.size,
        row.sha256,
        invoice,
        row.invoice_note or "",
        dt.datetime.fromisoformat(row.added_at),
    )
