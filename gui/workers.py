"""Run wallet work (KDF, network, signing) off the GUI thread; results come back by signal."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from wallet.errors import WalletError

__all__ = ["Task", "run_task"]


class _Signals(QObject):
    done = Signal(object)
    failed = Signal(str)


class Task(QRunnable):
    """A call run on the thread pool; ``done`` carries its result, ``failed`` the error text."""

    def __init__(self, work: Callable[[], Any]) -> None:
        super().__init__()
        self.signals = _Signals()
        self._work = work

    def run(self) -> None:
        """Run the work; only ``WalletError`` is expected and shown to the person."""
        try:
            result = self._work()
        except WalletError as err:
            self.signals.failed.emit(str(err))
            return
        self.signals.done.emit(result)


def run_task(
    work: Callable[[], Any],
    on_done: Callable[[Any], None],
    on_failed: Callable[[str], None],
    pool: QThreadPool | None = None,
) -> Task:
    """Start ``work`` on ``pool`` (the global pool by default) and wire its signals."""
    task = Task(work)
    task.signals.done.connect(on_done)
    task.signals.failed.connect(on_failed)
    (pool or QThreadPool.globalInstance()).start(task)
    return task
