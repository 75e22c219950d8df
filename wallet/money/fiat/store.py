"""``FiatStore``: the only code that reads and writes the fiat tables.

Amounts are integers of the currency's minor unit in the file and ``Decimal`` outside.
An import writes its record and all its lines in one transaction: a failure leaves none.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from wallet.errors import FiatAccountNotFound, WalletError
from wallet.money.fiat.currency import from_minor, minor_digits, to_minor
from wallet.money.fiat.types import FiatAccount, FiatKind, FiatLine, ParsedLine
from wallet.storage import WalletDatabase

__all__ = ["FiatStore", "NewLine"]

_ACCOUNT_COLUMNS = (
    "a.id, a.name, a.kind, a.currency, a.institution, a.number, a.opening_minor, "
    "a.statement_minor, a.statement_date, "
    "a.opening_minor + COALESCE((SELECT SUM(amount_minor) FROM fiat_lines l "
    "WHERE l.account_id = a.id), 0)"
)
_LINE_COLUMNS = (
    "l.id, l.account_id, l.booked, l.amount_minor, a.currency, l.payee, l.memo, l.reference, "
    "l.origin, l.transfer_id, l.chain_network, l.chain_txid"
)

_SELECT_ACCOUNTS = f"SELECT {_ACCOUNT_COLUMNS} FROM fiat_accounts a"  # noqa: S608 - constants
_SELECT_LINES = (
    f"SELECT {_LINE_COLUMNS} FROM fiat_lines l "  # noqa: S608 - constants
    "JOIN fiat_accounts a ON a.id = l.account_id"
)

NewLine = tuple[int, ParsedLine, str]
"""A line to write: (account id, the line, its origin)."""


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


class FiatStore:
    """The fiat accounts, their lines and their imports in the wallet file."""

    def __init__(self, database: WalletDatabase) -> None:
        """Bind to the wallet database."""
        self._db = database

    # -- accounts --------------------------------------------------------------------------

    def add_account(
        self,
        name: str,
        kind: FiatKind,
        currency: str,
        institution: str,
        number: str,
        opening: Decimal,
    ) -> FiatAccount:
        """Store a new account and return it.

        Raises:
            WalletError: an account of that name exists.
        """
        if self._db.query("SELECT 1 FROM fiat_accounts WHERE name = ?", (name,)):
            raise WalletError(f"There is already a fiat account named {name!r}.")
        with self._db.transaction():
            account_id = self._db.execute(
                "INSERT INTO fiat_accounts(name, kind, currency, institution, number, "
                "opening_minor, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    name,
                    kind.value,
                    currency,
                    institution,
                    number,
                    to_minor(opening, currency),
                    _now(),
                ),
            )
        return self.account_by_id(account_id)

    def edit_account(
        self,
        account_id: int,
        *,
        institution: str | None = None,
        number: str | None = None,
        opening_minor: int | None = None,
    ) -> None:
        """Change what is given of an account's institution, number and opening balance."""
        with self._db.transaction():
            for column, value in (
                ("institution", institution),
                ("number", number),
                ("opening_minor", opening_minor),
            ):
                if value is not None:
                    self._db.execute(
                        f"UPDATE fiat_accounts SET {column} = ? WHERE id = ?",  # noqa: S608
                        (value, account_id),
                    )

    def remove_account(self, account_id: int) -> None:
        """Remove an account, its lines, its imports and the files attached to its lines.

        The other side of a transfer stays, no longer linked as a transfer.
        """
        with self._db.transaction():
            self._db.execute(
                "DELETE FROM attachments WHERE target_kind = 'line' AND target_ref IN "
                "(SELECT CAST(id AS TEXT) FROM fiat_lines WHERE account_id = ?)",
                (account_id,),
            )
            self._db.execute(
                "UPDATE fiat_lines SET transfer_id = NULL WHERE account_id != ? AND transfer_id "
                "IN (SELECT transfer_id FROM fiat_lines WHERE account_id = ? "
                "AND transfer_id IS NOT NULL)",
                (account_id, account_id),
            )
            self._db.execute("DELETE FROM fiat_lines WHERE account_id = ?", (account_id,))
            self._db.execute("DELETE FROM fiat_imports WHERE account_id = ?", (account_id,))
            self._db.execute("DELETE FROM fiat_accounts WHERE id = ?", (account_id,))

    def accounts(self) -> list[FiatAccount]:
        """Return every account, by name."""
        rows = self._db.query(_SELECT_ACCOUNTS + " ORDER BY a.name")
        return [_account(r) for r in rows]

    def account(self, name: str) -> FiatAccount:
        """Return the account named ``name``.

        Raises:
            FiatAccountNotFound: none has that name.
        """
        rows = self._db.query(_SELECT_ACCOUNTS + " WHERE a.name = ?", (name,))
        if not rows:
            shown = name if len(name) <= 40 else name[:40] + "..."
            raise FiatAccountNotFound(
                f"There is no fiat account named {shown!r}; `coffer fiat list` shows them."
            )
        return _account(rows[0])

    def account_by_id(self, account_id: int) -> FiatAccount:
        """Return the account with the number ``account_id``.

        Raises:
            FiatAccountNotFound: none has that number.
        """
        rows = self._db.query(_SELECT_ACCOUNTS + " WHERE a.id = ?", (account_id,))
        if not rows:
            raise FiatAccountNotFound(f"There is no fiat account number {account_id}.")
        return _account(rows[0])

    def balance_on(self, account: FiatAccount, day: dt.date) -> Decimal:
        """Return the account's balance at the end of ``day``."""
        rows = self._db.query(
            "SELECT COALESCE(SUM(amount_minor), 0) FROM fiat_lines "
            "WHERE account_id = ? AND booked <= ?",
            (account.id, day.isoformat()),
        )
        return account.opening_balance + from_minor(int(rows[0][0]), account.currency)

    # -- lines -----------------------------------------------------------------------------

    def lines(
        self,
        account_id: int | None = None,
        *,
        since: dt.date | None = None,
        until: dt.date | None = None,
    ) -> list[FiatLine]:
        """Return lines (of one account, or all), by date then number."""
        where, params = ["1 = 1"], list[Any]()
        if account_id is not None:
            where.append("l.account_id = ?")
            params.append(account_id)
        if since is not None:
            where.append("l.booked >= ?")
            params.append(since.isoformat())
        if until is not None:
            where.append("l.booked <= ?")
            params.append(until.isoformat())
        rows = self._db.query(
            f"{_SELECT_LINES} WHERE {' AND '.join(where)} ORDER BY l.booked, l.id",
            params,
        )
        return _lines(rows)

    def line(self, line_id: int) -> FiatLine:
        """Return one line.

        Raises:
            FiatAccountNotFound: no line has that number.
        """
        rows = self._db.query(
            _SELECT_LINES + " WHERE l.id = ?",
            (line_id,),
        )
        if not rows:
            raise FiatAccountNotFound(f"There is no fiat line number {line_id}.")
        return _lines(rows)[0]

    def remove_lines(self, line_ids: Sequence[int]) -> None:
        """Remove lines and the files attached to them, in one transaction."""
        with self._db.transaction():
            for line_id in line_ids:
                self._db.execute(
                    "DELETE FROM attachments WHERE target_kind = 'line' AND target_ref = ?",
                    (str(line_id),),
                )
                self._db.execute("DELETE FROM fiat_lines WHERE id = ?", (line_id,))

    def transfer_lines(self, transfer_id: int) -> list[FiatLine]:
        """Return the lines of one transfer."""
        rows = self._db.query(
            _SELECT_LINES + " WHERE l.transfer_id = ? ORDER BY l.id", (transfer_id,)
        )
        return _lines(rows)

    def lines_near(self, account_id: int, first: dt.date, last: dt.date) -> list[FiatLine]:
        """Return the account's lines booked within a week of ``first`` .. ``last``."""
        return self.lines(
            account_id,
            since=first - dt.timedelta(days=7),
            until=last + dt.timedelta(days=7),
        )

    def add_lines(self, lines: Sequence[NewLine], transfer: bool = False) -> list[int]:
        """Write lines (in the caller's transaction, or one of their own); return their ids.

        With ``transfer``, the lines are one transfer: they share a transfer number.
        """
        ids: list[int] = []
        with self._db.transaction():
            transfer_id: int | None = None
            if transfer:
                rows = self._db.query("SELECT COALESCE(MAX(transfer_id), 0) + 1 FROM fiat_lines")
                transfer_id = int(rows[0][0])
            for account_id, line, origin in lines:
                ids.append(self._insert(account_id, line, origin, None, transfer_id))
        return ids

    def _insert(
        self,
        account_id: int,
        line: ParsedLine,
        origin: str,
        import_id: int | None,
        transfer_id: int | None,
        digits: int | None = None,
    ) -> int:
        return self._db.execute(
            "INSERT INTO fiat_lines(account_id, booked, amount_minor, payee, memo, reference, "
            "origin, import_id, transfer_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                account_id,
                line.booked.isoformat(),
                to_minor(line.amount, line.currency, digits),
                line.payee,
                line.memo,
                line.reference,
                origin,
                import_id,
                transfer_id,
            ),
        )

    def record_import(
        self,
        account: FiatAccount,
        format_name: str,
        source: str,
        digest: str,
        lines: Sequence[ParsedLine],
        counts: tuple[int, int],
        closing: tuple[Decimal, dt.date] | None,
    ) -> list[int]:
        """Write an import: its record, its new lines and the statement balance, at once.

        Args:
            account: the account.
            format_name: the statement format.
            source: the file name.
            digest: the file's SHA-256.
            lines: the lines to add.
            counts: (matched, refused) lines, for the record.
            closing: the statement's closing balance and date, if it gave one.

        Returns:
            The new lines' ids, in order.
        """
        with self._db.transaction():
            import_id = self._db.execute(
                "INSERT INTO fiat_imports(account_id, format, source, digest, added, matched, "
                "refused, imported_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (account.id, format_name, source, digest, len(lines), *counts, _now()),
            )
            digits = minor_digits(account.currency)
            ids = [
                self._insert(account.id, line, format_name, import_id, None, digits)
                for line in lines
            ]
            if closing is not None and (
                account.statement_date is None or closing[1] >= account.statement_date
            ):
                self._db.execute(
                    "UPDATE fiat_accounts SET statement_minor = ?, statement_date = ? WHERE id = ?",
                    (to_minor(closing[0], account.currency), closing[1].isoformat(), account.id),
                )
        return ids

    def link_chain(self, line_id: int, network: str | None, txid: str | None) -> None:
        """Set (or with ``None``, clear) the chain transaction a line paid for or came from."""
        self._db.execute(
            "UPDATE fiat_lines SET chain_network = ?, chain_txid = ? WHERE id = ?",
            (network, txid, line_id),
        )

    def lines_for_chain_tx(self, txid: str) -> list[FiatLine]:
        """Return the lines linked to chain transaction ``txid``."""
        rows = self._db.query(
            _SELECT_LINES + " WHERE l.chain_txid = ? ORDER BY l.id",
            (txid,),
        )
        return _lines(rows)


