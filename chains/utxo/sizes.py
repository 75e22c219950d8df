"""Transaction size, dust and fee arithmetic for the UTXO family, before anything is signed.

Sizes follow BIP-141 (weight = 3 x stripped size + total size, vsize = weight / 4 rounded
up) and Bitcoin Core's wallet estimate (``MaxInputWeight`` / ``CalculateMaximumSignedTxSize``
in ``src/wallet/spend.cpp``): every input is counted as if signed with the largest signature
its script can carry, so a fee computed from the estimate never falls short once the real
signatures are in. ECDSA signatures are counted at 72 bytes with the sighash byte (a 71-byte
DER signature with a 33-byte R; Core counts 71 when it can grind low-R nonces, which a
hardware signer may not do, so ``low_r=True`` is opt-in). Taproot key-path spends are counted
at 64 bytes, the size of a BIP-340 signature under ``SIGHASH_DEFAULT`` (a non-default sighash
adds one byte). Public keys are compressed (33 bytes).

Dust follows ``GetDustThreshold`` in Bitcoin Core's ``src/policy/policy.cpp`` for Bitcoin and
Litecoin, and Dogecoin Core 1.14.6's absolute limits for Dogecoin (``DustPolicy``). Fee
bumping follows BIP-125 rules 3, 4 and 6 (``min_replacement_fee``) and child-pays-for-parent
package arithmetic (``cpfp_child_fee``).

Dogecoin's fee convention (Dogecoin Core 1.14.6, ``doc/fee-recommendation.md``): no segwit, so
a transaction's vsize is its size; fees are per byte of the exact size (1.14.5 stopped
rounding up to whole kilobytes); nodes relay from 0.001 DOGE/kB (100 koinu/byte), miners
include from 0.01 DOGE/kB, the recommended rate; replacements step by 0.0001 DOGE/kB; and each
output under the 0.01 DOGE soft dust limit adds 0.01 DOGE to the required fee.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from chains.registry import ScriptKind, UtxoNetwork
from chains.utxo.backend import FeeRate
from primitives.tx import write_compact_size

__all__ = [
    "DOGECOIN_DUST",
    "DOGECOIN_INCREMENTAL_RELAY",
    "MAX_STANDARD_TX_WEIGHT",
    "WITNESS_SCALE_FACTOR",
    "DustPolicy",
    "FeePaid",
    "InputSize",
    "core_dust",
    "cpfp_child_fee",
    "dust_policy",
    "estimate_vsize",
    "estimate_weight",
    "incremental_relay_fee",
    "is_unspendable",
    "is_witness_program",
    "min_replacement_fee",
    "output_size",
    "template_script",
    "tx_overhead_weight",
    "vsize_of_weight",
]

WITNESS_SCALE_FACTOR = 4
MAX_STANDARD_TX_WEIGHT = 400_000
"""Bitcoin Core's (and Litecoin's, Dogecoin's) largest relayable transaction weight."""

_MAX_SCRIPT_SIZE = 10_000
_OP_RETURN = 0x6A
_OP_0 = 0x00
_OP_1 = 0x51
_OP_16 = 0x60

_ECDSA_SIG_MAX = 72  # 71-byte DER (33-byte R, low S) + sighash byte
_ECDSA_SIG_LOW_R = 71  # 70-byte DER (R ground below 2^255) + sighash byte
_SCHNORR_SIG = 64  # BIP-340 signature, SIGHASH_DEFAULT (no sighash byte)
_PUBKEY = 33
_OUTPOINT_AND_SEQUENCE = 32 + 4 + 4


