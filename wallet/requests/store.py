"""The ``payment_requests`` table: its only reader and writer."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from wallet.requests.types import FxQuote, RequestStatus
from wallet.storage import WalletDatabase

__all__ = ["NewRequest", "RequestStore", "StoredRequest"]

_COLUMNS = (
    "id, account_id, address, token, amount, label, message, created_at, expires_at, "
    "fiat_amount, fx_currency, fx_rate, fx_source, fx_time, status, txids, reserved_address"
)


@dataclass(frozen=True, slots=True)
class NewRequest:
    """A request to store.

    Attributes:
        account_id: the receiving account.
        address: the address it is paid to.
        reserved: whether the address is reserved for it alone (UTXO accounts).
        token: the ERC-20 contract, ``None`` for the coin.
        amount: base units asked.
        label: the label.
        message: the message.
        created_at: Unix seconds.
        expires_at: Unix seconds, ``None`` if never.
        fx: the rate of a fiat-amount request.
        fiat_amount: the fiat amount asked.
    """

    account_id: int
    address: str
    reserved: bool
    token: str | None
    amount: int
    label: str
    message: str
    created_at: int
    expires_at: int | None
    fx: FxQuote | None = None
    fiat_amount: Decimal | None = None


@dataclass(frozen=True, slots=True)
class StoredRequest:
    """A stored request and the status the last sync found."""

    id: int
    request: NewRequest
    status: RequestStatus
    txids: tuple[str, ...]


class RequestStore:
    """Read and write the wallet's payment requests."""

    def __init__(self, database: WalletDatabase) -> None:
        """Bind to the wallet database."""
        self._db = database

    def add(self, new: NewRequest) -> int | None:
        """Store a request; return its id, or ``None`` if its reserved address is taken.

        The check and the insert run in one ``BEGIN IMMEDIATE`` transaction (one writer at a
        time), and ``UNIQUE (account_id, reserved_address)`` backs it: two processes cannot
        give one address to two requests.
        """
        fx = new.fx
        with self._db.transaction():
            taken = new.reserved and self._db.query(
                "SELECT 1 FROM payment_requests WHERE account_id = ? AND reserved_address = ?",
                (new.account_id, new.address),
            )
            if taken:
                return None
            self._db.execute(
                "INSERT INTO payment_requests(account_id, address, reserved_address, token, "
                "amount, label, message, created_at, expires_at, fiat_amount, fx_currency, "
                "fx_rate, fx_source, fx_time) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    new.account_id,
                    new.address,
                    new.address if new.reserved else None,
                    new.token,
                    str(new.amount),
                    new.label,
                    new.message,
                    new.created_at,
                    new.expires_at,
                    None if new.fiat_amount is None else str(new.fiat_amount),
                    None if fx is None else fx.currency,
                    None if fx is None else str(fx.rate),
                    None if fx is None else fx.source,
                    None if fx is None else fx.time,
                ),
            )
            rows = self._db.query("SELECT last_insert_rowid()")
        return int(rows[0][0])

    def reserved_addresses(self, account_id: int) -> set[str]:
        """Return the addresses reserved by the account's requests."""
        rows = self._db.query(
            "SELECT reserved_address FROM payment_requests WHERE account_id = ? "
            "AND reserved_address IS NOT NULL",
            (account_id,),
        )
        return {str(r[0]) for r in rows}

    def of_account(self, account_id: int) -> list[StoredRequest]:
        """Return the account's requests, oldest first."""
        rows = self._db.query(
            f"SELECT {_COLUMNS} FROM payment_requests WHERE account_id = ? "  # noqa: S608 - constant columns
            "ORDER BY created_at, id",
            (account_id,),
        )
        return [self._row(r) for r in rows]

    def get(self, account_id: int, request_id: int) -> StoredRequest | None:
        """Return one request of the account, if it has it."""
        rows = self._db.query(
            f"SELECT {_COLUMNS} FROM payment_requests WHERE account_id = ? AND id = ?",  # noqa: S608 - constant columns
            (account_id, request_id),
        )
        return self._row(rows[0]) if rows else None

    def record_status(
        self, updates: Sequence[tuple[int, RequestStatus, tuple[str, ...]]]
    ) -> list[int]:
        """Store the statuses a sync found; return the ids whose status changed."""
        changed = []
        with self._db.transaction():
            for request_id, status, txids in updates:
                rows = self._db.query(
                    "SELECT status, txids FROM payment_requests WHERE id = ?", (request_id,)
                )
                if not rows:
                    continue
                joined = ",".join(txids)
                if rows[0][0] != status.value or rows[0][1] != joined:
                    self._db.execute(
                        "UPDATE payment_requests SET status = ?, txids = ? WHERE id = ?",
                        (status.value, joined, request_id),
                    )
                    if rows[0][0] != status.value:
                        changed.append(request_id)
        return changed

    def _row(self, row: tuple[object, ...]) -> StoredRequest:
        (
            rid,
            account_id,
            address,
            token,
            amount,
            label,
            message,
            created,
            expires,
            fiat,
            currency,
            rate,
            source,
            fx_time,
            status,
            txids,
            reserved,
        ) = row
        fx = None
        if currency is not None and rate is not None:
            # The asset is the request's own (the account's coin or token): filled by the reader.
            fx = FxQuote("", str(currency), Decimal(str(rate)), str(source), int(str(fx_time)))
        new = NewRequest(
            account_id=int(str(account_id)),
            address=str(address),
            reserved=reserved is not None,
            token=None if token is None else str(token),
            amount=int(str(amount)),
            label=str(label),
            message=str(message),
            created_at=int(str(created)),
            expires_at=None if expires is None else int(str(expires)),
            fx=fx,
            fiat_amount=None if fiat is None else Decimal(str(fiat)),
        )
        return StoredRequest(
            id=int(str(rid)),
            request=new,
            status=RequestStatus(str(status)),
            txids=tuple(t for t in str(txids).split(",") if t),
        )
