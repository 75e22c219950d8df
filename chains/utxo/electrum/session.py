"""The Electrum backend's link to its servers: handshake, failover, subscriptions, pacing.

``ElectrumSession`` holds the connection in use (an ``ElectrumConnection``) and everything
that outlives one connection: the list of servers, the scripts subscribed and their last
status, the tip, the pacing learnt about the server, the queue of live events. The backend
(``ElectrumBackend``) holds one session and asks through it; the session knows nothing of
syncs.

Handshake: ``server.version`` (protocol 1.4 to 1.6), then the genesis header, which must
hash to the network's genesis (else ``WrongServerNetwork``), and the tip.

When the connection drops while scripts are watched, the session reconnects in the
background with backoff (to the next server first), subscribes again and reports the scripts
whose status changed meanwhile. Requests go in paced rounds (``pacing``); a round lost to a
broken link is sent again after reconnecting.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from chains.errors import BackendProtocolError, BackendUnavailable, WrongServerNetwork
from chains.registry import UtxoNetwork
from chains.utxo.backend import BackendEvent, BlockRef, NewTip, ScriptKey, ScriptsChanged
from chains.utxo.electrum import parsing as ep
from chains.utxo.electrum.connection import (
    BatchMode,
    Call,
    ElectrumConnection,
    JsonValue,
    RpcFailure,
    ServerAddress,
)
from chains.utxo.electrum.pacing import Pacer, ThrottleStats
from chains.utxo.merkle import PowRules, pow_rules

__all__ = ["ElectrumSession", "SessionOptions"]

_log = logging.getLogger(__name__)

_FILLER = Call("blockchain.block.headers", (0, 8))


@dataclass(frozen=True, slots=True)
class SessionOptions:
    """How a session connects and paces (see ``ElectrumBackend`` for each)."""

    timeout: float = 20.0
    ca_file: str | None = None
    client_name: str = "coffer"
    mode: BatchMode = BatchMode.ARRAY
    max_batch: int = 200
    flush_filler: bool = True
    retries: int = 2
    backoff: float = 0.25
    max_round: int = 1000
    round_target: float = 3.0
    deadline: float = 600.0


class ElectrumSession:
    """A failover link to a network's Electrum servers, with subscriptions kept across links.

    Args:
        network: the network served; each server's genesis header is checked against it.
        servers: the servers in order of preference (at least one).
        options: timeouts, batching, retries and pacing.
    """

    def __init__(
        self, network: UtxoNetwork, servers: Sequence[ServerAddress], options: SessionOptions
    ) -> None:
        self._network = network
        self._servers = tuple(servers)
        self._opts = options
        self._retries = max(1, options.retries)
        self._pacer = Pacer(ceiling=max(1, options.max_round), target_s=options.round_target)
        self.rules: PowRules = pow_rules(network)
        self._lock = threading.RLock()
        self.lock = self._lock
        """Held for an operation that must not interleave with a reconnection (reentrant)."""
        self._subs_lock = threading.Lock()
        self._subscribed: dict[str, set[ScriptKey]] = {}
        self._sub_status: dict[str, str | None] = {}
        self._events: queue.Queue[BackendEvent] = queue.Queue()
        self._closed = threading.Event()
        self._reviving = False
        self._conn: ElectrumConnection | None = None
        self._index = 0
        self._old_round_trips = 0
        self.tip: BlockRef | None = None
        """The last tip a server reported."""
        self.protocol_version = ""
        self.server_software = ""

    @property
    def deadline(self) -> float:
        """Return the seconds one operation may spend asking a busy or slow server again."""
        return self._opts.deadline

    @property
    def events(self) -> queue.Queue[BackendEvent]:
        """Return the queue of live updates (``ScriptsChanged``, ``NewTip``)."""
        return self._events

    @property
    def server_name(self) -> str:
        """Return the server in use, as ``tcp://host:port`` or ``ssl://host:port``."""
        conn = self._conn
        return conn.server if conn is not None else self._servers[self._index].name

    @property
    def round_trips(self) -> int:
        """Return the round trips sent so far over every connection (a batch counts once)."""
        conn = self._conn
        return self._old_round_trips + (conn.round_trips if conn is not None else 0)

    @property
    def throttling(self) -> ThrottleStats:
        """Return how often the servers' throttling slowed this session down so far."""
        return self._pacer.stats

    def connect(self) -> None:
        """Connect to the first good server.

        Raises:
            WrongServerNetwork: every reachable server serves another network.
            BackendUnavailable: no server could be reached.
            BackendProtocolError: the servers answered the handshake with garbage.
        """
        with self._lock:
            self._connect_round(0)

    # -- subscriptions -------------------------------------------------------------------------

    def register(self, by_hash: Mapping[str, Iterable[ScriptKey]]) -> None:
        """Remember scripts (by script hash) as subscribed: kept across reconnections."""
        with self._subs_lock:
            for sh, keys in by_hash.items():
                self._subscribed.setdefault(sh, set()).update(keys)

    def unanswered(self, hashes: Iterable[str]) -> list[str]:
        """Return the script hashes this session has no subscription answer for yet."""
        with self._subs_lock:
            return [h for h in hashes if h not in self._sub_status]

    def record_statuses(self, statuses: Mapping[str, str | None]) -> None:
        """Record the statuses subscription answers gave."""
        with self._subs_lock:
            self._sub_status.update(statuses)

    def statuses(self, hashes: Iterable[str]) -> dict[str, str | None]:
        """Return the last status known for each script hash (``None`` if none)."""
        with self._subs_lock:
            return {h: self._sub_status.get(h) for h in hashes}

    # -- connection, handshake, failover -----------------------------------------------------

    def _open(self, address: ServerAddress) -> tuple[ElectrumConnection, BlockRef]:
        opts = self._opts
        conn = ElectrumConnection(
            address,
            timeout=opts.timeout,
            on_notification=self._on_notification,
            on_lost=self._on_lost,
            mode=opts.mode,
            max_batch=opts.max_batch,
            ca_file=opts.ca_file,
        )
        conn.open()
        try:
            (version,) = conn.call_many(
                [Call("server.version", (opts.client_name, list(ep.PROTOCOL_RANGE)))]
            )
            self.server_software, self.protocol_version = ep.check_version(version, conn.server)
            genesis, tip = conn.call_many(
                [Call("blockchain.block.header", (0,)), Call("blockchain.headers.subscribe")]
            )
            actual = ep.header(genesis, conn.server, None).hash
            if actual != self._network.genesis_hash:
                raise WrongServerNetwork(
                    f"The server {conn.server} serves another network than "
                    f"{self._network.title} (genesis {actual}).",
                    conn.server,
                    self._network.genesis_hash,
                    actual,
                )
            return conn, ep.tip_of(tip, conn.server, self.rules)
        except (BackendUnavailable, BackendProtocolError):
            self._old_round_trips += conn.round_trips
            conn.close()
            raise

    def _connect_round(self, start: int) -> None:
        """Connect to the first good server from ``start`` on (wrapping around)."""
        wrong: WrongServerNetwork | None = None
        last: BackendUnavailable | BackendProtocolError | None = None
        n = len(self._servers)
        for k in range(n):
            i = (start + k) % n
            try:
                conn, tip = self._open(self._servers[i])
                if i != self._index:
                    self._pacer.reset()  # what was learnt about the last server does not apply
                try:
                    changed = self._resubscribe(conn)
                except (BackendUnavailable, BackendProtocolError):
                    self._old_round_trips += conn.round_trips
                    conn.close()
                    raise
            except WrongServerNetwork as e:
                _log.warning("%s", e)
                wrong = e
                continue
            except (BackendUnavailable, BackendProtocolError) as e:
                _log.info("Electrum server %s is unusable: %s", self._servers[i].name, e)
                last = e
                continue
            old, self._conn, self._index = self._conn, conn, i
            if old is not None:
                self._old_round_trips += old.round_trips
                old.close()
            old_tip, self.tip = self.tip, tip
            if old_tip is not None and old_tip != tip:
                self._events.put(NewTip(tip))
            if changed:
                self._events.put(ScriptsChanged(frozenset(changed)))
            return
        if wrong is not None:
            raise wrong
        assert last is not None  # noqa: S101 - the loop ran at least once
        if n > 1:
            raise BackendUnavailable(
                f"None of the {n} Electrum servers of {self._network.title} can be reached.",
                last.server,
            ) from last
        raise last

    def _reconnect(self) -> None:
        """Reconnect, the next server first, with backoff between rounds over all servers."""
        start = (self._index + 1) % len(self._servers)
        for attempt in range(self._retries):
            if self._closed.is_set():
                break
            try:
                self._connect_round(start)
                return
            except BackendUnavailable:
                if attempt + 1 == self._retries:
                    raise
            self._closed.wait(self._opts.backoff * 2**attempt)
        raise BackendUnavailable("This backend is closed.", self.server_name)

    def _resubscribe(self, conn: ElectrumConnection) -> set[ScriptKey]:
        """After (re)connecting: subscribe every known script again; return those changed."""
        with self._subs_lock:
            hashes = list(self._subscribed)
        if not hashes:
            return set()
        calls = [Call("blockchain.scripthash.subscribe", (h,)) for h in hashes]

        def give_up(err: BackendUnavailable) -> None:
            raise err  # this connection is unusable: the caller tries the next server

        answers = self._pacer.run(
            calls,
            lambda chunk: self._send_on(conn, chunk),
            give_up,
            time.monotonic() + self._opts.deadline,
            self._pause,
            lambda: conn.server,
            max_losses=1,
        )
        changed: set[ScriptKey] = set()
        with self._subs_lock:
            for sh, answer in zip(hashes, answers, strict=False):
                status = ep.status(answer, conn.server)
                if sh not in self._sub_status:
                    # Never answered before (its subscription was lost with the link): there
                    # is nothing to compare with; ``watch`` compares it with the caller's.
                    self._sub_status[sh] = status
                elif self._sub_status[sh] != status:
                    self._sub_status[sh] = status
                    changed |= self._subscribed[sh]
        return changed

    def _on_lost(self) -> None:
        """Reader thread: the connection died; revive it in the background if watching."""
        with self._subs_lock:
            watching = bool(self._subscribed)
        if not watching or self._closed.is_set() or self._reviving:
            return
        self._reviving = True
        threading.Thread(target=self._revive, name="electrum revive", daemon=True).start()

    def _revive(self) -> None:
        delay = self._opts.backoff
        try:
            while not self._closed.is_set():
                with self._lock:
                    if self._closed.is_set() or (self._conn is not None and self._conn.alive):
                        return
                    try:
                        self._reconnect()
                        return
                    except (BackendUnavailable, BackendProtocolError) as e:
                        _log.info("Electrum reconnect failed: %s", e)
                self._closed.wait(delay)
                delay = min(delay * 2, 30.0)
        finally:
            self._reviving = False

    def _on_notification(self, method: str, params: list[JsonValue]) -> None:
        """Reader thread: turn subscription notifications into events."""
        if method == "blockchain.scripthash.subscribe" and len(params) == 2:
            sh, status = params
            if not isinstance(sh, str) or not (status is None or isinstance(status, str)):
                return
            with self._subs_lock:
                keys = self._subscribed.get(sh)
                if keys is None or self._sub_status.get(sh) == status:
                    return
                self._sub_status[sh] = status
                event = ScriptsChanged(frozenset(keys))
            self._events.put(event)
        elif method == "blockchain.headers.subscribe" and len(params) == 1:
            try:
                tip = ep.tip_of(params[0], self.server_name, self.rules)
            except BackendProtocolError as e:
                _log.warning("ignoring a bad header notification: %s", e)
                return
            if tip != self.tip:
                self.tip = tip
                self._events.put(NewTip(tip))

    # -- requests ----------------------------------------------------------------------------

    def exchange(
        self, calls: Sequence[Call], deadline: float | None = None
    ) -> list[JsonValue | RpcFailure]:
        """Ask ``calls`` in paced round trips; fail over when the link breaks.

        Busy answers are asked again and a lost round is sent again after reconnecting,
        until ``deadline`` (``time.monotonic()`` seconds; by default the session's
        ``deadline`` seconds from now). Other error answers are returned as ``RpcFailure``.

        Raises:
            BackendUnavailable: no server answers in time, or the session is closed.
            BackendProtocolError: a server sent garbage.
        """
        if not calls:
            return []
        until = time.monotonic() + self._opts.deadline if deadline is None else deadline
        with self._lock:
            if self._closed.is_set():
                raise BackendUnavailable("This backend is closed.", self.server_name)
            if self._conn is None or not self._conn.alive:
                self._reconnect()
            return self._pacer.run(
                calls,
                self._send,
                lambda _err: self._reconnect(),
                until,
                self._pause,
                lambda: self.server_name,
            )

    def call(self, calls: Sequence[Call], deadline: float | None = None) -> list[JsonValue]:
        """Like ``exchange``, but an error answer is a protocol error.

        Raises:
            BackendUnavailable: no server answers in time, or the session is closed.
            BackendProtocolError: a server sent garbage or refused a call.
        """
        answers = self.exchange(calls, deadline)
        self.refuse_failures(calls, answers)
        return [a for a in answers if not isinstance(a, RpcFailure)]

    def refuse_failures(
        self, calls: Sequence[Call], answers: Sequence[JsonValue | RpcFailure]
    ) -> None:
        """Raise for the first error answer among ``answers``.

        Raises:
            BackendProtocolError: the server refused one of the calls.
        """
        for call, answer in zip(calls, answers, strict=True):
            if isinstance(answer, RpcFailure):
                raise BackendProtocolError(
                    f"The server {self.server_name} refused {call.method}: {answer.message}",
                    self.server_name,
                )

    def _send(self, chunk: Sequence[Call]) -> list[JsonValue | RpcFailure]:
        """One round trip on the connection in use (the caller holds the lock)."""
        conn = self._conn
        if conn is None or not conn.alive:
            raise BackendUnavailable("The connection was lost.", self.server_name)
        return self._send_on(conn, chunk)

    def _send_on(
        self, conn: ElectrumConnection, chunk: Sequence[Call]
    ) -> list[JsonValue | RpcFailure]:
        wire = [*chunk, _FILLER] if self._opts.flush_filler else list(chunk)
        try:
            return conn.call_many(wire)[: len(chunk)]
        except BackendProtocolError:
            conn.close()
            raise

    def _pause(self, seconds: float) -> None:
        if self._closed.wait(seconds):
            raise BackendUnavailable("This backend is closed.", self.server_name)

    def close(self) -> None:
        """Close the connection; the session is unusable afterwards."""
        self._closed.set()
        with self._lock:
            if self._conn is not None:
                self._conn.close()
