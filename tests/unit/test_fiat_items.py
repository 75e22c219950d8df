"""Points, tickets and attachments (receipts, Factur-X/UBL e-invoices) of ``Wallet.fiat``."""

from __future__ import annotations

import datetime as dt
import zlib
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from tests.conftest import PASSWORD
from wallet import HoldingKind, Wallet
from wallet.errors import (
    AttachmentTooLarge,
    AttachmentTypeMismatch,
    FiatAccountNotFound,
    InvalidAmount,
    UnknownCurrency,
    WalletError,
)
from wallet.evm.types import Collectible
from wallet.money.fiat import MAX_ATTACHMENT_BYTES

DATA = Path(__file__).parents[1] / "data" / "statements"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
TXID = "cd" * 32


@pytest.fixture
def wallet(tmp_path: Path) -> Iterator[Wallet]:
    with Wallet.create_watch_only(tmp_path / "items.coffer", PASSWORD) as opened:
        yield opened


def _pdf_with_attachment(xml: bytes, *, flate: bool = True) -> bytes:
    """A PDF/A-3 shaped file embedding ``xml`` as factur-x.xml (objects as PDF 32000 7.11.4)."""
    body = zlib.compress(xml) if flate else xml
    filters = b" /Filter /FlateDecode" if flate else b" /Filter /ASCIIHexDecode"
    return (
        b"%PDF-1.7\n"
        b"1 0 obj\n<< /Type /Catalog /Names << /EmbeddedFiles 2 0 R >> >>\nendobj\n"
        b"2 0 obj\n<< /Names [(factur-x.xml) 3 0 R] >>\nendobj\n"
        b"3 0 obj\n<< /Type /Filespec /F (factur-x.xml) /EF << /F 4 0 R >> >>\nendobj\n"
        b"4 0 obj\n<< /Type /EmbeddedFile /Subtype /text#2Fxml /Length "
        + str(len(body)).encode()
        + filters
        + b" >>\nstream\n"
        + body
        + b"\nendstream\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
    )


def test_points_with_value_and_expiry(wallet: Wallet) -> None:
    miles = wallet.fiat.points.add(
        "Miles", 12000, expires=dt.date(2027, 3, 31), value_per_point="0.012", value_currency="eur"
    )
    assert (miles.balance, miles.value_currency) == (Decimal(12000), "EUR")
    assert miles.value_on(dt.date(2027, 3, 31)) == Decimal("144.000")
    assert miles.value_on(dt.date(2027, 4, 1)) == 0
    wallet.fiat.points.add("Coffee stamps", 7)
    stamps_row, miles_row = wallet.fiat.holdings(today=dt.date(2027, 1, 1))
    assert (miles_row.kind, miles_row.asset, miles_row.amount) == (
        HoldingKind.POINTS,
        "EUR",
        Decimal("144.000"),
    )
    assert (stamps_row.amount, stamps_row.unknown_reason) == (None, "no value per point set")
    expired = wallet.fiat.holdings(today=dt.date(2027, 5, 1))[1]
    assert (expired.amount, expired.account) == (0, "Miles: 12000 points (expired)")
    updated = wallet.fiat.points.update("Miles", balance="15000", expires=None)
    assert (updated.balance, updated.expires) == (Decimal(15000), None)
    with pytest.raises(WalletError, match="needs its currency"):
        wallet.fiat.points.add("Bad", 1, value_per_point="0.01")
    with pytest.raises(UnknownCurrency):
        wallet.fiat.points.add("Bad", 1, value_per_point="0.01", value_currency="XYZW")
    with pytest.raises(InvalidAmount):
        wallet.fiat.points.add("Bad", -5)
    with pytest.raises(WalletError, match="already"):
        wallet.fiat.points.add("Miles", 1)
    wallet.fiat.points.remove("Coffee stamps")
    with pytest.raises(FiatAccountNotFound):
        wallet.fiat.points.get("Coffee stamps")


def test_ticket_with_its_file(wallet: Wallet, tmp_path: Path) -> None:
    pdf = tmp_path / "concert.pdf"
    pdf.write_bytes(PDF)
    ticket = wallet.fiat.tickets.add(
        "Concert", dt.datetime(2026, 12, 20, 20, 0), venue="Arena", seat="Row 4, 12", file=pdf
    )
    assert (ticket.event, ticket.venue, ticket.seat) == ("Concert", "Arena", "Row 4, 12")
    (attached,) = ticket.attachments
    assert (attached.content_type, attached.target) == ("application/pdf", f"ticket:{ticket.id}")
    assert wallet.fiat.attachments.data(attached.id) == PDF
    assert wallet.fiat.tickets.tickets() == [ticket]
    wallet.fiat.tickets.remove(ticket.id)
    assert wallet.fiat.attachments.list() == []


def test_a_refused_ticket_file_makes_no_ticket(wallet: Wallet, tmp_path: Path) -> None:
    fake = tmp_path / "ticket.pdf"
    fake.write_bytes(PNG)
    with pytest.raises(AttachmentTypeMismatch):
        wallet.fiat.tickets.add("Concert", dt.date(2026, 12, 20), file=fake)
    assert wallet.fiat.tickets.tickets() == []


