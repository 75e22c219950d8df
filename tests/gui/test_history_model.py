"""The history table's model over the wallet's history store: paged, sorted and filtered in SQL,
checked by Qt's model tester, updated row by row, masked when balances are hidden."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
pytest.importorskip("PySide6")
pytest.importorskip("pytestqt")

from PySide6.QtCore import Qt

from gui.history_model import AMOUNT_COLUMN, KEY_ROLE, LABEL_COLUMN, PAGE, HistoryModel
from gui.privacy import MASK, Privacy
from tests.conftest import ABANDON, PASSWORD
from tests.gui.history_wait import loaded, row
from wallet import Wallet
from wallet.history import HistoryFilter
from wallet.history.store import HistoryStore
from wallet.types import HistoryEntry, TxStatus


def _entries(count: int) -> list[HistoryEntry]:
    return [
        HistoryEntry(
            network="bitcoin-regtest",
            txid=f"{n:064x}",
            status=TxStatus.CONFIRMED if n % 5 else TxStatus.PENDING,
            height=1_000 + n if n % 5 else None,
            confirmations=1 if n % 5 else 0,
            timestamp=1_700_000_000 + 60 * n,
            symbol="rBTC",
            decimals=8,
            amount=(n * 7_919) % 100_000 - 50_000,
            counterparties=("bcrt1qexample",),
        )
        for n in range(1, count + 1)
    ]


@pytest.fixture
def wallet(tmp_path: Path) -> Wallet:
    w = Wallet.create(tmp_path / "m.coffer", PASSWORD, ABANDON)
    HistoryStore(w.database).insert_rows(w.account("bitcoin-regtest").id, _entries(1_000))
    yield w  # type: ignore[misc]
    w.close()


def test_the_model_passes_qts_model_tester(qtmodeltester, qtbot, wallet: Wallet) -> None:  # type: ignore[no-untyped-def]
    model = HistoryModel(wallet.history, Privacy())
    qtmodeltester.check(model)
    loaded(qtbot, model)
    assert model.rowCount() == 1_000
    model.sort(3, Qt.SortOrder.AscendingOrder)
    loaded(qtbot, model)
    qtmodeltester.check(model)
    model.set_filter(
        HistoryFilter(text="00000000000000000000000000000000000000000000000000000000000000a")
    )
    loaded(qtbot, model)
    qtmodeltester.check(model)


def test_pages_are_read_on_a_worker_when_drawn(qtbot, wallet: Wallet) -> None:  # type: ignore[no-untyped-def]
    model = HistoryModel(wallet.history, Privacy())
    assert model.loading  # nothing is read on this thread
    assert model.rowCount() == 0
    loaded(qtbot, model)
    assert list(model._pages) == [0]  # the count and the first page only
    assert model.data(model.index(0, 0)) is not None
    far = model.index(PAGE * 3 + 5, 0)
    with qtbot.waitSignal(model.dataChanged, timeout=60_000) as blocker:
        assert model.data(far) is None  # not held: read on a worker
    assert blocker.args[0].row() == PAGE * 3
    assert model.data(far) is not None
    assert list(model._pages) == [0, 3]


def test_a_late_result_of_an_older_filter_is_dropped(qtbot, wallet: Wallet) -> None:  # type: ignore[no-untyped-def]
    model = loaded(qtbot, HistoryModel(wallet.history, Privacy()))
    model.set_filter(HistoryFilter(statuses=(TxStatus.PENDING,)))
    model.set_filter(HistoryFilter(direction="received"))
    counts: list[int] = []
    model.loaded.connect(lambda: counts.append(model.rowCount()))
    qtbot.waitUntil(lambda: bool(counts), timeout=60_000)
    received = wallet.history.count(HistoryFilter(direction="received"))
    assert counts == [received]  # the pending count never showed
    assert received != 200


def test_sorting_by_amount_is_done_in_sql(qtbot, wallet: Wallet) -> None:  # type: ignore[no-untyped-def]
    model = HistoryModel(wallet.history, Privacy())
    model.sort(AMOUNT_COLUMN, Qt.SortOrder.AscendingOrder)
    amounts = [row(qtbot, model, r).amount for r in range(1_000)]
    assert amounts == sorted(amounts)
    model.sort(AMOUNT_COLUMN, Qt.SortOrder.DescendingOrder)
    assert row(qtbot, model, 0).amount == max(amounts)


def test_filters_count_in_sql(qtbot, wallet: Wallet) -> None:  # type: ignore[no-untyped-def]
    model = HistoryModel(wallet.history, Privacy())
    model.set_filter(HistoryFilter(statuses=(TxStatus.PENDING,)))
    assert loaded(qtbot, model).rowCount() == 200
    model.set_filter(HistoryFilter(direction="received"))
    loaded(qtbot, model)
    assert all(row(qtbot, model, r).amount > 0 for r in range(model.rowCount()))


def test_a_label_edit_goes_through_the_label_store(qtbot, wallet: Wallet) -> None:  # type: ignore[no-untyped-def]
    model = loaded(qtbot, HistoryModel(wallet.history, Privacy()))
    model.label_editor = lambda txid, text: wallet.labels.set("tx", txid, text)
    index = model.index(3, LABEL_COLUMN)
    txid = row(qtbot, model, 3).txid
    assert model.data(index, KEY_ROLE).txid == txid
    with qtbot.waitSignal(model.dataChanged):
        assert model.setData(index, "groceries")
    assert model.data(index) == "groceries"
    assert [label.label for label in wallet.labels.all() if label.ref == txid] == ["groceries"]


def test_only_changed_rows_are_updated(qtbot, wallet: Wallet) -> None:  # type: ignore[no-untyped-def]
    model = loaded(qtbot, HistoryModel(wallet.history, Privacy()))
    assert model.row_at(0) is not None  # the first page is held
    account_id = wallet.account("bitcoin-regtest").id
    entries = _entries(1_000)
    newest = entries[-1]
    entries[-1] = HistoryEntry(
        **{
            **{f: getattr(newest, f) for f in newest.__dataclass_fields__},
            "status": TxStatus.CONFIRMED,
            "height": 5_000,
            "confirmations": 1,
        }
    )
    changes = HistoryStore(wallet.database).replace_account(account_id, entries)
    assert len(changes.changed) == 1
    resets: list[bool] = []
    model.modelReset.connect(lambda: resets.append(True))
    with qtbot.waitSignal(model.dataChanged) as blocker:
        model.apply_changes(changes)
    assert blocker.args[0].row() == 0  # the newest row, and only it
    assert not resets
    assert row(qtbot, model, 0).status is TxStatus.CONFIRMED


def test_hidden_balances_leave_no_digit(qtbot, wallet: Wallet) -> None:  # type: ignore[no-untyped-def]
    privacy = Privacy()
    model = loaded(qtbot, HistoryModel(wallet.history, privacy))
    privacy.set_hidden(True)
    for r in range(0, 1_000, 97):
        row(qtbot, model, r)  # its page is held
        index = model.index(r, AMOUNT_COLUMN)
        for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            assert model.data(index, role) == MASK
        # No role of any cell carries the amount (the key role holds no amount).
        held = row(qtbot, model, r)
        shown = format(abs(held.amount_decimal), "f")
        for column in range(model.columnCount()):
            for role in range(300):
                value = model.data(model.index(r, column), role)
                assert value not in (held.amount, held.amount_decimal)
                assert not isinstance(value, str) or shown not in value
