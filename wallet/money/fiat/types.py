"""The values the fiat API takes and returns: accounts, lines, parsed statements, reports."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field
from decimal import Decimal

__all__ = [
    "FiatAccount",
    "FiatKind",
    "FiatLine",
    "ImportReport",
    "LineMatch",
    "ParsedLine",
    "RefusedLine",
    "Statement",
    "StatementFormat",
]


class FiatKind(enum.Enum):
    """What a fiat account is."""

    BANK = "bank"
    CARD = "card"
    CASH = "cash"


class StatementFormat(enum.Enum):
    """The statement formats ``FiatBook.import_statement`` reads."""

    OFX = "ofx"
    CAMT053 = "camt053"
    MT940 = "mt940"
    CSV = "csv"


@dataclass(frozen=True, slots=True)
class FiatAccount:
    """A bank, card or cash account in one currency.

    Attributes:
        id: the account's number in the wallet.
        name: its name, unique in the wallet.
        kind: bank, card or cash.
        currency: its ISO 4217 currency.
        institution: the bank or card issuer.
        number: the account number or IBAN as statements give it (may be empty).
        opening_balance: the balance before its first line.
        balance: the opening balance plus every line.
        statement_balance: the closing balance of the last imported statement, if it gave one.
        statement_date: the date of that balance.
    """

    id: int
    name: str
    kind: FiatKind
    currency: str
    institution: str
    number: str
    opening_balance: Decimal
    balance: Decimal
    statement_balance: Decimal | None = None
    statement_date: dt.date | None = None


@dataclass(frozen=True, slots=True)
class FiatLine:
    """One booked line of a fiat account.

    Attributes:
        id: the line's number in the wallet.
        account_id: its account.
        booked: the booking date.
        amount: positive in, negative out, in the account's currency.
        currency: the account's currency.
        payee: the counterparty.
        memo: the bank's text.
        reference: the bank's reference (OFX FITID, camt AcctSvcrRef or EndToEndId, MT940
            reference), or ``""``.
        origin: ``manual``, ``transfer`` or the statement format it came from.
        transfer_id: lines of one transfer between own accounts share this number.
        chain_network: the network of the chain transaction this line paid for or was paid
            by (a buy or a sell), if linked.
        chain_txid: that transaction.
    """

    id: int
    account_id: int
    booked: dt.date
    amount: Decimal
    currency: str
    payee: str = ""
    memo: str = ""
    reference: str = ""
    origin: str = "manual"
    transfer_id: int | None = None
    chain_network: str | None = None
    chain_txid: str | None = None


@dataclass(frozen=True, slots=True)
class ParsedLine:
    """A statement line as a parser read it, before it is matched.

    Attributes:
        line: the line of the file it starts on (1-based).
        booked: the booking date.
        amount: the amount, in ``currency``.
        currency: the line's currency (the statement's, unless the line names another).
        payee: the counterparty.
        memo: the bank's text.
        reference: the bank's reference, or ``""``.
    """

    line: int
    booked: dt.date
    amount: Decimal
    currency: str
    payee: str = ""
    memo: str = ""
    reference: str = ""


@dataclass(frozen=True, slots=True)
class Statement:
    """A whole parsed statement.

    Attributes:
        format: the format it was read from.
        source: the file name (for messages).
        currency: the statement's currency.
        account_number: the account it says it is for (IBAN, account id), or ``""``.
        lines: the lines, in file order.
        closing_balance: the closing (ledger) balance it states, if any.
        closing_date: the date of that balance.
    """

    format: StatementFormat
    source: str
    currency: str
    account_number: str
    lines: tuple[ParsedLine, ...]
    closing_balance: Decimal | None = None
    closing_date: dt.date | None = None


@dataclass(frozen=True, slots=True)
class LineMatch:
    """A statement line found already in the account: it was not added again.

    Attributes:
        line: the statement line.
        existing: the account's line it is.
        score: the match score (``wallet.money.fiat.matching``; at least the threshold).
        reasons: what matched, as words (``"same amount"``, ``"same date"``,
            ``"same reference"``, ``"same text"``...).
    """

    line: ParsedLine
    existing: FiatLine
    score: int
    reasons: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RefusedLine:
    """A statement line that was not imported, and why.

    Attributes:
        line: the statement line.
        reason: one sentence.
    """

    line: ParsedLine
    reason: str


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What an import did, line by line: every statement line is in exactly one list.

    Attributes:
        account: the account, after the import.
        format: the statement's format.
        source: the file.
        added: the new lines, as stored.
        matched: lines already in the account, each with its reasons.
        refused: lines not imported, each with its reason.
        dry_run: nothing was written (``import_statement(..., dry_run=True)``).
        balance_note: a sentence when the statement's closing balance differs from the
            account's computed balance at that date, else ``""``.
    """

    account: FiatAccount
    format: StatementFormat
    source: str
    added: tuple[FiatLine, ...] = ()
    matched: tuple[LineMatch, ...] = ()
    refused: tuple[RefusedLine, ...] = ()
    dry_run: bool = False
    balance_note: str = field(default="")
