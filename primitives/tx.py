"""Bitcoin-family transactions: parse, serialise, txid, wtxid, weight (BIP-141, BIP-144).

One codec for every layer: the keystore's signer, the chains' backends and devnet, and the
wallet's builder all read and write transactions through these value types. Txids are kept as
the 32 bytes of the hash (internal byte order); ``Transaction.txid`` returns the display form
(reversed, hex) that explorers and RPCs show.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from dataclasses import dataclass, field

from primitives.hashes import sha256d

__all__ = [
    "MAX_SEQUENCE",
    "OutPoint",
    "Transaction",
    "TxDecodeError",
    "TxIn",
    "TxOut",
    "parse_tx_no_witness",
    "read_compact_size",
    "write_compact_size",
]

MAX_SEQUENCE = 0xFFFFFFFF
_MAX_VECTOR = 1_000_000  # no real transaction has more inputs, outputs or witness items
_MAX_SCRIPT = 4_000_000
_HEX_DIGITS = frozenset("0123456789abcdefABCDEF")
_DIGITS = frozenset("0123456789")
# CompactSize prefix byte -> (payload size, smallest value that needs this form)
_COMPACT_FORMS = {0xFD: (2, 0xFD), 0xFE: (4, 0x10000), 0xFF: (8, 0x100000000)}


class TxDecodeError(ValueError):
    """The bytes are not a well-formed transaction; the message says where it breaks."""


def write_compact_size(n: int) -> bytes:
    """Return Bitcoin's CompactSize encoding of ``n``."""
    if n < 0xFD:
        return bytes([n])
    if n <= 0xFFFF:
        return b"\xfd" + n.to_bytes(2, "little")
    if n <= 0xFFFFFFFF:
        return b"\xfe" + n.to_bytes(4, "little")
    return b"\xff" + n.to_bytes(8, "little")


def read_compact_size(data: bytes | memoryview, pos: int) -> tuple[int, int]:
    """Read a CompactSize at ``pos``; return the value and the position after it.

    Raises:
        TxDecodeError: the data ends early or the encoding is not minimal.
    """
    if pos >= len(data):
        raise TxDecodeError("the data ends where a length was expected")
    first = data[pos]
    if first < 0xFD:
        return first, pos + 1
    size, minimum = _COMPACT_FORMS[first]
    end = pos + 1 + size
    if end > len(data):
        raise TxDecodeError("the data ends inside a length")
    value = int.from_bytes(data[pos + 1 : end], "little")
    if value < minimum:
        raise TxDecodeError("a length is not minimally encoded")
    return value, end


@dataclass(frozen=True, slots=True, order=True)
class OutPoint:
    """A reference to a transaction output: txid (internal byte order) and output index."""

    txid: bytes
    vout: int

    @classmethod
    def from_text(cls, text: str) -> OutPoint:
        """Parse ``"<display txid>:<vout>"``.

        Raises:
            ValueError: not 64 hex digits, a colon and an index.
        """
        txid_hex, sep, vout = text.strip().partition(":")
        # ASCII only: bytes.fromhex skips spaces (a shorter txid) and str.isdigit takes
        # digits of every script.
        if (
            not sep
            or len(txid_hex) != 64
            or not set(txid_hex) <= _HEX_DIGITS
            or not vout
            or not set(vout) <= _DIGITS
            or int(vout) > 0xFFFFFFFF
        ):
            raise ValueError("an outpoint is written TXID:INDEX (64 hex digits, a colon, a number)")
        return cls(bytes.fromhex(txid_hex)[::-1], int(vout))

    @property
    def txid_hex(self) -> str:
        """Return the txid in display byte order."""
        return self.txid[::-1].hex()

    def __str__(self) -> str:
        return f"{self.txid_hex}:{self.vout}"

    def serialize(self) -> bytes:
        """Return the 36-byte serialisation."""
        return self.txid + struct.pack("<I", self.vout)


@dataclass(frozen=True, slots=True)
class TxIn:
    """A transaction input; ``witness`` is the list of witness stack items (BIP-141)."""

    prevout: OutPoint
    script_sig: bytes = b""
    sequence: int = MAX_SEQUENCE
    witness: tuple[bytes, ...] = ()


@dataclass(frozen=True, slots=True)
class TxOut:
    """A transaction output: ``value`` in base units and the output script."""

    value: int
    script_pubkey: bytes

    def serialize(self) -> bytes:
        """Return the serialisation (8-byte value, script with its length)."""
        return (
            struct.pack("<q", self.value)
            + write_compact_size(len(self.script_pubkey))
            + self.script_pubkey
        )


