"""The devnet's mempool: acceptance after Bitcoin Core's policy, BIP-125 replacement, templates.

``evaluate`` decides whether a transaction may enter, without changing anything, and returns
a plan (the entry and what it replaces); ``Mempool.apply`` carries a plan out. That split
gives ``test_accept`` for free and keeps the pool consistent when a check fails half-way.

The checks follow Core's ``MemPoolAccept::PreChecks``, ``ReplacementChecks`` and
``PolicyScriptChecks`` in their order, with Core's reject codes; every input's script is
verified by libbitcoinkernel (``chains.utxo.kernel``) before a transaction is admitted.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction

from chains.utxo.devnet.blocks import ParsedBlock
from chains.utxo.devnet.index import ChainIndex, Coin, is_unspendable
from chains.utxo.devnet.policy import (
    MAX_MONEY,
    Refusal,
    check_finality,
    check_sequence_locks,
    check_signatures,
    check_standard,
    check_transaction,
)
from chains.utxo.kernel import ScriptVerificationFailed, verify_transaction
from primitives.tx import OutPoint, Transaction, TxOut

__all__ = [
    "COINBASE_MATURITY",
    "Mempool",
    "MempoolEntry",
    "Plan",
    "Relay",
    "evaluate",
    "repair",
]

COINBASE_MATURITY = 100
ANCESTOR_LIMIT = 25  # Core's -limitancestorcount and -limitdescendantcount
MAX_REPLACEMENT_EVICTIONS = 100  # BIP-125 rule 5


@dataclass(frozen=True, slots=True)
class Relay:
    """The fee rules of one network's mempool, in satoshis per vbyte.

    Attributes:
        min_relay_sat_vb: the minimum relay fee rate (Core ``-minrelaytxfee``).
        incremental_sat_vb: what a replacement pays per vbyte of its own (BIP-125 rule 4).
        dust_relay_sat_vb: the rate that defines dust (Core ``-dustrelayfee``).
    """

    min_relay_sat_vb: int
    incremental_sat_vb: int
    dust_relay_sat_vb: int


@dataclass(frozen=True, slots=True)
class MempoolEntry:
    """A transaction in the mempool with what the devnet learnt while admitting it.

    Attributes:
        tx: the transaction.
        fee: its fee in satoshis.
        coins: the coins its inputs spend, in input order.
        parents: the mempool transactions it spends from (txids, internal byte order).
        sequence: the arrival order (parents always arrive before their children).
    """

    tx: Transaction
    fee: int
    coins: tuple[Coin, ...]
    parents: frozenset[bytes]
    sequence: int

    @property
    def txid(self) -> bytes:
        """Return the txid (internal byte order)."""
        return self.tx.txid_bytes

    @property
    def vsize(self) -> int:
        """Return the virtual size in vbytes."""
        return self.tx.vsize


@dataclass(frozen=True, slots=True)
class Plan:
    """What admitting a transaction would do: add ``entry`` after evicting ``replaces``.

    ``replaces`` lists the conflicting transactions and all their descendants.
    """

    entry: MempoolEntry
    replaces: frozenset[bytes]


class Mempool:
    """Unconfirmed transactions, their spends and their parent/child links.

    Not thread-safe on its own: the devnet holds its lock around every call.
    """

    def __init__(self) -> None:
        self.entries: dict[bytes, MempoolEntry] = {}
        self.spenders: dict[OutPoint, bytes] = {}
        self.by_script: dict[bytes, dict[bytes, None]] = {}
        """Mempool txids per output script they pay or spend (the script-hash index)."""
        self._children: dict[bytes, set[bytes]] = {}
        self._next_sequence = 0

    def __len__(self) -> int:
        return len(self.entries)

    def next_sequence(self) -> int:
        """Return the arrival number the next admitted transaction gets."""
        return self._next_sequence

    def coin(self, outpoint: OutPoint) -> Coin | None:
        """Return the output of a mempool transaction (spent in the mempool or not)."""
        entry = self.entries.get(outpoint.txid)
        if entry is None or outpoint.vout >= len(entry.tx.outputs):
            return None
        out = entry.tx.outputs[outpoint.vout]
        if is_unspendable(out.script_pubkey):
            return None
        return Coin(out.value, out.script_pubkey, None, False)

    def ancestors(self, txids: Iterable[bytes]) -> set[bytes]:
        """Return every mempool ancestor of the given transactions (not themselves)."""
        seen: set[bytes] = set()
        stack = [p for t in txids if t in self.entries for p in self.entries[t].parents]
        while stack:
            t = stack.pop()
            if t in seen or t not in self.entries:
                continue
            seen.add(t)
            stack.extend(self.entries[t].parents)
        return seen

    def descendants(self, txids: Iterable[bytes]) -> set[bytes]:
        """Return every mempool descendant of the given transactions (not themselves)."""
        seen: set[bytes] = set()
        stack = [c for t in txids for c in self._children.get(t, ())]
        while stack:
            t = stack.pop()
            if t in seen:
                continue
            seen.add(t)
            stack.extend(self._children.get(t, ()))
        return seen

    def apply(self, plan: Plan) -> None:
        """Evict what ``plan`` replaces, then add its entry."""
        for txid in sorted(plan.replaces, key=lambda t: -self.entries[t].sequence):
            self.remove(txid)
        entry = plan.entry
        self.entries[entry.txid] = entry
        self._next_sequence = max(self._next_sequence, entry.sequence + 1)
        for txin in entry.tx.inputs:
            self.spenders[txin.prevout] = entry.txid
        for parent in entry.parents:
            self._children.setdefault(parent, set()).add(entry.txid)
        for script in _scripts(entry):
            self.by_script.setdefault(script, {})[entry.txid] = None

    def remove(self, txid: bytes) -> MempoolEntry:
        """Remove one transaction (its children stay: it was confirmed, or they go too)."""
        entry = self.entries.pop(txid)
        for txin in entry.tx.inputs:
            if self.spenders.get(txin.prevout) == txid:
                del self.spenders[txin.prevout]
        for parent in entry.parents:
            siblings = self._children.get(parent)
            if siblings is not None:
                siblings.discard(txid)
                if not siblings:
                    del self._children[parent]
        self._children.pop(txid, None)
        for script in _scripts(entry):
            touching = self.by_script.get(script)
            if touching is not None:
                touching.pop(txid, None)
                if not touching:
                    del self.by_script[script]
        return entry

    def remove_with_descendants(self, txid: bytes) -> list[MempoolEntry]:
        """Remove a transaction and everything that spends from it."""
        doomed = self.descendants([txid]) | {txid}
        ordered = sorted(doomed, key=lambda t: -self.entries[t].sequence)
        return [self.remove(t) for t in ordered]

    def ordered(self) -> list[MempoolEntry]:
        """Return the entries in arrival order (parents before children)."""
        return sorted(self.entries.values(), key=lambda e: e.sequence)

    def clear(self) -> None:
        """Drop every transaction."""
        self.entries.clear()
        self.spenders.clear()
        self.by_script.clear()
        self._children.clear()

    def select(self, max_weight: int) -> list[MempoolEntry]:
        """Choose transactions for a block by ancestor fee rate, parents before children.

        Each round takes the transaction whose package (itself plus its ancestors not yet
        chosen) pays the highest fee rate, as Core's ``BlockAssembler`` does, so a child
        paying for its parent (CPFP) lifts both.

        Args:
            max_weight: the weight the transactions may fill.
        """
        chosen: set[bytes] = set()
        skipped: set[bytes] = set()
        order: list[MempoolEntry] = []
        weight = 0
        heap: list[tuple[Fraction, int, int, bytes]] = []
        version: dict[bytes, int] = {}

        def push(txid: bytes) -> None:
            # A newer heap item supersedes older ones of the same transaction: after a
            # parent is chosen, the package shrinks and its fee rate changes.
            package = (self.ancestors([txid]) - chosen) | {txid}
            fee = sum(self.entries[t].fee for t in package)
            vsize = sum(self.entries[t].vsize for t in package)
            version[txid] = version.get(txid, -1) + 1
            item = (-Fraction(fee, vsize), self.entries[txid].sequence, version[txid], txid)
            heapq.heappush(heap, item)

        for txid in self.entries:
            push(txid)
        while heap:
            _, _, item_version, txid = heapq.heappop(heap)
            if txid in chosen or txid in skipped or item_version != version[txid]:
                continue
            package = sorted(
                (self.ancestors([txid]) - chosen) | {txid}, key=lambda t: self.entries[t].sequence
            )
            package_weight = sum(self.entries[t].tx.weight for t in package)
            if weight + package_weight > max_weight:
                skipped.add(txid)
                skipped.update(self.descendants([txid]))
                continue
            weight += package_weight
            for t in package:
                chosen.add(t)
                order.append(self.entries[t])
            for d in self.descendants(package) - chosen - skipped:
                push(d)
        return order


def _scripts(entry: MempoolEntry) -> set[bytes]:
    """Return the scripts a mempool transaction touches: those it spends and pays."""
    paid = {o.script_pubkey for o in entry.tx.outputs if not is_unspendable(o.script_pubkey)}
    return paid | {c.script for c in entry.coins}


def _spent_outputs(coins: Iterable[Coin]) -> list[TxOut]:
    return [TxOut(c.value, c.script) for c in coins]


def evaluate(
    tx: Transaction,
    chain: ChainIndex,
    pool: Mempool,
    relay: Relay,
    *,
    readmit: bool = False,
) -> Plan:
    """Decide whether ``tx`` may enter the mempool; change nothing.

    Args:
        tx: the transaction.
        chain: the active chain's UTXO set.
        pool: the mempool.
        relay: the fee rules.
        readmit: the transaction comes back from a disconnected block or a rebuilt mempool:
            fee-rate minimums are waived and nothing is replaced (Core's ``bypass_limits``).

    Returns:
        The plan to admit it.

    Raises:
        Refusal: with Core's reject reason code.
    """
    check_transaction(tx)
    if tx.is_coinbase:
        raise Refusal("coinbase")
    check_standard(tx, relay.dust_relay_sat_vb)
    next_height = chain.height + 1
    check_finality(tx, next_height, chain.median_time_past())
    txid = tx.txid_bytes
    if txid in pool.entries:
        raise Refusal("txn-already-in-mempool")

    direct = {pool.spenders[i.prevout] for i in tx.inputs if i.prevout in pool.spenders}
    if direct and readmit:
        raise Refusal("txn-mempool-conflict")
    for conflict in sorted(direct):
        if not pool.entries[conflict].tx.signals_rbf():
            raise Refusal("txn-mempool-conflict", f"{conflict[::-1].hex()} does not signal BIP-125")

    coins: list[Coin] = []
    for txin in tx.inputs:
        coin = chain.utxos.get(txin.prevout) or pool.coin(txin.prevout)
        if coin is None:
            if any(OutPoint(txid, v) in chain.utxos for v in range(len(tx.outputs))):
                raise Refusal("txn-already-known")
            raise Refusal("bad-txns-inputs-missingorspent", f"{txin.prevout} is not unspent")
        coins.append(coin)
    check_sequence_locks(tx, coins, next_height, chain.median_time_past)

    value_in = 0
    for coin in coins:
        if coin.coinbase and coin.height is not None:
            depth = next_height - coin.height
            if depth < COINBASE_MATURITY:
                raise Refusal(
                    "bad-txns-premature-spend-of-coinbase",
                    f"tried to spend coinbase at depth {depth}",
                )
        value_in += coin.value
        if coin.value > MAX_MONEY or value_in > MAX_MONEY:
            raise Refusal("bad-txns-inputvalues-outofrange")
    value_out = sum(o.value for o in tx.outputs)
    if value_in < value_out:
        raise Refusal("bad-txns-in-belowout", f"value in ({value_in}) < value out ({value_out})")
    fee = value_in - value_out
    vsize = tx.vsize
    min_fee = relay.min_relay_sat_vb * vsize
    if not readmit and fee < min_fee:
        raise Refusal("min relay fee not met", f"{fee} < {min_fee}")

    parents = frozenset(i.prevout.txid for i in tx.inputs if i.prevout.txid in pool.entries)
    replaced = direct | pool.descendants(direct)
    ancestors = pool.ancestors(parents) | set(parents)
    if ancestors & replaced:  # it would spend what it replaces (Core checks this first)
        raise Refusal("bad-txns-spends-conflicting-tx")
    if len(ancestors) + 1 > ANCESTOR_LIMIT:
        raise Refusal(
            "too-long-mempool-chain", f"too many unconfirmed ancestors [limit: {ANCESTOR_LIMIT}]"
        )
    for ancestor in ancestors:
        if len(pool.descendants([ancestor]) - replaced) + 2 > ANCESTOR_LIMIT:
            raise Refusal(
                "too-long-mempool-chain", f"too many descendants [limit: {ANCESTOR_LIMIT}]"
            )
    if direct:
        _replacement_checks(tx, fee, vsize, direct, replaced, parents, pool, relay)

    try:
        verify_transaction(tx, _spent_outputs(coins))
    except ScriptVerificationFailed as err:
        raise Refusal("mandatory-script-verify-flag-failed", str(err)) from err
    check_signatures(tx, coins)  # policy-only rules the kernel's consensus flags leave out
    entry = MempoolEntry(tx, fee, tuple(coins), parents, pool.next_sequence())
    return Plan(entry, frozenset(replaced))


def _replacement_checks(
    tx: Transaction,
    fee: int,
    vsize: int,
    direct: set[bytes],
    evicted: set[bytes],
    parents: frozenset[bytes],
    pool: Mempool,
    relay: Relay,
) -> None:
    """Apply BIP-125's rules as Core's ``ReplacementChecks`` does.

    Args:
        tx: the replacement.
        fee: its fee.
        vsize: its virtual size.
        direct: the mempool transactions it conflicts with.
        evicted: those and all their descendants.
        parents: its own mempool parents.
        pool: the mempool.
        relay: the fee rules.

    Raises:
        Refusal: ``too many potential replacements``, ``replacement-adds-unconfirmed`` or
            ``insufficient fee``.
    """
    if len(evicted) > MAX_REPLACEMENT_EVICTIONS:
        raise Refusal(
            "too many potential replacements", f"{len(evicted)} > {MAX_REPLACEMENT_EVICTIONS}"
        )
    original_parents = {p for c in direct for p in pool.entries[c].parents}
    for parent in parents:
        if parent not in original_parents:
            raise Refusal(
                "replacement-adds-unconfirmed", f"spends new unconfirmed {parent[::-1].hex()}"
            )
    for conflict in sorted(direct):
        old = pool.entries[conflict]
        if fee * old.vsize <= old.fee * vsize:  # new rate <= old rate, compared exactly
            raise Refusal(
                "insufficient fee",
                f"rejecting replacement {tx.txid}; new feerate {fee}/{vsize} sat/vB "
                f"<= old feerate {old.fee}/{old.vsize} sat/vB",
            )
    evicted_fees = sum(pool.entries[t].fee for t in evicted)
    if fee < evicted_fees:
        raise Refusal(
            "insufficient fee",
            f"rejecting replacement {tx.txid}, less fees than conflicting txs; "
            f"{fee} < {evicted_fees}",
        )
    needed = relay.incremental_sat_vb * vsize
    if fee - evicted_fees < needed:
        raise Refusal(
            "insufficient fee",
            f"rejecting replacement {tx.txid}, not enough additional fees to relay; "
            f"{fee - evicted_fees} < {needed}",
        )


def repair(
    pool: Mempool,
    chain: ChainIndex,
    relay: Relay,
    orphaned: Sequence[ParsedBlock],
    connected: Sequence[ParsedBlock],
) -> None:
    """Bring the mempool in line with a chain that gained and maybe lost blocks.

    Transactions the new blocks confirmed leave, and so does whatever conflicts with them
    (with descendants). The rest is admitted again, the orphaned blocks' transactions
    first in chain order (Core's ``MaybeUpdateMempoolForReorg``): re-admission waives the
    fee minimums, replaces nothing, refreshes each entry's coins and parents, and drops
    what the new chain made invalid.

    Args:
        pool: the mempool.
        chain: the index, already moved to the new chain.
        relay: the fee rules.
        orphaned: the disconnected blocks, in chain order.
        connected: the newly connected blocks.
    """
    if not orphaned:
        for block in connected:
            for tx in block.transactions:
                if tx.txid_bytes in pool.entries:
                    pool.remove(tx.txid_bytes)
            for tx in block.transactions:
                for txin in tx.inputs:
                    other = pool.spenders.get(txin.prevout)
                    if other is not None:
                        pool.remove_with_descendants(other)
        if not pool.entries:
            return
    candidates = [tx for block in orphaned for tx in block.transactions[1:]]
    candidates += [e.tx for e in pool.ordered()]
    pool.clear()
    for tx in candidates:
        try:
            pool.apply(evaluate(tx, chain, pool, relay, readmit=True))
        except Refusal:
            continue  # confirmed on the new chain, or no longer valid there: gone, as in Core
