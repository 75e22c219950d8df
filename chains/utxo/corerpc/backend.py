"""The Bitcoin Core RPC backend: a node of one's own (Bitcoin Core, Litecoin Core, ...).

JSON-RPC over HTTP (``rpc``, on the shared keep-alive ``chains.jsonrpc_http`` transport; Core
accepts JSON-RPC batches: one HTTP request, many calls). The node's genesis
(``getblockhash 0``) must be the network's, else ``WrongServerNetwork``.

Sync uses a watch-only wallet on the node (legacy: Debian's Litecoin Core build has no
descriptor wallets): ``createwallet NAME true true "" false false`` makes a blank wallet
without private keys, ``importmulti`` adds each script as watch-only and rescans the chain
for it. A rescan reads blocks, not the mempool, so right after an import the mempool is
scanned once for transactions that touch the new scripts. Per-script histories are then
built from the raw transactions (outputs paying a script, inputs spending its outputs) in the
Electrum status order, so statuses, histories, transactions and fees equal what an Electrum
server over the same node reports (``chains.utxo.history``).

The node is trusted: it is the user's own, so no merkle proofs are asked for (and
``SyncRequest.known_proofs`` is not needed). Discovery (``SyncRequest.more_scripts``) imports
each round's scripts before working out their statuses.
"""

from __future__ import annotations

import base64
import logging
import queue
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote

from chains.addresses import output_address
from chains.errors import BackendProtocolError, Unsupported, WrongServerNetwork
from chains.jsonrpc_http import JsonValue
from chains.registry import UtxoNetwork
from chains.utxo import history as eh
from chains.utxo.backend import (
    AcceptResult,
    BackendEvent,
    BlockRef,
    FeeRate,
    ScriptKey,
    SyncRequest,
    SyncUpdate,
    TransactionRejected,
    Txid,
)
from chains.utxo.corerpc.rpc import CoreRpcClient, RpcFailure
from chains.utxo.corerpc.view import WalletEntry, script_histories, spent_script, wallet_entries
from primitives.tx import Transaction, TxDecodeError

__all__ = ["CoreRpcBackend"]

_log = logging.getLogger(__name__)

_WALLET_NOT_FOUND = -18
_METHOD_NOT_FOUND = -32601
_COIN = 100_000_000


@dataclass(frozen=True, slots=True)
class _State:
    """The node's view of the watched scripts at one moment."""

    tip: BlockRef
    reorged: bool
    entries: dict[Txid, WalletEntry]
    txs: dict[Txid, tuple[bytes, Transaction]]
    by_script: dict[bytes, list[eh.RawHistoryItem]]
    status: dict[bytes, str | None]


def _sats(value: JsonValue) -> int:
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise ValueError("not an amount")
    return int(Decimal(value) * _COIN)


