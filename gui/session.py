"""The open wallet as the windows see it: one place that runs wallet work off the GUI thread.

Pages never call a slow part of the API on the GUI thread: anything that may touch the network,
the KDF or a signer goes through ``Session.run``, which runs it on the thread pool and hands the
result (or the error's text) back on the GUI thread. Reads of what the wallet file holds
(balances, a page of history) are quick and stay on the GUI thread.

Long work can be cancelled (``cancel``, the Cancel button of the busy area), two ways:

- work that takes a ``CancelToken`` (a sync) is asked to stop at its next check, and still
  reports what it did;
- work that cannot be interrupted (the KDF of an unlock, a price refresh, reading an import)
  is abandoned: the page is told at once (``on_cancelled``) and the result, when it arrives,
  goes to ``discard`` (an opened wallet is closed there) instead of the page.

``hardware`` holds how devices are found and opened (HWI by default; a test without a device
fills it with the stand-in client).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QObject, QThreadPool, Signal

from gui.privacy import Privacy
from gui.workers import Task, run_task
from wallet import CancelToken, HardwareWallet, Wallet, hardware_wallets
from wallet.errors import Cancelled, WalletError
from wallet.history import HistoryChanges
from wallet.watch import Watcher

__all__ = ["Hardware", "Session"]


@dataclass
class Hardware:
    """How the app finds and opens hardware wallets.

    Attributes:
        find: lists the connected devices (``wallet.hardware_wallets``: HWI's enumerate).
        open_client: opens a device's HWI client; ``None`` is HWI's own ``get_client``.
    """

    find: Callable[[], list[HardwareWallet]] = hardware_wallets
    open_client: Any = None


@dataclass
class _Cancellable:
    token: CancelToken | None
    on_cancelled: Callable[[], None] | None
    discard: Callable[[Any], None] | None
    abandoned: bool = field(default=False)


class Session(QObject):
    """The wallet that is open (or ``None`` while locked), and the work running for it."""

    opened = Signal()
    locked = Signal()
    synced = Signal(object)  # HistoryChanges
    busy = Signal(str)  # what runs now, "" when idle
    cancellable = Signal(bool)  # whether work that can be cancelled is running
    display_changed = Signal(object)  # DisplaySettings, after the settings page saved them
    watching = Signal(str)  # what live updates are doing, in words
    _watched = Signal(object)  # HistoryChanges from the watcher's thread

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.wallet: Wallet | None = None
        self.privacy = Privacy(self)
        self.pool = QThreadPool(self)
        self._tasks: set[Task] = set()
        self._cancellable: dict[Task, _Cancellable] = {}
        self.hardware = Hardware()
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
        *,
        cancel: CancelToken | None = None,
        on_cancelled: Callable[[], None] | None = None,
        discard: Callable[[Any], None] | None = None,
    ) -> Task:
        """Run ``work`` on the pool; the callbacks run on the GUI thread.

        A result that arrives after the wallet was locked is dropped: the pages have
        forgotten what asked for it.

        Args:
            work: what runs on the pool.
            on_done: gets the result.
            on_failed: gets the error's text.
            what: what runs, for the busy area.
            cancel: the token ``work`` checks; ``cancel()`` sets it and waits for ``work``
                to end (the work reports what it did).
            on_cancelled: makes the work cancellable without a token: ``cancel()`` calls
                it at once and the result is no longer the page's.
            discard: gets a result that arrives after the wait was abandoned (or after the
                wallet was locked), to release it (``Wallet.close``).
        """
        self.busy.emit(what)
        generation = self._generation
        entry = (
            _Cancellable(cancel, on_cancelled, discard)
            if cancel is not None or on_cancelled is not None
            else None
        )

        def finish() -> bool:
            """Forget the task; return whether its result is still the page's."""
            self._tasks.discard(task)
            self._cancellable.pop(task, None)
            if entry is None or not entry.abandoned:
                self.busy.emit("")
            self.cancellable.emit(self._can_cancel())
            return generation == self._generation and (entry is None or not entry.abandoned)

        def done(result: Any) -> None:
            if finish():
                on_done(result)
            elif discard is not None:
                discard(result)

        def failed(message: str) -> None:
            if finish():
                on_failed(message)

        task = run_task(work, done, failed, self.pool)
        self._tasks.add(task)
        if entry is not None:
            self._cancellable[task] = entry
            self.cancellable.emit(True)
        return task

    def _can_cancel(self) -> bool:
        return any(not c.abandoned for c in self._cancellable.values())

    def cancel(self) -> None:
        """Cancel the work that can be: stop it at its next check, or stop waiting for it."""
        for entry in list(self._cancellable.values()):
            if entry.abandoned:
                continue
            if entry.token is not None:
                entry.token.cancel()
                self.busy.emit(self.tr("Cancelling"))
            elif entry.on_cancelled is not None:
                entry.abandoned = True
                self.busy.emit("")
                entry.on_cancelled()
        self.cancellable.emit(self._can_cancel())

    def set_wallet(self, wallet: Wallet) -> None:
        """Take an opened wallet and tell every page."""
        self.wallet = wallet
        self.opened.emit()

    @property
    def syncing(self) -> bool:
        """Return whether a sync asked for with ``sync`` is still running."""
        return self._syncing

    def sync(self, on_failed: Callable[[str], None]) -> None:
        """Sync every network on the pool, then report the history rows that changed.

        ``cancel`` stops it between accounts (or pages of one): what was synced is still
        reported, and ``on_failed`` says the sync was cancelled.
        """
        wallet = self.require()
        self._syncing = True
        token = CancelToken()

        def work() -> tuple[HistoryChanges, str]:
            try:
                wallet.sync_each(cancel=token)
            except Cancelled as err:
                return wallet.history.take_changes(), str(err)
            return wallet.history.take_changes(), ""

        def done(result: tuple[HistoryChanges, str]) -> None:
            changes, stopped = result
            self._syncing = False
            self.synced.emit(changes)
            if stopped:
                on_failed(stopped)

        def failed(message: str) -> None:
            self._syncing = False
            on_failed(message)

        self.run(work, done, failed, self.tr("Syncing"), cancel=token)

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
        self._cancellable.clear()
        self.cancellable.emit(False)
        wallet, self.wallet = self.wallet, None
        if wallet is not None:
            wallet.close()
        self.locked.emit()
