"""The UTXO family's rows in the wallet file: watched scripts, histories, transactions, tips.

``UtxoStore`` is the only code that writes the ``utxo_*`` tables (schema v2, block times
since v4, see ``wallet.storage.migrations``) and the UTXO accounts' ``addresses`` rows (those
through its base, ``wallet.utxo.address_store``). A sync applies a backend's ``SyncUpdate``
in one database transaction, so a crash or a failing server leaves the last complete state.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping

from chains.addresses import output_address
from chains.utxo.backend import BlockRef, ScriptKey, SyncUpdate, Txid
from primitives.tx import Transaction
from wallet.utxo.address_store import UtxoAddressStore
from wallet.utxo.state import OwnScript, StoredTx

__all__ = ["ApplyResult", "UtxoStore"]


class ApplyResult:
    """Counts of what one applied update changed."""

    __slots__ = ("new_transactions", "updated_transactions")

    def __init__(self) -> None:
        """Start at zero."""
        self.new_transactions = 0
        self.updated_transactions = 0


class UtxoStore(UtxoAddressStore):
    """Read and write one network's UTXO rows of a wallet file.

    The address rows (``UtxoAddressStore``, its base) and the sync state (here) are one
    store: a sync marks addresses used in the same transaction as it stores histories.
    """

    def scripts(self, account_id: int) -> dict[ScriptKey, bytes]:
        """Return the account's watched scripts by ``(account id, chain, index)``."""
        rows = self._db.query(
            "SELECT chain, idx, script FROM utxo_scripts WHERE account_id = ?", (account_id,)
        )
        return {(account_id, int(c), int(i)): bytes(s) for c, i, s in rows}

    def script_count(self, account_id: int) -> int:
        """Return how many scripts of the account are watched (to notice new ones cheaply)."""
        rows = self._db.query(
            "SELECT COUNT(*) FROM utxo_scripts WHERE account_id = ?", (account_id,)
        )
        return int(rows[0][0])

    def statuses(self, account_id: int) -> dict[ScriptKey, str | None]:
        """Return the last status digest of each script a sync has reported on.

        A script no sync has reported on yet is left out, so that backends treat it as new
        (``None`` means "synced, and without history"; it is stored as an empty string).
        """
        rows = self._db.query(
            "SELECT chain, idx, status FROM utxo_scripts WHERE account_id = ? "
            "AND status IS NOT NULL",
            (account_id,),
        )
        return {(account_id, int(c), int(i)): (str(st) if st else None) for c, i, st in rows}

    def own_scripts(self, account_id: int) -> dict[bytes, OwnScript]:
        """Return the account's scripts with where each comes from."""
        rows = self._db.query(
            "SELECT s.script, s.chain, s.idx, a.address FROM utxo_scripts s JOIN addresses a "
            "ON a.account_id = s.account_id AND a.chain = s.chain AND a.idx = s.idx "
            "WHERE s.account_id = ?",
            (account_id,),
        )
        return {bytes(s): OwnScript(int(c), int(i), str(a)) for s, c, i, a in rows}

    # -- chain facts -------------------------------------------------------------------------

    def tip(self) -> BlockRef | None:
        """Return the tip of the last sync of the network, if any."""
        rows = self._db.query(
            "SELECT height, hash FROM utxo_tips WHERE network = ?", (self._network.name,)
        )
        return BlockRef(int(rows[0][0]), str(rows[0][1])) if rows else None

    def known_proofs(self, account_id: int) -> dict[Txid, BlockRef]:
        """Return the account's confirmed transactions with the block stored at their height.

        Their inclusion was proven (or reported by a trusted node) when they were stored; a
        backend reuses that while its block at the height has the same hash.
        """
        rows = self._db.query(
            "SELECT DISTINCT h.txid, h.height, b.hash FROM utxo_script_history h "
            "JOIN utxo_blocks b ON b.network = ? AND b.height = h.height "
            "WHERE h.account_id = ? AND h.height IS NOT NULL",
            (self._network.name, account_id),
        )
        return {Txid(str(t)): BlockRef(int(h), str(b)) for t, h, b in rows}

    def untimed_blocks(self, account_id: int) -> dict[int, str]:
        """Return the blocks (height to hash) of the account's history stored without a time.

        Only a wallet file written before schema v4 has such rows; a sync fills them in.
        """
        rows = self._db.query(
            "SELECT DISTINCT b.height, b.hash FROM utxo_blocks b JOIN utxo_script_history h "
            "ON h.height = b.height WHERE b.network = ? AND h.account_id = ? AND b.time IS NULL",
            (self._network.name, account_id),
        )
        return {int(h): str(b) for h, b in rows}

    def known_txids(self) -> frozenset[Txid]:
        """Return the txids of every stored transaction of the network."""
        rows = self._db.query(
            "SELECT txid FROM utxo_transactions WHERE network = ?", (self._network.name,)
        )
        return frozenset(Txid(str(r[0])) for r in rows)

    # -- applying a sync ---------------------------------------------------------------------

    def apply(self, account_id: int, update: SyncUpdate) -> ApplyResult:
        """Store what a backend reported, all in one database transaction.

        Histories replace the stored history of each changed script; transactions are
        added once per network; heights follow the histories (a reorged transaction simply
        gets its new height, or none); addresses with history are marked used. A new
        transaction without a fee from the backend gets one here when every transaction it
        spends from is stored.

        The counts are of the account's transactions, however many of its scripts each
        touches: new ones entered its history, updated ones changed height (confirmed,
        reorged) or left it (double-spent, dropped).
        """
        result = ApplyResult()
        now = int(time.time())
        net = self._network.name
        keys = {key: self._key(key, account_id) for key in update.statuses}
        for key in update.histories:
            keys.setdefault(key, self._key(key, account_id))
        with self._db.transaction():
            # Read inside the transaction: another thread (a broadcast, a watcher's sync) may
            # have stored one of these transactions since this sync began.
            known = self.known_txids()
            before = self._account_history(account_id)
            self._db.execute(
                "INSERT INTO utxo_tips(network, height, hash) VALUES (?, ?, ?) ON CONFLICT("
                "network) DO UPDATE SET height = excluded.height, hash = excluded.hash",
                (net, update.tip.height, update.tip.hash),
            )
            for height, block_hash in update.block_hashes.items():
                # Another block at the height takes its own time (or none); the same block
                # keeps the time it has when the update brings none.
                self._db.execute(
                    "INSERT INTO utxo_blocks(network, height, hash, time) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT(network, height) DO UPDATE SET hash = excluded.hash, time = "
                    "CASE WHEN excluded.hash = utxo_blocks.hash "
                    "THEN COALESCE(excluded.time, utxo_blocks.time) ELSE excluded.time END",
                    (net, height, block_hash, update.block_times.get(height)),
                )
            fresh: dict[str, Transaction] = {}
            for txid, raw in update.transactions.items():
                if txid in known:
                    continue
                self._db.execute(
                    "INSERT INTO utxo_transactions(network, txid, raw, fee, first_seen) "
                    "VALUES (?, ?, ?, ?, ?) ON CONFLICT(network, txid) DO NOTHING",
                    (net, txid, raw, update.fees.get(txid), now),
                )
                if txid not in update.fees:
                    fresh[txid] = Transaction.parse(raw)
            for txid, fee in update.fees.items():
                if txid in known:
                    self._db.execute(
                        "UPDATE utxo_transactions SET fee = ? WHERE network = ? AND txid = ? "
                        "AND fee IS NULL",
                        (fee, net, txid),
                    )
            self._fill_fees(fresh)
            for key, status in update.statuses.items():
                _, chain, idx = keys[key]
                self._db.execute(
                    "UPDATE utxo_scripts SET status = ? WHERE account_id = ? AND chain = ? "
                    "AND idx = ?",
                    ("" if status is None else status, account_id, chain, idx),
                )
            for key, items in update.histories.items():
                _, chain, idx = keys[key]
                self._db.execute(
                    "DELETE FROM utxo_script_history WHERE account_id = ? AND chain = ? "
                    "AND idx = ?",
                    (account_id, chain, idx),
                )
                for item in items:
                    self._db.execute(
                        "INSERT OR REPLACE INTO utxo_script_history(account_id, chain, idx, txid, "
                        "height) VALUES (?, ?, ?, ?, ?)",
                        (account_id, chain, idx, item.txid, item.height),
                    )
                if items:
                    self._db.execute(
                        "UPDATE addresses SET used = 1 WHERE account_id = ? AND chain = ? "
                        "AND idx = ?",
                        (account_id, chain, idx),
                    )
            self._mark_seen(account_id)
            after = self._account_history(account_id)
        result.new_transactions = len(after.keys() - before.keys())
        result.updated_transactions = sum(
            1 for txid, height in before.items() if after.get(txid, -1) != height
        )
        return result

    def _mark_seen(self, account_id: int) -> None:
        """Own broadcasts that a server reports are ordinary history from here on."""
        self._db.execute(
            "UPDATE utxo_local SET state = 'seen' WHERE network = ? AND account_id = ? "
            "AND state = 'pending' AND txid IN (SELECT txid FROM utxo_script_history "
            "WHERE account_id = ?)",
            (self._network.name, account_id, account_id),
        )

    def _account_history(self, account_id: int) -> dict[str, int | None]:
        """Return the txids the account shows, with their heights.

        Its script histories, and its own broadcasts no server reported yet: those are
        pending already, so not new when a server reports them.
        """
        rows = self._db.query(
            "SELECT txid, MAX(height) FROM utxo_script_history WHERE account_id = ? GROUP BY txid",
            (account_id,),
        )
        found: dict[str, int | None] = {str(t): None if h is None else int(h) for t, h in rows}
        local = self._db.query(
            "SELECT txid FROM utxo_local WHERE network = ? AND account_id = ? "
            "AND state = 'pending'",
            (self._network.name, account_id),
        )
        for (txid,) in local:
            found.setdefault(str(txid), None)
        return found

    def _fill_fees(self, txs: Mapping[str, Transaction]) -> None:
        """Work out the fee of transactions whose every parent is stored (or among ``txs``)."""
        if not txs:
            return
        parents: dict[str, Transaction] = dict(txs)
        wanted = {
            i.prevout.txid_hex for tx in txs.values() if not tx.is_coinbase for i in tx.inputs
        }
        parents.update(self.transactions(wanted - parents.keys()))
        for txid, tx in txs.items():
            if tx.is_coinbase:
                continue
            total = 0
            for txin in tx.inputs:
                parent = parents.get(txin.prevout.txid_hex)
                if parent is None or txin.prevout.vout >= len(parent.outputs):
                    break
                total += parent.outputs[txin.prevout.vout].value
            else:
                fee = total - sum(o.value for o in tx.outputs)
                if fee >= 0:
                    self._db.execute(
                        "UPDATE utxo_transactions SET fee = ? WHERE network = ? AND txid = ?",
                        (fee, self._network.name, txid),
                    )

    @staticmethod
    def _key(key: ScriptKey, account_id: int) -> tuple[int, int, int]:
        if len(key) != 3 or key[0] != account_id:
            raise ValueError(f"script key {key!r} is not one of account {account_id}")
        return key[0], key[1], key[2]

    # -- reading the account's transactions ---------------------------------------------------

    def account_transactions(self, account_id: int) -> dict[str, StoredTx]:
        """Return every transaction of the account's histories and of its own broadcasts.

        Own broadcasts no server reports are included while pending, and once replaced so
        that the history can show what the replacement superseded.
        """
        net = self._network.name
        rows = self._db.query(
            "SELECT t.txid, t.raw, t.fee, t.first_seen, h.height, l.state, l.replaces, b.time "
            "FROM utxo_transactions t "
            "LEFT JOIN (SELECT txid, MAX(height) AS height, COUNT(*) AS n FROM "
            "utxo_script_history WHERE account_id = ? GROUP BY txid) h ON h.txid = t.txid "
            "LEFT JOIN utxo_local l ON l.network = t.network AND l.txid = t.txid "
            "AND l.account_id = ? "
            "LEFT JOIN utxo_blocks b ON b.network = t.network AND b.height = h.height "
            "WHERE t.network = ? AND (h.n IS NOT NULL OR l.state IN ('pending', 'replaced'))",
            (account_id, account_id, net),
        )
        out: dict[str, StoredTx] = {}
        for txid, raw, fee, first_seen, height, state, replaces, block_time in rows:
            out[str(txid)] = StoredTx(
                tx=Transaction.parse(bytes(raw)),
                height=None if height is None else int(height),
                fee=None if fee is None else int(fee),
                first_seen=int(first_seen),
                local=state in ("pending", "replaced"),
                replaces=None if replaces is None else str(replaces),
                block_time=None if block_time is None or height is None else int(block_time),
            )
        return out

    def transaction(self, txid: str) -> Transaction | None:
        """Return a stored transaction of the network by txid."""
        rows = self._db.query(
            "SELECT raw FROM utxo_transactions WHERE network = ? AND txid = ?",
            (self._network.name, txid),
        )
        return Transaction.parse(bytes(rows[0][0])) if rows else None

    def transactions(self, txids: Iterable[str]) -> Mapping[str, Transaction]:
        """Return the stored transactions among ``txids``."""
        found: dict[str, Transaction] = {}
        for txid in txids:
            tx = self.transaction(txid)
            if tx is not None:
                found[txid] = tx
        return found

    def unseen_broadcasts(self, account_id: int) -> dict[str, Transaction]:
        """Return the account's own broadcasts that no server has reported yet, by txid."""
        rows = self._db.query(
            "SELECT l.txid, t.raw FROM utxo_local l JOIN utxo_transactions t "
            "ON t.network = l.network AND t.txid = l.txid "
            "WHERE l.network = ? AND l.account_id = ? AND l.state = 'pending'",
            (self._network.name, account_id),
        )
        return {str(t): Transaction.parse(bytes(raw)) for t, raw in rows}

    def abandon(self, account_id: int, txid: str) -> None:
        """Forget an own broadcast no server has reported: its coins count as unspent again.

        What it replaced (a local replacement) is pending again. The caller checks that the
        transaction is such a broadcast (``unseen_broadcasts``).
        """
        net = self._network.name
        with self._db.transaction():
            rows = self._db.query(
                "SELECT replaces FROM utxo_local WHERE network = ? AND account_id = ? "
                "AND txid = ? AND state = 'pending'",
                (net, account_id, txid),
            )
            if not rows:
                return
            self._db.execute(
                "UPDATE utxo_local SET state = 'abandoned' WHERE network = ? AND txid = ?",
                (net, txid),
            )
            replaced = rows[0][0]
            if replaced is not None:
                self._db.execute(
                    "UPDATE utxo_local SET state = 'pending' WHERE network = ? AND txid = ? "
                    "AND state = 'replaced'",
                    (net, str(replaced)),
                )
                self._mark_seen(account_id)

    def record_broadcast(
        self, account_id: int, tx: Transaction, fee: int | None, replaces: str | None = None
    ) -> None:
        """Remember a transaction the wallet broadcast, shown as pending until a server has it.

        A replacement (``replaces``) marks the transaction it replaces as replaced. The
        account's addresses the transaction pays are marked used in the same transaction, so
        its change address is never handed out again.
        """
        net = self._network.name
        now = int(time.time())
        paid = [output_address(self._network, o.script_pubkey) for o in tx.outputs]
        with self._db.transaction():
            for address in paid:
                if address is not None:
                    self._db.execute(
                        "UPDATE addresses SET used = 1 WHERE account_id = ? AND address = ?",
                        (account_id, address),
                    )
            self._db.execute(
                "INSERT OR IGNORE INTO utxo_transactions(network, txid, raw, fee, first_seen) "
                "VALUES (?, ?, ?, ?, ?)",
                (net, tx.txid, tx.serialize(), fee, now),
            )
            self._db.execute(
                "INSERT INTO utxo_local(network, txid, account_id, broadcast_at, replaces) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT(network, txid) DO UPDATE SET "
                "state = 'pending', replaces = excluded.replaces",
                (net, tx.txid, account_id, now, replaces),
            )
            if replaces is not None:
                self._db.execute(
                    "UPDATE utxo_local SET state = 'replaced' WHERE network = ? AND txid = ?",
                    (net, replaces),
                )