class CoreRpcBackend:
    """A ``UtxoBackend`` on a Bitcoin Core (or Litecoin Core) node, through a watch-only wallet.

    Args:
        network: the network served; the node's genesis is checked against it.
        url: ``http://HOST:PORT`` of the node's RPC.
        user: RPC user (with ``password``), or
        password: RPC password, or
        cookie_file: the node's ``.cookie`` file (``user:password`` written by the node).
        wallet: the node wallet that watches the scripts (created blank and watch-only when
            missing, loaded when not loaded).
        timeout: seconds per HTTP request (imports rescan the chain: keep it generous).

    Raises:
        ValueError: a bad URL, or no credentials.
        WrongServerNetwork: the node serves another network.
        BackendUnavailable: the node cannot be reached or refuses the credentials.
        BackendProtocolError: the node answered garbage or refused to make the wallet.
    """

    def __init__(
        self,
        network: UtxoNetwork,
        url: str,
        *,
        user: str | None = None,
        password: str | None = None,
        cookie_file: Path | str | None = None,
        wallet: str = "coffer-watch",
        timeout: float = 120.0,
    ) -> None:
        if cookie_file is not None:
            creds = Path(cookie_file).read_text().strip()
        elif user is not None and password is not None:
            creds = f"{user}:{password}"
        else:
            raise ValueError("Core RPC needs a user and password or a cookie file.")
        self._rpc = CoreRpcClient(url, base64.b64encode(creds.encode()).decode(), timeout)
        self._network = network
        self._wallet = wallet
        self._path = f"/wallet/{quote(wallet, safe='')}"
        self._events: queue.Queue[BackendEvent] = queue.Queue()
        self._lock = threading.RLock()
        self._imported: set[bytes] = set()
        self._extra_mempool: set[Txid] = set()
        self._txs: dict[Txid, tuple[bytes, Transaction]] = {}
        self._check_genesis()
        self._open_wallet()

    def __repr__(self) -> str:
        return f"CoreRpcBackend({self._network.name!r}, server={self.server_name!r})"

    # -- plumbing ----------------------------------------------------------------------------

    def _batch(
        self, calls: Sequence[tuple[str, tuple[JsonValue, ...]]], *, wallet: bool = True
    ) -> list[JsonValue | RpcFailure]:
        with self._lock:
            return self._rpc.batch(self._path if wallet else "/", calls)

    def _call(self, method: str, *params: JsonValue, wallet: bool = True) -> JsonValue:
        (answer,) = self._batch([(method, params)], wallet=wallet)
        if isinstance(answer, RpcFailure):
            if answer.code == _METHOD_NOT_FOUND:
                raise Unsupported(f"The node {self.server_name} does not offer {method}.")
            raise BackendProtocolError(
                f"The node {self.server_name} refused {method}: {answer.message}",
                self.server_name,
            )
        return answer

    def _garbage(self, what: str) -> BackendProtocolError:
        return BackendProtocolError(
            f"The node {self.server_name} answered {what}.", self.server_name
        )

    def _check_genesis(self) -> None:
        actual = self._call("getblockhash", 0, wallet=False)
        if actual != self._network.genesis_hash:
            raise WrongServerNetwork(
                f"The node {self.server_name} serves another network than "
                f"{self._network.title} (genesis {actual}).",
                self.server_name,
                self._network.genesis_hash,
                str(actual),
            )

    def _open_wallet(self) -> None:
        loaded = self._call("listwallets", wallet=False)
        if isinstance(loaded, list) and self._wallet in loaded:
            return
        (answer,) = self._batch([("loadwallet", (self._wallet,))], wallet=False)
        if not isinstance(answer, RpcFailure):
            return
        if answer.code != _WALLET_NOT_FOUND:
            raise self._garbage(f"a refusal to load wallet {self._wallet!r}: {answer.message}")
        # Blank, without private keys, legacy (no descriptors): a watch-only wallet.
        self._call("createwallet", self._wallet, True, True, "", False, False, wallet=False)

    def _raw_txs(
        self, wanted: Mapping[Txid, str | None], *, tolerant: bool = False
    ) -> dict[Txid, tuple[bytes, Transaction]]:
        """Fetch raw transactions not cached (one round trip); ``wanted`` maps to block hash."""
        missing = [t for t in wanted if t not in self._txs]
        calls: list[tuple[str, tuple[JsonValue, ...]]] = [
            ("getrawtransaction", (t, False, wanted[t]) if wanted[t] else (t, False))
            for t in missing
        ]
        for txid, answer in zip(missing, self._batch(calls), strict=True):
            if isinstance(answer, RpcFailure) or not isinstance(answer, str):
                if tolerant:
                    continue
                raise self._garbage(f"no transaction {txid}")
            try:
                raw = bytes.fromhex(answer)
            except ValueError:
                raise self._garbage(f"transaction {txid} not in hex") from None
            self._txs[txid] = (raw, eh.check_txid(raw, txid, self.server_name))
        return {t: self._txs[t] for t in wanted if t in self._txs}

    # -- watching scripts --------------------------------------------------------------------

    def _import(self, scripts: Sequence[bytes]) -> None:
        """Make the node wallet watch scripts it does not watch yet (rescanning for them)."""
        new = [s for s in dict.fromkeys(scripts) if s not in self._imported]
        if not new:
            return
        addresses = {s: output_address(self._network, s) for s in new}
        with_address = [s for s in new if addresses[s] is not None]
        infos = self._batch([("getaddressinfo", (addresses[s],)) for s in with_address])
        watched = {
            s
            for s, info in zip(with_address, infos, strict=True)
            if isinstance(info, dict) and (info.get("iswatchonly") or info.get("ismine"))
        }
        todo = [s for s in new if s not in watched]
        if todo:
            requests: list[JsonValue] = [
                {"scriptPubKey": s.hex(), "timestamp": 0, "watchonly": True} for s in todo
            ]
            results = self._call("importmulti", requests, {"rescan": True})
            if not isinstance(results, list) or not all(
                isinstance(r, dict) and r.get("success") for r in results
            ):
                raise self._garbage(f"a failed import: {results!r}"[:300])
        # Also for scripts an earlier instance imported: what reached the mempool before that
        # import is not in the node wallet until it confirms.
        self._scan_mempool(set(new))
        self._imported.update(new)

    def _scan_mempool(self, scripts: set[bytes]) -> None:
        """Find mempool transactions touching scripts new to this instance.

        An import rescans blocks, not the mempool; this scan runs once per script and
        instance, fetching the mempool's transactions not yet cached.
        """
        pool = self._call("getrawmempool", wallet=False)
        if not isinstance(pool, list):
            raise self._garbage("a mempool that is not a list")
        txs = self._raw_txs({Txid(str(t)): None for t in pool}, tolerant=True)
        parents = {t: tx for t, (_raw, tx) in self._txs.items()}
        for txid, (_raw, tx) in txs.items():
            if any(o.script_pubkey in scripts for o in tx.outputs) or any(
                spent_script(i.prevout.txid_hex, i.prevout.vout, parents) in scripts
                for i in tx.inputs
            ):
                self._extra_mempool.add(txid)

    # -- the UtxoBackend protocol -----------------------------------------------------------

    @property
    def network(self) -> UtxoNetwork:
        """Return the network this backend serves."""
        return self._network

    @property
    def server_name(self) -> str:
        """Return the node's RPC address (without credentials) and wallet."""
        return self._rpc.server

    @property
    def events(self) -> queue.Queue[BackendEvent]:
        """Return the events queue; it stays empty (``watch`` is unsupported)."""
        return self._events

    @property
    def round_trips(self) -> int:
        """Return the HTTP requests sent so far (a batch counts once)."""
        return self._rpc.round_trips

    def tip(self) -> BlockRef:
        """Return the node's best block."""
        return self._tip_of(self._call("getblockchaininfo", wallet=False))

    def _tip_of(self, info: JsonValue | RpcFailure) -> BlockRef:
        """Return the best block of a ``getblockchaininfo`` answer, checked for shape."""
        if not isinstance(info, dict):
            raise self._garbage("a malformed getblockchaininfo")
        height, best = info.get("blocks"), info.get("bestblockhash")
        if isinstance(height, bool) or not isinstance(height, int) or not isinstance(best, str):
            raise self._garbage("a malformed getblockchaininfo")
        return BlockRef(height, best)

    def watch(
        self,
        scripts: Mapping[ScriptKey, bytes],
        known_statuses: Mapping[ScriptKey, str | None] | None = None,
    ) -> None:
        """Refuse: Core RPC has no push notifications (poll ``tip`` or ``sync`` instead).

        Raises:
            Unsupported: always.
        """
        raise Unsupported("Bitcoin Core RPC cannot push updates; sync again to see changes.")

    def sync(self, request: SyncRequest) -> SyncUpdate:
        """Return what changed for the requested scripts, as an Electrum server would.

        Raises:
            ValueError: the request is for another network.
            BackendUnavailable: the node cannot be reached.
            BackendProtocolError: the node answered garbage.
        """
        if request.network.genesis_hash != self._network.genesis_hash:
            raise ValueError(
                f"A {request.network.title} request was sent to a {self._network.title} backend."
            )
        with self._lock:
            return self._sync(request)

    def _sync(self, request: SyncRequest) -> SyncUpdate:
        scripts = dict(request.scripts)
        batch: Mapping[ScriptKey, bytes] = scripts
        while True:
            # Discovery: each round imports its scripts (a rescan) and works out their
            # statuses from the node wallet's transactions.
            self._import(list(batch.values()))
            state = self._state(request, scripts)
            if request.more_scripts is None:
                break
            asked = request.more_scripts({k: state.status[batch[k]] for k in batch})
            batch = {k: v for k, v in asked.items() if k not in scripts}
            if not batch:
                break
            scripts.update(batch)
        changed = [
            k
            for k, s in scripts.items()
            if state.reorged
            or k not in request.known_statuses
            or request.known_statuses[k] != state.status[s]
        ]
        in_changed = {i.txid for k in changed for i in state.by_script[scripts[k]]}
        new = {t: state.txs[t][1] for t in sorted(in_changed) if t not in request.known_txids}
        block_hashes: dict[int, str] = {}
        block_times: dict[int, int] = {}
        for t in in_changed:
            entry = state.entries[t]
            if entry.block_hash is not None and entry.block_time is not None:
                block_hashes[entry.height] = entry.block_hash
                block_times[entry.height] = entry.block_time
        untimed = {h: b for h, b in request.untimed_blocks.items() if h not in block_hashes}
        for height, (block_hash, stamp) in self._block_times(untimed).items():
            block_hashes[height] = block_hash
            block_times[height] = stamp
        return SyncUpdate(
            tip=state.tip,
            statuses={k: state.status[scripts[k]] for k in changed},
            histories={k: eh.history_items(state.by_script[scripts[k]]) for k in changed},
            transactions={t: state.txs[t][0] for t in new},
            block_hashes=block_hashes,
            fees=self._fees(new),
            block_times=block_times,
        )

    def _block_times(self, blocks: Mapping[int, str]) -> dict[int, tuple[str, int]]:
        """Return the time of each block (height to hash) still in the node's best chain.

        One batch of ``getblockheader``; a block the node has not got, or has off its best
        chain (``confirmations`` -1), is left out.
        """
        if not blocks:
            return {}
        asked = sorted(blocks.items())
        answers = self._batch([("getblockheader", (b, True)) for _h, b in asked], wallet=False)
        found: dict[int, tuple[str, int]] = {}
        for (height, block_hash), answer in zip(asked, answers, strict=True):
            if not isinstance(answer, dict):
                continue  # unknown to the node: gone with a reorg, or never this chain's
            confirmations, at, stamp = (
                _integer(answer.get(k)) for k in ("confirmations", "height", "time")
            )
            if confirmations is None or at is None or stamp is None:
                raise self._garbage("a malformed getblockheader")
            if confirmations >= 1 and at == height:
                found[height] = (block_hash, stamp)
        return found

    def _state(self, request: SyncRequest, scripts: Mapping[ScriptKey, bytes]) -> _State:
        """Read the chain tip, the node wallet's transactions and the mempool (one batch)."""
        calls: list[tuple[str, tuple[JsonValue, ...]]] = [
            ("getblockchaininfo", ()),
            ("listsinceblock", ("", 1, True, False)),
            ("getrawmempool", ()),
        ]
        known_tip = request.known_tip
        if known_tip is not None:
            calls.append(("getblockhash", (known_tip.height,)))
        answers = self._batch(calls)
        since, pool = answers[1], answers[2]
        tip = self._tip_of(answers[0])
        if not isinstance(since, dict) or not isinstance(pool, list):
            raise self._garbage("malformed chain or wallet state")
        mempool = {str(t) for t in pool}
        reorged = known_tip is not None and answers[3] != known_tip.hash
        entries = self._entries(since, mempool)
        txs = self._raw_txs({t: e.block_hash for t, e in entries.items()})
        by_script = script_histories(set(scripts.values()), entries, txs, mempool)
        status = {s: eh.status_of(h) for s, h in by_script.items()}
        return _State(tip, reorged, entries, txs, by_script, status)

    def _entries(self, since: dict[str, JsonValue], mempool: set[str]) -> dict[Txid, WalletEntry]:
        """Return the wallet's transactions that are in the chain or the mempool now."""
        entries = wallet_entries(since, mempool, self.server_name)
        self._extra_mempool &= mempool
        for txid in self._extra_mempool - entries.keys():
            entries[txid] = WalletEntry(0, None, 0)
        return entries

    def _fees(self, new: Mapping[Txid, Transaction]) -> dict[Txid, int]:
        """Fetch parents of new transactions not in the cache (needs -txindex for others')."""
        missing = eh.missing_parents(new, self._txs)
        self._raw_txs(dict.fromkeys(missing), tolerant=True)
        parents = {t: tx for t, (_raw, tx) in self._txs.items()}
        return eh.fees_of(new, parents, self.server_name)

    def get_transactions(self, txids: tuple[Txid, ...]) -> Mapping[Txid, bytes]:
        """Return raw transactions by txid (needs ``-txindex`` for confirmed non-wallet ones).

        Raises:
            BackendProtocolError: the node does not have one of them.
        """
        with self._lock:
            found = self._raw_txs(dict.fromkeys(txids))
        return {t: found[t][0] for t in txids}

    def broadcast(self, raw_tx: bytes) -> Txid:
        """Send a signed transaction with ``sendrawtransaction``; return its txid.

        Raises:
            TransactionRejected: the node refused it, with its reason code.
        """
        try:
            txid = Txid(Transaction.parse(raw_tx).txid)
        except TxDecodeError as e:
            raise TransactionRejected("TX decode failed", str(e), None, self.server_name) from e
        (answer,) = self._batch([("sendrawtransaction", (raw_tx.hex(),))], wallet=False)
        if isinstance(answer, RpcFailure):
            reason = eh.reject_reason(answer.message)
            if reason in eh.ALREADY_KNOWN:
                return txid
            raise TransactionRejected(reason, answer.message, txid, self.server_name)
        if answer != txid:
            raise self._garbage(f"txid {answer!r} for transaction {txid}")
        return txid

    def test_accept(self, raw_tx: bytes) -> AcceptResult:
        """Ask the node's mempool whether it would take a transaction (``testmempoolaccept``).

        Raises:
            TransactionRejected: the bytes are not a transaction.
        """
        try:
            txid = Txid(Transaction.parse(raw_tx).txid)
        except TxDecodeError as e:
            raise TransactionRejected("TX decode failed", str(e), None, self.server_name) from e
        answer = self._call("testmempoolaccept", [raw_tx.hex()], wallet=False)
        if not isinstance(answer, list) or len(answer) != 1 or not isinstance(answer[0], dict):
            raise self._garbage("a malformed testmempoolaccept")
        item = answer[0]
        allowed = item.get("allowed") is True
        reason = item.get("reject-reason")
        vsize = item.get("vsize")
        fees = item.get("fees")
        fee = None
        if isinstance(fees, dict) and "base" in fees:
            try:
                fee = _sats(fees["base"])
            except ValueError:
                raise self._garbage("a fee that is not an amount") from None
        return AcceptResult(
            txid,
            allowed,
            eh.reject_reason(reason) if isinstance(reason, str) else None,
            vsize if isinstance(vsize, int) else None,
            fee,
        )

    def fee_rate(self, target_blocks: int) -> FeeRate | None:
        """Return ``estimatesmartfee``'s rate; ``None`` when the node has no estimate."""
        answer = self._call("estimatesmartfee", target_blocks, wallet=False)
        if not isinstance(answer, dict):
            raise self._garbage("a malformed estimatesmartfee")
        rate = answer.get("feerate")
        if rate is None:
            return None
        try:
            return FeeRate(_sats(rate))
        except ValueError:
            raise self._garbage("a fee rate that is not an amount") from None

    def close(self) -> None:
        """Close the HTTP connection (the node wallet stays loaded)."""
        with self._lock:
            self._rpc.close()


def _integer(value: JsonValue) -> int | None:
    """Return a JSON integer (not a boolean), or ``None`` for anything else."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None
