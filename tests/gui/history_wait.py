"""Waiting for the history model, which reads on a worker thread."""

from __future__ import annotations

from typing import Any

from gui.history_model import HistoryModel
from wallet.history import HistoryRow

WAIT_MS = 60_000


def loaded(qtbot: Any, model: HistoryModel) -> HistoryModel:
    """Wait until the count and first page of the model's sort and filter are in."""
    if model.loading:
        with qtbot.waitSignal(model.loaded, timeout=WAIT_MS):
            pass
    return model


def row(qtbot: Any, model: HistoryModel, number: int) -> HistoryRow:
    """Return the row at ``number``, waiting for its page to be read."""
    loaded(qtbot, model)
    qtbot.waitUntil(lambda: model.row_at(number) is not None, timeout=WAIT_MS)
    found = model.row_at(number)
    assert found is not None
    return found
