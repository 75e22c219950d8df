"""Views of the devnet's chain and mempool: histories, statuses, sync, fees, faucet payments.

Histories and statuses follow the Electrum protocol (protocol-basics, "Status"), as
``chains.utxo.backend.electrum_status`` states them: confirmed transactions by height and
position in the block, then mempool transactions, height ``0`` (all inputs confirmed) before
``-1`` (an unconfirmed input), each group by txid.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction

from chains.registry import UtxoNetwork
from chains.utxo.backend import (
    BlockRef,
    FeeRate,
    HistoryItem,
    ScriptKey,
    SyncRequest,
    SyncUpdate,
    Txid,
    electrum_status,
)
from chains.utxo.devnet.index import ChainIndex, Coin
from chains.utxo.devnet.mempool import Mempool
from chains.utxo.devnet.policy import dust_threshold
from chains.utxo.errors import FaucetEmpty
from primitives.hashes import sha256
from primitives.tx import OutPoint, Transaction, TxIn, TxOut

__all__ = [
    "FAUCET_SCRIPT",
    "FAUCET_WITNESS_SCRIPT",
    "FEE_WINDOW_BLOCKS",
    "faucet_payment",
    "fee_estimate",
    "find_transaction",
    "history",
    "spendable_faucet",
    "status",
    "sync",
    "unspent",
]

FAUCET_WITNESS_SCRIPT = b"\x51"
"""``OP_TRUE``: the faucet's witness script; a spend reveals it and needs nothing else."""

FAUCET_SCRIPT = b"\x00\x20" + sha256(FAUCET_WITNESS_SCRIPT)
"""The faucet's output script: P2WSH of ``OP_TRUE`` (BIP-141), anyone can spend it."""

_FUND_SEQUENCE = 0xFFFFFFFD  # BIP-125 opt-in, so faucet payments can be replaced in tests

FEE_WINDOW_BLOCKS = 6
"""How many recent blocks ``fee_estimate`` looks at, besides the mempool."""

_Item = tuple[bytes, int | None, int]  # txid (internal order), height or None, status height


def _hex(txid: bytes) -> str:
    return txid[::-1].hex()


def history(chain: ChainIndex, pool: Mempool, script: bytes) -> list[_Item]:
    """Return the transactions touching ``script`` in Electrum's status order."""
    items: list[_Item] = []
    for txid in chain.history.get(script, ()):
        height = chain.location[txid][0]
        items.append((txid, height, height))
    unconfirmed: list[_Item] = []
    for txid in pool.by_script.get(script, ()):
        entry = pool.entries[txid]
        has_unconfirmed_input = any(i.prevout.txid in pool.entries for i in entry.tx.inputs)
        unconfirmed.append((txid, None, -1 if has_unconfirmed_input else 0))
    unconfirmed.sort(key=lambda item: (-item[2], _hex(item[0])))
    return items + unconfirmed


def status(chain: ChainIndex, pool: Mempool, script: bytes) -> str | None:
    """Return the Electrum status of ``script`` (``None`` without history)."""
    return electrum_status((_hex(t), h) for t, _, h in history(chain, pool, script))


def _on_chain(chain: ChainIndex, tip: BlockRef | None) -> bool:
    if tip is None:
        return True
    if not 0 <= tip.height <= chain.height:
        return False
    return _hex(chain.hash_at(tip.height)) == tip.hash.lower()


def sync(chain: ChainIndex, pool: Mempool, request: SyncRequest) -> SyncUpdate:
    """Answer a sync request as an Electrum backend does.

    A script is returned when ``known_statuses`` lacks it or holds another status, and every
    script is when ``known_tip`` left the chain (a reorg). Transactions and their fees come
    for the returned histories' transactions not in ``known_txids`` (coinbases have no
    fee), block hashes and times for every height in those histories (and for the
    ``untimed_blocks`` still on the chain): the same rules as
    ``ElectrumBackend`` and ``CoreRpcBackend``. With ``more_scripts``, discovery rounds add
    scripts until it returns none (the devnet's chain is local: a round costs nothing).
    """
    tip = BlockRef(chain.height, _hex(chain.tip_hash))
    reorged = not _on_chain(chain, request.known_tip)
    scripts: dict[ScriptKey, bytes] = dict(request.scripts)
    found: dict[ScriptKey, tuple[list[_Item], str | None]] = {}
    batch: Mapping[ScriptKey, bytes] = scripts
    while batch:
        for key, script in batch.items():
            items = history(chain, pool, script)
            found[key] = (items, electrum_status((_hex(t), h) for t, _, h in items))
        if request.more_scripts is None:
            break
        asked = request.more_scripts({k: found[k][1] for k in batch})
        batch = {k: v for k, v in asked.items() if k not in scripts}
        scripts.update(batch)
    statuses: dict[ScriptKey, str | None] = {}
    histories: dict[ScriptKey, tuple[HistoryItem, ...]] = {}
    transactions: dict[Txid, bytes] = {}
    block_hashes: dict[int, str] = {}
    block_times: dict[int, int] = {}
    fees: dict[Txid, int] = {}
    for key in scripts:
        items, current = found[key]
        known = key in request.known_statuses
        if not reorged and known and request.known_statuses[key] == current:
            continue
        statuses[key] = current
        histories[key] = tuple(HistoryItem(Txid(_hex(t)), h) for t, h, _ in items)
        for txid, height, _ in items:
            shown = Txid(_hex(txid))
            fee: int | None
            if height is not None:
                block_hashes[height] = _hex(chain.hash_at(height))
                block_times[height] = chain.times[height]
                tx, fee = chain.txs[txid], chain.fees.get(txid)
            else:
                entry = pool.entries[txid]
                tx, fee = entry.tx, entry.fee
            if shown not in request.known_txids:
                transactions[shown] = tx.serialize()
                if fee is not None:
                    fees[shown] = fee
    for height, block_hash in request.untimed_blocks.items():
        if 0 <= height <= chain.height and _hex(chain.hash_at(height)) == block_hash.lower():
            block_hashes[height] = _hex(chain.hash_at(height))
            block_times[height] = chain.times[height]
    return SyncUpdate(tip, statuses, histories, transactions, block_hashes, fees, block_times)


