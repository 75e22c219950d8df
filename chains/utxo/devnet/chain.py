"""The devnet's chain: libbitcoinkernel, the index of its active chain, the mempool, the files.

``DevnetChain`` owns what ``BitcoinDevnet`` answers from: the kernel (in a scratch folder of
its own), the ``ChainIndex`` that follows the kernel's active chain, the ``Mempool``, and,
for a devnet kept on disk, the sealed files (``chains.devnet_storage``): every block connected is
appended there before ``submit`` returns, and on open the kept chain is replayed into a
fresh kernel. It builds blocks (on the tip, or a competing branch) and hands them to the
kernel; the backend holds one and adds the protocol, the locking and the live events.
"""

from __future__ import annotations

import shutil
import tempfile
import weakref
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from chains.devnet_storage import CHAIN_FILE, MEMPOOL_FILE, DevnetStore
from chains.errors import BackendUnavailable, WrongServerNetwork
from chains.registry import UtxoNetwork
from chains.utxo.devnet.blocks import ParsedBlock, build_block, next_block_time, parse_block
from chains.utxo.devnet.blocks import subsidy as block_subsidy
from chains.utxo.devnet.index import ChainIndex
from chains.utxo.devnet.kernel import (
    KernelHandle,
    KernelProbe,
    follow_active_chain,
    open_kernel,
    read_legacy_chain,
    rejection,
    submit_blocks,
)
from chains.utxo.devnet.mempool import Mempool, Plan, Relay, evaluate, repair
from chains.utxo.devnet.policy import MAX_BLOCK_WEIGHT, Refusal
from chains.utxo.errors import BlockRejected, DevnetStorageError
from primitives.tx import Transaction, TxDecodeError

__all__ = ["MAX_FEE_RATE_SAT_VB", "SERVER", "DevnetChain"]

SERVER = "embedded"
"""How errors name the devnet."""
MAX_FEE_RATE_SAT_VB = 10_000
"""Core's ``maxfeerate`` default for sendrawtransaction and testmempoolaccept (0.10 BTC/kvB)."""
_COINBASE_RESERVE = 4_000  # weight kept free for the coinbase, as Core's BlockAssembler


SCRATCH_DIR = ".kernel"
"""The kernel's scratch folder inside a devnet's folder, while the devnet is open."""


def _release(kernel: KernelHandle, store: DevnetStore | None) -> None:
    """Shut the kernel down and release the folder (also when a devnet is dropped unclosed)."""
    kernel.release()
    if store is not None:
        store.close()


