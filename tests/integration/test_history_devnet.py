"""The wallet-wide history after real syncs on both embedded devnets (no external node).

The rows ``Wallet.history`` pages through must be the accounts' own histories, kept in step by
``sync``: a new block changes no row (confirmations come from the tip), a send adds one.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

from tests.conftest import ABANDON, PASSWORD
from wallet import Wallet
from wallet.history import HistoryFilter, HistoryRow, SortColumn
from wallet.types import HistoryEntry, TxStatus

EXTERNAL = "bcrt1qw508d6qejxtdg4y5r3zarvary0c5xw7kygt080"


def _as_tuples(entries: Sequence[HistoryEntry | HistoryRow]) -> set[tuple[object, ...]]:
    return {
        (e.network, e.txid, e.status, e.height, e.confirmations, e.amount, e.symbol)
        for e in entries
    }


def test_history_follows_syncs_on_both_devnets(tmp_path: Path) -> None:
    with Wallet.create(tmp_path / "h.coffer", PASSWORD, ABANDON) as w:
        btc = w.account("bitcoin-regtest")
        evm = w.account("evm-embedded")
        w.devnet("bitcoin-regtest").fund(btc.receive_address(), Decimal("0.5"))
        w.devnet("bitcoin-regtest").fund(btc.receive_address(), Decimal("0.25"))
        w.devnet("evm-embedded").fund(evm.receive_address(), Decimal("1.5"))
        w.sync()
        rows = list(w.history.iter_rows())
        assert len(rows) == 3 == w.history.count()
        assert _as_tuples(rows) == _as_tuples(btc.history() + evm.history())
        assert {r.amount_decimal for r in rows} == {Decimal("0.5"), Decimal("0.25"), Decimal("1.5")}

        w.devnet("bitcoin-regtest").mine(2)
        w.sync("bitcoin-regtest")
        assert not w.history.refresh()  # two blocks: no row changed, only the tip moved
        after = {r.txid: r for r in w.history.iter_rows()}
        for entry in btc.history():
            assert after[entry.txid].confirmations == entry.confirmations >= 3

        draft = btc.prepare_send(EXTERNAL, Decimal("0.1"))
        btc.broadcast(w.sign(draft))
        changes = w.history.refresh()
        assert len(changes.added) == 1
        assert not changes.changed
        assert not changes.removed  # the broadcast is in the account's history before a sync
        pending = w.history.page(flt=HistoryFilter(statuses=(TxStatus.PENDING,)))
        assert len(pending) == 1
        assert pending[0].amount < -10_000_000  # 0.1 and the fee
        assert pending[0].counterparties == (EXTERNAL,)
        biggest = w.history.page(0, 1, sort=SortColumn.AMOUNT)
        assert biggest[0].amount_decimal == Decimal("1.5")