def test_an_nft_marked_as_ticket(wallet: Wallet) -> None:
    item = Collectible("ethereum", "0x" + "AB" * 20, 7, "erc1155", 2, name="Festival pass")
    ticket = wallet.fiat.tickets.mark_collectible(item, "Festival", dt.date(2027, 7, 1))
    assert ticket.nft == ("ethereum", "0x" + "ab" * 20, 7)
    with pytest.raises(WalletError, match="already marked"):
        wallet.fiat.tickets.mark_collectible(item, "Festival", dt.date(2027, 7, 1))


def test_factur_x_xml_is_read_for_amount_date_and_seller(wallet: Wallet) -> None:
    attached = wallet.fiat.attachments.attach(TXID, DATA / "factur-x.xml")
    assert attached.invoice is not None
    assert (
        attached.invoice.amount,
        attached.invoice.currency,
        attached.invoice.issued,
        attached.invoice.seller,
    ) == (Decimal("20.50"), "EUR", dt.date(2026, 11, 12), "Exemple Librairie SARL")
    assert wallet.fiat.attachments.list(TXID) == [attached]
    assert wallet.fiat.attachments.list("tx:" + TXID.upper()) == [attached]


def test_ubl_invoice_is_read(wallet: Wallet) -> None:
    attached = wallet.fiat.attachments.attach(TXID, DATA / "ubl-invoice.xml")
    assert attached.invoice is not None
    assert (attached.invoice.amount, attached.invoice.currency, attached.invoice.seller) == (
        Decimal("99.99"),
        "GBP",
        "Example Supplier Ltd",
    )


def test_factur_x_pdf_embedded_xml_is_extracted(wallet: Wallet) -> None:
    pdf = _pdf_with_attachment((DATA / "factur-x.xml").read_bytes())
    attached = wallet.fiat.attachments.attach(TXID, pdf, file_name="invoice.pdf")
    assert attached.invoice is not None
    assert attached.invoice.amount == Decimal("20.50")
    assert attached.note == ""


def test_a_pdf_without_an_invoice_says_why(wallet: Wallet) -> None:
    plain = wallet.fiat.attachments.attach(TXID, PDF, file_name="receipt.pdf")
    assert plain.invoice is None
    assert "embeds no Factur-X" in plain.note
    hexed = _pdf_with_attachment(b"<x/>", flate=False)
    other = wallet.fiat.attachments.attach(TXID, hexed, file_name="r.pdf")
    assert "ASCIIHexDecode" in other.note


def test_attachments_go_on_fiat_lines_and_export(wallet: Wallet, tmp_path: Path) -> None:
    wallet.fiat.add_account("Checking", "EUR")
    line = wallet.fiat.add_entry("Checking", dt.date(2026, 11, 3), "-20.50", payee="Bookshop")
    attached = wallet.fiat.attachments.attach(f"line:{line.id}", PNG, file_name="receipt.png")
    assert attached.content_type == "image/png"
    out = wallet.fiat.attachments.export(attached.id, tmp_path / "out.png")
    assert out.read_bytes() == PNG
    assert out.stat().st_mode & 0o777 == 0o600
    with pytest.raises(WalletError, match="exists"):
        wallet.fiat.attachments.export(attached.id, out)
    with pytest.raises(FiatAccountNotFound):
        wallet.fiat.attachments.attach("line:999", PNG, file_name="r.png")
    with pytest.raises(WalletError, match="Attach to a transaction id"):
        wallet.fiat.attachments.attach("nonsense", PNG, file_name="r.png")


def test_an_attachment_too_large_is_refused(wallet: Wallet) -> None:
    big = PNG + b"\x00" * MAX_ATTACHMENT_BYTES
    with pytest.raises(AttachmentTooLarge) as caught:
        wallet.fiat.attachments.attach(TXID, big, file_name="huge.png")
    assert caught.value.limit == MAX_ATTACHMENT_BYTES
    assert wallet.fiat.attachments.list() == []


@pytest.mark.parametrize(
    ("name", "data", "found"),
    [
        ("receipt.pdf", PNG, "image/png"),
        ("photo.jpg", PDF, "application/pdf"),
        ("invoice.xml", b"MZ\x90\x00", None),
        ("program.exe", b"MZ\x90\x00", None),
    ],
    ids=["png-as-pdf", "pdf-as-jpeg", "binary-as-xml", "unaccepted-type"],
)
def test_an_attachment_not_its_claimed_type_is_refused(
    wallet: Wallet, name: str, data: bytes, found: str | None
) -> None:
    with pytest.raises(AttachmentTypeMismatch) as caught:
        wallet.fiat.attachments.attach(TXID, data, file_name=name)
    assert caught.value.found == found
    assert wallet.fiat.attachments.list() == []


def test_an_xml_attachment_with_a_dtd_is_refused(wallet: Wallet) -> None:
    evil = b'<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY e "e">]>\n<x>&e;</x>'
    with pytest.raises(AttachmentTypeMismatch, match="document type declaration"):
        wallet.fiat.attachments.attach(TXID, evil, file_name="i.xml")


def test_attachments_are_encrypted_in_the_wallet_file(tmp_path: Path) -> None:
    path = tmp_path / "enc.coffer"
    with Wallet.create_watch_only(path, PASSWORD) as created:
        created.fiat.attachments.attach(TXID, DATA / "factur-x.xml")
    raw = path.read_bytes()
    assert b"Exemple Librairie" not in raw
    assert b"CrossIndustryInvoice" not in raw
    with Wallet.open(path, PASSWORD) as reopened:
        (attached,) = reopened.fiat.attachments.list()
        assert reopened.fiat.attachments.data(attached.id) == (DATA / "factur-x.xml").read_bytes()