class DevnetChain:
    """The kernel, the active chain's index, the mempool and the sealed files of one devnet.

    Not thread-safe: ``BitcoinDevnet`` calls it under its lock.

    Args:
        network: the network the devnet stands for (Bitcoin regtest's genesis).
        datadir: the folder of the sealed files, or ``None`` for a devnet kept nowhere.
        storage_key: the key of those files (see ``DevnetStore``).
        clock: the source of block timestamps (UNIX seconds).

    Raises:
        ValueError: ``datadir`` without ``storage_key``, or a key shorter than 16 bytes.
        WrongServerNetwork: ``network`` is not Bitcoin regtest.
        BackendUnavailable: another devnet has ``datadir``, or the kernel could not start.
        DevnetStorageError: the chain in ``datadir`` does not open with ``storage_key``.
    """

    def __init__(
        self,
        network: UtxoNetwork,
        datadir: Path | None,
        storage_key: bytes | None,
        clock: Callable[[], float],
    ) -> None:
        self._clock = clock
        self._store: DevnetStore | None = None
        if datadir is not None:
            if storage_key is None:
                raise ValueError("A devnet that keeps its chain on disk needs a storage key.")
            self._store = DevnetStore(Path(datadir), storage_key)
        if self._store is None:
            scratch = Path(tempfile.mkdtemp(prefix="coffer-devnet-"))  # 0700, the kernel's alone
        else:
            # The kernel's own block files stay inside the wallet's folder (nothing Coffer keeps
            # goes elsewhere), in a 0700 scratch folder the kernel alone uses: it holds them only
            # while the devnet is open, is removed at close, and one a crash left behind is
            # removed here before the chain is replayed from the sealed file.
            scratch = self._store.directory / SCRATCH_DIR
            shutil.rmtree(scratch, ignore_errors=True)
            scratch.mkdir(mode=0o700)
        self.datadir = scratch if datadir is None else Path(datadir)
        """The folder of the devnet's files (the kernel's scratch folder when kept nowhere)."""
        self.probe = KernelProbe()
        try:
            self._kernel = open_kernel(scratch, self.probe, scratch)
        except RuntimeError as err:
            shutil.rmtree(scratch, ignore_errors=True)
            if self._store is not None:
                self._store.close()
            raise BackendUnavailable(
                f"The devnet could not start libbitcoinkernel in {scratch}.", SERVER
            ) from err
        self._finalizer = weakref.finalize(self, _release, self._kernel, self._store)
        genesis_entry = self.chainman.get_active_chain().block_tree_entries[0]
        actual = str(genesis_entry.block_hash)
        if actual != network.genesis_hash:
            self._finalizer()
            raise WrongServerNetwork(
                f"The devnet runs Bitcoin regtest, not {network.title}.",
                SERVER,
                network.genesis_hash,
                actual,
            )
        self.index = ChainIndex(parse_block(bytes(self.chainman.blocks[genesis_entry])))
        self.pool = Mempool()
        rate = network.min_relay_sat_vb
        self.relay = Relay(rate, rate, network.dust_relay_sat_vb)
        self._reorgs = 0
        try:
            self._replay()
        except (DevnetStorageError, OSError):
            self._finalizer()
            raise
        if self._store is not None:
            self._load_mempool(self._store)

    @property
    def chainman(self) -> Any:
        """Return the kernel's ``ChainstateManager``."""
        return self._kernel.chainman

    def close(self) -> None:
        """Keep the mempool (when on disk), shut the kernel down, release the folder."""
        try:
            if self._finalizer.alive and self._store is not None:
                self._store.write_mempool(e.tx.serialize() for e in self.pool.ordered())
        finally:
            self._finalizer()

    # -- transactions ----------------------------------------------------------------------

    def evaluate(self, tx: Transaction) -> Plan:
        """Apply the mempool's checks, then Core's RPC fee cap (``max-fee-exceeded``).

        Raises:
            Refusal: the mempool would not admit ``tx`` (Core's reason code).
        """
        plan = evaluate(tx, self.index, self.pool, self.relay)
        cap = MAX_FEE_RATE_SAT_VB * tx.vsize
        if plan.entry.fee > cap:
            raise Refusal("max-fee-exceeded", f"fee {plan.entry.fee} > {cap} (maxfeerate)")
        return plan

    # -- blocks ----------------------------------------------------------------------------

    def next_block(self, payee: bytes) -> ParsedBlock:
        """Build a block on the tip holding what the mempool offers, paying ``payee``."""
        entries = self.pool.select(MAX_BLOCK_WEIGHT - _COINBASE_RESERVE)
        height = self.index.height + 1
        reward = block_subsidy(height) + sum(e.fee for e in entries)
        return build_block(
            self.index.tip_hash,
            height,
            next_block_time(self.index.times, self._clock()),
            [e.tx for e in entries],
            payee,
            reward,
        )

    def branch(
        self, depth: int, count: int, txs: Sequence[Transaction], payee: bytes
    ) -> list[ParsedBlock]:
        """Build ``count`` blocks forking below the top ``depth``; the first holds ``txs``."""
        fork = self.index.height - depth
        prev = self.index.hash_at(fork)
        times = list(self.index.times[: fork + 1])
        self._reorgs += 1
        blocks: list[ParsedBlock] = []
        for i in range(count):
            height = fork + 1 + i
            stamp = next_block_time(times, self._clock())
            block = build_block(
                prev,
                height,
                stamp,
                list(txs) if i == 0 else [],
                payee,
                block_subsidy(height),
                extra=b"reorg" + self._reorgs.to_bytes(4, "little"),
            )
            blocks.append(block)
            prev = block.hash
            times.append(stamp)
        return blocks

    def submit(self, blocks: Sequence[ParsedBlock]) -> None:
        """Hand blocks to the kernel, follow its active chain, repair the mempool.

        The blocks connected are appended to the chain file (fsync-ed) before this returns,
        so a crash afterwards loses none of them.

        Raises:
            BlockRejected: the kernel refused a block, or did not make the last one its tip.
        """
        try:
            submit_blocks(self.chainman, self.probe, blocks)
        finally:
            built = {b.hash: b for b in blocks}
            orphaned, connected = follow_active_chain(self.chainman, self.index, built)
            if self._store is not None and connected:
                self._store.append_blocks(b.raw for b in connected)
            if orphaned or connected:
                repair(self.pool, self.index, self.relay, orphaned, connected)
        if self.index.tip_hash != blocks[-1].hash:
            raise rejection(self.probe, blocks[-1], "NOT_CONNECTED")

    # -- what is kept on disk --------------------------------------------------------------

    def _replay(self) -> None:
        """Hand the kernel the chain kept on disk, block by block, and follow it.

        Raises:
            DevnetStorageError: the chain file does not open with the key, or the kernel
                refuses a block of it (a damaged file).
        """
        if self._store is None:
            follow_active_chain(self.chainman, self.index, {})
            return
        kept = self._store.read_blocks()
        if not kept:
            kept = self._adopt_legacy_chain(self._store)
        blocks = [parse_block(raw) for raw in kept]
        for block in blocks:
            try:
                submit_blocks(self.chainman, self.probe, [block])
            except BlockRejected as err:
                raise DevnetStorageError(
                    f"The devnet's chain in {self.datadir} holds a block the kernel "
                    f"refuses ({err}).",
                    str(self.datadir / CHAIN_FILE),
                ) from err
        follow_active_chain(self.chainman, self.index, {b.hash: b for b in blocks})

    def _adopt_legacy_chain(self, store: DevnetStore) -> list[bytes]:
        """Seal the chain an earlier devnet left in plaintext kernel files, then delete those.

        Raises:
            DevnetStorageError: the old chain could not be read.
        """
        try:
            legacy = read_legacy_chain(self.datadir)
        except RuntimeError as err:
            raise DevnetStorageError(
                f"The devnet could not read the chain an earlier version kept in {self.datadir}.",
                str(self.datadir / "blocks"),
            ) from err
        if legacy is None:
            return []
        store.append_blocks(legacy)
        for name in ("blocks", "chainstate"):
            shutil.rmtree(self.datadir / name, ignore_errors=True)
        # Its mempool file was plaintext too; it cannot be opened with the key: drop it.
        (self.datadir / MEMPOOL_FILE).unlink(missing_ok=True)
        return legacy

    def _load_mempool(self, store: DevnetStore) -> None:
        """Admit the transactions a previous run left in its mempool, if they are still valid.

        Each goes through the same checks as a broadcast; one that no longer fits the chain
        (spent, or a conflicting block) is dropped, as Core drops it when loading
        ``mempool.dat``; so is what follows damage in the file.
        """
        for raw in store.read_mempool():
            try:
                tx = Transaction.parse(raw)
            except TxDecodeError:
                break
            try:
                self.pool.apply(self.evaluate(tx))
            except Refusal:
                continue
