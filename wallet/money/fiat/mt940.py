"""SWIFT MT940 customer statements, read by a small parser of our own.

The ``mt-940`` library reads the same fields but reports a bad line without its number;
this parser names the line and the tag, and ``bench/statements.py`` measures both. A file may
hold several statement messages (one per day, as banks export them) for one account. Fields:
``:25:`` the account, ``:60F:``/``:60M:`` the opening balance (its currency is the
statement's), ``:61:`` a line, ``:86:`` its text (the German ``?20``-``?29`` purpose and
``?32``/``?33`` name subfields are read when present), ``:62F:``/``:62M:`` the closing balance.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from wallet.errors import StatementError
from wallet.money.fiat.numbers import AmountFormat, parse_amount
from wallet.money.fiat.types import ParsedLine, Statement, StatementFormat

__all__ = ["parse_mt940"]

_TAG = re.compile(r"^:(\d{2}[A-Z]?):(.*)$")
_BALANCE = re.compile(r"^([CD])(\d{6})([A-Z]{3})([0-9,]+)$")
_LINE61 = re.compile(
    r"^(?P<date>\d{6})(?P<entry>\d{4})?(?P<mark>RC|RD|C|D)(?P<funds>[A-Z])?"
    r"(?P<amount>\d[0-9]*,[0-9]*)(?P<type>[NSF][A-Z0-9]{3})(?P<ref>[^/]*)(?://(?P<bank>.*))?$"
)
_COMMA = AmountFormat(",", "")


def parse_mt940(data: bytes, source: str) -> Statement:
    """Parse an MT940 file.

    Args:
        data: the file's bytes (ASCII or Latin-1, as banks write it).
        source: its name, for messages.

    Raises:
        StatementError: a line that is no field, a field that is not of its form (the error
            names the line and the tag), no opening balance, or two accounts in one file.
    """
    text = data.decode("latin-1")
    parser = _Parser(source)
    for number, raw in enumerate(text.splitlines(), start=1):
        parser.feed(number, raw.rstrip())
    return parser.finish()


class _Parser:
    def __init__(self, source: str) -> None:
        self.source = source
        self.account = ""
        self.currency = ""
        self.closing: tuple[Decimal, dt.date] | None = None
        self.lines: list[ParsedLine] = []
        self.pending: tuple[int, dt.date, Decimal, str] | None = None
        self.field = ""
        self.field_line = 0
        self.value: list[str] = []
        self.seen = False

    def fail(self, line: int, field: str, message: str) -> StatementError:
        return StatementError(
            f"{self.source} line {line}, field :{field}:: {message}", self.source, line, field
        )

    def feed(self, number: int, raw: str) -> None:
        if not raw.strip() or raw.strip() == "-" or raw.startswith(("{", "}")):
            if raw.strip() == "-":
                self.flush()
            return
        found = _TAG.match(raw)
        if found is None:
            if not self.field:
                raise StatementError(
                    f"{self.source} line {number}: not an MT940 field (':NN:' expected).",
                    self.source,
                    number,
                    "tag",
                )
            self.value.append(raw)
            return
        self.flush()
        self.field, self.field_line, self.value = found.group(1), number, [found.group(2)]
        self.seen = True

    def flush(self) -> None:
        if not self.field:
            return
        field, line, value = self.field, self.field_line, self.value
        self.field, self.value = "", []
        if field == "25":
            self.set_account(line, value[0].strip())
        elif field in ("60F", "60M"):
            self.close_pending()
            amount, date, currency = self.balance(line, field, value[0])
            del amount, date
            if self.currency and currency != self.currency:
                raise self.fail(line, field, f"a second currency {currency} in one file.")
            self.currency = currency
        elif field == "61":
            self.close_pending()
            self.statement_line(line, value)
        elif field == "86":
            self.close_pending("".join(value))
        elif field in ("62F", "62M"):
            self.close_pending()
            amount, date, _currency = self.balance(line, field, value[0])
            self.closing = (amount, date)

    def set_account(self, line: int, account: str) -> None:
        if self.account and account != self.account:
            raise self.fail(
                line, "25", "a second account in one file; import one account at a time."
            )
        self.account = account

    def balance(self, line: int, field: str, value: str) -> tuple[Decimal, dt.date, str]:
        found = _BALANCE.match(value.strip())
        if found is None:
            raise self.fail(
                line, field, f"{value[:30]!r} is not a balance (C/D YYMMDD CCY amount)."
            )
        amount = parse_amount(found.group(4), _COMMA)
        if amount is None:
            raise self.fail(line, field, f"{found.group(4)!r} is not an amount.")
        date = self.date(line, field, found.group(2))
        return (amount if found.group(1) == "C" else -amount), date, found.group(3)

    def date(self, line: int, field: str, text: str) -> dt.date:
        year = int(text[:2])
        try:
            return dt.date(2000 + year if year < 80 else 1900 + year, int(text[2:4]), int(text[4:]))
        except ValueError:
            raise self.fail(line, field, f"{text!r} is not a date (YYMMDD).") from None

    def statement_line(self, line: int, value: list[str]) -> None:
        found = _LINE61.match(value[0].strip())
        if found is None:
            raise self.fail(
                line, "61", f"{value[0][:40]!r} is not a statement line (YYMMDD[MMDD]C/D...)."
            )
        if not self.currency:
            raise self.fail(line, "61", "a line before the opening balance (:60F:).")
        amount = parse_amount(found.group("amount"), _COMMA)
        if amount is None:
            raise self.fail(line, "61", f"{found.group('amount')!r} is not an amount.")
        booked = self.date(line, "61", found.group("date"))
        negative = found.group("mark") in ("D", "RC")
        reference = (found.group("ref") or "").strip()
        if reference.upper() == "NONREF":
            reference = (found.group("bank") or "").strip()
        self.pending = (line, booked, -amount if negative else amount, reference)

    def close_pending(self, info: str | None = None) -> None:
        if self.pending is None:
            return
        line, booked, amount, reference = self.pending
        self.pending = None
        payee, memo = _split_86(info or "")
        self.lines.append(ParsedLine(line, booked, amount, self.currency, payee, memo, reference))

    def finish(self) -> Statement:
        self.flush()
        self.close_pending()
        if not self.seen:
            raise StatementError(
                f"{self.source} is not an MT940 statement (no :NN: field).", self.source, 1, "tag"
            )
        if not self.currency:
            raise StatementError(
                f"{self.source} has no opening balance (:60F:), so no currency.",
                self.source,
                None,
                "60F",
            )
        balance, date = self.closing if self.closing else (None, None)
        return Statement(
            StatementFormat.MT940,
            self.source,
            self.currency,
            self.account,
            tuple(self.lines),
            balance,
            date,
        )


_SUBFIELD = re.compile(r"\?(\d{2})")


def _split_86(info: str) -> tuple[str, str]:
    """Return (payee, text) of a ``:86:`` field: structured ``?NN`` subfields or free text."""
    if "?" not in info:
        return "", info.strip()
    parts = _SUBFIELD.split(info)
    fields: dict[int, str] = {}
    for code, value in zip(parts[1::2], parts[2::2], strict=False):
        fields[int(code)] = fields.get(int(code), "") + value
    purpose = "".join(fields.get(c, "") for c in range(20, 30)) + "".join(
        fields.get(c, "") for c in range(60, 64)
    )
    payee = (fields.get(32, "") + fields.get(33, "")).strip()
    return payee, (purpose.strip() or fields.get(0, "").strip())
