"""Live updates for UTXO accounts: block in ``Watcher.wait`` until a server reports a change.

``Wallet.watch()`` subscribes the scripts of every UTXO account of the watched networks
through each network's backend (``UtxoBackend.watch``) and reads the backend's events
(``ScriptsChanged``, ``NewTip``) on a thread of its own, one per network. A backend that
cannot push (``chains.errors.Unsupported``: Bitcoin Core RPC) is polled instead: its tip every
``poll_interval`` seconds, so it reports new blocks, not mempool payments (sync to see those).

``wait`` returns what happened since the last ``wait``, merged into one ``WatchEvent``: the
accounts whose scripts changed and the networks with a new tip, or an empty event on
timeout. What changed before the watch began is reported at once: the watch compares each
script's server status with the one the wallet stored, and the server's tip with the tip of
the last sync. The watcher is thread-safe: a GUI worker blocks in ``wait`` while the GUI
thread reads the wallet and another worker syncs; ``close`` from any thread wakes ``wait``.

Scripts the wallet adds later (a sync's discovery, addresses handed out since) are watched
from the next ``wait`` on; ``UtxoAccount.sync`` also asks for that right after it has stored
them (``refresh``), so a payment to a newly discovered address is not missed in between. A
network whose backend the wallet swaps (other servers, ``backends.use``) is followed on the new
one from the next ``wait`` or sync on.
"""

from __future__ import annotations

import logging
import math
import queue
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

from chains.errors import Unsupported
from chains.registry import UtxoNetwork, get_network
from chains.utxo.backend import (
    BackendEvent,
    BlockRef,
    NewTip,
    ScriptKey,
    ScriptsChanged,
    UtxoBackend,
)
from wallet.backends import BackendPool
from wallet.errors import WalletError, translate_errors
from wallet.utxo.context import UtxoContext
from wallet.utxo.store import UtxoStore

__all__ = ["DEFAULT_POLL_SECONDS", "WatchEvent", "Watcher"]

_log = logging.getLogger(__name__)

DEFAULT_POLL_SECONDS = 15.0
"""How often the tip of a backend that cannot push (Core RPC) is asked for, in seconds."""

_PUMP_SECONDS = 0.25  # how long a pump thread blocks on its backend's queue between checks


@dataclass(frozen=True, slots=True)
class WatchEvent:
    """What the servers reported while a watcher waited; empty (false) after a timeout.

    Attributes:
        accounts: ids of the accounts whose scripts changed (a payment in or out, a
            confirmation, a reorg): sync them.
        tips: per network (registry name), the height of the servers' new tip.
        warnings: what went wrong meanwhile, in words (a server that could not be reached
            to subscribe new scripts, or to be polled); watching goes on.
    """

    accounts: frozenset[int] = frozenset()
    tips: Mapping[str, int] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        """Return whether anything happened."""
        return bool(self.accounts or self.tips or self.warnings)


class _Feed:
    """One network's backend as the watcher follows it."""

    __slots__ = (
        "accounts",
        "backend",
        "counts",
        "network",
        "push",
        "retired",
        "store",
        "tip",
        "watched",
    )

    def __init__(self, network: UtxoNetwork, backend: UtxoBackend, store: UtxoStore) -> None:
        self.network = network
        self.backend = backend
        self.store = store
        self.push = True
        self.watched: set[ScriptKey] = set()
        self.counts: dict[int, int] = {}
        self.accounts: frozenset[int] = frozenset()  # replaced whole: read by the pump thread
        self.tip: BlockRef | None = None
        self.retired = threading.Event()  # the network has another backend now: stop


