"""The desktop shell, offscreen: unlock on a worker thread, the accounts model."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
pytest.importorskip("PySide6")
pytest.importorskip("pytestqt")

from gui.app import MainWindow
from gui.models import AccountRow, AccountsModel
from tests.conftest import ABANDON, PASSWORD
from wallet import Wallet


@pytest.fixture
def wallet_file(tmp_path: Path) -> Path:
    path = tmp_path / "gui.coffer"
    with Wallet.create(path, PASSWORD, ABANDON) as wallet:
        wallet.account("bitcoin")
        wallet.account("ethereum")
    return path


def test_accounts_model_passes_the_model_checker(qtmodeltester, wallet_file: Path) -> None:  # type: ignore[no-untyped-def]
    model = AccountsModel()
    with Wallet.open(wallet_file, PASSWORD) as wallet:
        model.set_rows([AccountRow.of(a) for a in wallet.accounts()])
    qtmodeltester.check(model)
    assert model.rowCount() == 2
    assert model.index(0, 3).data() == "bc1qcr8te4kr609gcawutmrza0j4xv80jy8z306fyu"


def test_unlock_wrong_then_right_password(qtbot, wallet_file: Path) -> None:  # type: ignore[no-untyped-def]
    window = MainWindow(wallet_file, live_updates=False)
    qtbot.addWidget(window)
    window.password_edit.setText("wrong")
    window.unlock()
    qtbot.waitUntil(lambda: window.unlock_button.isEnabled(), timeout=30_000)
    assert "password is wrong" in window.status.text()
    assert window.stack.currentIndex() == 0
    window.password_edit.setText(PASSWORD)
    window.unlock()
    qtbot.waitUntil(lambda: window.stack.currentIndex() == 1, timeout=30_000)
    assert window.accounts_model.rowCount() == 2
    assert window.password_edit.text() == ""
    window.close()


def test_unlock_shows_the_wallets_permission_warnings(qtbot, wallet_file: Path) -> None:  # type: ignore[no-untyped-def]
    wallet_file.chmod(0o644)
    window = MainWindow(wallet_file, live_updates=False)
    qtbot.addWidget(window)
    window.password_edit.setText(PASSWORD)
    window.unlock()
    qtbot.waitUntil(lambda: window.stack.currentIndex() == 1, timeout=30_000)
    assert "can be read by other users" in window.warnings.text()
    assert not window.warnings.isHidden()
    window.close()
