"""The open wallet as the windows see it: one place that runs wallet work off the GUI thread.

Pages never call a slow part of the API on the GUI thread: anything that may touch the network,
the KDF or a signer goes through ``Session.run``, which runs it on the thread pool and hands the
result (or the error's text) back on the GUI thread. Reads of what the wallet file holds
(balances, a page of history) are quick and stay on the GUI thread.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThreadPool, Signal

from gui.privacy import Privacy
from gui.workers import Task, run_task
from wallet import Wallet
from wallet.errors import WalletError
from wallet.history import HistoryChanges
from wallet.watch import Watcher

__all__ = ["Session"]


class Session(QObject):
    """The wallet that is open (or ``None`` while locked), and the work running for it."""

    opened = Signal()
    locked = Signal()
    synced = Signal(object)  # HistoryChanges
    busy = Signal(str)  # what runs now, "" when idle
    display_changed = Signal(object)  # DisplaySettings, after the settings page saved them
    watching = Signal(str)  # what live updates are doing, in words
    _watched = Signal(object)  # HistoryChanges from the watcher's thread

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.wallet: Wallet | None = None
        self.privacy = Privacy(self)
        self.pool = QThreadPool(self)
        self._tasks: set[Task] = set()
        self._syncing = False
        self._generation = 0  # one more at each lock
        self._watched.connect(self._forward)
        self._stop_watch = threading.Event()
        self._watcher: Watcher | None = None

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
        """Run ``work`` on the pool; the callbacks run on the GUI thread.

        A result that arrives after the wallet was locked is dropped: the pages have
        forgotten what asked for it.
        """
        self.busy.emit(what)
        generation = self._generation

        def done(result: Any) -> None:
            self._tasks.discard(task)
            self.busy.emit("")
            if generation == self._generation:
                on_done(result)

        def failed(message: str) -> None:
            self._tasks.discard(task)
            self.busy.emit("")
            if generation == self._generation:
                on_failed(message)

        task = run_task(work, done, failed, self.pool)
        self._tasks.add(task)
        return task

    def set_wallet(self, wallet: Wallet) -> None:
        """Take an opened wallet and tell every page."""
        self.wallet = wallet
        self.opened.emit()

    @property
    def syncing(self) -> bool:
        """Return whether a sync asked for with ``sync`` is still running."""
        return self._syncing

    def sync(self, on_failed: Callable[[str], None]) -> None:
        """Sync every network on the pool, then report the history rows that changed."""
        wallet = self.require()
        self._syncing = True

        def work() -> HistoryChanges:
            wallet.sync_each()
            return wallet.history.take_changes()

        def done(changes: HistoryChanges) -> None:
            self._syncing = False
            self.synced.emit(changes)

        def failed(message: str) -> None:
            self._syncing = False
            on_failed(message)

        self.run(work, done, failed, self.tr("Syncing"))

    def start_watching(self) -> None:
        """Follow the UTXO networks live: sync what the servers report, update the pages.

        Runs on its own pool thread until ``lock``; a network that cannot be reached is said
        in ``watching`` and the pages keep what the last sync showed.
        """
        wallet = self.require()
        self._stop_watch.clear()
        stop = self._stop_watch

        def loop() -> None:
            try:
                watcher = wallet.watch()
            except WalletError as err:
                self.watching.emit(self.tr("Live updates are off: %1").replace("%1", str(err)))
                return
            self._watcher = watcher
            self.watching.emit(self.tr("Live updates on"))
            try:
                while not stop.is_set():
                    event = watcher.wait(1.0)
                    if stop.is_set() or not (event.accounts or event.tips):
                        continue
                    for account_id in sorted(event.accounts):
                        wallet.accounts_book.by_id(account_id).sync()
                    for network in event.tips:
                        wallet.sync_each(network)
                    wallet.history.refresh()
                    self._watched.emit(wallet.history.take_changes())
            except WalletError as err:
                self.watching.emit(self.tr("Live updates stopped: %1").replace("%1", str(err)))
            finally:
                watcher.close()
                self._watcher = None

        self.pool.start(loop)

    def _forward(self, changes: object) -> None:
        # On the GUI thread: a change that arrives after the wallet was locked is dropped.
        if self.wallet is not None:
            self.synced.emit(changes)

    def lock(self) -> None:
        """Close the wallet: its keys leave memory, every page forgets what it showed."""
        self._stop_watch.set()
        watcher = self._watcher
        if watcher is not None:
            watcher.close()
        self.pool.waitForDone(30_000)
        self._generation += 1
        self._syncing = False
        wallet, self.wallet = self.wallet, None
        if wallet is not None:
            wallet.close()
        self.locked.emit()
