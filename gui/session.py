"""The open wallet as the windows see it: one place that runs wallet work off the GUI thread.

Pages never call a slow part of the API on the GUI thread: anything that may touch the network,
the KDF or a signer goes through ``Session.run``, which runs it on the thread pool and hands the
result (or the error's text) back on the GUI thread. Reads of what the wallet file holds
(balances, a page of history) are quick and stay on the GUI thread.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThreadPool, Signal

from gui.privacy import Privacy
from gui.workers import Task, run_task
from wallet import Wallet
from wallet.history import HistoryChanges

__all__ = ["Session"]


class Session(QObject):
    """The wallet that is open (or ``None`` while locked), and the work running for it."""

    opened = Signal()
    locked = Signal()
    synced = Signal(object)  # HistoryChanges
    busy = Signal(str)  # what runs now, "" when idle
    display_changed = Signal(object)  # DisplaySettings, after the settings page saved them

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.wallet: Wallet | None = None
        self.privacy = Privacy(self)
        self.pool = QThreadPool(self)
        self._tasks: set[Task] = set()

    def require(self) -> Wallet:
        """Return the open wallet; pages are only shown while one is open."""
        if self.wallet is None:
            raise RuntimeError("no wallet is open")
        return self.wallet

    def run(
        self,
        work: Callable[[], Any],
        on_done: Callable[[Any], None],
        on_failed: Callable[[str], None],
        what: str = "",
    ) -> Task:
        """Run ``work`` on the pool; the callbacks run on the GUI thread."""
        self.busy.emit(what)

        def done(result: Any) -> None:
            self._tasks.discard(task)
            self.busy.emit("")
            on_done(result)

        def failed(message: str) -> None:
            self._tasks.discard(task)
            self.busy.emit("")
            on_failed(message)

        task = run_task(work, done, failed, self.pool)
        self._tasks.add(task)
        return task

    def set_wallet(self, wallet: Wallet) -> None:
        """Take an opened wallet and tell every page."""
        self.wallet = wallet
        self.opened.emit()

    def sync(self, on_failed: Callable[[str], None]) -> None:
        """Sync every network on the pool, then report the history rows that changed."""
        wallet = self.require()

        def work() -> HistoryChanges:
            wallet.sync_each()
            return wallet.history.take_changes()

        self.run(work, self.synced.emit, on_failed, self.tr("Syncing"))

    def lock(self) -> None:
        """Close the wallet: its keys leave memory, every page forgets what it showed."""
        self.pool.waitForDone(30_000)
        wallet, self.wallet = self.wallet, None
        if wallet is not None:
            wallet.close()
        self.locked.emit()