@dataclass(frozen=True, slots=True)
class Transaction:
    """A Bitcoin-family transaction.

    Attributes:
        version: the transaction version (signed 32-bit on the wire).
        inputs: the inputs, with their witnesses.
        outputs: the outputs.
        locktime: nLockTime.
    """

    version: int
    inputs: tuple[TxIn, ...]
    outputs: tuple[TxOut, ...]
    locktime: int = 0
    _cache: dict[str, bytes] = field(default_factory=dict, compare=False, repr=False)

    @property
    def has_witness(self) -> bool:
        """Return whether any input carries witness data."""
        return any(i.witness for i in self.inputs)

    def serialize(self, include_witness: bool = True) -> bytes:
        """Return the wire serialisation (BIP-144 form when witnesses exist and are included)."""
        key = "w" if include_witness else "n"
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        witness = include_witness and self.has_witness
        parts = [struct.pack("<i", self.version)]
        if witness:
            parts.append(b"\x00\x01")
        parts.append(write_compact_size(len(self.inputs)))
        for i in self.inputs:
            parts += [
                i.prevout.serialize(),
                write_compact_size(len(i.script_sig)),
                i.script_sig,
                struct.pack("<I", i.sequence),
            ]
        parts.append(write_compact_size(len(self.outputs)))
        parts += [o.serialize() for o in self.outputs]
        if witness:
            for i in self.inputs:
                parts.append(write_compact_size(len(i.witness)))
                for item in i.witness:
                    parts += [write_compact_size(len(item)), item]
        parts.append(struct.pack("<I", self.locktime))
        out = b"".join(parts)
        self._cache[key] = out
        return out

    @property
    def txid_bytes(self) -> bytes:
        """Return the txid in internal byte order (hash of the serialisation without witness)."""
        return sha256d(self.serialize(include_witness=False))

    @property
    def txid(self) -> str:
        """Return the txid in display byte order, as 64 lowercase hex digits."""
        return self.txid_bytes[::-1].hex()

    @property
    def wtxid(self) -> str:
        """Return the witness txid (BIP-141) in display byte order."""
        return sha256d(self.serialize())[::-1].hex()

    @property
    def weight(self) -> int:
        """Return the weight: 3 x stripped size + total size (BIP-141)."""
        return 3 * len(self.serialize(include_witness=False)) + len(self.serialize())

    @property
    def vsize(self) -> int:
        """Return the virtual size in vbytes: weight / 4, rounded up."""
        return (self.weight + 3) // 4

    @property
    def is_coinbase(self) -> bool:
        """Return whether this is a coinbase transaction (one input spending the null outpoint)."""
        return (
            len(self.inputs) == 1
            and self.inputs[0].prevout.txid == bytes(32)
            and self.inputs[0].prevout.vout == MAX_SEQUENCE
        )

    def signals_rbf(self) -> bool:
        """Return whether an input signals BIP-125 replaceability (nSequence < 0xfffffffe)."""
        return any(i.sequence < MAX_SEQUENCE - 1 for i in self.inputs)

    def outpoint(self, vout: int) -> OutPoint:
        """Return the outpoint of output ``vout`` of this transaction."""
        return OutPoint(self.txid_bytes, vout)

    @classmethod
    def parse(cls, raw: bytes | bytearray | memoryview) -> Transaction:
        """Parse a serialised transaction (legacy or BIP-144 segwit form).

        Raises:
            TxDecodeError: truncated, trailing bytes, or otherwise malformed.
        """
        data = bytes(raw)
        tx, end = cls.parse_prefix(data, 0)
        if end != len(data):
            raise TxDecodeError(f"{len(data) - end} bytes follow the transaction")
        return tx

    @classmethod
    def parse_prefix(cls, data: bytes, pos: int) -> tuple[Transaction, int]:
        """Parse a transaction starting at ``pos`` (inside a block); return it and its end.

        Raises:
            TxDecodeError: truncated or malformed.
        """
        r = _Reader(data, pos)
        version = r.signed32()
        n_in = r.compact()
        segwit = False
        if n_in == 0:
            flag = r.byte()
            if flag != 1:
                raise TxDecodeError("a transaction has no inputs, or an unknown segwit flag")
            segwit = True
            n_in = r.compact()
        inputs: list[TxIn] = []
        for _ in range(n_in):
            prev = OutPoint(r.take(32), r.u32())
            inputs.append(TxIn(prev, r.var_bytes(), r.u32()))
        outputs = []
        for _ in range(r.compact()):
            value = r.signed64()
            outputs.append(TxOut(value, r.var_bytes()))
        if segwit:
            with_witness = []
            for txin in inputs:
                items = tuple(r.var_bytes() for _ in range(r.compact()))
                with_witness.append(TxIn(txin.prevout, txin.script_sig, txin.sequence, items))
            if not any(i.witness for i in with_witness):
                raise TxDecodeError("a segwit-serialised transaction without any witness")
            inputs = with_witness
        locktime = r.u32()
        tx = cls(version, tuple(inputs), tuple(outputs), locktime)
        # The parser accepts only the canonical encoding (minimal lengths, a witness wherever
        # the segwit marker is), so the bytes read are the serialisation: keep them rather
        # than rebuild them for the txid or for re-sending (PSBTs carry many whole txs).
        raw = data[pos : r.pos]
        tx._cache["w"] = raw
        if not segwit:
            tx._cache["n"] = raw
        return tx, r.pos

    def replace(
        self,
        *,
        inputs: Sequence[TxIn] | None = None,
        outputs: Sequence[TxOut] | None = None,
        locktime: int | None = None,
        version: int | None = None,
    ) -> Transaction:
        """Return a copy with some fields replaced (the serialisation cache is not shared)."""
        return Transaction(
            self.version if version is None else version,
            self.inputs if inputs is None else tuple(inputs),
            self.outputs if outputs is None else tuple(outputs),
            self.locktime if locktime is None else locktime,
        )


