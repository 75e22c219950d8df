"""The EVM family's rows in the wallet file (schema v3, see ``wallet.storage.migrations``).

``EvmStore`` is the only code that reads or writes the ``evm_*`` tables. A sync stages what it
fetched in a ``SyncChanges`` and writes it in one database transaction: a crash or a failing
node leaves the last complete state, and records already stored are never lost (they are
keyed, so fetching a block twice stores nothing twice).

Amounts are decimal text in the file: uint256 values do not fit SQLite's 64-bit integers.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from chains.evm.backend import TxHash
from chains.evm.history import TransferKind, TransferRecord
from chains.evm.nfts import NftStandard
from chains.evm.tokens import TokenInfo
from wallet.evm.types import Collectible, SentTransaction
from wallet.storage import WalletDatabase
from wallet.types import TxStatus

__all__ = ["AccountState", "EvmStore", "SentRow", "SyncChanges"]


@dataclass(frozen=True, slots=True)
class AccountState:
    """What the last sync of an account found on chain."""

    balance: int
    pending_balance: int
    nonce_mined: int
    nonce_pending: int
    tip: int
    synced_at: int


@dataclass(frozen=True, slots=True)
class SentRow:
    """A stored own transaction, with what is needed to replace it.

    Attributes:
        sent: the transaction and its status.
        raw: the signed bytes (a replacement reads its fields from them).
        summary: the outputs shown when it was signed, as stored.
    """

    sent: SentTransaction
    raw: bytes
    summary: tuple[dict[str, object], ...]


@dataclass
class SyncChanges:
    """What one sync found, staged until it is written in one transaction.

    ``anchor`` is the block (number and hash) the sync ended at; ``drop_records_from``
    drops the stored records from that block on before ``records`` are stored (a scan that
    read those blocks again after a reorganisation).
    """

    state: AccountState
    token_balances: Mapping[str, int] = field(default_factory=dict)
    records: list[TransferRecord] = field(default_factory=list)
    cursors: dict[str, int] = field(default_factory=dict)
    sent_updates: list[tuple[str, TxStatus, int | None, int | None]] = field(default_factory=list)
    nfts: list[Collectible] | None = None
    anchor: tuple[int, str] | None = None
    drop_records_from: int | None = None


def _key(record: TransferRecord) -> str:
    return "|".join(str(part) for part in record.key)


def _anchor_key(account_id: int) -> str:
    # Where a sync ended, kept with the wallet's settings (a block number and its hash).
    return f"evm-sync-anchor:{account_id}"


def _opt_int(value: object) -> int | None:
    return None if value is None else int(str(value))


class EvmStore:
    """Read and write the EVM rows of a wallet file."""

    def __init__(self, database: WalletDatabase) -> None:
        """Bind to the wallet database."""
        self._db = database

    # -- custom tokens -----------------------------------------------------------------------

    def custom_tokens(self, network: str, chain_id: int, source: str = "custom") -> list[TokenInfo]:
        """Return the tokens stored for a network, in the order added.

        Args:
            network: the registry name.
            chain_id: its chain id (for the returned values).
            source: ``"custom"`` for the tokens the user added, ``"seen"`` for tokens met in
                the history (kept only to show their symbol and decimals).
        """
        rows = self._db.query(
            "SELECT address, symbol, name, decimals, logo_uri FROM evm_tokens WHERE network = ? "
            "AND source = ? ORDER BY added_at, address",
            (network, source),
        )
        return [
            TokenInfo(chain_id, str(a), str(s), str(n), int(d), None if u is None else str(u))
            for a, s, n, d, u in rows
        ]

    def add_token(self, network: str, token: TokenInfo, source: str = "custom") -> None:
        """Store a token; a custom one replaces a seen one, never the other way round."""
        with self._db.transaction():
            self._db.execute(
                "INSERT INTO evm_tokens(network, address, symbol, name, decimals, logo_uri, "
                "source, added_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT(network, address) DO UPDATE SET symbol = excluded.symbol, "
                "name = excluded.name, decimals = excluded.decimals, source = CASE WHEN "
                "evm_tokens.source = 'custom' THEN 'custom' ELSE excluded.source END",
                (
                    network,
                    token.address,
                    token.symbol,
                    token.name,
                    token.decimals,
                    token.logo_uri,
                    source,
                    time.time_ns(),
                ),
            )

    def remove_token(self, network: str, address: str) -> bool:
        """Forget a custom token; return whether one was stored."""
        with self._db.transaction():
            before = self._db.query(
                "SELECT COUNT(*) FROM evm_tokens WHERE network = ? AND address = ? "
                "AND source = 'custom'",
                (network, address),
            )[0][0]
            self._db.execute(
                "DELETE FROM evm_tokens WHERE network = ? AND address = ? AND source = 'custom'",
                (network, address),
            )
        return bool(before)

    # -- state, balances, cursors ------------------------------------------------------------

    def state(self, account_id: int) -> AccountState | None:
        """Return what the last sync found, or ``None`` before the first sync."""
        rows = self._db.query(
            "SELECT balance, pending_balance, nonce_mined, nonce_pending, tip, synced_at "
            "FROM evm_state WHERE account_id = ?",
            (account_id,),
        )
        if not rows:
            return None
        b, pb, nm, np_, tip, at = rows[0]
        return AccountState(int(b), int(pb), int(nm), int(np_), int(tip), int(at))

    def token_balances(self, account_id: int) -> dict[str, int]:
        """Return the token balances of the last sync by contract."""
        rows = self._db.query(
            "SELECT token, balance FROM evm_token_balances WHERE account_id = ?", (account_id,)
        )
        return {str(t): int(b) for t, b in rows}

    def anchor(self, account_id: int) -> tuple[int, str] | None:
        """Return the block (number, hash) the last sync of an account ended at, if any."""
        rows = self._db.query(
            "SELECT value FROM settings WHERE key = ?", (_anchor_key(account_id),)
        )
        if not rows:
            return None
        number, _, block_hash = str(rows[0][0]).partition(":")
        return int(number), block_hash

    def setting(self, key: str) -> str | None:
        """Return an EVM setting kept in the wallet file (explorer keys and URLs), if set."""
        rows = self._db.query("SELECT value FROM settings WHERE key = ?", (key,))
        return str(rows[0][0]) if rows else None

    def set_setting(self, key: str, value: str | None) -> None:
        """Store an EVM setting in the wallet file; ``None`` removes it."""
        with self._db.transaction():
            if value is None:
                self._db.execute("DELETE FROM settings WHERE key = ?", (key,))
            else:
                self._db.execute(
                    "INSERT INTO settings(key, value) VALUES (?, ?) "
                    "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                    (key, value),
                )

    def cursor(self, account_id: int, source: str) -> int | None:
        """Return the block the next incremental history fetch of ``source`` starts from."""
        rows = self._db.query(
            "SELECT next_block FROM evm_cursors WHERE account_id = ? AND source = ?",
            (account_id, source),
        )
        return int(rows[0][0]) if rows else None

    # -- history -----------------------------------------------------------------------------

    def records(self, account_id: int) -> list[TransferRecord]:
        """Return the stored transfer records of an account in chain order."""
        rows = self._db.query(
            "SELECT kind, tx_hash, block_number, timestamp, sender, recipient, amount, contract, "
            "token_id, log_index, success, fee FROM evm_transfers WHERE account_id = ? "
            "ORDER BY block_number, COALESCE(log_index, -1)",
            (account_id,),
        )
        return [
            TransferRecord(
                kind=TransferKind(str(kind)),
                tx_hash=TxHash(str(tx)),
                block_number=int(block),
                timestamp=_opt_int(ts),
                sender=str(sender),
                recipient=None if recipient is None else str(recipient),
                amount=int(amount),
                contract=None if contract is None else str(contract),
                token_id=_opt_int(token_id),
                log_index=_opt_int(log_index),
                success=bool(success),
                fee=_opt_int(fee),
            )
            for (
                kind,
                tx,
                block,
                ts,
                sender,
                recipient,
                amount,
                contract,
                token_id,
                log_index,
                success,
                fee,
            ) in rows
        ]

    # -- own transactions --------------------------------------------------------------------

    def record_sent(
        self,
        account_id: int,
        sent: SentTransaction,
        raw: bytes,
        fees: tuple[int | None, int | None, int | None],
        gas: int,
        summary: Iterable[Mapping[str, object]],
    ) -> None:
        """Store a transaction this wallet just broadcast; a replacement marks its original.

        Broadcasting a stored transaction again keeps a mined one's status and block (the
        next sync re-checks the others).
        """
        max_fee, tip, price = fees
        with self._db.transaction():
            self._db.execute(
                "INSERT INTO evm_sent(account_id, tx_hash, nonce, raw, kind, replaces, "
                "status, block_number, fee, to_address, value, gas, max_fee_per_gas, "
                "max_priority_fee_per_gas, gas_price, summary, broadcast_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, NULL, NULL, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT(account_id, tx_hash) DO UPDATE SET status = CASE WHEN "
                "evm_sent.status IN ('confirmed', 'failed') THEN evm_sent.status "
                "ELSE excluded.status END",
                (
                    account_id,
                    sent.tx_hash,
                    sent.nonce,
                    raw,
                    sent.kind,
                    sent.replaces,
                    sent.status.value,
                    sent.to,
                    str(sent.value),
                    gas,
                    None if max_fee is None else str(max_fee),
                    None if tip is None else str(tip),
                    None if price is None else str(price),
                    json.dumps(list(summary)),
                    int(time.time()),
                ),
            )
            if sent.replaces is not None:
                self._db.execute(
                    "UPDATE evm_sent SET status = ? WHERE account_id = ? AND tx_hash = ? "
                    "AND status = 'pending'",
                    (TxStatus.REPLACED.value, account_id, sent.replaces),
                )

    def sent(self, account_id: int) -> list[SentRow]:
        """Return the account's own transactions, newest first."""
        rows = self._db.query(
            "SELECT tx_hash, nonce, kind, status, replaces, block_number, fee, to_address, value, "
            "gas, max_fee_per_gas, gas_price, raw, summary "
            "FROM evm_sent WHERE account_id = ? ORDER BY nonce DESC, broadcast_at DESC",
            (account_id,),
        )
        out = []
        for (
            tx_hash,
            nonce,
            kind,
            status,
            replaces,
            block,
            fee,
            to,
            value,
            gas,
            max_fee,
            price,
            raw,
            summary,
        ) in rows:
            per_gas = _opt_int(price) if price is not None else _opt_int(max_fee)
            sent = SentTransaction(
                tx_hash=str(tx_hash),
                nonce=int(nonce),
                kind=str(kind),
                status=TxStatus(str(status)),
                replaces=None if replaces is None else str(replaces),
                block_number=_opt_int(block),
                fee=_opt_int(fee),
                to=None if to is None else str(to),
                value=int(value),
                max_fee=int(gas) * (per_gas or 0),
            )
            out.append(SentRow(sent, bytes(raw), tuple(json.loads(str(summary)))))
        return out

    # -- collectibles ------------------------------------------------------------------------

    def nfts(self, account_id: int, network: str) -> list[Collectible]:
        """Return the collectibles found by the last sync."""
        rows = self._db.query(
            "SELECT contract, token_id, standard, amount, uri, name, description, image, "
            "attributes, metadata_note FROM evm_nfts WHERE account_id = ? "
            "ORDER BY contract, CAST(token_id AS INTEGER)",
            (account_id,),
        )
        return [
            Collectible(
                network=network,
                contract=str(c),
                token_id=int(t),
                standard=NftStandard(str(std)).value,
                amount=int(a),
                uri=None if u is None else str(u),
                name=None if n is None else str(n),
                description=None if d is None else str(d),
                image=None if i is None else str(i),
                attributes=tuple((str(k), str(v)) for k, v in json.loads(str(attrs))),
                note=None if note is None else str(note),
            )
            for c, t, std, a, u, n, d, i, attrs, note in rows
        ]

    # -- one sync, written at once -----------------------------------------------------------

    def apply(self, account_id: int, network: str, changes: SyncChanges) -> int:
        """Write a sync's changes in one transaction; return how many transactions were new."""
        s = changes.state
        known = {
            str(h)
            for (h,) in self._db.query(
                "SELECT DISTINCT tx_hash FROM evm_transfers WHERE account_id = ?", (account_id,)
            )
        }
        new: set[str] = set()
        with self._db.transaction():
            self._db.execute(
                "INSERT OR REPLACE INTO evm_state(account_id, network, balance, pending_balance, "
                "nonce_mined, nonce_pending, tip, synced_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    account_id,
                    network,
                    str(s.balance),
                    str(s.pending_balance),
                    s.nonce_mined,
                    s.nonce_pending,
                    s.tip,
                    s.synced_at,
                ),
            )
            self._db.execute("DELETE FROM evm_token_balances WHERE account_id = ?", (account_id,))
            for token, balance in changes.token_balances.items():
                self._db.execute(
                    "INSERT INTO evm_token_balances(account_id, token, balance) VALUES (?, ?, ?)",
                    (account_id, token, str(balance)),
                )
            if changes.drop_records_from is not None:
                self._db.execute(
                    "DELETE FROM evm_transfers WHERE account_id = ? AND block_number >= ?",
                    (account_id, changes.drop_records_from),
                )
            for r in changes.records:
                if self._insert_record(account_id, r) and r.tx_hash not in known:
                    new.add(r.tx_hash)
            if changes.anchor is not None:
                number, block_hash = changes.anchor
                self._db.execute(
                    "INSERT INTO settings(key, value) VALUES (?, ?) "
                    "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                    (_anchor_key(account_id), f"{number}:{block_hash}"),
                )
            for source, next_block in changes.cursors.items():
                self._db.execute(
                    "INSERT OR REPLACE INTO evm_cursors(account_id, source, next_block) "
                    "VALUES (?, ?, ?)",
                    (account_id, source, next_block),
                )
            for tx_hash, status, block, fee in changes.sent_updates:
                self._db.execute(
                    "UPDATE evm_sent SET status = ?, block_number = ?, fee = ? "
                    "WHERE account_id = ? AND tx_hash = ?",
                    (status.value, block, None if fee is None else str(fee), account_id, tx_hash),
                )
            if changes.nfts is not None:
                self._replace_nfts(account_id, changes.nfts)
        return len(new)

    def _insert_record(self, account_id: int, r: TransferRecord) -> int:
        exists = self._db.query(
            "SELECT 1 FROM evm_transfers WHERE account_id = ? AND record_key = ?",
            (account_id, _key(r)),
        )
        if exists:
            return 0
        self._db.execute(
            "INSERT INTO evm_transfers(account_id, record_key, tx_hash, kind, block_number, "
            "timestamp, sender, recipient, amount, contract, token_id, log_index, success, fee) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                account_id,
                _key(r),
                r.tx_hash,
                r.kind.value,
                r.block_number,
                r.timestamp,
                r.sender,
                r.recipient,
                str(r.amount),
                r.contract,
                None if r.token_id is None else str(r.token_id),
                r.log_index,
                int(r.success),
                None if r.fee is None else str(r.fee),
            ),
        )
        return 1

    def _replace_nfts(self, account_id: int, items: list[Collectible]) -> None:
        self._db.execute("DELETE FROM evm_nfts WHERE account_id = ?", (account_id,))
        for item in items:
            self._db.execute(
                "INSERT INTO evm_nfts(account_id, contract, token_id, standard, amount, uri, "
                "name, description, image, attributes, metadata_note) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    account_id,
                    item.contract,
                    str(item.token_id),
                    item.standard,
                    str(item.amount),
                    item.uri,
                    item.name,
                    item.description,
                    item.image,
                    json.dumps([list(a) for a in item.attributes]),
                    item.note,
                ),
            )
