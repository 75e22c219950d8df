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


def test_the_model_passes_qts_model_tester(qtmodeltester, wallet: Wallet) -> None:  # type: ignore[no-untyped-def]
    model = HistoryModel(wallet.history, Privacy())
    qtmodeltester.check(model)
    assert model.rowCount() == 1_000
    model.sort(3, Qt.SortOrder.AscendingOrder)
    qtmodeltester.check(model)
    model.set_filter(
        HistoryFilter(text="00000000000000000000000000000000000000000000000000000000000000a")
    )
    qtmodeltester.check(model)


def test_pages_are_read_only_when_drawn(wallet: Wallet) -> None:
    model = HistoryModel(wallet.history, Privacy())
    assert model._pages == {}  # counting reads no row
    first = model.data(model.index(0, 0))
    assert first is not None
    assert list(model._pages) == [0]
    model.data(model.index(PAGE * 3 + 5, 0))
    assert list(model._pages) == [0, 3]


def test_sorting_by_amount_is_done_in_sql(wallet: Wallet) -> None:
    model = HistoryModel(wallet.history, Privacy())
    model.sort(AMOUNT_COLUMN, Qt.SortOrder.AscendingOrder)
    amounts = [model.row_at(r).amount for r in range(1_000)]
    assert amounts == sorted(amounts)
    model.sort(AMOUNT_COLUMN, Qt.SortOrder.DescendingOrder)
    assert model.row_at(0).amount == max(amounts)


def test_filters_count_in_sql(wallet: Wallet) -> None:
    model = HistoryModel(wallet.history, Privacy())
    model.set_filter(HistoryFilter(statuses=(TxStatus.PENDING,)))
    assert model.rowCount() == 200
    model.set_filter(HistoryFilter(direction="received"))
    assert all(model.row_at(r).amount > 0 for r in range(model.rowCount()))


def test_a_label_edit_goes_through_the_label_store(qtbot, wallet: Wallet) -> None:  # type: ignore[no-untyped-def]
    model = HistoryModel(wallet.history, Privacy())
    model.label_editor = lambda txid, text: wallet.labels.set("tx", txid, text)
    index = model.index(3, LABEL_COLUMN)
    txid = model.row_at(3).txid
    assert model.data(index, KEY_ROLE).txid == txid
    with qtbot.waitSignal(model.dataChanged):
        assert model.setData(index, "groceries")
    assert model.data(index) == "groceries"
    assert [label.label for label in wallet.labels.all() if label.ref == txid] == ["groceries"]


def test_only_changed_rows_are_updated(qtbot, wallet: Wallet) -> None:  # type: ignore[no-untyped-def]
    model = HistoryModel(wallet.history, Privacy())
    model.data(model.index(0, 0))  # the first page is loaded
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
    assert model.row_at(0).status is TxStatus.CONFIRMED


def test_hidden_balances_leave_no_digit(wallet: Wallet) -> None:
    privacy = Privacy()
    model = HistoryModel(wallet.history, privacy)
    privacy.set_hidden(True)
    for r in range(0, 1_000, 97):
        index = model.index(r, AMOUNT_COLUMN)
        for role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            assert model.data(index, role) == MASK
        # No role of any cell carries the amount (the key role holds no amount).
        row = model.row_at(r)
        assert row is not None
        shown = format(abs(row.amount_decimal), "f")
        for column in range(model.columnCount()):
            for role in range(300):
                value = model.data(model.index(r, column), role)
                assert value not in (row.amount, row.amount_decimal)
                assert not isinstance(value, str) or shown not in value
