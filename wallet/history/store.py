"""The ``history_index`` table: every account's history as rows that SQL sorts, filters and pages.

``HistoryStore`` is the only code that reads or writes ``history_index``, ``history_search`` (a
trigram index for searching) and ``history_tips``. It also reads the ``labels`` table (owned by
``wallet.labels.LabelStore``) in its queries, so a label edited through the label store shows
and searches at once without a copy here.

Every sort order has an index that ends with the row's txid and asset, so the first page of any
order is read from the index without sorting; a search goes through the trigram index.
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

# Amounts sort by their value in coins whatever their decimals (sats, litoshis and wei
# together): ``amount_sort_key`` writes sign, exponent and digits as text.
_EXPONENT_BIAS = 400
_COMPLEMENT = str.maketrans("0123456789", "9876543210")

_INSERT = (
    "INSERT INTO history_index(account_id, network, txid, asset, status, height, timestamp, "
    "symbol, decimals, amount, amount_key, fee, counterparties, token, token_id, replaceable) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
    "ON CONFLICT(account_id, txid, asset) DO UPDATE SET network = excluded.network, "
    "status = excluded.status, height = excluded.height, timestamp = excluded.timestamp, "
    "symbol = excluded.symbol, decimals = excluded.decimals, amount = excluded.amount, "
    "amount_key = excluded.amount_key, fee = excluded.fee, "
    "counterparties = excluded.counterparties, token = excluded.token, "
    "token_id = excluded.token_id, replaceable = excluded.replaceable "
    "RETURNING id"
)
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
    SortColumn.TIME: "h.timestamp",
    SortColumn.AMOUNT: "h.amount_key",
    SortColumn.STATUS: "h.status",
    SortColumn.NETWORK: "h.network",
    SortColumn.ASSET: "h.symbol",
    SortColumn.LABEL: "COALESCE(l.label, '')",
    SortColumn.TXID: "h.txid",
}


def amount_sort_key(amount: int, decimals: int) -> str:
    """Return a short text that sorts like ``amount / 10**decimals``, exactly.

    The value in coins is written as sign, exponent and significant digits: ``2`` then a
    biased three-digit exponent then the digits for a positive value, ``1`` for zero, and for
    a negative one ``0``, the exponent and digits complemented (9 - d) and a ``:`` that sorts
    after every digit, so that more digits of a negative value sort it lower.
    """
    if amount == 0:
        return "1"
    digits = str(abs(amount))
    exponent = len(digits) - decimals + _EXPONENT_BIAS
    significant = digits.rstrip("0")
    if amount > 0:
        return f"2{exponent:03d}{significant}"
    flipped = significant.translate(_COMPLEMENT)
    return f"0{999 - exponent:03d}{flipped}:"


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
        clauses.append("h.amount_key >= '2'")
    elif flt.direction == "sent":
        clauses.append("h.amount_key < '1'")
    if flt.since is not None:
        clauses.append("h.timestamp >= ?")
        params.append(flt.since)
    if flt.until is not None:
        clauses.append("h.timestamp < ?")
        params.append(flt.until)
    if flt.text:
        clauses.append(
            "(h.id IN (SELECT rowid FROM history_search WHERE history_search MATCH ?) "
            "OR h.txid IN (SELECT ref FROM labels WHERE type = 'tx' AND label LIKE ? ESCAPE '\\'))"
            if len(flt.text) >= 3
            else "(h.txid LIKE ? ESCAPE '\\' OR h.counterparties LIKE ? ESCAPE '\\' "
            "OR h.symbol LIKE ? ESCAPE '\\' "
            "OR h.txid IN (SELECT ref FROM labels WHERE type = 'tx' AND label LIKE ? ESCAPE '\\'))"
        )
        # LIKE with an escape, so that % and _ typed by a person match themselves; the trigram
        # index takes the text as one quoted phrase (a substring, any case).
        needle = "%" + flt.text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        if len(flt.text) >= 3:
            params.extend(['"' + flt.text.replace('"', '""') + '"', needle])
        else:
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
            stored: dict[HistoryKey, tuple[int, tuple[SqlValue, ...]]] = {
                HistoryKey(account_id, str(r[3]), str(r[4])): (int(r[0]), tuple(r[1:]))
                for r in self._db.query(
                    "SELECT id, account_id, network, txid, asset, status, height, timestamp, "
                    "symbol, decimals, amount, amount_key, fee, counterparties, token, token_id, "
                    "replaceable FROM history_index WHERE account_id = ?",
                    (account_id,),
                )
            }
            added = [k for k in wanted if k not in stored]
            changed = [k for k, v in wanted.items() if k in stored and stored[k][1] != v]
            removed = [k for k in stored if k not in wanted]
            for key in removed:
                row_id = stored[key][0]
                self._db.execute("DELETE FROM history_index WHERE id = ?", (row_id,))
                self._db.execute("DELETE FROM history_search WHERE rowid = ?", (row_id,))
            for key in (*added, *changed):
                self._write(wanted[key], fresh=key not in stored)
            for network, tip in tips.items():
                self._db.execute(
                    "INSERT INTO history_tips(network, height) VALUES (?, ?) "
                    "ON CONFLICT(network) DO UPDATE SET height = max(height, excluded.height)",
                    (network, tip),
                )
        return HistoryChanges(tuple(added), tuple(changed), tuple(removed))

    def _write(self, values: tuple[SqlValue, ...], *, fresh: bool) -> None:
        """Upsert one row and its search text (under the same id)."""
        (row_id,) = self._db.query(_INSERT, values)[0]
        if not fresh:
            self._db.execute("DELETE FROM history_search WHERE rowid = ?", (row_id,))
        # txid, counterparties, symbol: what a person searches for besides the label.
        text = " ".join(str(values[i]) for i in (2, 12, 7))
        self._db.execute("INSERT INTO history_search(rowid, text) VALUES (?, ?)", (row_id, text))

    def insert_rows(self, account_id: int, entries: Iterable[HistoryEntry]) -> int:
        """Add rows without comparing (a fresh account, or a benchmark's synthetic wallet).

        Rows that exist already are replaced.

        Returns:
            How many rows were written.
        """
        rows = [_row_values(account_id, e) for e in entries]
        with self._db.transaction():
            for values in rows:
                self._write(values, fresh=False)
        return len(rows)

    def count(self, flt: HistoryFilter) -> int:
        """Return how many rows match the filter."""
        where, params = _where(flt)
        rows = self._db.query(f"SELECT count(*) FROM history_index h {where}", params)  # noqa: S608
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
        # The ids of the page first, from the sort's index alone (an offset deep in the table
        # then skips index entries, not rows), then the rows of those ids.
        label_join = (
            "LEFT JOIN labels l ON l.type = 'tx' AND l.ref = h.txid"
            if sort is SortColumn.LABEL
            else ""
        )
        rows = self._db.query(
            f"SELECT {_COLUMNS} FROM {_FROM} WHERE h.id IN ("  # noqa: S608
            f"SELECT h.id FROM history_index h {label_join} {where} "
            f"ORDER BY {order} LIMIT ? OFFSET ?) ORDER BY {order}",
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

    def counterparties(self, network: str) -> set[str]:
        """Return every address seen on the other side of the network's transactions."""
        seen: set[str] = set()
        for (text,) in self._db.query(
            "SELECT DISTINCT counterparties FROM history_index WHERE network = ?", (network,)
        ):
            seen.update(str(text).split())
        return seen
