"""The Electrum-protocol backend (protocol 1.4 to 1.6), for ElectrumX, Fulcrum and electrs.

Electrum protocol: protocol-basics ("Message Stream", "Script Hashes", "Status") and
protocol-methods (``server.version``, ``blockchain.scripthash.subscribe`` / ``get_history``,
``blockchain.transaction.get`` / ``get_merkle`` / ``broadcast``, ``blockchain.block.header``,
``blockchain.headers.subscribe``, ``blockchain.estimatefee``).

Trust: nothing a server says is taken on faith where it can be checked. The server's genesis
header must hash to the network's genesis (else ``WrongServerNetwork``); every transaction
must hash to the txid asked for; every confirmed transaction of a changed history is proven
with its merkle branch against the block header at its height, whose proof of work is
checked (``chains.utxo.merkle``). A lie is a ``BackendProtocolError`` naming the server.

Round trips: whatever the number of scripts and transactions, a sync costs one round of
statuses per discovery window (one without ``SyncRequest.more_scripts``), then at most one
each for the histories of changed scripts, for new transactions with merkle branches and
headers, for the branches of known proofs whose block changed, and for the parents of new
transactions (their fees); each is one JSON-RPC batch. ElectrumX 2.0 holds small
answers back for up to a second once a session has received about 1 KiB (traffic-analysis
padding); each round trip therefore carries a filler request (``blockchain.block.headers``
for 8 headers, about 1.3 KiB of answer) so the server's buffer is full and answers at once.
``bench/electrum_sync.py`` measures the effect.

Live updates: every script synced or watched stays subscribed; the server's notifications
become ``ScriptsChanged`` / ``NewTip`` events in ``events``. When the connection drops, the
backend reconnects with backoff (to the next server first), subscribes again and reports the
scripts whose status changed meanwhile.

Throttling: public ElectrumX servers slow a session down once its cost passes a limit and
answer "server busy" to requests that waited too long (``pacing``). Long request
lists therefore go in rounds that the server answers within ``round_target`` seconds, fewer
per round while it is slow; busy answers are asked again after a backoff and a round lost
to a timeout is sent again after reconnecting, keeping every answer already received, until
``deadline`` seconds after the operation (a whole sync) began.

Block times: every header fetched to prove a transaction also gives its block's timestamp
(``SyncUpdate.block_times``); headers of ``SyncRequest.untimed_blocks`` travel in the same
round trip.
"""

from __future__ import annotations

import queue
import time
from collections.abc import Mapping, Sequence
from decimal import ROUND_CEILING, Decimal

from chains.errors import Unsupported
from chains.registry import ElectrumServer, UtxoNetwork
from chains.utxo import history as eh
from chains.utxo.backend import (
    AcceptResult,
    BackendEvent,
    BlockRef,
    FeeRate,
    ScriptKey,
    ScriptsChanged,
    SyncRequest,
    SyncUpdate,
    TransactionRejected,
    Txid,
    scripthash,
)
from chains.utxo.electrum import parsing as ep
from chains.utxo.electrum.connection import BatchMode, Call, RpcFailure, ServerAddress
from chains.utxo.electrum.pacing import ThrottleStats
from chains.utxo.electrum.session import ElectrumSession, SessionOptions
from chains.utxo.merkle import BlockHeader
from primitives.tx import Transaction, TxDecodeError

__all__ = ["ElectrumBackend"]


class _Scan:
    """What one sync has learnt so far, round by round."""

    __slots__ = ("deadline", "histories", "key_hash", "reorged", "request", "status", "tip")

    def __init__(self, request: SyncRequest, deadline: float) -> None:
        self.request = request
        self.deadline = deadline
        self.key_hash: dict[ScriptKey, str] = {}
        self.status: dict[str, str | None] = {}
        self.histories: dict[str, list[eh.RawHistoryItem]] = {}
        self.tip: BlockRef | None = None
        self.reorged = False


