"""Settings kept in the wallet file's ``meta`` table: one owner for reading and clearing them.

A setting is a text value under a key (``servers:bitcoin``, ``utxo:max_fee_share``). The
wallet's own description (id, kind, fingerprint) is under other keys, read by
``wallet.storage.accounts.AccountStore``.
"""

from __future__ import annotations

from wallet.storage.database import WalletDatabase

__all__ = ["SettingsStore"]


class SettingsStore:
    """Read, write and clear settings of an open wallet file."""

    def __init__(self, database: WalletDatabase) -> None:
        """Bind to the wallet database."""
        self._db = database

    def get(self, key: str) -> str | None:
        """Return the setting under ``key``, or ``None`` when it is not set."""
        return self._db.get_meta(key)

    def set(self, key: str, value: str) -> None:
        """Store a setting (in its own transaction, or the caller's)."""
        with self._db.transaction():
            self._db.set_meta(key, value)

    def clear(self, key: str) -> None:
        """Remove a setting, so that its default applies again."""
        with self._db.transaction():
            self._db.execute("DELETE FROM meta WHERE key = ?", (key,))

    def get_or_set(self, key: str, value: str) -> str:
        """Return the setting under ``key``, storing ``value`` there first if it has none.

        One statement decides, so two processes that race here both get the value the first
        one stored (a key made once, such as the devnet's, must never be replaced).
        """
        with self._db.transaction():
            self._db.execute(
                "INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO NOTHING",
                (key, value),
            )
            stored = self._db.get_meta(key)
        assert stored is not None  # noqa: S101 - inserted or already there, in this transaction
        return stored
