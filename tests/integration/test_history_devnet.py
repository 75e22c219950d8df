"""The wallet-wide history after real syncs on both embedded devnets (no external node).

The rows ``Wallet.history`` pages through must be the accounts' own histories, kept in step by
``sync``: a new block changes no row (confirmations come from the tip), a send adds one.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

from primitives.bech32 import decode_segwit, encode_segwit
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


def _address_like(address: str) -> str:
    """Return another valid address with the same first and last three characters after the
    prefix, as an address poisoner would make (brute force over the middle)."""
    hrp, version, program = decode_segwit(address)
    rng = random.Random(7)
    while True:
        candidate = encode_segwit(hrp, version, program[:2] + rng.randbytes(16) + program[-2:])
        if candidate[-3:] == address[-3:] and candidate != address:
            return candidate


def test_send_warnings_from_the_history(tmp_path: Path) -> None:
    from wallet.history import WarningKind

    with Wallet.create(tmp_path / "w.coffer", PASSWORD, ABANDON) as w:
        btc = w.account("bitcoin-regtest")
        devnet = w.devnet("bitcoin-regtest")
        devnet.fund(btc.receive_address(), Decimal("1"))
        w.sync()
        first = btc.prepare_send(EXTERNAL, Decimal("0.1"))
        kinds = [(x.kind, x.address) for x in w.send_warnings(first)]
        assert kinds == [(WarningKind.FIRST_PAYMENT, EXTERNAL)]
        btc.broadcast(w.sign(first))
        devnet.mine(1)
        w.sync()
        again = btc.prepare_send(EXTERNAL, Decimal("0.1"))
        assert w.send_warnings(again) == []  # paid before: no warning
        lookalike = _address_like(EXTERNAL)
        poisoned = btc.prepare_send(lookalike, Decimal("0.1"))
        (warning,) = w.send_warnings(poisoned)
        assert warning.kind is WarningKind.LOOKALIKE
        assert warning.similar == EXTERNAL
        big = btc.prepare_send(EXTERNAL, Decimal("0.7"))
        assert [x.kind for x in w.send_warnings(big)] == [WarningKind.LARGE_SHARE]
