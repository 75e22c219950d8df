"""Background work: a wallet error is said in its words; a defect is said too, never silent."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
pytest.importorskip("PySide6")
pytest.importorskip("pytestqt")

from gui.workers import run_task
from wallet.errors import WalletError


def _fails(error: Exception) -> object:
    def work() -> object:
        raise error

    return work


def test_a_wallet_error_and_a_defect_both_reach_the_page(qtbot) -> None:  # type: ignore[no-untyped-def]
    said: list[str] = []
    done: list[object] = []
    errors = (WalletError("The amount is too large."), KeyError("secretive"))
    for count, error in enumerate(errors, 1):
        task = run_task(_fails(error), done.append, said.append)  # type: ignore[arg-type]
        qtbot.waitUntil(lambda count=count: len(said) == count, timeout=10_000)
        del task
    assert done == []
    assert said[0] == "The amount is too large."
    assert said[1] == "Something went wrong (KeyError); nothing more was done."
    assert "secretive" not in said[1]  # only the type is said
