"""What the money commands share: price tables and lookups, CSV files in and out, amounts.

Prices are the wallet's price service (daily closes, cached in the wallet; ``--offline``
answers from the cache alone), or a price table (``--prices FILE``, CSV
``date,asset,base,price``). A value without a price is unknown, never taken as zero.
"""

from __future__ import annotations

import os
import stat
from decimal import Decimal
from pathlib import Path

import click

from wallet import Wallet
from wallet.errors import WalletError
from wallet.money.sources import ServicePrices
from wallet.money.tax import PriceLookup, PriceTable, money

__all__ = [
    "OFFLINE_HELP",
    "PRICES_HELP",
    "amount_text",
    "base_code",
    "check_writable",
    "price_lookup",
    "price_table",
    "read_text",
    "write_text",
]

PRICES_HELP = "A CSV price table date,asset,base,price instead of the price service."
OFFLINE_HELP = "Ask the price service's cache only (no provider is contacted)."


def read_text(file: Path) -> str:
    """Return a UTF-8 text file of at most 50 MB, refused in one line otherwise."""
    try:
        fd = os.open(file, os.O_RDONLY | os.O_NONBLOCK)
        with os.fdopen(fd, "rb") as handle:
            if not stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                raise WalletError(f"{file} is not a regular file.")
            data = handle.read(50_000_001)
    except OSError as err:
        raise WalletError(f"Cannot read {file}: {err.strerror}.") from err
    if len(data) > 50_000_000:
        raise WalletError(f"{file} is larger than 50 MB.")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        raise WalletError(f"{file} is not UTF-8 text.") from err


def price_table(file: Path | None) -> PriceTable | None:
    """Return the price table in ``file``, or ``None`` without one."""
    return None if file is None else PriceTable.from_csv(read_text(file), source=file.name)


def price_lookup(wallet: Wallet, table_: PriceTable | None, offline: bool) -> PriceLookup:
    """Return the table if given, else the wallet's price service (its cache alone offline)."""
    return table_ if table_ is not None else ServicePrices(wallet.prices, online=not offline)


def write_text(file: Path, text: str) -> None:
    """Write ``text`` to ``file`` (``-``: standard output), readable by its owner only."""
    if str(file) == "-":
        click.echo(text, nl=False)
        return
    try:
        fd = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NONBLOCK, 0o600)
        os.set_blocking(fd, True)
        if stat.S_ISREG(os.fstat(fd).st_mode):
            os.fchmod(fd, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
    except OSError as err:
        raise WalletError(f"Cannot write {file}: {err.strerror}.") from err


def check_writable(file: Path) -> None:
    """Refuse at once a path ``write_text`` could not write, before any work is done."""
    if str(file) == "-":
        return
    try:
        if file.exists() or file.is_symlink():
            os.close(os.open(file, os.O_WRONLY | os.O_NONBLOCK))
        elif not file.parent.is_dir() or not os.access(file.parent, os.W_OK):
            raise WalletError(f"Cannot write {file}: no such folder, or it cannot be written.")
    except OSError as err:
        raise WalletError(f"Cannot write {file}: {err.strerror}.") from err


def base_code(text: str) -> str:
    """Return a currency code as typed, in upper case (checked by the API)."""
    return text.strip().upper()


def amount_text(value: Decimal | None, currency: str) -> str | None:
    """Return ``value`` to the minor unit of ``currency``, ``None`` when unknown."""
    return None if value is None else str(money(value, currency))
