"""CSV statements with a column mapping: a generic one, and presets for common bank exports.

A mapping names the columns (by their header text) that hold the date, the amount (or a
debit and a credit column), the payee, the text, the reference and the currency, and says how
the file writes dates and amounts. A mapping that names a column the file lacks is refused
before any row is read (``CsvMappingMismatch``); a row that does not parse names its line and
field.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import TYPE_CHECKING

from wallet.errors import CsvMappingMismatch, StatementError
from wallet.money.fiat.numbers import AmountFormat, parse_amount, parse_date
from wallet.money.fiat.types import ParsedLine, Statement, StatementFormat

if TYPE_CHECKING:
    from _csv import Reader

__all__ = ["PRESETS", "CsvMapping", "parse_csv"]

_FIELDS = ("date", "amount", "debit", "credit", "payee", "memo", "reference", "currency")


@dataclass(frozen=True, slots=True)
class CsvMapping:
    """Which columns hold what, and how the file writes dates and amounts.

    Attributes:
        date: the booking date's column.
        amount: the signed amount's column (or ``""`` with ``debit`` and ``credit``).
        debit: the column of money out, written positive (or negative), when no ``amount``.
        credit: the column of money in.
        payee: the counterparty's column, or ``""``.
        memo: the text's column, or ``""`` (several columns: joined with ``|`` in the name).
        reference: the bank reference's column, or ``""``.
        currency: the currency's column, or ``""`` (then the account's currency).
        date_format: a ``strptime`` format (``%Y-%m-%d``, ``%d.%m.%Y``...).
        decimal: the decimal mark, ``.`` or ``,``.
        thousands: the thousands separator, or ``""``.
        delimiter: the field separator.
        skip_lines: lines before the header (a bank's preamble).
        encoding: the file's encoding.
        optional: fields whose column may be missing from the file (the generic mapping's
            payee, memo and reference); a field set by ``with_changes`` is never optional.
    """

    date: str
    amount: str = ""
    debit: str = ""
    credit: str = ""
    payee: str = ""
    memo: str = ""
    reference: str = ""
    currency: str = ""
    date_format: str = "%Y-%m-%d"
    decimal: str = "."
    thousands: str = ""
    delimiter: str = ","
    skip_lines: int = 0
    encoding: str = "utf-8-sig"
    optional: tuple[str, ...] = ()

    def columns(self) -> dict[str, tuple[str, ...]]:
        """Return each mapped field with the header names it reads."""
        out: dict[str, tuple[str, ...]] = {}
        for name in _FIELDS:
            value = getattr(self, name)
            if value:
                out[name] = tuple(v for v in value.split("|") if v)
        return out

    def with_changes(self, changes: Mapping[str, str]) -> CsvMapping:
        """Return this mapping with some fields set (as ``--map`` and the options give them).

        Raises:
            ValueError: an unknown field, or ``skip_lines`` not a number.
        """
        known = {*_FIELDS, "date_format", "decimal", "thousands", "delimiter", "encoding"}
        values: dict[str, str | int] = {}
        for key, value in changes.items():
            if key == "skip_lines":
                if not value.isascii() or not value.isdigit() or len(value) > 4:
                    raise ValueError("skip_lines is a small number.")
                values[key] = int(value)
            elif key in known:
                values[key] = value
            else:
                raise ValueError(f"{key!r} is not a mapping field ({', '.join(sorted(known))}).")
        optional = tuple(f for f in self.optional if f not in values)
        return replace(self, **values, optional=optional)  # type: ignore[arg-type]  # checked


PRESETS: dict[str, CsvMapping] = {
    "generic": CsvMapping(
        date="date",
        amount="amount",
        payee="payee",
        memo="memo",
        reference="reference",
        optional=("payee", "memo", "reference"),
    ),
    "de-sparkasse": CsvMapping(
        date="Buchungstag",
        amount="Betrag",
        payee="Beguenstigter/Zahlungspflichtiger",
        memo="Verwendungszweck",
        currency="Waehrung",
        date_format="%d.%m.%y",
        decimal=",",
        thousands=".",
        delimiter=";",
        encoding="latin-1",
    ),
    "us-chase-card": CsvMapping(
        date="Transaction Date",
        amount="Amount",
        payee="Description",
        memo="Memo",
        date_format="%m/%d/%Y",
        decimal=".",
        thousands=",",
    ),
    "fr-banque": CsvMapping(
        date="Date",
        debit="D\u00e9bit",
        credit="Cr\u00e9dit",
        memo="Libell\u00e9",
        date_format="%d/%m/%Y",
        decimal=",",
        thousands=" ",
        delimiter=";",
    ),
    "uk-barclays": CsvMapping(
        date="Date",
        amount="Amount",
        reference="Number",
        memo="Memo",
        date_format="%d/%m/%Y",
    ),
}
"""Mappings for a few common exports (the generic one reads Coffer's own CSV)."""


def parse_csv(data: bytes, source: str, mapping: CsvMapping, currency: str) -> Statement:
    """Parse a CSV statement with ``mapping``.

    Args:
        data: the file's bytes.
        source: its name, for messages.
        mapping: the column mapping.
        currency: the currency of lines when the mapping has no currency column.

    Raises:
        CsvMappingMismatch: a mapped column is not in the header (nothing is read).
        StatementError: undecodable text, a row with another number of fields than the
            header, or a field that does not parse (the error names the line and field).
    """
    try:
        text = data.decode(mapping.encoding)
        fmt = AmountFormat(mapping.decimal, mapping.thousands)
    except (UnicodeDecodeError, LookupError, ValueError) as err:
        raise StatementError(
            f"{source} cannot be read as {mapping.encoding} text with this mapping: {err}.",
            source,
        ) from None
    stream = io.StringIO(text, newline="")
    for _ in range(mapping.skip_lines):
        stream.readline()
    try:
        reader = csv.reader(stream, delimiter=mapping.delimiter, strict=True)
        header = next(reader, None)
    except (csv.Error, TypeError) as err:
        raise StatementError(f"{source}: not a CSV file ({err}).", source, 1, "header") from None
    if header is None:
        raise StatementError(f"{source} is empty.", source, 1, "header")
    header = [h.strip() for h in header]
    index = {name: i for i, name in reversed(list(enumerate(header)))}
    columns = {
        field: cols
        for field, cols in mapping.columns().items()
        if field not in mapping.optional or all(c in index for c in cols)
    }
    missing = tuple(c for cols in columns.values() for c in cols if c not in index)
    if "date" not in columns or not (
        {"amount"} <= columns.keys()
        or columns.keys()
        >= {
            "debit",
            "credit",
        }
    ):
        raise CsvMappingMismatch(
            f"{source}: a mapping needs a date column and an amount (or debit and credit) column.",
            source,
            ("date", "amount"),
            tuple(header),
        )
    if missing:
        shown = ", ".join(repr(h[:60]) for h in header[:12])
        other = [
            d for d in ",;\t|" if d != mapping.delimiter and len(header) == 1 and d in header[0]
        ]
        if other:
            shown += (
                f" (one column: the file separates fields with {other[0]!r}, the mapping "
                f"with {mapping.delimiter!r})"
            )
        raise CsvMappingMismatch(
            f"{source}: the mapping's column(s) {', '.join(map(repr, missing))} are not in "
            f"the file, whose header is {shown}.",
            source,
            missing,
            tuple(header),
        )
    plan = {k: tuple(index[c] for c in cols) for k, cols in columns.items()}
    return _rows(reader, source, mapping, plan, len(header), fmt, currency.upper())


def _rows(
    reader: Reader,
    source: str,
    mapping: CsvMapping,
    plan: dict[str, tuple[int, ...]],
    width: int,
    fmt: AmountFormat,
    currency: str,
) -> Statement:
    iso = mapping.date_format == "%Y-%m-%d"
    lines: list[ParsedLine] = []
    getters = {name: _getter(plan.get(name, ())) for name in _FIELDS}
    date_of, amount_of = getters["date"], getters["amount"]
    currency_of, payee_of = getters["currency"], getters["payee"]
    memo_of, reference_of = getters["memo"], getters["reference"]
    try:
        for row in reader:
            line = reader.line_num + mapping.skip_lines
            if len(row) != width:
                if not row or all(not c.strip() for c in row):
                    continue
                raise StatementError(
                    f"{source} line {line}: {len(row)} fields, but the header has {width}.",
                    source,
                    line,
                    "row",
                )
            date_text = date_of(row)
            booked = _date(date_text, mapping.date_format, iso)
            if booked is None:
                if not any(c.strip() for c in row):
                    continue
                raise _bad(source, line, "date", date_text, f"a date ({mapping.date_format})")
            text = amount_of(row)
            amount = parse_amount(text, fmt) if text else None
            if amount is None:
                amount = _split_amount(row, getters, text, fmt, source, line)
            lines.append(
                ParsedLine(
                    line,
                    booked,
                    amount,
                    (currency_of(row) or currency).upper(),
                    payee_of(row),
                    memo_of(row),
                    reference_of(row),
                )
            )
    except csv.Error as err:
        line = reader.line_num + mapping.skip_lines
        raise StatementError(
            f"{source} line {line}: not valid CSV ({err}).", source, line, "row"
        ) from None
    statement_currency = lines[0].currency if lines and plan.get("currency") else currency
    return Statement(StatementFormat.CSV, source, statement_currency, "", tuple(lines))


def _date(text: str, fmt: str, iso: bool) -> dt.date | None:
    if iso:
        try:
            return dt.date.fromisoformat(text) if len(text) == 10 else None
        except ValueError:
            return None
    return parse_date(text, fmt)


def _getter(columns: tuple[int, ...]) -> Callable[[list[str]], str]:
    """Return the reader of a field: one column's text, several joined, or none."""
    if not columns:
        return lambda _row: ""
    if len(columns) == 1:
        (index,) = columns
        return lambda row: row[index].strip()
    return lambda row: " ".join(row[i].strip() for i in columns if row[i].strip())


def _split_amount(
    row: list[str],
    getters: dict[str, Callable[[list[str]], str]],
    text: str,
    fmt: AmountFormat,
    source: str,
    line: int,
) -> Decimal:
    """Return the amount of a row whose amount column is empty or bad: debit and credit."""
    debit, credit = getters["debit"](row), getters["credit"](row)
    if text or not (debit or credit):
        raise _bad(source, line, "amount", text, "an amount")
    out = parse_amount(debit, fmt) if debit else Decimal(0)
    if out is None:
        raise _bad(source, line, "debit", debit, "an amount")
    into = parse_amount(credit, fmt) if credit else Decimal(0)
    if into is None:
        raise _bad(source, line, "credit", credit, "an amount")
    return into - abs(out)


def _bad(source: str, line: int, field: str, text: str, what: str) -> StatementError:
    shown = text[:24] if text else "nothing"
    return StatementError(
        f"{source} line {line}, field {field}: {shown!r} is not {what}.", source, line, field
    )
