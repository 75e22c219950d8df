"""Read amount, date and seller from an e-invoice (Factur-X/ZUGFeRD CII, UBL) or its PDF.

The invoice is UN/CEFACT CII XML or UBL XML, or a PDF/A-3 that embeds one
(``factur-x.xml``, ``zugferd-invoice.xml``, ``xrechnung.xml``).

The XML is parsed with ``safexml`` (no DTD, no entities). A PDF's embedded files are found
without a PDF library: each stream whose dictionary says ``/Type /EmbeddedFile`` is read and,
when ``/FlateDecode`` is its only filter, inflated with zlib (PDF 32000-1:2008, 7.11.4 and
7.3.8); the first that is an invoice is read. Other filters are reported, not guessed.
"""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET
import zlib
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from wallet.money.fiat.safexml import XmlRefused, parse_xml

__all__ = ["Invoice", "read_invoice_pdf", "read_invoice_xml"]

_RSM = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
_RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
_UDT = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"
_CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
_CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
_UBL_ROOTS = (
    "{urn:oasis:names:specification:ubl:schema:xsd:Invoice-2}Invoice",
    "{urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2}CreditNote",
)
_STREAM = re.compile(rb">>\s*stream\r?\n")
_MAX_INFLATED = 16 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Invoice:
    """What an e-invoice says.

    Attributes:
        syntax: ``"CII"`` (Factur-X, ZUGFeRD, XRechnung CII) or ``"UBL"``.
        number: the invoice number, or ``""``.
        amount: the grand total (with tax), if given.
        currency: its currency, if given.
        issued: the invoice date, if given.
        seller: the seller's name, or ``""``.
    """

    syntax: str
    number: str
    amount: Decimal | None
    currency: str | None
    issued: dt.date | None
    seller: str


def read_invoice_xml(data: bytes) -> Invoice | None:
    """Return the invoice a CII or UBL XML file holds, or ``None`` if it is not one.

    Raises:
        XmlRefused: malformed XML, or a DTD or entities.
    """
    root = parse_xml(data).root
    if root.tag == f"{{{_RSM}}}CrossIndustryInvoice":
        return _cii(root)
    if root.tag in _UBL_ROOTS:
        return _ubl(root)
    return None


def read_invoice_pdf(data: bytes) -> tuple[Invoice | None, str]:
    """Return the invoice embedded in a PDF (Factur-X/ZUGFeRD), or ``None`` and why not."""
    reasons: list[str] = []
    for found in _STREAM.finditer(data):
        before = data[max(0, found.start() - 2000) : found.start()]
        header = before[before.rfind(b"obj") + 1 :]
        if b"/EmbeddedFile" not in header:
            continue
        start = found.end()
        end = data.find(b"endstream", start)
        if end < 0:
            reasons.append("an embedded file stream has no end")
            continue
        raw = data[start:end].rstrip(b"\r\n")
        filters = re.findall(rb"/(\w+Decode)", header)
        if filters == [b"FlateDecode"]:
            inflater = zlib.decompressobj()
            try:
                raw = inflater.decompress(raw, _MAX_INFLATED)
            except zlib.error:
                reasons.append("an embedded file does not inflate")
                continue
        elif filters:
            names = ", ".join(f.decode("ascii") for f in filters)
            reasons.append(f"an embedded file is encoded with {names}, which Coffer does not read")
            continue
        try:
            invoice = read_invoice_xml(raw)
        except XmlRefused:
            continue
        if invoice is not None:
            return invoice, ""
    why = "; ".join(reasons) or "the PDF embeds no Factur-X/ZUGFeRD invoice"
    return None, why


def _find(element: ET.Element, path: str, ns: dict[str, str]) -> str:
    found = element.find(path, ns)
    return (found.text or "").strip() if found is not None else ""


def _decimal(text: str) -> Decimal | None:
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None
    return value if value.is_finite() and abs(value) < Decimal(10) ** 15 else None


def _cii(root: ET.Element) -> Invoice:
    ns = {"rsm": _RSM, "ram": _RAM, "udt": _UDT}
    settlement = "rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeSettlement"
    total = f"{settlement}/ram:SpecifiedTradeSettlementHeaderMonetarySummation"
    amount = _find(root, f"{total}/ram:GrandTotalAmount", ns) or _find(
        root, f"{total}/ram:DuePayableAmount", ns
    )
    issued = _find(root, "rsm:ExchangedDocument/ram:IssueDateTime/udt:DateTimeString", ns)
    day = None
    if re.fullmatch(r"\d{8}", issued):
        try:
            day = dt.date(int(issued[:4]), int(issued[4:6]), int(issued[6:]))
        except ValueError:
            day = None
    seller = _find(
        root,
        "rsm:SupplyChainTradeTransaction/ram:ApplicableHeaderTradeAgreement/"
        "ram:SellerTradeParty/ram:Name",
        ns,
    )
    currency = _find(root, f"{settlement}/ram:InvoiceCurrencyCode", ns)
    return Invoice(
        "CII",
        _find(root, "rsm:ExchangedDocument/ram:ID", ns),
        _decimal(amount),
        currency or None,
        day,
        seller,
    )


def _ubl(root: ET.Element) -> Invoice:
    ns = {"cbc": _CBC, "cac": _CAC}
    total = root.find("cac:LegalMonetaryTotal/cbc:PayableAmount", ns)
    amount = _decimal((total.text or "").strip()) if total is not None else None
    currency = total.get("currencyID") if total is not None else None
    try:
        day: dt.date | None = dt.date.fromisoformat(_find(root, "cbc:IssueDate", ns))
    except ValueError:
        day = None
    party = "cac:AccountingSupplierParty/cac:Party"
    seller = _find(root, f"{party}/cac:PartyName/cbc:Name", ns) or _find(
        root, f"{party}/cac:PartyLegalEntity/cbc:RegistrationName", ns
    )
    return Invoice("UBL", _find(root, "cbc:ID", ns), amount, currency, day, seller)
