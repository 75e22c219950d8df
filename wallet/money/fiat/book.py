"""``FiatBook`` (``Wallet.fiat``): fiat accounts, statement imports, entries, transfers, links.

The points, tickets and attachments of the same wallet hang off it as ``points``,
``tickets`` and ``attachments``, and ``holdings()`` lists what the portfolio values.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
from decimal import Decimal

from chains.registry import get_network
from wallet.amounts import check_magnitude, parse_decimal
from wallet.errors import (
    FloatAmountError,
    InvalidAmount,
    InvalidTxHash,
    UnknownNetwork,
    WalletError,
)
from wallet.money.fiat.attachments import AttachmentBook
from wallet.money.fiat.csvfile import CsvMapping
from wallet.money.fiat.currency import check_currency, from_minor, to_minor
from wallet.money.fiat.holdings import FiatHoldings, PointsHoldings
from wallet.money.fiat.importer import (
    apply_statement,
    check_statement,
    csv_mapping,
    read_file,
    statement_format,
)
from wallet.money.fiat.points import PointsBook
from wallet.money.fiat.statements import read_statement
from wallet.money.fiat.store import FiatStore, NewLine
from wallet.money.fiat.tickets import TicketBook
from wallet.money.fiat.types import (
    FiatAccount,
    FiatKind,
    FiatLine,
    ImportReport,
    ParsedLine,
    StatementFormat,
)
from wallet.money.portfolio import Holding, HoldingsSource
from wallet.storage import WalletDatabase

__all__ = ["FiatAmount", "FiatBook"]

FiatAmount = Decimal | str | int
"""A fiat amount: a ``Decimal`` or text of the currency (``"12.50"``), or an ``int`` of its
minor unit (``1250`` cents), as crypto amounts take base units. A ``float`` is refused."""

_TXID = re.compile(r"(0x)?[0-9a-fA-F]{64}")
_NAME_LIMIT = 80


def _amount(value: FiatAmount, currency: str, what: str = "amount") -> Decimal:
    if isinstance(value, float):
        raise FloatAmountError()
    if isinstance(value, bool) or not isinstance(value, Decimal | int | str):
        raise InvalidAmount(f"An {what} is a Decimal, text or an int of minor units.")
    if isinstance(value, int):
        return from_minor(value, currency)
    number = parse_decimal(value, what) if isinstance(value, str) else value
    if not number.is_finite():
        raise InvalidAmount(f"The {what} must be a finite number.")
    check_magnitude(number, what)
    if abs(number) >= Decimal(10) ** 15:
        raise InvalidAmount(f"The {what} is too large for a fiat account.")
    to_minor(number, currency)  # refuses more decimals than the currency has
    return number


def _name(name: str, what: str = "name") -> str:
    text = name.strip()
    if not text or len(text) > _NAME_LIMIT or not text.isprintable():
        raise WalletError(f"A {what} is 1 to {_NAME_LIMIT} printable characters on one line.")
    return text


def _text(value: str, what: str) -> str:
    if len(value) > 500 or "\n" in value or "\r" in value:
        raise WalletError(f"The {what} is one line of at most 500 characters.")
    return value.strip()


class FiatBook:
    """The wallet's money outside the chains (``Wallet.fiat``)."""

    def __init__(self, database: WalletDatabase) -> None:
        """Bind to the wallet database."""
        self._store = FiatStore(database)
        self.points = PointsBook(database)
        """Loyalty programmes (``wallet.money.fiat.points.PointsBook``)."""
        self.tickets = TicketBook(database)
        """Tickets, including NFTs marked as tickets (``wallet.money.fiat.tickets.TicketBook``)."""
        self.attachments = AttachmentBook(database)
        """Receipts and e-invoices attached to transactions (``AttachmentBook``)."""

    # -- accounts --------------------------------------------------------------------------

    def add_account(
        self,
        name: str,
        currency: str,
        *,
        kind: FiatKind | str = FiatKind.BANK,
        institution: str = "",
        number: str = "",
        opening_balance: FiatAmount = Decimal(0),
    ) -> FiatAccount:
        """Add a bank, card or cash account.

        Args:
            name: its name, unique in the wallet.
            currency: its ISO 4217 currency.
            kind: ``bank``, ``card`` or ``cash``.
            institution: the bank or card issuer.
            number: the account number or IBAN (statements for another are refused).
            opening_balance: the balance before its first line.

        Raises:
            UnknownCurrency: not an ISO 4217 code.
            InvalidAmount: an opening balance with more decimals than the currency has.
            FloatAmountError: a float.
            WalletError: an empty or too long name, one already used, or an unknown kind.
        """
        code = check_currency(currency)
        try:
            kind_value = FiatKind(kind)
        except ValueError:
            raise WalletError(
                f"A fiat account is bank, card or cash; not {str(kind)[:20]!r}."
            ) from None
        opening = _amount(opening_balance, code, "opening balance")
        return self._store.add_account(
            _name(name),
            kind_value,
            code,
            _text(institution, "institution"),
            _text(number, "account number"),
            opening,
        )

    def edit_account(
        self,
        name: str,
        *,
        institution: str | None = None,
        number: str | None = None,
        opening_balance: FiatAmount | None = None,
    ) -> FiatAccount:
        """Change an account's institution, number or opening balance (what is given).

        The opening balance is the balance before the account's first line: set it when an
        import notes that the statement's closing balance disagrees with the lines.

        Raises:
            FiatAccountNotFound: no account has that name.
            InvalidAmount: an opening balance with more decimals than the currency has.
            FloatAmountError: a float.
            WalletError: an institution or number longer than one line of 500 characters.
        """
        account = self._store.account(name)
        opening = (
            None
            if opening_balance is None
            else to_minor(
                _amount(opening_balance, account.currency, "opening balance"), account.currency
            )
        )
        self._store.edit_account(
            account.id,
            institution=None if institution is None else _text(institution, "institution"),
            number=None if number is None else _text(number, "account number"),
            opening_minor=opening,
        )
        return self._store.account_by_id(account.id)

    def remove_account(self, name: str) -> None:
        """Remove an account with its lines and the files attached to them.

        A transfer's line in another account stays (no longer linked as a transfer).

        Raises:
            FiatAccountNotFound: no account has that name.
        """
        self._store.remove_account(self._store.account(name).id)

    def accounts(self) -> list[FiatAccount]:
        """Return every fiat account with its balance, by name."""
        return self._store.accounts()

    def account(self, name: str) -> FiatAccount:
        """Return the fiat account named ``name``.

        Raises:
            FiatAccountNotFound: none has that name.
        """
        return self._store.account(name)

    def lines(
        self,
        name: str | None = None,
        *,
        since: dt.date | None = None,
        until: dt.date | None = None,
    ) -> list[FiatLine]:
        """Return the lines of one account (or of all), by date.

        Raises:
            FiatAccountNotFound: no account has that name.
        """
        account_id = self._store.account(name).id if name is not None else None
        return self._store.lines(account_id, since=since, until=until)

    # -- entries and transfers ---------------------------------------------------------------

    def add_entry(
        self,
        name: str,
        booked: dt.date,
        amount: FiatAmount,
        *,
        payee: str = "",
        memo: str = "",
        reference: str = "",
    ) -> FiatLine:
        """Add a line by hand (cash spent, a payment the bank has not exported yet).

        A later statement import matches it (same amount and date) instead of adding it twice.

        Raises:
            FiatAccountNotFound: no account has that name.
            InvalidAmount: zero, or more decimals than the currency has.
            FloatAmountError: a float.
        """
        account = self._store.account(name)
        value = _amount(amount, account.currency)
        if value == 0:
            raise InvalidAmount("An entry's amount is not zero.")
        line = ParsedLine(
            0,
            _date(booked),
            value,
            account.currency,
            _text(payee, "payee"),
            _text(memo, "memo"),
            _text(reference, "reference"),
        )
        (line_id,) = self._store.add_lines([(account.id, line, "manual")])
        return self._store.line(line_id)

    def transfer(
        self,
        source: str,
        target: str,
        amount: FiatAmount,
        booked: dt.date,
        *,
        received: FiatAmount | None = None,
        memo: str = "",
    ) -> tuple[FiatLine, FiatLine]:
        """Move money between two own accounts: two linked lines, out of one and into the other.

        Args:
            source: the account paying.
            target: the account receiving.
            amount: what leaves ``source``, positive, in its currency.
            booked: the date.
            received: what arrives in ``target`` when its currency differs (required then).
            memo: a text for both lines.

        Returns:
            The line out of ``source`` and the line into ``target``.

        Raises:
            FiatAccountNotFound: an account does not exist.
            InvalidAmount: not positive, too many decimals, or ``received`` missing for two
                currencies.
            WalletError: the same account twice.
        """
        out_of, into = self._store.account(source), self._store.account(target)
        if out_of.id == into.id:
            raise WalletError("A transfer is between two different accounts.")
        sent = _amount(amount, out_of.currency)
        if received is None and out_of.currency != into.currency:
            raise InvalidAmount(
                f"{out_of.name} is in {out_of.currency} and {into.name} in {into.currency}: "
                "give the amount received too."
            )
        got = sent if received is None else _amount(received, into.currency, "amount received")
        if sent <= 0 or got <= 0:
            raise InvalidAmount("A transfer moves a positive amount.")
        day = _date(booked)
        text = _text(memo, "memo") or f"Transfer {out_of.name} -> {into.name}"
        lines: list[NewLine] = [
            (out_of.id, ParsedLine(0, day, -sent, out_of.currency, into.name, text), "transfer"),
            (into.id, ParsedLine(0, day, got, into.currency, out_of.name, text), "transfer"),
        ]
        first, second = self._store.add_lines(lines, transfer=True)
        return self._store.line(first), self._store.line(second)

    def remove_line(self, line_id: int) -> list[FiatLine]:
        """Remove a line (a mistaken entry) and the files attached to it.

        A transfer is removed whole: both its lines. A line of a statement comes back if that
        statement is imported again.

        Returns:
            The lines removed.

        Raises:
            FiatAccountNotFound: no line has that number.
        """
        line = self._store.line(line_id)
        removed = (
            [line] if line.transfer_id is None else self._store.transfer_lines(line.transfer_id)
        )
        self._store.remove_lines([ln.id for ln in removed])
        return removed

    def link_transaction(self, line_id: int, network: str, txid: str) -> FiatLine:
        """Link a fiat line to the chain transaction it bought or sold crypto with.

        Args:
            line_id: the fiat line (the card payment of a buy, the bank credit of a sell).
            network: the chain's network (``bitcoin``, ``ethereum``...).
            txid: the transaction's id (hex; ``0x`` for EVM networks).

        Raises:
            FiatAccountNotFound: no line has that number.
            UnknownNetwork: no such network.
            InvalidTxHash: not a transaction id.
        """
        line = self._store.line(line_id)
        try:
            net = get_network(network)
        except KeyError:
            raise UnknownNetwork(f"There is no network named {network[:30]!r}.") from None
        if not _TXID.fullmatch(txid.strip()):
            raise InvalidTxHash("A transaction id is 64 hex digits (0x first on EVM networks).")
        self._store.link_chain(line.id, net.name, txid.strip().lower())
        return self._store.line(line.id)

    def unlink_transaction(self, line_id: int) -> FiatLine:
        """Remove the chain link of a fiat line.

        Raises:
            FiatAccountNotFound: no line has that number.
        """
        line = self._store.line(line_id)
        self._store.link_chain(line.id, None, None)
        return self._store.line(line.id)

    def lines_for_transaction(self, txid: str) -> list[FiatLine]:
        """Return the fiat lines linked to chain transaction ``txid``."""
        return self._store.lines_for_chain_tx(txid.strip().lower())

    # -- statements --------------------------------------------------------------------------

    def import_statement(
        self,
        name: str,
        file: str | os.PathLike[str] | bytes,
        *,
        fmt: StatementFormat | str | None = None,
        mapping: CsvMapping | str | None = None,
        source: str | None = None,
        dry_run: bool = False,
    ) -> ImportReport:
        """Import a bank or card statement into an account; never duplicate, never lose a line.

        Each statement line is matched against the account's lines (``matching``): a line
        already there is reported as matched with its score and reasons, a new one is added,
        and a line in another currency is refused with its reason. The whole import is one
        transaction: an error anywhere leaves the account as it was.

        Args:
            name: the account.
            file: the statement's path, or its bytes.
            fmt: ``ofx``, ``camt053``, ``mt940`` or ``csv``; by default told from the content.
            mapping: for CSV, a ``CsvMapping`` or a preset's name (``PRESETS``).
            source: the name shown in messages (default: the file's name).
            dry_run: report what would happen, write nothing.

        Returns:
            The report: every statement line added, matched or refused.

        Raises:
            FiatAccountNotFound: no account has that name.
            StatementError: the file cannot be read, is malformed, or a field does not parse
                (the error names the line and field); or it is for another account number.
            StatementCurrencyMismatch: the statement is in another currency than the account.
            CsvMappingMismatch: the CSV mapping does not fit the file.
        """
        account = self._store.account(name)
        data, shown = read_file(file, source)
        statement = read_statement(
            data,
            shown,
            statement_format(fmt),
            mapping=csv_mapping(mapping),
            currency=account.currency,
        )
        check_statement(statement, account)
        digest = hashlib.sha256(data).hexdigest()
        return apply_statement(self._store, account, statement, digest, dry_run)

    # -- portfolio ---------------------------------------------------------------------------

    def holdings_sources(self) -> tuple[HoldingsSource, ...]:
        """Return the portfolio's sources of fiat accounts and of points (``Wallet`` adds them)."""
        return FiatHoldings(self._store), PointsHoldings(self.points.programmes)

    def holdings(self, today: dt.date | None = None) -> list[Holding]:
        """Return what the portfolio values here: each fiat account, and each programme.

        Args:
            today: the day for points' expiry (default: today, UTC); expired points are
                worth 0, a programme without a value per point is unknown (never 0).
        """
        points = PointsHoldings(self.points.programmes, None if today is None else lambda: today)
        return [*FiatHoldings(self._store).holdings(), *points.holdings()]


def _date(value: dt.date) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if not isinstance(value, dt.date):
        raise WalletError("A date is a datetime.date.")
    return value