class ElectrumBackend:
    """A ``UtxoBackend`` speaking the Electrum protocol to one of several servers.

    Args:
        network: the network served; each server's genesis header is checked against it.
        servers: servers in order of preference (``ServerAddress``, the registry's
            ``ElectrumServer``, or text such as ``ssl://host:50002``); the network's
            defaults when omitted.
        timeout: seconds to connect and to wait for each round trip's answers.
        ca_file: a CA bundle for TLS servers instead of the system's.
        fingerprints: ``"host:port"`` to the SHA-256 (hex) of a server's certificate: that
            server is accepted by its pinned certificate (self-signed ones included).
        client_name: what ``server.version`` announces.
        mode: JSON arrays or pipelined lines for batches.
        max_batch: requests per JSON array.
        flush_filler: add the filler request that makes padded servers answer at once.
        retries: how many rounds over all servers a reconnect tries before giving up.
        backoff: seconds before the second round, doubled for each further one.
        max_round: the most requests in one round trip (fewer while the server is slow).
        round_target: seconds a round trip should take at most; a slower one makes the
            next rounds smaller.
        deadline: seconds one operation (a whole sync, a broadcast) may spend asking a busy
            or slow server again before it fails with ``BackendUnavailable``.

    Raises:
        ValueError: no server, or a server text that does not parse.
        WrongServerNetwork: every reachable server serves another network.
        BackendUnavailable: no server could be reached.
        BackendProtocolError: the servers answered the handshake with garbage.
    """

    def __init__(
        self,
        network: UtxoNetwork,
        servers: Sequence[ServerAddress | ElectrumServer | str] | None = None,
        *,
        timeout: float = 20.0,
        ca_file: str | None = None,
        fingerprints: Mapping[str, str] | None = None,
        client_name: str = "coffer",
        mode: BatchMode = BatchMode.ARRAY,
        max_batch: int = 200,
        flush_filler: bool = True,
        retries: int = 2,
        backoff: float = 0.25,
        max_round: int = 1000,
        round_target: float = 3.0,
        deadline: float = 600.0,
    ) -> None:
        pins = dict(fingerprints or {})
        chosen = tuple(
            ep.address(s, pins)
            for s in (servers if servers is not None else network.electrum_servers)
        )
        if not chosen:
            raise ValueError(f"No Electrum server is configured for {network.title}.")
        self._network = network
        options = SessionOptions(
            timeout=timeout,
            ca_file=ca_file,
            client_name=client_name,
            mode=mode,
            max_batch=max_batch,
            flush_filler=flush_filler,
            retries=retries,
            backoff=backoff,
            max_round=max_round,
            round_target=round_target,
            deadline=deadline,
        )
        self._session = ElectrumSession(network, chosen, options)
        self._session.connect()

    def __repr__(self) -> str:
        return f"ElectrumBackend({self._network.name!r}, server={self.server_name!r})"

    # -- fetching transactions ----------------------------------------------------------------

    def _fetch_txs(
        self, txids: Sequence[Txid], deadline: float | None = None
    ) -> dict[Txid, tuple[bytes, Transaction]]:
        answers = self._session.call(
            [Call("blockchain.transaction.get", (t,)) for t in txids], deadline
        )
        out = {}
        for txid, answer in zip(txids, answers, strict=True):
            raw = ep.raw_tx(answer, self.server_name)
            out[txid] = (raw, eh.check_txid(raw, txid, self.server_name))
        return out

    # -- the UtxoBackend protocol -----------------------------------------------------------

    @property
    def network(self) -> UtxoNetwork:
        """Return the network this backend serves."""
        return self._network

    @property
    def server_name(self) -> str:
        """Return the server in use, as ``tcp://host:port`` or ``ssl://host:port``."""
        return self._session.server_name

    @property
    def events(self) -> queue.Queue[BackendEvent]:
        """Return the queue of live updates (``ScriptsChanged``, ``NewTip``)."""
        return self._session.events

    @property
    def round_trips(self) -> int:
        """Return the round trips sent so far over every connection (a batch counts once)."""
        return self._session.round_trips

    @property
    def protocol_version(self) -> str:
        """Return the Electrum protocol version the server in use agreed to."""
        return self._session.protocol_version

    @property
    def server_software(self) -> str:
        """Return the software the server in use announced (``server.version``)."""
        return self._session.server_software

    @property
    def throttling(self) -> ThrottleStats:
        """Return how often the servers' throttling slowed this backend down so far."""
        return self._session.throttling

    def tip(self) -> BlockRef:
        """Return the server's chain tip (its header's proof of work checked)."""
        (answer,) = self._session.call([Call("blockchain.headers.subscribe")])
        tip = ep.tip_of(answer, self.server_name, self._session.rules)
        self._session.tip = tip
        return tip

    def watch(
        self,
        scripts: Mapping[ScriptKey, bytes],
        known_statuses: Mapping[ScriptKey, str | None] | None = None,
    ) -> None:
        """Subscribe to scripts; their status changes arrive as ``ScriptsChanged`` events.

        Scripts this connection has subscribed already (a sync subscribes those it knew)
        are not asked again. With ``known_statuses``, the scripts whose status on the
        server differs from it are reported at once.
        """
        hashes = self._register(scripts)
        session = self._session
        with session.lock:
            todo = session.unanswered(hashes)
            answers = session.call([Call("blockchain.scripthash.subscribe", (h,)) for h in todo])
            session.record_statuses(
                {sh: ep.status(a, self.server_name) for sh, a in zip(todo, answers, strict=True)}
            )
            known = session.statuses(scripthash(s) for s in scripts.values())
            current = {k: known[scripthash(s)] for k, s in scripts.items()}
        if known_statuses is not None:
            differ = frozenset(k for k, st in current.items() if known_statuses.get(k) != st)
            if differ:
                session.events.put(ScriptsChanged(differ))

    def _register(self, scripts: Mapping[ScriptKey, bytes]) -> list[str]:
        by_hash: dict[str, set[ScriptKey]] = {}
        for key, script in scripts.items():
            by_hash.setdefault(scripthash(script), set()).add(key)
        self._session.register(by_hash)
        return list(by_hash)

    def sync(self, request: SyncRequest) -> SyncUpdate:
        """Return what changed for the requested scripts.

        Round trips: one per round of statuses (one, without ``request.more_scripts``), one
        for the histories of changed scripts that were subscribed, one for new transactions,
        merkle branches and headers, one for the parents of new transactions (their fees).
        Scripts the request gives no known status for are asked for their history at once,
        in their round of statuses, instead of being subscribed first (the status is computed
        from the history): a fresh wallet's discovery costs one round per window and no
        extra round for histories. Such scripts are subscribed by the next sync (or
        ``watch``). Known proofs (``request.known_proofs``) are reused while the block at
        their height is unchanged, so known confirmed transactions are not proven again.

        Raises:
            ValueError: the request is for another network.
            BackendUnavailable: no server answers.
            BackendProtocolError: a server sent garbage or data that fails its proofs.
        """
        if request.network.genesis_hash != self._network.genesis_hash:
            raise ValueError(
                f"A {request.network.title} request was sent to a {self._network.title} backend."
            )
        scan = _Scan(request, time.monotonic() + self._session.deadline)
        batch: Mapping[ScriptKey, bytes] = request.scripts
        while batch:
            self._status_round(scan, batch)
            if request.more_scripts is None:
                break
            asked = request.more_scripts({k: scan.status[scan.key_hash[k]] for k in batch})
            batch = {k: v for k, v in asked.items() if k not in scan.key_hash}
        if scan.tip is None:  # nothing to watch: still report the tip
            self._status_round(scan, {})
        assert scan.tip is not None  # noqa: S101 - the first round sets it
        changed = [
            k
            for k, sh in scan.key_hash.items()
            if scan.reorged
            or k not in request.known_statuses
            or request.known_statuses[k] != scan.status[sh]
        ]
        wanted = sorted(
            {scan.key_hash[k] for k in changed}
            - scan.histories.keys()
            - {sh for sh, st in scan.status.items() if st is None}
        )
        if wanted:
            found = self._session.call(
                [Call("blockchain.scripthash.get_history", (h,)) for h in wanted], scan.deadline
            )
            for sh, answer in zip(wanted, found, strict=True):
                history = eh.order_history(ep.history(answer, self.server_name))
                scan.histories[sh] = history
                scan.status[sh] = eh.status_of(history)  # consistent with the history returned
        returned = {sh: scan.histories.get(sh, []) for sh in {scan.key_hash[k] for k in changed}}
        transactions, headers, parsed = self._proven_transactions(returned, request, scan)
        fees = self._fees(parsed, request.known_txids, scan.deadline)
        return SyncUpdate(
            tip=scan.tip,
            statuses={k: scan.status[scan.key_hash[k]] for k in changed},
            histories={k: eh.history_items(returned[scan.key_hash[k]]) for k in changed},
            transactions=transactions,
            block_hashes={h: hd.hash for h, hd in headers.items()},
            fees=fees,
            block_times={h: hd.time for h, hd in headers.items()},
        )

    def _status_round(self, scan: _Scan, batch: Mapping[ScriptKey, bytes]) -> None:
        """One round trip: statuses of subscribed scripts, histories of fresh ones.

        The first round also asks for the tip and the header at the known tip (a reorg shows
        as another hash there, or no header at all).
        """
        request = scan.request
        by_hash: dict[str, list[ScriptKey]] = {}
        for key, script in batch.items():
            sh = scripthash(script)
            scan.key_hash[key] = sh
            by_hash.setdefault(sh, []).append(key)
        todo = [sh for sh in by_hash if sh not in scan.status]
        fresh = [sh for sh in todo if all(k not in request.known_statuses for k in by_hash[sh])]
        fresh_set = set(fresh)
        known = [sh for sh in todo if sh not in fresh_set]
        self._register({k: batch[k] for sh in known for k in by_hash[sh]})
        first = scan.tip is None
        calls: list[Call] = [Call("blockchain.headers.subscribe")] if first else []
        calls += [Call("blockchain.scripthash.subscribe", (h,)) for h in known]
        calls += [Call("blockchain.scripthash.get_history", (h,)) for h in fresh]
        known_tip = request.known_tip
        if first and known_tip is not None:
            calls.append(Call("blockchain.block.header", (known_tip.height,)))
        answers = self._session.exchange(calls, scan.deadline)
        offset = 0
        if first:
            if isinstance(answers[0], RpcFailure):
                raise ep.protocol_error(
                    self.server_name, "an error for blockchain.headers.subscribe"
                )
            scan.tip = ep.tip_of(answers[0], self.server_name, self._session.rules)
            self._session.tip = scan.tip
            offset = 1
        subscribed = {
            h: ep.status(a, self.server_name)
            for h, a in zip(known, answers[offset : offset + len(known)], strict=True)
        }
        self._session.record_statuses(subscribed)
        scan.status.update(subscribed)
        offset += len(known)
        for sh, answer in zip(fresh, answers[offset : offset + len(fresh)], strict=True):
            if isinstance(answer, RpcFailure):
                raise ep.protocol_error(
                    self.server_name, f"an error for the history of {sh}: {answer.message}"
                )
            history = eh.order_history(ep.history(answer, self.server_name))
            scan.histories[sh] = history
            scan.status[sh] = eh.status_of(history)
        if first and known_tip is not None:
            old = answers[-1]
            scan.reorged = isinstance(old, RpcFailure) or (
                ep.header(old, self.server_name, self._session.rules).hash != known_tip.hash
            )

    def _proven_transactions(
        self,
        histories: Mapping[str, list[eh.RawHistoryItem]],
        request: SyncRequest,
        scan: _Scan,
    ) -> tuple[dict[Txid, bytes], dict[int, BlockHeader], dict[Txid, Transaction]]:
        """Fetch new transactions, merkle branches and headers in one round trip; check all.

        A confirmed transaction whose known proof is at the height the server reports is
        not proven again when the server's header there has the known hash (else its branch
        is fetched in one more round trip). After a reorg nothing known is reused. The
        headers of ``request.untimed_blocks`` come in the same round trip; those whose hash
        is still the one given are returned with the others (for their times).
        """
        heights = self._claimed_heights(histories)
        new = sorted(t for t in heights if t not in request.known_txids)
        confirmed = sorted(t for t, h in heights.items() if h > 0)
        reuse = {
            t
            for t in confirmed
            if not scan.reorged
            and (ref := request.known_proofs.get(t)) is not None
            and ref.height == heights[t]
        }
        prove = [t for t in confirmed if t not in reuse]
        levels = sorted({heights[t] for t in confirmed})
        assert scan.tip is not None  # noqa: S101 - the first round set it
        untimed = (
            []
            if scan.reorged
            else sorted(
                h for h in request.untimed_blocks.keys() - set(levels) if 0 < h <= scan.tip.height
            )
        )
        calls = [Call("blockchain.transaction.get", (t,)) for t in new]
        calls += [Call("blockchain.transaction.get_merkle", (t, heights[t])) for t in prove]
        calls += [Call("blockchain.block.header", (h,)) for h in levels]
        answered = self._session.exchange(
            [*calls, *(Call("blockchain.block.header", (h,)) for h in untimed)], scan.deadline
        )
        self._session.refuse_failures(calls, answered[: len(calls)])
        answers = [a for a in answered[: len(calls)] if not isinstance(a, RpcFailure)]
        raws = answers[: len(new)]
        merkles = dict(zip(prove, answers[len(new) : len(new) + len(prove)], strict=True))
        headers = dict(zip(levels, answers[len(new) + len(prove) :], strict=True))
        parsed_headers = {
            h: ep.header(a, self.server_name, self._session.rules) for h, a in headers.items()
        }
        for height, answer in zip(untimed, answered[len(calls) :], strict=True):
            if isinstance(answer, RpcFailure):
                continue  # no block there any more: the next sync sees the reorg
            header = ep.header(answer, self.server_name, self._session.rules)
            if header.hash == request.untimed_blocks[height]:
                parsed_headers[height] = header
        stale = [
            t for t in reuse if parsed_headers[heights[t]].hash != request.known_proofs[t].hash
        ]
        if stale:
            more = self._session.call(
                [Call("blockchain.transaction.get_merkle", (t, heights[t])) for t in stale],
                scan.deadline,
            )
            merkles.update(zip(stale, more, strict=True))
        transactions: dict[Txid, bytes] = {}
        parsed: dict[Txid, Transaction] = {}
        for txid, answer in zip(new, raws, strict=True):
            raw = ep.raw_tx(answer, self.server_name)
            parsed[txid] = eh.check_txid(raw, txid, self.server_name)
            transactions[txid] = raw
        for txid, answer in merkles.items():
            ep.check_merkle(
                txid, heights[txid], answer, parsed_headers[heights[txid]], self.server_name
            )
        return transactions, parsed_headers, parsed

    def _claimed_heights(self, histories: Mapping[str, list[eh.RawHistoryItem]]) -> dict[Txid, int]:
        """Return the height each transaction of the histories is claimed at.

        A transaction may be listed by several histories; where one of them puts it in a
        block, that claim is the one proven, whatever the others say (a block can arrive
        between two round trips). Otherwise a server could list a transaction as confirmed
        in one history and in the mempool in another, and have the wallet store the
        confirmation unproven.

        Raises:
            BackendProtocolError: a transaction is claimed in two different blocks.
        """
        heights: dict[Txid, int] = {}
        for history in histories.values():
            for item in history:
                claimed = heights.get(item.txid)
                if claimed is None or claimed <= 0:
                    heights[item.txid] = item.height
                elif 0 < item.height != claimed:
                    raise ep.protocol_error(
                        self.server_name,
                        f"transaction {item.txid} in two blocks ({claimed} and {item.height})",
                    )
        return heights

    def _fees(
        self, parsed: Mapping[Txid, Transaction], known: frozenset[Txid], deadline: float
    ) -> dict[Txid, int]:
        """Fetch the parents of new transactions (one round trip) and compute their fees.

        Parents the wallet already has (``known``) are not fetched: the fees of their
        children are left to the wallet.
        """
        missing = eh.missing_parents(parsed, known)
        fetched = self._fetch_txs(missing, deadline) if missing else {}
        parents = {t: tx for t, (_raw, tx) in fetched.items()}
        return eh.fees_of(parsed, parents, self.server_name)

    def get_transactions(self, txids: tuple[Txid, ...]) -> Mapping[Txid, bytes]:
        """Return raw transactions by txid (one round trip), each checked against its id."""
        if not txids:
            return {}
        return {t: raw for t, (raw, _tx) in self._fetch_txs(list(dict.fromkeys(txids))).items()}

    def broadcast(self, raw_tx: bytes) -> Txid:
        """Send a signed transaction; return its txid.

        Raises:
            TransactionRejected: the server's node refused it (its reason code), or the bytes
                are not a transaction (``TX decode failed``, as Core says).
            BackendProtocolError: the server answered another txid.
        """
        try:
            txid = Txid(Transaction.parse(raw_tx).txid)
        except TxDecodeError as e:
            raise TransactionRejected("TX decode failed", str(e), None, self.server_name) from e
        (answer,) = self._session.exchange(
            [Call("blockchain.transaction.broadcast", (raw_tx.hex(),))]
        )
        if isinstance(answer, RpcFailure):
            detail = ep.node_message(answer.message, raw_tx.hex())
            reason = eh.reject_reason(detail)
            if reason in eh.ALREADY_KNOWN:
                return txid
            raise TransactionRejected(reason, detail, txid, self.server_name)
        if answer != txid:
            raise ep.protocol_error(self.server_name, f"txid {answer!r} for transaction {txid}")
        return txid

    def fee_rate(self, target_blocks: int) -> FeeRate | None:
        """Return the server's fee estimate for ``target_blocks``; ``None`` without one."""
        (answer,) = self._session.call([Call("blockchain.estimatefee", (target_blocks,))])
        if isinstance(answer, bool) or not isinstance(answer, int | Decimal):
            raise ep.protocol_error(self.server_name, "a fee estimate that is not a number")
        if answer <= 0:  # -1: the node has no estimate (regtest, a fresh node)
            return None
        per_kvb = (Decimal(answer) * 100_000_000).to_integral_value(rounding=ROUND_CEILING)
        return FeeRate(int(per_kvb))

    def test_accept(self, raw_tx: bytes) -> AcceptResult:
        """Refuse: protocol 1.4-1.6 has no ``testmempoolaccept``.

        Raises:
            Unsupported: always.
        """
        raise Unsupported(
            "Electrum servers (protocol 1.4-1.6) cannot test a transaction without sending it."
        )

    def close(self) -> None:
        """Close the connection; the backend is unusable afterwards."""
        self._session.close()
