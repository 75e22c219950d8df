"""ISO 20022 camt.053 bank-to-customer statements (any version ``camt.053.001.xx``).

Read with ``wallet.money.fiat.safexml`` (no DTD, no entities). The fields read: the account
(``Acct/Id/IBAN`` or ``Othr/Id``) and its currency (``Acct/Ccy``); the closing booked balance
(``Bal`` of type ``CLBD``); and per entry (``Ntry``) the amount with its currency, the
credit/debit mark, the booking date, the bank's reference (``AcctSvcrRef``, else the
transaction's ``EndToEndId``), the counterparty's name and the remittance text.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from decimal import Decimal

from wallet.errors import StatementError
from wallet.money.fiat.numbers import AmountFormat, parse_amount
from wallet.money.fiat.safexml import XmlDocument, XmlRefused, parse_xml
from wallet.money.fiat.types import ParsedLine, Statement, StatementFormat

__all__ = ["parse_camt053"]

_DOT = AmountFormat(".", "")


def parse_camt053(data: bytes, source: str) -> Statement:
    """Parse a camt.053 statement.

    Args:
        data: the file's bytes.
        source: its name, for messages.

    Raises:
        StatementError: malformed XML, a DTD or entities, not camt.053, several statements,
            or a field missing or not of its type (the error names the line and the field).
    """
    try:
        doc = parse_xml(data)
    except XmlRefused as err:
        raise StatementError(
            f"{source} line {err.line}: not a camt.053 statement: {err.reason}.",
            source,
            err.line,
            "xml",
        ) from None
    root = doc.root
    namespace = root.tag[1 : root.tag.index("}")] if root.tag.startswith("{") else ""
    if not namespace.startswith("urn:iso:std:iso:20022:tech:xsd:camt.053"):
        raise StatementError(
            f"{source} is not a camt.053 statement (its XML namespace is {namespace or 'none'}).",
            source,
            1,
            "Document",
        )
    ns = "{" + namespace + "}"
    stmts = root.findall(f"{ns}BkToCstmrStmt/{ns}Stmt")
    if len(stmts) != 1:
        what = "no statement" if not stmts else f"{len(stmts)} statements"
        raise StatementError(
            f"{source} holds {what}; import one account's statement at a time.", source
        )
    return _Reader(doc, ns, source).statement(stmts[0])


class _Reader:
    def __init__(self, doc: XmlDocument, ns: str, source: str) -> None:
        self.doc = doc
        self.ns = ns
        self.source = source

    def path(self, path: str) -> str:
        return "/".join(self.ns + part for part in path.split("/"))

    def find(self, element: ET.Element, path: str) -> ET.Element | None:
        return element.find(self.path(path))

    def text(self, element: ET.Element, path: str) -> str:
        found = self.find(element, path)
        return (found.text or "").strip() if found is not None else ""

    def fail(self, element: ET.Element, field: str, message: str) -> StatementError:
        line = self.doc.line(element)
        return StatementError(
            f"{self.source} line {line}, field {field}: {message}", self.source, line, field
        )

    def statement(self, stmt: ET.Element) -> Statement:
        acct = self.find(stmt, "Acct")
        if acct is None:
            raise self.fail(stmt, "Acct", "the statement names no account.")
        number = self.text(acct, "Id/IBAN") or self.text(acct, "Id/Othr/Id")
        currency = self.text(acct, "Ccy")
        balance = date = None
        for bal in stmt.findall(self.path("Bal")):
            if self.text(bal, "Tp/CdOrPrtry/Cd") == "CLBD":
                balance, bal_ccy = self.amount(bal)
                currency = currency or bal_ccy
                date = self.date(bal, "Dt")
        entries = stmt.findall(self.path("Ntry"))
        if not currency:
            if not entries:
                raise self.fail(stmt, "Acct/Ccy", "the statement names no currency.")
            currency = self.amount(entries[0])[1]
        lines = tuple(self.entry(e, currency) for e in entries)
        return Statement(
            StatementFormat.CAMT053, self.source, currency, number, lines, balance, date
        )

    def amount(self, element: ET.Element) -> tuple[Decimal, str]:
        amt = self.find(element, "Amt")
        if amt is None:
            raise self.fail(element, "Amt", "the amount is missing.")
        value = parse_amount(amt.text or "", _DOT)
        if value is None or value < 0:
            raise self.fail(amt, "Amt", f"{(amt.text or '')[:24]!r} is not an amount.")
        currency = amt.get("Ccy", "").strip().upper()
        if not currency:
            raise self.fail(amt, "Amt", "the amount has no currency (Ccy).")
        mark = self.text(element, "CdtDbtInd")
        if mark not in ("CRDT", "DBIT"):
            where = self.find(element, "CdtDbtInd")
            raise self.fail(
                where if where is not None else element,
                "CdtDbtInd",
                f"{mark[:12]!r} is neither CRDT nor DBIT.",
            )
        return (value if mark == "CRDT" else -value), currency

    def date(self, element: ET.Element, path: str) -> dt.date:
        holder = self.find(element, path)
        if holder is None:
            raise self.fail(element, path, "the date is missing.")
        text = self.text(holder, "Dt") or self.text(holder, "DtTm")[:10]
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            raise self.fail(holder, path, f"{text[:24]!r} is not a date (YYYY-MM-DD).") from None

    def entry(self, ntry: ET.Element, currency: str) -> ParsedLine:
        amount, line_currency = self.amount(ntry)
        booked = self.date(ntry, "BookgDt")
        tx = self.find(ntry, "NtryDtls/TxDtls")
        reference = self.text(ntry, "AcctSvcrRef")
        payee = memo = ""
        if tx is not None:
            reference = reference or self.text(tx, "Refs/AcctSvcrRef")
            end_to_end = self.text(tx, "Refs/EndToEndId")
            if not reference and end_to_end != "NOTPROVIDED":
                reference = end_to_end
            party = "Cdtr" if amount < 0 else "Dbtr"
            payee = self.text(tx, f"RltdPties/{party}/Nm") or self.text(
                tx, f"RltdPties/{party}/Pty/Nm"
            )
            memo = " ".join(
                (u.text or "").strip() for u in tx.findall(self.path("RmtInf/Ustrd"))
            ).strip()
        memo = memo or self.text(ntry, "AddtlNtryInf")
        del currency
        return ParsedLine(
            line=self.doc.line(ntry),
            booked=booked,
            amount=amount,
            currency=line_currency,
            payee=payee,
            memo=memo,
            reference=reference,
        )
