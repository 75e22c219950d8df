"""The embedded Bitcoin regtest devnet: libbitcoinkernel in-process, behind ``UtxoBackend``.

``BitcoinDevnet`` mines blocks on demand and hands each to libbitcoinkernel (Bitcoin Core's
consensus code, ``py-bitcoinkernel``) for full validation; a block the kernel refuses raises
``BlockRejected``. Its mempool admits a transaction only after Core's policy checks and the
kernel's script verification of every input, with Core's reject codes. It indexes outputs by
script and answers ``sync`` with the same ``SyncUpdate`` an Electrum server gives, so the
wallet syncs and sends against it exactly as against a server. ``coffer demo`` and many
tests use it: it needs no binary and no network.

Besides the protocol, the class has devnet-only methods (``mine``, ``fund``, ``reorg``,
``utxos``, ...). ``fund`` pays from the devnet's faucet: every coinbase goes, unless told
otherwise, to an anyone-can-spend P2WSH(``OP_TRUE``) output, spent with the witness script
alone, so the devnet can fund addresses without any private key.

The chain itself (the kernel, the index of its active chain, the mempool and the sealed files
in ``datadir``) is a ``chain.DevnetChain`` the devnet holds; this module adds the protocol,
the lock and the live events.

The kernel cannot disconnect blocks on request (``py-bitcoinkernel`` has no
``invalidateblock``): ``reorg`` builds a longer competing branch from an earlier block, and
the kernel switches to it by most work, as a node does. The devnet's index follows the
kernel's active chain; transactions of orphaned blocks go back to the mempool when still
valid.
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from chains.errors import BackendUnavailable, Unsupported
from chains.registry import UtxoNetwork, get_network
from chains.utxo.backend import (
    AcceptResult,
    BackendEvent,
    BlockRef,
    FeeRate,
    NewTip,
    ScriptKey,
    ScriptsChanged,
    SyncRequest,
    SyncUpdate,
    TransactionRejected,
    Txid,
)
from chains.utxo.devnet import sync as sync_view
from chains.utxo.devnet.chain import MAX_FEE_RATE_SAT_VB, SERVER, DevnetChain
from chains.utxo.devnet.mempool import COINBASE_MATURITY
from chains.utxo.devnet.policy import Refusal
from chains.utxo.devnet.sync import FAUCET_SCRIPT, FAUCET_WITNESS_SCRIPT, faucet_payment
from chains.utxo.errors import TransactionNotFound
from primitives.tx import OutPoint, Transaction, TxDecodeError, TxOut

__all__ = ["FAUCET_SCRIPT", "FAUCET_WITNESS_SCRIPT", "MAX_FEE_RATE_SAT_VB", "BitcoinDevnet", "Utxo"]

_SERVER = SERVER


@dataclass(frozen=True, slots=True)
class Utxo:
    """An unspent output of the devnet (confirmed, or created in the mempool).

    Attributes:
        outpoint: the output's transaction and index.
        value: the amount in satoshis.
        script_pubkey: the output script.
        height: the height of its block; ``None`` while unconfirmed.
        coinbase: whether a coinbase created it (spendable 100 blocks later).
    """

    outpoint: OutPoint
    value: int
    script_pubkey: bytes
    height: int | None
    coinbase: bool


def _display(block_hash: bytes) -> str:
    return block_hash[::-1].hex()


class BitcoinDevnet:
    """A ``UtxoBackend`` on an in-process regtest chain validated by libbitcoinkernel.

    Thread-safe: one lock guards the kernel, the index and the mempool, so GUI workers may
    share a devnet.

    Args:
        network: the network it stands for (default: the registry's ``bitcoin-regtest``);
            its genesis hash must be Bitcoin regtest's.
        datadir: where the devnet keeps its chain and mempool, sealed and owner-only
            (``chains.devnet_storage``): every block is on disk once ``mine`` or ``reorg``
            returns, so a crash loses at most the block being written; the mempool is written on
            ``close`` and admitted again (with every check) on the next open, as Core's
            ``mempool.dat``. The chain there is replayed into the kernel on open.
            ``None``: nothing is kept; a temporary directory, removed on ``close``.
        storage_key: the key (16 bytes or more) that seals what is kept in ``datadir``;
            its owner (the wallet) keeps it. Needed with ``datadir``.
        clock: the source of block timestamps (UNIX seconds); blocks never go below the
            median time past plus one second.

    Raises:
        ValueError: ``datadir`` without ``storage_key``, or a key shorter than 16 bytes.
        WrongServerNetwork: ``network`` is not Bitcoin regtest.
        BackendUnavailable: another devnet has ``datadir``, or the kernel could not start.
        DevnetStorageError: the chain in ``datadir`` does not open with ``storage_key``.
    """

    def __init__(
        self,
        network: UtxoNetwork | None = None,
        datadir: Path | None = None,
        *,
        storage_key: bytes | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        net = network if network is not None else get_network("bitcoin-regtest")
        if not isinstance(net, UtxoNetwork):
            raise TypeError("a Bitcoin devnet serves a UTXO network")
        self._network = net
        self._lock = threading.RLock()
        self._closed = False
        self._chain = DevnetChain(net, datadir, storage_key, clock)
        self._index = self._chain.index
        self._pool = self._chain.pool
        self._events: queue.Queue[BackendEvent] = queue.Queue()
        self._watched: dict[ScriptKey, bytes] = {}
        self._watched_status: dict[ScriptKey, str | None] = {}
        self._watching = False  # no events queue up until someone watches

    def __repr__(self) -> str:
        return f"BitcoinDevnet({self._network.name!r}, height={self._index.height})"

    def __enter__(self) -> BitcoinDevnet:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    @contextmanager
    def _open(self) -> Iterator[None]:
        with self._lock:
            if self._closed:
                raise BackendUnavailable("This devnet is closed.", _SERVER)
            yield

    # -- the UtxoBackend protocol --------------------------------------------------------

    @property
    def network(self) -> UtxoNetwork:
        """Return the network this devnet stands for."""
        return self._network

    @property
    def server_name(self) -> str:
        """Return ``"embedded"``."""
        return _SERVER

    @property
    def events(self) -> queue.Queue[BackendEvent]:
        """Return the queue of live updates for watched scripts and new tips."""
        return self._events

    @property
    def round_trips(self) -> int:
        """Return 0: nothing goes over a wire."""
        return 0

    def tip(self) -> BlockRef:
        """Return the chain tip."""
        with self._open():
            return BlockRef(self._index.height, _display(self._index.tip_hash))

    def sync(self, request: SyncRequest) -> SyncUpdate:
        """Return what changed for the requested scripts (Electrum's rules; see the module).

        Raises:
            ValueError: the request is for another network (a caller's mistake, refused
                as ``ElectrumBackend`` and ``CoreRpcBackend`` refuse it).
        """
        if request.network.genesis_hash != self._network.genesis_hash:
            raise ValueError(
                f"A {request.network.title} request was sent to the {self._network.title} devnet."
            )
        with self._open():
            return sync_view.sync(self._index, self._pool, request)

    def get_transactions(self, txids: tuple[Txid, ...]) -> Mapping[Txid, bytes]:
        """Return raw transactions (with witnesses) by txid, confirmed or in the mempool.

        Raises:
            TransactionNotFound: the devnet knows no transaction with one of the ids.
        """
        with self._open():
            out: dict[Txid, bytes] = {}
            for txid in txids:
                tx = sync_view.find_transaction(self._index, self._pool, txid)
                if tx is None:
                    raise TransactionNotFound(
                        f"The devnet has no transaction {txid}.", txid, _SERVER
                    )
                out[txid] = tx.serialize()
            return out

    def broadcast(self, raw_tx: bytes) -> Txid:
        """Admit a transaction to the mempool (every input verified by the kernel).

        Sending a transaction that is already in the mempool or confirmed (with an unspent
        output) again returns its txid, as the Electrum and Core RPC backends do.

        Raises:
            TransactionRejected: refused, with Core's reason code (see ``mempool``).
        """
        tx = self._parse(raw_tx)
        with self._open():
            existing = self._pool.entries.get(tx.txid_bytes)
            if existing is not None and existing.tx.serialize() == tx.serialize():
                return Txid(tx.txid)
            if existing is not None:
                raise self._rejected(tx, Refusal("txn-same-nonwitness-data-in-mempool"))
            before = self.tip()
            try:
                plan = self._chain.evaluate(tx)
            except Refusal as refusal:
                if refusal.reason == "txn-already-known":
                    return Txid(tx.txid)  # confirmed already: the broadcast reached its goal
                raise self._rejected(tx, refusal) from None
            self._pool.apply(plan)
            self._notify(before)
            return Txid(tx.txid)

    def test_accept(self, raw_tx: bytes) -> AcceptResult:
        """Say whether the mempool would admit a transaction now (Core's testmempoolaccept).

        Reasons are ``broadcast``'s, except that missing inputs read ``missing-inputs``, as
        Core's ``testmempoolaccept`` reports them.

        Raises:
            TransactionRejected: the bytes are not a transaction (``TX decode failed``).
        """
        tx = self._parse(raw_tx)
        with self._open():
            try:
                plan = self._chain.evaluate(tx)
            except Refusal as refusal:
                reason = refusal.reason
                if reason == "bad-txns-inputs-missingorspent":
                    reason = "missing-inputs"  # what Core's testmempoolaccept says instead
                return AcceptResult(Txid(tx.txid), False, reason)  # as Core: no size, no fee
            return AcceptResult(Txid(tx.txid), True, None, tx.vsize, plan.entry.fee)

    def fee_rate(self, target_blocks: int) -> FeeRate:
        """Return a fee rate estimate; never ``None`` (see ``sync.fee_estimate``)."""
        if target_blocks < 1:
            raise ValueError("the confirmation target is at least one block")
        with self._open():
            return sync_view.fee_estimate(self._index, self._pool, self._network)

    def watch(
        self,
        scripts: Mapping[ScriptKey, bytes],
        known_statuses: Mapping[ScriptKey, str | None] | None = None,
    ) -> None:
        """Watch more scripts: ``ScriptsChanged`` events follow every change of their status.

        From the first call on, ``NewTip`` events follow every new tip too (before it,
        nothing is queued, so an unwatched devnet does not fill its queue). Scripts whose
        status is not the one ``known_statuses`` gives are reported at once.
        """
        with self._open():
            self._watching = True
            differ: set[ScriptKey] = set()
            for key, script in scripts.items():
                status = sync_view.status(self._index, self._pool, script)
                self._watched[key] = script
                self._watched_status[key] = status
                if known_statuses is not None and known_statuses.get(key) != status:
                    differ.add(key)
            if differ:
                self._events.put(ScriptsChanged(frozenset(differ)))

    def close(self) -> None:
        """Shut the kernel down, keep the mempool (when on disk); later calls fail."""
        with self._lock:
            try:
                self._chain.close()
            finally:
                self._closed = True

    # -- devnet-only ---------------------------------------------------------------------

    @property
    def datadir(self) -> Path:
        """Return the folder of the devnet's files (a temporary one unless given)."""
        return self._chain.datadir

    def mine(self, count: int = 1, script: bytes | None = None) -> list[str]:
        """Mine ``count`` blocks on the tip, each holding what the mempool offers (devnet only).

        Transactions go in by ancestor fee rate, parents first; the coinbase pays the subsidy
        (halved every 150 blocks on regtest) plus their fees to ``script`` (default: the
        faucet) and commits to the witnesses (BIP-141).

        Returns:
            The new blocks' hashes (display byte order), in height order.

        Raises:
            BlockRejected: the kernel refused a block (blocks before it stay mined).
        """
        if isinstance(count, bool) or not isinstance(count, int) or count < 0:
            raise ValueError("count is a number of blocks, 0 or more")
        payee = FAUCET_SCRIPT if script is None else bytes(script)
        with self._open():
            before = self.tip()
            hashes: list[str] = []
            try:
                for _ in range(count):
                    block = self._chain.next_block(payee)
                    self._chain.submit([block])
                    hashes.append(_display(block.hash))
            finally:
                self._notify(before)
            return hashes

    def fund(self, script: bytes, amount_sats: int) -> Txid:
        """Pay ``amount_sats`` from the faucet to ``script``; unconfirmed until mined (devnet only).

        The payment spends mature faucet coins (coinbases 100 blocks deep, or faucet change),
        pays the network's fallback fee rate and returns change to the faucet.

        Raises:
            FaucetEmpty: the faucet cannot spend that much yet (mine 100 blocks or more).
            TransactionRejected: the payment is refused (for example ``dust``).
        """
        if isinstance(amount_sats, bool) or not isinstance(amount_sats, int):
            raise TypeError("amounts are int satoshis, never float")
        if amount_sats <= 0:
            raise ValueError("the amount must be positive")
        with self._open():
            tx = faucet_payment(
                self._index,
                self._pool,
                TxOut(amount_sats, bytes(script)),
                self._network,
                COINBASE_MATURITY,
            )
            return self.broadcast(tx.serialize())

    def reorg(
        self,
        depth: int = 1,
        count: int | None = None,
        script: bytes | None = None,
        txs: Sequence[bytes] = (),
    ) -> list[str]:
        """Replace the top ``depth`` blocks with a longer branch (devnet only).

        The branch forks below the ``depth`` top blocks and has ``count`` blocks (default
        ``depth + 1``, the least that wins); the kernel switches to it by most work. Its
        first block holds ``txs`` (for example a double spend) and its coinbases pay the
        subsidy alone to ``script`` (default: the faucet). Transactions of the orphaned
        blocks go back to the mempool when still valid on the new chain.

        Returns:
            The branch's block hashes, in height order.

        Raises:
            ValueError: ``depth`` reaches the genesis block, or ``count <= depth``.
            BlockRejected: the kernel refused a branch block (``txs`` invalid there).
        """
        with self._open():
            if not 1 <= depth <= self._index.height:
                raise ValueError(f"depth is 1 to the height ({self._index.height})")
            n = depth + 1 if count is None else count
            if n <= depth:
                raise ValueError("a winning branch has more blocks than it replaces")
            parsed = [self._parse(raw) for raw in txs]
            payee = FAUCET_SCRIPT if script is None else bytes(script)
            blocks = self._chain.branch(depth, n, parsed, payee)
            before = self.tip()
            try:
                self._chain.submit(blocks)
            finally:
                self._notify(before)
            return [_display(b.hash) for b in blocks]

    def invalidate_block(self, block_hash: str) -> None:
        """Refuse: libbitcoinkernel cannot mark a block invalid; use ``reorg``.

        Raises:
            Unsupported: always.
        """
        raise Unsupported(
            f"The embedded devnet cannot invalidate block {block_hash}: libbitcoinkernel "
            "has no invalidateblock. Use reorg(depth) to replace the top blocks."
        )

    def utxos(self, script: bytes) -> tuple[Utxo, ...]:
        """Return the unspent outputs paying ``script``, mempool ones included (devnet only).

        Outputs spent by a mempool transaction are left out, as Electrum's listunspent does.
        """
        with self._open():
            found = [
                Utxo(op, c.value, c.script, c.height, c.coinbase)
                for op, c in sync_view.unspent(self._index, self._pool, bytes(script))
            ]
            return tuple(found)

    def mempool(self) -> tuple[Txid, ...]:
        """Return the txids in the mempool, in arrival order (devnet only)."""
        with self._open():
            return tuple(Txid(e.tx.txid) for e in self._pool.ordered())

    def spender(self, outpoint: OutPoint) -> Txid | None:
        """Return the transaction spending ``outpoint`` (confirmed or mempool), if any."""
        with self._open():
            txid = self._pool.spenders.get(outpoint) or self._index.spent_by.get(outpoint)
            return None if txid is None else Txid(txid[::-1].hex())

    def block_hash(self, height: int) -> str:
        """Return the hash of the active block at ``height`` (display byte order).

        Raises:
            IndexError: no block at that height.
        """
        with self._open():
            if not 0 <= height <= self._index.height:
                raise IndexError(f"no block at height {height}")
            return _display(self._index.hash_at(height))

    def raw_block(self, height: int) -> bytes:
        """Return the serialised active block at ``height``, as the kernel stored it.

        Raises:
            IndexError: no block at that height.
        """
        with self._open():
            if not 0 <= height <= self._index.height:
                raise IndexError(f"no block at height {height}")
            return self._index.blocks[height].raw

    # -- internals -----------------------------------------------------------------------

    def _parse(self, raw: bytes) -> Transaction:
        try:
            return Transaction.parse(raw)
        except TxDecodeError as err:
            raise TransactionRejected(
                "TX decode failed", f"TX decode failed: {err}", None, _SERVER
            ) from None

    @staticmethod
    def _rejected(tx: Transaction, refusal: Refusal) -> TransactionRejected:
        detail = f"{refusal.reason}, {refusal.detail}" if refusal.detail else refusal.reason
        return TransactionRejected(refusal.reason, detail, tx.txid, _SERVER)

    def _notify(self, before: BlockRef) -> None:
        """Queue live updates: the new tip, and the watched scripts whose status changed."""
        if not self._watching:
            return
        now = BlockRef(self._index.height, _display(self._index.tip_hash))
        if now != before:
            self._events.put(NewTip(now))
        changed: set[ScriptKey] = set()
        for key, script in self._watched.items():
            current = sync_view.status(self._index, self._pool, script)
            if current != self._watched_status.get(key):
                self._watched_status[key] = current
                changed.add(key)
        if changed:
            self._events.put(ScriptsChanged(frozenset(changed)))