def vsize_of_weight(weight: int) -> int:
    """Return the virtual size of ``weight`` weight units: weight / 4, rounded up (BIP-141)."""
    return -(-weight // WITNESS_SCALE_FACTOR)


@dataclass(frozen=True, slots=True)
class InputSize:
    """The largest size an input can have once signed.

    Attributes:
        weight: weight units of the signed input: outpoint, scriptSig with its length,
            sequence (each byte 4 WU) and, for a segwit input, the witness with its item count
            (each byte 1 WU). A non-segwit input in a segwit transaction also needs a one-byte
            empty witness; ``weight_in`` adds it.
        segwit: whether the input spends a witness program (natively or nested in P2SH).
    """

    weight: int
    segwit: bool

    @classmethod
    def for_kind(cls, kind: ScriptKind, *, low_r: bool = False) -> InputSize:
        """Return the maximum signed size of an input spending a ``kind`` output.

        Args:
            kind: the script kind of the spent output.
            low_r: count ECDSA signatures at 71 bytes (the signer grinds low-R nonces, as
                Bitcoin Core's does) instead of the safe 72.

        Returns:
            The input's size (BIP-141 weight; BIP-143 P2WPKH and BIP-341 key-path witnesses).
        """
        sig = _ECDSA_SIG_LOW_R if low_r else _ECDSA_SIG_MAX
        # witness: item count, then each item with its length byte
        p2wpkh_witness = 1 + (1 + sig) + (1 + _PUBKEY)
        if kind is ScriptKind.P2PKH:
            script_sig = (1 + sig) + (1 + _PUBKEY)
            return cls(4 * (_OUTPOINT_AND_SEQUENCE + 1 + script_sig), segwit=False)
        if kind is ScriptKind.P2SH_P2WPKH:
            script_sig = 1 + 22  # one push of the redeem script OP_0 <20-byte key hash>
            return cls(4 * (_OUTPOINT_AND_SEQUENCE + 1 + script_sig) + p2wpkh_witness, True)
        if kind is ScriptKind.P2WPKH:
            return cls(4 * (_OUTPOINT_AND_SEQUENCE + 1) + p2wpkh_witness, segwit=True)
        # P2TR key path: one witness item, the Schnorr signature
        return cls(4 * (_OUTPOINT_AND_SEQUENCE + 1) + 1 + 1 + _SCHNORR_SIG, segwit=True)

    def weight_in(self, segwit_tx: bool) -> int:
        """Return the input's weight inside a transaction that is (or is not) segwit."""
        return self.weight + (1 if segwit_tx and not self.segwit else 0)

    def vsize_in(self, segwit_tx: bool) -> int:
        """Return the input's own virtual size, rounded up as Bitcoin Core rounds it."""
        return vsize_of_weight(self.weight_in(segwit_tx))


def template_script(kind: ScriptKind) -> bytes:
    """Return an output script of ``kind`` with a zero hash or key, for size estimates only."""
    if kind is ScriptKind.P2WPKH:
        return bytes([_OP_0, 20]) + bytes(20)
    if kind is ScriptKind.P2TR:
        return bytes([_OP_1, 32]) + bytes(32)
    if kind is ScriptKind.P2SH_P2WPKH:
        return b"\xa9\x14" + bytes(20) + b"\x87"  # OP_HASH160 <20> OP_EQUAL
    return b"\x76\xa9\x14" + bytes(20) + b"\x88\xac"  # OP_DUP OP_HASH160 <20> ...CHECKSIG


def output_size(script_pubkey: bytes) -> int:
    """Return the serialised size of an output paying ``script_pubkey`` (8-byte value, script)."""
    return 8 + len(write_compact_size(len(script_pubkey))) + len(script_pubkey)


def is_unspendable(script_pubkey: bytes) -> bool:
    """Return whether the script can never be spent (``CScript::IsUnspendable``)."""
    return (len(script_pubkey) > 0 and script_pubkey[0] == _OP_RETURN) or len(
        script_pubkey
    ) > _MAX_SCRIPT_SIZE


def is_witness_program(script_pubkey: bytes) -> bool:
    """Return whether the script is a witness program (BIP-141, ``CScript::IsWitnessProgram``)."""
    n = len(script_pubkey)
    if n < 4 or n > 42:
        return False
    version = script_pubkey[0]
    if version != _OP_0 and not _OP_1 <= version <= _OP_16:
        return False
    return script_pubkey[1] + 2 == n


def tx_overhead_weight(n_inputs: int, n_outputs: int, segwit: bool) -> int:
    """Return the weight of version, locktime, the two counts and (segwit) marker and flag."""
    counts = len(write_compact_size(n_inputs)) + len(write_compact_size(n_outputs))
    return 4 * (4 + 4 + counts) + (2 if segwit else 0)


def estimate_weight(inputs: Sequence[InputSize], output_scripts: Sequence[bytes]) -> int:
    """Return the weight the transaction will have once signed, at most.

    The transaction is segwit when any input is; then every non-segwit input carries a
    one-byte empty witness (BIP-144 serialisation).

    Args:
        inputs: the size of each input.
        output_scripts: the script of each output.

    Returns:
        The weight in weight units (BIP-141).
    """
    segwit = any(i.segwit for i in inputs)
    weight = tx_overhead_weight(len(inputs), len(output_scripts), segwit)
    weight += sum(i.weight_in(segwit) for i in inputs)
    weight += 4 * sum(output_size(s) for s in output_scripts)
    return weight


def estimate_vsize(inputs: Sequence[InputSize], output_scripts: Sequence[bytes]) -> int:
    """Return the virtual size the transaction will have once signed, at most (BIP-141)."""
    return vsize_of_weight(estimate_weight(inputs, output_scripts))


@dataclass(frozen=True, slots=True)
class DustPolicy:
    """When a node refuses to relay an output as dust, and what small outputs cost.

    Bitcoin Core and Litecoin Core derive dust from a fee rate (``relay_fee``): an output is
    dust when spending it would cost more than its value at that rate (``GetDustThreshold``,
    ``src/policy/policy.cpp``): the output's size plus 148 bytes of a typical input, or
    32 + 4 + 1 + 107/4 + 4 = 67 vbytes for a witness program.

    Dogecoin Core 1.14.6 uses absolute amounts instead (``src/policy/policy.h``,
    ``src/dogecoin-fees.cpp``, ``doc/fee-recommendation.md``): outputs below the hard limit
    (0.001 DOGE) are non-standard and not relayed; every output below the soft limit
    (0.01 DOGE) adds the soft limit itself to the minimum relay fee. Unspendable (OP_RETURN)
    outputs are never dust under either rule.

    Attributes:
        relay_fee: the dust relay fee rate (Core ``-dustrelayfee``), ``None`` where dust is
            absolute.
        hard_limit: outputs below this are not relayed.
        soft_limit: each output below this adds ``soft_limit`` to the fee a node requires.
    """

    relay_fee: FeeRate | None = None
    hard_limit: int = 0
    soft_limit: int = 0

    def threshold(self, script_pubkey: bytes) -> int:
        """Return the smallest value of an output paying ``script_pubkey`` that is not dust."""
        if is_unspendable(script_pubkey):
            return 0
        by_rate = 0 if self.relay_fee is None else core_dust(script_pubkey, self.relay_fee)
        return max(by_rate, self.hard_limit)

    def is_dust(self, value: int, script_pubkey: bytes) -> bool:
        """Return whether a node would refuse an output of ``value`` as dust."""
        return value < self.threshold(script_pubkey)

    def surcharge(self, outputs: Iterable[tuple[int, bytes]]) -> int:
        """Return the extra fee the outputs ``(value, script)`` cost under the soft limit."""
        return sum(
            self.soft_limit
            for value, script in outputs
            if value < self.soft_limit and not is_unspendable(script)
        )

    def change_floor(self, script_pubkey: bytes, spend_vsize: int, discard_fee: FeeRate) -> int:
        """Return the smallest change worth creating (Core's ``min_viable_change``).

        Core: at least 1 satoshi more than it costs to spend at the discard rate, and not
        dust at the discard rate. Under a soft limit, change below it would cost more in
        surcharge than it is worth, so the soft limit is a floor too (Dogecoin Core's wallet
        likewise discards change below 0.01 DOGE).
        """
        floor = max(discard_fee.fee_for(spend_vsize) + 1, self.threshold(script_pubkey))
        if self.relay_fee is not None:
            floor = max(floor, core_dust(script_pubkey, discard_fee))
        return max(floor, self.soft_limit)


def core_dust(script_pubkey: bytes, rate: FeeRate) -> int:
    """Return Bitcoin Core's ``GetDustThreshold`` of an output at ``rate``."""
    if is_unspendable(script_pubkey):
        return 0
    spend = (
        32 + 4 + 1 + 107 // WITNESS_SCALE_FACTOR + 4 if is_witness_program(script_pubkey) else 148
    )
    return rate.fee_for(output_size(script_pubkey) + spend)


DOGECOIN_DUST = DustPolicy(relay_fee=None, hard_limit=100_000, soft_limit=1_000_000)
"""Dogecoin Core 1.14.6: hard dust 0.001 DOGE, soft dust 0.01 DOGE (1 DOGE = 10^8 koinu)."""

DOGECOIN_INCREMENTAL_RELAY = FeeRate(10_000)
"""Dogecoin Core 1.14.6 ``DEFAULT_INCREMENTAL_RELAY_FEE``: 0.0001 DOGE/kB (10 koinu/vB)."""

_DOGECOIN_NETWORKS = frozenset({"dogecoin", "dogecoin-testnet"})


def dust_policy(network: UtxoNetwork) -> DustPolicy:
    """Return the dust rule the network's reference node applies.

    Dogecoin's registry entry carries a ``dust_relay_sat_vb`` too, but Dogecoin Core 1.14.6
    does not derive dust from a rate; its absolute limits are used instead.
    """
    if network.name in _DOGECOIN_NETWORKS:
        return DOGECOIN_DUST
    return DustPolicy(relay_fee=FeeRate(network.dust_relay_sat_vb * 1000))


def incremental_relay_fee(network: UtxoNetwork) -> FeeRate:
    """Return the BIP-125 incremental relay fee rate of the network's reference node.

    Bitcoin Core before 30.0 and Litecoin Core 0.21 use 1 sat/vB (Core 30 lowered it to
    0.1 sat/vB; 1 sat/vB is accepted by both); Dogecoin Core 1.14.6 uses 10 koinu/vB.
    """
    if network.name in _DOGECOIN_NETWORKS:
        return DOGECOIN_INCREMENTAL_RELAY
    return FeeRate(network.min_relay_sat_vb * 1000)


@dataclass(frozen=True, slots=True)
class FeePaid:
    """The fee a transaction pays and its virtual size."""

    fee: int
    vsize: int


def _truncated_rate(paid: FeePaid) -> int:
    # CFeeRate(fee, size) in Core: sat per 1,000 vbytes, truncated.
    return paid.fee * 1000 // paid.vsize


def min_replacement_fee(
    replaced: Sequence[FeePaid],
    replacement_vsize: int,
    incremental_relay: FeeRate,
    *,
    evicted_descendants: Sequence[FeePaid] = (),
) -> int:
    """Return the smallest absolute fee a BIP-125 replacement must pay.

    BIP-125 rules 3 and 4: the replacement pays at least the fees of every transaction it
    evicts (the directly replaced ones and their descendants) plus the incremental relay fee
    for its own size. Rule 6 as Bitcoin Core implements it (``PaysMoreThanConflicts``): its
    fee rate, as a truncated sat/kvB ``CFeeRate``, is strictly higher than that of each
    directly replaced transaction (which also satisfies the exact comparison newer nodes do).

    Args:
        replaced: the transactions the replacement conflicts with directly.
        replacement_vsize: the replacement's virtual size (estimate it with max-size sigs).
        incremental_relay: the node's ``-incrementalrelayfee``.
        evicted_descendants: in-mempool descendants of ``replaced`` that are evicted too.

    Returns:
        The minimum fee in base units.

    Raises:
        ValueError: no transaction is replaced, or a size is not positive.
    """
    if not replaced:
        raise ValueError("a replacement replaces at least one transaction")
    if replacement_vsize <= 0 or any(p.vsize <= 0 for p in (*replaced, *evicted_descendants)):
        raise ValueError("virtual sizes are positive")
    evicted = sum(p.fee for p in replaced) + sum(p.fee for p in evicted_descendants)
    fee = evicted + incremental_relay.fee_for(replacement_vsize)
    for paid in replaced:
        higher = _truncated_rate(paid) + 1
        fee = max(fee, -(-higher * replacement_vsize // 1000))
    return fee


def cpfp_child_fee(parents: Sequence[FeePaid], child_vsize: int, target: FeeRate) -> int:
    """Return the fee a child must pay so that it and its unconfirmed parents reach ``target``.

    The package rate is (parent fees + child fee) / (parent sizes + child size), so the child
    pays target x (parent_vsize + child_vsize) - parent_fee. When the parents already pay
    more than the target, the child still pays the target for its own size.

    Args:
        parents: the unconfirmed ancestors the child spends from.
        child_vsize: the child's virtual size.
        target: the fee rate the package should reach.

    Returns:
        The child's fee in base units.

    Raises:
        ValueError: a size is not positive.
    """
    if child_vsize <= 0 or any(p.vsize <= 0 for p in parents):
        raise ValueError("virtual sizes are positive")
    package_vsize = child_vsize + sum(p.vsize for p in parents)
    needed = target.fee_for(package_vsize) - sum(p.fee for p in parents)
    return max(needed, target.fee_for(child_vsize))
