"""The UTXO accounts' ``addresses`` rows and their watched scripts: ``UtxoStore``'s base.

Each address is stored with its watched script row in the same transaction: the view knows
the account's outputs by those rows, so an address handed out since the last sync must be
watched at once. ``UtxoOwners`` answers, across networks, which accounts an address,
transaction or script belongs to (for BIP-329 origins).
"""

from __future__ import annotations

from collections.abc import Mapping

from chains.registry import UtxoNetwork
from primitives.tx import Transaction
from wallet.storage import WalletDatabase

__all__ = ["UtxoAddressStore", "UtxoOwners"]


class UtxoAddressStore:
    """Read and write the address rows of one network's UTXO accounts."""

    def __init__(self, database: WalletDatabase, network: UtxoNetwork) -> None:
        """Bind to the wallet database and a network."""
        self._db = database
        self._network = network

    @property
    def network(self) -> UtxoNetwork:
        """Return the network whose rows this store reads and writes."""
        return self._network

    def add_addresses(
        self, account_id: int, chain: int, rows: Mapping[int, tuple[str, bytes]]
    ) -> list[int]:
        """Store derived addresses of a chain (index to address and script); skip stored ones.

        Idempotent: what is stored already (by this or another process) is kept, in one
        ``BEGIN IMMEDIATE`` transaction, so two writers of the same addresses never collide.

        Returns:
            The indexes that were not stored before, in order.
        """
        if not rows:
            return []
        with self._db.transaction():
            stored = self._stored_indexes(account_id, chain, min(rows), max(rows) + 1)
            fresh = sorted(idx for idx in rows if idx not in stored)
            for idx in fresh:
                address, script = rows[idx]
                self._db.execute(
                    "INSERT OR IGNORE INTO addresses(account_id, chain, idx, address) "
                    "VALUES (?, ?, ?, ?)",
                    (account_id, chain, idx, address),
                )
                self._db.execute(
                    "INSERT OR IGNORE INTO utxo_scripts(account_id, chain, idx, script) "
                    "VALUES (?, ?, ?, ?)",
                    (account_id, chain, idx, script),
                )
        return fresh

    def missing_indexes(self, account_id: int, chain: int, start: int, stop: int) -> list[int]:
        """Return the indexes in ``start``..``stop - 1`` of a chain with no stored address."""
        stored = self._stored_indexes(account_id, chain, start, stop)
        if len(stored) == stop - start:
            return []
        return [idx for idx in range(start, stop) if idx not in stored]

    def _stored_indexes(self, account_id: int, chain: int, start: int, stop: int) -> set[int]:
        rows = self._db.query(
            "SELECT idx FROM addresses WHERE account_id = ? AND chain = ? AND idx >= ? AND idx < ?",
            (account_id, chain, start, stop),
        )
        return {int(r[0]) for r in rows}

    def unscripted(self, account_id: int) -> list[tuple[int, int]]:
        """Return the ``(chain, index)`` of stored addresses without a watched script row.

        Only a wallet file written before schema v2 has such addresses.
        """
        rows = self._db.query(
            "SELECT a.chain, a.idx FROM addresses a LEFT JOIN utxo_scripts s "
            "ON s.account_id = a.account_id AND s.chain = a.chain AND s.idx = a.idx "
            "WHERE a.account_id = ? AND s.script IS NULL",
            (account_id,),
        )
        return [(int(c), int(i)) for c, i in rows]

    def add_scripts(self, account_id: int, scripts: Mapping[tuple[int, int], bytes]) -> None:
        """Store the watched scripts of stored addresses, by ``(chain, index)``."""
        if not scripts:
            return
        with self._db.transaction():
            for (chain, idx), script in scripts.items():
                self._db.execute(
                    "INSERT OR IGNORE INTO utxo_scripts(account_id, chain, idx, script) "
                    "VALUES (?, ?, ?, ?)",
                    (account_id, chain, idx, script),
                )

    def script_at(self, account_id: int, chain: int, index: int) -> bytes | None:
        """Return the watched script of one stored address of the account."""
        rows = self._db.query(
            "SELECT script FROM utxo_scripts WHERE account_id = ? AND chain = ? AND idx = ?",
            (account_id, chain, index),
        )
        return bytes(rows[0][0]) if rows else None

    def address_rows(
        self, account_id: int, chain: int, start: int, stop: int
    ) -> list[tuple[int, str, bool]]:
        """Return ``(index, address, used)`` of the stored addresses in ``start``..``stop - 1``."""
        rows = self._db.query(
            "SELECT idx, address, used FROM addresses WHERE account_id = ? AND chain = ? "
            "AND idx >= ? AND idx < ? ORDER BY idx",
            (account_id, chain, start, stop),
        )
        return [(int(i), str(a), bool(u)) for i, a, u in rows]

    def find_address(self, account_id: int, address: str) -> tuple[int, int, bool] | None:
        """Return ``(chain, index, used)`` of a stored address of the account, if it is one."""
        rows = self._db.query(
            "SELECT chain, idx, used FROM addresses WHERE account_id = ? AND address = ?",
            (account_id, address),
        )
        if not rows:
            return None
        chain, idx, used = rows[0]
        return int(chain), int(idx), bool(used)

    def first_unused(self, account_id: int, chain: int, below: int) -> int | None:
        """Return the lowest unused index of a chain below ``below``, if any."""
        rows = self._db.query(
            "SELECT MIN(idx) FROM addresses WHERE account_id = ? AND chain = ? AND used = 0 "
            "AND idx < ?",
            (account_id, chain, below),
        )
        return None if rows[0][0] is None else int(rows[0][0])

    def last_issued(self, account_id: int, chain: int) -> int:
        """Return the highest index of a chain handed out as new, or -1 when none was."""
        rows = self._db.query(
            "SELECT COALESCE(MAX(idx), -1) FROM addresses "
            "WHERE account_id = ? AND chain = ? AND issued = 1",
            (account_id, chain),
        )
        return int(rows[0][0])

    def mark_issued(self, account_id: int, chain: int, index: int) -> None:
        """Remember that an address was handed out as new."""
        with self._db.transaction():
            self._db.execute(
                "UPDATE addresses SET issued = 1 WHERE account_id = ? AND chain = ? AND idx = ?",
                (account_id, chain, index),
            )

    def last_used(self, account_id: int, chain: int) -> int:
        """Return the highest used index of a chain, or -1 when none is used."""
        rows = self._db.query(
            "SELECT COALESCE(MAX(idx), -1) FROM addresses "
            "WHERE account_id = ? AND chain = ? AND used = 1",
            (account_id, chain),
        )
        return int(rows[0][0])

    def address_count(self, account_id: int, chain: int) -> int:
        """Return how many addresses of a chain are stored without a hole (indexes 0..count-1).

        An address shown far ahead (``addresses(1, start=100000)``) is stored alone; the
        chain's gap-limit window still ends where the contiguous run does.
        """
        rows = self._db.query(
            "SELECT COUNT(*), COALESCE(MAX(idx) + 1, 0) FROM addresses "
            "WHERE account_id = ? AND chain = ?",
            (account_id, chain),
        )
        count, end = int(rows[0][0]), int(rows[0][1])
        if count == end:
            return count
        rows = self._db.query(
            "SELECT COALESCE(MIN(a.idx + 1), 0) FROM addresses a WHERE a.account_id = ? "
            "AND a.chain = ? AND NOT EXISTS (SELECT 1 FROM addresses b WHERE "
            "b.account_id = a.account_id AND b.chain = a.chain AND b.idx = a.idx + 1) "
            "AND EXISTS (SELECT 1 FROM addresses z WHERE z.account_id = a.account_id "
            "AND z.chain = a.chain AND z.idx = 0)",
            (account_id, chain),
        )
        return int(rows[0][0])