def parse_tx_no_witness(raw: bytes) -> Transaction:
    """Parse a transaction in the pre-segwit serialisation only (PSBTv0's unsigned tx).

    Unlike ``Transaction.parse`` this reads a zero input count as zero inputs, never as the
    segwit marker, as Bitcoin Core's ``TX_NO_WITNESS`` does.

    Raises:
        TxDecodeError: truncated, trailing bytes or non-minimal lengths.
    """
    pos = 0
    size = len(raw)

    def take(n: int) -> bytes:
        nonlocal pos
        if pos + n > size:
            raise TxDecodeError("the transaction is truncated")
        out = raw[pos : pos + n]
        pos += n
        return out

    def count() -> int:
        nonlocal pos
        value, pos = read_compact_size(raw, pos)
        if value > size:  # every entry takes at least one byte
            raise TxDecodeError("a count in the transaction is larger than the data")
        return value

    version = int(struct.unpack("<i", take(4))[0])
    inputs = []
    for _ in range(count()):
        prevout = OutPoint(take(32), int(struct.unpack("<I", take(4))[0]))
        script = take(count())
        inputs.append(TxIn(prevout, script, int(struct.unpack("<I", take(4))[0])))
    outputs = []
    for _ in range(count()):
        value = int(struct.unpack("<q", take(8))[0])
        outputs.append(TxOut(value, take(count())))
    locktime = int(struct.unpack("<I", take(4))[0])
    if pos != size:
        raise TxDecodeError(f"{size - pos} bytes follow the transaction")
    return Transaction(version, tuple(inputs), tuple(outputs), locktime)


class _Reader:
    __slots__ = ("data", "pos")

    def __init__(self, data: bytes, pos: int) -> None:
        self.data = data
        self.pos = pos

    def take(self, n: int) -> bytes:
        end = self.pos + n
        if end > len(self.data):
            raise TxDecodeError("the transaction is truncated")
        out = self.data[self.pos : end]
        self.pos = end
        return out

    def byte(self) -> int:
        return self.take(1)[0]

    def u32(self) -> int:
        return int(struct.unpack("<I", self.take(4))[0])

    def signed32(self) -> int:
        return int(struct.unpack("<i", self.take(4))[0])

    def signed64(self) -> int:
        return int(struct.unpack("<q", self.take(8))[0])

    def compact(self) -> int:
        value, self.pos = read_compact_size(self.data, self.pos)
        if value > _MAX_VECTOR:
            raise TxDecodeError("a count in the transaction is implausibly large")
        return value

    def var_bytes(self) -> bytes:
        value, self.pos = read_compact_size(self.data, self.pos)
        if value > _MAX_SCRIPT:
            raise TxDecodeError("a script in the transaction is implausibly large")
        return self.take(value)
