"""The devnet's view of the kernel's active chain: UTXO set, undo data and indexes.

libbitcoinkernel validates and stores blocks but offers no UTXO lookups, so the devnet keeps
its own copy, built only from blocks the kernel has connected: coins by outpoint, unspent
outputs and history per output script (the Electrum protocol's "script hash" index), the
location and fee of every confirmed transaction, who spent each outpoint, and per block the
coins it spent, so that a reorg can disconnect it again.
"""

from __future__ import annotations

from dataclasses import dataclass

from chains.utxo.devnet.blocks import ParsedBlock, median_time_past
from primitives.tx import OutPoint, Transaction

__all__ = ["ChainIndex", "Coin", "is_unspendable"]


@dataclass(frozen=True, slots=True)
class Coin:
    """An unspent output as validation needs it.

    Attributes:
        value: the amount in satoshis.
        script: the output script.
        height: the height of the block that created it; ``None`` for a mempool output.
        coinbase: whether a coinbase created it (BIP-34 maturity applies).
    """

    value: int
    script: bytes
    height: int | None
    coinbase: bool


def is_unspendable(script: bytes) -> bool:
    """Return whether an output can never be spent (``OP_RETURN`` or oversized, as Core)."""
    return (len(script) > 0 and script[0] == 0x6A) or len(script) > 10_000


def _touch(index: dict[bytes, dict[bytes, None]], script: bytes, txid: bytes) -> None:
    index.setdefault(script, {})[txid] = None


def _untouch(index: dict[bytes, dict[bytes, None]], script: bytes, txid: bytes) -> None:
    entries = index.get(script)
    if entries is None:
        return
    entries.pop(txid, None)
    if not entries:
        del index[script]


class ChainIndex:
    """The UTXO set and indexes of the active chain, connected and disconnected block-wise.

    Not thread-safe on its own: the devnet holds its lock around every call.

    Args:
        genesis: the genesis block (its coinbase is unspendable, as in Bitcoin Core).
    """

    def __init__(self, genesis: ParsedBlock) -> None:
        self.blocks: list[ParsedBlock] = [genesis]
        self.times: list[int] = [genesis.time]
        self.utxos: dict[OutPoint, Coin] = {}
        self.unspent_by_script: dict[bytes, dict[OutPoint, None]] = {}
        self.history: dict[bytes, dict[bytes, None]] = {}
        """Confirmed txids per script, in chain order (height, then position in the block)."""
        self.txs: dict[bytes, Transaction] = {}
        self.location: dict[bytes, tuple[int, int]] = {}
        self.fees: dict[bytes, int] = {}
        self.spent_by: dict[OutPoint, bytes] = {}
        self._undo: list[list[Coin]] = [[]]

    @property
    def height(self) -> int:
        """Return the height of the tip."""
        return len(self.blocks) - 1

    @property
    def tip_hash(self) -> bytes:
        """Return the tip's hash (internal byte order)."""
        return self.blocks[-1].hash

    def hash_at(self, height: int) -> bytes:
        """Return the hash of the active block at ``height`` (internal byte order)."""
        return self.blocks[height].hash

    def median_time_past(self, height: int | None = None) -> int:
        """Return the BIP-113 median time past of the block at ``height`` (default: tip)."""
        h = self.height if height is None else height
        return median_time_past(self.times[: h + 1])

    def connect(self, block: ParsedBlock) -> None:
        """Apply a block the kernel connected on top of the tip.

        Raises:
            ValueError: the block does not build on the tip, or spends a coin this index
                does not hold (the index and the kernel disagree: a bug, not a user error).
        """
        if block.prev_hash != self.tip_hash:
            raise ValueError("the block does not build on the devnet index's tip")
        height = len(self.blocks)
        undo: list[Coin] = []
        for position, tx in enumerate(block.transactions):
            txid = tx.txid_bytes
            value_in = 0
            if not tx.is_coinbase:
                for txin in tx.inputs:
                    coin = self.utxos.pop(txin.prevout, None)
                    if coin is None:
                        raise ValueError(f"the index lacks the coin {txin.prevout}")
                    undo.append(coin)
                    value_in += coin.value
                    self.spent_by[txin.prevout] = txid
                    by_script = self.unspent_by_script.get(coin.script)
                    if by_script is not None:
                        by_script.pop(txin.prevout, None)
                        if not by_script:
                            del self.unspent_by_script[coin.script]
                    _touch(self.history, coin.script, txid)
                self.fees[txid] = value_in - sum(o.value for o in tx.outputs)
            for vout, out in enumerate(tx.outputs):
                if is_unspendable(out.script_pubkey):
                    continue
                outpoint = OutPoint(txid, vout)
                self.utxos[outpoint] = Coin(out.value, out.script_pubkey, height, tx.is_coinbase)
                self.unspent_by_script.setdefault(out.script_pubkey, {})[outpoint] = None
                _touch(self.history, out.script_pubkey, txid)
            self.txs[txid] = tx
            self.location[txid] = (height, position)
        self.blocks.append(block)
        self.times.append(block.time)
        self._undo.append(undo)

    def disconnect(self) -> ParsedBlock:
        """Undo the tip block and return it.

        Raises:
            ValueError: the tip is the genesis block.
        """
        if self.height == 0:
            raise ValueError("the genesis block cannot be disconnected")
        block = self.blocks.pop()
        self.times.pop()
        undo = self._undo.pop()
        for tx in reversed(block.transactions):
            txid = tx.txid_bytes
            for vout, out in enumerate(tx.outputs):
                outpoint = OutPoint(txid, vout)
                if self.utxos.pop(outpoint, None) is None:
                    continue
                by_script = self.unspent_by_script.get(out.script_pubkey)
                if by_script is not None:
                    by_script.pop(outpoint, None)
                    if not by_script:
                        del self.unspent_by_script[out.script_pubkey]
                _untouch(self.history, out.script_pubkey, txid)
            if not tx.is_coinbase:
                for txin in reversed(tx.inputs):
                    coin = undo.pop()
                    self.utxos[txin.prevout] = coin
                    self.unspent_by_script.setdefault(coin.script, {})[txin.prevout] = None
                    self.spent_by.pop(txin.prevout, None)
                    _untouch(self.history, coin.script, txid)
            self.txs.pop(txid, None)
            self.location.pop(txid, None)
            self.fees.pop(txid, None)
        return block
