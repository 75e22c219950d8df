"""``PointsBook`` (``Wallet.fiat.points``): loyalty programmes, their balance and expiry."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from wallet.amounts import check_magnitude, parse_decimal
from wallet.errors import FloatAmountError, InvalidAmount, WalletError
from wallet.money.fiat.currency import check_currency
from wallet.money.fiat.points_types import PointsProgramme
from wallet.money.fiat.store_items import PointsStore
from wallet.storage import WalletDatabase

__all__ = ["PointsBook", "PointsProgramme"]

_UNSET = object()


def _number(value: Decimal | str | int, what: str, *, positive: bool = False) -> Decimal:
    if isinstance(value, float):
        raise FloatAmountError()
    if isinstance(value, bool) or not isinstance(value, Decimal | int | str):
        raise InvalidAmount(f"The {what} is a Decimal, text or an int.")
    number = (
        parse_decimal(value, what)
        if isinstance(value, str)
        else Decimal(value)
        if isinstance(value, int)
        else value
    )
    if not number.is_finite() or number < 0 or (positive and number == 0):
        raise InvalidAmount(
            f"The {what} must be a {'positive' if positive else 'non-negative'} number."
        )
    check_magnitude(number, what)
    if abs(number) >= Decimal(10) ** 18 or -number.as_tuple().exponent > 8:  # type: ignore[operator]  # finite
        raise InvalidAmount(f"The {what} is too large or has more than 8 decimals.")
    return number


class PointsBook:
    """The wallet's loyalty programmes."""

    def __init__(self, database: WalletDatabase) -> None:
        """Bind to the wallet database."""
        self._store = PointsStore(database)

    def add(
        self,
        name: str,
        balance: Decimal | str | int,
        *,
        expires: dt.date | None = None,
        value_per_point: Decimal | str | None = None,
        value_currency: str | None = None,
    ) -> PointsProgramme:
        """Add a programme.

        Args:
            name: its name (unique).
            balance: the points held.
            expires: the day they expire, if known.
            value_per_point: what one point is worth (``"0.01"``), if known.
            value_currency: that value's currency (required with ``value_per_point``).

        Raises:
            WalletError: an empty or used name, or a value without its currency.
            InvalidAmount: a negative balance or value.
            UnknownCurrency: not an ISO 4217 code.
        """
        programme = self._programme(name, balance, expires, value_per_point, value_currency)
        return self._store.save(programme, new=True)

    def update(
        self,
        name: str,
        *,
        balance: Decimal | str | int | None = None,
        expires: dt.date | object | None = _UNSET,
        value_per_point: Decimal | str | object | None = _UNSET,
        value_currency: str | object | None = _UNSET,
    ) -> PointsProgramme:
        """Change a programme's balance, expiry or value (``None`` clears expiry or value).

        Raises:
            FiatAccountNotFound: no programme has that name.
            InvalidAmount, UnknownCurrency, WalletError: as for ``add``.
        """
        old = self._store.get(name)
        programme = self._programme(
            old.name,
            old.balance if balance is None else balance,
            old.expires if expires is _UNSET else expires,  # type: ignore[arg-type]  # checked
            old.value_per_point if value_per_point is _UNSET else value_per_point,  # type: ignore[arg-type]
            old.value_currency if value_currency is _UNSET else value_currency,  # type: ignore[arg-type]
        )
        return self._store.save(programme, new=False)

    def programmes(self) -> list[PointsProgramme]:
        """Return every programme, by name."""
        return self._store.all()

    def get(self, name: str) -> PointsProgramme:
        """Return one programme.

        Raises:
            FiatAccountNotFound: no programme has that name.
        """
        return self._store.get(name)

    def remove(self, name: str) -> None:
        """Remove a programme.

        Raises:
            FiatAccountNotFound: no programme has that name.
        """
        self._store.remove(name)

    @staticmethod
    def _programme(
        name: str,
        balance: Decimal | str | int,
        expires: dt.date | None,
        value_per_point: Decimal | str | None,
        value_currency: str | None,
    ) -> PointsProgramme:
        text = name.strip()
        if not text or len(text) > 80 or not text.isprintable():
            raise WalletError("A programme's name is 1 to 80 printable characters.")
        if expires is not None and not isinstance(expires, dt.date):
            raise WalletError("An expiry is a datetime.date.")
        value = None if value_per_point is None else _number(value_per_point, "value per point")
        currency = None if value_currency is None else check_currency(value_currency)
        if (value is None) != (currency is None):
            raise WalletError("A value per point needs its currency, and a currency its value.")
        return PointsProgramme(0, text, _number(balance, "balance"), expires, value, currency)
