"""Block building and parsing for the embedded regtest devnet.

Everything here is pure: a coinbase with the BIP-34 height and the BIP-141 witness
commitment, the merkle root, an 80-byte header ground until its hash meets the target, and
the inverse (a raw block split into header fields and transactions). The kernel judges
every block built here; nothing in this module decides validity.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from dataclasses import dataclass

from primitives.hashes import sha256d
from primitives.tx import (
    MAX_SEQUENCE,
    OutPoint,
    Transaction,
    TxDecodeError,
    TxIn,
    TxOut,
    read_compact_size,
    write_compact_size,
)

__all__ = [
    "BLOCK_VERSION",
    "COIN",
    "HALVING_INTERVAL",
    "REGTEST_BITS",
    "ParsedBlock",
    "build_block",
    "coinbase_script_sig",
    "median_time_past",
    "merkle_root",
    "next_block_time",
    "parse_block",
    "subsidy",
]

COIN = 100_000_000
BLOCK_VERSION = 0x20000000  # BIP-9 top bits, no deployment signalled
REGTEST_BITS = 0x207FFFFF  # regtest's powLimit in compact form: about one hash in two passes
HALVING_INTERVAL = 150  # regtest's nSubsidyHalvingInterval (Bitcoin Core chainparams.cpp)
MEDIAN_TIME_SPAN = 11  # BIP-113: median of the last eleven block times
_WITNESS_MAGIC = bytes.fromhex("aa21a9ed")  # BIP-141, "Commitment structure"
_WITNESS_RESERVED = bytes(32)
_NULL_PREVOUT = OutPoint(bytes(32), MAX_SEQUENCE)


def _target(bits: int) -> int:
    exponent, mantissa = bits >> 24, bits & 0x007FFFFF
    return mantissa << (8 * (exponent - 3))


_REGTEST_TARGET = _target(REGTEST_BITS)


def subsidy(height: int, halving_interval: int = HALVING_INTERVAL) -> int:
    """Return the block subsidy in satoshis at ``height`` (50 BTC halved every interval).

    Args:
        height: the block height.
        halving_interval: blocks per halving (150 on regtest).
    """
    halvings = height // halving_interval
    if halvings >= 64:
        return 0
    return (50 * COIN) >> halvings


def _script_num_push(n: int) -> bytes:
    """Return ``CScript() << n`` for a non-negative ``n`` (BIP-34 height serialisation)."""
    if n == 0:
        return b"\x00"
    if 1 <= n <= 16:
        return bytes([0x50 + n])  # OP_1 .. OP_16
    body = n.to_bytes((n.bit_length() + 8) // 8, "little")  # room for the sign bit
    return bytes([len(body)]) + body


def coinbase_script_sig(height: int, extra: bytes = b"") -> bytes:
    """Return a coinbase scriptSig: the BIP-34 height push, then ``OP_0`` and ``extra``.

    The trailing push keeps the script at the consensus minimum of two bytes for heights
    1 to 16 (``bad-cb-length``) and lets competing blocks at one height differ.
    """
    tail = b"\x00" if not extra else bytes([len(extra)]) + extra
    return _script_num_push(height) + tail


def merkle_root(hashes: Sequence[bytes]) -> bytes:
    """Return the merkle root of transaction hashes (internal byte order), Bitcoin's way.

    An odd level repeats its last hash (the rule behind CVE-2012-2459, harmless here because
    the devnet never builds duplicate transactions).
    """
    level = list(hashes)
    if not level:
        raise ValueError("a merkle tree needs at least one hash")
    while len(level) > 1:
        if len(level) % 2:
            level.append(level[-1])
        level = [sha256d(level[i] + level[i + 1]) for i in range(0, len(level), 2)]
    return level[0]


def _coinbase(
    height: int, script: bytes, value: int, txs: Sequence[Transaction], extra: bytes
) -> Transaction:
    """Return the coinbase paying ``value`` to ``script`` with the BIP-141 commitment."""
    wtxids = [bytes(32)] + [sha256d(t.serialize()) for t in txs]  # coinbase wtxid is zero
    commitment = sha256d(merkle_root(wtxids) + _WITNESS_RESERVED)
    commit_script = b"\x6a\x24" + _WITNESS_MAGIC + commitment  # OP_RETURN, 36-byte push
    return Transaction(
        version=2,
        inputs=(
            TxIn(
                _NULL_PREVOUT,
                coinbase_script_sig(height, extra),
                MAX_SEQUENCE,
                (_WITNESS_RESERVED,),
            ),
        ),
        outputs=(TxOut(value, script), TxOut(0, commit_script)),
        locktime=0,
    )


@dataclass(frozen=True, slots=True)
class ParsedBlock:
    """A block split into the parts the devnet uses.

    Attributes:
        hash: the block hash (internal byte order).
        prev_hash: the parent's hash (internal byte order).
        time: the header's timestamp.
        transactions: the transactions, coinbase first.
        raw: the serialised block.
    """

    hash: bytes
    prev_hash: bytes
    time: int
    transactions: tuple[Transaction, ...]
    raw: bytes


def build_block(
    prev_hash: bytes,
    height: int,
    time: int,
    txs: Sequence[Transaction],
    script: bytes,
    reward: int,
    extra: bytes = b"",
) -> ParsedBlock:
    """Build a block on ``prev_hash`` and grind its nonce until it meets the regtest target.

    Args:
        prev_hash: the parent block's hash (internal byte order).
        height: the new block's height (BIP-34).
        time: the header timestamp; the caller keeps it above the median time past.
        txs: the transactions after the coinbase, parents before children.
        script: the output script the coinbase pays.
        reward: the coinbase value: subsidy plus the fees it claims.
        extra: up to 75 bytes pushed after the height (makes competing coinbases differ).

    Returns:
        The block, serialised and parsed.
    """
    coinbase = _coinbase(height, script, reward, txs, extra)
    all_txs = (coinbase, *txs)
    root = merkle_root([t.txid_bytes for t in all_txs])
    prefix = struct.pack("<i32s32sII", BLOCK_VERSION, prev_hash, root, time, REGTEST_BITS)
    nonce = 0
    while True:
        header = prefix + struct.pack("<I", nonce)
        block_hash = sha256d(header)
        if int.from_bytes(block_hash, "little") <= _REGTEST_TARGET:
            break
        nonce += 1
    body = b"".join(t.serialize() for t in all_txs)
    raw = header + write_compact_size(len(all_txs)) + body
    return ParsedBlock(block_hash, prev_hash, time, all_txs, raw)


def parse_block(raw: bytes) -> ParsedBlock:
    """Parse a serialised block (as the kernel stores it).

    Raises:
        TxDecodeError: the block or one of its transactions is malformed.
    """
    if len(raw) < 81:
        raise TxDecodeError("a block is at least an 80-byte header and a count")
    header = raw[:80]
    prev_hash = header[4:36]
    (time,) = struct.unpack("<I", header[68:72])
    count, pos = read_compact_size(raw, 80)
    txs = []
    for _ in range(count):
        tx, pos = Transaction.parse_prefix(raw, pos)
        txs.append(tx)
    if pos != len(raw):
        raise TxDecodeError(f"{len(raw) - pos} bytes follow the block's transactions")
    return ParsedBlock(sha256d(header), prev_hash, time, tuple(txs), raw)


def median_time_past(times: Sequence[int]) -> int:
    """Return the median of the last eleven block times (BIP-113), given times by height."""
    window = sorted(times[-MEDIAN_TIME_SPAN:])
    return window[len(window) // 2]


def next_block_time(times: Sequence[int], now: float) -> int:
    """Return a timestamp for the block after ``times`` (block times by height).

    Never below the parent's time (block times only grow on the devnet) and always above
    the median time past (BIP-113, the consensus minimum), so blocks mined faster than one
    per second still advance; otherwise the clock's ``now``.
    """
    return max(int(now), times[-1], median_time_past(times) + 1)
