"""Labels on transactions, addresses, outputs and keys, shaped as BIP-329 records."""

from __future__ import annotations

from dataclasses import dataclass

from wallet.errors import WalletError
from wallet.storage import WalletDatabase

__all__ = ["LABEL_TYPES", "Label", "LabelStore"]

LABEL_TYPES = frozenset({"tx", "addr", "pubkey", "input", "output", "xpub"})
"""The record types of BIP-329."""


@dataclass(frozen=True, slots=True)
class Label:
    """One label: a BIP-329 record."""

    type: str
    ref: str
    label: str
    origin: str | None = None
    spendable: bool | None = None


class LabelStore:
    """The wallet's labels, stored in the wallet file."""

    def __init__(self, database: WalletDatabase) -> None:
        """Bind to the wallet database."""
        self._db = database

    def set(self, type_: str, ref: str, label: str, origin: str | None = None) -> None:
        """Set (or with an empty ``label``, remove) the label of a record.

        Raises:
            WalletError: a type that BIP-329 does not define, or an empty reference.
        """
        if type_ not in LABEL_TYPES:
            raise WalletError(f"Label types are {', '.join(sorted(LABEL_TYPES))}; not {type_!r}.")
        if not ref.strip():
            raise WalletError("A label needs the thing it labels.")
        with self._db.transaction():
            if not label:
                self._db.execute("DELETE FROM labels WHERE type = ? AND ref = ?", (type_, ref))
                return
            self._db.execute(
                "INSERT INTO labels(type, ref, label, origin) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(type, ref) DO UPDATE SET label = excluded.label, "
                "origin = COALESCE(excluded.origin, labels.origin)",
                (type_, ref, label, origin),
            )

    def set_spendable(self, ref: str, spendable: bool) -> None:
        """Mark an output (``txid:vout``) as spendable or frozen (BIP-329 ``spendable``)."""
        with self._db.transaction():
            self._db.execute(
                "INSERT INTO labels(type, ref, label, spendable) VALUES ('output', ?, '', ?) "
                "ON CONFLICT(type, ref) DO UPDATE SET spendable = excluded.spendable",
                (ref, int(spendable)),
            )

    def get(self, type_: str, ref: str) -> str:
        """Return the label of a record, or an empty string."""
        rows = self._db.query("SELECT label FROM labels WHERE type = ? AND ref = ?", (type_, ref))
        return str(rows[0][0]) if rows else ""

    def all(self) -> list[Label]:
        """Return every label record, ordered by type and reference."""
        rows = self._db.query(
            "SELECT type, ref, label, origin, spendable FROM labels ORDER BY type, ref"
        )
        return [Label(t, r, lbl, o, None if sp is None else bool(sp)) for t, r, lbl, o, sp in rows]