class Watcher:
    """Waits for live updates of a wallet's UTXO accounts; use ``Wallet.watch`` to get one.

    Use it as a context manager, or call ``close()``.
    """

    def __init__(
        self,
        accounts: Callable[[], Sequence[UtxoContext]],
        backends: BackendPool,
        network: str | None,
        poll_interval: float,
        on_close: Callable[[Watcher], None] | None = None,
    ) -> None:
        """Prepare to watch ``network`` (every UTXO network when ``None``); see ``start``.

        Args:
            accounts: returns the UTXO accounts to watch as they are now (a refresh asks
                again, so accounts and addresses added meanwhile are watched too).
            backends: the wallet's backends (a network's is asked for when it is followed).
            network: the network to watch, or ``None`` for every UTXO network.
            poll_interval: seconds between two tip polls of a backend that cannot push.
            on_close: called once the watcher is closed.

        Raises:
            WalletError: ``poll_interval`` is not a positive, finite number of seconds (NaN
                or infinity would stop the poll thread with an error).
        """
        if (
            isinstance(poll_interval, bool)
            or not isinstance(poll_interval, int | float)
            or not math.isfinite(poll_interval)
            or poll_interval <= 0
        ):
            raise WalletError("The poll interval is a positive number of seconds.")
        self._contexts = accounts
        self._backends = backends
        self._on_close = on_close
        self._network = network
        self._poll_interval = poll_interval
        self._feeds: dict[str, _Feed] = {}
        self._threads: list[threading.Thread] = []
        self._refresh_lock = threading.RLock()  # RLock: ``close`` may run inside a refresh
        self._cond = threading.Condition()
        self._closed = threading.Event()
        self._accounts: set[int] = set()
        self._tips: dict[str, int] = {}
        self._warnings: list[str] = []

    def __repr__(self) -> str:
        state = "closed" if self.closed else ", ".join(sorted(self._feeds)) or "nothing"
        return f"<Watcher {state}>"

    def __enter__(self) -> Watcher:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # -- public ------------------------------------------------------------------------------

    @property
    def poll_interval(self) -> float:
        """Return the seconds between two tip polls of a backend that cannot push."""
        return self._poll_interval

    @property
    def closed(self) -> bool:
        """Return whether ``close`` was called."""
        return self._closed.is_set()

    @property
    def networks(self) -> frozenset[str]:
        """Return the networks watched so far."""
        with self._refresh_lock:
            return frozenset(self._feeds)

    @property
    def polling(self) -> frozenset[str]:
        """Return the watched networks whose backend cannot push: their tip is polled."""
        with self._refresh_lock:
            return frozenset(n for n, f in self._feeds.items() if not f.push)

    def start(self) -> None:
        """Subscribe every UTXO account's scripts; the first ``wait`` reports what is new.

        Everything that changed before (a script's status against the stored one, the tip
        against the last sync's) is posted before this returns, so the first ``wait``
        reports all of it at once. On failure the watcher is closed.

        Raises:
            BackendUnavailable: a network's servers cannot be reached.
            NetworkMismatch: a server serves another network.
            UnknownNetwork: no such network.
            WalletError: ``network`` is not a UTXO network.
        """
        try:
            if self._network is not None:
                with translate_errors():
                    network = get_network(self._network)
                if not isinstance(network, UtxoNetwork):
                    raise WalletError(
                        f"Live updates are for UTXO networks; {network.title} is not one."
                    )
            self._refresh(strict=True)
        except BaseException:
            self.close()  # also frees the wallet for another watch
            raise

    def refresh(self) -> None:
        """Subscribe the scripts added since (a sync's discovery, new addresses, accounts).

        Never raises: a server that cannot be reached becomes a warning of the next event,
        and the subscription is tried again on the next ``wait``.
        """
        self._refresh(strict=False)

    def wait(self, timeout: float | None = None) -> WatchEvent:
        """Block until a server reports a change, ``timeout`` seconds pass, or ``close``.

        Scripts added since the last call are subscribed first (``refresh``).

        Args:
            timeout: the longest wait in seconds; ``None`` waits until something happens.

        Returns:
            What happened since the last call, merged; an empty event on timeout, on
            ``close``, and at once on a closed watcher.
        """
        if timeout is not None and math.isnan(timeout):
            raise WalletError("The timeout is a number of seconds, or None to wait for good.")
        if self.closed:
            return WatchEvent()
        self.refresh()
        end = None if timeout is None else time.monotonic() + max(timeout, 0.0)
        with self._cond:
            while not (self._accounts or self._tips or self._warnings or self.closed):
                left = None if end is None else end - time.monotonic()
                if left is not None and left <= 0:
                    break
                self._cond.wait(left)
            event = WatchEvent(frozenset(self._accounts), dict(self._tips), tuple(self._warnings))
            self._accounts.clear()
            self._tips.clear()
            self._warnings.clear()
        return event

    def close(self) -> None:
        """Stop watching and wake a ``wait`` (it returns an empty event); idempotent.

        A refresh under way on another thread (its ``wait``, a sync) is waited for: the
        wallet closes its database right after this.
        """
        self._closed.set()
        with self._cond:
            self._cond.notify_all()
        with self._refresh_lock:
            threads = list(self._threads)
        for thread in threads:
            if thread is not threading.current_thread():
                thread.join(timeout=_PUMP_SECONDS + 5)  # a poll thread wakes on close too
        if self._on_close is not None:
            self._on_close(self)

    # -- subscribing -------------------------------------------------------------------------

    def _refresh(self, *, strict: bool) -> None:
        with self._refresh_lock:
            if self.closed:
                return
            by_network: dict[str, list[UtxoContext]] = {}
            for ctx in self._contexts():
                by_network.setdefault(ctx.network.name, []).append(ctx)
            for name, accounts in by_network.items():
                try:
                    feed = self._feeds.get(name)
                    if feed is not None and self._replaced(feed):
                        feed.retired.set()
                        del self._feeds[name]
                        feed = None
                    if feed is None:
                        self._follow(accounts[0].store, accounts)
                    else:
                        self._subscribe(feed, accounts)
                except WalletError as err:
                    if strict:
                        raise
                    self._post(warning=str(err))  # tried again by the next refresh

    def _replaced(self, feed: _Feed) -> bool:
        """Return whether the wallet uses another backend for the feed's network now.

        Servers changed (``backends.set_servers``) or another backend handed in
        (``backends.use``): the new one is followed from the start, its scripts compared
        with the stored statuses again, so nothing that changed in between is missed.
        """
        return self._backends.utxo(feed.network) is not feed.backend

    def _follow(self, store: UtxoStore, accounts: list[UtxoContext]) -> None:
        """Start following a network: open it, subscribe, then hand its events to a thread.

        What the subscription reported at once (scripts changed before the watch) is taken
        here, before the thread starts: the ``wait`` after ``start`` sees it together with
        the tip, not one or the other depending on how fast the thread ran.
        """
        network = store.network
        feed = self._open(store)
        try:
            self._subscribe(feed, accounts)
        finally:
            while True:
                try:
                    self._take(feed, feed.backend.events.get_nowait())
                except queue.Empty:
                    break
            target = self._pump if feed.push else self._poll
            thread = threading.Thread(
                target=target, args=(feed,), name=f"coffer watch {network.name}", daemon=True
            )
            self._threads.append(thread)
            thread.start()

    def _open(self, store: UtxoStore) -> _Feed:
        """Probe whether a network's backend pushes, compare tips; register its feed."""
        network = store.network
        backend = self._backends.utxo(network)
        feed = _Feed(network, backend, store)
        with translate_errors():
            try:
                backend.watch({})
            except Unsupported:
                feed.push = False
            while True:  # events from before the watch: the comparisons below replace them
                try:
                    backend.events.get_nowait()
                except queue.Empty:
                    break
            feed.tip = backend.tip()
        if feed.tip != feed.store.tip():
            self._post(tip=(network.name, feed.tip.height))
        self._feeds[network.name] = feed
        return feed

    def _subscribe(self, feed: _Feed, accounts: list[UtxoContext]) -> None:
        """Watch the accounts' scripts not watched yet, against their stored statuses."""
        feed.accounts = frozenset({*feed.accounts, *(a.account_id for a in accounts)})
        for account in accounts:
            count = feed.store.script_count(account.account_id)
            if feed.counts.get(account.account_id) == count:
                continue  # nothing new: no need to read every script
            scripts = feed.store.scripts(account.account_id)
            new = {k: s for k, s in scripts.items() if k not in feed.watched}
            if new and feed.push:
                stored = feed.store.statuses(account.account_id)
                with translate_errors():
                    feed.backend.watch(new, {k: stored.get(k) for k in new})
            feed.watched.update(new)
            feed.counts[account.account_id] = count

    # -- threads -----------------------------------------------------------------------------

    def _pump(self, feed: _Feed) -> None:
        """Move a pushing backend's events to the watcher, as accounts and tips."""
        while not (self.closed or feed.retired.is_set()):
            try:
                event = feed.backend.events.get(timeout=_PUMP_SECONDS)
            except queue.Empty:
                continue
            if feed.retired.is_set():
                return  # from the backend the wallet no longer uses: the new one reports it
            self._take(feed, event)

    def _take(self, feed: _Feed, event: BackendEvent) -> None:
        """Post one backend event as the accounts it concerns, or as the network's tip."""
        if isinstance(event, ScriptsChanged):
            ids = {k[0] for k in event.keys if len(k) == 3} & feed.accounts
            if ids:
                self._post(accounts=ids)
        elif isinstance(event, NewTip) and event.tip != feed.tip:
            feed.tip = event.tip
            self._post(tip=(feed.network.name, event.tip.height))

    def _poll(self, feed: _Feed) -> None:
        """Ask a backend that cannot push for its tip every ``poll_interval`` seconds."""
        while not self._closed.wait(self._poll_interval):
            if feed.retired.is_set():
                return
            try:
                with translate_errors():
                    tip = feed.backend.tip()
            except WalletError as err:
                self._post(warning=str(err))
                continue
            if tip != feed.tip:
                feed.tip = tip
                self._post(tip=(feed.network.name, tip.height))

    def _post(
        self,
        *,
        accounts: set[int] | None = None,
        tip: tuple[str, int] | None = None,
        warning: str | None = None,
    ) -> None:
        with self._cond:
            if accounts:
                self._accounts |= accounts
            if tip is not None:
                self._tips[tip[0]] = tip[1]
            if warning is not None and warning not in self._warnings:
                _log.info("watch: %s", warning)
                self._warnings.append(warning)
            self._cond.notify_all()