def find_transaction(chain: ChainIndex, pool: Mempool, txid: str) -> Transaction | None:
    """Return a confirmed or mempool transaction by display txid, or ``None``."""
    try:
        key = bytes.fromhex(txid)[::-1]
    except ValueError:
        return None
    entry = pool.entries.get(key)
    return entry.tx if entry is not None else chain.txs.get(key)


def unspent(chain: ChainIndex, pool: Mempool, script: bytes) -> list[tuple[OutPoint, Coin]]:
    """Return the outputs paying ``script`` that nothing spends, mempool included."""
    found = [
        (op, chain.utxos[op])
        for op in chain.unspent_by_script.get(script, ())
        if op not in pool.spenders
    ]
    for txid in pool.by_script.get(script, ()):
        for vout, out in enumerate(pool.entries[txid].tx.outputs):
            op = OutPoint(txid, vout)
            if out.script_pubkey == script and op not in pool.spenders:
                coin = pool.coin(op)
                if coin is not None:
                    found.append((op, coin))
    return found


def spendable_faucet(
    chain: ChainIndex, pool: Mempool, script: bytes, maturity: int
) -> list[tuple[OutPoint, int]]:
    """Return the faucet's spendable coins: mature confirmed ones first, largest first.

    Mempool change comes last, the shortest unconfirmed chains first, so repeated ``fund``
    calls stay under the mempool's ancestor limit as long as confirmed coins last.
    """
    next_height = chain.height + 1
    confirmed: list[tuple[OutPoint, int]] = []
    unconfirmed: list[tuple[int, int, OutPoint]] = []
    for op, coin in unspent(chain, pool, script):
        if coin.height is None:
            unconfirmed.append((len(pool.ancestors([op.txid])), -coin.value, op))
        elif not coin.coinbase or next_height - coin.height >= maturity:
            confirmed.append((op, coin.value))
    confirmed.sort(key=lambda c: -c[1])
    unconfirmed.sort()
    return confirmed + [(op, -neg) for _, neg, op in unconfirmed]


def fee_estimate(chain: ChainIndex, pool: Mempool, network: UtxoNetwork) -> FeeRate:
    """Return the median fee rate of the mempool and the last six blocks' transactions.

    The devnet's blocks take every valid transaction, so any rate from the minimum relay
    fee up confirms in the next block, whatever the target; the median of what others paid
    gives tests a realistic, moving number instead. It is rounded up to whole sat/kvB and
    never below the minimum relay rate. Without any transaction to look at: the network's
    fallback rate (2 sat/vB on regtest), as a wallet would use against Core.
    """
    rates = [Fraction(e.fee, e.vsize) for e in pool.entries.values()]
    for block in chain.blocks[max(1, chain.height - FEE_WINDOW_BLOCKS + 1) :]:
        for tx in block.transactions[1:]:
            rates.append(Fraction(chain.fees[tx.txid_bytes], tx.vsize))
    if not rates:
        return FeeRate.from_sat_vb(network.fallback_fee_sat_vb)
    rates.sort()
    median = rates[len(rates) // 2]
    per_kvb = -(-median.numerator * 1000 // median.denominator)
    return FeeRate(max(per_kvb, network.min_relay_sat_vb * 1000))


def faucet_payment(
    chain: ChainIndex, pool: Mempool, payment: TxOut, network: UtxoNetwork, maturity: int
) -> Transaction:
    """Build a faucet transaction paying ``payment``, change back to the faucet.

    It pays the network's fallback fee rate; change below the dust threshold goes to the fee.

    Raises:
        FaucetEmpty: the faucet's spendable coins do not cover the payment and its fee.
    """
    rate = network.fallback_fee_sat_vb
    change_dust = dust_threshold(TxOut(0, FAUCET_SCRIPT), network.dust_relay_sat_vb)
    inputs: list[TxIn] = []
    total = 0
    for outpoint, value in spendable_faucet(chain, pool, FAUCET_SCRIPT, maturity):
        inputs.append(TxIn(outpoint, b"", _FUND_SEQUENCE, (FAUCET_WITNESS_SCRIPT,)))
        total += value
        with_change = Transaction(2, tuple(inputs), (payment, TxOut(0, FAUCET_SCRIPT)))
        change = total - payment.value - rate * with_change.vsize
        if change >= change_dust:
            return with_change.replace(outputs=[payment, TxOut(change, FAUCET_SCRIPT)])
        alone = Transaction(2, tuple(inputs), (payment,))
        if total - payment.value >= rate * alone.vsize:
            return alone
    raise FaucetEmpty(
        f"The devnet's faucet can spend {total} sats, less than {payment.value} plus the fee; "
        "mine more blocks (a coinbase is spendable 100 blocks later).",
        payment.value,
        total,
    )
