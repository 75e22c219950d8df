"""The ``history_index`` table: every account's history as rows that SQL sorts, filters and pages.

``HistoryStore`` is the only code that reads or writes ``history_index`` and ``history_tips``.
It also reads the ``labels`` table (owned by ``wallet.labels.LabelStore``) in its queries, so a
label edited through the label store shows and searches at once without a copy here.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from wallet.history.types import (
    HistoryChanges,
    HistoryFilter,
    HistoryKey,
    HistoryRow,
    SortColumn,
)
from wallet.storage import WalletDatabase
from wallet.storage.database import SqlValue
from wallet.types import HistoryEntry, TxStatus

__all__ = ["HistoryStore", "amount_sort_key"]

# Every amount is scaled to this many decimals before it is written as a fixed-width key, so
# that sats, litoshis and wei sort together by their value in coins.
_KEY_DECIMALS = 40
_KEY_DIGITS = 120

_COLUMNS = (
    "h.account_id, h.network, h.txid, h.asset, h.status, h.height, h.timestamp, h.symbol, "
    "h.decimals, h.amount, h.fee, h.counterparties, h.token, h.token_id, h.replaceable, "
    "COALESCE(l.label, ''), t.height"
)
_FROM = (
    "history_index h LEFT JOIN labels l ON l.type = 'tx' AND l.ref = h.txid "
    "LEFT JOIN history_tips t ON t.network = h.network"
)
_ORDER = {
    SortColumn.TIME: "COALESCE(h.timestamp, 9223372036854775807)",
    SortColumn.AMOUNT: "h.amount_key",
    SortColumn.STATUS: "h.status",
    SortColumn.NETWORK: "h.network",
    SortColumn.ASSET: "h.symbol",
    SortColumn.LABEL: "COALESCE(l.label, '')",
    SortColumn.TXID: "h.txid",
}


def amount_sort_key(amount: int, decimals: int) -> str:
    """Return a fixed-width text that sorts like ``amount / 10**decimals``, exactly.

    Negative amounts start with ``0`` and store the complement, positive ones start with ``1``.
    """
    scaled = amount * 10 ** (_KEY_DECIMALS - decimals)
    if scaled >= 0:
        return "1" + str(scaled).zfill(_KEY_DIGITS)
    return "0" + str(10**_KEY_DIGITS + scaled).zfill(_KEY_DIGITS)


def _asset_key(entry: HistoryEntry) -> str:
    if entry.token is None:
        return entry.symbol
    if entry.token_id is None:
        return entry.token.lower()
    return f"{entry.token.lower()}#{entry.token_id}"


def _row_values(account_id: int, entry: HistoryEntry) -> tuple[SqlValue, ...]:
    return (
        account_id,
        entry.network,
        entry.txid,
        _asset_key(entry),
        entry.status.value,
        entry.height,
        entry.timestamp,
        entry.symbol,
        entry.decimals,
        str(entry.amount),
        amount_sort_key(entry.amount, entry.decimals),
        None if entry.fee is None else str(entry.fee),
        " ".join(entry.counterparties),
        entry.token,
        None if entry.token_id is None else str(entry.token_id),
        int(entry.replaceable),
    )


def _where(flt: HistoryFilter) -> tuple[str, list[SqlValue]]:
    clauses: list[str] = []
    params: list[SqlValue] = []
    if flt.account_ids is not None:
        if not flt.account_ids:
            return "WHERE 0", []
        clauses.append(f"h.account_id IN ({', '.join('?' * len(flt.account_ids))})")
        params.extend(flt.account_ids)
    if flt.networks is not None:
        if not flt.networks:
            return "WHERE 0", []
        clauses.append(f"h.network IN ({', '.join('?' * len(flt.networks))})")
        params.extend(flt.networks)
    if flt.statuses is not None:
        if not flt.statuses:
            return "WHERE 0", []
        clauses.append(f"h.status IN ({', '.join('?' * len(flt.statuses))})")
        params.extend(s.value for s in flt.statuses)
    if flt.direction == "received":
        clauses.append("substr(h.amount_key, 1, 1) = '1' AND h.amount != '0'")
    elif flt.direction == "sent":
        clauses.append("substr(h.amount_key, 1, 1) = '0'")
    if flt.since is not None:
        clauses.append("h.timestamp >= ?")
        params.append(flt.since)
    if flt.until is not None:
        clauses.append("h.timestamp < ?")
        params.append(flt.until)
    if flt.text:
        # LIKE with an escape, so that % and _ typed by a person match themselves.
        needle = "%" + flt.text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        clauses.append(
            "(h.txid LIKE ? ESCAPE '\\' OR COALESCE(l.label, '') LIKE ? ESCAPE '\\' "
            "OR h.counterparties LIKE ? ESCAPE '\\' OR h.symbol LIKE ? ESCAPE '\\')"
        )
        params.extend([needle] * 4)
    return ("WHERE " + " AND ".join(clauses)) if clauses else "", params


def _row(values: Sequence[object]) -> HistoryRow:
    (account_id, network, txid, asset, status, height, timestamp, symbol, decimals, amount) = (
        values[:10]
    )
    fee, counterparties, token, token_id, replaceable, label, tip = values[10:]
    confirmations = 0
    if status == TxStatus.CONFIRMED.value and isinstance(height, int) and isinstance(tip, int):
        confirmations = max(tip - height + 1, 0)
    assert isinstance(decimals, int)  # noqa: S101 - written by this store
    return HistoryRow(
        key=HistoryKey(int(str(account_id)), str(txid), str(asset)),
        network=str(network),
        status=TxStatus(status),
        height=height if isinstance(height, int) else None,
        confirmations=confirmations,
        timestamp=timestamp if isinstance(timestamp, int) else None,
        symbol=str(symbol),
        decimals=decimals,
        amount=int(str(amount)),
        fee=None if fee is None else int(str(fee)),
        counterparties=tuple(str(counterparties).split()) if counterparties else (),
        token=None if token is None else str(token),
        token_id=None if token_id is None else int(str(token_id)),
        replaceable=bool(replaceable),
        label=str(label),
    )


class HistoryStore:
    """Rows of every account's history, kept in step with the accounts after each sync."""

    def __init__(self, database: WalletDatabase) -> None:
        """Bind to the wallet database."""
        self._db = database

    def replace_account(self, account_id: int, entries: Iterable[HistoryEntry]) -> HistoryChanges:
        """Make the account's rows equal ``entries``, writing only the rows that differ.

        The tip of each network is taken from the confirmed entries (height plus
        confirmations), so that confirmations grow without rewriting every row.

        Returns:
            The keys added, changed and removed.
        """
        wanted: dict[HistoryKey, tuple[SqlValue, ...]] = {}
        tips: dict[str, int] = {}
        for entry in entries:
            values = _row_values(account_id, entry)
            wanted[HistoryKey(account_id, entry.txid, str(values[3]))] = values
            if entry.status is TxStatus.CONFIRMED and entry.height is not None:
                tip = entry.height + max(entry.confirmations, 1) - 1
                tips[entry.network] = max(tip, tips.get(entry.network, 0))
        with self._db.transaction():
            stored = {
                HistoryKey(account_id, str(r[2]), str(r[3])): tuple(r)
                for r in self._db.query(
                    "SELECT account_id, network, txid, asset, status, height, timestamp, symbol, "
                    "decimals, amount, amount_key, fee, counterparties, token, token_id, "
                    "replaceable FROM history_index WHERE account_id = ?",
                    (account_id,),
                )
            }
            added = [k for k in wanted if k not in stored]
            changed = [k for k, v in wanted.items() if k in stored and stored[k] != v]
            removed = [k for k in stored if k not in wanted]
            for key in removed:
                self._db.execute(
                    "DELETE FROM history_index WHERE account_id = ? AND txid = ? AND asset = ?",
                    (key.account_id, key.txid, key.asset),
                )
            for key in (*added, *changed):
                self._db.execute(
                    "INSERT OR REPLACE INTO history_index(account_id, network, txid, asset, "
                    "status, height, timestamp, symbol, decimals, amount, amount_key, fee, "
                    "counterparties, token, token_id, replaceable) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    wanted[key],
                )
            for network, tip in tips.items():
                self._db.execute(
                    "INSERT INTO history_tips(network, height) VALUES (?, ?) "
                    "ON CONFLICT(network) DO UPDATE SET height = max(height, excluded.height)",
                    (network, tip),
                )
        return HistoryChanges(tuple(added), tuple(changed), tuple(removed))

    def insert_rows(self, account_id: int, entries: Iterable[HistoryEntry]) -> int:
        """Append rows without comparing (a fresh account, or a benchmark's synthetic wallet).

        Returns:
            How many rows were written.
        """
        rows = [_row_values(account_id, e) for e in entries]
        with self._db.transaction():
            for values in rows:
                self._db.execute(
                    "INSERT OR REPLACE INTO history_index(account_id, network, txid, asset, "
                    "status, height, timestamp, symbol, decimals, amount, amount_key, fee, "
                    "counterparties, token, token_id, replaceable) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    values,
                )
        return len(rows)

    def count(self, flt: HistoryFilter) -> int:
        """Return how many rows match the filter."""
        where, params = _where(flt)
        rows = self._db.query(f"SELECT count(*) FROM {_FROM} {where}", params)  # noqa: S608
        return int(rows[0][0])

    def page(
        self,
        flt: HistoryFilter,
        sort: SortColumn,
        descending: bool,
        offset: int,
        limit: int,
    ) -> list[HistoryRow]:
        """Return up to ``limit`` rows from ``offset`` in the order asked (ties by txid)."""
        where, params = _where(flt)
        way = "DESC" if descending else "ASC"
        order = f"{_ORDER[sort]} {way}, h.txid {way}, h.asset {way}"
        rows = self._db.query(
            f"SELECT {_COLUMNS} FROM {_FROM} {where} ORDER BY {order} LIMIT ? OFFSET ?",  # noqa: S608
            [*params, limit, offset],
        )
        return [_row(r) for r in rows]

    def rows(self, keys: Sequence[HistoryKey]) -> dict[HistoryKey, HistoryRow]:
        """Return the rows of these keys that exist (to update only what changed)."""
        found: dict[HistoryKey, HistoryRow] = {}
        for key in keys:
            rows = self._db.query(
                f"SELECT {_COLUMNS} FROM {_FROM} "  # noqa: S608
                "WHERE h.account_id = ? AND h.txid = ? AND h.asset = ?",
                (key.account_id, key.txid, key.asset),
            )
            if rows:
                found[key] = _row(rows[0])
        return found