class UtxoOwners:
    """Which accounts own an address, a transaction or a script, on every UTXO network."""

    def __init__(self, database: WalletDatabase) -> None:
        """Bind to the wallet database."""
        self._db = database

    def of_address(self, address: str) -> list[int]:
        """Return the ids of the accounts with this stored address."""
        rows = self._db.query("SELECT account_id FROM addresses WHERE address = ?", (address,))
        return [int(r[0]) for r in rows]

    def of_txid(self, txid: str) -> list[int]:
        """Return the ids of the accounts whose history or own broadcasts hold ``txid``."""
        rows = self._db.query(
            "SELECT account_id FROM utxo_script_history WHERE txid = ? UNION "
            "SELECT account_id FROM utxo_local WHERE txid = ?",
            (txid, txid),
        )
        return [int(r[0]) for r in rows]

    def of_script(self, script: bytes) -> list[int]:
        """Return the ids of the accounts that watch ``script``."""
        rows = self._db.query("SELECT account_id FROM utxo_scripts WHERE script = ?", (script,))
        return [int(r[0]) for r in rows]

    def transaction(self, txid: str) -> Transaction | None:
        """Return a stored transaction by txid, whatever its network."""
        rows = self._db.query("SELECT raw FROM utxo_transactions WHERE txid = ?", (txid,))
        return Transaction.parse(bytes(rows[0][0])) if rows else None
