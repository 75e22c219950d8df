"""Statement imports: read the file, check it against the account, match and add its lines.

``FiatBook.import_statement`` is the entry point; these are its steps.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from wallet.errors import InvalidAmount, StatementCurrencyMismatch, StatementError, UnknownCurrency
from wallet.money.fiat.csvfile import PRESETS, CsvMapping
from wallet.money.fiat.currency import check_currency, minor_digits, to_minor
from wallet.money.fiat.matching import match_lines
from wallet.money.fiat.statements import MAX_STATEMENT_BYTES
from wallet.money.fiat.store import FiatStore
from wallet.money.fiat.types import (
    FiatAccount,
    FiatLine,
    ImportReport,
    LineMatch,
    ParsedLine,
    RefusedLine,
    Statement,
    StatementFormat,
)

__all__ = ["apply_statement", "check_statement", "csv_mapping", "read_file", "statement_format"]


def check_statement(statement: Statement, account: FiatAccount) -> None:
    """Refuse a statement in another currency or for another account, or with a bad amount.

    Raises:
        StatementCurrencyMismatch: another currency than the account's.
        StatementError: an unknown currency code, another account number, or an amount with
            more decimals than the currency has (naming its line).
    """
    try:
        currency = check_currency(statement.currency)
    except UnknownCurrency:
        raise StatementError(
            f"{statement.source}: {statement.currency[:8]!r} is not a currency code.",
            statement.source,
        ) from None
    if currency != account.currency:
        raise StatementCurrencyMismatch(
            f"{statement.source} is a statement in {currency}; the account {account.name} "
            f"is in {account.currency}. Nothing was imported.",
            statement.source,
            currency,
            account.currency,
        )
    given, ours = _plain(statement.account_number), _plain(account.number)
    if given and ours and not (given.endswith(ours) or ours.endswith(given)):
        raise StatementError(
            f"{statement.source} is for account {statement.account_number[:40]}, not "
            f"{account.name}'s ({account.number}). Nothing was imported.",
            statement.source,
        )
    digits = minor_digits(account.currency)
    for line in statement.lines:
        if line.currency != account.currency:
            continue
        try:
            to_minor(line.amount, line.currency, digits)
        except InvalidAmount as err:
            raise StatementError(
                f"{statement.source} line {line.line}, field amount: {err}",
                statement.source,
                line.line,
                "amount",
            ) from None


def apply_statement(
    store: FiatStore, account: FiatAccount, statement: Statement, digest: str, dry_run: bool
) -> ImportReport:
    """Match a checked statement against the account, add the new lines in one transaction.

    Returns:
        The report: each statement line added, matched (with score and reasons) or refused.
    """
    refused: list[RefusedLine] = []
    usable: list[ParsedLine] = []
    for line in statement.lines:
        if line.currency != account.currency:
            refused.append(
                RefusedLine(
                    line, f"the line is in {line.currency}, the account in {account.currency}"
                )
            )
        else:
            usable.append(line)
    existing: list[FiatLine] = []
    if usable:
        days = [line.booked for line in usable]
        existing = store.lines_near(account.id, min(days), max(days))
    chosen = match_lines(usable, existing, statement.format.value)
    matched = tuple(
        LineMatch(usable[i], c.old, c.score, c.reasons) for i, c in sorted(chosen.items())
    )
    new = [line for i, line in enumerate(usable) if i not in chosen]
    closing = (
        (statement.closing_balance, statement.closing_date)
        if statement.closing_balance is not None and statement.closing_date is not None
        else None
    )
    origin = statement.format.value
    if dry_run:
        ids = [0] * len(new)
    else:
        ids = store.record_import(
            account,
            origin,
            statement.source,
            digest,
            new,
            (len(matched), len(refused)),
            closing,
        )
    added = tuple(
        FiatLine(
            i,
            account.id,
            ln.booked,
            ln.amount,
            ln.currency,
            ln.payee,
            ln.memo,
            ln.reference,
            origin,
        )
        for i, ln in zip(ids, new, strict=True)
    )
    after = store.account_by_id(account.id)
    note = ""
    if closing is not None and not dry_run:
        computed = store.balance_on(after, closing[1])
        if computed != closing[0]:
            opening = after.opening_balance + closing[0] - computed
            note = (
                f"The statement's closing balance on {closing[1]} is {closing[0]} "
                f"{account.currency}; the account's lines add up to {computed}: import the "
                f"missing statements, or set the opening balance to {opening} "
                f"(coffer fiat edit NAME --opening {opening})."
            )
    return ImportReport(
        after,
        statement.format,
        statement.source,
        added,
        matched,
        tuple(refused),
        dry_run,
        note,
    )


def _plain(number: str) -> str:
    return re.sub(r"[\s/-]", "", number).upper()


def statement_format(fmt: StatementFormat | str | None) -> StatementFormat | None:
    """Return the format a caller named (``None``: tell from the content).

    Raises:
        StatementError: not a format's name.
    """
    if fmt is None or isinstance(fmt, StatementFormat):
        return fmt
    try:
        return StatementFormat(fmt.lower())
    except ValueError:
        names = ", ".join(f.value for f in StatementFormat)
        raise StatementError(f"Statement formats are {names}; not {fmt[:20]!r}.") from None


def csv_mapping(mapping: CsvMapping | str | None) -> CsvMapping | None:
    """Return the mapping a caller gave, or the preset it named.

    Raises:
        StatementError: not a preset's name.
    """
    if mapping is None or isinstance(mapping, CsvMapping):
        return mapping
    if mapping not in PRESETS:
        names = ", ".join(sorted(PRESETS))
        raise StatementError(f"CSV presets are {names}; not {mapping[:30]!r}.")
    return PRESETS[mapping]


def read_file(file: str | os.PathLike[str] | bytes, source: str | None) -> tuple[bytes, str]:
    """Return a statement's bytes and the name shown for it.

    Raises:
        StatementError: the file cannot be read.
    """
    if isinstance(file, bytes):
        return file, source or "statement"
    path = Path(file)
    shown = source or path.name
    try:
        # Non-blocking open: a named pipe with no writer reads as empty instead of hanging.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        os.set_blocking(fd, True)
        with os.fdopen(fd, "rb") as handle:
            data = handle.read(MAX_STATEMENT_BYTES + 1)
    except OSError as err:
        raise StatementError(f"Cannot read {shown}: {err.strerror or err}.", shown) from None
    return data, shown
