"""OFX and QFX statements (OFX 1.x SGML and 2.x XML), read with ofxtools' parser.

ofxtools turns the markup into an element tree; the statement fields are read here, each
checked, so that an error names the line and the field (ofxtools' own conversion reports
neither). Bank (``STMTRS``) and credit card (``CCSTMTRS``) statements are read; a file with
several statements must be split (one account per import).
"""

from __future__ import annotations

import bisect
import datetime as dt
import html
import io
import re
import xml.etree.ElementTree as ET
from decimal import Decimal

from ofxtools.header import OFXHeaderError
from ofxtools.Parser import OFXTree, ParseError, TreeBuilder

from wallet.errors import StatementError
from wallet.money.fiat.numbers import AmountFormat, parse_amount
from wallet.money.fiat.types import ParsedLine, Statement, StatementFormat

__all__ = ["parse_ofx"]

_POSITION = re.compile(r"position=\[(\d+):")
_DOT = AmountFormat(".", "")
_COMMA = AmountFormat(",", "")
_DATE = re.compile(r"(\d{4})(\d{2})(\d{2})")


class _Lines:
    """Line numbers of offsets in the file's body."""

    def __init__(self, body: str, first_line: int) -> None:
        self._starts = [m.start() for m in re.finditer("\n", body)]
        self._first = first_line

    def at(self, offset: int) -> int:
        return self._first + bisect.bisect_right(self._starts, offset - 1)


class _CheckedBuilder(TreeBuilder):
    """ofxtools' builder, refusing an end tag that closes another aggregate than the open one.

    ElementTree's builder closes whatever is open whatever the tag says, so a misspelt or
    missing end tag would silently re-nest the statement.
    """

    def __init__(self) -> None:
        super().__init__()
        self._open: list[str] = []

    def start(self, tag: str, attrs: dict[str, str]) -> ET.Element:
        self._open.append(tag)
        return super().start(tag, attrs)

    def end(self, tag: str) -> ET.Element:
        if not self._open or self._open[-1] != tag:
            raise ParseError(f"end tag {tag} does not close {self._open[-1:] or 'anything'}")
        self._open.pop()
        return super().end(tag)

    def close(self) -> ET.Element:
        if self._open:
            raise ParseError(f"{self._open[-1]} is never closed - position=[0:0]")
        return super().close()


def parse_ofx(data: bytes, source: str) -> Statement:
    """Parse an OFX/QFX statement.

    Args:
        data: the file's bytes.
        source: its name, for messages.

    Raises:
        StatementError: not OFX, malformed markup, no statement or several, or a field that
            is missing or not of its type (the error names the line and the field).
    """
    try:
        header, body = OFXTree._read(io.BytesIO(data))  # header checked, body decoded
    except (OFXHeaderError, ValueError, UnicodeDecodeError) as err:
        raise StatementError(
            f"{source} is not an OFX file: its header is not an OFX header.", source, 1, "header"
        ) from err
    del header
    text = data.decode("latin-1")
    start = text.find(body[:40]) if body else -1
    lines = _Lines(body, 1 + (text.count("\n", 0, start) if start > 0 else 0))
    builder = _CheckedBuilder()
    try:
        builder.feed(body)
        root = builder.close()
    except (ParseError, IndexError, AssertionError) as err:
        found = _POSITION.search(str(err))
        line = lines.at(int(found.group(1))) if found else None
        where = f" line {line}" if line else ""
        raise StatementError(
            f"{source}{where}: the OFX markup is malformed (a tag is not closed or not opened).",
            source,
            line,
            "markup",
        ) from None
    statements = [e for e in root.iter() if e.tag in ("STMTRS", "CCSTMTRS")]
    if len(statements) != 1:
        what = "no statement" if not statements else f"{len(statements)} statements"
        raise StatementError(
            f"{source} holds {what}; import one account's statement at a time.", source
        )
    return _statement(statements[0], body, lines, source)


def _statement(stmt: ET.Element, body: str, lines: _Lines, source: str) -> Statement:
    offsets = [m.start() for m in re.finditer(r"<STMTTRN>", body, re.IGNORECASE)]
    currency = _text(stmt, "CURDEF")
    if not currency:
        raise StatementError(f"{source}: the statement has no CURDEF.", source, None, "CURDEF")
    account = stmt.find("BANKACCTFROM/ACCTID")
    if account is None:
        account = stmt.find("CCACCTFROM/ACCTID")
    parsed: list[ParsedLine] = []
    for index, trn in enumerate(stmt.iter("STMTTRN")):
        line = lines.at(offsets[index]) if index < len(offsets) else 0
        parsed.append(_line(trn, line, currency, body, offsets, index, lines, source))
    closing = stmt.find("LEDGERBAL")
    balance = date = None
    if closing is not None:
        where = lines.at(body.find("<LEDGERBAL>"))
        balance = _amount(_text(closing, "BALAMT"), "BALAMT", where, source)
        date = _date(_text(closing, "DTASOF"), "DTASOF", where, source)
    return Statement(
        StatementFormat.OFX,
        source,
        currency.upper(),
        (account.text or "").strip() if account is not None else "",
        tuple(parsed),
        balance,
        date,
    )


def _line(
    trn: ET.Element,
    line: int,
    currency: str,
    body: str,
    offsets: list[int],
    index: int,
    lines: _Lines,
    source: str,
) -> ParsedLine:
    def field_line(tag: str) -> int:
        if index >= len(offsets):
            return line
        at = body.find(f"<{tag}>", offsets[index])
        return lines.at(at) if at >= 0 else line

    amount = _amount(_text(trn, "TRNAMT"), "TRNAMT", field_line("TRNAMT"), source)
    booked = _date(_text(trn, "DTPOSTED"), "DTPOSTED", field_line("DTPOSTED"), source)
    name = _text(trn, "NAME") or _text(trn, "PAYEE/NAME")
    # OFX 2.2, 11.4.4.1: CURRENCY says the amounts are in that currency; ORIGCURRENCY only
    # says what the bank converted from (TRNAMT is then in CURDEF), so it is not the line's.
    line_currency = _text(trn, "CURRENCY/CURSYM")
    return ParsedLine(
        line=line,
        booked=booked,
        amount=amount,
        currency=(line_currency or currency).upper(),
        payee=name,
        memo=_text(trn, "MEMO"),
        reference=_text(trn, "FITID"),
    )


def _text(element: ET.Element, path: str) -> str:
    """Return an element's text with OFX's escapes (``&amp;``, ``&lt;``...) read as characters."""
    found = element.find(path)
    return html.unescape((found.text or "").strip()) if found is not None else ""


def _amount(text: str, field: str, line: int, source: str) -> Decimal:
    value = parse_amount(text, _DOT) if "," not in text else parse_amount(text, _COMMA)
    if value is None:
        shown = text[:24] or "nothing"
        raise StatementError(
            f"{source} line {line}, field {field}: {shown!r} is not an amount.", source, line, field
        )
    return value


def _date(text: str, field: str, line: int, source: str) -> dt.date:
    found = _DATE.match(text)
    try:
        if found is None:
            raise ValueError(text)
        return dt.date(int(found.group(1)), int(found.group(2)), int(found.group(3)))
    except ValueError:
        shown = text[:24] or "nothing"
        raise StatementError(
            f"{source} line {line}, field {field}: {shown!r} is not an OFX date (YYYYMMDD...).",
            source,
            line,
            field,
        ) from None