def _account(row: tuple[Any, ...]) -> FiatAccount:
    currency = str(row[3])
    return FiatAccount(
        id=int(row[0]),
        name=str(row[1]),
        kind=FiatKind(row[2]),
        currency=currency,
        institution=str(row[4]),
        number=str(row[5]),
        opening_balance=from_minor(int(row[6]), currency),
        balance=from_minor(int(row[9]), currency),
        statement_balance=None if row[7] is None else from_minor(int(row[7]), currency),
        statement_date=None if row[8] is None else dt.date.fromisoformat(row[8]),
    )


def _lines(rows: list[tuple[Any, ...]]) -> list[FiatLine]:
    digits: dict[str, int] = {}
    out = []
    for row in rows:
        currency = str(row[4])
        if currency not in digits:
            digits[currency] = minor_digits(currency)
        out.append(_line(row, currency, digits[currency]))
    return out


def _line(row: tuple[Any, ...], currency: str, digits: int) -> FiatLine:
    return FiatLine(
        id=int(row[0]),
        account_id=int(row[1]),
        booked=dt.date.fromisoformat(row[2]),
        amount=from_minor(int(row[3]), currency, digits),
        currency=currency,
        payee=str(row[5]),
        memo=str(row[6]),
        reference=str(row[7]),
        origin=str(row[8]),
        transfer_id=None if row[9] is None else int(row[9]),
        chain_network=row[10],
        chain_txid=row[11],
    )
